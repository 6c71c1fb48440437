"""Time-dependent strategies: Faratin's curves, Boulware to Conceder."""

from __future__ import annotations

import numpy as np
import pytest

from sim.strategies import Boulware, Conceder, Linear, TimeDependent
from tests.strategies.contract import StrategyContract, play, spec, view

HOLD = [0.3] * 101  # an opponent that never moves


class TestTimeDependent(StrategyContract):
    strategy_factory = spec("time_dependent", beta=0.7, k=0.05)

    def test_known_answer(self) -> None:
        # u(0.5) = 0.9 - 0.6 * (0.05 + 0.95 * 0.5 ** (1 / 0.7))
        target = self.build().target(view(tau=0.5), np.random.default_rng(0))
        assert target == pytest.approx(0.9 - 0.6 * (0.05 + 0.95 * 0.5 ** (1 / 0.7)))

    def test_reaches_reservation_at_the_deadline_and_stays(self) -> None:
        targets = play(self.build(), HOLD + [0.3] * 10)
        assert targets[100] == pytest.approx(0.3) and targets[-1] == pytest.approx(0.3)
        assert all(a >= b for a, b in zip(targets, targets[1:]))


class TestBoulware(StrategyContract):
    strategy_factory = spec("boulware")

    def test_concedes_less_than_conceder_halfway_to_the_deadline(self) -> None:
        boulware, conceder = play(Boulware(), HOLD), play(Conceder(), HOLD)
        assert boulware[50] > conceder[50] + 0.3
        assert boulware[50] > play(Linear(), HOLD)[50] > conceder[50]
        assert boulware[100] == pytest.approx(conceder[100]) == pytest.approx(0.3)  # both end at reservation

    def test_refuses_a_conceding_beta(self) -> None:
        with pytest.raises(ValueError):
            Boulware(beta=1.5)


class TestLinear(StrategyContract):
    strategy_factory = spec("linear")

    def test_halfway_is_the_midpoint(self) -> None:
        assert play(Linear(), HOLD)[50] == pytest.approx(0.6)


class TestConceder(StrategyContract):
    strategy_factory = spec("conceder")

    def test_concedes_most_of_the_way_by_halfway(self) -> None:
        assert play(Conceder(), HOLD)[50] < 0.3 + 0.25 * 0.6


class TestAppeaseEarly(StrategyContract):
    strategy_factory = spec("appease_early")

    def test_opens_with_a_large_concession_and_concedes_early(self) -> None:
        appease, conceder = play(self.build(), HOLD), play(Conceder(), HOLD)
        assert appease[0] == pytest.approx(0.9 - 0.3 * 0.6)  # k = 0.3 of the way at once
        assert conceder[0] == pytest.approx(0.9)
        assert appease[25] < play(Boulware(), HOLD)[25] - 0.3

    @pytest.mark.parametrize("params", [{"k": 0.0}, {"beta": 0.5}])
    def test_refuses_no_opening_concession_or_a_boulware_beta(self, params: dict) -> None:
        with pytest.raises(ValueError, match=f"^{next(iter(params))} must"):
            type(self.build())(**params)

    def test_is_a_time_dependent_strategy(self) -> None:
        assert isinstance(self.build(), TimeDependent)
