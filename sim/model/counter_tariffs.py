"""A partner's counter-tariff: its tariff on US goods, the level in force and how it moves.

With ``r`` the counter-tariff in force, ``r0`` its ``floor`` (the rate before the dispute) and
``c`` its ``us_cost``, no deal costs the US ``c (r - r0) / 10`` utility at that table, on top of
what it cost before (``UnitedStatesAgent.reservation``'s penalty). The level moves:

- a dated round from the record (a ``partner_rate_change`` event) sets ``r`` to its amount;
- a US rate increase of ``d`` points on the partner's goods (a tariff line raised outside the
  talks, letter rates imposed) is answered at once, tit for tat:
  ``r <- min(max_rate, r + response d)``; a US cut outside the talks (a line lowered by a dated
  event, as in a truce) is answered in kind too, by undoing the answers as a deal does (below);
- a deal entering into force that lowers the US's headline line by ``D`` points undoes the
  answers first, in the share of the answered US points ``A`` it removes:
  ``r <- r - a min(D, A) / A`` (``a``: the points the answers added); a cut below the US rate of
  the first day ``u0`` (``B = max(0, min(u, u0) - u')`` points) then removes the same share of
  what is left above the floor as it removes of ``u0`` above the lowest rate the issue allows
  (``lo``): ``r <- r0 + (r - r0) (1 - B / (u0 - lo))`` (the floor when the US goes down to ``lo``).

Each move is logged as a ``counter_tariff`` event. Nothing here draws from the run's generator.
"""

from __future__ import annotations

from sim.config.instruments import CounterTariff
from sim.model.events import EventKind, EventLog

COST_POINTS = 10.0  # us_cost is given per this many percentage points of counter-tariff


class CounterTariffLevel:
    """The counter-tariff of one partner in force, changed only through its methods.

    Args:
        settings: The partner's instrument.
        code: The partner's code (actor of the events it logs).
        us_start: The US's headline rate on the partner on the first day, %.
    """

    __slots__ = ("settings", "code", "rate", "deal_rate", "us_start", "_answered_us", "_answered")

    def __init__(self, settings: CounterTariff, code: str, us_start: float) -> None:
        self.settings = settings
        self.code = code
        self.rate = settings.initial
        self.deal_rate = float("nan")  # the rate a deal in force left (NaN until then)
        self.us_start = us_start
        self._answered_us = 0.0  # US points answered in kind and not yet undone by a deal
        self._answered = 0.0  # the points of counter-tariff those answers added

    def us_cost(self) -> float:
        """What the counter-tariff in force costs the US while there is no deal (utility)."""
        s = self.settings
        return s.us_cost * max(0.0, self.rate - s.floor) / COST_POINTS

    def set_rate(self, log: EventLog, day: int, rate: float, detail: str) -> None:
        """A dated round: the rate becomes ``rate`` (kept within floor and max_rate)."""
        s = self.settings
        before, self.rate = self.rate, min(s.max_rate, max(s.floor, rate))
        self._answered = min(self._answered, self.rate - s.floor)  # a dated cut may undo answers too
        log.add(day, EventKind.COUNTER_TARIFF, self.code, "USA",
                f"{self.code}'s tariff on US goods {before:.1f}% -> {self.rate:.1f}%: {detail}")

    def answer(self, log: EventLog, day: int, us_points: float, cause: str) -> bool:
        """Answer a US increase of ``us_points`` on the partner's goods; returns whether the rate rose."""
        s = self.settings
        if us_points <= 0.0 or s.response <= 0.0 or self.rate >= s.max_rate:
            return False
        before = self.rate
        self.rate = min(s.max_rate, self.rate + s.response * us_points)
        self._answered_us += us_points
        self._answered += self.rate - before
        log.add(day, EventKind.COUNTER_TARIFF, self.code, "USA",
                f"{self.code} answers the {cause} (+{us_points:.1f} points on its goods): its tariff on US goods "
                f"{before:.1f}% -> {self.rate:.1f}%")
        return True

    def ease(self, log: EventLog, day: int, us_points: float, cause: str) -> bool:
        """Answer a US cut of ``us_points`` outside the talks by undoing the answers to it;
        returns whether the rate fell."""
        before = self.rate
        if us_points <= 0.0 or self._undo(us_points) <= 0.0:
            return False
        log.add(day, EventKind.COUNTER_TARIFF, self.code, "USA",
                f"{self.code} answers the {cause} (-{us_points:.1f} points on its goods): its tariff on US goods "
                f"{before:.1f}% -> {self.rate:.1f}%")
        return True

    def _undo(self, cut: float) -> float:
        """Undo the answers to ``cut`` of the US points answered; returns the US points undone."""
        undone = min(cut, self._answered_us)
        if undone > 0.0:
            share = undone / self._answered_us
            self.rate = max(self.settings.floor, self.rate - self._answered * share)
            self._answered *= 1.0 - share
            self._answered_us -= undone
        return undone

    def after_deal(self, log: EventLog, day: int, us_before: float, us_after: float, us_lowest: float) -> None:
        """A deal in force moved the US headline line from ``us_before`` to ``us_after``
        (``us_lowest`` the lowest the issue allows): undo the answers to what it removes, then
        the same share of the rest as it removes of the first day's US rate."""
        s = self.settings
        before = self.rate
        cut = max(0.0, us_before - us_after)
        self._undo(cut)
        below = max(0.0, min(us_before, self.us_start) - us_after)  # points cut below the first day's US rate
        room = self.us_start - us_lowest
        if below > 0.0:
            kept = 0.0 if room <= 0.0 else max(0.0, 1.0 - below / room)
            self.rate = s.floor + (self.rate - s.floor) * kept
        self.rate = self.deal_rate = max(s.floor, self.rate)
        log.add(day, EventKind.COUNTER_TARIFF, self.code, "USA",
                f"under the deal {self.code}'s tariff on US goods {before:.1f}% -> {self.rate:.1f}%")
