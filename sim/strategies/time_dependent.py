"""Time-dependent concession: Boulware, linear and Conceder (Faratin, Sierra & Jennings 1998)."""

from __future__ import annotations

import numpy as np

from sim.core.concession import target_utility
from sim.strategies.base import Side, StrategyInfo, USStrategy, View
from sim.strategies.registry import register

FARATIN = "Faratin, Sierra & Jennings (1998), Negotiation decision functions for autonomous agents"


@register
class TimeDependent(USStrategy):
    """Concede along Faratin's curve from aspiration to reservation as the deadline nears.

    Plays either side; as the US it uses the default tactics (no threats, letter rates at the
    deadline).

    ``u(tau) = u_max - (u_max - u_res) * (k + (1 - k) * tau ** (1 / beta))``. Never retracts:
    today's target is no higher than the last one, and never below the reservation value.

    References:
        Faratin, P., Sierra, C. & Jennings, N. R. (1998). Negotiation decision functions for
        autonomous agents. Robotics and Autonomous Systems 24(3-4), 159-182.
    """

    info = StrategyInfo("time_dependent", Side.BOTH, False, FARATIN,
                        "Faratin's time-dependent concession with any exponent beta")

    def __init__(self, beta: float = 1.0, k: float = 0.0, near_days: int = 3) -> None:
        if not beta > 0:
            raise ValueError(f"beta must be > 0, got {beta}")
        if not 0 <= k <= 1:
            raise ValueError(f"k must be in [0, 1], got {k}")
        if not (isinstance(near_days, int) and near_days >= 0):
            raise ValueError(f"near_days must be a whole number of days >= 0, got {near_days!r}")
        self.beta = beta
        self.k = k
        self.near_days = near_days

    def target(self, view: View, rng: np.random.Generator) -> float:
        curve = target_utility(view.tau, view.aspiration, view.reservation, self.beta, self.k)
        return max(view.reservation, min(view.previous_target, curve))


@register
class Boulware(TimeDependent):
    """Hold firm and concede late (``beta`` < 1).

    References:
        Faratin, Sierra & Jennings (1998).
    """

    info = StrategyInfo("boulware", Side.BOTH, False, FARATIN, "holds firm, concedes late (beta < 1)")

    def __init__(self, beta: float = 0.3, k: float = 0.0, near_days: int = 3) -> None:
        if not 0 < beta < 1:
            raise ValueError(f"beta must be in (0, 1) for a Boulware, got {beta}")
        super().__init__(beta, k, near_days)


@register
class Linear(TimeDependent):
    """Concede at a constant rate (``beta`` = 1).

    References:
        Faratin, Sierra & Jennings (1998).
    """

    info = StrategyInfo("linear", Side.BOTH, False, FARATIN, "concedes at a constant rate (beta = 1)")

    def __init__(self, k: float = 0.0, near_days: int = 3) -> None:
        super().__init__(1.0, k, near_days)


@register
class Conceder(TimeDependent):
    """Concede early (``beta`` > 1).

    References:
        Faratin, Sierra & Jennings (1998).
    """

    info = StrategyInfo("conceder", Side.BOTH, False, FARATIN, "concedes early (beta > 1)")

    def __init__(self, beta: float = 3.0, k: float = 0.0, near_days: int = 3) -> None:
        if not beta > 1:
            raise ValueError(f"beta must be > 1 for a Conceder, got {beta}")
        super().__init__(beta, k, near_days)
