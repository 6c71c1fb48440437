"""``tariffsim-schema``: the JSON Schema of the config files, for editors that complete and check YAML.

Prints the schema of a scenario file, or with ``--part`` of a partner's or the US's country file,
of the composed scenario, or of a study file (sensitivity, mechanisms, calibration, observed);
``--output FILE`` writes it (atomically: the file is complete or absent). docs/schema.md shows how
to point VS Code, PyCharm or a modeline at it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.apps.command_errors import CommandError, closed_pipe, report
from sim.config.schema import PARTS, json_schema
from sim.io.files import atomic_write

PROG = "tariffsim-schema"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Print (or write) the JSON Schema of tariffsim's config files, so an editor "
        "completes keys, shows what each means and allows, and flags unknown keys and values out of range.",
        epilog="Parts: " + "; ".join(f"{k}: {v}" for k, v in PARTS.items()) + ". See docs/schema.md.")
    parser.add_argument("--part", choices=list(PARTS), default="scenario",
                        help="which file the schema describes (default: scenario)")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE",
                        help="write the schema to FILE (replaced atomically) instead of printing it")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tariffsim-schema``: 0 on success, 2 (``report``) when the file cannot be written."""
    args = _parser().parse_args(argv)
    text = json.dumps(json_schema(args.part), indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:  # tariffsim-schema | head
            closed_pipe()
        return 0
    try:
        if args.output.is_dir():
            raise IsADirectoryError(21, "it is a directory; give a file name such as tariffsim.schema.json",
                                    str(args.output))
        atomic_write(args.output, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as error:
        return report(PROG, CommandError(f"could not write {args.output}: {error.strerror or error}. Choose another "
                                         "--output FILE (in a folder you may write); nothing was written."))
    print(f"{PROG}: wrote the {args.part} schema to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
