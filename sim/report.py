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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.files import atomic_write
from sim.jobs import read_json
from sim.report_inputs import STUDY_COLUMNS, PartialStudy, ReportError, Study, find_study, swept_type
from sim.report_outputs import Staged, debug, run_command

Writer = Callable[[Path, Callable[[Path], None]], None]  # atomic_write, or Staged.write
__all__ = ["STUDY_COLUMNS", "Study", "find_study", "main", "partner_order", "report", "study_runs",
           "study_summary", "swept_type", "wilson", "write_study_runs", "write_table"]


def study_runs(root: Path, columns: Sequence[str] | None = None,
               allow_partial: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """The combined runs table of every complete job under ``root`` and its swept columns.

    Args:
        root: A run directory or a multirun directory.
        columns: The columns of runs.parquet to take (default: all), after ``job`` and the swept keys.
        allow_partial: Take the complete jobs of a sweep in which others failed or are unfinished.

    Raises:
        ReportError: no complete job under ``root``, or some not complete (see ``find_study``).
    """
    study = find_study(root, allow_partial)
    schema = study.schema(columns)
    frames = [pa.Table.from_batches(study.batches(index, schema), schema).to_pandas()
              for index in range(len(study.jobs))]
    return pd.concat(frames, ignore_index=True), study.keys


def partner_order(study: Study) -> list[str]:
    """The scenario's partner order (``summary.json`` lists partners in it): one order in every table
    and figure of the report."""
    summary = read_json(study.jobs[0] / "summary.json") or {}
    return list(summary.get("partners") or {})


def write_study_runs(study: Study, path: Path, write: Writer = atomic_write) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write every job's runs, the swept values in front, as one Parquet file at ``path``.

    Written job by job, a batch of rows at a time, through ``write`` (atomically by default); only
    the ``STUDY_COLUMNS`` of each job are kept in memory.

    Returns:
        The study's runs table with ``job``, the swept keys and ``STUDY_COLUMNS`` only, and its
        summary (``study_summary``), computed job by job.
    """
    schema = study.schema()
    kept = study.schema(STUDY_COLUMNS)
    frames: list[pd.DataFrame] = []

    def fill(tmp: Path) -> None:
        with pq.ParquetWriter(tmp, schema) as writer:
            for index in range(len(study.jobs)):
                batches = []
                for batch in study.batches(index, schema):
                    writer.write_batch(batch)
                    batches.append(batch.select(kept.names))
                frames.append(pa.Table.from_batches(batches, kept).to_pandas())

    write(path, fill)
    order = partner_order(study)
    summaries = [study_summary(frame, study.keys, order) for frame in frames]
    return pd.concat(frames, ignore_index=True), pd.concat(summaries, ignore_index=True)


def wilson(successes: np.ndarray, n: np.ndarray, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of a proportion (good at 0 and 1, unlike the normal one)."""
    n = np.maximum(n, 1)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def study_summary(runs: pd.DataFrame, keys: list[str], order: Sequence[str] = ()) -> pd.DataFrame:
    """One row per job x partner: deal probability with its interval, median deal day and tariff.

    Args:
        runs: The study's runs table.
        keys: Its swept columns.
        order: The scenario's partner order: the rows of each job follow it (other partners last).
    """
    group = runs.groupby(["job", *keys, "partner"], sort=False, dropna=False)
    out = group.agg(replications=("run_id", "nunique"), deals=("deal", "sum"),
                    median_deal_day=("deal_day", "median"), median_deal_date=("deal_date", _lower_median),
                    median_final_tariff=("final_tariff", "median"))
    out = out.reset_index()
    rank = {code: place for place, code in enumerate(order)}
    place = out["partner"].map(lambda code: rank.get(code, len(rank)))
    jobs = out["job"].map({job: place for place, job in enumerate(pd.unique(out["job"]))})
    out = out.assign(_job=jobs, _place=place).sort_values(["_job", "_place"], kind="stable")
    out = out.drop(columns=["_job", "_place"]).reset_index(drop=True)
    out["median_deal_day"] = out["median_deal_day"].astype("Float64")
    out["deal_probability"] = out["deals"] / out["replications"]
    low, high = wilson(out["deals"].to_numpy(float), out["replications"].to_numpy(float))
    out["deal_probability_low"], out["deal_probability_high"] = low, high
    return out


def _lower_median(dates: pd.Series) -> Any:
    """The median date of the deals (the lower middle one: always a real day), None without any."""
    days = sorted(d for d in dates if d is not None and d == d)
    return days[(len(days) - 1) // 2] if days else None


def write_table(path: Path, frame: pd.DataFrame, write: Writer = atomic_write) -> None:
    """Write ``frame`` as Parquet at ``path`` through ``write`` (atomically), without the pandas index."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    write(path, lambda tmp: pq.write_table(table, tmp))


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
            from sim.html_report import write_html_report  # matplotlib only when asked for
            from sim.report_figures import write_report_figures

            order = partner_order(study)
            files += write_report_figures(target, runs, study.keys, staged.write, order)
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
