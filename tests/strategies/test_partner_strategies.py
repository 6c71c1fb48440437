"""Partner strategies: elections, countermeasures and the markets, against scripted views."""

from __future__ import annotations

import numpy as np
import pytest

from sim.strategies.partners import Retaliate
from sim.strategies.wait_out_the_market import WaitOutTheMarket
from tests.strategies.contract import StrategyContract, play, spec, view

HOLD = [0.3] * 101


class TestHoldUntilElection(StrategyContract):
    strategy_factory = spec("hold_until_election", protected=["farm_access", "digital"])

    def test_locks_protected_issues_before_election_day_and_frees_them_from_it(self) -> None:
        strategy = self.build()
        for days in (60, 10, 1):
            assert strategy.locked_issues(view(days_to_election=days)) == {"farm_access", "digital"}
        for days in (0, None):  # election day, or no election ahead (the view's None once it is past)
            assert strategy.locked_issues(view(days_to_election=days)) == frozenset()

    def test_still_concedes_on_other_issues_before_the_vote(self) -> None:
        targets = play(self.build(), HOLD, days_to_election=30)
        assert targets[60] < targets[0]


class TestRetaliate(StrategyContract):
    strategy_factory = spec("retaliate")

    @pytest.mark.parametrize("probability", [0.0, 0.2, 0.5, 0.9, 1.0])
    def test_retaliation_rate_is_its_probability(self, probability: float) -> None:
        strategy, rng = Retaliate(probability=probability), np.random.default_rng(11)
        rate = np.mean([strategy.retaliates(view(), rng) for _ in range(20_000)])
        assert rate == pytest.approx(probability, abs=0.015)

    def test_refuses_a_probability_above_one(self) -> None:
        with pytest.raises(ValueError, match="^probability must"):
            Retaliate(probability=1.5)


class TestWaitOutTheMarket(StrategyContract):
    strategy_factory = spec("wait_out_the_market")

    def test_holds_while_calm_and_concedes_under_stress(self) -> None:
        calm = play(self.build(), HOLD[:80], market_stress=0.3)
        stressed = play(self.build(), HOLD[:80], market_stress=0.7)
        assert calm[60] > 0.9 - 0.01 * 0.6, "holds near its aspiration while calm"
        assert stressed[60] == pytest.approx(0.9 - 0.6 * 0.6)  # the linear curve once stressed

    def test_concedes_when_the_deadline_is_near_even_if_calm(self) -> None:
        calm = play(self.build(), HOLD, market_stress=0.3)
        assert calm[92] > 0.6, "eight days out it still holds"
        assert calm[93] == pytest.approx(0.9 - 0.6 * 0.93)  # seven days out: the linear curve

    def test_a_stress_spike_moves_it_for_good(self) -> None:
        strategy, rng = self.build(), np.random.default_rng(0)
        before = strategy.target(view(tau=0.6, days_left=40, market_stress=0.8), rng)
        after = strategy.target(view(tau=0.61, days_left=39, market_stress=0.2, previous_target=before), rng)
        assert after == before == pytest.approx(0.9 - 0.6 * 0.6)

    def test_own_trigger(self) -> None:
        v = view(market_stress=0.45)
        assert not WaitOutTheMarket().stressed(v)
        assert WaitOutTheMarket(trigger=0.4).stressed(v)
        with pytest.raises(ValueError, match="^trigger must"):
            WaitOutTheMarket(trigger=-1.0)
