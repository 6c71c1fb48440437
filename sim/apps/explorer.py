"""The model behind the interactive explorer (``sim/apps/app.py``): the baseline scenario with a few
key settings, built from keyword arguments (one per browser tab: ``sim.apps.explorer_session``).

``ExplorerModel`` composes the baseline config with Hydra (as ``tariffsim`` does), applies the
settings as overrides, validates the result and then is a ``TariffModel``. The helpers turn a
live model into the tables of docs/results.md, so that the page draws them with the same
functions as the paper figures (``sim.plots.figures``), which read tables, never models.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from dataclasses import dataclass
from typing import Any

import pandas as pd
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.config import Study, load_study
from sim.config.paths import CONF_DIR
from sim.model.model import TariffModel
from sim.run.results import TableBuilder

# Hydra's global state admits one initialisation at a time; a page may serve several sessions.
_HYDRA_LOCK = threading.Lock()


@dataclass(frozen=True)
class Settings:
    """The explorer's knobs, with the baseline's values as defaults.

    Attributes:
        deadline_day: The US deadline, in days after the horizon start (91: 9 Jul 2025).
        japan_election_weight: How much Japan's upper-house election raises the bar for a deal.
        stress_sensitivity: How much market stress above its threshold softens the US.
        us_beta: The US's concession exponent (below 1: Boulware, above 1: Conceder).
        japan_beta: Japan's concession exponent.
    """

    deadline_day: int = 91
    japan_election_weight: float = 0.3
    stress_sensitivity: float = 0.2
    us_beta: float = 0.4
    japan_beta: float = 0.5

    def overrides(self, start: dt.date) -> tuple[str, ...]:
        """The Hydra overrides that apply these settings to the baseline (horizon from ``start``)."""
        deadline = start + dt.timedelta(days=self.deadline_day)
        return (
            f"scenario.deadline={deadline.isoformat()}",
            f"scenario.partners.JPN.politics.election.weight={self.japan_election_weight}",
            f"scenario.us.stress_sensitivity={self.stress_sensitivity}",
            f"scenario.us.strategy.beta={self.us_beta}",
            f"scenario.partners.JPN.strategy.beta={self.japan_beta}",
        )


@functools.lru_cache(maxsize=64)
def compose_study(overrides: tuple[str, ...] = ()) -> Study:
    """The validated study of the default config with Hydra ``overrides``.

    Raises:
        ConfigError: When the overrides make a config that cannot run.
    """
    with _HYDRA_LOCK, initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        cfg = compose("config", overrides=list(overrides))
    return load_study(OmegaConf.to_container(cfg, resolve=True))


def study_for(settings: Settings) -> Study:
    """The baseline study with ``settings`` applied."""
    start = compose_study().scenario.start
    return compose_study(settings.overrides(start))


class ExplorerModel(TariffModel):
    """The baseline scenario as a ``TariffModel`` built from keyword arguments (for the page).

    Args:
        deadline_day: The US deadline, in days after the horizon start (91: 9 Jul 2025).
        japan_election_weight: Weight of Japan's election in its ratification threshold.
        stress_sensitivity: How much market stress above its threshold softens the US.
        us_beta: The US's concession exponent.
        japan_beta: Japan's concession exponent.
        seed: Seed of the run's generator (a whole number; text from a form is accepted).
    """

    def __init__(self, deadline_day: int = 91, japan_election_weight: float = 0.3,
                 stress_sensitivity: float = 0.2, us_beta: float = 0.4, japan_beta: float = 0.5,
                 seed: int | str = 2025) -> None:
        self.knobs = Settings(int(deadline_day), float(japan_election_weight), float(stress_sensitivity),
                              float(us_beta), float(japan_beta))
        super().__init__(study_for(self.knobs).scenario, seed=_whole_number(seed))

    def step(self) -> None:
        """One day; past the last day of the horizon nothing happens (a late click, a play frame)."""
        if self.day > self.last_day:
            return
        super().step()


def _whole_number(seed: int | str) -> int:
    try:
        value = int(str(seed).strip())
    except ValueError:
        raise ValueError(f"seed must be a whole number, not {seed!r}") from None
    if value < 0:
        raise ValueError(f"seed must not be negative, not {value}")
    return value


def summary_of(model: TariffModel) -> dict[str, Any]:
    """The parts of ``summary.json`` that the figures read: horizon, original deadline, elections."""
    scenario = model.scenario
    return {
        "scenario": scenario.name,
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "deadline": scenario.deadline.isoformat(),
        "elections": {code: p.politics.election.date.isoformat()
                      for code, p in scenario.partners.items() if p.politics.election is not None},
    }


def live_tables(model: TariffModel) -> dict[str, pd.DataFrame]:
    """The days so far of a running ``model`` as the tables of docs/results.md (run_id 0)."""
    builder = TableBuilder(model.scenario)
    builder.add(model, 0)
    return {name: table.to_pandas() for name, table in builder.tables().items()}


def event_lines(model: TariffModel, last: int = 30) -> list[str]:
    """The ``last`` events of ``model``'s log, oldest first, one readable line each."""
    lines = []
    for day, kind, actor, target, detail in model.log.rows[-last:]:
        text = detail() if callable(detail) else detail
        arrow = actor if target in (actor, "ALL") else f"{actor}→{target}"
        lines.append(f"{model.date_of(day):%d %b}  {kind.value:<20} {arrow:<9} {text}")
    return lines


def status_line(model: TariffModel) -> str:
    """Where the run stands: today's date, the deadline in force, the settings in use."""
    knobs: Settings | None = getattr(model, "knobs", None)
    shown = model.date_of(max(model.day - 1, 0))
    parts = [f"day {model.day} of {model.last_day + 1}",
             f"{shown:%d %b %Y}" if model.day else "not started",
             f"deadline {model.date_of(model.deadline_day):%d %b %Y}",
             f"market stress {model.market_stress:.2f}"]
    if knobs is not None:
        parts += [f"Japan election weight {knobs.japan_election_weight:.2f}",
                  f"stress sensitivity {knobs.stress_sensitivity:.2f}",
                  f"US β {knobs.us_beta:.2f}", f"Japan β {knobs.japan_beta:.2f}", f"seed {model.seed}"]
    return " · ".join(parts)
