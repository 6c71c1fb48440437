"""The interface every strategy implements, the read-only views it decides from, and its metadata.

A strategy never sees the model. Each day, at each table it sits at, it gets a ``View`` of that
negotiation and the run's seeded generator, and answers two questions: what utility to aim at
(its offer is then the efficient package worth that much to it) and whether to accept the
other side's offer. A US strategy also runs the US's tactics (``USStrategy``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar, NamedTuple

import numpy as np


class Side(str, Enum):
    """Which side a strategy can play."""

    US = "us"
    PARTNER = "partner"
    BOTH = "both"


@dataclass(frozen=True)
class StrategyInfo:
    """Declarative metadata of a strategy class.

    Attributes:
        name: Registry name, unique (``boulware``).
        side: Which side it can play.
        stochastic: Whether it draws from the generator.
        source: Where it comes from (a citation, or the article it models).
        summary: One line for listings.
    """

    name: str
    side: Side
    stochastic: bool
    source: str
    summary: str


class View(NamedTuple):
    """What one side knows of one negotiation on one day (read-only, cheap to build).

    Utilities are this side's own, in [0, 1]; ``nan`` where nothing has been offered yet.

    Attributes:
        day: Days since the start of the horizon.
        tau: Normalised time to the deadline in force (market stress speeds the US's clock);
            exceeds 1 once the deadline has passed.
        days_left: Days before the deadline in force (negative once it has passed).
        aspiration: The side's best hope: its utility of its ideal package.
        reservation: The least it can settle for today: its utility of no deal (for a partner,
            plus the margin its government needs to ratify a deal at home).
        previous_target: The target it set at its last meeting (``aspiration`` before the first).
        last_received: Its utility of the other side's latest offer.
        previous_received: Its utility of the other side's offer before that.
        best_received: Its utility of the best offer the other side has made (0 if none).
        days_to_election: Days to this partner's next election (None for the US, or none due).
        market_stress: Today's market-stress index.
        stress_threshold: The stress level above which the US starts to give ground.
        met_share: The share of the days so far on which the two sides met at this table (1 where
            they met every day; the US's limited attention and a partner's absences lower it).
    """

    day: int
    tau: float
    days_left: int
    aspiration: float
    reservation: float
    previous_target: float
    last_received: float
    previous_received: float
    best_received: float
    days_to_election: int | None
    market_stress: float
    stress_threshold: float
    met_share: float = 1.0


NO_ISSUES: frozenset[str] = frozenset()  # no locked issues (one shared set: asked twice a meeting)


class Strategy(ABC):
    """What a side decides at a table: the utility to aim at, and whether to accept.

    Subclasses set ``info``, take their parameters in ``__init__`` (keyword arguments, which is
    what a config may set) and implement ``target``. Strategies should keep no state between
    calls beyond their parameters: everything they need is in the view, so that they are
    deterministic per seed and one instance can sit at several tables.
    """

    info: ClassVar[StrategyInfo]
    near_days: int = 3

    @abstractmethod
    def target(self, view: View, rng: np.random.Generator) -> float:
        """The utility this side aims at today; the engine offers the efficient package worth it."""

    def accepts(self, view: View, value: float, target: float) -> bool:
        """AC_next: accept what is worth at least what I would offer next; in the deadline's last
        ``near_days`` days, or after it, anything worth at least my reservation value.

        The engine never lets a side accept less than its reservation value, whatever this says.

        Args:
            view: Today's view.
            value: This side's utility of the offer received.
            target: The target this side has set for today (what it would offer next).
        """
        return value >= view.reservation and (value >= target or view.days_left <= self.near_days)

    def locked_issues(self, view: View) -> frozenset[str]:
        """Issues this side keeps at its own ideal today, whatever its target (none by default)."""
        return NO_ISSUES

    def retaliates(self, view: View, rng: np.random.Generator) -> bool:
        """Whether a partner answers a US escalation (letter rates, a sector tariff) with
        countermeasures (never, by default)."""
        return False

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


class TableView(NamedTuple):
    """What the US sees of one table when it plans its tactics.

    Attributes:
        partner: Partner code.
        seriousness: US utility of the partner's latest offer minus the US reservation value
            (negative: worse than no deal; 0 before any offer).
        gap: US target minus its utility of the partner's latest offer (how far apart they are).
        days_waited: Days since the US last met this partner.
        days_since_progress: Days since the gap last narrowed.
        days_since_threat: Days since the US last threatened this partner.
        threatened_rate: The rate named for no deal, %.
        max_rate: The highest rate the US may name, %.
    """

    partner: str
    seriousness: float
    gap: float
    days_waited: int
    days_since_progress: int
    days_since_threat: int
    threatened_rate: float
    max_rate: float


class DeadlineView(NamedTuple):
    """What the US sees when it reviews the deadline.

    Attributes:
        day: Days since the start of the horizon.
        deadline_day: Day index of the deadline in force.
        last_day: Day index of the end of the horizon.
        extensions: How many times the deadline has been extended.
        market_stress: Today's market-stress index.
        open_tables: Partners still without a deal and without letter rates in force.
        closest_gap: The smallest gap over the open tables (1 if none has made an offer).
        stress_threshold: The stress level above which the US starts to give ground.
        stress_sensitivity: How much the US's reservation value falls per unit of stress above
            ``stress_threshold`` (its ``stress_sensitivity``): what turmoil costs it at the table.
        imposing_shock: How much stress rises if the US imposes the letter rates today (the
            environment's ``market_stress.letters_imposed``): what a US that looks ahead expects.
    """

    day: int
    deadline_day: int
    last_day: int
    extensions: int
    market_stress: float
    open_tables: tuple[str, ...]
    closest_gap: float
    stress_threshold: float
    stress_sensitivity: float
    imposing_shock: float


class DeadlineAction(str, Enum):
    """What the US does when the deadline comes with tables still open."""

    EXTEND = "extend"
    IMPOSE = "impose"


class USStrategy(Strategy):
    """A US strategy: concession and acceptance at each table, plus the US's tactics."""

    def attention(self, tables: list[TableView], slots: int, rng: np.random.Generator) -> list[str]:
        """The partners to meet today (at most ``slots``): serious offers first; a table gains
        priority each day it waits, and a little jitter breaks ties."""
        if len(tables) <= slots:
            return [t.partner for t in tables]
        # Python floats: the same doubles as numpy's scalars, at a fraction of the cost.
        jitter = rng.random(len(tables)).tolist()
        sort_key = [-(t.seriousness + 0.02 * t.days_waited + 0.1 * j) for t, j in zip(tables, jitter)]
        ranked = sorted(range(len(tables)), key=sort_key.__getitem__)
        return [tables[i].partner for i in ranked[:slots]]

    def threat(self, table: TableView, rng: np.random.Generator) -> float:
        """Percentage points to add to the rate named for no deal at ``table`` today (0: none)."""
        return 0.0

    def move_deadline(self, deadline: DeadlineView, rng: np.random.Generator) -> int:
        """Days to move the deadline by today, before it falls due (negative shortens it)."""
        return 0

    def at_deadline(self, deadline: DeadlineView, rng: np.random.Generator) -> tuple[DeadlineAction, int]:
        """At the deadline with tables open: extend (by how many days, sending letters) or impose
        the letter rates. Default: impose."""
        return DeadlineAction.IMPOSE, 0
