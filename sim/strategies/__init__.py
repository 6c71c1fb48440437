"""Strategies: what an agent decides, one small class per strategy, registered by name.

Importing this package registers the library; ``python -m sim.strategies`` lists it.
"""

from sim.strategies import (  # noqa: F401  (importing a module registers its strategies)
    appease_early,
    aspiration,
    erratic,
    hardliner,
    maximum_pressure,
    partners,
    tit_for_tat,
    united_states,
    wait_out_the_market,
)
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
