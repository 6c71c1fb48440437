"""Negotiation core: known answers next to properties."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core import Frontier, faratin_alpha, target_utility
from sim.core.frontier import Side
from sim.core.issues import IssueSpace


def test_faratin_formula_known_values():
    assert faratin_alpha(0.0, 0.5, 0.1) == pytest.approx(0.1)
    assert faratin_alpha(1.0, 0.5, 0.1) == 1.0
    assert faratin_alpha(0.25, 0.5) == pytest.approx(0.25**2)
    assert faratin_alpha(0.25, 2.0) == pytest.approx(0.5)
    assert target_utility(0.5, 1.0, 0.2, 1.0) == pytest.approx(0.6)


def test_boulware_concedes_less_than_conceder_halfway():
    boulware = target_utility(0.5, 0.9, 0.3, beta=0.3)
    linear = target_utility(0.5, 0.9, 0.3, beta=1.0)
    conceder = target_utility(0.5, 0.9, 0.3, beta=3.0)
    assert boulware > linear > conceder


def test_us_frontier_concedes_what_the_partner_values_most_first():
    # The partner values issue 1 four times as much as the US does: the US gives it up first.
    frontier = Frontier((0.5, 0.5), (0.2, 0.8), (0.0, 0.0), (1.0, 1.0), Side.US)
    offer = frontier.at(0.7)
    assert offer.package() == pytest.approx((1.0, 0.4))
    assert offer.us_utility == pytest.approx(0.7)
    assert offer.partner_utility == pytest.approx(0.8 * 0.6)


def test_partner_frontier_respects_its_box():
    frontier = Frontier((0.5, 0.5), (0.5, 0.5), (0.0, 0.0), (0.3, 1.0), Side.PARTNER)
    assert max(p for p in frontier.at(0.0).package()[:1]) <= 0.3 + 1e-12
    assert frontier.worst == pytest.approx(0.5 * 0.7)


def test_issue_space_round_trip():
    space = IssueSpace(("reciprocal", "purchases"), (0.0, 0.0), (50.0, 600.0))
    y = space.normalise("purchases", 150.0)
    assert y == pytest.approx(0.25)
    assert space.real(1, y) == pytest.approx(150.0)
    assert space.normalise("reciprocal", 80.0) == 1.0


weights = st.lists(st.floats(0.0, 1.0), min_size=2, max_size=5).filter(lambda w: sum(w) > 0.1)


@settings(max_examples=200, deadline=None)
@given(weights, st.data())
def test_frontier_offers_are_efficient_and_valued_exactly(raw_us, data):
    n = len(raw_us)
    raw_partner = data.draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n).filter(lambda w: sum(w) > 0.1))
    us = tuple(w / sum(raw_us) for w in raw_us)
    partner = tuple(w / sum(raw_partner) for w in raw_partner)
    side = data.draw(st.sampled_from([Side.US, Side.PARTNER]))
    frontier = Frontier(us, partner, (0.0,) * n, (1.0,) * n, side)
    target = data.draw(st.floats(0.0, 1.0))
    offer = frontier.at(target)
    y = np.array(offer.package())
    assert offer.us_utility == pytest.approx(float(np.dot(us, y)), abs=1e-9)
    assert offer.partner_utility == pytest.approx(float(np.dot(partner, 1 - y)), abs=1e-9)
    # No package in the box (its corners and a random sample) beats the offer for both sides.
    corners = np.array(list(itertools.product((0.0, 1.0), repeat=n)))
    packages = np.vstack([corners, np.random.default_rng(0).random((500, n))])
    u = packages @ np.array(us)
    p = (1 - packages) @ np.array(partner)
    assert not np.any((u > offer.us_utility + 1e-9) & (p > offer.partner_utility + 1e-9))
