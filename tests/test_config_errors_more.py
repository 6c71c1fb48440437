"""More bad configs, for the areas ``tests/test_config_errors.py`` does not reach: domestic
politics and elections, the environment (market stress, court, precedent), retaliation, the US's
settings, and strategy parameters. Each is refused before any run with a line that names the
key, the value and what is allowed; a few are also run through ``sim.apps.cli.run`` to check that
nothing is written.

``STRATEGY_CHECKS`` are strategy parameter checks that were once missing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest
from omegaconf import OmegaConf

from sim.apps.cli import run
from sim.config import ConfigError, load_study
from tests.conftest import compose_config

JPN = "scenario.partners.JPN"
CAN = "scenario.partners.CAN"
ENV = "scenario.environment"
US = "scenario.us"
DROP = object()  # as a value: remove the key


@pytest.fixture(scope="module")
def plain() -> dict:
    """The default config as a plain mapping; copy it before editing."""
    return OmegaConf.to_container(compose_config(), resolve=True)


@dataclass(frozen=True)
class Case:
    """A bad config: set ``path`` to ``value`` (or drop it); the message line must start with
    ``key=value_shown:`` and contain ``allowed``."""

    id: str
    path: str
    value: Any
    allowed: str
    key: str = ""          # the key the message names, when not ``path``
    shown: Any = DROP      # the value the message shows, when not ``value``

    def apply(self, data: dict) -> None:
        *head, last = self.path.split(".")
        for name in head:
            data = data[name]
        if self.value is DROP:
            del data[last]
        else:
            data[last] = self.value

    @property
    def head(self) -> str:
        shown = self.value if self.shown is DROP else self.shown
        return f"{self.key or self.path}={shown!r}:"


CASES = [
    # Domestic politics (Putnam's two-level game) and elections.
    Case("capital-1.5", f"{JPN}.politics.capital", 1.5, "must be a number in [0, 1]"),
    Case("capital-missing", f"{JPN}.politics.capital", DROP, "is required", shown=None),
    Case("capital-weight-unset", f"{JPN}.politics.capital_weight", "???", "is required", shown=None),
    Case("noise-negative", f"{JPN}.politics.noise", -0.1, "must be a number in [0, 1]"),
    Case("threshold-a-word", f"{JPN}.politics.threshold", "high", "must be a number in [0, 1]"),
    Case("capital-recovery-2", f"{JPN}.politics.capital_recovery", 2, "must be a number in [0, 1]"),
    Case("politics-not-a-mapping", f"{JPN}.politics", 5, "must be a mapping of keys to values"),
    Case("politics-typo", f"{JPN}.politics.electoin", None, "is not a known key here (known: capital"),
    Case("election-weight-1.2", f"{JPN}.politics.election.weight", 1.2, "must be a number in [0, 1]"),
    Case("election-window-0", f"{JPN}.politics.election.window_days", 0, "must be a whole number in [1, 365]"),
    Case("election-window-fraction", f"{JPN}.politics.election.window_days", 30.5,
         "must be a whole number in [1, 365]"),
    Case("election-capital-after-negative", f"{JPN}.politics.election.capital_after", -0.2,
         "must be a number in [0, 1]"),
    Case("election-date-in-words", f"{JPN}.politics.election.date", "July 20",
         "must be a real calendar date written YYYY-MM-DD"),
    Case("election-empty", f"{JPN}.politics.election", {}, "is required",
         key=f"{JPN}.politics.election.date", shown=None),
    Case("election-unknown-key", f"{JPN}.politics.election.turnout", 0.5,
         "is not a known key here (known: audience_cost, capital_after, capital_spread, date, salience_spread, weight, "
         "window_days)"),
    Case("election-audience-cost-negative", f"{JPN}.politics.election.audience_cost", -0.1,
         "must be a number in [0, 1]"),
    # Retaliation.
    Case("retaliation-gain-1.5", f"{CAN}.retaliation.gain", 1.5, "must be a number in [0, 1]"),
    Case("retaliation-us-cost-negative", f"{CAN}.retaliation.us_cost", -0.1, "must be a number in [0, 1]"),
    Case("retaliation-missing", f"{JPN}.retaliation", DROP, "is required", shown=None),
    Case("reservation-shift-2", f"{JPN}.reservation_shift", 2.0, "must be a number in [-1, 1]"),
    # The environment: market stress, court, precedent.
    Case("stress-decay-1.5", f"{ENV}.market_stress.decay", 1.5, "must be a number in [0, 1]"),
    Case("stress-threshold-negative", f"{ENV}.market_stress.threshold", -0.5, "must be a number >= 0"),
    Case("stress-deal-a-word", f"{ENV}.market_stress.deal", "calm", "must be a number >= 0"),
    Case("stress-initial-bool", f"{ENV}.market_stress.initial", True, "must be a number >= 0"),
    Case("stress-missing", f"{ENV}.market_stress", DROP, "is required", shown=None),
    Case("stress-typo", f"{ENV}.market_stres", {}, "is not a known key here (known: court, market_stress"),
    Case("court-hearing-in-words", f"{ENV}.court.hearing", "late July",
         "must be a real calendar date written YYYY-MM-DD"),
    Case("court-ramp-0", f"{ENV}.court.ramp_days", 0, "must be a whole number in [1, 365]"),
    Case("court-ramp-400", f"{ENV}.court.ramp_days", 400, "must be a whole number in [1, 365]"),
    Case("court-strike-1.3", f"{ENV}.court.strike_probability", 1.3, "must be a number in [0, 1]"),
    Case("court-strike-nan", f"{ENV}.court.strike_probability", float("nan"), "must be a number in [0, 1], and finite"),
    Case("court-null", f"{ENV}.court", None, "must be a mapping of keys to values"),
    Case("court-unknown-key", f"{ENV}.court.judge", "x",
         "is not a known key here (known: hearing, ramp_days, strike_probability)"),
    Case("precedent-weight-2", f"{ENV}.precedent_weight", 2.0, "must be a number in [0, 1]"),
    # The United States.
    Case("us-deal-value-1.5", f"{US}.deal_value", 1.5, "must be a number in [0, 1]"),
    Case("us-court-sensitivity-2", f"{US}.court_sensitivity", 2, "must be a number in [0, 1]"),
    Case("us-stress-sensitivity-negative", f"{US}.stress_sensitivity", -1, "must be a number >= 0"),
    Case("us-max-rate-120", f"{US}.max_rate", 120, "must be a tariff in percent, within 0–100"),
    Case("us-aspiration-0", f"{US}.aspiration", 0, "must be a number in (0, 1]"),
    Case("us-attention-fraction", f"{US}.attention", 2.5, "must be a whole number in [1, 20]"),
    Case("us-floor-110", f"{US}.floors.reciprocal", 110, "must be a number in [0, 100]"),
    Case("us-floor-unknown-issue", f"{US}.floors.rice", 5.0, "must name an issue of scenario.issues: reciprocal, autos"),
    Case("us-floors-not-a-mapping", f"{US}.floors", 10, "must be a mapping of keys to values"),
    # Strategy parameters.
    Case("us-strategy-partner-side", f"{US}.strategy.name", "hold_until_election",
         "plays the partner side, not the us side; allowed:"),
    Case("us-strategy-beta-negative", f"{US}.strategy.beta", -1, "refuses it: beta must be > 0"),
    Case("us-strategy-typo", f"{US}.strategy.threat_stp", 5, "is not a parameter of DealSeeker; allowed:"),
    Case("strategy-k-1.5", f"{JPN}.strategy.k", 1.5, "refuses it: k must be in [0, 1]"),
    Case("strategy-probability-1.5", f"{CAN}.strategy", {"name": "retaliate", "probability": 1.5},
         "refuses it: probability must be in [0, 1]", key=f"{CAN}.strategy.probability", shown=1.5),
    Case("strategy-a-bare-name", f"{CAN}.strategy", "retaliate", "must be a mapping with `name` (one of"),
]


def message_line(error: ConfigError, head: str) -> str:
    """The line of ``error`` that starts with ``head``; fails when there is none."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip().startswith(head)]
    assert lines, f"no line starting {head!r} in:\n{error}"
    return lines[0]


