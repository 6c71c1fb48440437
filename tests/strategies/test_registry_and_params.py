"""Known answers for the registry, the typed parameters, the listing and maximum pressure's checks.

Each test asserts the exact message or value, so that a changed constant, comparison or string in
``sim/strategies/registry.py``, ``params.py``, ``__main__.py`` or ``maximum_pressure.py`` fails.
"""

from __future__ import annotations

import pickle
import runpy
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sim.strategies.__main__ as listing_module
from sim.strategies import STRATEGIES, Side, Strategy, StrategyInfo, strategy_spec
from sim.strategies.base import DeadlineAction, USStrategy
from sim.strategies.maximum_pressure import MaximumPressure
from sim.strategies.params import describe, parameter_problems
from sim.strategies.registry import StrategySpec, _rebuild, register
from tests.strategies.contract import deadline_view, table_view

US_NAMES = ", ".join(sorted(n for n, c in STRATEGIES.items() if c.info.side in (Side.US, Side.BOTH)))
PARTNER_NAMES = ", ".join(sorted(n for n, c in STRATEGIES.items() if c.info.side in (Side.PARTNER, Side.BOTH)))
PRESSURE_PARAMS = "beta, k, near_days, stall_days, cooldown_days, threat_step"


# --- strategy_spec: registry names -------------------------------------------------------------------

def test_the_allowed_lists_are_sorted_and_split_by_side() -> None:
    assert "maximum_pressure" in US_NAMES.split(", ") and "maximum_pressure" not in PARTNER_NAMES.split(", ")
    assert "hardliner" in PARTNER_NAMES.split(", ") and "hardliner" in US_NAMES.split(", ")
    assert "appease_early" in PARTNER_NAMES.split(", ") and "appease_early" not in US_NAMES.split(", ")
    assert US_NAMES.split(", ") == sorted(US_NAMES.split(", "))


def test_a_registered_name_gives_a_spec_with_its_label_and_params() -> None:
    spec, errors = strategy_spec({"name": "maximum_pressure", "beta": 0.5, "stall_days": 4}, Side.US, "us.strategy")
    assert errors == []
    assert spec == StrategySpec(MaximumPressure, {"beta": 0.5, "stall_days": 4}, None)
    assert spec.label == "maximum_pressure"
    built = spec.build()
    assert isinstance(built, MaximumPressure) and (built.beta, built.stall_days) == (0.5, 4)
    assert built is not spec.build()  # a fresh instance each time
    assert pickle.loads(pickle.dumps(spec)) == spec


@pytest.mark.parametrize(("data", "side", "message"), [
    ("boulware", Side.US,
     f"s='boulware': must be a mapping with `name` (one of {US_NAMES}) or `_target_`"),
    (None, Side.PARTNER,
     f"s=None: must be a mapping with `name` (one of {PARTNER_NAMES}) or `_target_`"),
    ({"beta": 2.0}, Side.PARTNER,
     f"s: must name a strategy with `name` (one of {PARTNER_NAMES}) or `_target_`"),
    ({"name": "boulwar"}, Side.US,
     f"s.name='boulwar': is not a registered strategy; allowed: {US_NAMES}"),
    ({"name": "maximum_pressure"}, Side.PARTNER,
     f"s.name='maximum_pressure': plays the us side, not the partner side; allowed: {PARTNER_NAMES}"),
    ({"name": "wait_out_the_market"}, Side.US,
     f"s.name='wait_out_the_market': the United States needs a USStrategy; allowed: {US_NAMES}"),
    ({"name": "appease_early"}, Side.US,
     f"s.name='appease_early': plays the partner side, not the us side; allowed: {US_NAMES}"),
    ({"name": "maximum_pressure", "max_extensions": 1, "bogus": 2}, Side.US,
     "s.max_extensions=1: is not a parameter of MaximumPressure; allowed: " + PRESSURE_PARAMS),
    ({"name": "maximum_pressure", "beta": "abc"}, Side.US,
     "s.beta='abc': must be a number (MaximumPressure.beta: float)"),
    ({"name": "maximum_pressure", "beta": 1.5}, Side.US,
     "s.beta=1.5: MaximumPressure refuses it: beta must be in (0, 1) (Boulware), got 1.5"),
    ({"name": "maximum_pressure", "cooldown_days": -2}, Side.US,
     "s.cooldown_days=-2: MaximumPressure refuses it: cooldown_days must be a whole number >= 0, got -2"),
])
def test_each_bad_choice_is_refused_with_its_message(data: Any, side: Side, message: str) -> None:
    spec, errors = strategy_spec(data, side, "s")
    assert spec is None
    assert errors[0] == message


