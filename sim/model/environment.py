"""The world outside the negotiating rooms: market stress, the risk the court strikes the
emergency tariffs down, and the results of partners' elections."""

from __future__ import annotations

import numpy as np

from sim.config.scenario import Election, Environment


class World:
    """Market stress (jumps with escalation, decays otherwise) and court risk by day.

    Args:
        settings: The scenario's environment settings.
        hearing_day: Day index of the appeals-court hearing.
    """

    __slots__ = ("settings", "stress", "court_risk", "_hearing_day")

    def __init__(self, settings: Environment, hearing_day: int) -> None:
        self.settings = settings
        self.stress = settings.market_stress.initial
        self.court_risk = 0.0
        self._hearing_day = hearing_day

    def new_day(self, day: int) -> None:
        """Decay yesterday's stress and move court risk along its ramp to the hearing."""
        self.stress *= 1.0 - self.settings.market_stress.decay
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