def refused(plain: dict, case: Case) -> ConfigError:
    data = copy.deepcopy(plain)
    case.apply(data)
    with pytest.raises(ConfigError) as caught:
        load_study(data)
    return caught.value


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_config_is_refused_naming_key_value_and_allowed(plain, case):
    assert case.allowed in message_line(refused(plain, case), case.head)


def test_cases_are_distinct():
    assert len({c.id for c in CASES}) == len(CASES) >= 40
    assert len({(c.path, repr(c.value)) for c in CASES}) == len(CASES)


def test_many_errors_in_one_message(plain):
    chosen = [c for c in CASES if c.id in ("capital-1.5", "stress-decay-1.5", "us-deal-value-1.5", "strategy-k-1.5")]
    data = copy.deepcopy(plain)
    for case in chosen:
        case.apply(data)
    with pytest.raises(ConfigError) as caught:
        load_study(data)
    for case in chosen:
        assert case.allowed in message_line(caught.value, case.head)


@pytest.mark.parametrize("override", [
    "scenario.environment.court.strike_probability=1.3",
    "scenario.partners.JPN.politics.election.window_days=0",
    "scenario.us.strategy.beta=-1",
], ids=["court", "election", "strategy"])
def test_run_writes_nothing_for_a_bad_config(tmp_path, override):
    out = tmp_path / "out"
    with pytest.raises(ConfigError):
        run(compose_config(override), out)
    assert not out.exists()


