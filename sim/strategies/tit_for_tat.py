"""Behaviour-dependent concession: absolute and relative tit-for-tat (Faratin, Sierra & Jennings 1998).

Both mirror the other side's last concession, measured in this side's own utility: a concession
by the other side raises what its offer is worth to me, so its concession is
``last_received - previous_received`` (> 0). Both look back one offer (Faratin's ``delta = 1``).
With no history yet, or when the other side stood still or took ground back, they keep their
last target: tit-for-tat never retracts and never goes below the reservation value.

They play either side; for the United States they keep the default tactics (no threats, no
deadline moves, letter rates imposed at the deadline).
"""

from __future__ import annotations

import numpy as np

from sim.strategies.base import Side, StrategyInfo, USStrategy, View
from sim.strategies.registry import register

FARATIN = "Faratin, Sierra & Jennings (1998), behaviour-dependent (imitative) tactics"


def other_concession(view: View) -> float:
    """How much the other side's latest offer is worth more to me than its previous one
    (0 with no history, or when it stood still or took ground back)."""
    concession = view.last_received - view.previous_received
    return concession if concession > 0 else 0.0  # nan > 0 is False: no history, no concession


def _within(view: View, value: float) -> float:
    return max(view.reservation, min(view.previous_target, value))


def _check_near_days(near_days: int) -> None:
    if not (isinstance(near_days, int) and near_days >= 0):
        raise ValueError(f"near_days must be a whole number >= 0, got {near_days!r}")


@register
class AbsoluteTitForTat(USStrategy):
    """Concede exactly as much utility as the other side just conceded to me.

    My target drops by the other side's last concession (``last_received - previous_received``),
    times ``scale`` (1: a pure mirror). Accepts by AC_next, and anything above the reservation
    value in the deadline's last ``near_days`` days.

    References:
        Faratin, P., Sierra, C. & Jennings, N. R. (1998). Negotiation decision functions for
        autonomous agents. Robotics and Autonomous Systems 24(3-4), 159-182 (section 4.3,
        absolute tit-for-tat).
        Axelrod, R. (1984). The Evolution of Cooperation. Basic Books.
    """

    info = StrategyInfo("absolute_tit_for_tat", Side.BOTH, False, FARATIN,
                        "concedes the same utility the other side just conceded")

    def __init__(self, scale: float = 1.0, near_days: int = 3) -> None:
        if not (isinstance(scale, (int, float)) and scale > 0):
            raise ValueError(f"scale must be a number > 0, got {scale!r}")
        _check_near_days(near_days)
        self.scale = float(scale)
        self.near_days = near_days

    def target(self, view: View, rng: np.random.Generator) -> float:
        return _within(view, view.previous_target - self.scale * other_concession(view))


@register
class RelativeTitForTat(USStrategy):
    """Concede the same share of my remaining room as the other side just conceded of its own.

    The other side closed ``p = (last_received - previous_received) / (aspiration -
    previous_received)`` of the distance between its previous offer and my ideal; my target
    moves the same share ``p`` of the way from my last target to my reservation value. Accepts by
    AC_next, and anything above the reservation value in the deadline's last ``near_days`` days.

    References:
        Faratin, P., Sierra, C. & Jennings, N. R. (1998). Negotiation decision functions for
        autonomous agents. Robotics and Autonomous Systems 24(3-4), 159-182 (section 4.3,
        relative tit-for-tat).
        Axelrod, R. (1984). The Evolution of Cooperation. Basic Books.
    """

    info = StrategyInfo("relative_tit_for_tat", Side.BOTH, False, FARATIN,
                        "concedes the same share of its room the other side just conceded of its own")

    def __init__(self, near_days: int = 3) -> None:
        _check_near_days(near_days)
        self.near_days = near_days

    def target(self, view: View, rng: np.random.Generator) -> float:
        concession = other_concession(view)
        room = view.aspiration - view.previous_received
        if concession == 0.0 or not room > 0:
            return _within(view, view.previous_target)
        share = min(1.0, concession / room)
        return _within(view, view.previous_target - share * (view.previous_target - view.reservation))
