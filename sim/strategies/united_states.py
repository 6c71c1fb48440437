"""Strategies for the United States."""

from __future__ import annotations

import numpy as np

from sim.core.concession import target_utility
from sim.strategies.base import DeadlineAction, DeadlineView, Side, StrategyInfo, TableView, View
from sim.strategies.registry import register
from sim.strategies.time_dependent import TimeDependent


@register
class DealSeeker(TimeDependent):
    """Wants deals to show: Boulware concession that market stress speeds up, attention to the
    most serious offers, a threat when a table stalls, and an extension with letters at the
    deadline when markets are nervous, a deal is close, or imposing the letter rates would cost
    it more at the table than it will bear (it looks ahead: the rates' return shocks markets, and
    stress above its threshold softens it); otherwise the letter rates apply. With ``engagement``
    above 0 its concession at a table also needs meetings: each day it does not meet a table
    counts ``1 − engagement`` of a day on that table's clock (0 by default: the calendar; 0.08 in the baseline).

    This is the baseline US: Lutnick and Greer's warnings to Japan in late May, the letters and
    the 7 July extension to 1 August, "prioritising partners with serious offers".

    References:
        WSJ, "Trump said trade deals would come easy. Japan is proving him wrong" (July 2025).
        Faratin, Sierra & Jennings (1998) for the concession curve.
    """

    info = StrategyInfo("deal_seeker", Side.US, False, "WSJ (July 2025); Faratin et al. (1998)",
                        "concedes near the deadline under stress, threatens stalled tables, extends once")

    # The concession by position, as in every time-dependent strategy; the tactics by name only
    # (a tactic added later cannot shift another's value).
    def __init__(self, beta: float = 0.4, k: float = 0.0, near_days: int = 3, *, stall_days: int = 21,
                 cooldown_days: int = 21, threat_step: float = 5.0, extend_stress: float = 0.45,
                 extend_close_gap: float = 0.08, extend_cost: float = 0.1, extension_days: int = 23,
                 max_extensions: int = 1, engagement: float = 0.0) -> None:
        if not beta > 0:
            raise ValueError(f"beta must be > 0, got {beta}")
        for name, value, least in (("near_days", near_days, 0), ("stall_days", stall_days, 1),
                                   ("cooldown_days", cooldown_days, 0), ("extension_days", extension_days, 1),
                                   ("max_extensions", max_extensions, 0)):
            if not (isinstance(value, int) and value >= least):
                raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")
        if not threat_step >= 0:
            raise ValueError(f"threat_step must be >= 0 percentage points, got {threat_step!r}")
        if not extend_stress >= 0:
            raise ValueError(f"extend_stress must be a market-stress level >= 0, got {extend_stress!r}")
        if not 0 <= extend_close_gap <= 1:
            raise ValueError(f"extend_close_gap must be a utility gap in [0, 1], got {extend_close_gap!r}")
        if not 0 <= extend_cost <= 1:
            raise ValueError(f"extend_cost must be a utility loss in [0, 1], got {extend_cost!r}")
        if not 0 <= engagement <= 1:
            raise ValueError(f"engagement must be a share in [0, 1], got {engagement!r}")
        super().__init__(beta, k, near_days)
        self.stall_days, self.cooldown_days, self.threat_step = stall_days, cooldown_days, threat_step
        self.extend_stress, self.extend_close_gap, self.extend_cost = extend_stress, extend_close_gap, extend_cost
        self.extension_days, self.max_extensions = extension_days, max_extensions
        self.engagement = engagement

    def target(self, view: View, rng: np.random.Generator) -> float:
        """The concession curve's target, on a clock that loses ``engagement`` of each day the US
        did not meet this table: ``tau · (1 − engagement · (1 − met_share))`` (the calendar's at 0)."""
        tau, engagement = view.tau, self.engagement
        if engagement > 0.0:
            tau *= 1.0 - engagement * (1.0 - view.met_share)
        # TimeDependent.target at the table's clock, written out: this runs at every meeting.
        curve = target_utility(tau, view.aspiration, view.reservation, self.beta, self.k)
        return max(view.reservation, min(view.previous_target, curve))

    def threat(self, table: TableView, rng: np.random.Generator) -> float:
        stalled = table.days_since_progress >= self.stall_days
        if stalled and table.days_since_threat >= self.cooldown_days and table.threatened_rate < table.max_rate:
            return self.threat_step
        return 0.0

    def at_deadline(self, deadline: DeadlineView, rng: np.random.Generator) -> tuple[DeadlineAction, int]:
        """Extend (at most ``max_extensions`` times) when markets are nervous (stress at least
        ``extend_stress``), a deal is close (a gap at most ``extend_close_gap``) or imposing would
        cost the US more than ``extend_cost`` at the table (``imposition_cost``); else impose."""
        worth_it = (deadline.market_stress >= self.extend_stress or deadline.closest_gap <= self.extend_close_gap
                    or imposition_cost(deadline) > self.extend_cost)
        if deadline.extensions < self.max_extensions and worth_it:
            return DeadlineAction.EXTEND, self.extension_days
        return DeadlineAction.IMPOSE, 0


def imposition_cost(deadline: DeadlineView) -> float:
    """What imposing the letter rates today would cost the US at the table, in utility: the
    fall in its reservation value once stress has taken the imposition's shock,
    ``stress_sensitivity · max(0, market_stress + imposing_shock − stress_threshold)``."""
    excess = deadline.market_stress + deadline.imposing_shock - deadline.stress_threshold
    return deadline.stress_sensitivity * excess if excess > 0.0 else 0.0
