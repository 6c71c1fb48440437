"""The efficient frontier of a pair's packages, from the proposer's ideal to the other side's.

Each side's utility is separable: ``u = sum_i w_i S(x_i; c_i)`` with ``S`` linear or concave
(``sim.core.values``) and ``x_i`` the issue's progress in that side's direction. The packages that
give the other side as much as possible for a given own utility solve, for a multiplier
``lambda`` >= 0 on the proposer's utility,

    max_x  lambda * u_own(x) + u_other(x)   over the feasible box,

issue by issue. For a concave issue the first-order condition ``lambda w_s A_a e^(-a x) =
w_o A_b e^(-b (1 - x))`` gives ``x = (ln lambda + K) / (a + b)`` with ``K = ln(w_s A_a) - ln(w_o A_b)
+ b``, clipped to the box: affine in ``ln lambda``. A linear issue jumps from one end of its box to
the other at ``lambda = w_o / w_s`` (the greedy order of concession by weight ratio). So the
whole frontier, swept from ``lambda = inf`` to 0, is a polyline in package space whose vertices
are the clip points and the jumps: it is computed once per box and stored as a sorted table of
vertices with both sides' utilities.

``at(target)`` scans the table for the segment where the proposer's utility crosses ``target``
and interpolates along it. Utilities along a segment are interpolated linearly between vertices:
exact where only linear issues move; where concave ones move, both utilities are concave along
the segment, so the interpolation under-states them, and segments are halved at construction
until that gap is below ``GAP``. Frontiers are immutable and cached by their inputs, so the
replications of a study share them.

A side's feasible box (``ylo``, ``yhi``) encodes what it will ever offer: its binding red lines
(Japan offers no rice access before its election) and the US floor (10% baseline kept).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable
from enum import Enum
from functools import lru_cache, partial
from typing import NamedTuple

from sim.core.values import package_value, slope_scale

Package = tuple[float, ...]
GAP = 5e-4  # largest under-statement of a utility between two vertices (utility units)
MAX_SPLITS = 6  # at most 2**6 pieces per segment


class Side(Enum):
    """Which side of a pair."""

    US = "USA"
    PARTNER = "PARTNER"


class Offer(NamedTuple):
    """A package on a frontier, with its value to both sides (a named tuple: cheap and immutable).

    Attributes:
        frontier: The frontier the package lies on.
        segment: Index of the frontier's segment (from vertex ``segment`` to ``segment + 1``).
        fraction: How far along that segment, in [0, 1].
        us_utility: The package's utility to the United States.
        partner_utility: The package's utility to the partner.
    """

    frontier: "Frontier"
    segment: int
    fraction: float
    us_utility: float
    partner_utility: float

    def y(self, i: int) -> float:
        """Normalised value of issue ``i`` in this package."""
        vertices = self.frontier.vertices
        a = vertices[self.segment][i]
        fraction = self.fraction
        # At a vertex there may be no next one (a frontier of a single package).
        return a if fraction == 0.0 else a + fraction * (vertices[self.segment + 1][i] - a)

    def package(self) -> tuple[float, ...]:
        """Normalised value of every issue, in the pair's issue order."""
        return tuple(self.y(i) for i in range(len(self.frontier.start)))


# ``Offer(...)`` goes through the named tuple's Python-level ``__new__``; building the tuple directly
# gives the same object at a fraction of the cost (offers are built twice per meeting).
_new_offer = partial(tuple.__new__, Offer)


