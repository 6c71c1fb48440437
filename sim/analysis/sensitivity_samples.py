"""What a sensitivity study measures: the metric of each sampled parameter vector, from a few
replications of the config it sets (the worker task of ``sim.apps.sensitivity`` and ``sim.analysis.sensitivity_oat``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.config import ConfigError, load_study
from sim.run.results import LEADING_RUN_COLUMNS, run_rows
from sim.config.sensitivity_study import Parameter, with_values

_COLUMN = {name: i for i, name in enumerate(LEADING_RUN_COLUMNS)}  # the same in every scenario's rows


def metric_value(rows: list[tuple], name: str, partner: str | None, horizon_days: int) -> float:
    """The metric over the ``runs.parquet`` rows of a sample's replications.

    ``deal_probability``: share of replications with a deal; ``deal_day``: mean day of the deal,
    a replication without one counting as the day after the horizon (censored);
    ``final_tariff``: mean headline tariff at the horizon (%); ``deals``: mean number of partners
    with a deal.
    """
    if name == "deals":
        runs = {row[_COLUMN["run_id"]] for row in rows}
        return sum(bool(row[_COLUMN["deal"]]) for row in rows) / max(len(runs), 1)
    mine = [row for row in rows if row[_COLUMN["partner"]] == partner]
    if not mine:
        raise ConfigError(f"metric.partner={partner!r}: no such partner in the scenario")
    if name == "deal_probability":
        return float(np.mean([bool(row[_COLUMN["deal"]]) for row in mine]))
    if name == "deal_day":
        return float(np.mean([row[_COLUMN["deal_day"]] if row[_COLUMN["deal"]] else horizon_days + 1
                              for row in mine]))
    return float(np.mean([row[_COLUMN["final_tariff"]] for row in mine]))


def evaluate_samples(base: dict[str, Any], parameters: tuple[Parameter, ...], values: np.ndarray,
                     seeds: list[int], metric: tuple[str, str | None] | list[tuple[str, str | None]]) -> np.ndarray:
    """The metric of each row of ``values`` (a worker task: plain, picklable arguments).

    Args:
        base: The composed config as a plain dict.
        parameters: What each column of ``values`` sets.
        values: One row per sample.
        seeds: The replications' seeds (the same for every sample).
        metric: ``(name, partner)``, or a list of them: then one column per metric, from the same runs.
    """
    from sim.run.runner import run_model

    metrics = metric if isinstance(metric, list) else [metric]
    out = np.empty((len(values), len(metrics)))
    for i, row in enumerate(values):
        scenario = load_study(with_values(base, parameters, row)).scenario
        rows = []
        for run_id, seed in enumerate(seeds):
            rows += run_rows(run_model(scenario, seed), run_id)
        out[i] = [metric_value(rows, name, partner, scenario.days) for name, partner in metrics]
    return out if isinstance(metric, list) else out[:, 0]
