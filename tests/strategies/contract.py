"""The contract every strategy keeps, as a test base class, and scripted views to test it with.

A strategy's test class inherits ``StrategyContract`` and sets ``strategy_factory`` to a
validated ``StrategySpec`` (``spec("boulware", beta=0.3)``): the contract then checks, on a
sweep of hand-made views, that the strategy is deterministic per seed, keeps no state, pickles,
never retracts nor goes below its reservation value, never accepts less than that, and decides
from views alone. Scripted opponents (``play``) are in the style of Axelrod's ``versus_test``.
"""

from __future__ import annotations

import inspect
import itertools
import math
import pickle
from collections.abc import Sequence
from typing import Any, ClassVar

import mesa
import numpy as np

from sim.strategies import (
    STRATEGIES,
    DeadlineAction,
    DeadlineView,
    Side,
    Strategy,
    StrategyInfo,
    StrategySpec,
    TableView,
    USStrategy,
    View,
    strategy_spec,
)

NAN = float("nan")


def spec(name: str, side: Side = Side.PARTNER, **params: Any) -> StrategySpec:
    """A spec validated the way a config is (fails the test with the registry's message)."""
    built, errors = strategy_spec({"name": name, **params}, side, "strategy")
    assert built is not None, errors
    return built


def view(**fields: Any) -> View:
    """A bare view: halfway to a 100-day deadline, nothing received yet; ``fields`` override."""
    base = dict(day=50, tau=0.5, days_left=50, aspiration=0.9, reservation=0.3, previous_target=0.9,
                last_received=NAN, previous_received=NAN, best_received=0.0, days_to_election=None,
                market_stress=0.3, stress_threshold=0.5)
    base.update(fields)
    return View(**base)


def table_view(**fields: Any) -> TableView:
    """A bare table view (a partner that has made an offer); ``fields`` override."""
    base = dict(partner="JPN", seriousness=0.05, gap=0.2, days_waited=1, days_since_progress=0,
                days_since_threat=100, threatened_rate=25.0, max_rate=50.0)
    base.update(fields)
    return TableView(**base)


def deadline_view(**fields: Any) -> DeadlineView:
    """A bare deadline view; ``fields`` override."""
    base = dict(day=90, deadline_day=91, last_day=174, extensions=0, market_stress=0.3,
                open_tables=("EU", "JPN"), closest_gap=0.2, stress_threshold=0.35, stress_sensitivity=0.0,
                imposing_shock=0.3)
    base.update(fields)
    return DeadlineView(**base)


def sweep() -> list[View]:
    """Views over time, reservation values, past targets, offer histories, elections and stress."""
    views = []
    histories = [(NAN, NAN, 0.0), (0.4, NAN, 0.4), (0.45, 0.4, 0.45), (0.4, 0.45, 0.45), (0.8, 0.2, 0.8),
                 (0.5, 0.5, 0.5), (0.95, 0.1, 0.95)]
    for tau, reservation, gap, (last, previous, best), election, stress in itertools.product(
            (0.0, 0.3, 0.5, 0.9, 1.0, 1.4), (0.0, 0.3, 0.6), (0.0, 0.15, 0.6), histories, (None, 12, 0), (0.2, 0.9)):
        days_left = round(100 * (1 - tau))
        previous_target = min(0.9, reservation + gap)
        views.append(view(day=round(100 * tau), tau=tau, days_left=days_left, reservation=reservation,
                          previous_target=previous_target, last_received=last, previous_received=previous,
                          best_received=best, days_to_election=election, market_stress=stress))
    return views


def play(strategy: Strategy, received: Sequence[float], deadline_day: int = 100, aspiration: float = 0.9,
         reservation: float = 0.3, seed: int = 0, **fields: Any) -> list[float]:
    """The targets ``strategy`` sets on days 0, 1, … facing an opponent whose offers are worth
    ``received[d]`` to it on day ``d`` (``nan``: none yet). Each day's view carries the last
    target, the opponent's latest and previous offers and its best so far, as the engine's does."""
    rng = np.random.default_rng(seed)
    targets: list[float] = []
    previous_target, last, previous, best = aspiration, NAN, NAN, 0.0
    for day, offer in enumerate(received):
        if not math.isnan(offer):
            last, previous, best = offer, last, max(best, offer)
        today = view(day=day, tau=day / deadline_day, days_left=deadline_day - day, aspiration=aspiration,
                     reservation=reservation, previous_target=previous_target, last_received=last,
                     previous_received=previous, best_received=best, **fields)
        previous_target = strategy.target(today, rng)
        targets.append(previous_target)
    return targets


def decisions(strategy: Strategy, seed: int) -> dict[str, list[Any]]:
    """Everything ``strategy`` decides over the sweep (and, for the US, its tactics), by method."""
    rng = np.random.default_rng(seed)
    out: dict[str, list[Any]] = {"target": [], "accepts": [], "locked_issues": [], "retaliates": []}
    for v in sweep():
        target = strategy.target(v, rng)
        out["target"].append(target)
        out["accepts"] += [strategy.accepts(v, target, target), strategy.accepts(v, v.reservation, target)]
        out["locked_issues"].append(strategy.locked_issues(v))
        out["retaliates"].append(strategy.retaliates(v, rng))
    if isinstance(strategy, USStrategy):
        tables = [table_view(partner=code, seriousness=s, days_since_progress=d, days_since_threat=t)
                  for code, s, d, t in zip(("CAN", "EU", "JPN", "KOR", "VNM"), (-0.1, 0.0, 0.05, 0.1, 0.2),
                                           (0, 5, 12, 25, 40), (100, 3, 10, 30, 100))]
        out["attention"] = [strategy.attention(tables, 3, rng)]
        out["threat"] = [strategy.threat(t, rng) for t in tables]
        out["move_deadline"] = [strategy.move_deadline(deadline_view(day=day, deadline_day=120), rng)
                                for day in range(60, 120)]
        out["at_deadline"] = [strategy.at_deadline(deadline_view(market_stress=stress, closest_gap=gap,
                                                                 extensions=extensions), rng)
                              for stress, gap, extensions in itertools.product((0.1, 0.9), (0.01, 0.5), (0, 1, 2))]
    return out


