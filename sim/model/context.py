"""What the day's moves share: the run's event log, generator, US agent, world and calendar.

The US's tactics and the dated outside events take a ``Context`` (and the tables and deadline
clocks they act on) rather than the model: its fields are those pieces themselves, fixed for the
run, and it holds no reference back to the model (sim/model/model.py builds it and orchestrates
the day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.model.environment import World
from sim.model.events import EventLog

if TYPE_CHECKING:
    from sim.model.agents import UnitedStatesAgent


@dataclass(frozen=True, slots=True)
class Calendar:
    """The run's days: day index 0 is ``start``, the last is ``last_day``."""

    start: dt.date
    last_day: int

    def date_of(self, day: int) -> dt.date:
        """Calendar date of day index ``day``."""
        return self.start + dt.timedelta(days=day)


@dataclass(frozen=True, slots=True)
class Context:
    """The pieces of one run that the US's tactics and the outside events read or change.

    Attributes:
        log: The run's event log (appended to).
        rng: The run's only random generator.
        us: The US agent (its strategy and settings, ``UnitedStates``).
        world: Market stress and court risk; its ``settings`` are the scenario's environment.
        calendar: Day indices to dates, and the last day of the horizon.
    """

    log: EventLog
    rng: np.random.Generator
    us: UnitedStatesAgent
    world: World
    calendar: Calendar
