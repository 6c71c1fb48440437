"""Analytic limit cases (issue: "trust"): Rubinstein's alternating-offers split, the symmetric
Nash split on the pie and on tariffsim's own frontier, and Faratin's concession curves.

Each hypothesis property sits beside a hand-computed known-answer test. Properties run
derandomized (the same examples on every machine) with the example counts set below.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core import Frontier, faratin_alpha, target_utility
from sim.core.alternating import finite_horizon_split, proposer_shares, rubinstein_split, splits_by_horizon
from sim.core.frontier import Side
from sim.strategies import View
from sim.strategies.time_dependent import Boulware, Conceder, Linear, TimeDependent

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True)
deltas = st.floats(0.01, 0.99)


# --- Rubinstein (1982): alternating offers over a unit pie -----------------------------------

# (delta1, delta2) -> player 1's share for horizons 1..4 and the infinite-horizon split, by hand:
# T=1: 1; T=2: 1 - d2; T=3: 1 - d2 (1 - d1); T=4: 1 - d2 (1 - d1 (1 - d2)); x* = (1 - d2) / (1 - d1 d2).
KNOWN = [
    ((0.9, 0.9), (1.0, 0.1, 0.91, 0.181), 10 / 19),
    ((0.5, 0.8), (1.0, 0.2, 0.6, 0.28), 1 / 3),
    ((0.8, 0.5), (1.0, 0.5, 0.9, 0.7), 5 / 6),
    ((0.9, 0.6), (1.0, 0.4, 0.94, 0.616), 20 / 23),
    ((0.3, 0.0), (1.0, 1.0, 1.0, 1.0), 1.0),    # an infinitely impatient responder takes anything
    ((0.0, 0.7), (1.0, 0.3, 0.3, 0.3), 0.3),    # an infinitely impatient proposer keeps 1 - d2
]


@pytest.mark.parametrize("pair, by_horizon, limit", KNOWN, ids=[str(k[0]) for k in KNOWN])
def test_finite_horizon_splits_known_answers(pair, by_horizon, limit):
    d1, d2 = pair
    for horizon, share in enumerate(by_horizon, start=1):
        assert finite_horizon_split(d1, d2, horizon) == pytest.approx(share, abs=1e-12)
    assert splits_by_horizon(d1, d2, 4) == pytest.approx(list(by_horizon), abs=1e-12)
    assert rubinstein_split(d1, d2) == pytest.approx(limit, abs=1e-12)
    assert finite_horizon_split(d1, d2, 501) == pytest.approx(limit, abs=1e-9)
    assert finite_horizon_split(d1, d2, 500) == pytest.approx(limit, abs=1e-9)


def test_backward_induction_offers_the_responder_its_discounted_continuation():
    # T = 3, d1 = 0.5, d2 = 0.8: round 3 player 1 takes 1; round 2 player 2 offers 0.5 * 1 and
    # keeps 0.5; round 1 player 1 offers 0.8 * 0.5 = 0.4 and keeps 0.6.
    assert proposer_shares(0.5, 0.8, 3) == pytest.approx([0.6, 0.5, 1.0])


def test_bad_arguments_are_refused():
    for call in (lambda: rubinstein_split(1.0, 1.0), lambda: rubinstein_split(1.2, 0.5),
                 lambda: finite_horizon_split(0.5, -0.1, 3), lambda: finite_horizon_split(0.5, 0.5, 0),
                 lambda: splits_by_horizon(0.5, 0.5, 0)):
        with pytest.raises(ValueError):
            call()


@PROPERTY
@given(deltas, deltas, st.integers(1, 400))
def test_finite_horizon_split_brackets_rubinstein_and_closes_in_geometrically(d1, d2, horizon):
    limit = rubinstein_split(d1, d2)
    share = finite_horizon_split(d1, d2, horizon)
    # The distance to x* is exactly (d1 d2)^((T-1)/2) (1 - x*) above it for odd T and
    # (d1 d2)^(T/2) x* below it for even T: the last proposer's advantage, discounted away.
    if horizon % 2:
        expected = limit + (d1 * d2) ** ((horizon - 1) // 2) * (1 - limit)
    else:
        expected = limit - (d1 * d2) ** (horizon // 2) * limit
    assert share == pytest.approx(expected, abs=1e-9)
    assert 0.0 <= share <= 1.0


@PROPERTY
@given(deltas, deltas)
def test_finite_horizon_split_converges_to_rubinstein(d1, d2):
    limit = rubinstein_split(d1, d2)
    assert limit == pytest.approx((1 - d2) / (1 - d1 * d2))
    # Enough rounds for (d1 d2)^(T/2) < 1e-10 (about 2,300 rounds at d1 = d2 = 0.99).
    horizon = 2 * math.ceil(math.log(1e-10) / math.log(d1 * d2)) + 1
    splits = splits_by_horizon(d1, d2, horizon + 1)
    assert splits[-2] == pytest.approx(limit, abs=1e-9)  # odd horizon, from above
    assert splits[-1] == pytest.approx(limit, abs=1e-9)  # even horizon, from below
    assert finite_horizon_split(d1, d2, horizon) == pytest.approx(splits[-2], abs=1e-12)
    errors = np.abs(np.array(splits) - limit)
    assert np.all(errors[2:] <= errors[:-2] + 1e-12), "the gap never widens over two rounds"


def test_symmetric_patient_players_split_evenly_known_answers():
    # x* = (1 - d) / (1 - d^2) = 1 / (1 + d): 0.526316 at 0.9, 0.502513 at 0.99, 0.500250 at 0.999.
    assert rubinstein_split(0.9, 0.9) == pytest.approx(1 / 1.9)
    assert rubinstein_split(0.99, 0.99) == pytest.approx(0.5025125628, abs=1e-9)
    assert rubinstein_split(0.999, 0.999) == pytest.approx(0.5002501251, abs=1e-9)
    assert finite_horizon_split(0.999, 0.999, 60_001) == pytest.approx(0.5002501251, abs=1e-9)


@PROPERTY
@given(st.floats(0.5, 0.9999))
def test_symmetric_players_split_tends_to_one_half(delta):
    share = rubinstein_split(delta, delta)
    assert share >= 0.5  # the first proposer's edge ...
    assert share - 0.5 <= (1 - delta) / 2 + 1e-15  # ... vanishes as delta -> 1
    later = min(0.99995, delta + 1e-4)
    assert share >= rubinstein_split(later, later)  # more patience, a smaller edge


def nash_argmax_on_pie(power1: float = 0.5, points: int = 200_001) -> float:
    """Player 1's share maximising the (weighted) Nash product x^a (1 - x)^(1 - a) on a grid."""
    x = np.linspace(0.0, 1.0, points)[1:-1]
    return float(x[np.argmax(power1 * np.log(x) + (1 - power1) * np.log(1 - x))])


