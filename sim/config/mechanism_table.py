"""The declarative table of mechanisms (``sim/conf/mechanisms.yaml``): for each mechanism of the
articles, the overrides that switch it off or move it, and the effect it should have (partner,
outcome, direction, minimum size).

Each row compares a reference arm (the baseline, or the baseline with ``reference`` overrides)
with a changed arm (``changed`` overrides on top of the reference's), both written as on the
``tariffsim`` command line and validated by the project's config loader before any run.

Each key of the table is declared once, as a typed field of a frozen pydantic dataclass
(``sim.config.fields``), which is also what the commands read: a bad table is refused with every
error at once (``key=value: what is allowed``, "did you mean" for a misspelt key), and
``tariffsim-schema --part mechanisms`` exports the schema (docs/schema.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from hydra import compose, initialize_config_dir
from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator, model_validator
from pydantic.dataclasses import dataclass as settings
from pydantic_core import PydanticCustomError

from sim.config.errors import ConfigError, validated
from sim.config.fields import SETTINGS, Allowed, at_least_one, date, doc, each_once, integer, items, mapping, number, one_of, refuse, text
from sim.config.paths import CONF, CONF_DIR

TABLE = CONF / "mechanisms.yaml"

# Per partner and replication (see ``sim.apps.mechanisms.outcome_values``):
OUTCOMES = {
    "p_deal": "probability of a deal by the horizon",
    "p_deal_by": "probability of a deal on or before the date `by`",
    "deal_day": "median deal day (no deal counts as the day after the horizon)",
    "final_rate": "mean headline rate in force at the horizon, %",
    "deal_rate": "mean headline rate agreed in deals, % (unpaired)",
    "deal_<line>": "mean rate of that US tariff line agreed in deals, % (unpaired; e.g. deal_autos)",
    "p_extension": "probability that the US extends the deadline",
    "partner_value": "mean partner utility of the outcome (the deal, or its value of no deal)",
}
# An outcome is one of OUTCOMES or deal_<line>, a US tariff line the scenario declares (scenario.issues).
OUTCOME_PATTERN = "^(" + "|".join(k for k in OUTCOMES if k != "deal_<line>") + "|deal_[a-z][a-z0-9_]*)$"
OUTCOME_RULE = (f"must be one of {', '.join(k for k in OUTCOMES if k != 'deal_<line>')}, or deal_<line> for a US "
                "tariff line of the scenario (deal_autos)")
Direction = Literal["up", "down", "none"]
DIRECTIONS: tuple[str, ...] = get_args(Direction)
OVERRIDES_RULE = "must be a list of overrides written KEY=VALUE"
NAME_RULE = "must be a name of letters, digits and underscores"


def _overrides(value: Any) -> Any:
    """A list of ``KEY=VALUE`` strings, refused as a whole like the command line it copies; null: none."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and "=" in v for v in value):
        raise PydanticCustomError("overrides", OVERRIDES_RULE)
    return value


def _name(value: str) -> str:
    if not value.replace("_", "").isalnum():
        raise PydanticCustomError("name", NAME_RULE)
    return value


Overrides = Annotated[tuple[Annotated[str, Field(pattern="=")], ...], BeforeValidator(_overrides), Allowed(OVERRIDES_RULE)]


@settings(config=SETTINGS)
class Expectation:
    """What a mechanism should do to one partner's outcome."""

    partner: Annotated[str, text("must be one of the baseline's partners (scenario.partners)"),
                       doc("the partner whose outcome moves (a code of the baseline's scenario.partners)")]
    outcome: Annotated[str, text(OUTCOME_RULE), Field(pattern=OUTCOME_PATTERN), doc("what is measured: " + "; ".join(
        f"{k}: {v}" for k, v in OUTCOMES.items()))]
    direction: Annotated[Direction, one_of(DIRECTIONS), doc("up, down, or none (no significant effect)")]
    min_effect: Annotated[float, number(0), doc("the smallest effect, in the outcome's unit, that counts")] = 0.0
    by: Annotated[dt.date | None, date(), doc("p_deal_by: the date by which a deal counts")] = None

    @field_validator("partner")
    @classmethod
    def _a_baseline_partner(cls, partner: str, info: ValidationInfo) -> str:
        partners = (info.context or {}).get("partners") if isinstance(info.context, dict) else None
        if partners is not None and partner not in partners:  # built alone (dataclasses.replace): not checked
            raise refuse([("partner", partner, f"must be one of the baseline's partners (scenario.partners): "
                                               f"{', '.join(partners)}")])
        return partner

    @field_validator("outcome")
    @classmethod
    def _a_baseline_line(cls, outcome: str, info: ValidationInfo) -> str:
        lines = (info.context or {}).get("lines") if isinstance(info.context, dict) else None
        line = outcome.removeprefix("deal_")
        if lines is not None and outcome not in OUTCOMES and line not in lines:
            raise refuse([("outcome", outcome, f"deal_<line> must name a US tariff line of the baseline (scenario.issues): "
                                               f"{', '.join('deal_' + n for n in lines)}")])
        return outcome

    @model_validator(mode="after")
    def _by_for_p_deal_by(self) -> Expectation:
        if self.outcome == "p_deal_by" and self.by is None:
            raise refuse([("by", None, "is required for p_deal_by (a date written YYYY-MM-DD)")], field=False)
        return self


