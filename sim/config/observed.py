"""Observed outcomes as data: what was seen, each item with its date and source (docs/validation.md).

An observed-outcomes file (``sim/conf/observed/*.yaml``) lists deals (announcement and effective
dates, agreed rates per line), spells without a deal (no deal with a partner through a date) and
events (deadline extensions, letters, other countries' deals as context). :func:`load_observed`
reads one into :class:`Observed`. Each key is declared once (``sim.config.fields``), as in a
scenario: a bad file is refused with every error at once, each ``key=value: what is allowed``, a
misspelt key with the closest known one; ``tariffsim-schema --part observed`` exports the schema.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal, get_args

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic import model_validator

from sim.config.errors import config_error, dates_written
from sim.config.fields import TARIFF, Allowed, Problem, date, doc, items, mapping, number, one_of, refuse, text
from sim.config.paths import CONF

__all__ = ["Deal", "Event", "NoDeal", "OBSERVED_DIR", "Observed", "ObservedError", "StatusQuo", "load_observed",
           "resolve_observed"]

OBSERVED_DIR = CONF / "observed"  # the shipped files: state_2025-07-01.yaml, after_2025-07-01.yaml

LINE = r"^[a-z][a-z0-9_]{0,31}$"  # a US tariff line the scenario declares (scenario.issues), as runs.parquet's agreed_<line>
EventKind = Literal["deadline", "extension", "letter", "precedent", "rates_imposed"]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)

Day = Annotated[dt.date, date()]
Code = Annotated[str, Field(pattern=r"^[A-Z]{2,3}$"), text("must be a partner code of 2 or 3 capital letters (JPN, EU)")]
Rate = Annotated[float, number(0, 100, allowed=TARIFF)]


def _lines_named(rates: dict[str, float]) -> dict[str, float]:
    """Rates keyed by US tariff lines, each name written as the scenario declares it (``reciprocal``)."""
    bad: list[Problem] = [(f"rates.{k}", v, "must name a US tariff line of the scenario (scenario.issues) in lower-case "
                           "letters, digits and underscores (reciprocal, autos)") for k, v in rates.items()
                          if not re.fullmatch(LINE, k)]
    if bad:
        raise refuse(bad)
    return rates


Rates = Annotated[dict[str, Rate], AfterValidator(_lines_named), mapping(),
                  Field(json_schema_extra={"propertyNames": {"pattern": LINE}})]
Words = Annotated[str, text("must be text")]


class ObservedError(Exception):
    """An observed-outcomes file that cannot be used; the message names each bad key, its value and what is allowed."""


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Annotated[str, Field(min_length=3), text("must name the public report: outlet, title and date"),
                      doc("outlet, title and date of the public report")]


class Deal(_Item):
    """A deal announced with ``partner`` on ``announced``; ``effective`` when its rates entered into force."""

    partner: Annotated[Code, doc("the partner's code")]
    announced: Annotated[Day, doc("the day the deal was announced")]
    effective: Annotated[dt.date | None, date(), doc("the day its rates entered into force, if known")] = None
    rates: Annotated[Rates, doc("agreed US tariff per line of the scenario, %: reciprocal, autos, ...")] = {}
    note: Words = ""

    @field_validator("effective")
    @classmethod
    def _effective_after_announced(cls, effective: dt.date | None, info: ValidationInfo) -> dt.date | None:
        announced = info.data.get("announced")
        if effective is not None and announced is not None and effective < announced:
            raise refuse([("effective", effective.isoformat(), f"must be on or after announced ({announced})")])
        return effective


class NoDeal(_Item):
    """No deal with ``partner`` had been announced by ``through`` (inclusive)."""

    partner: Annotated[Code, doc("the partner's code")]
    through: Annotated[Day, doc("no deal had been announced by this day (inclusive)")]
    note: Words = ""


class Event(_Item):
    """A dated event: a ``deadline`` set (``new_deadline``), its ``extension`` (to ``new_deadline``), a
    ``letter`` to ``partner``, US ``rates_imposed`` on ``partner`` (``rate``), or a ``precedent``
    (another country's deal, context only)."""

    kind: Annotated[EventKind, one_of(EVENT_KINDS), doc("what happened")]
    date: Annotated[Day, doc("the day it happened")]
    partner: Annotated[str | None, text("must be a country code (JPN, GBR) or null"),
                       doc("the country concerned (letter, rates_imposed, precedent)")] = None
    new_deadline: Annotated[dt.date | None, date(), doc("deadline and extension: the deadline it sets")] = None
    rate: Annotated[Rate | None, doc("rates_imposed: the rate, %")] = None
    detail: Words = ""

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Event:
        if self.kind in ("deadline", "extension") and self.new_deadline is None:
            raise refuse([("new_deadline", None, f"is required for an event of kind {self.kind} (the deadline it sets)")],
                         field=False)
        if self.kind in ("letter", "rates_imposed", "precedent") and not self.partner:
            raise refuse([("partner", self.partner, f"is required for an event of kind {self.kind}")], field=False)
        return self


class StatusQuo(_Item):
    """The US tariff lines in force on ``date`` (the rates of the pause, sector tariffs): the naive
    forecast of an agreed rate, that nothing changes."""

    date: Annotated[Day, doc("the day these rates were in force")]
    rates: Annotated[Rates, doc("US tariff line -> its rate in force, %")]


class Observed(BaseModel):
    """What was observed by ``as_of``: deals, spells without a deal, events, and the dates at which
    "deal by this date" is scored (``check_dates``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: Annotated[Day, doc("the file holds only what was observed by this day")]
    description: Words = ""
    check_dates: Annotated[list[Day], Allowed("must be a list of dates written YYYY-MM-DD"),
                           doc("the days at which 'deal by this date' is scored")] = []
    deals: Annotated[list[Annotated[Deal, mapping()]], items(), doc("deals announced")] = []
    no_deals: Annotated[list[Annotated[NoDeal, mapping()]], items(), doc("spells without a deal")] = []
    events: Annotated[list[Annotated[Event, mapping()]], items(), doc("deadlines, extensions, letters, precedents")] = []
    status_quo: Annotated[StatusQuo | None, mapping(),
                          doc("the rates in force, the naive forecast agreed rates are scored against")] = None

    @model_validator(mode="after")
    def _consistent(self) -> Observed:
        rule = f"must be no later than as_of ({self.as_of}): a file holds only what was observed by its as_of date"
        dated = ([(f"deals[{i}].announced", d.announced) for i, d in enumerate(self.deals)]
                 + [(f"no_deals[{i}].through", n.through) for i, n in enumerate(self.no_deals)]
                 + [(f"events[{i}].date", e.date) for i, e in enumerate(self.events)]
                 + [(f"check_dates[{i}]", c) for i, c in enumerate(self.check_dates)]
                 + ([("status_quo.date", self.status_quo.date)] if self.status_quo is not None else []))
        problems: list[Problem] = [(key, day.isoformat(), rule) for key, day in dated if day > self.as_of]
        lines = sorted({line for d in self.deals for line in d.rates} - set(self.status_quo.rates if self.status_quo else {}))
        if lines:
            problems.append(("status_quo.rates" if self.status_quo else "status_quo",
                             self.status_quo.rates if self.status_quo else None,
                             f"must give the rate in force of each line the deals give rates for ({', '.join(lines)}; "
                             f"with its date and source): the naive forecast they are scored against"))
        codes = [d.partner for d in self.deals]
        problems += [("deals", code, "lists this partner twice; give one deal per partner")
                     for code in sorted({c for c in codes if codes.count(c) > 1})]
        for i, spell in enumerate(self.no_deals):
            deal = next((d for d in self.deals if d.partner == spell.partner), None)
            if deal is not None and deal.announced <= spell.through:
                problems.append((f"no_deals[{i}].through", spell.through.isoformat(),
                                 f"must be before the deal with {spell.partner} announced {deal.announced} (deals)"))
        if problems:
            raise refuse(problems, field=False)
        return self

    def partners(self) -> set[str]:
        """The run partners the file speaks of (precedents are context: other countries)."""
        return ({d.partner for d in self.deals} | {n.partner for n in self.no_deals}
                | {e.partner for e in self.events if e.partner and e.kind != "precedent"})

    def deal_by(self, partner: str, day: dt.date) -> bool | None:
        """Whether a deal with ``partner`` had been announced by ``day``; None where the file cannot say."""
        deal = next((d for d in self.deals if d.partner == partner), None)
        if deal is not None and deal.announced <= day:
            return True
        if any(n.partner == partner and n.through >= day for n in self.no_deals):
            return False
        if deal is not None:  # announced after day: no deal by day
            return False
        return None


def resolve_observed(name: str | Path) -> Path:
    """``name`` if it is a file, else the shipped file of that name (``after_2025-07-01`` or with ``.yaml``).

    Raises:
        ObservedError: neither exists; names the shipped files.
    """
    path = Path(name)
    if path.is_file():
        return path
    for shipped in (OBSERVED_DIR / path.name, OBSERVED_DIR / f"{path.name}.yaml"):
        if path.parent == Path(".") and shipped.is_file():
            return shipped
    names = ", ".join(sorted(p.stem for p in OBSERVED_DIR.glob("*.yaml")))
    raise ObservedError(f"{path}: no such file; give an observed-outcomes YAML file or the name of a shipped "
                        f"one ({names})")


def load_observed(path: str | Path) -> Observed:
    """Read and check an observed-outcomes YAML file.

    Raises:
        ObservedError: naming the file, then every bad key, its value and what is allowed.
    """
    path = resolve_observed(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as error:  # ValueError: undecodable bytes, a date that does not exist
        where = getattr(error, "problem_mark", None)
        at = f" (line {where.line + 1})" if where is not None else ""
        raise ObservedError(f"{path}: not valid YAML{at}: {getattr(error, 'problem', None) or error}") from None
    if not isinstance(raw, dict):
        raise ObservedError(f"{path}: expected a mapping with as_of, deals, no_deals, events, check_dates; "
                            f"got {type(raw).__name__}")
    try:
        return Observed.model_validate(dates_written(raw))
    except ValidationError as error:
        lines = config_error(error, Observed)
    raise ObservedError(f"invalid observed-outcomes file {path}:\n  " + "\n  ".join(lines))
