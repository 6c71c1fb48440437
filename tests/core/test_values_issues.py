"""Known answers of value shapes, the US's grounded curvature and issue bounds away from zero."""

from __future__ import annotations

import math

import pytest

from sim.core.issues import IssueSpace
from sim.core.values import shape, us_curvature


def test_a_curvature_below_one_is_concave_too():
    assert shape(0.5, 0.5) == pytest.approx((1 - math.exp(-0.25)) / (1 - math.exp(-0.5)))
    assert shape(0.5, 1.0) == pytest.approx((1 - math.exp(-0.5)) / (1 - math.exp(-1.0)))


def test_us_curvature_with_small_or_no_imports():
    assert us_curvature(4.0, True, imports_bn=0.5, deficit_bn=0.25) == pytest.approx(2.0)
    assert us_curvature(4.0, True, imports_bn=0.0, deficit_bn=10.0) == 4.0   # no trade: as configured
    assert us_curvature(4.0, True, imports_bn=-1.0, deficit_bn=10.0) == 4.0


def test_us_curvature_leverage_is_capped_at_the_whole_of_imports():
    assert us_curvature(4.0, True, imports_bn=100.0, deficit_bn=150.0) == 0.0


def test_issue_bounds_that_do_not_start_at_zero():
    space = IssueSpace(("reciprocal", "steel"), (10.0, 25.0), (50.0, 75.0))
    assert space.normalise("reciprocal", 30.0) == pytest.approx(0.5)
    assert space.normalise("steel", 25.0) == 0.0 and space.normalise("steel", 75.0) == pytest.approx(1.0)
    assert space.normalise("steel", 10.0) == 0.0 and space.normalise("steel", 90.0) == 1.0   # clipped
    assert space.real(0, 0.5) == pytest.approx(30.0)
    assert space.real(1, 0.0) == 25.0 and space.real(1, 1.0) == pytest.approx(75.0)
