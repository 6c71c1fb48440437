"""The Mesa agents: the United States (hub) and its trading partners."""

from __future__ import annotations

import itertools
import math
import weakref
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.config.scenario import Partner, UnitedStates
from sim.model.counter_tariffs import CounterTariffLevel
from sim.model.environment import election_result, election_salience
from sim.model.politics import BindingLine, binding_lines, caps_on, ratification_threshold, ratifies
from sim.model.talks import Status, Talks
from sim.strategies import Strategy, USStrategy, View

if TYPE_CHECKING:
    from sim.core.frontier import Offer
    from sim.model.deadlines import DeadlineClock


class _IdCounters(weakref.WeakKeyDictionary):
    """Mesa's per-model id counters, held weakly so that finished models can be freed.

    Mesa 3.3 keeps ``Agent._ids`` in a class-level ``defaultdict`` keyed by model, which keeps
    every model of a process alive (fixed upstream only for Python >= 3.12).
    """

    def __getitem__(self, model: mesa.Model) -> itertools.count:
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


ESCALATION_POINTS = 10.0  # the unit of escalation that ``hesitancy`` is given for, in percentage points


class Draws:
    """Standard normal and uniform draws taken from the run's generator in blocks (one call per
    ``BLOCK`` draws instead of one per draw: the daily trembles and coin flips are on the hot
    path). Deterministic for a seed, like every draw of the run.
    """

    BLOCK = 64

    __slots__ = ("_rng", "_normals", "_uniforms")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._normals: list[float] = []
        self._uniforms: list[float] = []

    def normal(self) -> float:
        """A standard normal draw."""
        if not self._normals:
            self._normals = self._rng.standard_normal(self.BLOCK).tolist()
        return self._normals.pop()

    def uniform(self) -> float:
        """A uniform draw in [0, 1)."""
        if not self._uniforms:
            self._uniforms = self._rng.random(self.BLOCK).tolist()
        return self._uniforms.pop()


class Negotiator(mesa.Agent):
    """A side at the table; holds its strategy."""

    _ids = _IdCounters()

    def __init__(self, model: mesa.Model, code: str, strategy: Strategy) -> None:
        super().__init__(model)
        self.code = code
        self.strategy = strategy


class UnitedStatesAgent(Negotiator):
    """The US negotiating team (Lutnick, Greer, Bessent); the President decides."""

    def __init__(self, model: mesa.Model, settings: UnitedStates) -> None:
        super().__init__(model, "USA", settings.strategy.build())
        self.strategy: USStrategy
        self.settings = settings

    def reservation(self, no_deal: float, penalty: float) -> float:
        """The US's reservation value at one table today: its utility of the no-deal package,
        less the value of showing a deal, less what market stress and court risk make holding
        out cost, less the cost of the partner's countermeasures (``penalty``)."""
        world = self.model.world
        s = self.settings
        value = (no_deal - s.deal_value - s.stress_sensitivity * world.excess_stress()
                 - s.court_sensitivity * world.court_risk - penalty)
        return min(0.99, max(0.0, value))

    def pressure(self) -> float:
        """How much faster than the calendar the US concedes: market stress speeds its clock."""
        return 1.0 + self.settings.stress_sensitivity * self.model.world.excess_stress()


