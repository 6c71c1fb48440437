"""The typed scenario: every setting of one simulated world, validated before any run.

``load_scenario`` turns the plain mapping Hydra composes (``cfg.scenario``) into frozen
dataclasses, refusing unknown keys, wrong types and values out of range with one ``ConfigError``
that names each key, its value and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sim.config.instruments import CounterTariff, instrument_problems, read_counter_tariff
from sim.config.reader import ConfigError, Reader
from sim.core.issues import ISSUES
from sim.strategies import Side, StrategySpec, strategy_spec

TARIFF = "must be a tariff in percent, within 0–100"

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
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
EVENT_KINDS = ("precedent", "market_shock", "sector_tariff", "talks_cut", "talks_resumed",
               "concession", "attention", "partner_rate_change", "truce")
WEIGHT_TOLERANCE = 1e-6


CURVATURE_MAX = 20.0


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

    @property
    def shape(self) -> str:
        """``linear`` or ``concave`` (to either side)."""
        return "concave" if self.curvature > 0 or self.us_curvature > 0 else "linear"


@dataclass(frozen=True)
class RedLine:
    """The partner accepts no package with ``issue`` above ``max`` between ``start`` and ``until``."""

    issue: str
    max: float
    start: dt.date | None
    until: dt.date | None


@dataclass(frozen=True)
class Election:
    """A domestic election: ratification is harder as it nears; capital is reset on the day."""

    date: dt.date
    weight: float
    window_days: int
    capital_after: float
    capital_spread: float = 0.0  # the result is drawn per run within capital_after ± capital_spread
    salience_spread: float = 0.0  # how much a deal before the vote would cost: weight x U(1 ± spread), per run


@dataclass(frozen=True)
class Politics:
    """A partner's domestic politics (Putnam's two-level game)."""

    capital: float
    capital_recovery: float
    threat_cost: float
    failure_cost: float
    failure_narrowing: float
    threshold: float
    capital_weight: float
    noise: float
    election: Election | None
    confidence: float = 0.5


@dataclass(frozen=True)
class Retaliation:
    """What countermeasures do when a partner's strategy retaliates: its gain in leverage, the
    cost to the US (utility)."""

    gain: float
    us_cost: float


@dataclass(frozen=True)
class Partner:
    """One trading partner of the United States."""

    code: str
    name: str
    announced_rate: float
    pause_rate: float
    letter_rate: float
    autos_rate: float | None
    steel_rate: float | None
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


@dataclass(frozen=True)
class UnitedStates:
    """The hub: the US negotiating team and its tactics."""

    aspiration: float
    strategy: StrategySpec
    attention: int
    deal_value: float
    stress_sensitivity: float
    court_sensitivity: float
    floors: dict[str, float]
    max_rate: float
    letter_premium: float = 0.0  # drawn letter rates reach the 2 Apr rate plus this many points
    extension_spread: int = 0  # an extension's length is drawn within the strategy's days ± this
    implementation_lag_days: int = 0  # a deal's tariff lines enter into force this many days after it is announced
    implementation_lag_spread: int = 0  # the lag is drawn per run and table within the days ± this (at least 0)
    target_noise: float = 0.0
    reservation_spread: float = 0.0


@dataclass(frozen=True)
class MarketStress:
    """A persistent market-stress index that jumps with escalation and decays otherwise."""

    initial: float
    decay: float
    threshold: float
    threat: float
    letter: float
    letters_imposed: float
    talks_cut: float
    retaliation: float
    deal: float
    level: float = 0.0  # the calm level stress reverts to (0: decays to nothing)
    volatility: float = 0.0  # sd of each day's news shock (0: a deterministic path)


@dataclass(frozen=True)
class Court:
    """Risk that the appeals court strikes the emergency (IEEPA) tariffs down."""

    hearing: dt.date
    ramp_days: int
    strike_probability: float


@dataclass(frozen=True)
class Environment:
    """Everything outside the negotiating rooms."""

    market_stress: MarketStress
    court: Court
    precedent_weight: float


@dataclass(frozen=True)
class OutsideEvent:
    """A dated event from the record (the UK deal, steel doubled, Canada's talks cut …)."""

    date: dt.date
    kind: str
    targets: tuple[str, ...]
    amount: float
    issue: str | None
    detail: str


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
    events: tuple[OutsideEvent, ...]

    @property
    def days(self) -> int:
        """Number of simulated days, both ends included."""
        return (self.end - self.start).days + 1


def load_scenario(data: Any, path: str = "scenario") -> Scenario:
    """Validate ``data`` (a plain mapping) and build the scenario.

    Raises:
        ConfigError: listing every bad key, its value and what is allowed.
    """
    errors: list[str] = []
    scenario = _scenario(Reader(data, path, errors))
    if errors:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(errors))
    return scenario


