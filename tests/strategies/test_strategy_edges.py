"""Known answers at the edges of the single strategies: exact messages, boundary values and the
clamps every target goes through (tit-for-tat, aspiration, hardliner, appease early, wait out the
market and the erratic US)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.concession import target_utility
from sim.strategies import DeadlineAction
from sim.strategies.appease_early import AppeaseEarly
from sim.strategies.aspiration import Aspiration
from sim.strategies.erratic import Erratic
from sim.strategies.hardliner import Hardliner
from sim.strategies.tit_for_tat import AbsoluteTitForTat, RelativeTitForTat, other_concession
from sim.strategies.wait_out_the_market import WaitOutTheMarket
from tests.strategies.contract import NAN, deadline_view, table_view, view

RNG = np.random.default_rng(0)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: AbsoluteTitForTat(scale=0), "scale must be a number > 0, got 0"),
    (lambda: AbsoluteTitForTat(scale=-1.0), "scale must be a number > 0, got -1.0"),
    (lambda: AbsoluteTitForTat(scale="2"), "scale must be a number > 0, got '2'"),
    (lambda: AbsoluteTitForTat(near_days=-1), "near_days must be a whole number >= 0, got -1"),
    (lambda: RelativeTitForTat(near_days=-1), "near_days must be a whole number >= 0, got -1"),
    (lambda: RelativeTitForTat(near_days=2.0), "near_days must be a whole number >= 0, got 2.0"),
    (lambda: Aspiration(step=0), "step must be a utility in (0, 1], got 0"),
    (lambda: Aspiration(step=-0.1), "step must be a utility in (0, 1], got -0.1"),
    (lambda: Aspiration(step="0.1"), "step must be a utility in (0, 1], got '0.1'"),
    (lambda: Hardliner(near_days=-1), "near_days must be a whole number >= 0, got -1"),
    (lambda: Hardliner(near_days=1.5), "near_days must be a whole number >= 0, got 1.5"),
    (lambda: AppeaseEarly(beta=1.0), "beta must be > 1 (a Conceder), got 1.0"),
    (lambda: AppeaseEarly(beta=0.5), "beta must be > 1 (a Conceder), got 0.5"),
    (lambda: AppeaseEarly(k=0.0), "k must be in (0, 1] (an opening concession), got 0.0"),
    (lambda: AppeaseEarly(k=1.01), "k must be in (0, 1] (an opening concession), got 1.01"),
    (lambda: AppeaseEarly(near_days=-1), "near_days must be a whole number of days >= 0, got -1"),
    (lambda: WaitOutTheMarket(trigger=-0.5),
     "trigger must be a stress level >= 0, or null for the US threshold, got -0.5"),
    (lambda: WaitOutTheMarket(trigger=NAN),
     "trigger must be a stress level >= 0, or null for the US threshold, got nan"),
    (lambda: WaitOutTheMarket(hold_beta=-1.0), "hold_beta must be > 0, got -1.0"),
    (lambda: WaitOutTheMarket(k=-0.1), "k must be in [0, 1], got -0.1"),
    (lambda: WaitOutTheMarket(near_days=-1), "near_days must be a whole number >= 0, got -1"),
    (lambda: WaitOutTheMarket(deadline_days=1.5), "deadline_days must be a whole number >= 0, got 1.5"),
    (lambda: Erratic(beta=-1.0), "beta must be > 0, got -1.0"),
    (lambda: Erratic(k=-0.1), "k must be in [0, 1], got -0.1"),
    (lambda: Erratic(jitter=-0.1), "jitter must be a utility in [0, 1], got -0.1"),
    (lambda: Erratic(move_probability=-0.1), "move_probability must be a probability in [0, 1], got -0.1"),
    (lambda: Erratic(threat_probability=1.1), "threat_probability must be a probability in [0, 1], got 1.1"),
    (lambda: Erratic(extend_probability=-0.1), "extend_probability must be a probability in [0, 1], got -0.1"),
    (lambda: Erratic(max_move_days=1.5), "max_move_days must be a whole number >= 1, got 1.5"),
    (lambda: Erratic(extension_days=2.0), "extension_days must be a whole number >= 1, got 2.0"),
    (lambda: Erratic(threat_step=-1.0), "threat_step must be > 0 percentage points, got -1.0"),
])
def test_each_bad_parameter_is_refused_with_its_exact_message(make, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        make()
    assert str(raised.value) == message


@pytest.mark.parametrize(("make", "attributes"), [
    (lambda: AbsoluteTitForTat(scale=2, near_days=0), {"scale": 2.0, "near_days": 0}),
    (lambda: AbsoluteTitForTat(scale=1e-9), {"scale": 1e-9, "near_days": 3}),
    (lambda: RelativeTitForTat(near_days=0), {"near_days": 0}),
    (lambda: Aspiration(step=1, near_days=0), {"step": 1.0, "near_days": 0}),
    (lambda: Aspiration(step=1e-9), {"step": 1e-9}),
    (lambda: Hardliner(), {"near_days": 0}),
    (lambda: Hardliner(near_days=4), {"near_days": 4}),
    (lambda: AppeaseEarly(), {"beta": 2.0, "k": 0.3, "near_days": 3}),
    (lambda: AppeaseEarly(beta=1.0001, k=1.0, near_days=0), {"beta": 1.0001, "k": 1.0, "near_days": 0}),
    (lambda: AppeaseEarly(k=1e-9), {"k": 1e-9}),
    (lambda: WaitOutTheMarket(trigger=0.0, hold_beta=1e-9, beta=1e-9, k=0.0),
     {"trigger": 0.0, "hold_beta": 1e-9, "beta": 1e-9, "k": 0.0}),
    (lambda: Erratic(jitter=0.0, move_probability=0.0, threat_probability=0.0, extend_probability=0.0, k=0.0),
     {"jitter": 0.0, "move_probability": 0.0, "threat_probability": 0.0, "extend_probability": 0.0, "k": 0.0}),
    (lambda: Erratic(jitter=1.0, k=1.0), {"jitter": 1.0, "k": 1.0}),
])
def test_edges_are_accepted_and_kept(make, attributes: dict) -> None:
    strategy = make()
    for name, value in attributes.items():
        assert getattr(strategy, name) == value
        assert type(getattr(strategy, name)) is type(value)


# --- tit-for-tat ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("last", "previous", "conceded"), [
    (NAN, NAN, 0.0), (0.4, NAN, 0.0), (0.4, 0.4, 0.0), (0.3, 0.4, 0.0), (0.5, 0.4, 0.1),
])
def test_other_concession_counts_only_a_real_move_towards_me(last, previous, conceded) -> None:
    assert other_concession(view(last_received=last, previous_received=previous)) == pytest.approx(conceded)


def test_absolute_tit_for_tat_scales_the_concession_and_clamps_at_the_reservation() -> None:
    v = view(previous_target=0.8, last_received=0.5, previous_received=0.4, reservation=0.3)
    assert AbsoluteTitForTat(scale=2.0).target(v, RNG) == pytest.approx(0.6)
    assert AbsoluteTitForTat(scale=10.0).target(v, RNG) == 0.3
    assert AbsoluteTitForTat().target(v._replace(last_received=0.3), RNG) == 0.8


def test_relative_tit_for_tat_with_exactly_no_room_and_more_than_all_of_it() -> None:
    strategy = RelativeTitForTat()
    # The opponent's previous offer was worth exactly my aspiration: no room, no move.
    v = view(aspiration=0.6, previous_received=0.6, last_received=0.7, previous_target=0.55, reservation=0.3)
    assert strategy.target(v, RNG) == 0.55
    # A concession bigger than the room left counts as all of it: straight to the reservation value.
    v = view(aspiration=0.6, previous_received=0.5, last_received=0.9, previous_target=0.8, reservation=0.3)
    assert strategy.target(v, RNG) == pytest.approx(0.3)
    # Half the room: half of mine.
    v = view(aspiration=0.9, previous_received=0.5, last_received=0.7, previous_target=0.7, reservation=0.3)
    assert strategy.target(v, RNG) == pytest.approx(0.5)


# --- aspiration ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("last", "previous", "best", "expected"), [
    (0.5, 0.4, 0.5, 0.78),   # better than the previous and equal to the best so far: one step
    (0.5, 0.4, 0.45, 0.78),  # a new best: one step
    (0.5, 0.5, 0.5, 0.8),    # the same offer again: none
    (0.5, 0.4, 0.6, 0.8),    # better than the previous, below an earlier best: none
    (0.5, NAN, 0.5, 0.8),    # a first offer: none
    (NAN, NAN, 0.0, 0.8),    # nothing yet: none
])
def test_aspiration_steps_only_for_a_new_best_offer(last, previous, best, expected) -> None:
    v = view(previous_target=0.8, last_received=last, previous_received=previous, best_received=best)
    assert Aspiration(step=0.02).target(v, RNG) == pytest.approx(expected)


def test_aspiration_never_steps_below_the_reservation_value() -> None:
    v = view(previous_target=0.31, reservation=0.3, last_received=0.5, previous_received=0.4, best_received=0.5)
    assert Aspiration(step=0.02).target(v, RNG) == 0.3


# --- hardliner -------------------------------------------------------------------------------------

def test_hardliner_aims_at_its_aspiration_within_the_usual_clamps() -> None:
    hardliner = Hardliner()
    assert hardliner.target(view(aspiration=0.9, previous_target=0.95, reservation=0.3), RNG) == 0.9
    assert hardliner.target(view(aspiration=0.9, previous_target=0.85, reservation=0.3), RNG) == 0.85
    assert hardliner.target(view(aspiration=0.2, previous_target=0.85, reservation=0.3), RNG) == 0.3


def test_hardliner_takes_a_no_deal_level_offer_only_from_near_days_out() -> None:
    assert Hardliner().accepts(view(days_left=0, reservation=0.4), 0.4, 0.9)
    assert not Hardliner().accepts(view(days_left=1, reservation=0.4), 0.89, 0.9)
    assert Hardliner().accepts(view(days_left=1, reservation=0.4), 0.9, 0.9)
    assert Hardliner(near_days=2).accepts(view(days_left=2, reservation=0.4), 0.4, 0.9)
    assert not Hardliner(near_days=2).accepts(view(days_left=2, reservation=0.4), 0.39, 0.9)


# --- appease early -----------------------------------------------------------------------------------

def test_appease_early_opens_with_its_share_at_once() -> None:
    v = view(tau=0.0, aspiration=0.9, reservation=0.3, previous_target=0.9)
    assert AppeaseEarly(k=0.3).target(v, RNG) == pytest.approx(0.9 - 0.3 * 0.6)
    assert AppeaseEarly(k=1.0).target(v, RNG) == pytest.approx(0.3)


# --- wait out the market ---------------------------------------------------------------------------

def test_wait_out_the_market_switches_curves_exactly_at_deadline_days() -> None:
    strategy = WaitOutTheMarket(hold_beta=0.1, beta=2.0, k=0.1, deadline_days=7)
    calm = view(tau=0.5, aspiration=0.9, reservation=0.3, previous_target=1.0, market_stress=0.1, stress_threshold=0.5)
    hold = target_utility(0.5, 0.9, 0.3, 0.1, 0.1)
    concede = target_utility(0.5, 0.9, 0.3, 2.0, 0.1)
    assert hold > concede
    assert strategy.target(calm._replace(days_left=8), RNG) == pytest.approx(hold)
    assert strategy.target(calm._replace(days_left=7), RNG) == pytest.approx(concede)
    assert strategy.target(calm._replace(days_left=8, market_stress=0.5), RNG) == pytest.approx(concede)
    assert strategy.target(calm._replace(days_left=8, market_stress=0.49), RNG) == pytest.approx(hold)
    # Never takes a concession back, never goes below the reservation value.
    assert strategy.target(calm._replace(days_left=8, previous_target=0.5), RNG) == 0.5
    assert strategy.target(calm._replace(days_left=8, reservation=0.95, previous_target=0.95), RNG) == 0.95


def test_wait_out_the_markets_own_trigger_overrides_the_us_threshold() -> None:
    v = view(market_stress=0.3, stress_threshold=0.2)
    assert WaitOutTheMarket().stressed(v)
    assert not WaitOutTheMarket(trigger=0.31).stressed(v)
    assert WaitOutTheMarket(trigger=0.3).stressed(v)
    assert WaitOutTheMarket(trigger=0.0).stressed(v._replace(market_stress=0.0))


# --- the erratic US ----------------------------------------------------------------------------------

def test_erratic_target_is_clamped_to_last_target_and_reservation() -> None:
    v = view(tau=0.0, aspiration=0.9, reservation=0.3, previous_target=0.9)
    # At tau 0 the curve is the aspiration; any upward jump holds the last target.
    rng, twin = np.random.default_rng(3), np.random.default_rng(3)
    for _ in range(50):
        jump = 0.2 * (2.0 * twin.random() - 1.0)
        assert Erratic(jitter=0.2).target(v, rng) == pytest.approx(min(0.9, 0.9 + jump))
    low = view(tau=1.0, aspiration=0.9, reservation=0.3, previous_target=0.9)
    assert all(Erratic(jitter=1.0).target(low, rng) >= 0.3 for _ in range(50))
    assert Erratic(jitter=0.0).target(low, rng) == pytest.approx(0.3)


def test_erratic_threatens_just_below_the_cap_and_never_with_probability_zero() -> None:
    rng = np.random.default_rng(5)
    assert Erratic(threat_probability=1.0, threat_step=7.5).threat(
        table_view(threatened_rate=49.9, max_rate=50.0), rng) == 7.5
    assert Erratic(threat_probability=1.0).threat(table_view(threatened_rate=50.1, max_rate=50.0), rng) == 0.0
    assert all(Erratic(threat_probability=0.0).threat(table_view(), rng) == 0.0 for _ in range(50))


def test_erratic_deadline_moves_and_extensions_follow_the_generators_draws() -> None:
    strategy = Erratic(move_probability=0.4, max_move_days=5, extend_probability=0.6, extension_days=9)
    rng, twin = np.random.default_rng(11), np.random.default_rng(11)
    for _ in range(200):
        if twin.random() >= 0.4:
            expected = 0
        else:
            days = int(twin.integers(1, 6))
            expected = days if twin.random() < 0.5 else -days
        assert strategy.move_deadline(deadline_view(), rng) == expected
    for _ in range(200):
        if twin.random() < 0.6:
            expected = (DeadlineAction.EXTEND, int(twin.integers(1, 10)))
        else:
            expected = (DeadlineAction.IMPOSE, 0)
        assert strategy.at_deadline(deadline_view(), rng) == expected
    always = Erratic(move_probability=1.0, max_move_days=1, extend_probability=1.0, extension_days=1)
    assert {abs(always.move_deadline(deadline_view(), rng)) for _ in range(30)} == {1}
    assert {always.at_deadline(deadline_view(), rng) for _ in range(30)} == {(DeadlineAction.EXTEND, 1)}