@settings(config=SETTINGS, kw_only=True)
class Mechanism:
    """One row of the table: a change and its expected effects."""

    name: Annotated[str, text(NAME_RULE), AfterValidator(_name), Field(pattern=r"^\w+$"),
                    doc("the row's name (letters, digits and underscores), as --only names it")]
    claim: Annotated[str, text("must be text"), doc("the articles' claim the row tests")] = ""
    reference: Annotated[Overrides, doc("overrides of the reference arm (none: the baseline)")] = ()
    changed: Annotated[Overrides, at_least_one("must list at least one override (KEY=VALUE)"),
                       doc("overrides of the changed arm, on top of the reference's")]
    expect: Annotated[tuple[Annotated[Expectation, mapping()], ...], items(),
                      at_least_one("must list at least one expected effect"), doc("the effects it should have")]


@settings(config=SETTINGS, kw_only=True)
class MechanismTable:
    """The whole table, with the replications, seed and significance level of its tests."""

    seed: Annotated[int, integer(0, 2**63 - 1), doc("top-level seed: both arms of every row run on its replications' seeds")]
    replications: Annotated[int, integer(2, 10**6), doc("replications per arm")]
    alpha: Annotated[float, number(0, 1, lo_open=True), doc("significance level of each test")] = 0.01
    mechanisms: Annotated[tuple[Annotated[Mechanism, mapping()], ...], items(),
                          at_least_one("the table lists no mechanism; list at least one"),
                          each_once(lambda m: m.name, "this name is used more than once; names must be unique"),
                          doc("the rows")]


def baseline_names() -> tuple[list[str], list[str]]:
    """What a mechanism's expectation may name, from the default config composed once: the
    partner codes the default scenario declares (``scenario.partners``, in its order) and its US
    tariff lines (``scenario.issues`` with a ``line``), for ``deal_<line>`` outcomes."""
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        cfg = compose("config")
    lines = [str(name) for name, issue in cfg.scenario.issues.items() if issue.get("line") is not None]
    return [str(code) for code in cfg.scenario.partners], lines


def load_table(path: Path = TABLE, replications: int | None = None, only: list[str] | None = None,
               seed: int | None = None, partners: Sequence[str] | None = None) -> MechanismTable:
    """Read and check the table; ``replications``, ``seed`` and ``only`` (mechanism names)
    replace the file's settings. Each expectation's ``partner`` must be one of ``partners``
    (default: the baseline's, ``baseline_names``).

    Raises:
        ConfigError: naming every bad key, its value and what is allowed.
    """
    try:
        data: Any = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError, ValueError) as error:  # ValueError: a date that does not exist
        raise ConfigError(f"cannot read the mechanism table {path}: {error}") from None
    if isinstance(data, dict):
        data = {**data, **({} if replications is None else {"replications": replications}),
                **({} if seed is None else {"seed": seed})}
    declared, lines = baseline_names()
    codes = tuple(declared if partners is None else partners)
    table = validated(MechanismTable, data, "invalid mechanism table", context={"partners": codes, "lines": lines})
    if only:
        names = [m.name for m in table.mechanisms]
        unknown = [n for n in only if n not in names]
        if unknown:
            raise ConfigError(f"invalid mechanism table:\n  --only {','.join(unknown)}: not in the table; "
                              f"allowed: {', '.join(names)}")
        table = MechanismTable(seed=table.seed, replications=table.replications, alpha=table.alpha,
                               mechanisms=tuple(m for m in table.mechanisms if m.name in only))
    return table
