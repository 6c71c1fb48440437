"""The typed scenario: every setting of one simulated world, validated before any run.

Each key of a scenario is declared once, here, as a typed field of a frozen pydantic dataclass:
its type, bounds, default and meaning (``sim.config.fields``). Those declarations give the
validation (``load_scenario``: every error at once, one ``ConfigError`` naming each key, its
value and what is allowed, unknown keys with a "did you mean"), the JSON Schema editors use
(``tariffsim-schema``, docs/schema.md) and the objects the model reads.

Where the model reads a setting in the shape the YAML writes it (the US, politics, elections,
the environment, red lines, events), the settings class is the model's class. A partner's YAML
(``PartnerSettings``) is reshaped into the ``Partner`` the model reads (its code from its key,
sector rates, curvatures merged into its issues, a colour from the cycle), and the scenario's
(``ScenarioSettings``) into ``Scenario``.

Rules between keys are validators of the settings that hold the keys: a field validator reads
the keys declared before it from ``info.data`` (absent when invalid, so one bad date gives one
message) and raises ``refuse([(key, value, allowed), ...])``. Rules of a part against the whole
scenario (an election, a red line or an event inside the horizon, an event's targets declared)
read what the scenario's earlier checks left in the validation context (``_shared``), so a bad
key elsewhere in a partner does not hide them.
"""

from __future__ import annotations

import datetime as dt
import re
from difflib import get_close_matches
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator, TypeAdapter, ValidationInfo
from pydantic import ValidationError, WithJsonSchema, field_validator, model_validator
from pydantic.dataclasses import dataclass as settings
from pydantic_core import PydanticCustomError

from sim.config.errors import config_error, unset_removed
from sim.config.fields import (
    KEY, SETTINGS, TARIFF, Allowed, Problem, date, doc, finite, integer, items, mapping, number, refuse,
)
from sim.config.instruments import CounterTariff, instrument_problems
from sim.config.errors import ConfigError
from sim.core.issues import Issue, headline_of, us_lines
from sim.strategies import STRATEGIES, Side, StrategySpec, strategy_spec

# A partner is any code declared under ``scenario.partners``: 2 to 5 capital letters (ISO 3166
# alpha-3 for a country, EU for the union). ALL (every partner, in event targets) and USA (the hub,
# ``scenario.us``) are taken.
PARTNER_CODE = re.compile(r"[A-Z]{2,5}")
CODE_RULE = "must be a partner code of 2 to 5 capital letters (JPN, EU, IND)"
RESERVED_CODES = {"ALL": "ALL means every partner in event targets",
                  "USA": "the United States is the hub (scenario.us)"}
# Colours of partners whose YAML gives none, in declaration order: colour-blind safe (the Okabe-Ito
# palette without black, which is the US's, and without yellow, unreadable as text on white; then
# Paul Tol's indigo, wine, olive and green for the seventh to tenth partner). Colours a partner sets
# itself are skipped; past ten the cycle repeats.
COLOUR_CYCLE = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7",
                "#332288", "#882255", "#999933", "#117733")
US_COLOUR = "#000000"
# An issue is any name declared under ``scenario.issues``: lower case, digits and underscores.
ISSUE_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
ISSUE_RULE = "must be an issue name of lower-case letters, digits and underscores (farm_access)"
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
EventKind = Literal["precedent", "market_shock", "sector_tariff", "talks_cut", "talks_resumed",
                    "concession", "attention", "partner_rate_change", "truce", "red_line", "deadline_change"]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
WEIGHT_TOLERANCE = 1e-6
CURVATURE_MAX = 20.0
CURVATURE_RULE = f"must be a curvature in [0, {CURVATURE_MAX:g}] (0: linear)"

Date = Annotated[dt.date, date()]
Unit = Annotated[float, number(0, 1)]
Tariff = Annotated[float, number(0, 100, allowed=TARIFF)]
Weight = Annotated[float, number(0, 1, allowed="must be a weight in [0, 1] (not negative)")]
Noise = Annotated[float, number(0, 0.2)]
Days = Annotated[int, integer(0, 365)]


def _strategy(side: Side) -> Any:
    """A strategy mapping (``name`` or ``_target_`` and the constructor's parameters) for ``side``,
    checked by ``sim.strategies.strategy_spec``; it becomes a ``StrategySpec``."""
    names = sorted(n for n, cls in STRATEGIES.items() if cls.info.side in (side, Side.BOTH))

    def check(value: Any) -> StrategySpec:
        if isinstance(value, StrategySpec):
            return value
        spec, errors = strategy_spec(value, side, KEY)
        if errors:
            raise PydanticCustomError("config_lines", "strategy refused", {"lines": errors})
        return spec

    schema = {"type": "object", "description": f"the {side.value} side's strategy: `name` (or `_target_`, "
              "a class's import path) and its parameters; `python -m sim.strategies` lists them",
              "properties": {"name": {"enum": names}, "_target_": {"type": "string"}},
              "additionalProperties": True}
    return Annotated[StrategySpec, PlainValidator(check), WithJsonSchema(schema)]


