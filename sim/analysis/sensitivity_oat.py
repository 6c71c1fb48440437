"""The knife-edge check of a Morris study: each top-ranked parameter moved alone across its range.

``tariffsim-sensitivity NAME --one-at-a-time`` takes the ``TOP`` parameters of the Morris ranking
(largest mu*) of each metric, sets each in turn to ``LEVELS`` evenly spaced values of its range
with every other value at the baseline's, and runs ``REPLICATION_FACTOR`` times the study's
replications per level (100 for the 20 of ``judgement_morris``; ``--replications`` scales both) on
common seeds (replication ``r`` of every level and parameter uses the same seed). A parameter whose
level-to-level swing in a metric exceeds ``THRESHOLD`` is a knife-edge: alone, inside its
plausible range, it moves that outcome by more than half its scale.

Writes ``one_at_a_time.parquet`` (``parameter, level, metric, value``: every level's metric) and
``knife_edges.parquet`` (``metric, parameter, low, high, baseline, min, max, swing, at_min,
at_max, knife_edge``: one row per parameter and metric, largest swing first).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.run.parallel import WorkerPool
from sim.run.progress import Progress
from sim.config.sensitivity_study import Parameter, SensitivityStudy
from sim.analysis.sensitivity_samples import evaluate_samples

TOP = 10              # parameters per metric, from the Morris ranking
LEVELS = 5            # evenly spaced values of each range, both ends included
REPLICATION_FACTOR = 5  # x the study's replications per level: 100 give a probability to about ±0.1 (95%)
THRESHOLD = 0.5       # a swing above this is a knife-edge


def top_parameters(indices: pd.DataFrame, top: int = TOP) -> list[str]:
    """The ``top`` parameters by mu* (Sobol: ST) of each metric, merged in ranking order (no repeats).

    Args:
        indices: A study's ``indices.parquet`` (with a ``metric`` column when several).
        top: How many per metric.
    """
    index = "mu_star" if (indices["index"] == "mu_star").any() else "ST"
    mu_star = indices[indices["index"] == index]
    groups = mu_star.groupby("metric", sort=False) if "metric" in mu_star else [("", mu_star)]
    chosen: list[str] = []
    for _, group in groups:
        ranked = group.sort_values("value", ascending=False, kind="stable")["parameter"].head(top)
        chosen += [name for name in ranked if name not in chosen]
    return chosen


def levels_of(parameter: Parameter, levels: int = LEVELS) -> np.ndarray:
    """``levels`` evenly spaced values from ``low`` to ``high`` (whole, and distinct, for an integer)."""
    values = np.linspace(parameter.low, parameter.high, levels)
    return np.unique(np.round(values)) if parameter.integer else values


def knife_edges(sweep: pd.DataFrame, parameters: dict[str, Parameter], baseline: dict[str, float],
                threshold: float = THRESHOLD) -> pd.DataFrame:
    """The largest change of each metric when each parameter moves alone (max - min over its levels).

    Args:
        sweep: ``parameter, level, metric, value`` rows.
        parameters: The swept parameters by key (for their ranges).
        baseline: Each metric at the baseline (every parameter at its config value).
        threshold: A swing above it is flagged ``knife_edge``.
    """
    rows = []
    for (metric, key), group in sweep.groupby(["metric", "parameter"], sort=False):
        low, high = group.loc[group["value"].idxmin()], group.loc[group["value"].idxmax()]
        swing = float(high["value"] - low["value"])
        rows.append({"metric": metric, "parameter": key, "low": parameters[key].low, "high": parameters[key].high,
                     "baseline": baseline.get(metric, float("nan")), "min": float(low["value"]),
                     "max": float(high["value"]), "swing": swing, "at_min": float(low["level"]),
                     "at_max": float(high["level"]), "knife_edge": swing > threshold})
    table = pd.DataFrame(rows, columns=["metric", "parameter", "low", "high", "baseline", "min", "max", "swing",
                                        "at_min", "at_max", "knife_edge"])
    return table.sort_values(["swing", "metric"], ascending=[False, True], kind="stable", ignore_index=True)


def saved_indices(study: SensitivityStudy, out: Path) -> pd.DataFrame | None:
    """The indices a finished run of this very study left in ``out``, or None (other settings, none)."""
    try:
        saved = json.loads((out / "study.json").read_text())
        indices = pd.read_parquet(out / "indices.parquet")
    except (OSError, ValueError):
        return None
    settings = json.loads(json.dumps(dataclasses.asdict(study)))
    return indices if {k: saved.get(k) for k in settings} == settings else None


def one_at_a_time(study: SensitivityStudy, base: dict[str, Any], keys: list[str], workers: int | None = None,
                  replications: int | None = None, levels: int | None = None,
                  progress: bool = True) -> tuple[pd.DataFrame, dict[str, float]]:
    """Run the one-at-a-time sweep of ``keys`` (parameters of ``study``) on common seeds, with
    ``replications`` per level (default ``REPLICATION_FACTOR`` x the study's) at ``levels`` levels
    (default ``LEVELS``).

    Returns:
        The ``parameter, level, metric, value`` rows and each metric at the baseline.
    """
    from sim.run.runner import replication_seeds

    by_key = {p.key: p for p in study.parameters}
    metrics = [(m.name, m.partner) for m in study.outputs]
    replications, levels = replications or REPLICATION_FACTOR * study.replications, levels or LEVELS
    seeds = replication_seeds(study.seed, replications)
    tasks = [((), np.empty((1, 0)))] + [((by_key[k],), levels_of(by_key[k], levels)[:, None]) for k in keys]
    bar = Progress(sum(len(v) for _, v in tasks) * replications, f"{study.name} one at a time", enabled=progress)
    with WorkerPool(workers) as pool:
        arguments = [(base, p, v, seeds, metrics) for p, v in tasks]
        results = list(pool.map_ordered(evaluate_samples, arguments,
                                        lambda i: bar.advance(len(tasks[i][1]) * replications)))
    bar.close()
    names = [m.label for m in study.outputs]
    baseline = dict(zip(names, results[0][0]))
    rows = [(key, float(level), name, float(values[i, k]))
            for key, (_, levels_), values in zip(keys, tasks[1:], results[1:])
            for i, level in enumerate(levels_[:, 0]) for k, name in enumerate(names)]
    return pd.DataFrame(rows, columns=["parameter", "level", "metric", "value"]), baseline


def run_one_at_a_time(study: SensitivityStudy, out: Path, indices: pd.DataFrame, base: dict[str, Any],
                      workers: int | None = None, progress: bool = True) -> pd.DataFrame:
    """The knife-edge check of ``study`` from its ``indices`` around ``base`` (the composed config with
    the study's overrides); writes its two tables into ``out``."""
    from sim.io.study_table import write_table

    keys = top_parameters(indices, TOP)
    sweep, baseline = one_at_a_time(study, base, keys, workers, progress=progress)
    edges = knife_edges(sweep, {p.key: p for p in study.parameters}, baseline, THRESHOLD)
    write_table(out / "one_at_a_time.parquet", sweep)
    write_table(out / "knife_edges.parquet", edges)
    return edges
