"""Known answers for the smallest frontiers: no issue at all, and a single issue.

A pair with no issue has one package (the empty one), worth nothing to either side; with one
issue the frontier is a straight line from the proposer's end of its box to the other's, so
any target has an answer that can be written down by hand.
"""

from __future__ import annotations

import pytest

from sim.core.frontier import Frontier, Side


@pytest.mark.parametrize("side", list(Side))
@pytest.mark.parametrize("target", [-1.0, 0.0, 0.5, 2.0])
def test_a_frontier_without_issues_offers_the_empty_package(side, target):
    frontier = Frontier((), (), (), (), side)
    offer = frontier.at(target)
    assert frontier.best == frontier.worst == 0.0
    assert offer.package() == ()
    assert (offer.us_utility, offer.partner_utility) == (0.0, 0.0)
    assert offer.frontier is frontier


# One issue on [0.2, 0.8] (normalised): the US proposes from 0.8 down, the partner from 0.2 up;
# each side's utility is linear in the issue (US: y, partner: 1 - y, weights 1).
ONE_ISSUE = ((1.0,), (1.0,), (0.2,), (0.8,))


@pytest.mark.parametrize(
    ("side", "target", "y", "us_utility", "partner_utility"),
    [
        (Side.US, 2.0, 0.8, 0.8, 0.2),     # above its best: its ideal
        (Side.US, 0.8, 0.8, 0.8, 0.2),
        (Side.US, 0.5, 0.5, 0.5, 0.5),     # on the line
        (Side.US, 0.2, 0.2, 0.2, 0.8),     # its worst: all it would ever give
        (Side.US, 0.1, 0.2, 0.2, 0.8),     # below its worst: clamped to the far end
        (Side.US, -5.0, 0.2, 0.2, 0.8),
        (Side.PARTNER, 2.0, 0.2, 0.2, 0.8),
        (Side.PARTNER, 0.6, 0.4, 0.4, 0.6),
        (Side.PARTNER, 0.2, 0.8, 0.8, 0.2),
        (Side.PARTNER, 0.0, 0.8, 0.8, 0.2),  # below its worst
        (Side.PARTNER, -5.0, 0.8, 0.8, 0.2),
    ],
)
def test_a_one_issue_frontier_is_the_straight_line_clamped_at_both_ends(side, target, y, us_utility,
                                                                        partner_utility):
    frontier = Frontier(*ONE_ISSUE, side)
    offer = frontier.at(target)
    assert offer.package() == pytest.approx((y,))
    assert offer.us_utility == pytest.approx(us_utility)
    assert offer.partner_utility == pytest.approx(partner_utility)


@pytest.mark.parametrize("side", list(Side))
def test_a_one_issue_frontier_with_nothing_to_concede_offers_its_only_package(side):
    frontier = Frontier((1.0,), (1.0,), (0.5,), (0.5,), side)
    for target in (-1.0, 0.5, 2.0):
        offer = frontier.at(target)
        assert offer.package() == pytest.approx((0.5,))
        assert (offer.us_utility, offer.partner_utility) == pytest.approx((0.5, 0.5))