USStrategy = _strategy(Side.US)
PartnerStrategy = _strategy(Side.PARTNER)


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


Text = Annotated[str, BeforeValidator(_text)]


# --- The United States -----------------------------------------------------------------------


@settings(config=SETTINGS)
class UnitedStates:
    """The hub: the US negotiating team and its tactics."""

    aspiration: Annotated[float, number(0, 1, lo_open=True), doc("utility it opens at (0, 1]")]
    strategy: Annotated[USStrategy, doc("the US strategy")]
    attention: Annotated[int, integer(1, 20), doc("tables it can work on per day")]
    deal_value: Annotated[Unit, doc("utility of showing a deal")]
    stress_sensitivity: Annotated[float, number(0), doc("how much market stress above its threshold softens the US")]
    court_sensitivity: Annotated[Unit, doc("how much the court risk pushes toward a deal")]
    floors: Annotated[dict[str, Annotated[float, number(0, 100)]], mapping(),
                      doc("issue -> the lowest US tariff it accepts on that line (%)")]
    max_rate: Annotated[Tariff, doc("the highest tariff it names (%)")]
    letter_premium: Annotated[float, number(0, 100), doc("drawn letter rates reach the 2 Apr rate plus this many points")] = 0.0
    extension_spread: Annotated[Days, doc("an extension's length is drawn within the strategy's days ± this")] = 0
    implementation_lag_days: Annotated[Days, doc("a deal's tariff lines enter into force this many days after it is announced")] = 0
    implementation_lag_spread: Annotated[Days, doc("the lag is drawn per run and table within the days ± this (at least 0)")] = 0
    target_noise: Annotated[Noise, doc("sd of the day's tremble around the strategy's target (utility)")] = 0.0
    reservation_spread: Annotated[Noise, doc("sd of a per-run, per-table draw added to its reservation value")] = 0.0

    @field_validator("floors")
    @classmethod
    def _floors_name_issues(cls, floors: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        issues = _shared(info).get("issues")
        if issues is None:
            return floors
        unknown: list[Problem] = [(f"floors.{k}", v, f"must name an issue of scenario.issues: {', '.join(issues)}")
                                  for k, v in floors.items() if k not in issues]
        if unknown:
            raise refuse(unknown)
        return floors


# --- A partner's politics ------------------------------------------------------------------------


@settings(config=SETTINGS)
class Election:
    """A domestic election: ratification is harder as it nears; capital is reset on the day."""

    date: Annotated[Date, doc("election day")]
    weight: Annotated[Unit, doc("how much a deal before the vote costs at the polls")]
    window_days: Annotated[int, integer(1, 365), doc("days before the vote over which its shadow grows")]
    capital_after: Annotated[Unit, doc("political capital after the vote")]
    capital_spread: Annotated[Unit, doc("the result is drawn per run within capital_after ± this")] = 0.0
    salience_spread: Annotated[Unit, doc("a deal before the vote costs weight x U(1 ± this), per run")] = 0.0
    audience_cost: Annotated[Unit, doc("what a deal before the vote costs at the polls, as a share of weight, per 10 "
                                       "points the US has pushed the rate it names for no deal above its announced rate")] = 0.0

    @field_validator("date")
    @classmethod
    def _inside(cls, date: dt.date, info: ValidationInfo) -> dt.date:
        """An election before the start has been held; one after the end never happens in the run
        (and the researcher would read results as if it had counted)."""
        start, horizon = _shared(info).get("start"), _shared(info).get("horizon")
        if start is not None and date < start:
            raise refuse([("date", str(date), f"must not be before scenario.start ({start}); for an election "
                           "already held set {parent}.capital and remove the election")])
        if horizon is not None and date > horizon[1]:
            raise refuse([("date", str(date), f"must not be after scenario.end ({horizon[1]}); an election after "
                           "the horizon never happens in the run: remove it, or move scenario.end past it")])
        return date


@settings(config=SETTINGS)
class Politics:
    """A partner's domestic politics (Putnam's two-level game)."""

    capital: Annotated[Unit, doc("political capital on the first day")]
    capital_recovery: Annotated[Unit, doc("capital per day regained after a setback")]
    threat_cost: Annotated[Unit, doc("capital lost to a US threat")]
    failure_cost: Annotated[Unit, doc("capital lost when a deal fails at home")]
    failure_narrowing: Annotated[Unit, doc("what a deal rejected at home adds to the next one's demands")]
    threshold: Annotated[Unit, doc("margin over no deal a package needs at home")]
    capital_weight: Annotated[Unit, doc("how much weaker governments need more")]
    noise: Annotated[Unit, doc("spread of the domestic verdict")]
    election: Annotated[Election | None, mapping(), doc("an election within the horizon, or null")]
    confidence: Annotated[float, number(0, 0.99, lo_open=True, allowed="must be a probability in (0, 0.99]"),
                          doc("the chance of ratification the government wants before it signs")] = 0.5


@settings(config=SETTINGS)
class Retaliation:
    """What countermeasures do when a partner's strategy retaliates: its gain in leverage, the
    cost to the US (utility)."""

    gain: Annotated[Unit, doc("the partner's gain in leverage (utility)")]
    us_cost: Annotated[Unit, doc("the cost to the US (utility)")]


@settings(config=SETTINGS)
class RedLine:
    """The partner accepts no package with ``issue`` above ``max`` between ``start`` and ``until``
    (``from`` in the YAML)."""

    issue: Annotated[str, doc("one of the partner's issues")]
    max: Annotated[float, number(0), doc("the most the partner accepts on the issue (real units)")]
    start: Annotated[Date | None, Field(alias="from"), doc("first day it binds (null: from the start)")] = None
    until: Annotated[Date | None, doc("last day it binds (null: to the end)")] = None

    @field_validator("start")
    @classmethod
    def _from_inside(cls, start: dt.date | None, info: ValidationInfo) -> dt.date | None:
        horizon = _shared(info).get("horizon")
        if horizon is not None and start is not None and start > horizon[1]:
            raise refuse([("from", str(start), f"must fall inside the horizon {horizon[0]}..{horizon[1]} "
                           "(a red line that starts after it never binds: remove it instead)")])
        return start

    @field_validator("until")
    @classmethod
    def _after_from(cls, until: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start, horizon = info.data.get("start"), _shared(info).get("horizon")
        if start is not None and until is not None and until <= start:
            raise refuse([("until", str(until), f"must be after {{here}}.from ({start})")])
        if horizon is not None and until is not None and until < horizon[0]:
            raise refuse([("until", str(until), f"must fall inside the horizon {horizon[0]}..{horizon[1]} "
                           "(a red line that ends before it never binds: remove it instead)")])
        return until


# --- A partner, as its YAML writes it ------------------------------------------------------------


@settings(config=SETTINGS)
class IssueBounds:
    """One issue of a partner: its bounds (real units) and how much each side cares about it."""

    lo: Annotated[float, number(0, allowed="must be >= 0"), doc("lowest value (real units: % or $bn)")]
    hi: Annotated[float, number(0, allowed="must be >= 0"), doc("highest value (real units); above lo")]
    us_weight: Annotated[Weight, doc("the US's weight; the weights of a partner's issues sum to 1")]
    partner_weight: Annotated[Weight, doc("the partner's weight; the weights of its issues sum to 1")]

    @field_validator("hi")
    @classmethod
    def _above_lo(cls, hi: float, info: ValidationInfo) -> float:
        lo = info.data.get("lo")
        if lo is not None and hi <= lo:
            raise refuse([("hi", hi, f"must be above {{here}}.lo={lo:g}")])
        return hi


@settings(config=SETTINGS)
class CurvatureSides:
    """The curvature of one issue's value to each side (a side left out is linear)."""

    partner: Annotated[float, number(0, CURVATURE_MAX, allowed=CURVATURE_RULE), doc("to the partner")] = 0.0
    us: Annotated[float, number(0, CURVATURE_MAX, allowed=CURVATURE_RULE), doc("to the US (scaled by 1 - deficit_bn/imports_bn)")] = 0.0


def _sides(value: Any) -> Any:
    """``c`` stands for ``{partner: c, us: c}``."""
    if isinstance(value, dict | CurvatureSides):
        return value
    if not (finite(value) and 0 <= value <= CURVATURE_MAX):
        raise refuse([("", value, CURVATURE_RULE)], field=False)
    return {"partner": value, "us": value}


def _shown(c: CurvatureSides) -> Any:
    return c.partner if c.partner == c.us else {"partner": c.partner, "us": c.us}


_CURVE = {"type": "number", "minimum": 0, "maximum": CURVATURE_MAX}
Curvature = Annotated[CurvatureSides, BeforeValidator(_sides), WithJsonSchema(
    {"anyOf": [_CURVE, {"type": "object", "properties": {"partner": _CURVE, "us": _CURVE}, "additionalProperties": False}],
     "description": "one curvature for both sides, or {partner: c, us: c} (0: linear, > 0 concave)"})]


def _issue_name(name: str) -> str:
    if not ISSUE_NAME.fullmatch(name):
        raise refuse([("", name, ISSUE_RULE)])
    return name


IssueName = Annotated[str, AfterValidator(_issue_name), WithJsonSchema({"type": "string", "pattern": f"^{ISSUE_NAME.pattern}$"})]
SectorRate = Annotated[float | None, number(0, 100, allowed=TARIFF)]


@settings(config=SETTINGS)
class IssueDeclaration:
    """One issue the scenario's tables may bargain over (``scenario.issues``): its unit, whether it
    is a US tariff line, and a line of description. Each partner gives its bounds and weights."""

    unit: Annotated[Text, doc("unit of its real values: % (bounds within 0-100) or another, e.g. $bn")]
    line: Annotated[Literal["headline", "sector"] | None, Allowed(
        "must be headline (the US rate that pauses, letters and threats move), sector (another US tariff "
        "line, set by sector_tariff events) or null (a partner concession)"),
        doc("headline or sector: a US tariff line on the partner's goods; null: a partner concession")] = None
    description: Annotated[Text, doc("one line for tables and transcripts")] = ""

    @field_validator("line")
    @classmethod
    def _lines_in_percent(cls, line: str | None, info: ValidationInfo) -> str | None:
        unit = info.data.get("unit")
        if line is not None and unit is not None and unit != "%":
            raise refuse([("unit", unit, "must be % for a US tariff line ({here}.line: " + line + ")")])
        return line


@settings(config=SETTINGS, kw_only=True)
class PartnerSettings:
    """One trading partner as its YAML (``sim/conf/country/*.yaml``) writes it."""

    name: Annotated[str | None, BeforeValidator(_text), doc("the name in tables and figures (default: the code)")] = None
    colour: Annotated[str | None, Allowed(
        'must be a colour written #RRGGBB in quotes ("#FF9933"), or left out for one of the colour-blind-safe cycle'),
        Field(pattern=f"^{HEX_COLOUR.pattern}$"), doc("hex #RRGGBB for the figures (default: the next of a colour-blind-safe cycle)")] = None
    announced_rate: Annotated[Tariff, doc("headline rate the US threatens at the start, e.g. the 2 Apr 2025 rate (%)")]
    pause_rate: Annotated[Tariff, doc("rate in force during the pause (%)")]
    letter_rate: Annotated[float | None, number(0, 100, allowed=TARIFF),
                           doc("rate a letter imposes (%); null: the US picks it when it writes")] = None
    sector: Annotated[dict[str, SectorRate], mapping(),
                      doc("sector line (scenario.issues, line: sector) -> its tariff on the partner's goods (%); "
                          "null or left out: none applies")] = field(default_factory=dict)
    imports_bn: Annotated[float, number(0), doc("US goods imports from the partner ($bn)")]
    deficit_bn: Annotated[float, number(), doc("US goods deficit with the partner ($bn)")]
    issues: Annotated[dict[IssueName, IssueBounds], mapping(), doc("the issues of its table")]
    curvature: Annotated[dict[str, Curvature] | None, mapping(),
                         doc("issue -> concavity of its value (null or left out: every issue linear)")] = None
    red_lines: Annotated[tuple[RedLine, ...], items(), doc("packages it refuses whatever the alternative")] = ()
    aspiration: Annotated[float, number(0, 1, lo_open=True), doc("utility it opens at (0, 1]")]
    strategy: Annotated[PartnerStrategy, doc("its strategy")]
    reservation_shift: Annotated[float, number(-1, 1), doc("added to the value of no deal")] = 0.0
    politics: Annotated[Politics, mapping(), doc("domestic politics")]
    retaliation: Annotated[Retaliation, mapping(), doc("what its countermeasures do")]
    target_noise: Annotated[Noise, doc("sd of the day's tremble around the strategy's target (utility)")] = 0.0
    reservation_spread: Annotated[Noise, doc("sd of the per-run draw around reservation_shift")] = 0.0
    hesitancy: Annotated[float, number(0, 0.5), doc("what 10 points of US escalation add to its demands")] = 0.0
    hesitancy_days: Annotated[int, integer(1, 365), doc("time constant over which hesitancy fades")] = 30
    meeting_chance: Annotated[float, number(0, 1, lo_open=True), doc("chance its negotiators meet on a given day")] = 1.0
    deadline: Annotated[Date | None, doc("this table's own deadline, inside the horizon (null: the scenario's)")] = None
    counter_tariff: Annotated[CounterTariff | None, mapping(),
                              doc("its own tariff on US goods, which moves in rounds (docs/escalation.md); null: none")] = None

    @field_validator("sector")
    @classmethod
    def _sector_lines(cls, sector: dict[str, float | None], info: ValidationInfo) -> dict[str, float | None]:
        declared = _shared(info).get("issues")
        if declared is None:
            return sector
        lines = [name for name, line in declared.items() if line == "sector"]
        unknown: list[Problem] = [(f"sector.{k}", v, "must name a sector line of scenario.issues: "
                                   f"{', '.join(lines) or 'none declared (line: sector)'}")
                                  for k, v in sector.items() if k not in lines]
        if unknown:
            raise refuse(unknown)
        return sector

    @field_validator("issues")
    @classmethod
    def _issues_weigh_one(cls, issues: dict[str, IssueBounds], info: ValidationInfo) -> dict[str, IssueBounds]:
        declared = _shared(info).get("issues")
        units = _shared(info).get("units", {})
        problems: list[Problem] = []
        if not issues:
            problems.append(("", {}, "must list at least one issue of scenario.issues"
                             + (f": {', '.join(declared)}" if declared else "")))
        for name, bounds in issues.items():
            if declared is not None and name not in declared:
                close = get_close_matches(name, list(declared), 1)
                problems.append((name, name, "is not an issue of scenario.issues" + (f"; did you mean {close[0]}?" if close else "")
                                 + f"; allowed: {', '.join(declared)} (or declare it there)"))
                continue
            unit = units.get(name)
            for end in ("lo", "hi"):
                if unit == "%" and getattr(bounds, end) > 100:
                    problems.append((f"{name}.{end}", getattr(bounds, end), f"must be within 0–100 ({unit})"))
        for side in ("us_weight", "partner_weight"):
            total = sum(getattr(s, side) for s in issues.values())
            if issues and abs(total - 1.0) > WEIGHT_TOLERANCE:
                problems.append((f"*.{side}", round(total, 6), f"the {side} of all issues must sum to 1 "
                                 f"(within {WEIGHT_TOLERANCE:g}); they sum to {total:.6g}"))
        if problems:
            raise refuse([(f"issues.{k}" if k else "issues", v, a) for k, v, a in problems])
        return issues

    @field_validator("deadline")
    @classmethod
    def _deadline_inside(cls, deadline: dt.date | None, info: ValidationInfo) -> dt.date | None:
        horizon = _shared(info).get("horizon")
        if deadline is not None and horizon is not None and not horizon[0] < deadline <= horizon[1]:
            raise refuse([("deadline", str(deadline), f"must fall inside the horizon, after {horizon[0]} "
                           f"and no later than {horizon[1]} (or null: the scenario's deadline)")])
        return deadline

    @field_validator("curvature")
    @classmethod
    def _curvature_names_issues(cls, curvature: dict[str, CurvatureSides] | None,
                                info: ValidationInfo) -> dict[str, CurvatureSides] | None:
        issues = info.data.get("issues")
        if curvature and issues:
            unknown: list[Problem] = [(f"curvature.{k}", _shown(v), f"names no issue of {{owner}}; allowed: {', '.join(issues)}")
                                      for k, v in curvature.items() if k not in issues]
            if unknown:
                raise refuse(unknown)
        return curvature

    @field_validator("red_lines")
    @classmethod
    def _red_lines_on_issues(cls, lines: tuple[RedLine, ...], info: ValidationInfo) -> tuple[RedLine, ...]:
        issues = info.data.get("issues")
        problems: list[Problem] = []
        for i, line in enumerate(lines if issues else []):
            if line.issue not in issues:
                problems.append((f"red_lines[{i}].issue", line.issue, f"must be one of {{owner}}'s issues: {', '.join(issues)}"))
            elif not issues[line.issue].lo <= line.max <= issues[line.issue].hi:
                b = issues[line.issue]
                problems.append((f"red_lines[{i}].max", line.max,
                                 f"must be a value of {{owner}}'s issue {line.issue}, within {b.lo:g}–{b.hi:g}"))
        if problems:
            raise refuse(problems)
        return lines

    @field_validator("strategy")
    @classmethod
    def _protects_own_issues(cls, strategy: StrategySpec, info: ValidationInfo) -> StrategySpec:
        """A strategy that keeps ``protected`` issues off the table must name issues of the table."""
        issues, protected = info.data.get("issues"), strategy.params.get("protected")
        if issues and protected is not None:
            unknown = [p for p in protected if p not in issues]
            if unknown:
                raise refuse([("strategy.protected", list(protected), f"must name issues of {{owner}}'s table: "
                               f"{', '.join(issues)}; unknown: {', '.join(sorted(unknown))}")])
        return strategy


# --- The environment ----------------------------------------------------------------------------


@settings(config=SETTINGS)
class MarketStress:
    """A persistent market-stress index that jumps with escalation and decays otherwise."""

    initial: Annotated[float, number(0), doc("stress on the first day")]
    decay: Annotated[Unit, doc("share of a shock that fades per day")]
    threshold: Annotated[float, number(0), doc("above this the US gives ground")]
    threat: Annotated[float, number(0), doc("jump per US threat")]
    letter: Annotated[float, number(0), doc("jump per letter sent")]
    letters_imposed: Annotated[float, number(0), doc("jump when letter rates are imposed")]
    talks_cut: Annotated[float, number(0), doc("jump when talks are cut off")]
    retaliation: Annotated[float, number(0), doc("jump per countermeasure")]
    deal: Annotated[float, number(0), doc("fall per deal")]
    level: Annotated[Unit, doc("the calm level stress reverts to (0: decays to nothing)")] = 0.0
    volatility: Annotated[Unit, doc("sd of each day's news shock (0: a deterministic path)")] = 0.0


@settings(config=SETTINGS)
class Court:
    """Risk that the appeals court strikes the emergency (IEEPA) tariffs down."""

    hearing: Annotated[Date, doc("the hearing's date")]
    ramp_days: Annotated[int, integer(1, 365), doc("days before the hearing over which the risk is priced in")]
    strike_probability: Annotated[Unit, doc("chance the tariffs are struck down and stay down")]


@settings(config=SETTINGS)
class Environment:
    """Everything outside the negotiating rooms."""

    market_stress: Annotated[MarketStress, mapping(), doc("the market-stress index")]
    court: Annotated[Court, mapping(), doc("the court case against the emergency tariffs")]
    precedent_weight: Annotated[Unit, doc("what each new deal adds to the others' reservation values")]


# --- Events -------------------------------------------------------------------------------------


def _targets(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


@settings(config=SETTINGS)
class OutsideEvent:
    """A dated event from the record (the UK deal, steel doubled, Canada's talks cut …)."""

    date: Annotated[Date, doc("the day it happens, inside the horizon")]
    kind: Annotated[EventKind, Allowed(f"must be one of {', '.join(EVENT_KINDS)}"), doc("what happens")]
    targets: Annotated[tuple[str, ...], BeforeValidator(_targets),
                       Allowed("must be ALL or a list of the scenario's partners"),
                       doc("ALL or the partners it concerns")] = ("ALL",)
    amount: Annotated[float, number(), doc("its size: a tariff (%) for sector_tariff and partner_rate_change, days "
                                           "for truce and deadline_change, the new most (real units) for red_line, "
                                           "a utility or stress otherwise")] = 0.0
    issue: Annotated[str | None, Field(validate_default=True),
                     doc("the issue it concerns (a US tariff line for sector_tariff; required for red_line)")] = None
    detail: Annotated[Text, doc("what happened, for transcripts (default: the kind)")] = ""

    @model_validator(mode="before")
    @classmethod
    def _detail_defaults_to_kind(cls, data: Any) -> Any:
        if isinstance(data, dict) and "detail" not in data and "kind" in data:
            return {**data, "detail": data["kind"]}
        return data

    @field_validator("date")
    @classmethod
    def _date_inside(cls, date: dt.date, info: ValidationInfo) -> dt.date:
        horizon = _shared(info).get("horizon")
        if horizon is not None and not horizon[0] <= date <= horizon[1]:
            raise refuse([("date", str(date), f"must fall inside the horizon {horizon[0]}..{horizon[1]} "
                           "(remove the event instead)")])
        return date

    @field_validator("targets")
    @classmethod
    def _targets_declared(cls, targets: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        partners = _shared(info).get("partners")
        if partners is None:
            return targets
        declared = ", ".join(partners) or "none declared"
        unknown: list[Problem] = [("targets", t, "must be ALL or partners the scenario declares (scenario.partners): "
                                   f"{declared}; declare {t} there or remove it from the event")
                                  for t in targets if t != "ALL" and t not in partners]
        if unknown:
            raise refuse(unknown)
        instruments = _shared(info).get("instruments")
        if instruments is not None:
            problems: list[Problem] = [("targets", list(targets), allowed) for _, _, allowed in instrument_problems(
                [("targets", info.data.get("kind", ""), targets)], {c: True if on else None for c, on in instruments.items()})]
            if problems:
                raise refuse(problems)
        return targets

    @field_validator("amount")
    @classmethod
    def _sector_tariff_amount(cls, amount: float, info: ValidationInfo) -> float:
        kind = info.data.get("kind")
        if kind in ("sector_tariff", "partner_rate_change") and not 0 <= amount <= 100:
            raise refuse([("amount", amount, TARIFF)])
        if kind == "truce" and not (float(amount).is_integer() and 1 <= amount <= 3650):
            raise refuse([("amount", amount, "must be a whole number of days in [1, 3650] (the truce's length)")])
        if kind == "deadline_change" and not (float(amount).is_integer() and 0 <= amount <= 3650):
            raise refuse([("amount", amount, "must be a whole number of days in [0, 3650]: the targets' deadline "
                           "moves to that many days after the event")])
        if kind == "red_line" and amount < 0:
            raise refuse([("amount", amount, "must be >= 0: the most the targets accept on the issue from this "
                           "day (real units; the issue's upper bound or more lifts the line)")])
        return amount

    @field_validator("issue")
    @classmethod
    def _issue_fits_kind(cls, issue: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        declared = _shared(info).get("issues")
        if declared is None:
            return issue
        lines = tuple(name for name, line in declared.items() if line is not None)
        if kind == "sector_tariff" and issue not in lines:
            raise refuse([("issue", issue, f"a sector_tariff event must name a US tariff line of scenario.issues: {', '.join(lines)}")])
        if kind == "red_line" and issue not in declared:
            raise refuse([("issue", issue, f"a red_line event must name an issue of scenario.issues: {', '.join(declared)}")])
        if kind == "concession" and issue not in declared:
            raise refuse([("issue", issue, f"a concession event must name an issue of scenario.issues: {', '.join(declared)}")])
        if issue is not None and issue not in declared:
            raise refuse([("issue", issue, f"must name an issue of scenario.issues: {', '.join(declared)}")])
        return issue


# --- The scenario -------------------------------------------------------------------------------


def _partner_code(code: str) -> str:
    if not PARTNER_CODE.fullmatch(code) or code in RESERVED_CODES:
        why = RESERVED_CODES.get(code, "")
        raise refuse([("", code, f"{CODE_RULE}{'; ' + why if why else ''}")])
    return code


PartnerCode = Annotated[str, AfterValidator(_partner_code),
                        WithJsonSchema({"type": "string", "pattern": r"^[A-Z]{2,5}$", "not": {"enum": list(RESERVED_CODES)}})]


@settings(config=SETTINGS, kw_only=True)
class ScenarioSettings:
    """One simulated world as ``cfg.scenario`` holds it once Hydra has composed it."""

    name: Annotated[Text, doc("the scenario's name")]
    start: Annotated[Date, doc("first simulated day")]
    end: Annotated[Date, doc("last simulated day")]
    deadline: Annotated[Date, doc("the day the pause ends, inside the horizon")]
    issues: Annotated[dict[IssueName, IssueDeclaration], mapping(),
                      doc("name -> an issue the tables may bargain over (one line: headline); in a scenario's "
                          "defaults list: /issues@issues: trade_2025 (sim/conf/issues/)")]
    us: Annotated[UnitedStates, mapping(), doc("the United States (sim/conf/country/usa.yaml)")]
    environment: Annotated[Environment, mapping(), doc("markets, court and precedent")]
    partners: Annotated[dict[PartnerCode, PartnerSettings], mapping(),
                        doc("code -> partner (in a scenario's defaults list: /country@partners.JPN: jpn)")]
    events: Annotated[tuple[OutsideEvent, ...], items(), doc("dated outside events")] = ()

    @field_validator("start")
    @classmethod
    def _note_start(cls, start: dt.date, info: ValidationInfo) -> dt.date:
        _shared(info)["start"] = start
        return start

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise refuse([("end", str(end), f"must be after {{here}}.start ({start})")])
        if start is not None:
            _shared(info)["horizon"] = (start, end)
        return end

    @field_validator("deadline")
    @classmethod
    def _deadline_inside(cls, deadline: dt.date, info: ValidationInfo) -> dt.date:
        horizon = _shared(info).get("horizon")
        if horizon is not None and not horizon[0] < deadline <= horizon[1]:
            raise refuse([("deadline", str(deadline), f"must fall inside the horizon, after {horizon[0]} "
                           f"and no later than {horizon[1]}")])
        return deadline

    @field_validator("issues", mode="before")
    @classmethod
    def _note_issues(cls, issues: Any, info: ValidationInfo) -> Any:
        """The issues declared and their kinds of line, for the checks of the US, the partners and
        the events (read even where a declaration fails, so one bad unit gives one message)."""
        if isinstance(issues, dict):
            _shared(info)["issues"] = {n: (d.get("line") if isinstance(d, dict) else getattr(d, "line", None))
                                       for n, d in issues.items() if isinstance(n, str)}
            _shared(info)["units"] = {n: (d.get("unit") if isinstance(d, dict) else getattr(d, "unit", None))
                                      for n, d in issues.items() if isinstance(n, str)}
        return issues

    @field_validator("issues")
    @classmethod
    def _one_headline(cls, issues: dict[str, IssueDeclaration]) -> dict[str, IssueDeclaration]:
        heads = [name for name, d in issues.items() if d.line == "headline"]
        if len(heads) != 1:
            raise refuse([("issues", {n: d.line for n, d in issues.items() if d.line},
                           "must declare exactly one US tariff line with line: headline (the rate that pauses, "
                           f"letters and threats move); it declares {len(heads)}" + (f": {', '.join(heads)}" if heads else ""))])
        return issues

    @field_validator("partners", mode="before")
    @classmethod
    def _note_partners(cls, partners: Any, info: ValidationInfo) -> Any:
        """The codes declared, for the events' targets (read even where a partner's settings fail)."""
        if isinstance(partners, dict):
            _shared(info)["partners"] = [c for c in partners if isinstance(c, str) and PARTNER_CODE.fullmatch(c)
                                         and c not in RESERVED_CODES]
            # which declare an instrument, for events that act on one (partner_rate_change)
            _shared(info)["instruments"] = {c: isinstance(p, dict) and p.get("counter_tariff") is not None
                                            for c, p in partners.items() if c in _shared(info)["partners"]}
        return partners

    @field_validator("partners")
    @classmethod
    def _at_least_one_partner(cls, partners: dict[str, PartnerSettings]) -> dict[str, PartnerSettings]:
        if not partners:
            raise refuse([("partners", {}, "must declare at least one partner: a code of 2 to 5 capital letters "
                           "with the country's settings (in a scenario's defaults list: /country@partners.JPN: jpn)")])
        return partners


def _shared(info: ValidationInfo) -> dict[str, Any]:
    """What the scenario's checks leave for the checks of its parts, validated later: ``start``, the
    ``horizon`` once sound, the ``partners`` declared. Empty (and forgotten) when a part is built
    alone (``RedLine(...)``, ``dataclasses.replace``): the rules that need the scenario are skipped.

    Checks against a broken horizon would only repeat its one message, so it is absent then.
    """
    return info.context if isinstance(info.context, dict) else {}


# --- What the model reads -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueSettings:
    """Bounds of one issue (real units), how much each side cares about it and the curvature of
    its value to each side (``sim.core.values``: 0 is linear, > 0 concave)."""

    lo: float
    hi: float
    us_weight: float
    partner_weight: float
    curvature: float = 0.0
    us_curvature: float = 0.0
    unit: str = "%"  # from the scenario's declaration of the issue (scenario.issues)
    us_line: bool = False  # a US tariff line (the partner wants it low), not a partner concession

    @property
    def shape(self) -> str:
        """``linear`` or ``concave`` (to either side)."""
        return "concave" if self.curvature > 0 or self.us_curvature > 0 else "linear"


@dataclass(frozen=True)
class Partner:
    """One trading partner of the United States, as the model reads it (from ``PartnerSettings``)."""

    code: str
    name: str
    announced_rate: float
    letter_rate: float
    lines: dict[str, float | None]  # each US tariff line of the scenario, the headline first -> its rate in force at the start (None: none applies)
    imports_bn: float
    deficit_bn: float
    issues: dict[str, IssueSettings]
    aspiration: float
    strategy: StrategySpec
    reservation_shift: float
    red_lines: tuple[RedLine, ...]
    politics: Politics
    retaliation: Retaliation
    letter_drawn: bool = False  # letter_rate: null: the US picks the rate when it writes (us_tactics)
    target_noise: float = 0.0
    reservation_spread: float = 0.0
    hesitancy: float = 0.0
    hesitancy_days: int = 30
    meeting_chance: float = 1.0
    colour: str | None = None  # hex #RRGGBB for the figures; None in the YAML: one from COLOUR_CYCLE
    counter_tariff: CounterTariff | None = None  # its tariff on US goods (sim.config.instruments); None: none
    deadline: dt.date | None = None  # its table's own deadline; None: the scenario's

    @property
    def headline(self) -> str:
        """The name of the headline US tariff line (the one ``pause_rate`` is in force on)."""
        return next(iter(self.lines))

    @property
    def pause_rate(self) -> float:
        """The headline rate in force during the pause (%): the first of ``lines``."""
        return self.lines[self.headline]

    @classmethod
    def of(cls, code: str, s: PartnerSettings, declared: dict[str, Issue]) -> Partner:
        """The partner ``code`` from its validated settings and the scenario's ``declared`` issues."""
        curvature = s.curvature or {}
        issues = {name: IssueSettings(b.lo, b.hi, b.us_weight, b.partner_weight,
                                      curvature[name].partner if name in curvature else 0.0,
                                      curvature[name].us if name in curvature else 0.0,
                                      declared[name].unit, declared[name].us_line)
                  for name, b in s.issues.items()}
        headline = headline_of(declared)
        lines = {name: s.pause_rate if name == headline else s.sector.get(name) for name in us_lines(declared)}
        # No letter rate given: the US names one when it writes, drawn per run (us_tactics); until
        # then no deal means the 2 Apr rate it promised to restore.
        return cls(
            code=code, name=code if s.name is None else s.name, announced_rate=s.announced_rate,
            letter_rate=s.announced_rate if s.letter_rate is None else s.letter_rate,
            lines=lines, imports_bn=s.imports_bn,
            deficit_bn=s.deficit_bn, issues=issues, aspiration=s.aspiration, strategy=s.strategy,
            reservation_shift=s.reservation_shift, red_lines=tuple(s.red_lines), politics=s.politics,
            retaliation=s.retaliation, letter_drawn=s.letter_rate is None, target_noise=s.target_noise,
            reservation_spread=s.reservation_spread, hesitancy=s.hesitancy, hesitancy_days=s.hesitancy_days,
            meeting_chance=s.meeting_chance, colour=s.colour.upper() if s.colour else None,
            counter_tariff=s.counter_tariff, deadline=s.deadline,
        )


@dataclass(frozen=True)
class Scenario:
    """One simulated world: calendar, the US, the partners, the environment and dated events."""

    name: str
    start: dt.date
    end: dt.date
    deadline: dt.date
    us: UnitedStates
    partners: dict[str, Partner]
    environment: Environment
    events: tuple[OutsideEvent, ...] = field(default=())
    issues: dict[str, Issue] = field(default_factory=dict)  # the issues declared (scenario.issues), in order

    @property
    def days(self) -> int:
        """Number of simulated days, both ends included."""
        return (self.end - self.start).days + 1

    @classmethod
    def of(cls, s: ScenarioSettings) -> Scenario:
        """The scenario from its validated settings; partners without a colour get one."""
        issues = {name: Issue(name, d.unit, d.line, d.description) for name, d in s.issues.items()}
        partners = _coloured({code: Partner.of(code, p, issues) for code, p in s.partners.items()})
        return cls(s.name, s.start, s.end, s.deadline, s.us, partners, s.environment, tuple(s.events), issues)


def _coloured(partners: dict[str, Partner]) -> dict[str, Partner]:
    """Each partner without a colour gets the next of ``COLOUR_CYCLE`` that no partner (nor the US)
    has, in declaration order; past the cycle's end, colours repeat."""
    taken = {US_COLOUR} | {p.colour for p in partners.values() if p.colour}
    free = [c for c in COLOUR_CYCLE if c not in taken] or list(COLOUR_CYCLE)
    out, i = {}, 0
    for code, partner in partners.items():
        if partner.colour is None:
            partner = replace(partner, colour=free[i % len(free)])
            i += 1
        out[code] = partner
    return out


SCENARIO = TypeAdapter(ScenarioSettings)


def load_scenario(data: Any, path: str = "scenario") -> Scenario:
    """Validate ``data`` (a plain mapping, ``cfg.scenario``) and build the scenario.

    Raises:
        ConfigError: listing every bad key, its value and what is allowed.
    """
    try:
        return Scenario.of(SCENARIO.validate_python(unset_removed(data), context={}))
    except ValidationError as error:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(config_error(error, ScenarioSettings, path))) from None