def _scenario(r: Reader) -> Scenario:
    name = str(r.raw("name"))
    start, end, deadline = r.date("start"), r.date("end"), r.date("deadline")
    if start is not None and end is not None and end <= start:
        r.error(r.key("end"), str(end), f"must be after {r.key('start')} ({start})")
    # Checks against the horizon only once the horizon itself is sound: one bad date, one message.
    horizon = (start, end) if start is not None and end is not None and start < end else None
    if horizon is not None and deadline is not None and not start < deadline <= end:
        r.error(r.key("deadline"), str(deadline),
                f"must fall inside the horizon, after {start} and no later than {end}")
    us = _us(r.child("us"))
    environment = _environment(r.child("environment"))
    partners_r = r.child("partners")
    partners = {}
    for code in partners_r.data:
        if not isinstance(code, str) or not PARTNER_CODE.fullmatch(code) or code in RESERVED_CODES:
            partners_r.used.add(code)
            why = RESERVED_CODES.get(code, "") if isinstance(code, str) else ""
            partners_r.error(partners_r.key(str(code)), code, f"{CODE_RULE}{'; ' + why if why else ''}")
            continue
        partners[code] = _partner(partners_r.child(code), code, start)
    partners_r.finish()
    if not partners_r.data:
        partners_r.error(partners_r.path, {}, "must declare at least one partner: a code of 2 to 5 capital letters "
                         "with the country's settings (in a scenario's defaults list: /country@partners.JPN: jpn)")
    partners = _coloured(partners)
    if horizon is not None:
        _dates_inside(partners_r, partners, horizon)
    event_readers = r.items("events")
    events = tuple(_event(er, horizon, partners) for er in event_readers)
    for key, targets, allowed in instrument_problems(
            [(er.key("targets"), e.kind, e.targets) for er, e in zip(event_readers, events)],
            {code: p.counter_tariff for code, p in partners.items()}):
        r.error(key, list(targets), allowed)
    r.finish()
    for issue in us.floors:
        if issue not in ISSUES:
            r.error(f"{r.key('us.floors')}.{issue}", us.floors[issue], f"must name an issue: {', '.join(ISSUES)}")
    return Scenario(name, start, end, deadline, us, partners, environment, events)


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


def _us(r: Reader) -> UnitedStates:
    f = r.child("floors", {})
    floors = {str(k): f.number(str(k), 0, 100) for k in f.data}
    f.finish()
    us = UnitedStates(
        aspiration=r.number("aspiration", 0, 1, lo_open=True), strategy=_strategy(r, Side.US),
        attention=r.integer("attention", 1, 20), deal_value=r.number("deal_value", 0, 1),
        stress_sensitivity=r.number("stress_sensitivity", 0), court_sensitivity=r.number("court_sensitivity", 0, 1),
        floors=floors, max_rate=r.number("max_rate", 0, 100, allowed=TARIFF),
        letter_premium=r.number("letter_premium", 0, 100, default=0.0),
        extension_spread=r.integer("extension_spread", 0, 365, default=0),
        implementation_lag_days=r.integer("implementation_lag_days", 0, 365, default=0),
        implementation_lag_spread=r.integer("implementation_lag_spread", 0, 365, default=0),
        target_noise=r.number("target_noise", 0, 0.2, default=0.0),
        reservation_spread=r.number("reservation_spread", 0, 0.2, default=0.0),
    )
    r.finish()
    return us