def test_rubinstein_limit_is_the_nash_solution_of_the_pie():
    nash = nash_argmax_on_pie()
    assert nash == pytest.approx(0.5, abs=1e-5)
    assert rubinstein_split(0.99999, 0.99999) == pytest.approx(nash, abs=1e-5)


@pytest.mark.parametrize("r1, r2", [(1.0, 1.0), (1.0, 3.0), (2.0, 1.0), (0.05, 0.2)])
def test_rubinstein_with_short_periods_is_the_asymmetric_nash_solution(r1, r2):
    # Binmore, Rubinstein & Wolinsky (1986): d_i = exp(-r_i dt), dt -> 0 gives x* -> r2 / (r1 + r2),
    # the maximiser of the Nash product with bargaining powers r2 / (r1 + r2) and r1 / (r1 + r2).
    dt = 1e-6
    share = rubinstein_split(math.exp(-r1 * dt), math.exp(-r2 * dt))
    assert share == pytest.approx(r2 / (r1 + r2), abs=1e-5)
    assert share == pytest.approx(nash_argmax_on_pie(r2 / (r1 + r2)), abs=1e-4)


# --- The symmetric Nash split on tariffsim's own frontier -------------------------------------


def mirrored(a: float, side: Side) -> Frontier:
    """Two issues, the US weighting them (a, 1 - a) and the partner (1 - a, a): the whole box."""
    return Frontier((a, 1 - a), (1 - a, a), (0.0, 0.0), (1.0, 1.0), side)


