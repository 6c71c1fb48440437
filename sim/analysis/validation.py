"""Scores of a run's forecasts against observed outcomes, beside naive forecasts (docs/validation.md).

Reads a run directory's ``runs.parquet`` and ``summary.json`` and an observed-outcomes file
(:mod:`sim.config.observed`); computes, with the ``scoringrules`` library:

- for each "deal with a partner by a check date" whose outcome the file knows, and for each
  event a run records (the deadline extended; a letter to a partner, scored only when the file
  covers the run's whole horizon): the Brier and log score of the model's probability (the share
  of replications in which it happened) and of two naive forecasts, 50/50 and the base rate;
- for each observed deal date, effective date and agreed rate: the CRPS of the model's ensemble
  (one member per replication), whether the observation lies in its central 50% and 90% intervals,
  and the CRPS of a naive point forecast (the original deadline for dates, the status quo of
  cut-off for rates, the observed file's ``status_quo``).

A replication without a deal counts as a deal the day after the horizon (``end`` + 1) in the
ensembles of deal and effective days, so that "no deal in the horizon" is a forecast too; a
partner with no deal through the end of the horizon is observed there. Rates are scored over the
replications with a deal only.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scoringrules as sr

import pyarrow.parquet as pq

from sim.config.observed import Observed

__all__ = ["ValidationInputError", "Run", "read_run", "score", "summarise", "check_against_run"]

RUN_COLUMNS = ["run_id", "partner", "deal", "deal_day", "effective_day", "letter", "extended_deadline"]
LOG_FLOOR = 0.5  # a share of 0 or 1 of n replications is scored as 0.5/n or 1 - 0.5/n in the log score


class ValidationInputError(Exception):
    """A run directory or an observed-outcomes file that cannot be scored; the message says why."""


@dataclass(frozen=True)
class Run:
    """What the scores read of a run: its rows and its dates."""

    runs: pd.DataFrame
    start: dt.date
    end: dt.date
    deadline: dt.date
    partners: list[str]

    @property
    def replications(self) -> int:
        return int(self.runs["run_id"].nunique())

    def day(self, date: dt.date) -> int:
        """Days since the start of the horizon."""
        return (date - self.start).days


def read_run(run_dir: Path) -> Run:
    """Read ``runs.parquet`` and ``summary.json`` of a run directory.

    Raises:
        ValidationInputError: the directory is missing, is not a run directory, or its files are damaged.
    """
    run_dir = Path(run_dir)
    if not run_dir.exists():
        raise ValidationInputError(f"{run_dir} does not exist; give the directory a tariffsim run wrote "
                                   f"(its hydra.run.dir), e.g. results/base")
    if not run_dir.is_dir():
        raise ValidationInputError(f"{run_dir} is a file, not a run directory")
    missing = [name for name in ("runs.parquet", "summary.json") if not (run_dir / name).is_file()]
    if missing:
        raise ValidationInputError(f"{run_dir} is not a run directory: no {' or '.join(missing)} (a finished "
                                   f"tariffsim run writes both; a sweep's jobs are its numbered subdirectories)")
    try:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
        start, end, deadline = (dt.date.fromisoformat(summary[key]) for key in ("start", "end", "deadline"))
        agreed = [name for name in pq.read_schema(run_dir / "runs.parquet").names if name.startswith("agreed_")]
        runs = pd.read_parquet(run_dir / "runs.parquet", columns=RUN_COLUMNS + agreed)
    except (ValueError, KeyError, TypeError, OSError) as error:
        raise ValidationInputError(f"{run_dir}: summary.json or runs.parquet cannot be read ({error}); "
                                   f"run tariffsim again into this directory") from None
    present = list(dict.fromkeys(runs["partner"]))
    ordered = [code for code in summary.get("partners", {}) if code in present]  # the scenario's order
    partners = ordered + [code for code in present if code not in ordered]
    return Run(runs, start, end, deadline, partners)


def check_against_run(observed: Observed, run: Run, where: str) -> None:
    """Refuse a file that names a partner the run lacks, or a date outside the run's horizon.

    Raises:
        ValidationInputError: one line naming the item, the value and what is allowed.
    """
    unknown = sorted(observed.partners() - set(run.partners))
    if unknown:
        raise ValidationInputError(f"{where}: partner {unknown[0]} is not in the run; its partners are "
                                   f"{', '.join(run.partners)}")
    dated = ([(f"deals[{d.partner}].announced", d.announced) for d in observed.deals]
             + [(f"deals[{d.partner}].effective", d.effective) for d in observed.deals if d.effective]
             + [(f"no_deals[{n.partner}].through", n.through) for n in observed.no_deals]
             + [(f"events[{e.kind} {e.date}]", e.date) for e in observed.events if e.kind != "precedent"]
             + [("check_dates", c) for c in observed.check_dates])
    lines = sorted({line for d in observed.deals for line in d.rates if f"agreed_{line}" not in run.runs.columns})
    if lines:
        raise ValidationInputError(f"{where}: deals give rates for {', '.join(lines)}, which the run's scenario does not "
                                   "declare (scenario.issues; its runs.parquet has agreed_<issue> for each issue it declares)")
    for key, day in dated:
        if not run.start <= day <= run.end:
            raise ValidationInputError(f"{where}: {key} = {day} lies outside the run's horizon {run.start} to "
                                       f"{run.end}; score it against a run whose horizon covers it (scenario.end)")


def _log(outcome: float, p: float, n: int) -> float:
    floor = LOG_FLOOR / max(n, 1)
    return float(sr.log_score(outcome, float(np.clip(p, floor, 1 - floor))))


def _binary_rows(item: str, partner: str, date: dt.date, outcome: bool, model_p: float, base_p: float | None,
                 n: int) -> list[dict[str, Any]]:
    rows = []
    forecasts = [("model", model_p), ("naive 50/50", 0.5)] + ([("naive base rate", base_p)] if base_p is not None else [])
    for forecaster, p in forecasts:
        rows.append({"item": item, "kind": "binary", "partner": partner, "date": date.isoformat(),
                     "observed": float(outcome), "forecaster": forecaster, "forecast": p,
                     "brier": float(sr.brier_score(float(outcome), p)), "log_score": _log(float(outcome), p, n),
                     "crps": np.nan, "in_50": np.nan, "in_90": np.nan, "members": n})
    return rows


def _ensemble_rows(item: str, partner: str, date: str, observed: float, members: np.ndarray,
                   naive_name: str, naive: float) -> list[dict[str, Any]]:
    base = {"item": item, "kind": "continuous", "partner": partner, "date": date, "observed": observed,
            "brier": np.nan, "log_score": np.nan}
    if len(members) == 0:  # e.g. a rate where no replication made a deal: the model forecasts nothing
        model = {"forecast": np.nan, "crps": np.nan, "in_50": np.nan, "in_90": np.nan}
    else:
        q = np.quantile(members, [0.05, 0.25, 0.5, 0.75, 0.95])
        model = {"forecast": float(q[2]),
                 "crps": float(sr.crps_ensemble(observed, members.astype(float), estimator="nrg")),
                 "in_50": float(q[1] <= observed <= q[3]), "in_90": float(q[0] <= observed <= q[4])}
    return [{**base, "forecaster": "model", **model, "members": len(members)},
            {**base, "forecaster": naive_name, "forecast": naive, "crps": abs(naive - observed),
             "in_50": np.nan, "in_90": np.nan, "members": 1}]


def score(run: Run, observed: Observed) -> pd.DataFrame:
    """One row per scored item and forecaster (``model`` and the naive ones); see the module docstring."""
    runs, n, after = run.runs, run.replications, run.day(run.end) + 1
    rows: list[dict[str, Any]] = []
    by_partner = {code: group for code, group in runs.groupby("partner", sort=False)}
    for check in observed.check_dates:
        day = run.day(check)
        by_day = runs["deal"].astype(bool) & (runs["deal_day"].fillna(after).astype(float) <= day)
        base = float(by_day.mean())
        for partner in run.partners:
            outcome = observed.deal_by(partner, check)
            if outcome is None:
                continue
            p = float(by_day[runs["partner"] == partner].mean())
            rows += _binary_rows("deal by date", partner, check, outcome, p, base, n)
    if observed.as_of >= run.end:  # the run's letter and extension columns count through the horizon
        extended = runs.groupby("run_id")["extended_deadline"].first().astype(bool)
        extension = next((e for e in observed.events if e.kind == "extension"), None)
        rows += _binary_rows("deadline extended", "ALL", run.end, extension is not None, float(extended.mean()),
                             None, n)  # one event per run: no base rate across partners
        letters = runs["letter"].astype(bool)
        for partner in sorted(observed.partners(), key=run.partners.index):
            sent = any(e.kind == "letter" and e.partner == partner for e in observed.events)
            rows += _binary_rows("letter", partner, run.end, sent, float(letters[runs["partner"] == partner].mean()),
                                 float(letters.mean()), n)
    deadline = run.day(run.deadline)
    spells = {(s.partner, s.through) for s in observed.no_deals}
    for partner in run.partners:
        rows_p = by_partner[partner]
        deal = next((d for d in observed.deals if d.partner == partner), None)
        days = rows_p["deal_day"].astype("Float64").fillna(after).to_numpy(float)
        if deal is not None:
            rows += _ensemble_rows("deal day", partner, deal.announced.isoformat(), run.day(deal.announced), days,
                                   "naive deadline", deadline)
            if deal.effective is not None:
                effective = rows_p["effective_day"].astype("Float64").fillna(after).to_numpy(float)
                effective = np.minimum(effective, after)  # after the horizon is after the horizon
                rows += _ensemble_rows("effective day", partner, deal.effective.isoformat(),
                                       run.day(deal.effective), effective, "naive deadline", deadline)
            for line, rate in deal.rates.items():
                members = rows_p.loc[rows_p["deal"].astype(bool), f"agreed_{line}"].dropna().to_numpy(float)
                rows += _ensemble_rows(f"rate {line}", partner, deal.announced.isoformat(), rate, members,
                                       "naive status quo", observed.status_quo.rates[line])
        elif (partner, run.end) in spells or any(p == partner and t >= run.end for p, t in spells):
            rows += _ensemble_rows("deal day", partner, "none by the horizon", after, days, "naive deadline",
                                   deadline)
    return pd.DataFrame(rows)


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Mean scores per kind of item and forecaster (lower is better), with coverage and counts."""
    if table.empty:
        return pd.DataFrame(columns=["item", "forecaster", "n", "brier", "log_score", "crps", "in_50", "in_90"])
    grouped = table.groupby(["item", "forecaster"], sort=False)
    out = grouped[["brier", "log_score", "crps", "in_50", "in_90"]].mean()
    out.insert(0, "n", grouped.size())
    return out.reset_index()