STRATEGY_CHECKS = [
    pytest.param(Case("protected-unknown-issue", f"{JPN}.strategy.protected", ["rice"], "")),
    pytest.param(Case("extension-days-negative", f"{US}.strategy.extension_days", -5, "")),
    pytest.param(Case("boulware-beta-1.5", "scenario.partners.KOR.strategy", {"name": "boulware", "beta": 1.5},
                      "", key="scenario.partners.KOR.strategy.beta", shown=1.5)),
]


@pytest.mark.parametrize("case", STRATEGY_CHECKS, ids=["protected-unknown-issue", "extension-days-negative", "boulware-beta"])
def test_strategy_parameter_checks(plain, case):
    """Refused, with a line that starts with the very key and value (whatever its wording)."""
    message_line(refused(plain, case), case.head)


# Values that once passed validation and failed mid-run, or were refused with a raw Python error.
TYPED_AND_DATED = [
    Case("us-beta-inf", f"{US}.strategy.beta", float("inf"), "must be a number, and finite"),
    Case("us-beta-word", f"{US}.strategy.beta", "abc", "must be a number (DealSeeker.beta: float)"),
    Case("us-extend-stress-word", f"{US}.strategy.extend_stress", "high", "must be a number"),
    Case("us-extend-close-gap-negative", f"{US}.strategy.extend_close_gap", -0.1, "must be a utility gap in [0, 1]"),
    Case("us-extend-cost-above-one", f"{US}.strategy.extend_cost", 1.5, "must be a utility loss in [0, 1]"),
    Case("jpn-protected-word", f"{JPN}.strategy.protected", "rice", "must be a list of strings"),
    Case("election-after-end", f"{JPN}.politics.election.date", "2025-12-01", "must not be after scenario.end"),
    Case("red-line-from-after-end", f"{JPN}.red_lines", [{"issue": "autos", "max": 15.0, "from": "2025-11-01"}],
         "must fall inside the horizon", key=f"{JPN}.red_lines[0].from", shown="2025-11-01"),
]


@pytest.mark.parametrize("case", TYPED_AND_DATED, ids=[c.id for c in TYPED_AND_DATED])
def test_strategy_types_and_dates_past_the_horizon_are_refused(plain, case):
    assert case.allowed in message_line(refused(plain, case), case.head)


@pytest.mark.parametrize("source, line, error", [
    ("import sim\n\nx = undefined_name\n", 3, "NameError: name 'undefined_name' is not defined"),
    ("from sim.strategies import Strategy\n\n\nclass Custom(Strategy):\n    def __init__(self) -> None:\n"
     "        raise RuntimeError('no data')\n\n    def target(self, view, rng):\n        return 1.0\n",
     6, "RuntimeError: no data"),
], ids=["import-raises", "constructor-raises"])
def test_a_custom_strategy_that_raises_is_named_with_file_and_line(plain, tmp_path, source, line, error):
    module = tmp_path / "custom.py"
    module.write_text(source)
    data = copy.deepcopy(plain)
    data["scenario"]["partners"]["JPN"]["strategy"] = {"_target_": f"{module}:Custom"}
    with pytest.raises(ConfigError) as caught:
        load_study(data)
    assert f"{error} at {module}, line {line}" in str(caught.value)
