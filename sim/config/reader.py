"""Reading plain config mappings into typed values, with errors that name the key.

Every check records ``<dotted.key>=<value>: <what is allowed>`` and the caller raises one
``ConfigError`` listing all of them, so a researcher fixes a config in one pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any


class ConfigError(ValueError):
    """A configuration that cannot be run; the message names each bad key and what is allowed."""


_MISSING = object()
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Reader:
    """Reads one mapping of a config, remembering which keys were used.

    Args:
        data: The mapping to read.
        path: Dotted path of the mapping in the whole config, for messages.
        errors: Shared list that collects every problem found.
    """

    def __init__(self, data: Any, path: str, errors: list[str]) -> None:
        self.path = path
        self.errors = errors
        if not isinstance(data, Mapping):
            self.error(path or "(the whole config)", data, "must be a mapping of keys to values")
            data = {}
            self.errors = []  # every key inside would be "required": the one message says it all
        self.data = data
        self.used: set[str] = set()
        self.missing: set[str] = set()  # required keys already reported, so not reported twice

    def key(self, name: str) -> str:
        """Dotted path of ``name`` inside this mapping."""
        return f"{self.path}.{name}" if self.path else name

    def error(self, key: str, value: Any, allowed: str) -> None:
        """Record that ``key`` holds ``value`` where ``allowed`` was expected."""
        self.errors.append(f"{key}={value!r}: {allowed}")

    def raw(self, name: str, default: Any = _MISSING) -> Any:
        """The value of ``name`` as given, or ``default``; missing without default is an error."""
        self.used.add(name)
        if name in self.data and self.data[name] != "???":
            return self.data[name]
        if default is _MISSING:
            self.error(self.key(name), None, "is required")
            self.missing.add(name)
            return None
        return default

    def number(
        self, name: str, lo: float | None = None, hi: float | None = None, default: Any = _MISSING,
        allowed: str = "", lo_open: bool = False,
    ) -> float:
        """A real number in [lo, hi] (``(lo, hi]`` with ``lo_open``)."""
        value = self.raw(name, default)
        if value is None:
            return float("nan")
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(self.key(name), value, allowed or f"must be a number{_range(lo, hi, lo_open)}")
            return float("nan")
        bad_lo = lo is not None and (value <= lo if lo_open else value < lo)
        bad_hi = hi is not None and value > hi
        finite = math.isfinite(value)
        if bad_lo or bad_hi or not finite:
            text = allowed or f"must be a number{_range(lo, hi, lo_open)}"
            self.error(self.key(name), value, text if finite else f"{text}, and finite")
        return float(value)

    def integer(self, name: str, lo: int | None = None, hi: int | None = None, default: Any = _MISSING) -> int:
        """An integer in [lo, hi]."""
        value = self.raw(name, default)
        if name in self.missing:
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(self.key(name), value, f"must be a whole number{_range(lo, hi)}")
            return 0
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.error(self.key(name), value, f"must be a whole number{_range(lo, hi)}")
        return value

    def date(self, name: str, default: Any = _MISSING) -> dt.date | None:
        """A calendar date written as ``YYYY-MM-DD``; None when missing or invalid (and recorded).

        Callers skip comparisons with None, so one bad date gives one message, not a cascade.
        """
        value = self.raw(name, default)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if name in self.missing or (value is None and default is None):
            return None
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(self.key(name), value, "must be a real calendar date written YYYY-MM-DD")
        return None

    def choice(self, name: str, allowed: Iterable[str], default: Any = _MISSING) -> str:
        """One of ``allowed``."""
        allowed = tuple(allowed)
        value = self.raw(name, default)
        if name in self.missing:
            return ""
        if value not in allowed:
            self.error(self.key(name), value, f"must be one of {', '.join(allowed)}")
        return str(value)

    def items(self, name: str) -> list[Reader]:
        """Readers for each mapping of the optional list ``name`` (``name[i]`` in messages)."""
        value = self.raw(name, [])
        if value is None:
            value = []
        if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
            self.error(self.key(name), value, "must be a list of mappings (write [] for none)")
            return []
        return [Reader(item, f"{self.key(name)}[{i}]", self.errors) for i, item in enumerate(value)]

    def child(self, name: str, default: Any = _MISSING) -> Reader:
        """A reader for the nested mapping ``name``."""
        value = self.raw(name, default)
        if name in self.missing:  # reported once; its own keys would only repeat it
            return Reader({}, self.key(name), [])
        return Reader(value, self.key(name), self.errors)

    def finish(self) -> None:
        """Record every key present but never read as unknown."""
        for name in self.data:
            if name not in self.used:
                known = ", ".join(sorted(self.used)) or "none"
                close = difflib.get_close_matches(str(name), sorted(self.used), n=1)
                hint = f"; did you mean {self.key(close[0])}?" if close else ""
                self.error(self.key(str(name)), self.data[name], f"is not a known key here (known: {known}){hint}")


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
