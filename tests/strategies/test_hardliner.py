"""The hardliner never concedes from its aspiration."""

from __future__ import annotations

import numpy as np
import pytest

from sim.strategies.hardliner import Hardliner
from tests.strategies.contract import StrategyContract, play, spec, view


class TestHardliner(StrategyContract):
    strategy_factory = spec("hardliner")

    def test_never_concedes_whatever_the_opponent_or_the_clock(self) -> None:
        conceding = [0.1 + 0.005 * day for day in range(130)]
        assert set(play(self.build(), conceding)) == {0.9}

    def test_takes_no_deal_level_offers_only_from_the_deadline(self) -> None:
        strategy, rng = self.build(), np.random.default_rng(0)
        for days_left, accepted in ((30, False), (1, False), (0, True), (-5, True)):
            v = view(days_left=days_left, reservation=0.4)
            assert strategy.accepts(v, 0.45, strategy.target(v, rng)) is accepted
        assert strategy.accepts(view(days_left=30), 0.9, 0.9), "its own demand, any day"

    def test_near_days(self) -> None:
        assert Hardliner(near_days=5).accepts(view(days_left=4, reservation=0.4), 0.45, 0.9)
        with pytest.raises(ValueError, match="^near_days must"):
            Hardliner(near_days=-1)