class PartnerAgent(Negotiator):
    """A trading partner: its talks with the US and its domestic politics."""

    clock: DeadlineClock  # the deadline of its table, set by the model (sim.model.deadlines)

    def __init__(self, model: mesa.Model, settings: Partner, us: UnitedStates, implementation_lag: int = 0) -> None:
        super().__init__(model, settings.code, settings.strategy.build())
        self.settings = settings
        self.implementation_lag = implementation_lag  # days from a deal's announcement to its lines in force
        self.draws = Draws(model.rng)
        self.talks = Talks(settings, us.floors, us.aspiration)
        self.lines: tuple[BindingLine, ...] = binding_lines(settings, self.talks.space, model.scenario.start)
        self._line_change_days = {d for line in self.lines for d in (line.first_day, line.last_day + 1)}
        self.capital = settings.politics.capital
        # Domestic opinion is not known before the run: a draw around the configured shift.
        spread = settings.reservation_spread
        self.reservation_shift = settings.reservation_shift + (spread * float(model.rng.normal()) if spread > 0 else 0.0)
        self.precedent = 0.0  # the largest precedent of the round's deals it cites (utility added to its reservation)
        self.us_penalty = 0.0
        # The partner's tariff on US goods, where its settings declare one (None: no instrument).
        counter = settings.counter_tariff
        self.counter = None if counter is None else CounterTariffLevel(counter, settings.code, settings.pause_rate)
        # How much the US wants this deal is not known before the run either: a draw per table.
        us_spread = us.reservation_spread
        self.us_shift = us_spread * float(model.rng.normal()) if us_spread > 0 else 0.0
        self.ratification_failures = 0
        self.us_reservation = 0.0
        self.partner_reservation = 0.0
        self.win_set = 0.0
        election = settings.politics.election
        self.election_day = None if election is None else (election.date - model.scenario.start).days
        # The election's result is not known before the vote: drawn per run (``election_result``).
        self._capital_after = 0.0 if election is None else election_result(election, model.rng)
        self._salience = 1.0 if election is None else election_salience(election, model.rng)
        self._audience = election is not None and election.audience_cost > 0.0  # threats cost at the polls
        self.talks.set_caps(caps_on(self.lines, 0))
        # The government signs only what it expects to pass with ``confidence``: the margin above
        # the threshold at which the logistic verdict (``ratifies``) gives that chance.
        politics = settings.politics
        self._safety = politics.noise * math.log(politics.confidence / (1.0 - politics.confidence))
        self._closed_row: tuple | None = None
        self._escalations_seen = 0.0
        self._escalation_day: int | None = None
        self._hesitancy_stock = 0.0  # hesitancy on the day of the last escalation

    @property
    def open(self) -> bool:
        """Still without a deal."""
        return self.talks.deal is None

    def new_day(self, day: int) -> None:
        """Red lines that start or lapse today, the election, capital recovering towards its base,
        and whether a US tariff line on this partner rose since yesterday (an escalation)."""
        if self.talks.escalations != self._escalations_seen:
            # Escalations add up: what is left of the earlier hesitancy, plus ``hesitancy`` per
            # ESCALATION_POINTS of tariff raised (steel 25% -> 50% counts 2.5 times).
            new = (self.talks.escalations - self._escalations_seen) / ESCALATION_POINTS
            self._escalations_seen = self.talks.escalations
            self._hesitancy_stock = self.hesitancy(day) + new * self.settings.hesitancy
            self._escalation_day = day
        politics = self.settings.politics
        if day in self._line_change_days:
            self.talks.set_caps(caps_on(self.lines, day))
        if day == self.election_day:
            self.capital = self._capital_after
        elif self.capital < politics.capital:
            self.capital = min(politics.capital, self.capital + politics.capital_recovery)

    def redraw_red_line(self, issue: str, most: float, day: int) -> None:
        """From ``day`` on, the partner accepts nothing above ``most`` (real units) on ``issue``:
        its red lines on the issue end yesterday, and ``most`` at or above the issue's upper bound
        lifts the line (a ``red_line`` outside event: a new government, a law passed or dropped)."""
        space = self.talks.space
        i = space.index(issue)
        lines = [line if line.issue != i or line.last_day < day else replace(line, last_day=day - 1)
                 for line in self.lines]
        cap = space.normalise(issue, most)
        if cap < 1.0:
            lines.append(BindingLine(i, cap, day, 10**9))
        self.lines = tuple(lines)
        self.talks.set_caps(caps_on(self.lines, day))

    def close(self) -> None:
        """The deal is announced, or enters into force: freeze the record as it stands."""
        self._closed_row = None
        self._closed_row = self.row

    def update_reservations(self, day: int) -> None:
        """Both sides' reservation values for this pair today, and the partner's win-set floor:
        the least it can bring home: its reservation value plus today's ratification threshold,
        plus the margin that makes ratification as likely as its ``confidence`` asks."""
        world = self.model.world
        us_no_deal, partner_no_deal = self.talks.no_deal_values(world.court_risk)
        hesitancy = 0.0 if self._escalation_day is None else self.hesitancy(day)
        self.partner_reservation = min(0.99, max(0.0, partner_no_deal + self.reservation_shift + hesitancy))
        self.win_set = min(0.99, self.partner_reservation + self.threshold(day) + self._safety)
        penalty = self.us_penalty if self.counter is None else self.us_penalty + self.counter.us_cost()
        self.us_reservation = self.model.us.reservation(us_no_deal, penalty - self.us_shift)

    def hesitancy(self, day: int) -> float:
        """What US escalations (a tariff line raised without warning, letter rates imposed, a
        threat) add to what this partner demands: ``hesitancy`` per ``ESCALATION_POINTS``
        percentage points of tariff raised, added up, fading with time constant
        ``hesitancy_days``. The articles: escalation made partners hesitant to strike deals, and
        fed resistance at home."""
        if self._escalation_day is None:
            return 0.0
        return self._hesitancy_stock * math.exp(-(day - self._escalation_day) / self.settings.hesitancy_days)

    def threshold(self, day: int) -> float:
        """Today's margin over the reservation value that a deal needs to pass at home."""
        to_election = None if self.election_day is None else self.election_day - day
        pressure = self.pressure() if self._audience else 0.0
        return ratification_threshold(self.settings.politics, self.capital, to_election, self._salience, pressure)

    def pressure(self) -> float:
        """How far the US has pushed the headline rate it names for no deal (its threats, its
        letter) above the rate it announced, in units of ``ESCALATION_POINTS``; 0 where it names
        no more. What a deal before the vote costs at the polls grows with it
        (``Election.audience_cost``, ``ratification_threshold``)."""
        return max(0.0, self.talks.no_deal_rate() - self.settings.announced_rate) / ESCALATION_POINTS

    def spend_capital(self, amount: float) -> None:
        """Threats and failed deals cost the government political capital."""
        self.capital = max(0.0, self.capital - amount)

    def cite_precedent(self, amount: float) -> bool:
        """Another partner's deal in this round sets a precedent worth ``amount``: the partner asks at
        least what the best deal of the round gave, so such precedents do not add up: one larger than
        the largest cited so far raises the reservation by the difference, others change nothing
        (a dated precedent event, the UK's deal before the round, adds its own amount: ``outside``).
        Returns whether the reservation rose."""
        if amount <= self.precedent:
            return False
        self.reservation_shift += amount - self.precedent
        self.precedent = amount
        return True

    def ratify(self, deal: Offer, day: int) -> bool:
        """Whether the tentative ``deal`` passes at home; a failure narrows the win-set."""
        politics = self.settings.politics
        margin = deal.partner_utility - self.partner_reservation
        if ratifies(margin, self.threshold(day), politics.noise, self.model.rng):
            return True
        self.ratification_failures += 1
        self.spend_capital(politics.failure_cost)
        self.reservation_shift += politics.failure_narrowing
        return False

    def tremble(self, target: float, view: View, noise: float) -> float:
        """Today's target with a tremble of standard deviation ``noise`` (none at 0), kept
        no higher than the aspiration and never below the reservation value; the strategy's own
        target is what the next day starts from."""
        if noise <= 0.0:
            return target
        # The reservation value wins where it lies above the aspiration, as in the strategies.
        return max(view.reservation, min(view.aspiration, target + noise * self.draws.normal()))

    def us_view(self) -> View:
        """The read-only view the US decides from at this table today."""
        t, m = self.talks, self.model
        last, previous, best = t.us_received
        c = self.clock
        return _new_view((m.day, c.us_tau, c.days_left, t.us_aspiration, self.us_reservation, t.us_target,
                          last, previous, best, None, m.world.stress, m.stress_threshold, t.meetings / (m.day + 1)))

    def partner_view(self) -> View:
        """The read-only view this partner decides from today."""
        t, m = self.talks, self.model
        last, previous, best = t.partner_received
        to_election = None if self.election_day is None or self.election_day < m.day else self.election_day - m.day
        c = self.clock
        return _new_view((m.day, c.tau, c.days_left, t.partner_aspiration, self.win_set, t.partner_target,
                          last, previous, best, to_election, m.world.stress, m.stress_threshold,
                          t.meetings / (m.day + 1)))

    @property
    def row(self) -> tuple:
        """Today's record of this pair for the ``DataCollector`` (fixed once a deal is announced,
        and again when it enters into force)."""
        if self._closed_row is not None:
            return self._closed_row
        t = self.talks
        return (_STATUS_TEXT[t.status], *t.table_record, self.us_reservation, self.partner_reservation,
                self.win_set, *t.in_force_record,
                _NAN if self.counter is None else self.counter.rate, self.capital)


_new_view = partial(tuple.__new__, View)  # a View without the named tuple's Python-level __new__ (hot path)
_STATUS_TEXT = {status: status.value for status in Status}  # Enum.value is slow on the hot path



def row_columns(lines: tuple[str, ...]) -> tuple[str, ...]:
    """The columns of ``PartnerAgent.row`` for a scenario whose US tariff lines are ``lines``
    (``sim.core.issues.us_lines``: the headline first): ``us_offer_<line>`` and ``tariff_<line>``
    for each."""
    return (
        "status", "us_offer_us", "us_offer_partner", "partner_offer_us", "partner_offer_partner",
        *(f"us_offer_{line}" for line in lines), "us_target", "partner_target", "us_reservation",
        "partner_reservation", "partner_win_set", *(f"tariff_{line}" for line in lines), "counter_tariff",
        "political_capital",
    )


_NAN = float("nan")


__all__ = ["PartnerAgent", "Status", "UnitedStatesAgent", "row_columns"]
