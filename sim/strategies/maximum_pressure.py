"""Maximum pressure: the US escalates whenever talks stall and never extends the deadline."""

from __future__ import annotations

from sim.strategies.base import Side, StrategyInfo
from sim.strategies.registry import register
from sim.strategies.united_states import DealSeeker


@register
class MaximumPressure(DealSeeker):
    """Boulware concession, quick and large threats, no extension.

    It concedes late (``beta`` < 1), threatens a partner whose offers have not narrowed the gap
    for ``stall_days`` (a shorter fuse than the deal seeker's) by ``threat_step`` points (a bigger
    step), again every ``cooldown_days`` while the stall lasts, up to the highest rate it may
    name; at the deadline it imposes the letter rates on every open table, whatever the markets
    do. Attention goes to the most serious offers (the default). A ``DealSeeker`` that never
    extends: concession and threats are the deal seeker's, with a shorter fuse and a bigger step.

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
        super().__init__(beta, k, near_days, stall_days=stall_days, cooldown_days=cooldown_days,
                         threat_step=threat_step, max_extensions=0)
