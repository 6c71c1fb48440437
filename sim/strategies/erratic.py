"""Erratic: "we can do whatever we want" — the US moves the deadline and its demands at random."""

from __future__ import annotations

import numpy as np

from sim.core.concession import target_utility
from sim.strategies.base import DeadlineAction, DeadlineView, Side, StrategyInfo, TableView, USStrategy, View
from sim.strategies.registry import register


@register
class Erratic(USStrategy):
    """Unpredictable on purpose: a noisy concession curve, random deadline moves and threats.

    - Target: the Faratin curve (``beta``, ``k``) plus a uniform jump in ``[-jitter, jitter]``
      each meeting; like every strategy it never asks for more than at its last meeting, so an
      upward jump holds its last demand and a downward one gives ground at once.
    - Before the deadline, each day with probability ``move_probability`` it moves the deadline
      by 1 to ``max_move_days`` days, earlier or later with equal chance.
    - Each day, at each table that has an offer on it, it threatens with probability
      ``threat_probability`` (``threat_step`` points), stalled or not.
    - At the deadline it extends (by 1 to ``extension_days`` days, with letters) with probability
      ``extend_probability``, otherwise imposes the letter rates.

    References:
        Trump on the 9 July deadline: "we can do whatever we want. We could extend it, we
        could make it shorter" (27 June 2025; WSJ, July 2025).
        Schelling, T. C. (1960). The Strategy of Conflict ("the threat that leaves something to
        chance").
        Faratin, Sierra & Jennings (1998) for the underlying curve.
    """

    info = StrategyInfo("erratic", Side.US, True, "Trump (27 Jun 2025); Schelling (1960); Faratin et al. (1998)",
                        "moves the deadline, demands and threats at random")

    def __init__(self, beta: float = 0.5, k: float = 0.0, near_days: int = 3, jitter: float = 0.05,
                 move_probability: float = 0.03, max_move_days: int = 7, threat_probability: float = 0.02,
                 threat_step: float = 5.0, extend_probability: float = 0.5, extension_days: int = 30) -> None:
        if not beta > 0:
            raise ValueError(f"beta must be > 0, got {beta!r}")
        if not 0 <= k <= 1:
            raise ValueError(f"k must be in [0, 1], got {k!r}")
        if not 0 <= jitter <= 1:
            raise ValueError(f"jitter must be a utility in [0, 1], got {jitter!r}")
        for name, p in (("move_probability", move_probability), ("threat_probability", threat_probability),
                        ("extend_probability", extend_probability)):
            if not 0 <= p <= 1:
                raise ValueError(f"{name} must be a probability in [0, 1], got {p!r}")
        for name, days, least in (("near_days", near_days, 0), ("max_move_days", max_move_days, 1),
                                  ("extension_days", extension_days, 1)):
            if not (isinstance(days, int) and days >= least):
                raise ValueError(f"{name} must be a whole number >= {least}, got {days!r}")
        if not threat_step > 0:
            raise ValueError(f"threat_step must be > 0 percentage points, got {threat_step!r}")
        self.beta, self.k, self.near_days, self.jitter = beta, k, near_days, jitter
        self.move_probability, self.max_move_days = move_probability, max_move_days
        self.threat_probability, self.threat_step = threat_probability, threat_step
        self.extend_probability, self.extension_days = extend_probability, extension_days

    def target(self, view: View, rng: np.random.Generator) -> float:
        curve = target_utility(view.tau, view.aspiration, view.reservation, self.beta, self.k)
        jump = self.jitter * (2.0 * rng.random() - 1.0)
        return max(view.reservation, min(view.previous_target, curve + jump))

    def threat(self, table: TableView, rng: np.random.Generator) -> float:
        if table.threatened_rate < table.max_rate and rng.random() < self.threat_probability:
            return self.threat_step
        return 0.0

    def move_deadline(self, deadline: DeadlineView, rng: np.random.Generator) -> int:
        if rng.random() >= self.move_probability:
            return 0
        days = int(rng.integers(1, self.max_move_days + 1))
        return days if rng.random() < 0.5 else -days

    def at_deadline(self, deadline: DeadlineView, rng: np.random.Generator) -> tuple[DeadlineAction, int]:
        if rng.random() < self.extend_probability:
            return DeadlineAction.EXTEND, int(rng.integers(1, self.extension_days + 1))
        return DeadlineAction.IMPOSE, 0
