"""The frontier with concave value functions: known answers next to properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.frontier import GAP, Frontier, Side, frontier
from sim.core.values import package_value, shape, slope_scale, us_curvature

PROPERTY = settings(max_examples=100, deadline=None, derandomize=True)


def exact(f: Frontier, y: tuple[float, ...]) -> tuple[float, float]:
    """Both sides' exact utilities of package ``y`` (normalised, 1 = what the US wants)."""
    return (package_value(f.us_weights, f.us_curvature, y),
            package_value(f.partner_weights, f.partner_curvature, tuple(1 - v for v in y)))


def test_shape_known_values():
    assert shape(0.0, 3.0) == 0.0 and shape(1.0, 3.0) == pytest.approx(1.0)
    assert shape(0.5, 0.0) == 0.5
    assert shape(0.5, 2.0) == pytest.approx((1 - math.exp(-1)) / (1 - math.exp(-2)))
    # S'(x) = A(c) exp(-c x), checked by a central difference.
    h = 1e-6
    assert (shape(0.3 + h, 2.0) - shape(0.3 - h, 2.0)) / (2 * h) == pytest.approx(slope_scale(2.0) * math.exp(-0.6))


def test_symmetric_concave_issues_settle_halfway():
    # Both sides weigh two issues equally with the same curvature: at equal marginal rates
    # (lambda = 1) each issue sits at x = 1/2, worth S(1/2) to both.
    c = 2.0
    f = Frontier((0.5, 0.5), (0.5, 0.5), (0.0, 0.0), (1.0, 1.0), Side.US, (c, c), (c, c))
    half = shape(0.5, c)
    offer = f.at(half)
    assert offer.package() == pytest.approx((0.5, 0.5), abs=0.01)
    assert offer.partner_utility == pytest.approx(half, abs=GAP + 1e-9)


@pytest.mark.parametrize("side", [Side.US, Side.PARTNER])
def test_asymmetric_concave_issues_known_answer(side):
    # US weights (0.7, 0.3), partner (0.3, 0.7), curvature c on both issues for both sides. The
    # first-order condition gives x_i = (ln lambda + ln(w_us_i / w_partner_i) + c) / (2c): each
    # side keeps more of the issue it values more, and neither issue is at a bound.
    c = 3.0
    us, partner = (0.7, 0.3), (0.3, 0.7)
    f = Frontier(us, partner, (0.0, 0.0), (1.0, 1.0), side, (c, c), (c, c))
    for mu in (-0.5, 0.0, 0.5):
        x = tuple((mu + math.log(a / b) + c) / (2 * c) for a, b in zip(us, partner))
        u_us = package_value(us, (c, c), x)
        u_partner = package_value(partner, (c, c), tuple(1 - v for v in x))
        offer = f.at(u_us if side is Side.US else u_partner)
        assert offer.package() == pytest.approx(x, abs=0.01)
        assert 0.0 < offer.y(0) < 1.0 and 0.0 < offer.y(1) < 1.0
        # The package it found is on the exact frontier: its exact utilities match the analytic point's.
        assert exact(f, offer.package())[1 if side is Side.US else 0] == pytest.approx(
            u_partner if side is Side.US else u_us, abs=2 * GAP)


def test_linear_issue_still_conceded_whole_next_to_a_concave_one():
    # Issue 0 linear for both, issue 1 concave: issue 0 jumps at lambda = w_p / w_us = 2,
    # issue 1 is interior on both sides of the jump.
    f = Frontier((0.5, 0.5), (0.6, 0.4), (0.0, 0.0), (1.0, 1.0), Side.US, (0.0, 2.0), (0.0, 2.0))
    ys = np.array([p for p in f.vertices])
    assert set(np.round(ys[:, 0], 12)) <= {0.0, 1.0}
    assert any(0.0 < y < 1.0 for y in ys[:, 1])


