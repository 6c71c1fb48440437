"""Reciprocal aspiration: concede one small step only when the other side makes a better offer
(MiCRO, de Jonge 2022, on a continuous utility scale)."""

from __future__ import annotations

import numpy as np

from sim.strategies.base import Side, StrategyInfo, USStrategy, View
from sim.strategies.registry import register

MICRO = "de Jonge (2022), MiCRO benchmark strategy (IJCAI)"


@register
class Aspiration(USStrategy):
    """Lower the aspiration by one fixed ``step`` each time the other side makes a new, better
    offer, and not at all otherwise: it concedes nothing while the other side does not.

    MiCRO walks down its own ranked offers one at a time, and only as long as the opponent has
    made at least as many distinct offers as it has. Here offers are a continuous frontier, so
    "a new offer" is one worth more to me than both its previous one and anything it offered
    before (``last_received > previous_received`` and ``last_received >= best_received``), and
    "the next offer down" is ``step`` lower in my own utility. Like MiCRO it accepts anything
    worth at least what it would offer next (AC_next); in the deadline's last ``near_days``
    days, anything above its reservation value.

    It plays either side; for the United States it keeps the default tactics.

    References:
        de Jonge, D. (2022). An analysis of the linear bilateral ANAC domains using the MiCRO
        benchmark strategy. Proceedings of IJCAI-22, 223-229.
        Faratin, Sierra & Jennings (1998) for the acceptance rule's deadline fallback.
    """

    info = StrategyInfo("aspiration", Side.BOTH, False, MICRO,
                        "MiCRO: steps down a fixed amount only when the other side offers more")

    def __init__(self, step: float = 0.02, near_days: int = 3) -> None:
        if not (isinstance(step, (int, float)) and 0 < step <= 1):
            raise ValueError(f"step must be a utility in (0, 1], got {step!r}")
        if not (isinstance(near_days, int) and near_days >= 0):
            raise ValueError(f"near_days must be a whole number >= 0, got {near_days!r}")
        self.step = float(step)
        self.near_days = near_days

    def target(self, view: View, rng: np.random.Generator) -> float:
        last = view.last_received
        better = last > view.previous_received and last >= view.best_received  # False on nan
        value = view.previous_target - self.step if better else view.previous_target
        return max(view.reservation, min(view.previous_target, value))