def nash_scan(frontier: Frontier, disagreement: float, points: int) -> tuple[np.ndarray, np.ndarray]:
    """Utilities (US, partner) of ``frontier.at`` over a grid of targets, and their Nash products."""
    targets = np.linspace(frontier.worst, frontier.best, points)
    offers = [frontier.at(float(t)) for t in targets]
    utilities = np.array([(o.us_utility, o.partner_utility) for o in offers])
    return utilities, (utilities[:, 0] - disagreement) * (utilities[:, 1] - disagreement)


def test_one_issue_frontier_is_the_pie_and_its_nash_point_the_even_split():
    frontier = Frontier((1.0,), (1.0,), (0.0,), (1.0,), Side.US)
    utilities, products = nash_scan(frontier, 0.0, 2001)
    assert np.allclose(utilities.sum(axis=1), 1.0)
    best = utilities[np.argmax(products)]
    assert best == pytest.approx([0.5, 0.5])
    assert frontier.at(0.5).package() == pytest.approx((0.5,))
    assert rubinstein_split(0.99999, 0.99999) == pytest.approx(best[0], abs=1e-5)


def test_mirrored_two_issue_frontier_known_answer():
    # US weights (0.7, 0.3), partner (0.3, 0.7): the US gives up issue 1 first (ratio 7/3), which
    # reaches (0.7, 0.7); the product there, 0.49, beats (1 - 0.3 f) 0.7 f for every f in [0, 1].
    frontier = mirrored(0.7, Side.US)
    even = frontier.at(0.7)
    assert even.package() == pytest.approx((1.0, 0.0))
    assert (even.us_utility, even.partner_utility) == pytest.approx((0.7, 0.7))
    utilities, products = nash_scan(frontier, 0.0, 3001)
    assert products.max() == pytest.approx(0.49, abs=1e-12)
    assert utilities[np.argmax(products)] == pytest.approx([0.7, 0.7], abs=1e-3)


@settings(PROPERTY, max_examples=150)
@given(st.floats(0.05, 0.95), st.floats(0.0, 0.45), st.sampled_from([Side.US, Side.PARTNER]))
def test_mirrored_frontier_nash_product_peaks_at_the_even_split(a, disagreement, side):
    frontier = mirrored(a, side)
    points = 1001
    utilities, products = nash_scan(frontier, disagreement, points)
    # The even split: each side keeps the issue it values more, worth max(a, 1 - a) to both.
    high = max(a, 1 - a)
    even = frontier.at(high)
    assert even.us_utility == pytest.approx(high, abs=1e-12)
    assert even.partner_utility == pytest.approx(high, abs=1e-12)
    even_product = (high - disagreement) ** 2
    assert products.max() <= even_product + 1e-12
    # ... and the scan's best lies next to it (one grid step, times the frontier's steepest slope).
    step = (frontier.best - frontier.worst) / (points - 1)
    slope = high / (1 - high) if high < 1 else 1.0
    best = utilities[np.argmax(products)]
    assert abs(best[0] - best[1]) <= (1 + slope) * step + 1e-12


# --- Faratin, Sierra & Jennings (1998) ------------------------------------------------------


def faratin(tau: float, u_max: float, u_res: float, beta: float, k: float) -> float:
    """The formula, written out independently: u = u_max - (u_max - u_res)(k + (1 - k) tau^(1/beta))."""
    tau = min(1.0, max(0.0, tau))
    return u_max - (u_max - u_res) * (k + (1 - k) * tau ** (1 / beta))


