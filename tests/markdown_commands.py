"""The shell commands of a Markdown file's ```bash blocks (shared by the docs' command tests)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]


class Command(NamedTuple):
    """One shell command of a doc.

    Attributes:
        doc: The doc's path from the checkout's root.
        line: The command's first line in the doc.
        text: The command, as pasted (its lines joined where one ends in a backslash).
    """

    doc: str
    line: int
    text: str

    @property
    def id(self) -> str:
        """``doc:line``, a test id."""
        return f"{self.doc}:{self.line}"


def bash_commands(path: Path) -> list[Command]:
    """The commands of the ```bash blocks of the Markdown file ``path``, comment lines skipped."""
    commands, inside, joined, first = [], False, "", 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not inside or line.strip() == "```":
            inside = line.strip() == "```bash"
            continue
        if not joined and (not line.strip() or line.lstrip().startswith("#")):
            continue
        first = first if joined else number
        if line.endswith("\\"):
            joined += line[:-1]
            continue
        commands.append(Command(str(path.relative_to(ROOT)), first, joined + line))
        joined = ""
    return commands
