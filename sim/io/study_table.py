"""The study tables of a run or a multirun directory, from its files alone: every job's runs in one
table (the swept values as columns) and one summary row per job x partner.

``sim.apps.report`` (the ``tariffsim-report`` command) writes them; the HTML report, the figures and the
sensitivity study read them through these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.io.files import atomic_write
from sim.io.jobs import read_json
from sim.io.report_inputs import STUDY_COLUMNS, Study, find_study

Writer = Callable[[Path, Callable[[Path], None]], None]  # atomic_write, or Staged.write


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
    return list(first_summary(study).get("partners") or {})


def first_summary(study: Study) -> dict[str, Any]:
    """The first job's ``summary.json`` (empty if unreadable): its ``partners`` block lists the partners in
    the scenario's order, with their names and colours."""
    return read_json(study.jobs[0] / "summary.json") or {}


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
