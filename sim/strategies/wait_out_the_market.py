"""Wait out the market: hold firm while markets are calm, concede once they are stressed (Japan)."""

from __future__ import annotations

import numpy as np

from sim.core.concession import target_utility
from sim.strategies.base import Side, Strategy, StrategyInfo, View
from sim.strategies.registry import register


@register
class WaitOutTheMarket(Strategy):
    """Hold near the aspiration while markets are calm; concede once they are stressed or the
    deadline is close.

    The LDP hardliners' reading: the US gives ground only when markets wobble, so conceding
    while they are calm is wasted. While today's market stress is below ``trigger`` (by default
    the level at which the US starts to give ground, ``View.stress_threshold``) and the deadline
    is more than ``deadline_days`` away it follows a very Boulware curve (``hold_beta``); once
    stress passes the trigger, or the deadline is that close, it follows the ``beta`` curve, so
    that it meets a softened US quickly. It never takes back a concession.

    References:
        WSJ (July 2025): some in Japan's ruling party argue for holding out, expecting market
        turmoil near the deadline to make the US give in.
        Faratin, Sierra & Jennings (1998) for the two curves.
    """

    info = StrategyInfo("wait_out_the_market", Side.PARTNER, False, "WSJ (July 2025); Faratin et al. (1998)",
                        "holds firm while markets are calm, concedes once stressed or near the deadline")

    def __init__(self, trigger: float | None = None, hold_beta: float = 0.1, beta: float = 1.0,
                 k: float = 0.0, deadline_days: int = 7, near_days: int = 3) -> None:
        if trigger is not None and not trigger >= 0:
            raise ValueError(f"trigger must be a stress level >= 0, or null for the US threshold, got {trigger!r}")
        if not hold_beta > 0:
            raise ValueError(f"hold_beta must be > 0, got {hold_beta!r}")
        if not beta > 0:
            raise ValueError(f"beta must be > 0, got {beta!r}")
        if not 0 <= k <= 1:
            raise ValueError(f"k must be in [0, 1], got {k!r}")
        for name, days in (("deadline_days", deadline_days), ("near_days", near_days)):
            if not (isinstance(days, int) and days >= 0):
                raise ValueError(f"{name} must be a whole number >= 0, got {days!r}")
        self.trigger, self.hold_beta, self.beta, self.k = trigger, hold_beta, beta, k
        self.deadline_days, self.near_days = deadline_days, near_days

    def stressed(self, view: View) -> bool:
        """Whether markets are stressed enough today to make the US give in."""
        trigger = view.stress_threshold if self.trigger is None else self.trigger
        return view.market_stress >= trigger

    def target(self, view: View, rng: np.random.Generator) -> float:
        conceding = self.stressed(view) or view.days_left <= self.deadline_days
        beta = self.beta if conceding else self.hold_beta
        curve = target_utility(view.tau, view.aspiration, view.reservation, beta, self.k)
        return max(view.reservation, min(view.previous_target, curve))