def test_every_unknown_parameter_is_named_not_only_the_first() -> None:
    _, errors = strategy_spec({"name": "maximum_pressure", "foo": 1, "bar": 2}, Side.US, "s")
    assert errors == [f"s.foo=1: is not a parameter of MaximumPressure; allowed: {PRESSURE_PARAMS}",
                      f"s.bar=2: is not a parameter of MaximumPressure; allowed: {PRESSURE_PARAMS}"]


def test_register_refuses_a_second_class_under_a_taken_name_but_not_the_same_class() -> None:
    assert register(MaximumPressure) is MaximumPressure

    class Impostor(MaximumPressure):
        info = MaximumPressure.info

    with pytest.raises(ValueError) as raised:
        register(Impostor)
    assert str(raised.value) == "strategy name 'maximum_pressure' is already registered by MaximumPressure"
    assert STRATEGIES["maximum_pressure"] is MaximumPressure


# --- strategy_spec: a user's own class by import path -----------------------------------------------

USER_MODULE = '''\
from sim.strategies import Strategy, USStrategy


class Steady(Strategy):
    def __init__(self, level: float = 0.5) -> None:
        self.level = level

    def target(self, view, rng):
        return self.level


class SteadyUS(USStrategy):
    def target(self, view, rng):
        return 0.5


class Picky(Strategy):
    def __init__(self, level: float = 0.5) -> None:
        if level > 0.9:
            raise ValueError("level must be <= 0.9")
        if level < 0.1:
            raise TypeError("too low")
        if level == 0.5:
            raise RuntimeError("cannot build at 0.5")
        self.level = level

    def target(self, view, rng):
        return self.level


class NotAStrategy:
    pass


class Fixed(Strategy):
    def __init__(self) -> None:
        pass

    def target(self, view, rng):
        return 0.5
'''


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    path = tmp_path / "my_strats.py"
    path.write_text(USER_MODULE)
    yield path
    sys.modules.pop("tariffsim_user_my_strats", None)


def test_a_class_in_a_file_is_imported_built_and_pickled_by_its_path(user_file: Path) -> None:
    target = f"{user_file}:Steady"
    spec, errors = strategy_spec({"_target_": target, "level": 0.7}, Side.PARTNER, "p")
    assert errors == []
    assert (spec.cls.__qualname__, spec.params, spec.target, spec.label) == ("Steady", {"level": 0.7}, target, "Steady")
    assert spec.cls.__module__ == "tariffsim_user_my_strats"
    assert sys.modules["tariffsim_user_my_strats"].Steady is spec.cls  # registered, as pickle and dataclasses need
    assert spec.build().level == 0.7
    again = pickle.loads(pickle.dumps(spec))
    assert (again.cls.__qualname__, again.params, again.target) == ("Steady", {"level": 0.7}, target)
    assert again.build().target(None, None) == 0.7


def test_a_users_class_must_be_a_strategy_for_the_right_side(user_file: Path) -> None:
    _, errors = strategy_spec({"_target_": f"{user_file}:NotAStrategy"}, Side.PARTNER, "p")
    assert errors == [f"p._target_='{user_file}:NotAStrategy': is not a subclass of sim.strategies.Strategy"]
    _, errors = strategy_spec({"_target_": f"{user_file}:Steady"}, Side.US, "us")
    assert errors == [f"us._target_='{user_file}:Steady': the United States needs a USStrategy; allowed: {US_NAMES}"]
    spec, errors = strategy_spec({"_target_": f"{user_file}:SteadyUS"}, Side.US, "us")
    assert errors == [] and issubclass(spec.cls, USStrategy)
    _, errors = strategy_spec({"_target_": f"{user_file}:SteadyUS", "level": 1}, Side.US, "us")
    assert errors == ["us.level=1: is not a parameter of SteadyUS; allowed: args, kwargs"]
    _, errors = strategy_spec({"_target_": f"{user_file}:Fixed", "level": 1}, Side.PARTNER, "p")
    assert errors == ["p.level=1: is not a parameter of Fixed; allowed: none"]


