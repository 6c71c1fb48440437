"""Strategies: what an agent decides, one small class per strategy, registered by name.

Importing this package registers the library; ``python -m sim.strategies`` lists it.
"""

from sim.strategies import partners, united_states  # noqa: F401  (registers the library)
from sim.strategies.base import (
    DeadlineAction,
    DeadlineView,
    Side,
    Strategy,
    StrategyInfo,
    TableView,
    USStrategy,
    View,
)
from sim.strategies.registry import STRATEGIES, StrategySpec, register, strategy_spec
from sim.strategies.time_dependent import Boulware, Conceder, Linear, TimeDependent

__all__ = [
    "STRATEGIES", "Boulware", "Conceder", "DeadlineAction", "DeadlineView", "Linear", "Side", "Strategy",
    "StrategyInfo", "StrategySpec", "TableView", "TimeDependent", "USStrategy", "View", "register", "strategy_spec",
]
