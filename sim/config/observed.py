"""Observed outcomes as data: what was seen, each item with its date and source (docs/validation.md).

An observed-outcomes file (``sim/conf/observed/*.yaml``) lists deals (announcement and effective
dates, agreed rates per line), spells without a deal (no deal with a partner through a date) and
events (deadline extensions, letters, other countries' deals as context). :func:`load_observed`
reads one into :class:`Observed`, refusing unknown keys and wrong values with one line that names
the key, the value and what is allowed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.config.paths import CONF

__all__ = ["Deal", "Event", "NoDeal", "OBSERVED_DIR", "Observed", "ObservedError", "StatusQuo", "load_observed",
           "resolve_observed"]

OBSERVED_DIR = CONF / "observed"  # the shipped files: state_2025-07-01.yaml, after_2025-07-01.yaml

LINE = r"^[a-z][a-z0-9_]{0,31}$"  # a US tariff line the scenario declares (scenario.issues), as runs.parquet's agreed_<line>
EVENT_KINDS = ("deadline", "extension", "letter", "precedent", "rates_imposed")


class ObservedError(Exception):
    """An observed-outcomes file that cannot be used; the message names the key, the value and what is allowed."""


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Annotated[str, Field(min_length=3)]  # outlet, title and date of the public report


class Deal(_Item):
    """A deal announced with ``partner`` on ``announced``; ``effective`` when its rates entered into force."""

    partner: Annotated[str, Field(pattern=r"^[A-Z]{2,3}$")]
    announced: dt.date
    effective: dt.date | None = None
    rates: dict[Annotated[str, Field(pattern=LINE)], Annotated[float, Field(ge=0, le=100)]] = {}
    note: str = ""

    @model_validator(mode="after")
    def _effective_after_announced(self) -> Deal:
        if self.effective is not None and self.effective < self.announced:
            raise ValueError(f"effective {self.effective} is before announced {self.announced}")
        return self


class NoDeal(_Item):
    """No deal with ``partner`` had been announced by ``through`` (inclusive)."""

    partner: Annotated[str, Field(pattern=r"^[A-Z]{2,3}$")]
    through: dt.date
    note: str = ""


class Event(_Item):
    """A dated event: a ``deadline`` set (``new_deadline``), its ``extension`` (to ``new_deadline``), a
    ``letter`` to ``partner``, US ``rates_imposed`` on ``partner`` (``rate``), or a ``precedent``
    (another country's deal, context only)."""

    kind: Literal["deadline", "extension", "letter", "precedent", "rates_imposed"]
    date: dt.date
    partner: str | None = None
    new_deadline: dt.date | None = None
    rate: Annotated[float, Field(ge=0, le=100)] | None = None
    detail: str = ""

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Event:
        if self.kind in ("deadline", "extension") and self.new_deadline is None:
            raise ValueError(f"a {self.kind} event needs new_deadline (the deadline it sets)")
        if self.kind in ("letter", "rates_imposed", "precedent") and not self.partner:
            raise ValueError(f"a {self.kind} event needs partner")
        return self


class StatusQuo(_Item):
    """The US tariff lines in force on ``date`` (the rates of the pause, sector tariffs): the naive
    forecast of an agreed rate, that nothing changes."""

    date: dt.date
    rates: dict[Annotated[str, Field(pattern=LINE)], Annotated[float, Field(ge=0, le=100)]]


class Observed(BaseModel):
    """What was observed by ``as_of``: deals, spells without a deal, events, and the dates at which
    "deal by this date" is scored (``check_dates``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: dt.date
    description: str = ""
    check_dates: list[dt.date] = []
    deals: list[Deal] = []
    no_deals: list[NoDeal] = []
    events: list[Event] = []
    status_quo: StatusQuo | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Observed:
        dated = ([("deals", d.announced) for d in self.deals] + [("no_deals", n.through) for n in self.no_deals]
                 + [("events", e.date) for e in self.events] + [("check_dates", c) for c in self.check_dates])
        late = [(key, day) for key, day in dated if day > self.as_of]
        if late:
            raise ValueError(f"{late[0][0]} has a date {late[0][1]} after as_of {self.as_of}: a file holds "
                             f"only what was observed by its as_of date")
        lines = sorted({line for d in self.deals for line in d.rates} - set(self.status_quo.rates if self.status_quo else {}))
        if lines:
            raise ValueError(f"deals give rates for {', '.join(lines)}: status_quo must give the rate in force of each "
                             f"(its date, rates and source), the naive forecast they are scored against")
        if self.status_quo is not None and self.status_quo.date > self.as_of:
            raise ValueError(f"status_quo has a date {self.status_quo.date} after as_of {self.as_of}")
        codes = [d.partner for d in self.deals]
        if len(set(codes)) != len(codes):
            raise ValueError(f"deals lists a partner twice ({sorted(c for c in set(codes) if codes.count(c) > 1)})")
        for spell in self.no_deals:
            deal = next((d for d in self.deals if d.partner == spell.partner), None)
            if deal is not None and deal.announced <= spell.through:
                raise ValueError(f"no_deals says no deal with {spell.partner} through {spell.through}, "
                                 f"but deals has one announced {deal.announced}")
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


def _error_line(error: ValidationError, path: Path, raw: object) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    value = first.get("input")
    if first["type"] == "extra_forbidden":
        allowed = _allowed_keys(first["loc"], raw)
        return f"{path}: unknown key {key!r}; allowed here: {allowed}"
    shown = repr(value) if not isinstance(value, dict) else "a mapping"
    return f"{path}: {key} = {shown}: {first['msg']}"


def _allowed_keys(loc: tuple, raw: object) -> str:
    model: type[BaseModel] = Observed
    if len(loc) >= 3 and loc[0] in ("deals", "no_deals", "events"):
        model = {"deals": Deal, "no_deals": NoDeal, "events": Event}[loc[0]]
    elif len(loc) >= 2 and loc[0] == "status_quo":
        model = StatusQuo
    return ", ".join(model.model_fields)


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
        ObservedError: one line naming the file, the key, the value and what is allowed.
    """
    path = resolve_observed(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        where = getattr(error, "problem_mark", None)
        at = f" (line {where.line + 1})" if where is not None else ""
        raise ObservedError(f"{path}: not valid YAML{at}: {getattr(error, 'problem', None) or error}") from None
    if not isinstance(raw, dict):
        raise ObservedError(f"{path}: expected a mapping with as_of, deals, no_deals, events, check_dates; "
                            f"got {type(raw).__name__}")
    try:
        return Observed.model_validate(raw)
    except ValidationError as error:
        raise ObservedError(_error_line(error, path, raw)) from None
