"""Stubborn: the worked example of docs/strategies.md, a strategy that lives outside `sim/`."""

from __future__ import annotations

import numpy as np

from sim.strategies import Side, Strategy, StrategyInfo, View


class Stubborn(Strategy):
    """Concede linearly from aspiration to reservation as the deadline nears, but never aim
    at, nor accept, less than ``floor`` times the aspiration (a resistance point).

    References:
        Faratin, Sierra & Jennings (1998): linear time-dependent concession.
        Walton & McKersie (1965), A Behavioral Theory of Labor Negotiations: resistance points.
    """

    info = StrategyInfo("stubborn", Side.PARTNER, False, "Faratin et al. (1998); Walton & McKersie (1965)",
                        "concedes linearly, never below a floor share of its aspiration")

    def __init__(self, floor: float = 0.8) -> None:
        if not 0 <= floor <= 1:
            raise ValueError(f"floor must be in [0, 1], got {floor}")
        self.floor = floor

    def target(self, view: View, rng: np.random.Generator) -> float:
        tau = min(1.0, max(0.0, view.tau))
        linear = view.aspiration - (view.aspiration - view.reservation) * tau
        return max(view.reservation, self.floor * view.aspiration, min(view.previous_target, linear))

    def accepts(self, view: View, value: float, target: float) -> bool:
        return value >= target  # no deadline panic: the target never drops below the floor
