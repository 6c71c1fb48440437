"""What ``tariffsim-calibrate`` writes into its folder, all files renamed into place together.

``posterior.csv`` / ``.parquet`` (the last generation's particles: parameters, ``weight``,
``distance``), ``particles.parquet`` (every generation's, with ``generation``), ``generations.csv``
(epsilon, particles and candidates evaluated per generation), ``config/calibrated.yaml`` (the point
estimate as a config that ``tariffsim -cd OUT/config -cn calibrated`` runs), ``calibration.json`` (the
study, the fitted statistics, observed and at the point estimate, the posterior's quantiles) and
``figures/marginals.png`` and ``figures/pairwise.png`` (each with an SVG).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.analysis.calibration import CalibrationInputError, Outcome, Target, distance
from sim.config.calibration_study import CalibrationStudy
from sim.io.report_outputs import Staged

__all__ = ["CONFIG_FOLDER", "POINT_CONFIG", "point_config", "point_config_text", "posterior_summary", "write_outputs"]

POINT_CONFIG = "calibrated"   # OUT/config/calibrated.yaml: `tariffsim -cd OUT/config -cn calibrated`
# A folder of its own: Hydra takes every subfolder of a --config-dir for a config group (figures/ would
# clash with the `figures` flag).
CONFIG_FOLDER = "config"


def point_config(calibrated: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
    """The keys of the plain config ``calibrated`` that differ from ``default`` (the shipped config),
    nested; a list that differs is given whole (a config merges lists whole).

    Raises:
        CalibrationInputError: ``calibrated`` lacks a key ``default`` has (a merge cannot remove it).
    """
    out: dict[str, Any] = {}
    for key, value in calibrated.items():
        old = default.get(key, None)
        if isinstance(value, dict) and isinstance(old, dict):
            missing = sorted(set(old) - set(value))
            if missing:
                raise CalibrationInputError(f"the calibrated config lacks {key}.{missing[0]}, which the shipped "
                                            f"config has; a config file cannot remove a key (check the study's "
                                            f"overrides)")
            inner = point_config(value, old)
            if inner:
                out[key] = inner
        elif key not in default or value != old:
            out[key] = value
    return out


def point_config_text(study: CalibrationStudy, values: dict[str, Any], folder: Path, observed: Path) -> str:
    """``calibrated.yaml``: the shipped config (``- config``) with the changed keys on top."""
    how = "weighted median" if study.point_estimate == "median" else "weighted mean"
    head = (f"# The point estimate (posterior {how}) of calibration study {study.name}, fitted to\n"
            f"# {observed.name} up to {study.cutoff} (tariffsim-calibrate; docs/calibration.md). Run it:\n"
            f"#   tariffsim -cd {folder / CONFIG_FOLDER} -cn {POINT_CONFIG}\n"
            f"defaults:\n  - config          # the shipped config (sim/conf/config.yaml): everything not set here\n"
            f"  - _self_\n\n")
    return head + yaml.safe_dump(values, sort_keys=False, default_flow_style=False)


def posterior_summary(posterior: pd.DataFrame, study: CalibrationStudy) -> pd.DataFrame:
    """Per parameter: prior range, weighted mean and sd, 5%, 50% and 95% weighted quantiles."""
    weights = posterior["weight"].to_numpy(float)
    rows = []
    for p in study.parameters:
        values = posterior[p.key].to_numpy(float)
        order = np.argsort(values)
        cumulative = np.cumsum(weights[order]) / weights.sum()
        q = [float(values[order][min(np.searchsorted(cumulative, level), len(values) - 1)])
             for level in (0.05, 0.5, 0.95)]
        mean = float(np.average(values, weights=weights))
        sd = float(np.sqrt(np.average((values - mean) ** 2, weights=weights)))
        rows.append({"parameter": p.key, "prior": p.kind, "low": p.low, "high": p.high, "mean": mean, "sd": sd,
                     "q05": q[0], "median": q[1], "q95": q[2]})
    return pd.DataFrame(rows)


def write_outputs(out: Path, study: CalibrationStudy, outcome: Outcome, targets: list[Target], observed: Path,
                  calibrated: dict[str, Any], default: dict[str, Any], fit: dict[str, float],
                  check: Callable[[Path], None], figures: bool = True, seconds: float = 0.0) -> list[Path]:
    """Write every output file of a finished calibration into ``out``, all or nothing.

    Args:
        calibrated: The plain config at the point estimate (study overrides applied).
        default: The shipped config, plain; ``calibrated.yaml`` holds what differs from it.
        fit: The summary statistics at the point estimate.
        check: Called with the folder of a trial ``calibrated.yaml`` before anything is published;
            raises if ``tariffsim`` would not compose it into ``calibrated``.

    Returns:
        The files written.
    """
    import tempfile

    values = point_config(calibrated, default)
    text = point_config_text(study, values, out, observed)
    with tempfile.TemporaryDirectory() as trial:
        (Path(trial) / f"{POINT_CONFIG}.yaml").write_text(text, encoding="utf-8")
        check(Path(trial))
    scales = {t.name: t.scale for t in targets}
    observed_stats = {t.name: t.observed for t in targets}
    summary = posterior_summary(outcome.posterior, study)
    info = {
        "study": {**asdict(study), "cutoff": study.cutoff.isoformat()}, "observed": str(observed),
        "targets": [{**asdict(t), "at_point_estimate": fit[t.name]} for t in targets],
        "distance_at_point_estimate": distance(fit, observed_stats, scales),
        "point_estimate": outcome.point, "posterior": json.loads(summary.to_json(orient="records")),
        "generations": json.loads(outcome.generations.to_json(orient="records")),
        "resumed_from_generation": outcome.resumed_from, "seconds_this_command": round(seconds, 2),
        "distance": "mean over the statistics of ((simulated - observed) / scale)^2 (docs/calibration.md)",
    }
    written = []
    with Staged(out) as staged:
        def put(name: str, fill: Callable[[Path], None]) -> None:
            staged.write(out / name, fill)
            written.append(out / name)

        put("posterior.csv", lambda tmp: outcome.posterior.to_csv(tmp, index=False))
        put("posterior.parquet", lambda tmp: outcome.posterior.to_parquet(tmp, index=False))
        put("particles.parquet", lambda tmp: outcome.particles.to_parquet(tmp, index=False))
        put("generations.csv", lambda tmp: outcome.generations.to_csv(tmp, index=False))
        put(f"{CONFIG_FOLDER}/{POINT_CONFIG}.yaml", lambda tmp: tmp.write_text(text, encoding="utf-8"))
        put("calibration.json", lambda tmp: tmp.write_text(json.dumps(info, indent=1, default=str) + "\n",
                                                            encoding="utf-8"))
        if figures:
            from sim.plots.calibration_figures import write_calibration_figures

            limits = {p.key: (p.low, p.high) for p in study.parameters}
            n = len(outcome.generations)
            title = (f"{study.name}: {study.population} particles, {n} generation{'s' if n > 1 else ''}, "
                     f"{study.replications} replications per candidate")
            written += write_calibration_figures(outcome.particles, limits, outcome.point, out / "figures", title,
                                                 staged.write)
    return written
