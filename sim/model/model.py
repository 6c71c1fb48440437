"""The Mesa model: six agents bargaining day by day under a movable deadline."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import mesa

from sim.config.scenario import OutsideEvent, Scenario
from sim.model.agents import PartnerAgent, UnitedStatesAgent, row_columns
from sim.model.context import Calendar, Context
from sim.model.deadlines import DeadlineClock
from sim.model.environment import World
from sim.model.events import EventKind, EventLog
from sim.model.implementation import enter_into_force, implementation_lags
from sim.model.outside import apply_outside_event
from sim.model.protocol import bargaining_round, deal_spillovers
from sim.model.talks import Status
from sim.model.us_tactics import choose_attention, deadline_tactics, threaten_stalled


_SUSPENDED = Status.SUSPENDED  # Enum member look-ups are slow on Python 3.11 (~0.1 us each)


class DayRecord(tuple):
    """An immutable record of one day; the ``DataCollector`` may keep it without copying."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict) -> DayRecord:
        return self


class TariffModel(mesa.Model):
    """The 2025 tariff negotiations: the United States and its partners, one step per day.

    Args:
        scenario: A validated scenario (``sim.config.load_scenario``).
        seed: Seed of the run's only random generator, ``self.rng``.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        super().__init__(rng=seed)
        self.scenario = scenario
        self.seed = seed
        self.day = 0
        self.last_day = scenario.days - 1
        self.stress_threshold = scenario.environment.market_stress.threshold
        self.log = EventLog()
        self.world = World(scenario.environment, (scenario.environment.court.hearing - scenario.start).days, self.rng)
        self.us = UnitedStatesAgent(self, scenario.us)
        # A canonical order (by code), so that results do not depend on how the config lists them.
        codes = sorted(scenario.partners)
        lags = implementation_lags(self.rng, scenario.us, len(codes))
        self.partners = [PartnerAgent(self, scenario.partners[code], scenario.us, lag) for code, lag in zip(codes, lags)]
        # One clock per distinct deadline: partners on the scenario's (all, unless one names its own) share it.
        clocks: dict[int, DeadlineClock] = {}
        for partner in self.partners:
            own = partner.settings.deadline
            day = (scenario.deadline if own is None else own) - scenario.start
            partner.clock = clocks.setdefault(day.days, DeadlineClock(day.days))
        self.clocks = list(clocks.values())
        self.calendar = Calendar(scenario.start, self.last_day)
        # The pieces the US's tactics and the outside events share (not the model itself).
        self.context = Context(self.log, self.rng, self.us, self.world, self.calendar)
        self._events_by_day: dict[int, list[OutsideEvent]] = defaultdict(list)
        for event in scenario.events:
            self._events_by_day[(event.date - scenario.start).days].append(event)
        self._hearing_day = (scenario.environment.court.hearing - scenario.start).days
        self.datacollector = mesa.DataCollector(
            model_reporters={"day": self.day_record},
        )
        self._days = self.datacollector.model_vars["day"]

    @property
    def market_stress(self) -> float:
        """Today's market-stress index."""
        return self.world.stress

    @property
    def deadline_day(self) -> int:
        """The earliest deadline in force (every table's, when they share one)."""
        return min(clock.day for clock in self.clocks)

    @property
    def extensions(self) -> int:
        """The most times any deadline has been extended."""
        return max(clock.extensions for clock in self.clocks)

    def day_record(self) -> DayRecord:
        """Today's market stress, the deadline day (a tuple, one per partner, once tables have their own), then each partner agent's row (``row_columns``)
        in the order of ``self.partners``.

        One model-level reporter for the model and all partner agents: Mesa's per-agent
        reporters cost more than the whole day's bargaining.
        """
        clocks = self.clocks  # one deadline shared by every table (the usual case): its day, else one per partner
        deadlines = clocks[0].day if len(clocks) == 1 else tuple(p.clock.day for p in self.partners)
        return DayRecord((self.world.stress, deadlines, *[p.row for p in self.partners]))

    def _collect(self) -> None:
        """Append today's record to the ``DataCollector``'s ``day`` series.

        What ``DataCollector.collect`` would store: it deep-copies a reporter's value, which for
        an immutable ``DayRecord`` is the record itself, after type checks that cost more than
        the record (one call a day, 175 a run).
        """
        self._days.append(self.day_record())

    def date_of(self, day: int) -> dt.date:
        """Calendar date of day index ``day``."""
        return self.calendar.date_of(day)

    def step(self) -> None:
        """One day: deals entering into force, outside events, politics, talks, US tactics, then the record.

        The model orchestrates; each move takes the pieces it reads or changes: the day's round at a
        table (``sim.model.protocol``) the partner, the US agent, the generator and the log; what a
        deal does beyond its table the other partners and the world; the US's tactics and the
        outside events the shared ``Context``, the tables and the deadline clocks.
        """
        day = self.day
        partners, log = self.partners, self.log
        self.world.new_day(day)
        enter_into_force(log, partners, day)
        summits = self._outside_events(day)
        self._clock(day)
        self._domestic_politics(day)
        us, rng = self.us, self.rng
        for partner in self._tables_today(summits, day):
            if bargaining_round(partner, us, rng, log, day):
                deal_spillovers(partner, partners, self.world, log, day)
        threaten_stalled(self.context, partners, day)
        deadline_tactics(self.context, self.clocks, partners, day)
        self._collect()
        self.day += 1
        if self.day > self.last_day:
            self.running = False

    def run(self) -> TariffModel:
        """Run every day of the horizon; returns the model for chaining."""
        while self.running:
            self.step()
        return self

    def _clock(self, day: int) -> None:
        """Today's normalised time to each deadline; market stress speeds the US's clock."""
        pressure = self.us.pressure()
        for clock in self.clocks:
            clock.tick(day, pressure)

    def _outside_events(self, day: int) -> list[PartnerAgent]:
        summits: list[PartnerAgent] = []
        for event in self._events_by_day.get(day, ()):
            summits += apply_outside_event(self.context, self.partners, self.clocks, event, day)
        if day == self._hearing_day:
            self.log.add(day, EventKind.COURT_HEARING, "WORLD", "USA",
                         "appeals-court hearing on the emergency tariffs")
        return summits

    def _domestic_politics(self, day: int) -> None:
        for partner in self.partners:
            partner.new_day(day)
            if day == partner.election_day:
                self.log.add(day, EventKind.ELECTION, partner.code, partner.code,
                             f"election in {partner.settings.name}; political capital now {partner.capital:.2f}")
            if partner.open:
                partner.update_reservations(day)

    def _tables_today(self, summits: list[PartnerAgent], day: int) -> list[PartnerAgent]:
        candidates = [p for p in self.partners if p.open and p.talks.status is not _SUSPENDED]
        chosen = choose_attention(self.us, candidates, self.rng, day)
        return chosen + [p for p in summits if p not in chosen and p in candidates]


__all__ = ["TariffModel", "row_columns"]
