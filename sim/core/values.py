"""Per-issue value functions: linear, or concave with a curvature.

A side's value of an issue is a function of how far the issue goes its way, ``x`` in [0, 1]
(for the US ``x = y``, for the partner ``x = 1 - y``, with ``y`` the normalised value of
``sim.core.issues``). With curvature ``c``

    S(x; c) = (1 - exp(-c x)) / (1 - exp(-c))    (c > 0),    S(x; 0) = x,

so ``S(0) = 0`` and ``S(1) = 1`` whatever ``c``: the first points of an issue are worth more than
the last (diminishing returns), which is what lets trade-offs between issues settle inside their
ranges. ``S'(x) = A(c) exp(-c x)`` with ``A(c) = c / (1 - exp(-c))`` (``A(0) = 1``); the
frontier (``sim.core.frontier``) uses this closed form to equalise weighted marginal rates.
"""

from __future__ import annotations

import math


def shape(x: float, c: float) -> float:
    """``S(x; c)``: the value of ``x`` in [0, 1] of an issue with curvature ``c`` >= 0."""
    if c <= 0.0:
        return x
    return (1.0 - math.exp(-c * x)) / (1.0 - math.exp(-c))


def slope_scale(c: float) -> float:
    """``A(c)``: the marginal value at ``x = 0``, ``S'(x) = A(c) exp(-c x)``."""
    if c <= 0.0:
        return 1.0
    return c / (1.0 - math.exp(-c))


def package_value(weights: tuple[float, ...], curvatures: tuple[float, ...], x: tuple[float, ...]) -> float:
    """A side's utility of a package: ``sum_i w_i S(x_i; c_i)``, with ``x`` in that side's orientation."""
    return sum(w * (xi if c <= 0.0 else (1.0 - math.exp(-c * xi)) / (1.0 - math.exp(-c)))
               for w, c, xi in zip(weights, curvatures, x))


def us_curvature(curvature: float, is_us_line: bool, imports_bn: float, deficit_bn: float) -> float:
    """The US's curvature of an issue, grounded in the pair's trade.

    On a US tariff line the US values two things: revenue, which saturates as the tariff chokes
    the imports it is levied on (concave, the configured ``curvature``), and leverage on the
    bilateral deficit, which every point of tariff adds to (linear). The share of leverage is
    the deficit's share of US imports from the partner, ``deficit_bn / imports_bn`` (2024 goods
    trade), so the curvature is ``curvature * (1 - deficit_bn / imports_bn)``: nearly linear with
    Vietnam (a deficit of 90% of imports), most concave with Canada (15%). Other issues keep the
    configured curvature.
    """
    if not is_us_line or imports_bn <= 0.0:
        return curvature
    leverage = min(1.0, max(0.0, deficit_bn / imports_bn))
    return curvature * (1.0 - leverage)
