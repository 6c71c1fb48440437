"""The efficient frontier of a pair's packages, walked from one side's ideal towards the other's.

With linear-additive utilities and linear value functions, the packages that give the other side
as much as possible for a given own utility are found greedily: concede whole issues in order of
``other weight / own weight``, most valuable to the other side per unit of own loss first. The
frontier is piecewise linear in the proposer's utility, so an offer at any target utility, and its
value to both sides, costs one short scan and no array work.

A side's feasible box (``ylo``, ``yhi``) encodes what it will ever offer: its binding red lines
(Japan offers no rice access before its election) and the US floor (10% baseline kept).
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class Side(Enum):
    """Which side of a pair."""

    US = "USA"
    PARTNER = "PARTNER"


class Offer(NamedTuple):
    """A package on a frontier, with its value to both sides (a named tuple: cheap and immutable).

    Attributes:
        frontier: The frontier the package lies on.
        segment: Index (in concession order) of the issue being conceded.
        fraction: How far that issue is conceded, in [0, 1].
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
        f = self.frontier
        pos = f.position[i]
        if pos < self.segment:
            return f.end[i]
        if pos > self.segment:
            return f.start[i]
        return f.start[i] + self.fraction * (f.end[i] - f.start[i])

    def package(self) -> tuple[float, ...]:
        """Normalised value of every issue, in the pair's issue order."""
        return tuple(self.y(i) for i in range(len(self.frontier.start)))


class Frontier:
    """Efficient packages from the proposer's ideal to the other side's, within a feasible box.

    Args:
        us_weights: The US's issue weights (non-negative, summing to 1).
        partner_weights: The partner's issue weights (non-negative, summing to 1).
        ylo: Lowest normalised value the proposer would put on each issue.
        yhi: Highest normalised value the proposer would put on each issue.
        proposer: Whose frontier this is.
    """

    __slots__ = ("start", "end", "position", "order", "_own", "_other", "proposer")

    def __init__(
        self,
        us_weights: tuple[float, ...],
        partner_weights: tuple[float, ...],
        ylo: tuple[float, ...],
        yhi: tuple[float, ...],
        proposer: Side,
    ) -> None:
        n = len(us_weights)
        us_first = proposer is Side.US
        own_w, other_w = (us_weights, partner_weights) if us_first else (partner_weights, us_weights)
        self.proposer = proposer
        self.start = tuple(yhi) if us_first else tuple(ylo)
        self.end = tuple(ylo) if us_first else tuple(yhi)

        def ratio(i: int) -> float:
            return other_w[i] / own_w[i] if own_w[i] > 0 else float("inf")

        self.order = tuple(sorted(range(n), key=lambda i: (-ratio(i), i)))
        position = [0] * n
        for pos, i in enumerate(self.order):
            position[i] = pos
        self.position = tuple(position)

        us0 = sum(w * y for w, y in zip(us_weights, self.start))
        partner0 = sum(w * (1.0 - y) for w, y in zip(partner_weights, self.start))
        own0, other0 = (us0, partner0) if us_first else (partner0, us0)
        own, other = [own0], [other0]
        for i in self.order:
            span = abs(self.end[i] - self.start[i])
            own.append(own[-1] - own_w[i] * span)
            other.append(other[-1] + other_w[i] * span)
        self._own = tuple(own)
        self._other = tuple(other)

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
        own, other = self._own, self._other
        last = len(own) - 1
        if last == 0:  # no issue: the empty package, worth 0 to both sides, is the whole frontier
            return Offer(self, 0, 0.0, own[0], other[0])
        seg = 0
        while seg < last and own[seg + 1] > target:
            seg += 1
        if seg == last:  # below the far end: all the proposer would ever give
            seg, fraction = last - 1, 1.0
        else:
            drop = own[seg] - own[seg + 1]
            fraction = 0.0 if drop <= 0.0 else min(1.0, max(0.0, (own[seg] - target) / drop))
        own_u = own[seg] + fraction * (own[seg + 1] - own[seg])
        other_u = other[seg] + fraction * (other[seg + 1] - other[seg])
        if self.proposer is Side.US:
            return Offer(self, seg, fraction, own_u, other_u)
        return Offer(self, seg, fraction, other_u, own_u)
