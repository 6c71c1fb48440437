"""Time-dependent concession: Boulware, linear and Conceder."""

from __future__ import annotations

import numpy as np

from sim.core.concession import target_utility
from sim.strategies.base import Strategy, View


class TimeDependent(Strategy):
    """Concede along Faratin's curve from aspiration to reservation as the deadline nears.

    Never retracts: today's target is no higher than yesterday's, and never below the
    reservation value. ``beta < 1`` is Boulware, ``beta = 1`` linear, ``beta > 1`` Conceder.

    References:
        Faratin, Sierra & Jennings (1998), Negotiation decision functions for autonomous agents.
    """

    name = "time_dependent"

    def __init__(self, beta: float = 1.0, k: float = 0.0) -> None:
        self.beta = beta
        self.k = k

    def target(self, view: View, rng: np.random.Generator) -> float:
        curve = target_utility(view.tau, view.aspiration, view.reservation, self.beta, self.k)
        return max(view.reservation, min(view.previous_target, curve))
