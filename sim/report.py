"""``tariffsim-report DIR``: one table and the summary figures of a run or a multirun directory.

Reads only the files the jobs wrote (``runs.parquet``, ``summary.json`` and
``.hydra/overrides.yaml`` of each job); re-runs nothing. Writes, atomically, into ``DIR``:

- ``study_runs.parquet``: one row per job x replication x partner, the swept values as columns
  (named by their dotted keys), then every column of ``runs.parquet``;
- ``study_summary.parquet``: one row per job x partner: replications, deals, deal probability
  (with a 95% Wilson interval), median deal day and date, median final tariff;
- ``figures/study_*.png``: deal probability and median deal date per partner against each swept value.

``study_runs.parquet`` is written job by job, a batch of rows at a time: of the jobs' runs, only
the few columns the summary and the figures read (``STUDY_COLUMNS``) are held in memory.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
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
# The columns of runs.parquet that the summary table, the report figures and the HTML report read.
STUDY_COLUMNS = ("run_id", "partner", "deal", "deal_date", "deal_day", "final_tariff", "final_deadline")


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


def swept_type(values: list[Any]) -> pa.DataType:
    """The one column type that holds a swept key's value in every job (None: a job without it).

    Integers with floats make a float column; any other mix of types a string column.
    """
    kinds = {type(value) for value in values if value is not None}
    for allowed, column in (({bool}, pa.bool_()), ({int}, pa.int64()), ({int, float}, pa.float64())):
        if kinds <= allowed:
            return column
    return pa.string()


@dataclass(frozen=True)
class Study:
    """The complete jobs under a run or multirun directory, and the columns in front of their runs.

    Attributes:
        root: The run or multirun directory.
        jobs: Complete job directories (``[root]`` for a single run).
        failed: Job directories that failed.
        values: Each job's overrides, as ``{dotted key: typed value}``.
        front: ``job`` and one column per swept key, typed to hold the key's value in every job.
        runs: Every column of any job's runs.parquet, typed as in the first job that has it (a job
            without a column, written by another version, gets nulls in it).
    """

    root: Path
    jobs: list[Path]
    failed: list[Path]
    values: list[dict[str, Any]]
    front: pa.Schema
    runs: pa.Schema

    @property
    def keys(self) -> list[str]:
        """The swept keys, in order of first appearance."""
        return self.front.names[1:]

    def schema(self, columns: Sequence[str] | None = None) -> pa.Schema:
        """The study table's columns: ``front``, then ``columns`` of runs.parquet (default: all)."""
        return pa.schema([*self.front, *(self.runs.field(name) for name in columns or self.runs.names)])

    def front_values(self, index: int) -> list[pa.Scalar]:
        """The ``index``-th job's ``front`` values: its name ("." for a single run), its swept values."""
        job, values = self.jobs[index], self.values[index]
        cells = [job.name if job != self.root else "."] + [values.get(key) for key in self.keys]
        return [pa.scalar(_cell(cell, field.type), field.type) for cell, field in zip(cells, self.front)]

    def batches(self, index: int, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
        """The ``index``-th job's runs.parquet in batches of rows, with the columns of ``schema``.

        Args:
            index: The job's place in ``jobs``.
            schema: ``front``, then the runs.parquet columns wanted (see ``Study.schema``).
        """
        front = self.front_values(index)
        with pq.ParquetFile(self.jobs[index] / "runs.parquet") as file:
            for batch in file.iter_batches(columns=schema.names[len(front):]):
                yield _behind(front, batch, schema)


def _behind(front: list[pa.Scalar], batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """``batch`` behind a job's ``front`` values, as ``schema``: nulls in the columns the job lacks."""
    rows = batch.num_rows
    columns = [pa.repeat(cell, rows) for cell in front]
    columns += [batch.column(field.name) if field.name in batch.schema.names else pa.nulls(rows, field.type)
                for field in list(schema)[len(front):]]
    return pa.RecordBatch.from_arrays(columns, names=schema.names).cast(schema)


def _cell(value: Any, column: pa.DataType) -> Any:
    """``value`` as its column holds it: written out in a string column."""
    return str(value) if value is not None and column == pa.string() else value


def find_study(root: Path) -> Study:
    """The study under ``root``: its complete and failed jobs, their values, the swept keys.

    Raises:
        FileNotFoundError: no complete job under ``root``.
    """
    root = Path(root)
    jobs, failed = job_dirs(root)
    if not jobs:
        raise FileNotFoundError(f"{root}: no runs.parquet and no complete job directory below it")
    values = [job_values(job) for job in jobs]
    front = [pa.field("job", pa.string())] + [
        pa.field(key, swept_type([job.get(key) for job in values])) for key in swept_keys(values)]
    return Study(root, jobs, failed, values, pa.schema(front), _runs_schema(jobs))


def _runs_schema(jobs: list[Path]) -> pa.Schema:
    """Every column of the jobs' runs.parquet, in order of first appearance, typed as it first appears."""
    fields: dict[str, pa.Field] = {}
    for job in jobs:
        for field in pq.read_schema(job / "runs.parquet"):
            fields.setdefault(field.name, field)
    return pa.schema(list(fields.values()))


def study_runs(root: Path, columns: Sequence[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The combined runs table of every complete job under ``root`` and the swept keys.

    Args:
        root: A run directory or a multirun directory.
        columns: The columns of runs.parquet to take (default: all), after ``job`` and the swept keys.

    Raises:
        FileNotFoundError: no complete job under ``root``.
    """
    study = find_study(root)
    schema = study.schema(columns)
    frames = [pa.Table.from_batches(study.batches(index, schema), schema).to_pandas()
              for index in range(len(study.jobs))]
    return pd.concat(frames, ignore_index=True), study.keys


def write_study_runs(study: Study, path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write every job's runs, the swept values in front, as one Parquet file at ``path``, atomically.

    Written job by job, a batch of rows at a time; only the ``STUDY_COLUMNS`` of each job are kept.

    Returns:
        The study's runs table with ``job``, the swept keys and ``STUDY_COLUMNS`` only, and its
        summary (``study_summary``), computed job by job.
    """
    schema = study.schema()
    kept = study.schema(STUDY_COLUMNS)
    frames: list[pd.DataFrame] = []

    def write(tmp: Path) -> None:
        with pq.ParquetWriter(tmp, schema) as writer:
            for index in range(len(study.jobs)):
                batches = []
                for batch in study.batches(index, schema):
                    writer.write_batch(batch)
                    batches.append(batch.select(kept.names))
                frames.append(pa.Table.from_batches(batches, kept).to_pandas())

    atomic_write(path, write)
    summaries = [study_summary(frame, study.keys) for frame in frames]
    return pd.concat(frames, ignore_index=True), pd.concat(summaries, ignore_index=True)


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
    study = find_study(root)
    files = [root / "study_runs.parquet", root / "study_summary.parquet"]
    runs, summary = write_study_runs(study, files[0])
    write_table(files[1], summary)
    if figures:
        from sim.report_figures import write_report_figures  # matplotlib only when asked for

        files += write_report_figures(root, runs, study.keys)
        from sim.html_report import write_html_report  # one self-contained page, figures embedded

        files.append(write_html_report(root, (runs, study.keys)))
    return {"jobs": len(study.jobs), "failed": [str(p) for p in study.failed], "swept": study.keys,
            "rows": len(runs), "files": [str(p) for p in files]}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tariffsim-report``."""
    parser = argparse.ArgumentParser(prog="tariffsim-report", description="One table and the summary figures of a run or a multirun directory.")
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