def _strategy(r: Reader, side: Side) -> StrategySpec:
    spec, errors = strategy_spec(r.raw("strategy"), side, r.key("strategy"))
    r.errors.extend(errors)
    return spec


def _environment(r: Reader) -> Environment:
    m = r.child("market_stress")
    stress = MarketStress(*(m.number(k, 0, lo_open=False) if k != "decay" else m.number(k, 0, 1)
                            for k in ("initial", "decay", "threshold", "threat", "letter", "letters_imposed",
                                      "talks_cut", "retaliation", "deal")),
                          level=m.number("level", 0, 1, default=0.0),
                          volatility=m.number("volatility", 0, 1, default=0.0))
    m.finish()
    c = r.child("court")
    court = Court(c.date("hearing"), c.integer("ramp_days", 1, 365), c.number("strike_probability", 0, 1))
    c.finish()
    env = Environment(stress, court, r.number("precedent_weight", 0, 1))
    r.finish()
    return env


def _partner(r: Reader, code: str, start: dt.date | None) -> Partner:
    name = str(r.raw("name", code))
    colour = r.raw("colour", None)
    if colour is not None and not (isinstance(colour, str) and HEX_COLOUR.fullmatch(colour)):
        r.error(r.key("colour"), colour, 'must be a colour written #RRGGBB in quotes ("#FF9933"), or left out '
                "for one of the colour-blind-safe cycle")
        colour = None
    rates = {k: r.number(k, 0, 100, allowed=TARIFF) for k in ("announced_rate", "pause_rate")}
    # No letter rate given: the US names one when it writes, drawn per run (us_tactics); until
    # then no deal means the 2 Apr rate it promised to restore.
    letter_drawn = r.raw("letter_rate", None) is None
    rates["letter_rate"] = (rates["announced_rate"] if letter_drawn
                            else r.number("letter_rate", 0, 100, allowed=TARIFF))
    sector = r.child("sector")
    autos = None if sector.raw("autos", None) is None else sector.number("autos", 0, 100, allowed=TARIFF)
    steel = None if sector.raw("steel", None) is None else sector.number("steel", 0, 100, allowed=TARIFF)
    sector.finish()
    issues = _issues(r.child("issues"), code)
    if r.raw("curvature", None) is not None:  # null or absent: every issue linear
        issues = _curvatures(r.child("curvature"), code, issues)
    red_lines = tuple(_red_line(lr, code, issues) for lr in r.items("red_lines"))
    aspiration = r.number("aspiration", 0, 1, lo_open=True)
    partner = Partner(
        code=code, name=name, announced_rate=rates["announced_rate"], pause_rate=rates["pause_rate"],
        letter_rate=rates["letter_rate"], autos_rate=autos, steel_rate=steel,
        imports_bn=r.number("imports_bn", 0), deficit_bn=r.number("deficit_bn"),
        issues=issues, aspiration=aspiration, strategy=_strategy(r, Side.PARTNER),
        reservation_shift=r.number("reservation_shift", -1, 1, default=0.0), red_lines=red_lines,
        politics=_politics(r.child("politics"), start), retaliation=_retaliation(r.child("retaliation")),
        letter_drawn=letter_drawn,
        target_noise=r.number("target_noise", 0, 0.2, default=0.0),
        reservation_spread=r.number("reservation_spread", 0, 0.2, default=0.0),
        hesitancy=r.number("hesitancy", 0, 0.5, default=0.0),
        hesitancy_days=r.integer("hesitancy_days", 1, 365, default=30),
        meeting_chance=r.number("meeting_chance", 0, 1, default=1.0, lo_open=True),
        colour=colour.upper() if colour else None,
        counter_tariff=read_counter_tariff(r),
    )
    r.finish()
    return partner


