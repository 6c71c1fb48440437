"""Mesa layer: the model, its agents, domestic politics and the environment."""

from sim.model.events import EventKind
from sim.model.model import TariffModel

__all__ = ["EventKind", "TariffModel"]
