"""pydantic's validation errors, written as the project's config messages.

pydantic collects every error of a config at once; each becomes one line
``<dotted.key>=<value>: <what is allowed>``, the words taken from the field's declaration
(``sim.config.fields.Allowed``) or from the rule that refused it (``refuse``). Unknown keys name
the keys known there and the closest one ("did you mean").
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

from annotated_types import GroupedMetadata
from pydantic import TypeAdapter, ValidationError

from sim.config.fields import KEY, Allowed

UNSET = "???"  # OmegaConf's mark of a value still to be given: read as missing


class ConfigError(ValueError):
    """A configuration that cannot be run; the message names each bad key and what is allowed."""


def unset_removed(data: Any) -> Any:
    """``data`` without the keys whose value is ``???`` (so they read as missing or default)."""
    if isinstance(data, Mapping):
        return {k: unset_removed(v) for k, v in data.items() if not (isinstance(v, str) and v == UNSET)}
    if isinstance(data, list):
        return [unset_removed(v) for v in data]
    return data


def dates_written(data: Any) -> Any:
    """``data`` with each date YAML read from an unquoted ``2025-07-01`` written back as that text, so
    a message shows it as written (``'2025-07-01'``, not ``datetime.date(2025, 7, 1)``); ``date()``
    fields read the text."""
    if isinstance(data, Mapping):
        return {k: dates_written(v) for k, v in data.items()}
    if isinstance(data, list):
        return [dates_written(v) for v in data]
    return data.isoformat() if type(data) is dt.date else data


def config_error(error: ValidationError, root: type, path: str = "") -> list[str]:
    """One message line per error of ``error``, raised validating ``root`` at the dotted ``path``."""
    lines = []
    for e in error.errors(include_url=False):
        loc, kind, value, ctx = tuple(e["loc"]), e["type"], e.get("input"), e.get("ctx") or {}
        if kind == "config_rule":
            base = loc[:-1] if ctx["field"] else loc
            here, owner = dotted(path, base), _owner(base)
            for key, shown, allowed in ctx["problems"]:
                text = allowed.replace("{here}", here).replace("{owner}", owner)
                text = text.replace("{parent}", dotted(path, base[:-1]))
                lines.append(f"{_join(here, key)}={shown!r}: {text}")
        elif kind == "config_lines":
            lines += [line.replace(KEY, dotted(path, loc)) for line in ctx["lines"]]
        elif kind in ("missing", "missing_argument", "missing_keyword_only_argument"):
            lines.append(f"{dotted(path, loc)}=None: is required")
        elif kind in ("extra_forbidden", "unexpected_keyword_argument"):
            lines.append(f"{dotted(path, loc)}={value!r}: {_unknown(root, path, loc)}")
        else:
            allowed = _allowed(root, loc) or e["msg"]
            if isinstance(value, float) and not math.isfinite(value):
                allowed += ", and finite"
            lines.append(f"{dotted(path, loc) or '(the whole config)'}={value!r}: {allowed}")
    return lines


def validated(cls: type, data: Any, header: str, *, options: Mapping[str, Any] | None = None,
              context: dict[str, Any] | None = None) -> Any:
    """``data`` validated as the settings class ``cls`` (keys set to ``???`` read as missing).

    Args:
        cls: A settings class (a pydantic dataclass).
        data: The plain mapping read from a file.
        header: The message's first line, e.g. ``invalid sensitivity study PATH``.
        options: Top-level keys given as command-line options (``--samples 6``): their lines name
            the option, not the file's key.
        context: What validators read as ``info.context``.

    Raises:
        ConfigError: the header, then one line per error, each ``key=value: what is allowed``.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"{header}:\n  (the whole config)={data!r}: must be a mapping of keys to values")
    try:
        # by_name=False: a file writes a key as the schema spells it (a prior's ``prior``, not ``kind``)
        return TypeAdapter(cls).validate_python(dates_written(unset_removed(data)), context=context, by_alias=True,
                                                by_name=False)
    except ValidationError as error:
        lines = config_error(error, cls)
    lines = [f"--{line.replace('=', ' ', 1)}" if line.split("=", 1)[0] in (options or {}) else line for line in lines]
    raise ConfigError(f"{header}:\n  " + "\n  ".join(lines)) from None


def dotted(path: str, loc: tuple) -> str:
    """``scenario.partners.JPN.red_lines[0]`` from a path and pydantic's location."""
    out = path
    for part in loc:
        if part == "[key]":
            continue
        out = f"{out}[{part}]" if isinstance(part, int) else (f"{out}.{part}" if out else str(part))
    return out


def _join(here: str, key: str) -> str:
    if not key:
        return here
    return f"{here}{key}" if key.startswith("[") or not here else f"{here}.{key}"


def _owner(loc: tuple) -> str:
    """The innermost mapping key of ``loc`` (a partner's code)."""
    keys = [p for p in loc if isinstance(p, str) and p != "[key]"]
    return keys[-1] if keys else ""


def _unknown(root: type, path: str, loc: tuple) -> str:
    known = sorted(_names(_type_at(root, loc[:-1])[0]))
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    hint = f"; did you mean {dotted(path, loc[:-1] + (close[0],))}?" if close else ""
    return f"is not a known key here (known: {', '.join(known) or 'none'}){hint}"


def _allowed(root: type, loc: tuple) -> str | None:
    """The field's words for what it allows: the last ``Allowed`` declared (``integer(1, 4096)``,
    then ``Allowed("must be null (every core) or ...")``: the second)."""
    words = [item.text for item in _flat(_type_at(root, loc)[1]) if isinstance(item, Allowed)]
    return words[-1] if words else None


def _names(cls: Any) -> list[str]:
    fields = getattr(cls, "__pydantic_fields__", {})
    return [f.alias or name for name, f in fields.items()]


def _type_at(root: type, loc: tuple) -> tuple[Any, list[Any]]:
    """The declared type at ``loc`` (Annotated and Optional stripped) and its metadata."""
    tp, meta = root, []
    for part in loc:
        tp, _ = _strip(tp)
        fields = getattr(tp, "__pydantic_fields__", None)
        if fields is not None:
            named = {f.alias or n: f for n, f in fields.items()} | fields
            if part not in named:
                return None, []
            tp, meta = named[part].annotation, list(named[part].metadata)
            continue
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is dict:
            tp = args[0] if part == "[key]" else args[1]
        elif origin in (list, tuple):
            tp = args[0]
        else:
            return None, []
        meta = []
    tp, more = _strip(tp)
    return tp, meta + more


def _strip(tp: Any) -> tuple[Any, list[Any]]:
    """``tp`` without ``Annotated`` (its metadata returned) and without ``| None``."""
    meta: list[Any] = []
    while True:
        if typing.get_origin(tp) is typing.Annotated:
            meta += list(tp.__metadata__)
            tp = tp.__origin__
        elif typing.get_origin(tp) in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp, meta
            tp = args[0]
        else:
            return tp, meta


def _flat(items: list[Any]) -> Iterator[Any]:
    for item in items:
        if isinstance(item, GroupedMetadata):
            yield from _flat(list(item))
        else:
            yield item
