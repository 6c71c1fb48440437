"""Sensitivity-study settings (``sim/conf/sensitivity/*.yaml``), validated before anything runs."""

from __future__ import annotations

import copy
from collections.abc import MutableMapping, MutableSequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.config.paths import CONF
from sim.config.reader import ConfigError, Reader

SENSITIVITY_DIR = CONF / "sensitivity"
METHODS = ("sobol", "morris")
METRICS = ("deal_probability", "deal_day", "final_tariff", "deals")


@dataclass(frozen=True)
class Parameter:
    """One input of the study: a dotted config key and the range it is drawn from."""

    key: str
    low: float
    high: float
    integer: bool = False


@dataclass(frozen=True)
class Metric:
    """The output: ``name`` per ``partner`` (``deals``: partners with a deal, no partner)."""

    name: str
    partner: str | None

    @property
    def label(self) -> str:
        """The metric's column name, e.g. ``JPN_deal_probability``."""
        return f"{self.partner}_{self.name}" if self.partner else self.name


@dataclass(frozen=True)
class SensitivityStudy:
    """A Sobol or Morris study over ``parameters`` of the composed tariffsim config."""

    name: str
    method: str
    samples: int
    second_order: bool
    levels: int
    replications: int
    seed: int
    metric: Metric
    parameters: tuple[Parameter, ...]
    overrides: tuple[str, ...]
    # Every output screened from the same runs (``metric.partner`` a list); ``metric`` is the first.
    metrics: tuple[Metric, ...] = ()

    @property
    def outputs(self) -> tuple[Metric, ...]:
        """The metrics screened: ``metrics``, or ``metric`` alone."""
        return self.metrics or (self.metric,)


def load_sensitivity(source: str | Path, changes: dict[str, Any] | None = None) -> SensitivityStudy:
    """Read a study by name (``sim/conf/sensitivity/NAME.yaml``) or path, with top-level ``changes``.

    Raises:
        ConfigError: naming every bad key, its value and what is allowed.
    """
    path = Path(source)
    if not path.suffix:
        path = SENSITIVITY_DIR / f"{source}.yaml"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in SENSITIVITY_DIR.glob("*.yaml")))
            raise ConfigError(f"no sensitivity study {source!r} (known: {known}); give one of those names or "
                              f"the path of a study file (.yaml)")
    data = _read_yaml(path)
    data.update(changes or {})
    errors: list[str] = []
    r = Reader(data, "", errors)
    metric = r.child("metric")
    name = metric.choice("name", METRICS)
    partner = metric.raw("partner", None)
    # A list of partners screens one metric per partner from the same runs.
    partners = partner if isinstance(partner, list) and partner else [partner]
    if name != "deals" and not all(isinstance(p, str) for p in partners):
        metric.error(metric.key("partner"), partner, "must be a partner code (USA, JPN, EU, CAN, KOR, VNM) "
                                                     "or a list of them")
    metric.finish()
    parameters = []
    for item in r.items("parameters"):
        key = item.raw("key")
        if not isinstance(key, str):
            item.error(item.key("key"), key, "must be a dotted config key")
        low, high = item.number("low"), item.number("high")
        if low == low and high == high and not low < high:
            item.error(item.key("high"), high, f"must be greater than low ({low:g})")
        integer = item.raw("integer", False)
        item.finish()
        parameters.append(Parameter(str(key), low, high, bool(integer)))
    if not parameters:
        r.error("parameters", data.get("parameters"), "must list at least one {key, low, high}")
    overrides = r.raw("overrides", [])
    if not (isinstance(overrides, list) and all(isinstance(o, str) for o in overrides)):
        r.error("overrides", overrides, "must be a list of KEY=VALUE strings, e.g. [figures=false]")
        overrides = []
    study = SensitivityStudy(
        name=str(r.raw("name", path.stem)), method=r.choice("method", METHODS),
        samples=r.integer("samples", 2, 2**20), second_order=bool(r.raw("second_order", False)),
        levels=r.integer("levels", 2, 20, default=4), replications=r.integer("replications", 1, 10**5),
        seed=r.integer("seed", 0, 2**63 - 1), metric=Metric(name, partners[0] if name != "deals" else None),
        parameters=tuple(parameters), overrides=tuple(str(o) for o in overrides or ()),
        metrics=tuple(Metric(name, p) for p in partners) if name != "deals" else (Metric(name, None),),
    )
    r.finish()
    if study.method == "sobol" and study.samples & (study.samples - 1):
        r.error("samples", study.samples, "must be a power of 2 for Sobol sampling (e.g. 256, 1024)")
    if errors:
        # A value given on the command line is named by its option, not by the file's key.
        errors = [f"--{e.replace('=', ' ', 1)}" if e.split("=", 1)[0] in (changes or {}) else e for e in errors]
        raise ConfigError(f"invalid sensitivity study {path}:\n  " + "\n  ".join(errors))
    return study


def _read_yaml(path: Path) -> dict[str, Any]:
    """The study file as a plain mapping.

    Raises:
        ConfigError: the file cannot be read, is not YAML, or is not a mapping of keys.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError(f"sensitivity study {path}: cannot be read ({reason}); give the path of a "
                          f"YAML study file") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"sensitivity study {path}: not valid YAML{where} ({problem}); fix the file "
                          f"(sim/conf/sensitivity/jpn_deal.yaml shows the layout)") from None
    if not isinstance(data, dict):
        raise ConfigError(f"sensitivity study {path}: holds {type(data).__name__ if data is not None else 'nothing'}"
                          f", not a mapping of settings (name, method, samples, metric, parameters, ...); "
                          f"sim/conf/sensitivity/jpn_deal.yaml shows the layout")
    return data


def set_key(data: MutableMapping[str, Any], key: str, value: Any) -> None:
    """Set the existing dotted ``key`` of a plain config (list items by index: ``red_lines.1.max``).

    Raises:
        KeyError: ``key`` names nothing in ``data``.
    """
    node: Any = data
    parts = key.split(".")
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, MutableMapping) and part in node:
            if last:
                node[part] = value
            node = node[part]
        elif isinstance(node, MutableSequence) and part.isdigit() and int(part) < len(node):
            if last:
                node[int(part)] = value
            node = node[int(part)]
        else:
            raise KeyError(f"{key}: no {'.'.join(parts[:depth + 1])!r} in the config")


def with_values(base: dict[str, Any], parameters: tuple[Parameter, ...], row: Any) -> dict[str, Any]:
    """A copy of the plain config ``base`` with each parameter set to its value in ``row``."""
    data = copy.deepcopy(base)
    for parameter, value in zip(parameters, row):
        set_key(data, parameter.key, int(round(value)) if parameter.integer else float(value))
    return data
