"""Appease early: concede a large share at once, then quickly (Vietnam)."""

from __future__ import annotations

from sim.strategies.base import Side, StrategyInfo
from sim.strategies.registry import register
from sim.strategies.time_dependent import TimeDependent


@register
class AppeaseEarly(TimeDependent):
    """A Conceder that opens with a large concession: share ``k`` of the way from aspiration to
    reservation at once (``k`` > 0), the rest early (``beta`` > 1).

    Vietnam offered to cut its tariffs on US goods to zero within days of 2 April and was the
    first of the five to settle (2 July).

    References:
        WSJ (July 2025); To Lam's call with Trump of 4 April 2025 offering to cut Vietnam's
        tariffs on US goods to zero (public record).
        Faratin, Sierra & Jennings (1998): a Conceder curve with an initial constant ``k``.
    """

    info = StrategyInfo("appease_early", Side.PARTNER, False, "WSJ (July 2025); Faratin et al. (1998)",
                        "concedes a large share at once, the rest early (k > 0, beta > 1)")

    def __init__(self, beta: float = 2.0, k: float = 0.3, near_days: int = 3) -> None:
        if not beta > 1:
            raise ValueError(f"beta must be > 1 (a Conceder), got {beta!r}")
        if not 0 < k <= 1:
            raise ValueError(f"k must be in (0, 1] (an opening concession), got {k!r}")
        super().__init__(beta, k, near_days)
