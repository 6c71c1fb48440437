"""Strategies: what an agent decides (its target utility and whether to accept), one class each."""

from sim.strategies.base import Strategy, View
from sim.strategies.time_dependent import TimeDependent

__all__ = ["Strategy", "TimeDependent", "View"]
