"""The interface every strategy implements, and the read-only view it decides from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import NamedTuple

import numpy as np


class View(NamedTuple):
    """What one side knows of its negotiation on one day; strategies never see the model.

    A named tuple: read-only, and cheap enough to build twice per table per day.

    Attributes:
        day: Days since the start of the horizon.
        tau: Normalised time to the deadline in force, with any pressure applied (may exceed 1).
        days_to_deadline: Days left before the deadline in force (negative once it has passed).
        aspiration: The side's best hope, its utility of its ideal package.
        reservation: The least the side can settle for today: its utility of no deal (for a
            partner, plus the margin its government needs to ratify a deal at home).
        previous_target: The target it aimed at yesterday (``aspiration`` on the first day).
        best_received: Its utility of the best offer the other side has made so far (0 if none).
    """

    day: int
    tau: float
    days_to_deadline: int
    aspiration: float
    reservation: float
    previous_target: float
    best_received: float


class Strategy(ABC):
    """Decides a side's target utility each day and whether to accept the other side's offer."""

    name: str = "strategy"

    @abstractmethod
    def target(self, view: View, rng: np.random.Generator) -> float:
        """The utility this side aims at today; its offer is the efficient package worth that."""

    def accepts(self, view: View, value: float, target: float, near_days: int) -> bool:
        """AC_next: accept what is worth at least what I would offer next; near or past the deadline,
        anything at least worth my reservation value. Never below the reservation value.

        Args:
            view: Today's view.
            value: This side's utility of the offer received.
            target: The target this side has set for today (what it would offer next).
            near_days: How many days before the deadline reservation-level offers are taken.
        """
        if value < view.reservation:
            return False
        return value >= target or view.days_to_deadline <= near_days
