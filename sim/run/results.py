"""Tidy result tables (documented in docs/results.md), built from finished models.

Writing them (atomically, chunk by chunk) is ``sim.io.files``'s job, which imports no model."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.config.scenario import Scenario
from sim.core.issues import us_lines
from sim.io.files import NULLABLE_INT_COLUMNS, pandas_nullable_ints
from sim.model.agents import PartnerAgent, row_columns
from sim.model.events import EventKind
from sim.model.model import TariffModel

EPOCH = dt.date(1970, 1, 1)
DATE_COLUMNS = {"date", "deal_date", "final_deadline", "deadline"}
EVENT_COLUMNS = ("run_id", "seed", "day", "date", "kind", "actor", "target", "detail")
# The first columns of ``runs.parquet``, the same for every scenario (``run_columns``).
LEADING_RUN_COLUMNS = ("run_id", "seed", "partner", "deal", "deal_date", "deal_day", "effective_day", "final_tariff")


def run_columns(scenario: Scenario) -> tuple[str, ...]:
    """The columns of ``runs.parquet`` for ``scenario``: ``final_tariff`` is its headline US line
    at the horizon, ``final_<line>`` each sector line, ``agreed_<issue>`` each issue it declares
    (``scenario.issues``), in order."""
    sectors = us_lines(scenario.issues)[1:]
    return (
        *LEADING_RUN_COLUMNS, *(f"final_{line}" for line in sectors), "final_counter_tariff",
        *(f"agreed_{name}" for name in scenario.issues), "agreed_counter_tariff", "letter", "extended_deadline",
        "final_deadline", "ratification_failures", "us_utility", "partner_utility", "us_reservation", "partner_reservation",
    )


def timeseries_columns(scenario: Scenario) -> tuple[str, ...]:
    """The columns of ``timeseries.parquet`` for ``scenario`` (``row_columns`` of its US lines)."""
    return ("run_id", "seed", "day", "date", "partner", *row_columns(us_lines(scenario.issues)), "market_stress", "deadline")


class TableBuilder:
    """Accumulates the rows of many replications of ``scenario``; builds the three tables once at the end."""

    def __init__(self, scenario: Scenario) -> None:
        self.columns = {"runs": run_columns(scenario), "timeseries": timeseries_columns(scenario), "events": EVENT_COLUMNS}
        self.runs: list[tuple] = []
        self.timeseries: list[tuple] = []
        self.events: list[tuple] = []

    def add(self, model: TariffModel, run_id: int) -> None:
        """Take the records of a finished ``model`` (replication ``run_id``)."""
        seed, start_days = model.seed, (model.scenario.start - EPOCH).days
        self.runs.extend(run_rows(model, run_id))
        codes = [p.code for p in model.partners]
        for day, (stress, deadlines, *rows) in enumerate(model.datacollector.model_vars["day"]):
            date = start_days + day
            if not isinstance(deadlines, tuple):  # one deadline shared by every table
                deadlines = (deadlines,) * len(codes)
            for code, deadline, row in zip(codes, deadlines, rows):
                self.timeseries.append((run_id, seed, day, date, code, *row, stress, start_days + deadline))
        for day, kind, actor, target, detail in model.log.rows:
            self.events.append((run_id, seed, day, start_days + day, kind.value, actor, target, detail))

    def tables(self) -> dict[str, pa.Table]:
        """The three tables, with the documented column types."""
        events = [(*row[:7], row[7]() if callable(row[7]) else row[7]) for row in self.events]
        return {
            "runs": _table(self.columns["runs"], self.runs),
            "timeseries": _table(self.columns["timeseries"], self.timeseries),
            "events": _table(EVENT_COLUMNS, events),
        }


def run_rows(model: TariffModel, run_id: int) -> list[tuple]:
    """The ``runs.parquet`` rows of a finished ``model``, one per partner, in ``run_columns`` order."""
    start_days = (model.scenario.start - EPOCH).days
    issues = tuple(model.scenario.issues)
    letters = {row[3] for row in model.log.rows if row[1] in (EventKind.LETTER, EventKind.LETTER_RATES_IMPOSED)}
    return [_run_row(partner, issues, run_id, model.seed, start_days, start_days + partner.clock.day, partner.code in letters,
                     partner.clock.extensions > 0) for partner in model.partners]


def _run_row(partner: PartnerAgent, issues: tuple[str, ...], run_id: int, seed: int, start_days: int,
             final_deadline: int, letter: bool, extended: bool) -> tuple:
    talks = partner.talks
    agreed = talks.agreed()
    deal = talks.deal
    nan = float("nan")
    counter = partner.counter
    return (
        run_id, seed, partner.code, deal is not None,
        None if deal is None else start_days + talks.deal_day, talks.deal_day, talks.effective_day,
        *talks.in_force_record,
        nan if counter is None else counter.rate,
        *(agreed.get(name, nan) for name in issues), nan if counter is None else counter.deal_rate,
        letter, extended, final_deadline,
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


SUMMARY_COLUMNS = ("partner", "deal", "deal_date", "final_tariff", "final_counter_tariff")  # what ``summarise`` reads


def summarise(runs: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per partner: deal probability, median deal date, median final tariff (``SUMMARY_COLUMNS``),
    and, for a partner with a counter-tariff, its median at the horizon (``median_final_counter_tariff``;
    absent for partners without one, and for tables written before the column existed)."""
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
        counter = group["final_counter_tariff"].dropna() if "final_counter_tariff" in group else ()
        if len(counter):
            out[str(code)]["median_final_counter_tariff"] = round(float(counter.median()), 2)
    return out
