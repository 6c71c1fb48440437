"""What the study commands (``tariffsim-tournament``, ``tariffsim-sensitivity``) do with a mistake.

A researcher's mistake (a misspelt strategy, an output path that is a file, a full disk) is
reported as one paragraph that names what is wrong and what to do, with a non-zero exit status
and no traceback; ``TARIFFSIM_DEBUG=1`` prints the traceback too. Output paths are checked before
anything runs, and files a failed command had already written are removed again, so that no
final name holds the results of a run that did not finish.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException

from sim.config import ConfigError, load_study
from sim.io.output_dir import OutputError, check_directory

EXIT_USAGE = 2  # what argparse and the tariffsim command use for a refused input


class CommandError(Exception):
    """A mistake in a command's input or environment; the message says what to do about it."""


def debugging() -> bool:
    """Whether ``TARIFFSIM_DEBUG=1`` asks for tracebacks."""
    return os.environ.get("TARIFFSIM_DEBUG", "") not in ("", "0")


def report(prog: str, error: BaseException) -> int:
    """Print ``error`` as ``prog: message`` on stderr (its traceback first when debugging); returns 2."""
    if debugging():
        traceback.print_exception(error)
    print(f"{prog}: {error}", file=sys.stderr)
    return EXIT_USAGE


def os_error_message(error: OSError, option: str = "--out") -> str:
    """One paragraph for a file that could not be written: which file, why, and what to do."""
    where = f" {error.filename}" if error.filename else ""
    return (f"could not write{where}: {error.strerror or error}. Free some space, fix the permissions or "
            f"choose another {option}; nothing was left under a final name.")


def check_output_dir(path: Path, option: str = "--out") -> None:
    """Refuse an output folder that cannot be written, before anything runs; creates nothing.

    Raises:
        CommandError: ``path`` is a file, lies under a file, or its nearest existing folder
            cannot be written (permissions, a read-only file system), as ``sim.io.output_dir``
            checks every output directory.
    """
    try:
        check_directory(Path(path), option)
    except OutputError as error:
        raise CommandError(f"{option} {path}: {error}") from None


def whole_number(minimum: int, maximum: int, meaning: str = "") -> Callable[[str], int]:
    """An argparse ``type``: a whole number in [minimum, maximum] (``meaning`` explains a special value)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number in [{minimum}, {maximum}]{meaning}")
        return value

    return parse


def checked_config(overrides: Sequence[str], compose: Callable[[Sequence[str]], dict[str, Any]],
                   where: str = "override") -> dict[str, Any]:
    """The config ``compose(overrides)`` returns, validated as a whole before anything runs.

    Raises:
        CommandError: naming the override Hydra refuses, or every invalid key it gives.
    """
    refused = (HydraException, OmegaConfBaseException, ValueError)
    try:
        config = compose(overrides)
    except refused as error:
        def composes(override: str) -> bool:
            try:
                compose([override])
            except refused:
                return False
            return True

        culprit = next((o for o in overrides if not composes(o)), " ".join(overrides))
        raise CommandError(f"{where} {culprit!r}: {_hydra_reason(error)}. An override sets a key of the "
                           f"tariffsim config, e.g. scenario.deadline=2025-08-01 (tariffsim --cfg job prints "
                           f"them all).") from None
    try:
        load_study(config)
    except ConfigError as error:
        raise CommandError(f"{where}s {' '.join(overrides)} give an {error}") from None
    return config


def _hydra_reason(error: BaseException) -> str:
    """Hydra's reason in one sentence (without its advice to append a key with ``+``: a typo is likelier)."""
    text = str(error)
    if text.startswith("Could not override"):
        return f"the config has no key {text.splitlines()[0].split(chr(39))[1]}"
    return " ".join(line.strip() for line in text.split("Config search path")[0].splitlines() if line.strip())


def closed_pipe() -> None:
    """The reader of standard output went away (``tariffsim --help | head``): stop quietly.

    Python would print a ``BrokenPipeError`` traceback, twice (once more when it flushes at
    exit); pointing stdout at ``/dev/null`` first silences the second.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(141)  # 128 + SIGPIPE, as a shell reports a command killed by a closed pipe

