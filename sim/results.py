"""Tidy result tables (documented in docs/results.md), built from finished models and written
atomically: a file in a run directory is complete or absent, never half-written."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.core.issues import ISSUES
from sim.model.agents import ROW_COLUMNS, PartnerAgent
from sim.model.events import EventKind
from sim.model.model import TariffModel

EPOCH = dt.date(1970, 1, 1)
DATE_COLUMNS = {"date", "deal_date", "final_deadline", "deadline"}
RUN_COLUMNS = (
    "run_id", "seed", "partner", "deal", "deal_date", "deal_day", "effective_day", "final_tariff", "final_autos", "final_steel",
    *(f"agreed_{name}" for name in ISSUES), "letter", "extended_deadline", "final_deadline",
    "ratification_failures", "us_utility", "partner_utility", "us_reservation", "partner_reservation",
)
TIMESERIES_COLUMNS = ("run_id", "seed", "day", "date", "partner", *ROW_COLUMNS, "market_stress", "deadline")
EVENT_COLUMNS = ("run_id", "seed", "day", "date", "kind", "actor", "target", "detail")
NULLABLE_INT_COLUMNS = ("deal_day", "effective_day")  # integers with nulls: pandas reads them as Int64, not float


class TableBuilder:
    """Accumulates the rows of many replications; builds the three tables once at the end."""

    def __init__(self) -> None:
        self.runs: list[tuple] = []
        self.timeseries: list[tuple] = []
        self.events: list[tuple] = []

    def add(self, model: TariffModel, run_id: int) -> None:
        """Take the records of a finished ``model`` (replication ``run_id``)."""
        seed, start_days = model.seed, (model.scenario.start - EPOCH).days
        self.runs.extend(run_rows(model, run_id))
        codes = [p.code for p in model.partners]
        for day, (stress, deadline, *rows) in enumerate(model.datacollector.model_vars["day"]):
            date, deadline_date = start_days + day, start_days + deadline
            for code, row in zip(codes, rows):
                self.timeseries.append((run_id, seed, day, date, code, *row, stress, deadline_date))
        for day, kind, actor, target, detail in model.log.rows:
            self.events.append((run_id, seed, day, start_days + day, kind.value, actor, target, detail))

    def tables(self) -> dict[str, pa.Table]:
        """The three tables, with the documented column types."""
        events = [(*row[:7], row[7]() if callable(row[7]) else row[7]) for row in self.events]
        return {
            "runs": _table(RUN_COLUMNS, self.runs),
            "timeseries": _table(TIMESERIES_COLUMNS, self.timeseries),
            "events": _table(EVENT_COLUMNS, events),
        }


def run_rows(model: TariffModel, run_id: int) -> list[tuple]:
    """The ``runs.parquet`` rows of a finished ``model``, one per partner, in ``RUN_COLUMNS`` order."""
    start_days = (model.scenario.start - EPOCH).days
    letters = {row[3] for row in model.log.rows if row[1] in (EventKind.LETTER, EventKind.LETTER_RATES_IMPOSED)}
    final_deadline = start_days + model.deadline_day
    return [_run_row(partner, run_id, model.seed, start_days, final_deadline, partner.code in letters,
                     model.extensions > 0) for partner in model.partners]


def _run_row(partner: PartnerAgent, run_id: int, seed: int, start_days: int, final_deadline: int,
             letter: bool, extended: bool) -> tuple:
    talks = partner.talks
    agreed = talks.agreed()
    deal = talks.deal
    nan = float("nan")
    in_force = talks.in_force
    return (
        run_id, seed, partner.code, deal is not None,
        None if deal is None else start_days + talks.deal_day, talks.deal_day, talks.effective_day,
        in_force["reciprocal"], nan if in_force["autos"] is None else in_force["autos"],
        nan if in_force["steel"] is None else in_force["steel"],
        *(agreed.get(name, nan) for name in ISSUES), letter, extended, final_deadline,
        partner.ratification_failures,
        nan if deal is None else deal.us_utility, nan if deal is None else deal.partner_utility,
        partner.us_reservation, partner.partner_reservation,
    )


def _table(columns: tuple[str, ...], rows: list[tuple]) -> pa.Table:
    data = list(zip(*rows)) if rows else [()] * len(columns)
    arrays = {}
    for name, values in zip(columns, data):
        if name in DATE_COLUMNS:
            arrays[name] = pa.array(values, type=pa.int32()).cast(pa.date32())
        elif name in NULLABLE_INT_COLUMNS:
            arrays[name] = pa.array(values, type=pa.int64())
        elif name in ("run_id", "seed", "day", "ratification_failures"):
            arrays[name] = pa.array(np.asarray(values, dtype=np.int64))
        elif name in ("partner", "status", "kind", "actor", "target", "detail"):
            arrays[name] = pa.array(values, type=pa.string())
        elif name in ("deal", "letter", "extended_deadline"):
            arrays[name] = pa.array(values, type=pa.bool_())
        else:
            arrays[name] = pa.array(np.asarray(values, dtype=np.float64))
    table = pa.table(arrays)
    return table.replace_schema_metadata(pandas_nullable_ints(table.schema, NULLABLE_INT_COLUMNS).metadata)


def pandas_nullable_ints(schema: pa.Schema, columns: tuple[str, ...]) -> pa.Schema:
    """``schema`` with pandas metadata that makes ``pd.read_parquet`` read ``columns`` as ``Int64``
    (nullable integers; without it pandas turns an integer column with nulls into floats)."""
    present = [name for name in columns if name in schema.names]
    if not present:
        return schema
    described = [{"name": name, "field_name": name, "pandas_type": "int64", "numpy_type": "Int64",
                  "metadata": None} for name in present]
    pandas = {"index_columns": [], "column_indexes": [], "columns": described, "pandas_version": pd.__version__}
    return schema.with_metadata({b"pandas": json.dumps(pandas).encode()})


SUMMARY_COLUMNS = ("partner", "deal", "deal_date", "final_tariff")  # what ``summarise`` reads


def summarise(runs: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per partner: deal probability, median deal date, median final tariff (``SUMMARY_COLUMNS``)."""
    out = {}
    for code, group in runs.groupby("partner", sort=False):
        deals = group.loc[group["deal"], "deal_date"]
        median_date = None
        if len(deals):
            ordinals = sorted(d.toordinal() for d in deals)
            median_date = dt.date.fromordinal(ordinals[(len(ordinals) - 1) // 2]).isoformat()
        out[str(code)] = {
            "deal_probability": round(float(group["deal"].mean()), 4),
            "median_deal_date": median_date,
            "median_final_tariff": round(float(group["final_tariff"].median()), 2),
        }
    return out


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(tmp)`` on a temporary name in the same folder, then rename."""
    tmp = temporary_beside(path)
    try:
        write(tmp)
        publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def temporary_beside(path: Path) -> Path:
    """A new empty file ``.<name>.<random>.tmp`` in ``path``'s folder (which is created if need be);
    ``sim.jobs.clean`` removes such leftovers of an interrupted job."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def publish(tmp: Path, path: Path) -> None:
    """Give the complete temporary file ``tmp`` its final name ``path`` (one atomic rename)."""
    os.chmod(tmp, 0o644)  # mkstemp makes it private; results are for everyone to read
    os.replace(tmp, path)


class TableFiles:
    """Streams tables into ``<name>.parquet`` files, chunk by chunk; a context manager.

    Each chunk of tables is appended to temporary files in ``run_dir`` (one Parquet row group
    per chunk) and dropped from memory. Leaving the ``with`` block normally renames every file
    to its final name; leaving it on an exception deletes them: a run directory never holds a
    half-written result file. (Only a SIGKILL leaves the hidden ``.<name>.parquet.*.tmp`` files;
    ``sim.jobs.clean`` removes them when the job is run again.)

    Example:
        >>> with TableFiles(run_dir) as files:                            # doctest: +SKIP
        ...     for tables in pool.map_chunks(scenario, seeds):
        ...         files.write(tables)
    """

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self._writers: dict[str, tuple[pq.ParquetWriter, Path]] = {}

    def __enter__(self) -> TableFiles:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        writers, self._writers = self._writers, {}
        try:
            for writer, _ in writers.values():
                writer.close()
            if exc_type is None:
                for name, (_, tmp) in writers.items():
                    publish(tmp, self._path(name))
        finally:
            for _, tmp in writers.values():
                tmp.unlink(missing_ok=True)

    def write(self, tables: dict[str, pa.Table]) -> None:
        """Append one chunk of each table (same names and schemas for every chunk)."""
        for name, table in tables.items():
            if name not in self._writers:
                self._writers[name] = self._open(name, table.schema)
            self._writers[name][0].write_table(table)

    def _path(self, name: str) -> Path:
        return self.run_dir / f"{name}.parquet"

    def _open(self, name: str, schema: pa.Schema) -> tuple[pq.ParquetWriter, Path]:
        tmp = temporary_beside(self._path(name))
        try:
            return pq.ParquetWriter(tmp, schema), tmp
        except BaseException:
            tmp.unlink(missing_ok=True)  # not yet in ``_writers``: ``__exit__`` would not see it
            raise


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON, atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2) + "\n"))
