"""Sensitivity-study settings (``sim/conf/sensitivity/*.yaml``), validated before anything runs.

Each key of a study file is declared once, below, as a typed field of a frozen pydantic dataclass
(``sim.config.fields``): its type, bounds, default and meaning. That declaration gives the
validation (every error at once, ``key=value: what is allowed``, "did you mean" for a misspelt
key) and the JSON Schema ``tariffsim-schema --part sensitivity`` exports (docs/schema.md).
``SensitivitySettings`` is the file as written; ``SensitivityStudy`` what the commands read.
"""

from __future__ import annotations

import copy
from collections.abc import MutableMapping, MutableSequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import PlainValidator, ValidationInfo, WithJsonSchema, field_validator, model_validator
from pydantic.dataclasses import dataclass as settings
from pydantic_core import PydanticCustomError

from sim.config.errors import ConfigError, validated
from sim.config.fields import SETTINGS, Allowed, at_least_one, doc, flag, integer, items, mapping, number, one_of, refuse, text
from sim.config.paths import CONF

SENSITIVITY_DIR = CONF / "sensitivity"
MethodName = Literal["sobol", "morris"]
MetricName = Literal["deal_probability", "deal_day", "final_tariff", "deals"]
METHODS: tuple[str, ...] = get_args(MethodName)
METRICS: tuple[str, ...] = get_args(MetricName)
PARTNER_RULE = "must be a partner code the scenario declares (e.g. JPN), or a list of them"
KEY_RULE = "must be a dotted config key, e.g. scenario.us.strategy.beta"
OVERRIDES_RULE = "must be a list of KEY=VALUE strings, e.g. [figures=false]"
Override = Annotated[str, text("must be a KEY=VALUE string, e.g. figures=false")]


@settings(config=SETTINGS)
class Parameter:
    """One input of the study: a dotted config key and the range it is drawn from."""

    key: Annotated[str, text(KEY_RULE), doc("the dotted config key the study varies, e.g. scenario.us.strategy.beta")]
    low: Annotated[float, number(), doc("the lowest value drawn")]
    high: Annotated[float, number(), doc("the highest value drawn (greater than low)")]
    integer: Annotated[bool, flag(), doc("round each drawn value to a whole number")] = False

    @field_validator("high")
    @classmethod
    def _above_low(cls, high: float, info: ValidationInfo) -> float:
        low = info.data.get("low")
        if low is not None and not low < high:
            raise refuse([("high", high, f"must be greater than low ({low:g})")])
        return high


def _partners(value: Any) -> str | list[str] | None:
    """A partner code, a non-empty list of them, or None (``deals`` needs no partner)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(p, str) for p in value):
        return list(value)
    raise PydanticCustomError("partner", PARTNER_RULE)


@settings(config=SETTINGS)
class MetricSettings:
    """The study's output: one metric, per partner (a list of partners screens each from the same runs)."""

    name: Annotated[MetricName, one_of(METRICS), doc("deal_probability, deal_day, final_tariff, or deals "
                                                      "(the number of partners with a deal)")]
    partner: Annotated[str | list[str] | None, PlainValidator(_partners), Allowed(PARTNER_RULE),
                       WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"},
                                                                       "minItems": 1}, {"type": "null"}]}),
                       doc("the partner whose metric it is, or a list of them; none for deals")] = None

    @model_validator(mode="after")
    def _partner_named(self) -> MetricSettings:
        if self.name != "deals" and self.partner is None:
            raise refuse([("partner", None, PARTNER_RULE)], field=False)
        return self


@settings(config=SETTINGS, kw_only=True)
class SensitivitySettings:
    """A sensitivity-study file, as written."""

    name: Annotated[str, text("must be text"), doc("the study's name (default: the file's name)")] = ""
    method: Annotated[MethodName, one_of(METHODS), doc("sobol (variance-based indices) or morris (elementary effects)")]
    samples: Annotated[int, integer(2, 2**20), doc("Sobol base samples (a power of 2) or Morris trajectories")]
    second_order: Annotated[bool, flag(), doc("Sobol: also the pairwise interaction indices S2")] = False
    levels: Annotated[int, integer(2, 20), doc("Morris: grid levels per parameter")] = 4
    replications: Annotated[int, integer(1, 10**5), doc("runs per parameter set; replication r of every set runs on the same seed")]
    seed: Annotated[int, integer(0, 2**63 - 1), doc("seed of the sampling, the replications' seeds and the bootstrap")]
    metric: Annotated[MetricSettings, mapping(), doc("the output screened")]
    parameters: Annotated[tuple[Annotated[Parameter, mapping()], ...], items(), at_least_one("must list at least one {key, low, high}"),
                          doc("the inputs varied: {key, low, high, integer}")]
    overrides: Annotated[tuple[Override, ...], Allowed(OVERRIDES_RULE),
                         doc("overrides of the base config, as on the tariffsim command line")] = ()

    @field_validator("samples")
    @classmethod
    def _power_of_two(cls, samples: int, info: ValidationInfo) -> int:
        if info.data.get("method") == "sobol" and samples & (samples - 1):
            raise refuse([("samples", samples, "must be a power of 2 for Sobol sampling (e.g. 256, 1024)")])
        return samples



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

    @classmethod
    def of(cls, s: SensitivitySettings) -> SensitivityStudy:
        """The study a validated file describes: one ``Metric`` per partner named."""
        partner = s.metric.partner
        partners = partner if isinstance(partner, list) else [partner]
        metrics = tuple(Metric(s.metric.name, p) for p in partners) if s.metric.name != "deals" else (
            Metric(s.metric.name, None),)
        return cls(name=s.name, method=s.method, samples=s.samples, second_order=s.second_order, levels=s.levels,
                   replications=s.replications, seed=s.seed, metric=metrics[0], parameters=s.parameters,
                   overrides=s.overrides, metrics=metrics)


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
    data = {"name": path.stem, **_read_yaml(path), **(changes or {})}
    s = validated(SensitivitySettings, data, f"invalid sensitivity study {path}", options=changes)
    return SensitivityStudy.of(s)


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
    except (yaml.YAMLError, ValueError) as error:  # ValueError: a date that does not exist (2025-02-30)
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
