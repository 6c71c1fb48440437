"""Known answers of the frontier's contract: its two ends, ``giving`` (the inverse of ``at``),
fixed issues, weakly concave issues, and the refinement of curved segments (within ``GAP``, at
most ``2 ** MAX_SPLITS`` pieces, no split where none is needed)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.core.frontier import GAP, MAX_SPLITS, Frontier, Side
from sim.core.values import package_value

ONE_ISSUE = ((1.0,), (1.0,), (0.2,), (0.8,))


def _exact(f: Frontier, y: tuple[float, ...]) -> tuple[float, float]:
    return (package_value(f.us_weights, f.us_curvature, y),
            package_value(f.partner_weights, f.partner_curvature, tuple(1 - v for v in y)))


def test_start_is_the_proposers_ideal_and_end_the_other_sides():
    us = Frontier(*ONE_ISSUE, Side.US)
    partner = Frontier(*ONE_ISSUE, Side.PARTNER)
    assert (us.start, us.end) == ((0.8,), (0.2,))
    assert (partner.start, partner.end) == ((0.2,), (0.8,))


# Two linear issues; the partner does not value issue 1 at all. The US concedes issue 0 first
# (ratio 2) and issue 1 last (ratio 0): vertices (1, 1) -> (0, 1) -> (0, 0), the partner's utility
# runs 0 -> 1 -> 1 and the US's 1 -> 0.5 -> 0.
FLAT_END = ((0.5, 0.5), (1.0, 0.0), (0.0, 0.0), (1.0, 1.0))


@pytest.mark.parametrize(("value", "package", "us_utility"), [
    (-1.0, (1.0, 1.0), 1.0),   # below the proposer's ideal: the ideal
    (0.0, (1.0, 1.0), 1.0),
    (0.25, (0.75, 1.0), 0.875),
    (0.5, (0.5, 1.0), 0.75),
    (1.0, (0.0, 1.0), 0.5),    # the most the US keeps while giving 1: not the far end
    (2.0, (0.0, 0.0), 0.0),    # beyond reach: clamped to the far end
])
def test_giving_keeps_the_most_for_the_proposer(value, package, us_utility):
    offer = Frontier(*FLAT_END, Side.US).giving(value)
    assert offer.package() == pytest.approx(package)
    assert offer.us_utility == pytest.approx(us_utility)
    assert offer.partner_utility == pytest.approx(min(1.0, max(0.0, value)))


@pytest.mark.parametrize("value", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_giving_on_a_three_issue_frontier_gives_that_value_at_the_package_at_would_offer(value):
    f = Frontier((0.5, 0.3, 0.2), (0.2, 0.3, 0.5), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), Side.US)
    offer = f.giving(value)
    assert offer.partner_utility == pytest.approx(value)
    assert offer.package() == pytest.approx(f.at(offer.us_utility).package())


@pytest.mark.parametrize("side", list(Side))
def test_giving_on_a_frontier_of_one_package_returns_that_package(side):
    f = Frontier((1.0,), (1.0,), (0.4,), (0.4,), side)
    for value in (-1.0, 0.0, 0.6, 2.0):
        offer = f.giving(value)
        assert offer.package() == (0.4,)
        assert (offer.us_utility, offer.partner_utility) == pytest.approx((0.4, 0.6))


@pytest.mark.parametrize("side", list(Side))
def test_a_fixed_issue_does_not_stop_the_others_from_being_conceded(side):
    # Issue 0's box is one point; issues 1 and 2 still run from the proposer's ideal to the other's.
    f = Frontier((0.3, 0.3, 0.4), (0.3, 0.4, 0.3), (0.5, 0.1, 0.2), (0.5, 0.9, 0.7), side, (0.0, 0.0, 2.0),
                 (0.0, 0.0, 1.0))
    us_ideal, partner_ideal = (0.5, 0.9, 0.7), (0.5, 0.1, 0.2)
    assert f.at(2.0).package() == pytest.approx(us_ideal if side is Side.US else partner_ideal)
    assert f.at(-1.0).package() == pytest.approx(partner_ideal if side is Side.US else us_ideal)


def _best_on_grid(f: Frontier, own_at_least: float, steps: int = 201) -> float:
    """The most the other side gets from any package on a grid worth ``own_at_least`` to the US."""
    grid = np.linspace(0.0, 1.0, steps)
    best = -np.inf
    for y in itertools.product(grid, repeat=len(f.us_weights)):
        us, partner = _exact(f, y)
        if us >= own_at_least:
            best = max(best, partner)
    return best


@pytest.mark.parametrize("curvature", [0.2, 0.6, 1.0])
def test_a_weakly_concave_issue_is_traded_smoothly_not_all_at_once(curvature):
    """Curvature below 1 is still concave: the frontier settles the issue inside its range where
    the weighted marginal rates meet, and no package on a fine grid beats it."""
    f = Frontier((0.5, 0.5), (0.5, 0.5), (0.0, 0.0), (1.0, 1.0), Side.US, (0.0, 0.0), (curvature, 0.0))
    assert any(0.0 < v[0] < 1.0 for v in f.vertices)
    for target in (0.3, 0.5, 0.7):
        offer = f.at(target)
        assert offer.partner_utility >= _best_on_grid(f, target) - GAP - 1e-6


def test_a_curved_segment_is_within_gap_everywhere():
    """One issue, concave for the partner (curvature 2): halving stops once the chord is within
    GAP; pieces of 1/32 would under-state by twice that near the US's end."""
    f = Frontier((1.0,), (1.0,), (0.0,), (1.0,), Side.US, (0.0,), (2.0,))
    worst = 0.0
    for target in np.linspace(0.0, 1.0, 2001):
        offer = f.at(float(target))
        worst = max(worst, _exact(f, offer.package())[1] - offer.partner_utility)
    assert worst <= GAP + 1e-12


@pytest.mark.parametrize("curvature", [10.0, 60.0])
def test_a_strongly_curved_segment_is_cut_into_at_most_two_to_the_max_splits_pieces(curvature):
    """One segment from the US's end of the box to the partner's: no piece shorter than
    1 / 2 ** MAX_SPLITS of it, however steep the curve near one end."""
    f = Frontier((1.0,), (1.0,), (0.0,), (1.0,), Side.US, (0.0,), (curvature,))
    ys = [v[0] for v in f.vertices if 0.0 < v[0] < 1.0] + [0.0, 1.0]
    pieces = np.diff(sorted(set(ys)))
    assert len(pieces) <= 2 ** MAX_SPLITS
    assert pieces.min() >= 1.0 / 2 ** MAX_SPLITS - 1e-12


def test_a_nearly_linear_segment_is_not_cut():
    f = Frontier((1.0,), (1.0,), (0.2,), (0.8,), Side.US, (1e-3,), (1e-3,))
    # The sweep's clip points (two of them within rounding of the box's ends), and nothing between.
    assert len(f.vertices) <= 4
    assert all(min(abs(v[0] - 0.2), abs(v[0] - 0.8)) < 1e-9 for v in f.vertices)
