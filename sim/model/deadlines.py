"""Deadlines: each table negotiates against a deadline the US can move; tables that share one share
its clock.

By default every partner is on the scenario's deadline (one clock, as in the 2025 round); a partner
whose settings name its own ``deadline`` gets a clock of its own, which the US extends, shortens
or enforces separately, and a truce moves only its targets' clocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(eq=False)
class DeadlineClock:
    """A deadline: its day index, how often the US extended it, and today's time to it.

    Attributes:
        day: Day index of the deadline in force.
        extensions: Times the US has extended it.
        tau: Today's share of the time to it that has passed (1 from the deadline on).
        us_tau: ``tau`` as the US feels it (market stress speeds its clock).
        days_left: Days before it (negative once it has passed).
    """

    day: int
    extensions: int = 0
    tau: float = 0.0
    us_tau: float = 0.0
    days_left: int = 0

    def __post_init__(self) -> None:
        self.days_left = self.day

    def tick(self, day: int, pressure: float) -> None:
        """Today's normalised time to the deadline; ``pressure`` (>= 1) speeds the US's clock."""
        self.days_left = self.day - day
        self.tau = day / self.day if self.day > 0 else 1.0
        self.us_tau = self.tau * pressure


class OnClock(Protocol):
    """A table on a deadline clock (a ``PartnerAgent``)."""

    clock: DeadlineClock


def set_deadline(clocks: list[DeadlineClock], tables: Sequence[OnClock], moved: Sequence[OnClock], day: int) -> None:
    """Move the deadline of the ``moved`` tables to ``day``; a clock they share with other
    ``tables`` is split: the moved ones get a clock of their own (appended to ``clocks``), which
    keeps the count of extensions."""
    for clock in {t.clock: None for t in moved}:
        members = [t for t in tables if t.clock is clock]
        if all(t in moved for t in members):
            clock.day = day
            continue
        split = DeadlineClock(day, clock.extensions)
        clocks.append(split)
        for t in members:
            if t in moved:
                t.clock = split
