"""Field types of the config schema: each says its type, its bounds and, in words, what is allowed.

A settings class declares each key once, as a typed field of a frozen pydantic dataclass::

    ramp_days: Annotated[int, integer(1, 365), doc("days over which the risk is priced in")]

``integer``, ``number``, ``date`` and the other helpers here carry both the check pydantic runs
(and exports to the JSON Schema) and the ``Allowed`` words the error message prints
(``sim.config.errors``). Rules that involve more than one key raise ``refuse(...)`` from a
validator, naming each key, its value and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from annotated_types import GroupedMetadata
from pydantic import AfterValidator, AllowInfNan, BeforeValidator, ConfigDict, Field, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError

SETTINGS = ConfigDict(extra="forbid", frozen=True)
"""The config of every settings class: unknown keys refused, instances never changed."""

TARIFF = "must be a tariff in percent, within 0–100"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Allowed:
    """What a field allows, in the words an error message prints after ``key=value:``."""

    text: str


def doc(text: str) -> Any:
    """The field's meaning, shown by editors from the JSON Schema."""
    return Field(description=text)


def _range(lo: float | None, hi: float | None, lo_open: bool = False) -> str:
    if lo is not None and hi is not None:
        return f" in {'(' if lo_open else '['}{_bound(lo)}, {_bound(hi)}]"
    if lo is not None:
        return f" {'>' if lo_open else '>='} {_bound(lo)}"
    if hi is not None:
        return f" <= {_bound(hi)}"
    return ""


def _bound(x: float) -> str:
    """Whole-number bounds in full (``10000000``, not ``1e+07``), others compactly."""
    return str(x) if isinstance(x, int) else f"{x:g}"


def number(lo: float | None = None, hi: float | None = None, *, lo_open: bool = False,
           allowed: str = "") -> Any:
    """A finite real number in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``); ints are taken, bools not.

    Use as ``Annotated[float, number(0, 1)]``.
    """
    bounds = Field(gt=lo, le=hi) if lo_open else Field(ge=lo, le=hi)
    return _Group(Strict(), bounds, AllowInfNan(False),
                  Allowed(allowed or f"must be a number{_range(lo, hi, lo_open)}"))


def integer(lo: int | None = None, hi: int | None = None) -> Any:
    """A whole number in ``[lo, hi]`` (``30.0`` and ``true`` are refused)."""
    return _Group(Strict(), Field(ge=lo, le=hi), Allowed(f"must be a whole number{_range(lo, hi)}"))


def _as_date(value: Any) -> Any:
    if value is None:  # left to the type: allowed where the date is optional
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date_written", "not a date written YYYY-MM-DD")


def date() -> Any:
    """A calendar date written ``YYYY-MM-DD`` (quoted or not in YAML)."""
    return _Group(BeforeValidator(_as_date), Allowed("must be a real calendar date written YYYY-MM-DD"),
                  WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}))


def flag() -> Any:
    """``true`` or ``false`` (no ``yes``, no 0/1)."""
    return _Group(Strict(), Allowed("must be true or false"))


def one_of(names: Iterable[str]) -> Any:
    """What a ``Literal`` field of ``names`` allows, in the message's words: ``must be one of a, b``."""
    return Allowed(f"must be one of {', '.join(names)}")


def text(allowed: str) -> Any:
    """A string (a number or ``true`` is refused, not turned into text), ``allowed`` in the message."""
    return _Group(Strict(), Allowed(allowed))


def mapping() -> Any:
    """What a nested settings mapping allows (the message for a list, a number or null there)."""
    return Allowed("must be a mapping of keys to values")


def items() -> Any:
    """A list of mappings; null reads as an empty list."""
    return _Group(BeforeValidator(lambda v: [] if v is None else v),
                  Allowed("must be a list of mappings (write [] for none)"))


class _Group(GroupedMetadata):
    """Several ``Annotated`` metadata items given as one (pydantic unpacks grouped metadata)."""

    def __init__(self, *parts: Any) -> None:
        self.parts = parts

    def __iter__(self) -> Iterator[Any]:
        return iter(self.parts)


Problem = tuple[str, Any, str]
"""``(key, value, allowed)``: ``key`` relative to the settings being checked (``end``,
``red_lines[0].until``, ``""`` for the settings themselves); ``{here}`` in ``allowed`` is replaced
by the dotted path of those settings."""


def refuse(problems: list[Problem], *, field: bool = True) -> PydanticCustomError:
    """The error a validator raises for a rule between keys: one message line per problem.

    Args:
        problems: What is wrong, each as ``(key, value, allowed)``.
        field: True from a field validator (keys are relative to the field's settings), False
            from a model validator.
    """
    return PydanticCustomError("config_rule", "config rule", {"problems": problems, "field": field})


def at_least_one(allowed: str) -> Any:
    """A list that may not be empty; ``allowed`` says what it must list (the message for ``[]``)."""
    def check(value: Any) -> Any:
        if not value:
            raise refuse([("", [], allowed)], field=False)
        return value

    return AfterValidator(check)


def each_once(name_of: Callable[[Any], str], allowed: str) -> Any:
    """A list whose items' names (``name_of``) all differ: one message line per repeated name."""
    def check(items: Any) -> Any:
        names = [name_of(item) for item in items]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise refuse([("", n, allowed) for n in twice], field=False)
        return items

    return AfterValidator(check)


def finite(x: Any) -> bool:
    """Whether ``x`` is a number that is neither infinite nor NaN."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


KEY = "\x00"
"""Stands for a value's dotted key in ``config_lines`` errors; ``sim.config.errors`` fills it in."""
