"""Strategies for the trading partners."""

from __future__ import annotations

import numpy as np

from sim.strategies.base import NO_ISSUES, Side, StrategyInfo, View
from sim.strategies.registry import register
from sim.strategies.time_dependent import TimeDependent


@register
class HoldUntilElection(TimeDependent):
    """Concede on other issues like a time-dependent negotiator, but keep the protected issues
    at home's ideal until election day; after the vote they are negotiable.

    Japan's rice before the 20 July 2025 upper-house election is the example.

    References:
        WSJ (July 2025): "any deal that reduces Japanese protections for its prized domestic
        rice industry could also spell electoral trouble for the Ishiba government".
        Putnam (1988), Diplomacy and domestic politics: the logic of two-level games.
    """

    info = StrategyInfo("hold_until_election", Side.PARTNER, False, "WSJ (July 2025); Putnam (1988)",
                        "keeps protected issues off the table until election day")

    def __init__(self, protected: tuple[str, ...] | list[str] = ("farm_access",), beta: float = 0.5,
                 k: float = 0.0, near_days: int = 3) -> None:
        super().__init__(beta, k, near_days)
        if isinstance(protected, str) or not all(isinstance(p, str) for p in _iterable(protected)):
            raise ValueError(f"protected must be a list of issue names, got {protected!r}")
        self.protected = frozenset(protected)

    def locked_issues(self, view: View) -> frozenset[str]:
        if view.days_to_election is not None and view.days_to_election > 0:
            return self.protected
        return NO_ISSUES


@register
class Retaliate(TimeDependent):
    """Concede like a time-dependent negotiator and answer US escalation with countermeasures
    with probability ``probability`` (the EU's list on US goods, Canada's counter-tariffs).

    References:
        Axelrod (1984), The Evolution of Cooperation: retaliation as a credible response.
        EU and Canadian countermeasures of 2025 (public record).
    """

    info = StrategyInfo("retaliate", Side.PARTNER, True, "Axelrod (1984); 2025 EU/Canada countermeasures",
                        "answers US escalation with countermeasures")

    def __init__(self, probability: float = 0.5, beta: float = 0.7, k: float = 0.0, near_days: int = 3) -> None:
        if not 0 <= probability <= 1:
            raise ValueError(f"probability must be in [0, 1], got {probability}")
        super().__init__(beta, k, near_days)
        self.probability = probability

    def retaliates(self, view: View, rng: np.random.Generator) -> bool:
        return bool(rng.random() < self.probability)


def _iterable(value: object) -> list:
    try:
        return list(value)  # type: ignore[call-overload]
    except TypeError:
        return [None]