def _red_line(r: Reader, code: str, issues: dict[str, IssueSettings]) -> RedLine:
    issue = r.raw("issue")
    known = isinstance(issue, str) and issue in issues
    if issues and issue is not None and not known:  # no issues at all: already reported
        r.error(r.key("issue"), issue, f"must be one of {code}'s issues: {', '.join(issues)}")
    if known:
        bounds = issues[issue]
        top = r.number("max", bounds.lo, bounds.hi,
                       allowed=f"must be a value of {code}'s issue {issue}, within {bounds.lo:g}–{bounds.hi:g}")
    else:
        top = r.number("max", 0)
    start, until = r.date("from", None), r.date("until", None)
    if start is not None and until is not None and until <= start:
        r.error(r.key("until"), str(until), f"must be after {r.key('from')} ({start})")
    r.finish()
    return RedLine(issue, top, start, until)


def _issues(r: Reader, code: str) -> dict[str, IssueSettings]:
    issues: dict[str, IssueSettings] = {}
    if not r.data:
        r.error(r.path, {}, f"must list at least one issue of: {', '.join(ISSUES)}")
    for name in r.data:
        if name not in ISSUES:
            r.used.add(name)
            r.error(r.key(str(name)), name, f"is not a known issue; allowed: {', '.join(ISSUES)}")
            continue
        ir = r.child(name)
        unit = ISSUES[name].unit
        top = 100.0 if unit == "%" else None
        lo = ir.number("lo", 0, top, allowed=f"must be within 0–{top:g} ({unit})" if top else "must be >= 0")
        hi = ir.number("hi", 0, top, allowed=f"must be within 0–{top:g} ({unit})" if top else "must be >= 0")
        if hi <= lo:
            ir.error(ir.key("hi"), hi, f"must be above {ir.key('lo')}={lo:g}")
        issues[name] = IssueSettings(lo, hi, ir.number("us_weight", 0, 1, allowed="must be a weight in [0, 1] (not negative)"),
                                     ir.number("partner_weight", 0, 1, allowed="must be a weight in [0, 1] (not negative)"))
        ir.finish()
    for side in ("us_weight", "partner_weight"):
        total = sum(getattr(s, side) for s in issues.values())
        if issues and abs(total - 1.0) > WEIGHT_TOLERANCE:
            r.error(f"{r.path}.*.{side}", round(total, 6),
                    f"the {side} of all issues must sum to 1 (within {WEIGHT_TOLERANCE:g}); they sum to {total:.6g}")
    return issues


def _curvatures(r: Reader, code: str, issues: dict[str, IssueSettings]) -> dict[str, IssueSettings]:
    """The issues with their curvature from the partner's ``curvature`` mapping: issue -> ``c``
    (both sides) or ``{partner: c, us: c}`` (a side left out is linear); unlisted issues are linear."""
    out = dict(issues)
    allowed = f"must be a curvature in [0, {CURVATURE_MAX:g}] (0: linear)"
    for name in r.data:
        if name not in issues:
            r.used.add(name)
            if issues:
                r.error(r.key(str(name)), r.data[name], f"names no issue of {code}; allowed: {', '.join(issues)}")
            continue
        if isinstance(r.data[name], Mapping):
            sides = r.child(str(name))
            partner_c = sides.number("partner", 0, CURVATURE_MAX, default=0.0, allowed=allowed)
            us_c = sides.number("us", 0, CURVATURE_MAX, default=0.0, allowed=allowed)
            sides.finish()
        else:
            partner_c = us_c = r.number(str(name), 0, CURVATURE_MAX, allowed=allowed)
        out[name] = replace(issues[name], curvature=partner_c, us_curvature=us_c)
    r.finish()
    return out


def _politics(r: Reader, start: dt.date | None) -> Politics:
    election = None
    if r.raw("election", None) is not None:
        e = r.child("election")
        election = Election(e.date("date"), e.number("weight", 0, 1), e.integer("window_days", 1, 365),
                            e.number("capital_after", 0, 1), e.number("capital_spread", 0, 1, default=0.0),
                            e.number("salience_spread", 0, 1, default=0.0))
        if election.date is not None and start is not None and election.date < start:
            e.error(e.key("date"), str(election.date),
                    f"must not be before scenario.start ({start}); for an election already held set "
                    f"{r.key('capital')} and remove the election")
        e.finish()
    politics = Politics(
        capital=r.number("capital", 0, 1), capital_recovery=r.number("capital_recovery", 0, 1),
        threat_cost=r.number("threat_cost", 0, 1), failure_cost=r.number("failure_cost", 0, 1),
        failure_narrowing=r.number("failure_narrowing", 0, 1), threshold=r.number("threshold", 0, 1),
        capital_weight=r.number("capital_weight", 0, 1), noise=r.number("noise", 0, 1), election=election,
        confidence=r.number("confidence", 0, 0.99, default=0.5, lo_open=True, allowed="must be a probability in (0, 0.99]"),
    )
    r.finish()
    return politics


