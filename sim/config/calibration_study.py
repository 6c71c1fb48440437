"""Calibration-study settings (``sim/conf/calibration/*.yaml``), validated before anything runs.

A study names judgement parameters by their dotted config keys, each with a prior (uniform on
``[low, high]``, or a normal of ``mean`` and ``sd`` truncated to ``[low, high]``), the
observed-outcomes file it is fitted to, the cut-off date (no observation dated later may be used),
the replications per candidate (on common seeds) and the ABC-SMC budget: particles per generation
(``population``), ``generations`` and ``min_epsilon`` (stop once the acceptance threshold is at or
below it). docs/calibration.md describes the format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.config.paths import CONF
from sim.config.reader import ConfigError, Reader
from sim.config.sensitivity_study import Parameter

CALIBRATION_DIR = CONF / "calibration"
PRIORS = ("uniform", "normal")
POINT_ESTIMATES = ("median", "mean")


@dataclass(frozen=True)
class Prior:
    """One calibrated parameter: its dotted config key, its range and its prior on that range."""

    key: str
    low: float
    high: float
    integer: bool = False
    kind: str = "uniform"        # uniform on [low, high], or normal(mean, sd) truncated to [low, high]
    mean: float | None = None
    sd: float | None = None

    @property
    def parameter(self) -> Parameter:
        """The parameter as ``sim.config.sensitivity_study.with_values`` sets it."""
        return Parameter(self.key, self.low, self.high, self.integer)


@dataclass(frozen=True)
class CalibrationStudy:
    """An ABC-SMC calibration of ``parameters`` against ``observed`` up to ``cutoff``."""

    name: str
    observed: str
    cutoff: dt.date
    replications: int
    population: int
    generations: int
    min_epsilon: float
    seed: int
    point_estimate: str
    parameters: tuple[Prior, ...]
    overrides: tuple[str, ...]
    day_scale: float = 30.0    # days: a deal-day difference of this much weighs as a share of 1
    rate_scale: float = 10.0   # % points: an agreed-rate difference of this much weighs as a share of 1

    @property
    def budget(self) -> dict[str, Any]:
        """The settings that only bound the run (a finished study may be run on with a larger budget)."""
        return {"generations": self.generations, "min_epsilon": self.min_epsilon}


def load_calibration(source: str | Path, changes: dict[str, Any] | None = None) -> CalibrationStudy:
    """Read a study by name (``sim/conf/calibration/NAME.yaml``) or path, with top-level ``changes``.

    Raises:
        ConfigError: naming every bad key, its value and what is allowed.
    """
    path = Path(source)
    if not path.suffix:
        path = CALIBRATION_DIR / f"{source}.yaml"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in CALIBRATION_DIR.glob("*.yaml")))
            raise ConfigError(f"no calibration study {source!r} (known: {known}); give one of those names or "
                              f"the path of a study file (.yaml)")
    data = _read_yaml(path)
    data.update(changes or {})
    errors: list[str] = []
    r = Reader(data, "", errors)
    parameters = [_prior(item) for item in r.items("parameters")]
    if not parameters:
        r.error("parameters", data.get("parameters"), "must list at least one {key, low, high}")
    keys = [p.key for p in parameters]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        r.error("parameters", key, "lists this key twice; give each parameter once")
    observed = r.raw("observed")
    if observed is not None and not isinstance(observed, str):
        r.error("observed", observed, "must be the name of a shipped observed file (state_2025-07-01) or a path")
    overrides = r.raw("overrides", [])
    if not (isinstance(overrides, list) and all(isinstance(o, str) for o in overrides)):
        r.error("overrides", overrides, "must be a list of KEY=VALUE strings, e.g. [figures=false]")
        overrides = []
    study = CalibrationStudy(
        name=str(r.raw("name", path.stem)), observed=str(observed), cutoff=r.date("cutoff") or dt.date.min,
        replications=r.integer("replications", 1, 10**4), population=r.integer("population", 2, 10**6),
        generations=r.integer("generations", 1, 1000), min_epsilon=r.number("min_epsilon", 0, default=0.0),
        seed=r.integer("seed", 0, 2**32 - 1), point_estimate=r.choice("point_estimate", POINT_ESTIMATES, "median"),
        parameters=tuple(parameters), overrides=tuple(str(o) for o in overrides or ()),
        day_scale=r.number("day_scale", 0, default=30.0, lo_open=True),
        rate_scale=r.number("rate_scale", 0, default=10.0, lo_open=True),
    )
    r.finish()
    if errors:
        errors = [f"--{e.replace('=', ' ', 1)}" if e.split("=", 1)[0] in (changes or {}) else e for e in errors]
        raise ConfigError(f"invalid calibration study {path}:\n  " + "\n  ".join(errors))
    return study


def _prior(item: Reader) -> Prior:
    key = item.raw("key")
    if not isinstance(key, str):
        item.error(item.key("key"), key, "must be a dotted config key, e.g. scenario.us.strategy.beta")
    low, high = item.number("low"), item.number("high")
    if low == low and high == high and not low < high:
        item.error(item.key("high"), high, f"must be greater than low ({low:g})")
    kind = item.choice("prior", PRIORS, "uniform")
    mean = sd = None
    if kind == "normal":
        mean = item.number("mean", low if low == low else None, high if high == high else None)
        sd = item.number("sd", 0, lo_open=True)
    integer = item.raw("integer", False)
    if not isinstance(integer, bool):
        item.error(item.key("integer"), integer, "must be true or false")
    item.finish()
    return Prior(str(key), low, high, bool(integer), kind, mean, sd)


def _read_yaml(path: Path) -> dict[str, Any]:
    """The study file as a plain mapping.

    Raises:
        ConfigError: the file cannot be read, is not YAML, or is not a mapping of keys.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError(f"calibration study {path}: cannot be read ({reason}); give the path of a "
                          f"YAML study file") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"calibration study {path}: not valid YAML{where} ({problem}); fix the file "
                          f"(sim/conf/calibration/quick.yaml shows the layout)") from None
    if not isinstance(data, dict):
        raise ConfigError(f"calibration study {path}: holds {type(data).__name__ if data is not None else 'nothing'}"
                          f", not a mapping of settings (name, observed, cutoff, parameters, ...); "
                          f"sim/conf/calibration/quick.yaml shows the layout")
    return data