def test_faratin_curves_known_answers():
    # tau = 0.64, beta = 2: alpha = 0.1 + 0.9 * 0.8 = 0.82, u = 0.9 - 0.6 * 0.82 = 0.408.
    assert target_utility(0.64, 0.9, 0.3, beta=2.0, k=0.1) == pytest.approx(0.408)
    # tau = 0.5, beta = 0.5: alpha = 0.25, u = 0.9 - 0.6 * 0.25 = 0.75.
    assert target_utility(0.5, 0.9, 0.3, beta=0.5) == pytest.approx(0.75)
    assert faratin_alpha(0.0, 0.3, k=0.2) == 0.2 and faratin_alpha(1.0, 0.3, k=0.2) == 1.0
    assert target_utility(-0.5, 0.9, 0.3, 1.0) == pytest.approx(0.9)   # time before the start: no concession
    assert target_utility(1.7, 0.9, 0.3, 1.0) == pytest.approx(0.3)    # past the deadline: reservation


def test_faratin_curves_match_the_formula_on_a_grid():
    checked = 0
    for tau in np.linspace(0.0, 1.0, 41):
        for beta in (0.1, 0.3, 0.5, 1.0, 1.6, 3.0, 10.0):
            for k in (0.0, 0.1, 0.5):
                for u_max, u_res in ((1.0, 0.0), (0.9, 0.3), (0.6, 0.55)):
                    got = target_utility(float(tau), u_max, u_res, beta, k)
                    assert got == pytest.approx(faratin(float(tau), u_max, u_res, beta, k), rel=1e-12, abs=1e-15)
                    checked += 1
    assert checked == 41 * 7 * 3 * 3


@PROPERTY
@given(st.floats(-0.5, 1.5), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.05, 20.0), st.floats(0.0, 1.0))
def test_faratin_curve_is_the_formula_and_alpha_runs_from_k_to_one(tau, u1, u2, beta, k):
    u_max, u_res = max(u1, u2), min(u1, u2)
    assert target_utility(tau, u_max, u_res, beta, k) == pytest.approx(
        faratin(tau, u_max, u_res, beta, k), rel=1e-12, abs=1e-15)
    assert faratin_alpha(0.0, beta, k) == k
    assert faratin_alpha(1.0, beta, k) == 1.0
    alpha = faratin_alpha(tau, beta, k)
    assert k - 1e-15 <= alpha <= 1.0
    assert u_res - 1e-12 <= target_utility(tau, u_max, u_res, beta, k) <= u_max + 1e-12


@PROPERTY
@given(st.floats(0.01, 0.99), st.floats(0.05, 0.95), st.floats(1.05, 10.0), st.floats(0.0, 0.9),
       st.floats(0.1, 1.0), st.floats(0.0, 0.8))
def test_boulware_holds_above_linear_above_conceder(tau, boulware_beta, conceder_beta, k, u_max, share):
    u_res = u_max * share  # strictly below u_max
    boulware = target_utility(tau, u_max, u_res, boulware_beta, k)
    linear = target_utility(tau, u_max, u_res, 1.0, k)
    conceder = target_utility(tau, u_max, u_res, conceder_beta, k)
    assert boulware >= linear >= conceder
    # and each concedes over time: later never asks for more
    for beta in (boulware_beta, 1.0, conceder_beta):
        assert target_utility(min(1.0, tau + 0.01), u_max, u_res, beta, k) <= target_utility(tau, u_max, u_res, beta, k)


@pytest.mark.parametrize("strategy", [TimeDependent(beta=0.7, k=0.05), Boulware(beta=0.3), Linear(k=0.2),
                                      Conceder(beta=2.5, k=0.1)], ids=lambda s: type(s).__name__)
def test_time_dependent_strategies_aim_at_faratins_target(strategy):
    rng = np.random.default_rng(0)
    for tau in np.linspace(0.0, 1.0, 21):
        # A fresh view: last target at aspiration, so the curve alone decides the target.
        view = View(0, float(tau), 10, 0.9, 0.3, 0.9, float("nan"), float("nan"), 0.0, None, 0.0, 0.5)
        expected = faratin(float(tau), 0.9, 0.3, strategy.beta, strategy.k)
        assert strategy.target(view, rng) == pytest.approx(expected, rel=1e-12)