def test_a_file_under_a_folder_whose_name_holds_a_colon_is_found(tmp_path: Path) -> None:
    folder = tmp_path / "v1:old.py:x"
    folder.mkdir()
    (folder / "colon_strats_xq.py").write_text(USER_MODULE)
    target = f"{folder / 'colon_strats_xq.py'}:Steady"
    try:
        spec, errors = strategy_spec({"_target_": target, "level": 0.6}, Side.PARTNER, "p")
        assert errors == [] and spec.label == "Steady" and spec.build().level == 0.6
    finally:
        sys.modules.pop("tariffsim_user_colon_strats_xq", None)
    # A path with ".py:" in a folder's name but no Python file at its end.
    (folder / "notes.txt").write_text("")
    target = f"{folder / 'notes.txt'}:Steady"
    assert strategy_spec({"_target_": target}, Side.PARTNER, "p") == (
        None, [f"p._target_={target!r}: no Python file at {folder / 'notes.txt'}"])


def test_a_users_constructor_errors_name_the_key_or_the_file_and_line(user_file: Path) -> None:
    target = f"{user_file}:Picky"
    _, errors = strategy_spec({"_target_": target, "level": 0.95}, Side.PARTNER, "p")
    assert errors == ["p.level=0.95: Picky refuses it: level must be <= 0.9"]
    data = {"_target_": target, "level": 0.05}
    _, errors = strategy_spec(data, Side.PARTNER, "p")
    assert errors == [f"p={data!r}: Picky refuses it: too low"]
    _, errors = strategy_spec({"_target_": target}, Side.PARTNER, "p")
    assert errors == [f"p._target_='{target}': Picky(**{{}}) failed: RuntimeError: cannot build at 0.5 "
                      f"at {user_file}, line 24; fix the class or its parameters"]


def test_a_module_that_raises_at_import_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("x = 1\n\nraise RuntimeError('boom')\n")
    _, errors = strategy_spec({"_target_": f"{path}:X"}, Side.PARTNER, "p")
    assert errors == [f"p._target_='{path}:X': cannot be imported: RuntimeError: boom at {path}, line 3; "
                      "fix that module"]
    assert "tariffsim_user_broken" not in sys.modules  # a half-run module is not left behind


def test_a_syntax_error_names_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "typo.py"
    path.write_text("x = 1\ndef f(:\n")
    _, errors = strategy_spec({"_target_": f"{path}:X"}, Side.PARTNER, "p")
    assert errors[0].startswith(f"p._target_='{path}:X': cannot be imported: SyntaxError: ")
    assert errors[0].endswith(f" at {path}, line 2; fix that module")
    assert "tariffsim_user_typo" not in sys.modules


def test_a_missing_file_or_class_is_named(tmp_path: Path, user_file: Path) -> None:
    missing = tmp_path / "nowhere.py"
    _, errors = strategy_spec({"_target_": f"{missing}:X"}, Side.PARTNER, "p")
    assert errors == [f"p._target_='{missing}:X': no Python file at {missing.resolve()}"]
    _, errors = strategy_spec({"_target_": f"{user_file}:Nope"}, Side.PARTNER, "p")
    assert errors == [f"p._target_='{user_file}:Nope': cannot be imported: tariffsim_user_my_strats ({user_file}) "
                      "has no 'Nope'; write module.Class or path/file.py:Class"]


