"""The strategy registry: names to classes, and building a strategy from a config mapping.

A config chooses a strategy by registry name (``name: boulware``) or by import path of a class
that lives anywhere (``_target_: my_package.module.MyStrategy`` or
``_target_: path/to/file.py:MyStrategy``); every other key is a keyword argument of its
constructor. Both are checked before any run: an unknown name, a class that is not a strategy,
a strategy for the wrong side or a parameter the constructor does not take is refused with the
allowed values.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.strategies.base import Side, Strategy, USStrategy
from sim.strategies.params import parameter_problems

STRATEGIES: dict[str, type[Strategy]] = {}


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator: add ``cls`` to the registry under ``cls.info.name`` (names are unique)."""
    name = cls.info.name
    if name in STRATEGIES and STRATEGIES[name] is not cls:
        raise ValueError(f"strategy name {name!r} is already registered by {STRATEGIES[name].__qualname__}")
    STRATEGIES[name] = cls
    return cls


@dataclass(frozen=True)
class StrategySpec:
    """A validated choice of strategy: its class and constructor arguments.

    ``build()`` makes a fresh instance, one per agent per run, so that no state crosses runs.
    """

    cls: type[Strategy]
    params: dict[str, Any] = field(default_factory=dict)
    target: str | None = None  # the import path of a user's class, so worker processes can re-import it

    def __reduce__(self) -> tuple:
        if self.target is not None:
            return (_rebuild, (self.target, self.params))
        return (StrategySpec, (self.cls, self.params))

    def build(self) -> Strategy:
        """A new instance of the chosen strategy."""
        return self.cls(**self.params)

    @property
    def label(self) -> str:
        """Registry name, or the class's qualified name for a user's own class."""
        info = getattr(self.cls, "info", None)
        return info.name if info is not None else self.cls.__qualname__


def strategy_spec(data: Any, side: Side, key: str) -> tuple[StrategySpec | None, list[str]]:
    """Validate a strategy mapping for ``side``; returns the spec (None on error) and messages."""
    if not isinstance(data, dict):
        return None, [f"{key}={data!r}: must be a mapping with `name` (one of {_names(side)}) or `_target_`"]
    params = {k: v for k, v in data.items() if k not in ("name", "_target_")}
    if "_target_" in data:
        cls, error = _import(str(data["_target_"]))
        where = f"{key}._target_={data['_target_']!r}"
        if error:
            return None, [f"{where}: {error}"]
    elif "name" in data:
        cls = STRATEGIES.get(str(data["name"]))
        where = f"{key}.name={data['name']!r}"
        if cls is None:
            return None, [f"{where}: is not a registered strategy; allowed: {_names(side)}"]
    else:
        return None, [f"{key}: must name a strategy with `name` (one of {_names(side)}) or `_target_`"]
    if not (isinstance(cls, type) and issubclass(cls, Strategy)):
        return None, [f"{where}: is not a subclass of sim.strategies.Strategy"]
    if side is Side.US and not issubclass(cls, USStrategy):
        return None, [f"{where}: the United States needs a USStrategy; allowed: {_names(side)}"]
    info = getattr(cls, "info", None)
    if info is not None and info.side not in (side, Side.BOTH):
        return None, [f"{where}: plays the {info.side.value} side, not the {side.value} side; allowed: {_names(side)}"]
    accepted = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    errors = [f"{key}.{p}={v!r}: is not a parameter of {cls.__qualname__}; allowed: {', '.join(accepted) or 'none'}"
              for p, v in params.items() if p not in accepted]
    errors = errors or parameter_problems(cls, params, key)
    if errors:
        return None, errors
    try:
        cls(**params)
    except (TypeError, ValueError) as error:
        # Strategies word their checks "<parameter> must ...": name that key when we can.
        named = [p for p in params if str(error).startswith(p)]
        where = f"{key}.{named[0]}={params[named[0]]!r}" if named else f"{key}={data!r}"
        return None, [f"{where}: {cls.__qualname__} refuses it: {error}"]
    except Exception as error:  # noqa: BLE001 - a user's constructor may raise anything: name it, do not crash
        return None, [f"{where}: {cls.__qualname__}(**{params!r}) failed: {_raised(error)}; fix the class or its parameters"]
    return StrategySpec(cls, dict(params), data.get("_target_")), []


def _rebuild(target: str, params: dict[str, Any]) -> StrategySpec:
    cls, error = _import(target)
    if cls is None:
        raise ImportError(error)
    return StrategySpec(cls, params, target)


def _names(side: Side) -> str:
    return ", ".join(name for name, cls in sorted(STRATEGIES.items()) if cls.info.side in (side, Side.BOTH))


def _import(target: str) -> tuple[type | None, str]:
    """Import ``module.Class`` or ``path/to/file.py:Class``."""
    try:
        if ".py:" in target:
            path, name = target.rsplit(":", 1)
            file = Path(path).resolve()
            spec = importlib.util.spec_from_file_location(f"tariffsim_user_{file.stem}", file)
            if spec is None or spec.loader is None or not file.is_file():
                return None, f"no Python file at {file}"
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[spec.name]  # a half-run module must not be found by a later import
                raise
        else:
            module_name, _, name = target.rpartition(".")
            if str(Path.cwd()) not in sys.path:
                sys.path.append(str(Path.cwd()))  # a user's module in the working directory
            module = importlib.import_module(module_name)
    except Exception as error:  # noqa: BLE001 - a user's module may raise anything at import: name it
        if isinstance(error, ModuleNotFoundError | ValueError) and not _in_user_code(error):
            return None, f"cannot be imported ({type(error).__name__}: {error}); write module.Class or path/file.py:Class"
        return None, f"cannot be imported: {_raised(error)}; fix that module"
    if not hasattr(module, name):
        return None, (f"cannot be imported: {module.__name__} ({getattr(module, '__file__', '?')}) has no {name!r}; "
                      "write module.Class or path/file.py:Class")
    return getattr(module, name), ""


def _in_user_code(error: BaseException) -> bool:
    """Whether ``error`` was raised while running a module's own code (not by the import lookup)."""
    return bool(_user_frames(error))


def _user_frames(error: BaseException) -> list[traceback.FrameSummary]:
    """The frames of ``error``'s traceback outside this module and Python's import machinery."""
    machinery = str(Path(importlib.__file__).parent)
    return [f for f in traceback.extract_tb(error.__traceback__)
            if not f.filename.startswith(("<frozen", machinery)) and f.filename != __file__]


def _raised(error: BaseException) -> str:
    """``<Type>: <message> at <file>, line <n>``: where a user's code raised ``error``."""
    if isinstance(error, SyntaxError) and error.filename:
        return f"{type(error).__name__}: {error.msg} at {error.filename}, line {error.lineno}"
    frames = _user_frames(error)
    where = f" at {frames[-1].filename}, line {frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}: {error}{where}"
