"""What ``tariffsim-report`` reads: the jobs of a run or multirun directory, checked before use.

Every problem with the input (a path that is not a directory, an unfinished or failed job, a
damaged ``runs.parquet``, an ``overrides.yaml`` that is not a list of overrides) becomes a
:class:`ReportError` naming the file and what to do, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser

from sim.io.files import NULLABLE_INT_COLUMNS, pandas_nullable_ints
from sim.io.jobs import ERROR, EXECUTION_KEYS, SUMMARY, read_json, sweep_status

NOT_SWEPT = (*EXECUTION_KEYS, "figures", "sweep")  # how a job ran, not what it computed
SWEPT_PREFIX = "swept."  # a swept key that is also a column of runs.parquet (``seed``) gets this prefix
# The columns of runs.parquet that the summary table, the report figures and the HTML report read.
STUDY_COLUMNS = ("run_id", "partner", "deal", "deal_date", "deal_day", "final_tariff", "final_deadline")
_RESULT_FILES = (".hydra", "runs.parquet", "timeseries.parquet", "events.parquet", SUMMARY, ERROR)


class ReportError(Exception):
    """A study that cannot be reported: the message names the file and what to do."""


class PartialStudy(ReportError):
    """Some jobs of the sweep failed or are unfinished (``--allow-partial`` reports the others)."""


@dataclass(frozen=True)
class Jobs:
    """The job directories under a run or multirun directory, by state.

    Attributes:
        complete: Jobs with a readable ``summary.json`` and ``runs.parquet`` (``[root]`` for a run).
        failed: Jobs that left ``error.json``.
        unfinished: Jobs without a readable ``summary.json`` and ``runs.parquet``, and why.
    """

    complete: list[Path]
    failed: list[Path]
    unfinished: list[tuple[Path, str]]

    def problems(self) -> list[str]:
        """One line per failed or unfinished job."""
        lines = []
        for job in self.failed:
            error = read_json(job / ERROR) or {}
            message = " ".join(str(error.get("message", "")).split())[:200]
            lines.append(f"  failed: {job} ({error.get('error', 'error')}: {message}; see {job / ERROR})")
        lines += [f"  unfinished: {job} ({why})" for job, why in self.unfinished]
        return lines


def _checked_root(root: Path) -> Path:
    if not root.exists():
        raise ReportError(f"{root} does not exist. Give the directory a run or a sweep wrote "
                          "(its hydra.run.dir or hydra.sweep.dir), e.g. tariffsim-report multirun/2025-07-01/12-00-00.")
    if not root.is_dir():
        hint = f" Give the directory that holds it: tariffsim-report {root.parent}." if root.suffix else ""
        raise ReportError(f"{root} is a file, not a run or sweep directory.{hint}")
    return root


def _unfinished_why(job: Path) -> str:
    if not (job / SUMMARY).is_file():
        return f"no {SUMMARY}: killed or still running"
    return f"{SUMMARY} is not readable JSON" if read_json(job / SUMMARY) is None else f"{SUMMARY} but no runs.parquet"


def find_jobs(root: Path) -> Jobs:
    """The jobs under ``root`` by state (``root`` itself when it holds ``runs.parquet``).

    Raises:
        ReportError: ``root`` is missing, a file, unreadable, or holds no job at all.
    """
    root = _checked_root(Path(root))
    try:
        if (root / "runs.parquet").exists() or (root / SUMMARY).exists():
            done = read_json(root / SUMMARY) is not None and (root / "runs.parquet").is_file()
            return Jobs([root] if done else [], [], [] if done else [(root, _unfinished_why(root))])
        status = sweep_status(root)
    except PermissionError as error:
        raise ReportError(f"{error.filename or root} cannot be read (permission denied); tariffsim-report "
                          "needs to read every job's files: check the permissions of the directory.") from None
    complete = [job for job in status["done"] if (job / "runs.parquet").is_file()]
    unfinished = [(job, _unfinished_why(job)) for job in status["done"] if job not in complete]
    # Only folders with a job's traces (its report's own figures/ is not one), or named as Hydra numbers jobs.
    unfinished += [(job, _unfinished_why(job)) for job in status["incomplete"]
                   if job.name.isdigit() or any((job / name).exists() for name in _RESULT_FILES)
                   or any(job.glob(".*.tmp"))]
    jobs = Jobs(complete, status["failed"], unfinished)
    if not complete and not jobs.failed and not unfinished:
        raise ReportError(f"{root} holds no run: no runs.parquet and no job directory below it. Give the directory "
                          "tariffsim wrote (hydra.run.dir for a run, hydra.sweep.dir for a sweep).")
    return jobs


def read_overrides(job: Path) -> list[str]:
    """The task overrides saved in ``job/.hydra/overrides.yaml`` (none when the file is absent).

    Raises:
        ReportError: the file is not a YAML list of ``key=value`` strings.
    """
    path = job / ".hydra" / "overrides.yaml"
    if not path.is_file():
        return []
    what = ("it should be the list of overrides Hydra saved for the job (lines such as '- seed=1'); "
            "restore it (re-run the job into a new directory) or move the job out of the sweep")
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problem = " ".join(str(error).split())[:160]
        raise ReportError(f"{path} cannot be read ({problem}): {what}.") from None
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ReportError(f"{path} is not a list of overrides: {what}.")
    return items


def job_values(job: Path) -> dict[str, Any]:
    """The overrides a job ran with, as ``{dotted key: typed value}``.

    Raises:
        ReportError: ``overrides.yaml`` is unreadable or holds something that is not an override.
    """
    values: dict[str, Any] = {}
    parser = OverridesParser.create()
    for text in read_overrides(job):
        try:
            override = parser.parse_override(text)
            value, key = override.value(), override.key_or_group
        except Exception:  # noqa: BLE001 - Hydra raises several types; each means "not an override"
            raise ReportError(f"{job / '.hydra' / 'overrides.yaml'}: {text!r} is not a Hydra override "
                              "(key=value). Restore the file (re-run the job into a new directory) or move "
                              "the job out of the sweep.") from None
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


def column_name(key: str, taken: Sequence[str]) -> str:
    """The study table's column for swept ``key``: the key itself, or ``swept.<key>`` where the key is
    also a column of runs.parquet (a swept top-level ``seed`` beside each replication's ``seed``)."""
    return f"{SWEPT_PREFIX}{key}" if key in taken or key == "job" else key


def read_schema(path: Path) -> pa.Schema:
    """The schema of the Parquet file ``path`` (a ``ReportError`` if it is damaged or not Parquet)."""
    try:
        return pq.read_schema(path)
    except (OSError, pa.ArrowException) as error:
        raise damaged(path, error) from None


def damaged(path: Path, error: BaseException) -> ReportError:
    """The error for a result file that cannot be read."""
    problem = " ".join(str(error).split())[:160]
    job = path.parent
    return ReportError(f"{path} cannot be read as Parquet ({problem}): the file is damaged or was cut short. "
                       f"Re-run that job (delete {job} and run the same tariffsim command again), or move it "
                       "out of the sweep and pass --allow-partial.")


@dataclass(frozen=True)
class Study:
    """The complete jobs under a run or multirun directory, and the columns in front of their runs.

    Attributes:
        root: The run or multirun directory.
        jobs: Complete job directories (``[root]`` for a single run).
        found: Every job found, complete or not.
        values: Each complete job's overrides, as ``{dotted key: typed value}``.
        swept: The swept dotted keys, in order of first appearance.
        front: ``job`` and one column per swept key (``column_name``), typed to hold the key's value
            in every job.
        runs: Every column of any job's runs.parquet, typed as in the first job that has it (a job
            without a column, written by another version, gets nulls in it).
    """

    root: Path
    jobs: list[Path]
    found: Jobs
    values: list[dict[str, Any]]
    swept: list[str]
    front: pa.Schema
    runs: pa.Schema

    @property
    def keys(self) -> list[str]:
        """The swept columns of the study table, in order of first appearance."""
        return self.front.names[1:]

    def schema(self, columns: Sequence[str] | None = None) -> pa.Schema:
        """The study table's columns: ``front``, then ``columns`` of runs.parquet (default: all)."""
        fields = [*self.front, *(self.runs.field(name) for name in columns or self.runs.names)]
        return pandas_nullable_ints(pa.schema(fields), NULLABLE_INT_COLUMNS)

    def front_values(self, index: int) -> list[pa.Scalar]:
        """The ``index``-th job's ``front`` values: its name ("." for a single run), its swept values."""
        job, values = self.jobs[index], self.values[index]
        cells = [job.name if job != self.root else "."] + [values.get(key) for key in self.swept]
        return [pa.scalar(_cell(cell, field.type), field.type) for cell, field in zip(cells, self.front)]

    def batches(self, index: int, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
        """The ``index``-th job's runs.parquet in batches of rows, with the columns of ``schema``
        (a ``ReportError`` if the file cannot be read)."""
        front = self.front_values(index)
        path = self.jobs[index] / "runs.parquet"
        try:
            with pq.ParquetFile(path) as file:
                for batch in file.iter_batches(columns=[n for n in schema.names[len(front):]
                                                        if n in file.schema_arrow.names]):
                    yield _behind(front, batch, schema)
        except (OSError, pa.ArrowException) as error:
            raise damaged(path, error) from None


def _behind(front: list[pa.Scalar], batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """``batch`` behind a job's ``front`` values, as ``schema``: nulls in the columns the job lacks."""
    rows = batch.num_rows
    columns = [pa.repeat(cell, rows) for cell in front]
    columns += [batch.column(field.name) if field.name in batch.schema.names else pa.nulls(rows, field.type)
                for field in list(schema)[len(front):]]
    return pa.RecordBatch.from_arrays(columns, schema=schema.remove_metadata()).cast(schema)


def _cell(value: Any, column: pa.DataType) -> Any:
    """``value`` as its column holds it: written out in a string column."""
    return str(value) if value is not None and column == pa.string() else value


def find_study(root: Path, allow_partial: bool = False) -> Study:
    """The study under ``root``: its complete jobs, their values, the swept keys, the columns.

    Args:
        root: A run directory or a multirun directory.
        allow_partial: Report the complete jobs of a sweep in which others failed or are unfinished.

    Raises:
        PartialStudy: some jobs failed or are unfinished, and ``allow_partial`` is false.
        ReportError: no complete job, or a file that cannot be read.
    """
    root = Path(root)
    found = find_jobs(root)
    if (found.failed or found.unfinished) and (not allow_partial or not found.complete):
        count = len(found.failed) + len(found.unfinished)
        action = (f"re-run the same tariffsim command (same hydra.sweep.dir) to finish them: complete jobs are "
                  f"skipped; or pass --allow-partial to report the {len(found.complete)} complete jobs only"
                  if found.complete else "re-run the same tariffsim command to finish them")
        raise PartialStudy("\n".join([f"{root}: {count} of {count + len(found.complete)} jobs are not complete; "
                                      f"{action}.", *found.problems()]))
    values = [job_values(job) for job in found.complete]
    runs = _runs_schema(found.complete)
    swept = swept_keys(values)
    front = [pa.field("job", pa.string())] + [
        pa.field(column_name(key, runs.names), swept_type([job.get(key) for job in values])) for key in swept]
    return Study(root, found.complete, found, values, swept, pa.schema(front), runs)


def _runs_schema(jobs: list[Path]) -> pa.Schema:
    """Every column of the jobs' runs.parquet, in order of first appearance, typed as it first appears."""
    fields: dict[str, pa.Field] = {}
    for job in jobs:
        schema = read_schema(job / "runs.parquet")
        missing = [name for name in STUDY_COLUMNS if name not in schema.names]
        if missing:
            raise ReportError(f"{job / 'runs.parquet'} lacks the columns {', '.join(missing)}: it is not the runs "
                              "table tariffsim writes (docs/results.md). Re-run that job, or move it out of the sweep.")
        for field in schema:
            fields.setdefault(field.name, field)
    return pa.schema(list(fields.values()))
