"""The model behind the interactive explorer (``sim/apps/app.py``): the default scenario with a few
key settings, built from keyword arguments (one per browser tab: ``sim.apps.explorer_session``).

The partner settings are those of the scenario's *focus partner* (``focus_of``): its first partner
with an election, else its first partner; in the baseline, Japan.

``ExplorerModel`` composes the default config with Hydra (as ``tariffsim`` does), applies the
settings as overrides, validates the result and then is a ``TariffModel``. The helpers turn a
live model into the tables of docs/results.md, so that the page draws them with the same
functions as the paper figures (``sim.plots.figures``), which read tables, never models.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.config import Scenario, Study, load_study
from sim.config.paths import CONF_DIR
from sim.model.model import TariffModel
from sim.run.results import TableBuilder

# Hydra's global state admits one initialisation at a time; a page may serve several sessions.
_HYDRA_LOCK = threading.Lock()


@dataclass(frozen=True)
class Focus:
    """The partner whose knobs the explorer shows: the scenario's first partner with an election,
    else its first partner (Japan in the baseline).

    Attributes:
        code: Its code in ``scenario.partners``.
        name: Its name, as the scenario writes it.
        has_election: Whether it has an election in the horizon (else no election knob).
        has_beta: Whether its strategy takes a concession exponent ``beta`` (else no β knob).
    """

    code: str
    name: str
    has_election: bool
    has_beta: bool


def focus_of(scenario: Scenario) -> Focus:
    """The explorer's focus partner of ``scenario``."""
    partners = scenario.partners
    code = next((c for c, p in partners.items() if p.politics.election is not None), next(iter(partners)))
    partner = partners[code]
    return Focus(code, partner.name, partner.politics.election is not None, "beta" in partner.strategy.params)


@dataclass(frozen=True)
class Settings:
    """The explorer's knobs (``Settings.of`` reads a scenario's values).

    Attributes:
        deadline_day: The US deadline, in days after the horizon start.
        election_weight: How much the focus partner's election raises the bar for a deal (None: it
            has no election).
        stress_sensitivity: How much market stress above its threshold softens the US.
        us_beta: The US's concession exponent (below 1: Boulware, above 1: Conceder; None: its
            strategy has none).
        partner_beta: The focus partner's concession exponent (None: its strategy has none).
    """

    deadline_day: int
    election_weight: float | None
    stress_sensitivity: float
    us_beta: float | None
    partner_beta: float | None

    @classmethod
    def of(cls, scenario: Scenario) -> Settings:
        """The settings that ``scenario`` has (in the baseline: day 91, 0.3, 0.2, 0.4, 0.5)."""
        partner = scenario.partners[focus_of(scenario).code]
        election = partner.politics.election
        return cls((scenario.deadline - scenario.start).days,
                   election.weight if election is not None else None,
                   scenario.us.stress_sensitivity, scenario.us.strategy.params.get("beta"),
                   partner.strategy.params.get("beta"))

    def overrides(self, scenario: Scenario) -> tuple[str, ...]:
        """The Hydra overrides that apply these settings to ``scenario`` (its horizon, its focus)."""
        deadline = scenario.start + dt.timedelta(days=self.deadline_day)
        partner = f"scenario.partners.{focus_of(scenario).code}"
        return (f"scenario.deadline={deadline.isoformat()}",
                *([f"{partner}.politics.election.weight={self.election_weight}"]
                  if self.election_weight is not None else []),
                f"scenario.us.stress_sensitivity={self.stress_sensitivity}",
                *([f"scenario.us.strategy.beta={self.us_beta}"] if self.us_beta is not None else []),
                *([f"{partner}.strategy.beta={self.partner_beta}"] if self.partner_beta is not None else []))


@functools.lru_cache(maxsize=64)
def compose_study(overrides: tuple[str, ...] = ()) -> Study:
    """The validated study of the default config with Hydra ``overrides``.

    Raises:
        ConfigError: When the overrides make a config that cannot run.
    """
    with _HYDRA_LOCK, initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        cfg = compose("config", overrides=list(overrides))
    return load_study(OmegaConf.to_container(cfg, resolve=True))


def study_for(settings: Settings, base: tuple[str, ...] = ()) -> Study:
    """The study of the default config with Hydra overrides ``base``, then ``settings``, applied."""
    return compose_study(base + settings.overrides(compose_study(base).scenario))


class ExplorerModel(TariffModel):
    """The default scenario as a ``TariffModel`` built from keyword arguments (for the page).

    A setting left out (None) keeps the scenario's value.

    Args:
        deadline_day: The US deadline, in days after the horizon start.
        election_weight: Weight of the focus partner's election in its ratification threshold
            (``focus_of``; refused when it has no election).
        stress_sensitivity: How much market stress above its threshold softens the US.
        us_beta: The US's concession exponent (refused when its strategy has none).
        partner_beta: The focus partner's concession exponent (refused when its strategy has none).
        seed: Seed of the run's generator (a whole number; text from a form is accepted).
        base: Hydra overrides of the default config that the settings apply to (none: the baseline).

    Raises:
        ValueError: A setting the focus partner does not have, or a seed that is not a whole number.
    """

    def __init__(self, deadline_day: int | None = None, election_weight: float | None = None,
                 stress_sensitivity: float | None = None, us_beta: float | None = None,
                 partner_beta: float | None = None, seed: int | str = 2025,
                 base: tuple[str, ...] = ()) -> None:
        scenario = compose_study(base).scenario
        self.focus = focus_of(scenario)
        defaults = Settings.of(scenario)
        whose = f"{self.focus.name} ({self.focus.code})"
        for name, value, why in (("election_weight", election_weight, f"{whose} has no election in the horizon"),
                                 ("us_beta", us_beta, "the US strategy has no concession β"),
                                 ("partner_beta", partner_beta, f"the strategy of {whose} has no concession β")):
            if value is not None and getattr(defaults, name) is None:
                raise ValueError(f"{name} cannot be set: {why}")
        given = {"deadline_day": _maybe(int, deadline_day), "election_weight": _maybe(float, election_weight),
                 "stress_sensitivity": _maybe(float, stress_sensitivity), "us_beta": _maybe(float, us_beta),
                 "partner_beta": _maybe(float, partner_beta)}
        self.knobs = replace(defaults, **{k: v for k, v in given.items() if v is not None})
        super().__init__(study_for(self.knobs, base).scenario, seed=_whole_number(seed))

    def step(self) -> None:
        """One day; past the last day of the horizon nothing happens (a late click, a play frame)."""
        if self.day > self.last_day:
            return
        super().step()


def _maybe(kind: type, value: Any) -> Any:
    return None if value is None else kind(value)


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
        name = focus_of(model.scenario).name
        if knobs.election_weight is not None:
            parts.append(f"{name} election weight {knobs.election_weight:.2f}")
        parts.append(f"stress sensitivity {knobs.stress_sensitivity:.2f}")
        if knobs.us_beta is not None:
            parts.append(f"US β {knobs.us_beta:.2f}")
        if knobs.partner_beta is not None:
            parts.append(f"{name} β {knobs.partner_beta:.2f}")
        parts.append(f"seed {model.seed}")
    return " · ".join(parts)
