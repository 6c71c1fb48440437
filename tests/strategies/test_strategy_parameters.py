"""Strategy parameters: the defaults a config gets, the edges each check accepts and refuses
(with a message naming the parameter), and the erratic US's draws against their known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.concession import target_utility
from sim.strategies import DeadlineAction
from sim.strategies.aspiration import Aspiration
from sim.strategies.erratic import Erratic
from sim.strategies.maximum_pressure import MaximumPressure
from sim.strategies.time_dependent import Conceder, Linear
from sim.strategies.tit_for_tat import AbsoluteTitForTat, RelativeTitForTat
from sim.strategies.wait_out_the_market import WaitOutTheMarket
from tests.strategies.contract import deadline_view, table_view, view


@pytest.mark.parametrize(("strategy", "shown"), [
    (Aspiration(), "Aspiration(step=0.02, near_days=3)"),
    (Conceder(), "Conceder(beta=3.0, k=0.0, near_days=3)"),
    (Linear(), "Linear(beta=1.0, k=0.0, near_days=3)"),
    (AbsoluteTitForTat(), "AbsoluteTitForTat(scale=1.0, near_days=3)"),
    (RelativeTitForTat(), "RelativeTitForTat(near_days=3)"),
    (Erratic(), "Erratic(beta=0.5, k=0.0, near_days=3, jitter=0.05, move_probability=0.03, max_move_days=7, "
                "threat_probability=0.02, threat_step=5.0, extend_probability=0.5, extension_days=30)"),
    (MaximumPressure(), "MaximumPressure(beta=0.25, k=0.0, near_days=3, stall_days=10, cooldown_days=7, "
                        "threat_step=10.0, extend_stress=0.45, extend_close_gap=0.08, extend_cost=0.1, "
                        "extension_days=23, max_extensions=0, engagement=0.0)"),
    (WaitOutTheMarket(), "WaitOutTheMarket(trigger=None, hold_beta=0.1, beta=1.0, k=0.0, deadline_days=7, "
                         "near_days=3)"),
])
def test_defaults_are_the_documented_ones_and_the_repr_shows_them(strategy, shown):
    assert repr(strategy) == shown


def test_subclasses_pass_near_days_on():
    assert Conceder(near_days=5).near_days == 5
    assert Linear(near_days=5).near_days == 5
    assert Linear(k=0.2).k == 0.2


@pytest.mark.parametrize("make", [
    lambda: Aspiration(step=1.0), lambda: Aspiration(near_days=0), lambda: Conceder(beta=1.01),
    lambda: Erratic(k=1.0), lambda: Erratic(jitter=1.0), lambda: Erratic(beta=1e-9),
    lambda: Erratic(move_probability=1.0, threat_probability=1.0, extend_probability=1.0),
    lambda: Erratic(near_days=0, max_move_days=1, extension_days=1), lambda: Erratic(threat_step=1e-9),
    lambda: WaitOutTheMarket(trigger=0.0), lambda: WaitOutTheMarket(k=1.0, deadline_days=0, near_days=0),
])
def test_edges_that_are_allowed(make):
    make()


@pytest.mark.parametrize(("make", "message"), [
    (lambda: Aspiration(step=1.5), r"^step must be a utility in \(0, 1\], got 1.5$"),
    (lambda: Aspiration(near_days=-1), r"^near_days must be a whole number >= 0, got -1$"),
    (lambda: Aspiration(near_days=1.5), r"^near_days must be a whole number >= 0, got 1.5$"),
    (lambda: Conceder(beta=1.0), r"^beta must be > 1 for a Conceder, got 1.0$"),
    (lambda: Erratic(beta=0.0), r"^beta must be > 0, got 0.0$"),
    (lambda: Erratic(k=1.5), r"^k must be in \[0, 1\], got 1.5$"),
    (lambda: Erratic(jitter=1.5), r"^jitter must be a utility in \[0, 1\], got 1.5$"),
    (lambda: Erratic(move_probability=1.5), r"^move_probability must be a probability in \[0, 1\], got 1.5$"),
    (lambda: Erratic(threat_probability=-0.1), r"^threat_probability must be a probability in \[0, 1\], got -0.1$"),
    (lambda: Erratic(extend_probability=2.5), r"^extend_probability must be a probability in \[0, 1\], got 2.5$"),
    (lambda: Erratic(near_days=-1), r"^near_days must be a whole number >= 0, got -1$"),
    (lambda: Erratic(near_days=2.5), r"^near_days must be a whole number >= 0, got 2.5$"),
    (lambda: Erratic(max_move_days=0), r"^max_move_days must be a whole number >= 1, got 0$"),
    (lambda: Erratic(extension_days=0), r"^extension_days must be a whole number >= 1, got 0$"),
    (lambda: Erratic(threat_step=0.0), r"^threat_step must be > 0 percentage points, got 0.0$"),
    (lambda: WaitOutTheMarket(trigger=-0.1), r"^trigger must be a stress level >= 0"),
    (lambda: WaitOutTheMarket(hold_beta=0.0), r"^hold_beta must be > 0, got 0.0$"),
    (lambda: WaitOutTheMarket(beta=0.0), r"^beta must be > 0, got 0.0$"),
    (lambda: WaitOutTheMarket(k=1.5), r"^k must be in \[0, 1\], got 1.5$"),
    (lambda: WaitOutTheMarket(deadline_days=-1), r"^deadline_days must be a whole number >= 0, got -1$"),
    (lambda: WaitOutTheMarket(near_days=1.5), r"^near_days must be a whole number >= 0, got 1.5$"),
])
def test_edges_that_are_refused_in_words(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# --- the erratic US: each draw against its known answer ---------------------------------------------

def test_erratic_target_is_the_curve_plus_a_uniform_jump_within_the_jitter():
    strategy = Erratic(beta=0.5, k=0.1, jitter=0.05)
    v = view(tau=0.4, aspiration=0.9, reservation=0.3, previous_target=1.0)
    rng = np.random.default_rng(4)
    draws = np.random.default_rng(4).random(200)
    curve = target_utility(0.4, 0.9, 0.3, 0.5, 0.1)
    for u in draws:
        assert strategy.target(v, rng) == pytest.approx(curve + 0.05 * (2.0 * u - 1.0))


def test_erratic_threatens_with_its_probability_and_never_past_the_cap():
    strategy = Erratic(threat_probability=0.3, threat_step=5.0)
    rng = np.random.default_rng(8)
    draws = np.random.default_rng(8).random(300)
    threats = [strategy.threat(table_view(threatened_rate=25.0, max_rate=50.0), rng) for _ in range(300)]
    assert threats == [5.0 if u < 0.3 else 0.0 for u in draws]
    at_cap = table_view(threatened_rate=50.0, max_rate=50.0)
    assert all(Erratic(threat_probability=1.0).threat(at_cap, rng) == 0.0 for _ in range(20))


def test_erratic_moves_the_deadline_by_one_to_max_days_either_way():
    strategy = Erratic(move_probability=1.0, max_move_days=3)
    rng = np.random.default_rng(1)
    moves = [strategy.move_deadline(deadline_view(), rng) for _ in range(600)]
    assert set(moves) == {-3, -2, -1, 1, 2, 3}
    assert sum(m > 0 for m in moves) / len(moves) == pytest.approx(0.5, abs=4 * math.sqrt(0.25 / 600))
    assert all(Erratic(move_probability=0.0).move_deadline(deadline_view(), rng) == 0 for _ in range(50))


def test_erratic_extends_by_one_to_extension_days_or_imposes():
    strategy = Erratic(extend_probability=1.0, extension_days=3)
    rng = np.random.default_rng(2)
    days = {strategy.at_deadline(deadline_view(), rng) for _ in range(300)}
    assert days == {(DeadlineAction.EXTEND, 1), (DeadlineAction.EXTEND, 2), (DeadlineAction.EXTEND, 3)}
    assert Erratic(extend_probability=0.0).at_deadline(deadline_view(), rng) == (DeadlineAction.IMPOSE, 0)


# --- wait out the market and relative tit-for-tat at their edges ------------------------------------

def test_wait_out_the_market_concedes_from_the_trigger_itself_along_its_k():
    strategy = WaitOutTheMarket(trigger=0.4, hold_beta=0.1, beta=1.0, k=0.2)
    assert strategy.stressed(view(market_stress=0.4)) and not strategy.stressed(view(market_stress=0.39))
    v = view(tau=0.5, days_left=50, aspiration=0.9, reservation=0.3, previous_target=1.0, market_stress=0.4)
    assert strategy.target(v, np.random.default_rng(0)) == pytest.approx(target_utility(0.5, 0.9, 0.3, 1.0, 0.2))


def test_relative_tit_for_tat_with_no_room_left_or_a_whole_concession():
    strategy = RelativeTitForTat()
    rng = np.random.default_rng(0)
    # The other side's previous offer already gave me my ideal: no room to measure a share of.
    for previous in (0.9, 0.95):
        v = view(aspiration=0.9, previous_received=previous, last_received=1.0, previous_target=0.8)
        assert strategy.target(v, rng) == 0.8
    # A concession of exactly 1 (from nothing to everything) closes all my room too.
    v = view(aspiration=1.0, previous_received=0.0, last_received=1.0, previous_target=0.8, reservation=0.3)
    assert strategy.target(v, rng) == pytest.approx(0.3)
