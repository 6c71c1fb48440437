"""Typed, validated settings built from the plain mappings Hydra composes."""

from sim.config.errors import ConfigError
from sim.config.scenario import Scenario, load_scenario
from sim.config.study import Study, load_study

__all__ = ["ConfigError", "Scenario", "Study", "load_scenario", "load_study"]
