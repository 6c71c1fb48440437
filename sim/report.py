"""``tariffsim-report DIR``: one table and the summary figures of a run or a multirun directory.

Reads only the files the jobs wrote (``runs.parquet``, ``summary.json`` and
``.hydra/overrides.yaml`` of each job); re-runs nothing. Writes, atomically, into ``DIR``:

- ``study_runs.parquet``: one row per job x replication x partner, the swept values as columns
  (named by their dotted keys), then every column of ``runs.parquet``;
- ``study_summary.parquet``: one row per job x partner: replications, deals, deal probability
  (with a 95% Wilson interval), median deal day and date, median final tariff;
- ``figures/study_*.png``: deal probability and median deal date per partner against each swept value.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hydra.core.override_parser.overrides_parser import OverridesParser

from sim.jobs import EXECUTION_KEYS, saved_overrides, sweep_status
from sim.results import atomic_write

log = logging.getLogger("tariffsim")
NOT_SWEPT = (*EXECUTION_KEYS, "figures", "sweep")  # how a job ran, not what it computed


def job_dirs(root: Path) -> tuple[list[Path], list[Path]]:
    """Complete job directories under ``root`` (itself, for a single run) and the failed ones."""
    if (root / "runs.parquet").is_file():
        return [root], []
    status = sweep_status(root)
    return [job for job in status["done"] if (job / "runs.parquet").is_file()], status["failed"]


def job_values(job: Path) -> dict[str, Any]:
    """The overrides a job ran with, as ``{dotted key: typed value}``."""
    overrides = saved_overrides(job) or []
    values: dict[str, Any] = {}
    parser = OverridesParser.create()
    for text in overrides:
        try:
            override = parser.parse_override(text)
            value = override.value()
            key = override.key_or_group
        except Exception:  # noqa: BLE001 - an odd override stays a string rather than fail the report
            key, _, value = text.lstrip("+~").partition("=")
        values[key] = value if isinstance(value, int | float | bool | str) else str(value)
    return values


def swept_keys(values: list[dict[str, Any]]) -> list[str]:
    """Keys whose value differs between jobs (in order of first appearance)."""
    keys: list[str] = []
    for job in values:
        keys += [k for k in job if k not in keys and k not in NOT_SWEPT]
    return [k for k in keys if len({repr(job.get(k)) for job in values}) > 1]


def study_runs(root: Path) -> tuple[pd.DataFrame, list[str]]:
    """The combined runs table of every complete job under ``root`` and the swept keys.

    Raises:
        FileNotFoundError: no complete job under ``root``.
    """
    jobs, _ = job_dirs(root)
    if not jobs:
        raise FileNotFoundError(f"{root}: no runs.parquet and no complete job directory below it")
    values = [job_values(job) for job in jobs]
    keys = swept_keys(values)
    frames = []
    for job, job_value in zip(jobs, values):
        runs = pd.read_parquet(job / "runs.parquet")
        front = {"job": job.name if job != root else "."}
        front.update({key: job_value.get(key) for key in keys})
        frames.append(pd.concat([pd.DataFrame(front, index=runs.index), runs], axis=1))
    return pd.concat(frames, ignore_index=True), keys


def wilson(successes: np.ndarray, n: np.ndarray, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of a proportion (good at 0 and 1, unlike the normal one)."""
    n = np.maximum(n, 1)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def study_summary(runs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per job x partner: deal probability with its interval, median deal day and tariff."""
    group = runs.groupby(["job", *keys, "partner"], sort=False, dropna=False)
    out = group.agg(replications=("run_id", "nunique"), deals=("deal", "sum"),
                    median_deal_day=("deal_day", "median"), median_deal_date=("deal_date", _lower_median),
                    median_final_tariff=("final_tariff", "median"))
    out = out.reset_index()
    out["deal_probability"] = out["deals"] / out["replications"]
    low, high = wilson(out["deals"].to_numpy(float), out["replications"].to_numpy(float))
    out["deal_probability_low"], out["deal_probability_high"] = low, high
    return out


def _lower_median(dates: pd.Series) -> Any:
    """The median date of the deals (the lower middle one: always a real day), None without any."""
    days = sorted(d for d in dates if d is not None and d == d)
    return days[(len(days) - 1) // 2] if days else None


def write_table(path: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` as Parquet at ``path``, atomically, without the pandas index."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def report(root: Path, figures: bool = True) -> dict[str, Any]:
    """Write the study table, the summary table and (optionally) the figures for ``root``.

    Returns:
        What was written: ``jobs``, ``failed``, ``swept``, ``rows`` and the ``files``.
    """
    root = Path(root)
    runs, keys = study_runs(root)
    jobs, failed = job_dirs(root)
    summary = study_summary(runs, keys)
    files = [root / "study_runs.parquet", root / "study_summary.parquet"]
    write_table(files[0], runs)
    write_table(files[1], summary)
    if figures:
        from sim.report_figures import write_report_figures  # matplotlib only when asked for

        files += write_report_figures(root, runs, keys)
        from sim.html_report import write_html_report  # one self-contained page, figures embedded

        files.append(write_html_report(root))
    return {"jobs": len(jobs), "failed": [str(p) for p in failed], "swept": keys, "rows": len(runs),
            "files": [str(p) for p in files]}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tariffsim-report``."""
    parser = argparse.ArgumentParser(prog="tariffsim-report", description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="a run directory or a multirun (sweep) directory")
    parser.add_argument("--no-figures", action="store_true", help="write the tables only")
    args = parser.parse_args(argv)
    try:
        done = report(args.dir, figures=not args.no_figures)
    except FileNotFoundError as error:
        print(f"tariffsim-report: {error}", file=sys.stderr)
        return 2
    swept = ", ".join(done["swept"]) or "nothing"
    print(f"{done['jobs']} jobs, swept: {swept}; {done['rows']} rows")
    for path in done["files"]:
        print(f"  wrote {path}")
    for path in done["failed"]:
        print(f"  failed job (not in the tables): {path}/error.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
