"""A partner's counter-tariff: its tariff on US goods, the level in force and how it moves.

With ``r`` the counter-tariff in force, ``r0`` its ``floor`` (the rate before the dispute) and
``c`` its ``us_cost``, no deal costs the US ``c (r - r0) / 10`` utility at that table, on top of
what it cost before (``UnitedStatesAgent.reservation``'s penalty). The level moves:

- a dated round from the record (a ``partner_rate_change`` event) sets ``r`` to its amount;
- a US rate increase of ``d`` points on the partner's goods (a tariff line raised outside the
  talks, letter rates imposed) is answered at once: ``r <- min(max_rate, r + response d)``;
- a deal entering into force removes the same share of ``r - r0`` as it removes of the US's
  reciprocal line above the lowest rate the issue allows: with the US line going from ``u`` to
  ``u'`` and ``lo`` that bound, ``r <- r0 + (r - r0) (u' - lo) / (u - lo)`` (all of it when
  ``u' = lo``, none of it when the deal leaves the line where it was).

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
    """

    __slots__ = ("settings", "code", "rate", "deal_rate")

    def __init__(self, settings: CounterTariff, code: str) -> None:
        self.settings = settings
        self.code = code
        self.rate = settings.initial
        self.deal_rate = float("nan")  # the rate a deal in force left (NaN until then)

    def us_cost(self) -> float:
        """What the counter-tariff in force costs the US while there is no deal (utility)."""
        s = self.settings
        return s.us_cost * max(0.0, self.rate - s.floor) / COST_POINTS

    def set_rate(self, log: EventLog, day: int, rate: float, detail: str) -> None:
        """A dated round: the rate becomes ``rate`` (kept within floor and max_rate)."""
        s = self.settings
        before, self.rate = self.rate, min(s.max_rate, max(s.floor, rate))
        log.add(day, EventKind.COUNTER_TARIFF, self.code, "USA",
                f"{self.code}'s tariff on US goods {before:.1f}% -> {self.rate:.1f}%: {detail}")

    def answer(self, log: EventLog, day: int, us_points: float, cause: str) -> bool:
        """Answer a US increase of ``us_points`` on the partner's goods; returns whether the rate rose."""
        s = self.settings
        if us_points <= 0.0 or s.response <= 0.0 or self.rate >= s.max_rate:
            return False
        before = self.rate
        self.rate = min(s.max_rate, self.rate + s.response * us_points)
        log.add(day, EventKind.COUNTER_TARIFF, self.code, "USA",
                f"{self.code} answers the {cause} (+{us_points:.1f} points on its goods): its tariff on US goods "
                f"{before:.1f}% -> {self.rate:.1f}%")
        return True

    def after_deal(self, log: EventLog, day: int, us_before: float, us_after: float, us_lowest: float) -> None:
        """A deal in force moved the US reciprocal line from ``us_before`` to ``us_after``
        (``us_lowest`` the lowest the issue allows): remove the same share of the counter-tariff."""
        s = self.settings
        room = us_before - us_lowest
        kept = 0.0 if room <= 0.0 else min(1.0, max(0.0, (us_after - us_lowest) / room))
        before = self.rate
        self.rate = self.deal_rate = s.floor + (self.rate - s.floor) * kept
        log.add(day, EventKind.COUNTER_TARIFF, self.code, "USA",
                f"under the deal {self.code}'s tariff on US goods {before:.1f}% -> {self.rate:.1f}%")
