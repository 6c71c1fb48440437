"""Maximum pressure: the US escalates whenever talks stall and never extends the deadline."""

from __future__ import annotations

import numpy as np

from sim.core.concession import target_utility
from sim.strategies.base import DeadlineAction, DeadlineView, Side, StrategyInfo, TableView, USStrategy, View
from sim.strategies.registry import register


@register
class MaximumPressure(USStrategy):
    """Boulware concession, quick and large threats, no extension.

    It concedes late (``beta`` < 1), threatens a partner whose offers have not narrowed the gap
    for ``stall_days`` (a shorter fuse than the deal seeker's) by ``threat_step`` points (a bigger
    step), again every ``cooldown_days`` while the stall lasts, up to the highest rate it may
    name; at the deadline it imposes the letter rates on every open table, whatever the markets
    do. Attention goes to the most serious offers (the default).

    References:
        WSJ, "Trump said trade deals would come easy. Japan is proving him wrong" (July 2025):
        letters "as early as this week", rates "as high as 30% or 35%".
        Schelling, T. C. (1966). Arms and Influence (compellence: escalate until the other yields).
        Faratin, Sierra & Jennings (1998) for the concession curve.
    """

    info = StrategyInfo("maximum_pressure", Side.US, False, "WSJ (July 2025); Schelling (1966); Faratin et al. (1998)",
                        "concedes late, threatens stalled tables soon and hard, never extends")

    def __init__(self, beta: float = 0.25, k: float = 0.0, near_days: int = 3, stall_days: int = 10,
                 cooldown_days: int = 7, threat_step: float = 10.0) -> None:
        if not 0 < beta < 1:
            raise ValueError(f"beta must be in (0, 1) (Boulware), got {beta!r}")
        if not 0 <= k <= 1:
            raise ValueError(f"k must be in [0, 1], got {k!r}")
        for name, days in (("near_days", near_days), ("stall_days", stall_days), ("cooldown_days", cooldown_days)):
            if not (isinstance(days, int) and days >= 0):
                raise ValueError(f"{name} must be a whole number >= 0, got {days!r}")
        if not threat_step > 0:
            raise ValueError(f"threat_step must be > 0 percentage points, got {threat_step!r}")
        self.beta, self.k, self.near_days = beta, k, near_days
        self.stall_days, self.cooldown_days, self.threat_step = stall_days, cooldown_days, threat_step

    def target(self, view: View, rng: np.random.Generator) -> float:
        curve = target_utility(view.tau, view.aspiration, view.reservation, self.beta, self.k)
        return max(view.reservation, min(view.previous_target, curve))

    def threat(self, table: TableView, rng: np.random.Generator) -> float:
        stalled = table.days_since_progress >= self.stall_days
        if stalled and table.days_since_threat >= self.cooldown_days and table.threatened_rate < table.max_rate:
            return self.threat_step
        return 0.0

    def at_deadline(self, deadline: DeadlineView, rng: np.random.Generator) -> tuple[DeadlineAction, int]:
        return DeadlineAction.IMPOSE, 0