def test_a_dotted_target_imports_a_module_from_the_working_directory(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "cwd_strats_xq.py").write_text(USER_MODULE)
    (tmp_path / "cwd_needs_missing_xq.py").write_text("import no_such_module_xq\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in (str(tmp_path), "")])
    try:
        spec, errors = strategy_spec({"_target_": "cwd_strats_xq.Steady"}, Side.PARTNER, "p")
        assert errors == [] and spec.label == "Steady" and spec.target == "cwd_strats_xq.Steady"
        assert str(tmp_path) in sys.path
        strategy_spec({"_target_": "cwd_strats_xq.Steady"}, Side.PARTNER, "p")
        assert sys.path.count(str(tmp_path)) == 1  # added once, not once per config checked
        _, errors = strategy_spec({"_target_": "cwd_needs_missing_xq.X"}, Side.PARTNER, "p")
        assert errors == [f"p._target_='cwd_needs_missing_xq.X': cannot be imported: ModuleNotFoundError: "
                          f"No module named 'no_such_module_xq' at {tmp_path / 'cwd_needs_missing_xq.py'}, line 1; "
                          "fix that module"]
    finally:
        sys.modules.pop("cwd_strats_xq", None)
        sys.modules.pop("cwd_needs_missing_xq", None)


@pytest.mark.parametrize(("target", "message"), [
    ("no_such_package_xq.Cls",
     "cannot be imported (ModuleNotFoundError: No module named 'no_such_package_xq'); "
     "write module.Class or path/file.py:Class"),
    ("Boulware", "cannot be imported (ValueError: Empty module name); write module.Class or path/file.py:Class"),
    ("sim.strategies.NoSuchClass",
     f"cannot be imported: sim.strategies ({sys.modules['sim.strategies'].__file__}) has no 'NoSuchClass'; "
     "write module.Class or path/file.py:Class"),
    ("collections.OrderedDict", "is not a subclass of sim.strategies.Strategy"),
    ("sys.NoSuchClass", "cannot be imported: sys (?) has no 'NoSuchClass'; write module.Class or path/file.py:Class"),
    (".relative.Cls", "cannot be imported: TypeError: the 'package' argument is required to perform a relative "
                      "import for '.relative'; fix that module"),
])
def test_a_bad_dotted_target_says_how_to_write_one(target: str, message: str) -> None:
    assert strategy_spec({"_target_": target}, Side.PARTNER, "p") == (None, [f"p._target_={target!r}: {message}"])


def test_a_registered_class_by_dotted_path_keeps_its_registry_label() -> None:
    spec, errors = strategy_spec({"_target_": "sim.strategies.maximum_pressure.MaximumPressure"}, Side.US, "us")
    assert errors == [] and spec.cls is MaximumPressure and spec.label == "maximum_pressure"
    assert spec.target == "sim.strategies.maximum_pressure.MaximumPressure"
    assert pickle.loads(pickle.dumps(spec)) == spec


def test_rebuild_raises_the_import_message() -> None:
    with pytest.raises(ImportError) as raised:
        _rebuild("no_such_package_xq.Cls", {})
    assert str(raised.value) == ("cannot be imported (ModuleNotFoundError: No module named 'no_such_package_xq'); "
                                 "write module.Class or path/file.py:Class")
    assert _rebuild("sim.strategies.maximum_pressure.MaximumPressure", {"beta": 0.5}) == StrategySpec(
        MaximumPressure, {"beta": 0.5}, "sim.strategies.maximum_pressure.MaximumPressure")


# --- params: each type and its message ----------------------------------------------------------------

T = typing.TypeVar("T")


class Marker:
    """A class used as an annotation."""


class Typed(Strategy):
    """Every kind of annotation a strategy may use."""

    def __init__(self, x: float = 0.5, n: int = 3, flag: bool = False, label: str = "a", maybe: float | None = None,
                 names: tuple[str, ...] | list[str] = (), counts: list[int] | None = None, anything: Any = None,
                 bare: list = (), marker: Marker | None = None, generic: T = None, untyped=None,
                 ints: list[int] = (), opt: typing.Optional[int] = None,  # noqa: UP007 - spelled as written
                 either: typing.Union[int, str, None] = None,  # noqa: UP007
                 legacy: typing.List = (), literal: typing.Literal["a", "b"] = "a") -> None:  # noqa: UP006
        pass

    def target(self, view, rng):
        return 0.5


class Unresolvable(Strategy):
    def __init__(self, x: "NoSuchType" = 1) -> None:  # noqa: F821 - unresolvable on purpose
        pass

    def target(self, view, rng):
        return 0.5


@pytest.mark.parametrize(("params", "message"), [
    ({"x": "abc"}, "k.x='abc': must be a number (Typed.x: float)"),
    ({"x": True}, "k.x=True: must be a number (Typed.x: float)"),
    ({"x": np.bool_(True)}, "k.x=np.True_: must be a number (Typed.x: float)"),
    ({"x": float("inf")}, "k.x=inf: must be a number, and finite (Typed.x: float)"),
    ({"x": float("nan")}, "k.x=nan: must be a number, and finite (Typed.x: float)"),
    ({"n": 1.5}, "k.n=1.5: must be a whole number (Typed.n: int)"),
    ({"n": 2.0}, "k.n=2.0: must be a whole number (Typed.n: int)"),
    ({"n": True}, "k.n=True: must be a whole number (Typed.n: int)"),
    ({"n": float("inf")}, "k.n=inf: must be a whole number (Typed.n: int)"),
    ({"flag": 1}, "k.flag=1: must be true or false (Typed.flag: bool)"),
    ({"label": 3}, "k.label=3: must be a string (Typed.label: str)"),
    ({"maybe": "x"}, "k.maybe='x': must be a number or null (Typed.maybe: float | None)"),
    ({"maybe": float("-inf")}, "k.maybe=-inf: must be a number or null, and finite (Typed.maybe: float | None)"),
    ({"names": "JPN"}, "k.names='JPN': must be a list of strings (Typed.names: tuple[str, ...] | list[str])"),
    ({"names": ["JPN", 3]}, "k.names=['JPN', 3]: must be a list of strings (Typed.names: tuple[str, ...] | list[str])"),
    ({"names": {"JPN"}}, "k.names={'JPN'}: must be a list of strings (Typed.names: tuple[str, ...] | list[str])"),
    ({"counts": [1, 2.5]},
     "k.counts=[1, 2.5]: must be a list of whole numbers or null (Typed.counts: list[int] | None)"),
    ({"anything": float("nan")}, "k.anything=nan: must be a finite value (Typed.anything: Any)"),
    ({"anything": [1.0, float("inf")]}, "k.anything=[1.0, inf]: must be a finite value (Typed.anything: Any)"),
    ({"anything": {"a": {"b": float("inf")}}},
     "k.anything={'a': {'b': inf}}: must be a finite value (Typed.anything: Any)"),
    ({"untyped": float("inf")}, "k.untyped=inf: must be a finite value (Typed.untyped: Any)"),
    ({"bare": "ab"}, "k.bare='ab': must be a list (Typed.bare: list)"),
    ({"marker": 3}, "k.marker=3: must be a Marker or null (Typed.marker: " + Marker.__module__ + ".Marker | None)"),
    ({"ints": [1, 1.5]}, "k.ints=[1, 1.5]: must be a list of whole numbers (Typed.ints: list[int])"),
    ({"opt": "a"}, "k.opt='a': must be a whole number or null (Typed.opt: Optional[int])"),
    ({"either": 1.5}, "k.either=1.5: must be a whole number or a string or null (Typed.either: Union[int, str, None])"),
    ({"legacy": "ab"}, "k.legacy='ab': must be a list (Typed.legacy: List)"),
    ({"generic": float("inf")}, "k.generic=inf: must be a T, and finite (Typed.generic: ~T)"),
    ({"literal": float("nan")}, "k.literal=nan: must be a Literal, and finite (Typed.literal: Literal['a', 'b'])"),
])
def test_a_value_of_the_wrong_type_is_named_with_what_is_allowed(params: dict, message: str) -> None:
    assert parameter_problems(Typed, params, "k") == [message]


@pytest.mark.parametrize("params", [
    {"x": 1}, {"x": 0.25}, {"x": np.float64(0.3)}, {"x": np.int64(2)}, {"n": np.int64(4)}, {"n": -3},
    {"flag": True}, {"label": ""}, {"maybe": None}, {"maybe": 0.2}, {"names": []}, {"names": ["JPN", "KOR"]},
    {"names": ("JPN",)}, {"counts": None}, {"counts": [1, np.int32(2)]}, {"anything": "x"}, {"anything": {"a": 1.0}},
    {"untyped": [1, "x"]}, {"bare": [1, "a", None]}, {"marker": Marker()}, {"marker": None}, {"generic": "any"},
    {"x": 1e308, "n": 0, "flag": False}, {"legacy": [1, "a"]}, {"legacy": []},
    {"literal": "c"},  # an annotation it cannot check (a Literal): the constructor judges
])
def test_values_of_the_right_type_pass(params: dict) -> None:
    assert parameter_problems(Typed, params, "k") == []


def test_every_wrong_value_is_reported_in_order() -> None:
    assert parameter_problems(Typed, {"n": "a", "x": 1.0, "flag": None}, "s") == [
        "s.n='a': must be a whole number (Typed.n: int)", "s.flag=None: must be true or false (Typed.flag: bool)"]


def test_unresolvable_annotations_check_finiteness_only() -> None:
    assert parameter_problems(Unresolvable, {"x": "anything"}, "u") == []
    assert parameter_problems(Unresolvable, {"x": float("inf")}, "u") == [
        "u.x=inf: must be a finite value (Unresolvable.x: Any)"]


@pytest.mark.parametrize(("hint", "words"), [
    (Any, "any value"), (None, "null"), (type(None), "null"), (bool, "true or false"), (int, "a whole number"),
    (float, "a number"), (str, "a string"), (float | None, "a number or null"),
    (typing.Optional[int], "a whole number or null"), (int | float | int, "a whole number or a number"),
    (list[str], "a list of strings"), (tuple[float, ...], "a list of numbers"),
    (frozenset[int], "a list of whole numbers"), (set[str], "a list of strings"), (list[Any], "a list of any values"),
    (tuple[str, ...] | list[str], "a list of strings"),
    (typing.List, "a list"), (dict, "a dict"), (Marker, "a Marker"),
    (3, "a 3"),  # an annotation without a name is spelled as it prints
])
def test_describe_puts_each_annotation_in_words(hint: Any, words: str) -> None:
    assert describe(hint) == words


# --- the listing -------------------------------------------------------------------------------------

class _Fake(Strategy):
    def target(self, view, rng):
        return 0.5


def _fake(name: str, side: Side, stochastic: bool, summary: str) -> type[Strategy]:
    return type(name, (_Fake,), {"info": StrategyInfo(name, side, stochastic, "src", summary)})


def test_the_listing_is_a_fixed_width_table_us_then_partner_then_both(monkeypatch) -> None:
    fakes = [_fake("zz_both", Side.BOTH, True, "either side"), _fake("b_partner", Side.PARTNER, False, "p two"),
             _fake("a_partner", Side.PARTNER, True, "p one"), _fake("long_us_name", Side.US, False, "the us"),
             _fake("c_us", Side.US, True, "")]
    monkeypatch.setattr(listing_module, "STRATEGIES", {cls.info.name: cls for cls in fakes})
    assert listing_module.listing() == (
        "name          side     stochastic  summary\n"
        "------------  -------  ----------  -------\n"
        "c_us          us       yes\n"
        "long_us_name  us       no          the us\n"
        "a_partner     partner  yes         p one\n"
        "b_partner     partner  no          p two\n"
        "zz_both       both     yes         either side")


def test_the_listing_of_the_real_registry_has_a_row_per_strategy_aligned() -> None:
    lines = listing_module.listing().splitlines()
    assert len(lines) == len(STRATEGIES) + 2
    start = lines[0].index("side")
    assert lines[0].startswith("name ") and all(line[start - 2:start] == "  " for line in lines)
    assert set(lines[1]) == {"-", " "}


@pytest.mark.filterwarnings("ignore:'sim.strategies.__main__' found in sys.modules:RuntimeWarning")
def test_python_dash_m_prints_the_listing_then_the_count_and_an_example(capsys) -> None:
    runpy.run_module("sim.strategies", run_name="__main__")
    out = capsys.readouterr().out
    assert out == (f"{listing_module.listing()}\n\n{len(STRATEGIES)} strategies. Choose one per agent in a config, "
                   "e.g.\n  tariffsim '~scenario.partners.JPN.strategy' "
                   "'+scenario.partners.JPN.strategy={name:conceder,beta:2.0}'\n")


def test_python_dash_m_into_a_closed_pipe_stops_quietly_with_141() -> None:
    """``python -m sim.strategies | head``: no traceback when the reader goes away."""
    process = subprocess.Popen([sys.executable, "-m", "sim.strategies"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the listing is written
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert (process.wait(timeout=30), stderr) == (141, "")


# --- maximum pressure's checks -----------------------------------------------------------------------

@pytest.mark.parametrize(("params", "message"), [
    ({"beta": 0.0}, "beta must be in (0, 1) (Boulware), got 0.0"),
    ({"beta": 1.0}, "beta must be in (0, 1) (Boulware), got 1.0"),
    ({"beta": -0.5}, "beta must be in (0, 1) (Boulware), got -0.5"),
    ({"k": -0.01}, "k must be in [0, 1], got -0.01"),
    ({"k": 1.01}, "k must be in [0, 1], got 1.01"),
    ({"near_days": -1}, "near_days must be a whole number >= 0, got -1"),
    ({"near_days": 2.0}, "near_days must be a whole number >= 0, got 2.0"),
    ({"stall_days": -1}, "stall_days must be a whole number >= 0, got -1"),
    # Its own check allows 0, the deal seeker's beneath it needs a whole day of stall.
    ({"stall_days": 0}, "stall_days must be a whole number >= 1, got 0"),
    ({"stall_days": 1.5}, "stall_days must be a whole number >= 0, got 1.5"),
    ({"cooldown_days": -1}, "cooldown_days must be a whole number >= 0, got -1"),
    ({"cooldown_days": "7"}, "cooldown_days must be a whole number >= 0, got '7'"),
    ({"threat_step": 0.0}, "threat_step must be > 0 percentage points, got 0.0"),
    ({"threat_step": -5.0}, "threat_step must be > 0 percentage points, got -5.0"),
])
def test_maximum_pressure_refuses_each_bad_parameter_in_words(params: dict, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        MaximumPressure(**params)
    assert str(raised.value) == message


@pytest.mark.parametrize("params", [
    {"beta": 1e-9}, {"beta": 0.999}, {"k": 0.0}, {"k": 1.0}, {"near_days": 0}, {"stall_days": 1},
    {"cooldown_days": 0}, {"threat_step": 1e-9},
])
def test_maximum_pressure_accepts_its_edges(params: dict) -> None:
    strategy = MaximumPressure(**params)
    for name, value in params.items():
        assert getattr(strategy, name) == value


def test_maximum_pressure_passes_every_parameter_on_and_never_extends() -> None:
    s = MaximumPressure(beta=0.3, k=0.1, near_days=2, stall_days=5, cooldown_days=4, threat_step=12.0)
    assert (s.beta, s.k, s.near_days, s.stall_days, s.cooldown_days, s.threat_step, s.max_extensions) == (
        0.3, 0.1, 2, 5, 4, 12.0, 0)
    rng = np.random.default_rng(0)
    assert s.at_deadline(deadline_view(market_stress=5.0, closest_gap=0.0, extensions=0), rng) == (
        DeadlineAction.IMPOSE, 0)
    stalled = table_view(days_since_progress=5, days_since_threat=4, threatened_rate=25.0, max_rate=50.0)
    assert s.threat(stalled, rng) == 12.0
    assert s.threat(stalled._replace(days_since_progress=4), rng) == 0.0
    assert s.threat(stalled._replace(days_since_threat=3), rng) == 0.0
    assert s.threat(stalled._replace(threatened_rate=50.0), rng) == 0.0