def test_start_and_end_are_the_box_corners_and_utilities_are_monotone():
    f = Frontier((0.2, 0.5, 0.3), (0.4, 0.2, 0.4), (0.3, 0.0, 0.0), (1.0, 0.8, 1.0), Side.US, (1.0, 0.0, 3.0),
                 (2.0, 0.0, 1.0))
    assert f.vertices[0] == (1.0, 0.8, 1.0) and f.vertices[-1] == (0.3, 0.0, 0.0)
    assert all(a >= b - 1e-12 for a, b in zip(f._own, f._own[1:]))
    assert all(a <= b + 1e-12 for a, b in zip(f._other, f._other[1:]))


def test_giving_is_the_inverse_of_at():
    f = Frontier((0.5, 0.5), (0.3, 0.7), (0.0, 0.0), (1.0, 1.0), Side.PARTNER, (2.0, 2.0), (1.0, 3.0))
    offer = f.at(0.6)
    back = f.giving(offer.us_utility)
    assert back.partner_utility == pytest.approx(0.6, abs=1e-9)
    assert back.package() == pytest.approx(offer.package(), abs=1e-9)


def test_frontiers_are_cached_by_their_inputs():
    args = ((0.5, 0.5), (0.5, 0.5), (0.0, 0.0), (1.0, 1.0), Side.US, (2.0, 0.0), (2.0, 0.0))
    assert frontier(*args) is frontier(*args)


def test_us_curvature_falls_with_the_deficit_share():
    assert us_curvature(4.0, True, imports_bn=137, deficit_bn=123) == pytest.approx(4.0 * 14 / 137)
    assert us_curvature(4.0, True, imports_bn=413, deficit_bn=63) == pytest.approx(4.0 * 350 / 413)
    assert us_curvature(4.0, False, imports_bn=137, deficit_bn=123) == 4.0  # not a tariff line
    assert us_curvature(4.0, True, imports_bn=100, deficit_bn=-20) == 4.0  # a surplus: no leverage


unit = st.floats(0.0, 1.0)
curv = st.one_of(st.just(0.0), st.floats(0.3, 6.0))


@PROPERTY
@given(st.integers(1, 5), st.data())
def test_no_random_package_dominates_the_frontier(n, data):
    raw_us = data.draw(st.lists(unit, min_size=n, max_size=n).filter(lambda w: sum(w) > 0.1))
    raw_p = data.draw(st.lists(unit, min_size=n, max_size=n).filter(lambda w: sum(w) > 0.1))
    us = tuple(w / sum(raw_us) for w in raw_us)
    partner = tuple(w / sum(raw_p) for w in raw_p)
    us_c = tuple(data.draw(curv) for _ in range(n))
    p_c = tuple(data.draw(curv) for _ in range(n))
    lo = tuple(data.draw(st.floats(0.0, 0.5)) for _ in range(n))
    hi = tuple(max(a, data.draw(st.floats(0.5, 1.0))) for a in lo)
    side = data.draw(st.sampled_from([Side.US, Side.PARTNER]))
    f = Frontier(us, partner, lo, hi, side, us_c, p_c)
    offer = f.at(data.draw(unit))
    y = offer.package()
    assert all(a - 1e-12 <= v <= b + 1e-12 for a, v, b in zip(lo, y, hi))
    exact_us, exact_p = exact(f, y)
    # Reported utilities are the exact ones or (concave segments) under-state them by at most GAP.
    assert exact_us - GAP - 1e-9 <= offer.us_utility <= exact_us + 1e-9
    assert exact_p - GAP - 1e-9 <= offer.partner_utility <= exact_p + 1e-9
    rng = np.random.default_rng(0)
    packages = np.asarray(lo) + rng.random((400, n)) * (np.asarray(hi) - np.asarray(lo))
    u = values(np.asarray(us), np.asarray(us_c), packages)
    v = values(np.asarray(partner), np.asarray(p_c), 1 - packages)
    assert not np.any((u > exact_us + 1e-9) & (v > exact_p + 1e-9))


def values(w: np.ndarray, c: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``sum_i w_i S(x_i; c_i)`` for each row of ``x``, written out independently of the code."""
    safe = np.where(c > 0, c, 1.0)
    curved = (1 - np.exp(-safe * x)) / (1 - np.exp(-safe))
    return (np.where(c > 0, curved, x) * w).sum(axis=1)