def _retaliation(r: Reader) -> Retaliation:
    out = Retaliation(r.number("gain", 0, 1), r.number("us_cost", 0, 1))
    r.finish()
    return out


def _dates_inside(r: Reader, partners: dict[str, Partner], horizon: tuple[dt.date, dt.date]) -> None:
    """Refuse an election after the horizon and a red line wholly outside it: the run would
    never reach them, and the researcher would read results as if they had counted."""
    start, end = horizon
    for code, partner in partners.items():
        election = partner.politics.election
        if election is not None and election.date is not None and election.date > end:
            r.error(f"{r.key(code)}.politics.election.date", str(election.date),
                    f"must not be after scenario.end ({end}); an election after the horizon never happens "
                    "in the run: remove it, or move scenario.end past it")
        for i, line in enumerate(partner.red_lines):
            if line.start is not None and line.start > end:
                r.error(f"{r.key(code)}.red_lines[{i}].from", str(line.start), f"must fall inside the horizon "
                        f"{start}..{end} (a red line that starts after it never binds: remove it instead)")
            elif line.until is not None and line.until < start:
                r.error(f"{r.key(code)}.red_lines[{i}].until", str(line.until), f"must fall inside the horizon "
                        f"{start}..{end} (a red line that ends before it never binds: remove it instead)")


def _event(r: Reader, horizon: tuple[dt.date, dt.date] | None, partners: dict[str, Partner]) -> OutsideEvent:
    date = r.date("date")
    if horizon is not None and date is not None and not horizon[0] <= date <= horizon[1]:
        r.error(r.key("date"), str(date),
                f"must fall inside the horizon {horizon[0]}..{horizon[1]} (remove the event instead)")
    kind = r.choice("kind", EVENT_KINDS)
    targets = r.raw("targets", ["ALL"])
    if isinstance(targets, str):
        targets = [targets]
    declared = ", ".join(partners) or "none declared"
    if not isinstance(targets, list | tuple):
        r.error(r.key("targets"), targets, f"must be ALL or a list of the scenario's partners: {declared}")
        targets = []
    for t in targets:
        if t != "ALL" and t not in partners:
            r.error(r.key("targets"), t, f"must be ALL or partners the scenario declares (scenario.partners): "
                    f"{declared}; declare {t} there or remove it from the event")
    issue = r.raw("issue", None)
    known = isinstance(issue, str) and issue in ISSUES
    # A sector tariff sets one US tariff line; a concession gives ground on one issue: both need it.
    lines = tuple(name for name, i in ISSUES.items() if i.us_line)
    if kind == "sector_tariff" and issue not in lines:
        r.error(r.key("issue"), issue, f"a sector_tariff event must name a US tariff line: {', '.join(lines)}")
    elif kind == "concession" and not known:
        r.error(r.key("issue"), issue, f"a concession event must name an issue: {', '.join(ISSUES)}")
    elif issue is not None and not known:
        r.error(r.key("issue"), issue, f"must name an issue: {', '.join(ISSUES)}")
    if kind in ("sector_tariff", "partner_rate_change"):
        amount = r.number("amount", 0, 100, allowed=TARIFF)
    elif kind == "truce":  # its length in days: the deadline moves to the truce's end
        amount = float(r.integer("amount", 1, 3650))
    else:
        amount = r.number("amount", default=0.0)
    event = OutsideEvent(date, kind, tuple(t for t in targets if t == "ALL" or t in partners),
                         amount, issue, str(r.raw("detail", kind)))
    r.finish()
    return event
