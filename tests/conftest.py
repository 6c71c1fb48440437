"""Shared fixtures: configs composed the way the command composes them."""

from __future__ import annotations

import logging

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf

from sim.config import Study, load_study
from sim.config.paths import CONF_DIR



def compose_config(*overrides: str) -> DictConfig:
    """The composed top-level config with ``overrides``, as ``tariffsim`` would see it."""
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        return compose("config", overrides=list(overrides))


def study_from(*overrides: str) -> Study:
    """A validated study from the default config with ``overrides``."""
    return load_study(OmegaConf.to_container(compose_config(*overrides), resolve=True))


@pytest.fixture(scope="session")
def baseline() -> Study:
    """The baseline study (default config)."""
    return study_from()


@pytest.fixture(autouse=True)
def _no_stale_log_handlers():
    """Remove the logging handlers a test added (an in-process Hydra run configures handlers on
    pytest's captured streams, which are closed after the test: a later test's log line would
    then print a '--- Logging error ---' traceback)."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in ("tariffsim", "sim"))]
    before = {id(logger): list(logger.handlers) for logger in loggers}
    yield
    for logger in loggers:
        for handler in list(logger.handlers):
            if handler not in before[id(logger)]:
                logger.removeHandler(handler)


def baseline_columns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The columns of the baseline's runs.parquet and timeseries.parquet (they follow the issues
    and US tariff lines the scenario declares)."""
    from sim.run.results import run_columns, timeseries_columns

    scenario = study_from().scenario
    return run_columns(scenario), timeseries_columns(scenario)
