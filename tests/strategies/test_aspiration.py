"""MiCRO-style aspiration: one step down per better offer, nothing otherwise."""

from __future__ import annotations

import pytest

from sim.strategies.aspiration import Aspiration
from tests.strategies.contract import NAN, StrategyContract, play, spec


class TestAspiration(StrategyContract):
    strategy_factory = spec("aspiration")

    def test_concedes_nothing_while_the_opponent_does_not(self) -> None:
        # Even past the deadline: time alone never moves it.
        assert set(play(self.build(), [0.3] * 150)) == {0.9}

    def test_one_step_per_new_better_offer(self) -> None:
        opponent = [NAN, 0.30, 0.31, 0.50, 0.50, 0.45, 0.48, 0.55]
        # Better offers on days 2, 3 and 7; day 6 improves on day 5 but not on the best so far.
        assert play(self.build(), opponent) == pytest.approx([0.9, 0.9, 0.88, 0.86, 0.86, 0.86, 0.86, 0.84])

    def test_step_size_not_concession_size(self) -> None:
        small, large = play(Aspiration(step=0.05), [0.3, 0.301]), play(Aspiration(step=0.05), [0.3, 0.6])
        assert small == large == pytest.approx([0.9, 0.85])

    def test_refuses_a_bad_step(self) -> None:
        with pytest.raises(ValueError, match="^step must"):
            Aspiration(step=0)
