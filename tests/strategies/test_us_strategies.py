"""US strategies: concession plus tactics (threats, the deadline), against scripted tables."""

from __future__ import annotations

import numpy as np
import pytest

from sim.strategies import DeadlineAction, Side
from sim.strategies.erratic import Erratic
from sim.strategies.maximum_pressure import MaximumPressure
from sim.strategies.united_states import DealSeeker
from tests.strategies.contract import StrategyContract, deadline_view, play, spec, table_view

HOLD = [0.3] * 101


def threats(strategy, days: int = 60, seed: int = 0) -> list[float]:
    """Threats against a partner that never narrows the gap, day by day, with the engine's
    bookkeeping: a threat resets the days since progress and since the last threat."""
    rng, rate, since_progress, since_threat, out = np.random.default_rng(seed), 25.0, 0, 100, []
    for _ in range(days):
        step = strategy.threat(table_view(days_since_progress=since_progress, days_since_threat=since_threat,
                                          threatened_rate=rate), rng)
        out.append(step)
        if step > 0:
            rate, since_progress, since_threat = min(50.0, rate + step), 0, 0
        since_progress, since_threat = since_progress + 1, since_threat + 1
    return out


def first(steps: list[float]) -> int:
    return next(day for day, step in enumerate(steps) if step > 0)


class TestDealSeeker(StrategyContract):
    strategy_factory = spec("deal_seeker", Side.US)

    def test_threatens_a_table_stalled_for_three_weeks(self) -> None:
        steps = threats(self.build())
        assert first(steps) == 21 and steps[21] == 5.0 and sum(s > 0 for s in steps) == 2

    def test_extends_once_when_markets_are_nervous_or_a_deal_is_close(self) -> None:
        strategy, rng = self.build(), np.random.default_rng(0)
        assert strategy.at_deadline(deadline_view(market_stress=0.6), rng) == (DeadlineAction.EXTEND, 23)
        assert strategy.at_deadline(deadline_view(closest_gap=0.05), rng) == (DeadlineAction.EXTEND, 23)
        assert strategy.at_deadline(deadline_view(market_stress=0.6, extensions=1), rng)[0] is DeadlineAction.IMPOSE
        assert strategy.at_deadline(deadline_view(), rng)[0] is DeadlineAction.IMPOSE


class TestMaximumPressure(StrategyContract):
    strategy_factory = spec("maximum_pressure", Side.US)

    def test_threatens_sooner_and_harder_than_the_deal_seeker(self) -> None:
        pressure, seeker = threats(self.build()), threats(DealSeeker())
        assert first(pressure) < first(seeker)
        assert max(pressure) > max(seeker)
        assert sum(pressure) > sum(seeker)

    def test_never_extends(self) -> None:
        strategy, rng = self.build(), np.random.default_rng(0)
        for stress in (0.0, 0.6, 2.0):
            for gap in (0.0, 0.05, 1.0):
                view = deadline_view(market_stress=stress, closest_gap=gap)
                assert strategy.at_deadline(view, rng) == (DeadlineAction.IMPOSE, 0)
                assert strategy.move_deadline(view, rng) == 0

    def test_concedes_later_than_the_deal_seeker(self) -> None:
        assert play(self.build(), HOLD)[50] > play(DealSeeker(), HOLD)[50]

    def test_stops_at_the_highest_rate(self) -> None:
        assert self.build().threat(table_view(days_since_progress=99, threatened_rate=50.0), None) == 0.0

    def test_refuses_a_conceding_beta(self) -> None:
        with pytest.raises(ValueError, match="^beta must"):
            MaximumPressure(beta=2.0)


class TestErratic(StrategyContract):
    strategy_factory = spec("erratic", Side.US)

    @staticmethod
    def moves(seed: int, strategy: Erratic | None = None) -> list[int]:
        strategy, rng = strategy or Erratic(), np.random.default_rng(seed)
        return [strategy.move_deadline(deadline_view(day=day, deadline_day=91), rng) for day in range(91)]

    def test_moves_the_deadline_under_some_seeds_only_a_few_days(self) -> None:
        by_seed = [self.moves(seed) for seed in range(40)]
        moved = [m for moves in by_seed for m in moves if m != 0]
        assert any(m > 0 for m in moved) and any(m < 0 for m in moved)
        assert all(1 <= abs(m) <= 7 for m in moved)
        assert any(not any(moves) for moves in by_seed), "some runs keep the deadline"
        assert len(moved) / (40 * 91) == pytest.approx(0.03, abs=0.015)

    def test_deterministic_per_seed(self) -> None:
        assert self.moves(7) == self.moves(7)
        assert any(self.moves(seed) != self.moves(7) for seed in range(8))

    def test_demands_jump_around_the_curve(self) -> None:
        runs = [play(self.build(), HOLD, seed=seed) for seed in range(5)]
        assert len({round(run[40], 9) for run in runs}) > 1
        assert all(a >= b for run in runs for a, b in zip(run, run[1:])), "never retracts"
        assert play(self.build(), HOLD, seed=3) == play(self.build(), HOLD, seed=3)
        assert play(Erratic(jitter=0.0), HOLD, seed=1) == play(Erratic(jitter=0.0), HOLD, seed=2)

    def test_extends_or_imposes_at_random(self) -> None:
        strategy, rng = self.build(), np.random.default_rng(0)
        actions = [strategy.at_deadline(deadline_view(), rng) for _ in range(400)]
        extended = [days for action, days in actions if action is DeadlineAction.EXTEND]
        assert len(extended) / 400 == pytest.approx(0.5, abs=0.1)
        assert all(1 <= days <= 30 for days in extended)
