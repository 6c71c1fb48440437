"""Typed strategy parameters: a config value must match its constructor's annotation.

A strategy's parameters are the keyword arguments of its ``__init__``; their annotations
(``beta: float``, ``near_days: int``, ``protected: tuple[str, ...] | list[str]``) say what a
config may set. Checking values against them before any run turns ``beta=abc`` or
``extend_stress=high`` into a message that names the key, instead of a comparison error in a
constructor or a crash mid-run. Non-finite numbers (``inf``, ``nan``) are refused everywhere:
no strategy parameter has a meaning at infinity.
"""

from __future__ import annotations

import math
import numbers
import types
import typing
from collections.abc import Mapping
from typing import Any

import numpy as np


def parameter_problems(cls: type, params: Mapping[str, Any], key: str) -> list[str]:
    """Messages ``<key>.<param>=<value>: <what is allowed>`` for each value of the wrong type.

    Args:
        cls: The strategy class; its ``__init__`` annotations give the types.
        params: The keyword arguments a config sets.
        key: Dotted key of the strategy mapping, for messages.
    """
    hints = _hints(cls)
    problems = []
    for name, value in params.items():
        hint = hints.get(name, Any)
        if not _fits(value, hint):
            allowed = f"must be {describe(hint)}" if hint is not Any else "must be a finite value"
            if hint is not Any and not _finite(value) and _fits_ignoring_finiteness(value, hint):
                allowed += ", and finite"
            problems.append(f"{key}.{name}={value!r}: {allowed} ({cls.__qualname__}.{name}: {_spelled(hint)})")
    return problems


def describe(hint: Any) -> str:
    """The annotation ``hint`` in words (``a number``, ``a whole number``, ``null or a number``)."""
    if hint is Any:
        return "any value"
    if hint is type(None) or hint is None:
        return "null"
    if hint is bool:
        return "true or false"
    if hint is int:
        return "a whole number"
    if hint is float:
        return "a number"
    if hint is str:
        return "a string"
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(dict.fromkeys(describe(arg) for arg in typing.get_args(hint)))
    if origin in (list, tuple, set, frozenset):
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return f"a list of {describe(args[0]).removeprefix('a ')}s" if args else "a list"
    return f"a {getattr(hint, '__name__', str(hint))}"


def _hints(cls: type) -> dict[str, Any]:
    """The resolved annotations of ``cls.__init__`` (none when they cannot be resolved)."""
    try:
        return typing.get_type_hints(cls.__init__)
    except Exception:  # noqa: BLE001 - a user's class with an unresolvable annotation: check finiteness only
        return {}


def _fits(value: Any, hint: Any) -> bool:
    return _finite(value) and _fits_ignoring_finiteness(value, hint)


def _fits_ignoring_finiteness(value: Any, hint: Any) -> bool:
    if hint is Any or isinstance(hint, typing.TypeVar):
        return True
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:  # numpy's integers too (a sampled value); a bool is not a number here
        return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)
    if hint is float:  # an int is a float here, as in Python's numeric tower
        return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    if hint is str:
        return isinstance(value, str)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits_ignoring_finiteness(value, arg) for arg in typing.get_args(hint))
    if origin in (list, tuple, set, frozenset):
        # A config writes every sequence as a list: accept a list for any sequence annotation.
        if isinstance(value, str) or not isinstance(value, list | tuple):
            return False
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return all(_fits_ignoring_finiteness(item, args[0]) for item in value) if args else True
    if isinstance(hint, type):  # any class, null's (NoneType) included
        return isinstance(value, hint)
    return True  # an annotation we cannot read: let the constructor judge


def _finite(value: Any) -> bool:
    """False for ``inf``/``nan``, also inside lists and mappings."""
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return math.isfinite(value)
    if isinstance(value, list | tuple):
        return all(_finite(item) for item in value)
    if isinstance(value, Mapping):
        return all(_finite(item) for item in value.values())
    return True


def _spelled(hint: Any) -> str:
    """The annotation as it would be written in Python (``float``, ``float | None``)."""
    if isinstance(hint, type):  # a class (``list[int]`` is not one: it prints as written)
        return hint.__name__
    return str(hint).replace("typing.", "").replace("NoneType", "None")
