"""The world outside the negotiating rooms: market stress, the risk the court strikes the
emergency tariffs down, and the results of partners' elections."""

from __future__ import annotations

import numpy as np

from sim.config.scenario import Election, Environment


class World:
    """Market stress (jumps with escalation, reverts to its calm level, moves with each day's
    news) and court risk by day.

    Stress follows a mean-reverting walk (an Ornstein-Uhlenbeck process in discrete time):
    ``s' = max(0, s + decay (level - s) + volatility z)``, ``z`` standard normal from the run's
    generator, plus the jumps the model's events add (``shock``).

    Args:
        settings: The scenario's environment settings.
        hearing_day: Day index of the appeals-court hearing.
        rng: The run's generator (drawn from only when ``market_stress.volatility`` > 0).
    """

    __slots__ = ("settings", "stress", "court_risk", "_hearing_day", "_normals", "_rng")

    def __init__(self, settings: Environment, hearing_day: int, rng: np.random.Generator | None = None) -> None:
        self.settings = settings
        self.stress = settings.market_stress.initial
        self.court_risk = 0.0
        self._hearing_day = hearing_day
        self._rng = rng
        self._normals: list[float] = []

    def new_day(self, day: int) -> None:
        """Move stress one day along its walk and court risk along its ramp to the hearing."""
        m = self.settings.market_stress
        self.stress += m.decay * (m.level - self.stress)
        if m.volatility > 0.0 and self._rng is not None:
            if not self._normals:  # a block of draws at a time: one call per 64 days
                self._normals = self._rng.standard_normal(64).tolist()
            self.stress = max(0.0, self.stress + m.volatility * self._normals.pop())
        court = self.settings.court
        ramp = (day - (self._hearing_day - court.ramp_days)) / court.ramp_days
        self.court_risk = court.strike_probability * min(1.0, max(0.0, ramp))

    def shock(self, amount: float) -> None:
        """Add ``amount`` to market stress (negative calms it); stress never falls below 0."""
        self.stress = max(0.0, self.stress + amount)

    def excess_stress(self) -> float:
        """How far stress stands above the level at which the US starts to give ground."""
        return max(0.0, self.stress - self.settings.market_stress.threshold)


def election_result(election: Election, rng: np.random.Generator) -> float:
    """A government's political capital after ``election``: ``capital_after``, or, when the
    result was not known at the information date (``capital_spread`` > 0), drawn uniformly within
    ``capital_after`` ± ``capital_spread`` from the run's generator (clipped to [0, 1])."""
    if election.capital_spread <= 0:
        return election.capital_after
    drawn = election.capital_after + rng.uniform(-election.capital_spread, election.capital_spread)
    return min(1.0, max(0.0, drawn))


def election_salience(election: Election, rng: np.random.Generator) -> float:
    """How much a deal before ``election`` would cost the government at the polls, relative to
    its configured ``weight``: drawn uniformly within 1 ± ``salience_spread`` per run (polls
    before a vote are uncertain); exactly 1, with no draw, when the spread is 0."""
    if election.salience_spread <= 0:
        return 1.0
    return 1.0 + election.salience_spread * float(rng.uniform(-1.0, 1.0))
