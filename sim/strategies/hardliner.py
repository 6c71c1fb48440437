"""A hardliner: never concedes from its aspiration."""

from __future__ import annotations

import numpy as np

from sim.strategies.base import Side, StrategyInfo, USStrategy, View
from sim.strategies.registry import register


@register
class Hardliner(USStrategy):
    """Demand the ideal package every day and never concede from it.

    It accepts an offer worth at least its aspiration at any time. Its one give: once the
    deadline in force is ``near_days`` days away or less (by default only on the deadline day and
    after, when letter rates would otherwise apply) it takes anything worth at least its
    reservation value, through the base ``accepts``. Without that, two hardliners could never
    settle and a hardliner could never take a deal that beats no deal.

    It plays either side; for the United States it keeps the default tactics (no threats, no
    deadline moves, letter rates imposed at the deadline).

    References:
        Faratin, P., Sierra, C. & Jennings, N. R. (1998). Negotiation decision functions for
        autonomous agents. Robotics and Autonomous Systems 24(3-4) (the ``beta -> 0`` limit).
        Lin, R., Kraus, S., Baarslag, T., Tykhonov, D., Hindriks, K. & Jonker, C. M. (2014).
        Genius: an integrated environment for supporting the design of generic automated
        negotiators. Computational Intelligence 30(1), 48-70 (its Hardliner agent, ``e = 0``).
    """

    info = StrategyInfo("hardliner", Side.BOTH, False, "Faratin et al. (1998); Genius (Lin et al. 2014)",
                        "never concedes from its aspiration; takes no-deal-level offers only at the deadline")

    def __init__(self, near_days: int = 0) -> None:
        if not (isinstance(near_days, int) and near_days >= 0):
            raise ValueError(f"near_days must be a whole number >= 0, got {near_days!r}")
        self.near_days = near_days

    def target(self, view: View, rng: np.random.Generator) -> float:
        return max(view.reservation, min(view.previous_target, view.aspiration))