class Frontier:
    """Efficient packages from the proposer's ideal to the other side's, within a feasible box.

    Args:
        us_weights: The US's issue weights (non-negative, summing to 1).
        partner_weights: The partner's issue weights (non-negative, summing to 1).
        ylo: Lowest normalised value the proposer would put on each issue.
        yhi: Highest normalised value the proposer would put on each issue.
        proposer: Whose frontier this is.
        us_curvature: The US's curvature of each issue (0: linear; default all linear).
        partner_curvature: The partner's curvature of each issue (default all linear).
    """

    __slots__ = ("start", "end", "vertices", "_own", "_neg_own", "_other", "proposer", "_us_first", "us_curvature",
                 "partner_curvature", "us_weights", "partner_weights")

    def __init__(
        self,
        us_weights: tuple[float, ...],
        partner_weights: tuple[float, ...],
        ylo: tuple[float, ...],
        yhi: tuple[float, ...],
        proposer: Side,
        us_curvature: tuple[float, ...] | None = None,
        partner_curvature: tuple[float, ...] | None = None,
    ) -> None:
        n = len(us_weights)
        us_c = tuple(us_curvature) if us_curvature is not None else (0.0,) * n
        p_c = tuple(partner_curvature) if partner_curvature is not None else (0.0,) * n
        self.us_weights, self.partner_weights = tuple(us_weights), tuple(partner_weights)
        self.us_curvature, self.partner_curvature = us_c, p_c
        us_first = proposer is Side.US
        self.proposer = proposer
        self._us_first = us_first  # ``proposer is Side.US``: an Enum look-up costs ~0.1 us on Python 3.11
        self.start = tuple(yhi) if us_first else tuple(ylo)
        self.end = tuple(ylo) if us_first else tuple(yhi)
        # Work in the proposer's orientation: x = y for the US, 1 - y for the partner.
        own_w, other_w = (us_weights, partner_weights) if us_first else (partner_weights, us_weights)
        own_c, other_c = (us_c, p_c) if us_first else (p_c, us_c)
        xhi = tuple(yhi) if us_first else tuple(1.0 - y for y in ylo)
        xlo = tuple(ylo) if us_first else tuple(1.0 - y for y in yhi)
        path = _path(own_w, other_w, own_c, other_c, xlo, xhi)
        path = _refine(path, own_w, other_w, own_c, other_c)
        self._own = tuple(package_value(own_w, own_c, x) for x in path)
        self._neg_own = tuple(-u for u in self._own)  # ascending, for bisection
        self._other = tuple(package_value(other_w, other_c, tuple(1.0 - v for v in x)) for x in path)
        self.vertices = tuple(path) if us_first else tuple(tuple(1.0 - v for v in x) for x in path)

    @property
    def best(self) -> float:
        """The proposer's utility of its own ideal package."""
        return self._own[0]

    @property
    def worst(self) -> float:
        """The proposer's utility at the far end of the frontier (all it would ever give)."""
        return self._own[-1]

    def at(self, target: float) -> Offer:
        """The efficient package worth ``target`` to the proposer (clamped to the frontier)."""
        own = self._own
        last = len(own) - 1
        if last == 0:  # no issue, or nothing to concede: the one package is the whole frontier
            return self._offer(0, 0.0)
        # The last vertex still worth more than the target (own utility falls along the table).
        seg = bisect_left(self._neg_own, -target) - 1
        if seg < 0:
            seg = 0
        elif seg == last:
            return self._offer(last - 1, 1.0)
        drop = own[seg] - own[seg + 1]
        # ``min(1, max(0, share))`` without the two calls (hot path); a NaN share gives 0 as before.
        share = (own[seg] - target) / drop if drop > 0.0 else 0.0
        return self._offer(seg, share if 0.0 < share < 1.0 else (1.0 if share >= 1.0 else 0.0))

    def giving(self, value: float) -> Offer:
        """The efficient package that gives the other side ``value`` (clamped), the most the
        proposer can keep while doing so."""
        own, other = self._own, self._other
        seg = 0
        last = len(other) - 1
        while seg < last and other[seg + 1] < value:
            seg += 1
        if seg == last:
            seg, fraction = last - 1, 1.0
        else:
            rise = other[seg + 1] - other[seg]
            fraction = 0.0 if rise <= 0.0 else min(1.0, max(0.0, (value - other[seg]) / rise))
        return self._offer(seg, fraction)

    def _offer(self, seg: int, fraction: float) -> Offer:
        """The package ``fraction`` of the way along segment ``seg``, with both sides' utilities."""
        own, other = self._own, self._other
        if len(own) == 1:
            own_u, other_u = own[0], other[0]
        else:
            own_u = own[seg] + fraction * (own[seg + 1] - own[seg])
            other_u = other[seg] + fraction * (other[seg + 1] - other[seg])
        if self._us_first:
            return _new_offer((self, seg, fraction, own_u, other_u))
        return _new_offer((self, seg, fraction, other_u, own_u))


