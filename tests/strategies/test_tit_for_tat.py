"""Tit-for-tat against scripted opponents: it mirrors the other side's last concession."""

from __future__ import annotations

import pytest

from sim.strategies.tit_for_tat import AbsoluteTitForTat, RelativeTitForTat
from tests.strategies.contract import NAN, StrategyContract, play, spec, view

# What the opponent's offers are worth to me, day by day: nothing yet, an opening, two
# concessions, a standstill, a retraction, then a concession again.
OPPONENT = [NAN, 0.30, 0.35, 0.45, 0.45, 0.40, 0.50]


class TestAbsoluteTitForTat(StrategyContract):
    strategy_factory = spec("absolute_tit_for_tat")

    def test_mirrors_the_amount_of_each_concession(self) -> None:
        targets = play(self.build(), OPPONENT)
        # Nothing, opening, +0.05, +0.10, stood still, took back 0.05 (no move), +0.10.
        assert targets == pytest.approx([0.9, 0.9, 0.85, 0.75, 0.75, 0.75, 0.65])

    def test_stops_at_the_reservation_value(self) -> None:
        targets = play(self.build(), [0.1, 0.5, 0.9], reservation=0.6)
        assert targets == pytest.approx([0.9, 0.6, 0.6])

    def test_concedes_nothing_against_a_hardliner(self) -> None:
        assert set(play(self.build(), [0.2] * 120)) == {0.9}

    def test_scale(self) -> None:
        assert play(AbsoluteTitForTat(scale=0.5), OPPONENT)[3] == pytest.approx(0.9 - 0.025 - 0.05)
        with pytest.raises(ValueError, match="^scale must"):
            AbsoluteTitForTat(scale=0)


class TestRelativeTitForTat(StrategyContract):
    strategy_factory = spec("relative_tit_for_tat")

    def test_mirrors_the_share_of_each_concession(self) -> None:
        targets = play(self.build(), OPPONENT)
        # Day 2: the opponent closed 0.05 of the 0.60 between its offer and my ideal (1/12), so I
        # give up 1/12 of the 0.60 between my target and my reservation value.
        day2 = 0.9 - (0.05 / 0.6) * 0.6
        day3 = day2 - (0.10 / 0.55) * (day2 - 0.3)
        day6 = day3 - (0.10 / 0.50) * (day3 - 0.3)
        assert targets == pytest.approx([0.9, 0.9, day2, day3, day3, day3, day6])

    def test_same_share_whatever_the_scale(self) -> None:
        # The opponent closes half its distance to my ideal: I give up half my room, in any units.
        for aspiration, reservation, previous in ((0.9, 0.3, 0.5), (0.6, 0.1, 0.2)):
            v = view(aspiration=aspiration, reservation=reservation, previous_target=aspiration,
                     previous_received=previous, last_received=(previous + aspiration) / 2)
            target = RelativeTitForTat().target(v, None)
            assert target == pytest.approx((aspiration + reservation) / 2)

    def test_differs_from_absolute(self) -> None:
        assert play(self.build(), OPPONENT)[6] != pytest.approx(play(AbsoluteTitForTat(), OPPONENT)[6])
