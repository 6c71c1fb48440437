"""``tariffsim-report DIR``: one table and the summary figures of a run or a multirun directory.

Reads only the files the jobs wrote (``runs.parquet``, ``summary.json`` and
``.hydra/overrides.yaml`` of each job); re-runs nothing. Writes into ``DIR`` (or ``--out``):

- ``study_runs.parquet``: one row per job x replication x partner, the swept values as columns
  (named by their dotted keys; ``swept.<key>`` where the key is also a column, as ``seed`` is),
  then every column of ``runs.parquet``;
- ``study_summary.parquet``: one row per job x partner: replications, deals, deal probability
  (with a 95% Wilson interval), median deal day and date, median final tariff;
- ``figures/study_*.png`` and ``.svg``: deal probability and median deal date per partner against
  each swept value;
- ``report.html``: the outcome table, the figures and the resolved config on one page.

A sweep with failed or unfinished jobs is refused (exit 3) unless ``--allow-partial`` is given.
Every file is written under a temporary name and all are renamed together at the end: after an
error, nothing new is left under a final name. ``study_runs.parquet`` is written job by job, a
batch of rows at a time: of the jobs' runs, only the few columns the summary and the figures read
(``STUDY_COLUMNS``) are held in memory.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.io.report_inputs import PartialStudy, ReportError, find_study
from sim.io.report_outputs import Staged, debug, run_command
from sim.io.study_table import first_summary, partner_order, write_study_runs, write_table

__all__ = ["main", "report"]


def report(root: Path, figures: bool = True, allow_partial: bool = False, out: Path | None = None) -> dict[str, Any]:
    """Write the study table, the summary table and (optionally) the figures for ``root``.

    Every file is written under a temporary name; all get their final names together at the end.

    Args:
        root: A run directory or a multirun directory.
        figures: Also write the figures and ``report.html``.
        allow_partial: Report the complete jobs of a sweep in which others failed or are unfinished.
        out: Where to write (default: ``root``).

    Returns:
        What was written: ``jobs``, ``failed``, ``unfinished``, ``swept``, ``rows`` and the ``files``.

    Raises:
        ReportError: naming the file that cannot be read or written and what to do.
    """
    root = Path(root)
    study = find_study(root, allow_partial)
    target = Path(out) if out is not None else root
    with Staged(target) as staged:
        files = [target / "study_runs.parquet", target / "study_summary.parquet"]
        runs, summary = write_study_runs(study, files[0], staged.write)
        write_table(files[1], summary, staged.write)
        if figures:
            from sim.plots.html_report import write_html_report  # matplotlib only when asked for
            from sim.plots.report_figures import write_report_figures

            order, rows = partner_order(study), first_summary(study).get("partners") or {}
            styled = {"partners": {code: rows.get(code) or {} for code in order}}  # in order, named and coloured
            files += write_report_figures(target, runs, study.keys, staged.write, styled)
            files.append(write_html_report(root, (runs, study.keys), staged.write, target, order))
    return {"jobs": len(study.jobs), "failed": [str(p) for p in study.found.failed],
            "unfinished": [str(p) for p, _ in study.found.unfinished], "swept": study.keys,
            "rows": len(runs), "files": [str(p) for p in files]}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tariffsim-report",
        description="One table, figures and report.html for a run or a sweep directory, from its files alone.",
        epilog="Exit status: 0 done, 2 an input or output that cannot be used, 3 a sweep with failed or "
               "unfinished jobs (see --allow-partial). TARIFFSIM_DEBUG=1 shows tracebacks.")
    parser.add_argument("dir", type=Path, help="a run directory or a multirun (sweep) directory")
    parser.add_argument("--no-figures", action="store_true", help="write the tables only")
    parser.add_argument("--allow-partial", action="store_true",
                        help="report the complete jobs of a sweep in which others failed or are unfinished")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the tables, figures and report.html here instead of into DIR")
    return parser


def _report(args: argparse.Namespace) -> int:
    done = report(args.dir, figures=not args.no_figures, allow_partial=args.allow_partial, out=args.out)
    swept = ", ".join(done["swept"]) or "nothing"
    print(f"{done['jobs']} jobs, swept: {swept}; {done['rows']} rows")
    for path in done["files"]:
        print(f"  wrote {path}")
    for path in done["failed"]:
        print(f"  failed job (not in the tables): {path}/error.json")
    for path in done["unfinished"]:
        print(f"  unfinished job (not in the tables): {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tariffsim-report``: 0 on success, 2 for an input or output that cannot be used,
    3 for a partial study refused, 1 for an unexpected error (``TARIFFSIM_DEBUG=1`` shows its traceback)."""
    args = _parser().parse_args(argv)
    return run_command("tariffsim-report", lambda: _report(args), {PartialStudy: 3, ReportError: 2},
                       f"while reporting {args.dir}", debug())


if __name__ == "__main__":
    sys.exit(main())