@lru_cache(maxsize=4096)
def frontier(us_weights: tuple[float, ...], partner_weights: tuple[float, ...], ylo: tuple[float, ...],
             yhi: tuple[float, ...], proposer: Side, us_curvature: tuple[float, ...],
             partner_curvature: tuple[float, ...]) -> Frontier:
    """A cached ``Frontier``: replications of one study build each distinct box once."""
    return Frontier(us_weights, partner_weights, ylo, yhi, proposer, us_curvature, partner_curvature)


def _path(own_w: tuple[float, ...], other_w: tuple[float, ...], own_c: tuple[float, ...],
          other_c: tuple[float, ...], xlo: tuple[float, ...], xhi: tuple[float, ...]) -> list[tuple[float, ...]]:
    """The frontier's vertices, in the proposer's orientation, swept from lambda = inf to 0."""
    n = len(own_w)
    inf = math.inf
    smooth: dict[int, tuple[float, float]] = {}  # issue -> (K, a + b)
    jumps: list[tuple[float, int]] = []  # (lambda at which the issue flips to its far end, issue)
    breaks: set[float] = {inf, 0.0}
    for i in range(n):
        if xhi[i] <= xlo[i]:
            continue
        ws, wo, a, b = own_w[i], other_w[i], own_c[i], other_c[i]
        if ws > 0.0 and wo > 0.0 and a + b > 0.0:
            k = math.log(ws * slope_scale(a)) - math.log(wo * slope_scale(b)) + b
            smooth[i] = (k, a + b)
            for x in (xlo[i], xhi[i]):
                breaks.add(math.exp(min(700.0, (a + b) * x - k)))
        else:
            lam = inf if ws <= 0.0 else (wo / ws if wo > 0.0 else 0.0)
            jumps.append((lam, i))
            breaks.add(lam)
    jumps.sort(key=lambda j: (-j[0], j[1]))
    x = list(xhi)
    path = [tuple(x)]
    j = 0
    for lam in sorted(breaks, reverse=True):
        mu = math.log(lam) if 0.0 < lam < inf else (inf if lam == inf else -inf)
        for i, (k, ab) in smooth.items():
            x[i] = min(xhi[i], max(xlo[i], (mu + k) / ab)) if math.isfinite(mu) else (xhi[i] if mu > 0 else xlo[i])
        if tuple(x) != path[-1]:
            path.append(tuple(x))
        while j < len(jumps) and jumps[j][0] >= lam:
            x[jumps[j][1]] = xlo[jumps[j][1]]
            path.append(tuple(x))
            j += 1
    if len(path) == 1:
        path.append(path[0])
    return path


def _refine(path: list[tuple[float, ...]], own_w: tuple[float, ...], other_w: tuple[float, ...],
            own_c: tuple[float, ...], other_c: tuple[float, ...]) -> list[tuple[float, ...]]:
    """Halve each segment along which concave issues move until its chord is within ``GAP``."""
    curved = [i for i in range(len(own_w)) if own_c[i] > 0.0 or other_c[i] > 0.0]
    if not curved:
        return path

    def values(x: tuple[float, ...]) -> tuple[float, float]:
        return package_value(own_w, own_c, x), package_value(other_w, other_c, tuple(1.0 - v for v in x))

    out = [path[0]]
    for p, q in zip(path, path[1:]):
        out += _split(p, q, values(p), values(q), values, curved, MAX_SPLITS)
    return out


def _split(p: Package, q: Package, vp: tuple[float, float], vq: tuple[float, float],
           values: Callable[[Package], tuple[float, float]], curved: list[int], depth: int) -> list[Package]:
    """Vertices after ``p`` up to ``q`` (included), halving while the midpoint's gap exceeds GAP."""
    if depth == 0 or all(p[i] == q[i] for i in curved):
        return [q]
    mid = tuple((a + b) / 2 for a, b in zip(p, q))
    vm = values(mid)
    gap = max(vm[0] - (vp[0] + vq[0]) / 2, vm[1] - (vp[1] + vq[1]) / 2)
    if gap <= GAP:
        return [q]
    return _split(p, mid, vp, vm, values, curved, depth - 1) + _split(mid, q, vm, vq, values, curved, depth - 1)
