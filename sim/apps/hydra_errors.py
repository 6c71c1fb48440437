"""Hydra's composition errors, said in one paragraph a researcher can act on.

Hydra refuses an unknown key with ``Key 'concession' is not in struct``, a broken YAML file with
a scanner traceback, a bad override with a grammar error that does not say which override. Here
each becomes a ``CommandError`` that names the key (with the nearest valid key: "did you mean"),
the file and line, or the override, and says what to do.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import MissingConfigException, OverrideParseException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

from sim.apps.command_errors import CommandError

NOT_FOUND = re.compile(r"Could not override '([^']+)'")


def compose(build: Callable[[list[str]], DictConfig], overrides: Sequence[str]) -> DictConfig:
    """``build(overrides)``, Hydra's composition, with its errors explained.

    Every override of a key that does not exist is reported at once: it is dropped and the
    config composed again, so the message can name each one and suggest the nearest valid key.

    Raises:
        CommandError: naming each bad override, file or key.
    """
    remaining = list(overrides)
    unknown: list[str] = []
    while True:
        try:
            cfg = build(remaining)
            break
        except Exception as error:  # noqa: BLE001 - every composition failure is explained, none passes raw
            culprit = _unknown_key_override(error, remaining)
            if culprit is None:
                raise CommandError(explain(error, remaining)) from error
            unknown.append(culprit)
            remaining.remove(culprit)
    if unknown:
        raise CommandError(" ".join(_unknown_key(item, cfg) for item in unknown))
    return cfg


def explain(error: BaseException, overrides: Sequence[str] = ()) -> str:
    """One paragraph for a composition or loading error that names no key of ours."""
    if isinstance(error, yaml.MarkedYAMLError):
        return yaml_problem(error)
    cause = error.__cause__ or error.__context__
    if isinstance(cause, yaml.MarkedYAMLError):
        return yaml_problem(cause)
    if isinstance(error, OverrideParseException):
        bad = [item for item in overrides if not _parses(item)]
        where = f"the override {bad[0]!r} cannot be read" if bad else "an override cannot be read"
        return (f"{where}: {_one_line(str(error))}. Write KEY=VALUE; quote values with spaces or "
                "brackets for the shell, e.g. 'seed=range(1,11)'")
    if isinstance(error, MissingConfigException) and error.missing_cfg_file and error.options is not None:
        group, _, name = error.missing_cfg_file.rpartition("/")
        close = difflib.get_close_matches(name, list(error.options), n=1)
        hint = f"; did you mean {group}={close[0]}?" if close else ""
        return (f"{group}={name}: there is no config {name!r} in the group {group!r} "
                f"(available: {', '.join(error.options) or 'none'}){hint}")
    text = _one_line(str(error).split("Config search path")[0])
    if isinstance(cause, OmegaConfBaseException):
        text = f"{text} ({_one_line(str(cause))})"
    return f"the configuration cannot be composed: {text}"


def yaml_problem(error: yaml.MarkedYAMLError) -> str:
    """``the YAML file F cannot be read: line L, column C: <problem>``, with the line where the
    construct being read started (an unclosed quote is found only at the end of the file)."""
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return f"a YAML file cannot be read: {' '.join(str(error).split())}. Fix the YAML syntax there."
    text = f"the YAML file {mark.name} cannot be read: line {mark.line + 1}, column {mark.column + 1}: {error.problem}"
    start = error.context_mark
    if error.context and start is not None and start is not mark:
        text += f" ({error.context} that starts at line {start.line + 1}, column {start.column + 1})"
    return f"{text}. Fix the YAML syntax there."


def dotted_keys(cfg: DictConfig) -> list[str]:
    """Every key of ``cfg`` as a dotted path, mappings and leaves (interpolations unresolved)."""
    return list(_walk(OmegaConf.to_container(cfg, resolve=False), ""))


def nearest_key(key: str, keys: Sequence[str]) -> str | None:
    """The valid key closest to ``key``, or None when none is close.

    A misplaced level (``us.concession.beta`` for ``us.strategy.beta``) keeps the same parent and
    leaf: the closest among keys that share both is chosen first.
    """
    head, _, leaf = key.rpartition(".")
    parent = head.rpartition(".")[0]
    same_ends = [k for k in keys if k.endswith(f".{leaf}") and k.startswith(f"{parent}.")]
    for pool in (same_ends, list(keys)):
        close = difflib.get_close_matches(key, pool, n=1, cutoff=0.6)
        if close:
            return close[0]
    return None


def _unknown_key(override: str, cfg: DictConfig) -> str:
    key = override.split("=", 1)[0]
    near = nearest_key(key, dotted_keys(cfg))
    hint = f"did you mean {near}?" if near else "`tariffsim --cfg job` lists every key"
    return f"{key}: there is no such key in the configuration ({override!r}); {hint}"


def _unknown_key_override(error: BaseException, overrides: Sequence[str]) -> str | None:
    """The override naming a key that does not exist, when ``error`` says so; else None."""
    match = NOT_FOUND.search(str(error))
    if match is None or not isinstance(error.__cause__, ConfigKeyError | ConfigAttributeError):
        return None  # a key that exists but refuses the value: Hydra's message says why
    for item in overrides:
        if item.split("=", 1)[0] == match.group(1):
            return item
    return None


def _walk(node: Any, prefix: str) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            yield from _walk(value, path)


def _parses(item: str) -> bool:
    try:
        OverridesParser.create().parse_override(item)
    except Exception:  # noqa: BLE001 - any parse failure means this is the bad one
        return False
    return True


def _one_line(text: str) -> str:
    return " ".join(text.split()).rstrip(".")
