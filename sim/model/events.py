"""Event kinds and the event log of one run.

Events are held as tuples and their readable ``detail`` is formatted only when the table is
built, so that logging an offer costs almost nothing on the hot path.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum


class EventKind(str, Enum):
    """What happened; the ``value`` is what ``events.parquet`` stores in ``kind``."""

    OFFER = "offer"
    ACCEPTANCE = "acceptance"
    REJECTION = "rejection"
    RATIFICATION_FAILURE = "ratification_failure"
    DEAL = "deal"
    DEAL_IN_FORCE = "deal_in_force"
    THREAT = "threat"
    LETTER = "letter"
    LETTER_RATES_IMPOSED = "letter_rates_imposed"
    EXTENSION = "extension"
    SHORTENING = "shortening"
    DEADLINE = "deadline"
    ELECTION = "election"
    RETALIATION = "retaliation"
    TALKS_CUT = "talks_cut"
    TALKS_RESUMED = "talks_resumed"
    PRECEDENT = "precedent"
    SECTOR_TARIFF = "sector_tariff"
    MARKET_SHOCK = "market_shock"
    COURT_HEARING = "court_hearing"
    CONCESSION = "concession"
    SUMMIT = "summit"
    COUNTER_TARIFF = "counter_tariff"
    TRUCE = "truce"
    RED_LINE = "red_line"


Detail = str | Callable[[], str]


class EventLog:
    """Append-only log of ``(day, kind, actor, target, detail)`` for one run."""

    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: list[tuple[int, EventKind, str, str, Detail]] = []

    def add(self, day: int, kind: EventKind, actor: str, target: str, detail: Detail) -> None:
        """Record an event; ``detail`` may be a callable, formatted when the table is built."""
        self.rows.append((day, kind, actor, target, detail))

    def of_kind(self, kind: EventKind) -> list[tuple[int, EventKind, str, str, Detail]]:
        """Every event of ``kind``, in order."""
        return [row for row in self.rows if row[1] is kind]
