"""Calibration-study settings (``sim/conf/calibration/*.yaml``), validated before anything runs.

A study names judgement parameters by their dotted config keys, each with a prior (uniform on
``[low, high]``, or a normal of ``mean`` and ``sd`` truncated to ``[low, high]``), the
observed-outcomes file it is fitted to, the cut-off date (no observation dated later may be used),
the replications per candidate (on common seeds) and the ABC-SMC budget: particles per generation
(``population``), ``generations`` and ``min_epsilon`` (stop once the acceptance threshold is at or
below it). docs/calibration.md describes the format.

Each key is declared once, as a typed field of a frozen pydantic dataclass (``sim.config.fields``),
which is also what the commands read: a bad file is refused with every error at once
(``key=value: what is allowed``, "did you mean" for a misspelt key), and
``tariffsim-schema --part calibration`` exports the schema (docs/schema.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic.dataclasses import dataclass as settings

from sim.config.errors import ConfigError, validated
from sim.config.fields import SETTINGS, Allowed, at_least_one, date, doc, each_once, integer, items, mapping, number, one_of, refuse, text
from sim.config.paths import CONF
from sim.config.sensitivity_study import OVERRIDES_RULE, Override, Parameter

CALIBRATION_DIR = CONF / "calibration"
PriorName = Literal["uniform", "normal"]
PointEstimate = Literal["median", "mean"]
PRIORS: tuple[str, ...] = get_args(PriorName)
POINT_ESTIMATES: tuple[str, ...] = get_args(PointEstimate)


@settings(config=ConfigDict(SETTINGS, validate_by_name=True, validate_by_alias=True))
class Prior(Parameter):
    """One calibrated parameter: its dotted config key, its range and its prior on that range:
    ``kind``, written ``prior`` in the file (uniform, or normal with ``mean`` and ``sd``)."""

    kind: Annotated[PriorName, Field(alias="prior"), one_of(PRIORS),
                    doc("uniform on [low, high], or normal(mean, sd) truncated to [low, high]")] = "uniform"
    mean: Annotated[float | None, number(), doc("normal prior: its mean, within [low, high]")] = None
    sd: Annotated[float | None, number(0, lo_open=True), doc("normal prior: its standard deviation, > 0")] = None

    @field_validator("mean")
    @classmethod
    def _mean_in_range(cls, mean: float | None, info: ValidationInfo) -> float | None:
        low, high = info.data.get("low"), info.data.get("high")
        if mean is not None and low is not None and high is not None and not low <= mean <= high:
            raise refuse([("mean", mean, f"must be a number in [{low:g}, {high:g}]")])
        return mean

    @model_validator(mode="after")
    def _normal_has_mean_and_sd(self) -> Prior:
        given = [(k, v) for k, v in (("mean", self.mean), ("sd", self.sd))]
        if self.kind == "normal":
            missing = [(k, None, "is required for a normal prior") for k, v in given if v is None]
            if missing:
                raise refuse(missing, field=False)
        else:
            extra = [(k, v, f"is for a normal prior only (prior: normal); a {self.kind} prior takes none")
                     for k, v in given if v is not None]
            if extra:
                raise refuse(extra, field=False)
        return self

    @property
    def parameter(self) -> Parameter:
        """The parameter as ``sim.config.sensitivity_study.with_values`` sets it."""
        return Parameter(self.key, self.low, self.high, self.integer)


@settings(config=SETTINGS, kw_only=True)
class CalibrationStudy:
    """An ABC-SMC calibration of ``parameters`` against ``observed`` up to ``cutoff``."""

    name: Annotated[str, text("must be text"), doc("the study's name (default: the file's name)")] = ""
    observed: Annotated[str, text("must be the name of a shipped observed file (state_2025-07-01) or a path"),
                        doc("the observed-outcomes file fitted (sim/conf/observed/NAME.yaml, or a path)")]
    cutoff: Annotated[dt.date, date(), doc("no observation dated later is fitted")]
    replications: Annotated[int, integer(1, 10**4), doc("runs per candidate, on common seeds")]
    population: Annotated[int, integer(2, 10**6), doc("ABC-SMC particles per generation")]
    generations: Annotated[int, integer(1, 1000), doc("the most ABC-SMC generations")]
    min_epsilon: Annotated[float, number(0), doc("stop once the acceptance threshold is at or below this")] = 0.0
    seed: Annotated[int, integer(0, 2**32 - 1), doc("seed of the sampler and of the candidates' runs")]
    point_estimate: Annotated[PointEstimate, one_of(POINT_ESTIMATES),
                              doc("the posterior's weighted median or mean, written as a config")] = "median"
    parameters: Annotated[tuple[Annotated[Prior, mapping()], ...], items(), at_least_one("must list at least one {key, low, high}"),
                          each_once(lambda p: p.key, "lists this key twice; give each parameter once"),
                          doc("the parameters calibrated: {key, low, high, integer, prior, mean, sd}")]
    overrides: Annotated[tuple[Override, ...], Allowed(OVERRIDES_RULE),
                         doc("overrides of the base config, as on the tariffsim command line")] = ()
    day_scale: Annotated[float, number(0, lo_open=True),
                         doc("days: a deal-day difference of this much weighs as a share of 1")] = 30.0
    rate_scale: Annotated[float, number(0, lo_open=True),
                          doc("% points: an agreed-rate difference of this much weighs as a share of 1")] = 10.0

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
    data = {"name": path.stem, **_read_yaml(path), **(changes or {})}
    return validated(CalibrationStudy, data, f"invalid calibration study {path}", options=changes)


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
    except (yaml.YAMLError, ValueError) as error:  # ValueError: a date that does not exist (2025-02-30)
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