def same(a: dict[str, list[Any]], b: dict[str, list[Any]], skip: tuple[str, ...] = ()) -> bool:
    """Equal decisions (``nan`` equal to itself), leaving out the methods in ``skip``."""
    def equal(x: Any, y: Any) -> bool:
        return x == y or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
    return a.keys() == b.keys() and all(
        len(a[k]) == len(b[k]) and all(equal(x, y) for x, y in zip(a[k], b[k])) for k in a if k not in skip)


class StrategyContract:
    """Tests every strategy's test class inherits. Set ``strategy_factory`` to a ``StrategySpec``."""

    strategy_factory: ClassVar[StrategySpec]
    seeds: ClassVar[tuple[int, ...]] = (0, 1, 2025)

    def build(self) -> Strategy:
        return self.strategy_factory.build()

    def test_metadata_and_docstring(self) -> None:
        cls = self.strategy_factory.cls
        info = cls.info
        assert isinstance(info, StrategyInfo)
        assert STRATEGIES[info.name] is cls, "registered under its own name"
        assert isinstance(info.side, Side) and isinstance(info.stochastic, bool)
        assert info.source and info.summary and "\n" not in info.summary
        assert cls.__doc__ and "References:" in cls.__doc__, "the docstring cites its sources"

    def test_deterministic_per_seed(self) -> None:
        for seed in self.seeds:
            assert same(decisions(self.build(), seed), decisions(self.build(), seed))

    def test_deterministic_strategies_ignore_the_generator(self) -> None:
        if self.strategy_factory.cls.info.stochastic:
            return
        # The base attention breaks near-ties with the generator, whatever the strategy says.
        assert same(decisions(self.build(), 1), decisions(self.build(), 2), skip=("attention",))

    def test_build_gives_independent_stateless_instances(self) -> None:
        first, second = self.build(), self.build()
        assert first is not second and vars(first) == vars(second)
        for name, value in vars(first).items():
            if isinstance(value, (list, dict, set, np.ndarray)):
                assert value is not vars(second)[name], f"{name} is shared between instances"
        before = pickle.dumps(first)
        decisions(first, seed=3)
        assert pickle.dumps(first) == before, "deciding changed the strategy's state"
        assert same(decisions(first, 4), decisions(second, 4)), "an instance that has decided decides as a fresh one"

    def test_pickle_round_trip(self) -> None:
        strategy = self.build()
        copy = pickle.loads(pickle.dumps(strategy))
        assert type(copy) is type(strategy) and vars(copy) == vars(strategy)
        assert same(decisions(copy, 5), decisions(strategy, 5))
        spec_copy = pickle.loads(pickle.dumps(self.strategy_factory))
        assert spec_copy.cls is self.strategy_factory.cls and spec_copy.params == self.strategy_factory.params

    def test_target_never_retracts_nor_goes_below_reservation(self) -> None:
        strategy, rng = self.build(), np.random.default_rng(0)
        for v in sweep():
            target = strategy.target(v, rng)
            assert isinstance(target, float) and math.isfinite(target), v
            assert v.reservation - 1e-12 <= target <= max(v.previous_target, v.reservation) + 1e-12, (target, v)

    def test_never_accepts_below_reservation(self) -> None:
        strategy, rng = self.build(), np.random.default_rng(0)
        for v in sweep():
            target = strategy.target(v, rng)
            for below in (v.reservation - 0.2, v.reservation - 1e-6):
                assert not strategy.accepts(v, below, target), v
                assert not strategy.accepts(v, below, below), v

    def test_sees_views_only(self) -> None:
        cls = self.strategy_factory.cls
        params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
        assert not {"model", "agent", "talks", "world"} & set(params)
        strategy = self.build()
        for name, value in vars(strategy).items():
            assert not isinstance(value, (mesa.Model, mesa.Agent)), f"{name} refers to the model"
            assert "model" not in name.lower()
        for method in ("target", "accepts", "locked_issues", "retaliates"):
            hints = list(inspect.signature(getattr(cls, method)).parameters)[1:]
            assert hints[0] == "view", f"{method} decides from a view"
        assert isinstance(strategy.target(view(), np.random.default_rng(0)), float)
        if isinstance(strategy, USStrategy):
            rng = np.random.default_rng(0)
            assert isinstance(strategy.threat(table_view(), rng), float)
            action, days = strategy.at_deadline(deadline_view(), rng)
            assert isinstance(action, DeadlineAction) and isinstance(days, int)
            assert isinstance(strategy.move_deadline(deadline_view(), rng), int)

    def test_refuses_an_unknown_parameter(self) -> None:
        name = self.strategy_factory.cls.info.name
        side = Side.US if self.strategy_factory.cls.info.side is Side.US else Side.PARTNER
        built, errors = strategy_spec({"name": name, "no_such_parameter": 1}, side, "strategy")
        assert built is None and "is not a parameter" in errors[0]
