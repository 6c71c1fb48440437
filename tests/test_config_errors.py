"""Bad configs are refused before any run, with a message naming the key, the value and what is
allowed, and nothing is written (issue: "config validation").

Each case edits the plain mapping of the default config, as ``sim.apps.cli.run`` would see it after
``OmegaConf.to_container``; the values that make a case bad are derived from the config where the
calibration could move (weights, issue bounds), so the table does not go stale when it does.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf

from sim.apps.cli import run
from sim.config import ConfigError, load_study
from sim.config.paths import CONF_DIR


Edit = Callable[[dict], None]


def compose_config(*overrides: str) -> DictConfig:
    """The composed top-level config with ``overrides``, as ``tariffsim`` would see it."""
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        return compose("config", overrides=list(overrides))


@pytest.fixture(scope="module")
def plain() -> dict:
    """The default config as a plain mapping; copy it before editing."""
    return OmegaConf.to_container(compose_config(), resolve=True)


def _parent(data: dict, path: str) -> tuple[dict, str]:
    *head, last = path.split(".")
    for name in head:
        data = data[name]
    return data, last


def put(path: str, value: Any) -> Edit:
    """Set the dotted ``path`` (new keys allowed) to ``value``."""
    def edit(data: dict) -> None:
        parent, last = _parent(data, path)
        parent[last] = value
    return edit


def scale(path: str, side: str, factor: float) -> Edit:
    """Multiply ``side`` of every issue under ``path`` by ``factor``."""
    def edit(data: dict) -> None:
        parent, last = _parent(data, path)
        for issue in parent[last].values():
            issue[side] *= factor
    return edit


def beside(path: str, new: str) -> Edit:
    """Copy the mapping at ``path`` to the sibling key ``new``."""
    def edit(data: dict) -> None:
        parent, last = _parent(data, path)
        parent[new] = copy.deepcopy(parent[last])
    return edit


def event(**fields: Any) -> Edit:
    """Replace the scenario's events by one event (so its key is ``scenario.events[0]``)."""
    return put("scenario.events", [{"date": "2025-06-01", "kind": "market_shock", "amount": 0.1} | fields])


@dataclass(frozen=True)
class Case:
    """A bad config: the edit that makes it, and the message line it must produce."""

    id: str
    edit: Edit
    key: str
    value: Any
    allowed: str


JPN = "scenario.partners.JPN"
CASES = [
    Case("partner-code-lowercase", beside(JPN, "jpn2"), "scenario.partners.jpn2", "jpn2",
         "must be a partner code of 2 to 5 capital letters (JPN, EU, IND)"),
    Case("partner-code-too-long", beside(JPN, "JAPAN1"), "scenario.partners.JAPAN1", "JAPAN1",
         "must be a partner code of 2 to 5 capital letters"),
    Case("partner-code-usa", beside(JPN, "USA"), "scenario.partners.USA", "USA",
         "the United States is the hub (scenario.us)"),
    Case("partner-colour-not-hex", put(f"{JPN}.colour", "orange"), f"{JPN}.colour", "orange",
         'must be a colour written #RRGGBB in quotes ("#FF9933")'),
    Case("tariff-120", put(f"{JPN}.letter_rate", 120), f"{JPN}.letter_rate", 120, "within 0–100"),
    Case("tariff-minus-5", put(f"{JPN}.sector.autos", -5), f"{JPN}.sector.autos", -5, "within 0–100"),
    Case("tariff-not-a-number", put(f"{JPN}.pause_rate", "ten"), f"{JPN}.pause_rate", "ten", "within 0–100"),
    Case("issue-hi-120", put(f"{JPN}.issues.autos.hi", 120.0), f"{JPN}.issues.autos.hi", 120.0, "within 0–100 (%)"),
    Case("negative-weight", put(f"{JPN}.issues.steel.us_weight", -0.05), f"{JPN}.issues.steel.us_weight", -0.05,
         "weight in [0, 1] (not negative)"),
    Case("weights-sum-0.9", scale(f"{JPN}.issues", "partner_weight", 0.9), f"{JPN}.issues.*.partner_weight", 0.9,
         "must sum to 1"),
    Case("aspiration-below-reservation", put(f"{JPN}.aspiration", 0.01), f"{JPN}.aspiration", 0.01,
         "must be above the partner's reservation value"),
    Case("end-before-start", put("scenario.end", "2025-03-01"), "scenario.end", "2025-03-01",
         "must be after scenario.start (2025-04-09)"),
    Case("deadline-after-end", put("scenario.deadline", "2025-10-15"), "scenario.deadline", "2025-10-15",
         "must fall inside the horizon"),
    Case("deadline-before-start", put("scenario.deadline", "2025-04-01"), "scenario.deadline", "2025-04-01",
         "must fall inside the horizon"),
    Case("not-a-date", put("scenario.start", "2025-13-40"), "scenario.start", "2025-13-40", "YYYY-MM-DD"),
    Case("date-as-number", put("scenario.end", 20250930), "scenario.end", 20250930, "YYYY-MM-DD"),
    Case("replications-0", put("replications", 0), "replications", 0, "whole number in [1, 10000000]"),
    Case("replications-minus-3", put("replications", -3), "replications", -3, "whole number in [1, 10000000]"),
    Case("replications-many", put("replications", "many"), "replications", "many", "whole number in [1, 10000000]"),
    Case("seed-minus-1", put("seed", -1), "seed", -1, "whole number in [0, "),
    Case("figures-not-bool", put("figures", "yes"), "figures", "yes", "true or false"),
    Case("typo-in-partner", put(f"{JPN}.aspiraton", 0.9), f"{JPN}.aspiraton", 0.9,
         "is not a known key here (known: announced_rate, aspiration,"),
    Case("unknown-top-level-key", put("replication", 5), "replication", 5, "is not a known key here"),
    Case("unknown-issue", put(f"{JPN}.issues.tarrifs", {"lo": 0, "hi": 10, "us_weight": 0, "partner_weight": 0}),
         f"{JPN}.issues.tarrifs", "tarrifs", "is not an issue of scenario.issues; allowed: reciprocal"),
    Case("no-issues", put(f"{JPN}.issues", {}), f"{JPN}.issues", {}, "at least one issue"),
    Case("red-line-unknown-issue", put(f"{JPN}.red_lines", [{"issue": "rice", "max": 0.0}]),
         f"{JPN}.red_lines[0].issue", "rice", "must be one of JPN's issues: "),
    Case("red-line-dates-reversed",
         put(f"{JPN}.red_lines", [{"issue": "autos", "max": 0.0, "from": "2025-08-01", "until": "2025-07-01"}]),
         f"{JPN}.red_lines[0].until", "2025-07-01", "must be after scenario.partners.JPN.red_lines[0].from"),
    Case("red-lines-not-a-list", put(f"{JPN}.red_lines", 5), f"{JPN}.red_lines", 5, "must be a list of mappings"),
    Case("election-before-start", put(f"{JPN}.politics.election.date", "2024-10-27"),
         f"{JPN}.politics.election.date", "2024-10-27", "must not be before scenario.start"),
    Case("event-outside-horizon", event(date="2025-12-01"), "scenario.events[0].date", "2025-12-01",
         "must fall inside the horizon 2025-04-09..2025-09-30"),
    Case("event-unknown-kind", event(kind="earthquake"), "scenario.events[0].kind", "earthquake",
         "must be one of precedent, market_shock"),
    Case("event-unknown-target", event(targets=["XYZ"]), "scenario.events[0].targets", "XYZ",
         "must be ALL or partners the scenario declares (scenario.partners): JPN, EU, CAN, KOR, VNM; "
         "declare XYZ there or remove it from the event"),
    Case("sector-tariff-without-line", event(kind="sector_tariff", amount=50.0), "scenario.events[0].issue", None,
         "must name a US tariff line"),
    Case("red-line-undeclared-issue", event(kind="red_line", issue="rice", amount=5.0), "scenario.events[0].issue", "rice",
         "a red_line event must name an issue of scenario.issues: reciprocal, autos"),
    Case("red-line-negative", event(kind="red_line", issue="autos", amount=-1.0), "scenario.events[0].amount", -1.0,
         "must be >= 0: the most the targets accept on the issue"),
    Case("deadline-change-fraction", event(kind="deadline_change", amount=2.5), "scenario.events[0].amount", 2.5,
         "must be a whole number of days in [0, 3650]"),
    Case("strategy-beta-0", put(f"{JPN}.strategy.beta", 0), f"{JPN}.strategy.beta", 0,
         "HoldUntilElection refuses it: beta must be > 0"),
    Case("strategy-unknown-name", put(f"{JPN}.strategy.name", "tit_for_tat_typo"), f"{JPN}.strategy.name",
         "tit_for_tat_typo", "is not a registered strategy; allowed:"),
    Case("strategy-unknown-param", put(f"{JPN}.strategy.bta", 0.5), f"{JPN}.strategy.bta", 0.5,
         "is not a parameter of HoldUntilElection; allowed:"),
    Case("strategy-us-side-for-partner", put(f"{JPN}.strategy.name", "deal_seeker"), f"{JPN}.strategy.name",
         "deal_seeker", "plays the us side, not the partner side"),
    Case("strategy-bad-import", put(f"{JPN}.strategy._target_", "nowhere.Missing"), f"{JPN}.strategy._target_",
         "nowhere.Missing", "cannot be imported"),
    Case("attention-0", put("scenario.us.attention", 0), "scenario.us.attention", 0, "whole number in [1, 20]"),
    Case("issue-bound-infinite", put(f"{JPN}.issues.purchases.hi", float("inf")), f"{JPN}.issues.purchases.hi",
         float("inf"), "must be >= 0, and finite"),
]


def message_line(error: ConfigError, key: str, value: Any) -> str:
    """The line of ``error`` about ``key`` holding ``value``; fails when there is none."""
    head = f"{key}={value!r}:"
    lines = [line.strip() for line in str(error).splitlines() if line.strip().startswith(head)]
    assert lines, f"no line starting {head!r} in:\n{error}"
    return lines[0]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_config_is_refused_naming_key_value_and_allowed(plain, case):
    data = copy.deepcopy(plain)
    case.edit(data)
    with pytest.raises(ConfigError) as caught:
        load_study(data)
    assert case.allowed in message_line(caught.value, case.key, case.value)


def test_cases_are_distinct():
    assert len({c.id for c in CASES}) == len(CASES) >= 20
    assert len({(c.key, repr(c.value)) for c in CASES}) == len(CASES)


def test_every_error_is_reported_in_one_message(plain):
    data = copy.deepcopy(plain)
    for edit in (put("replications", 0), put(f"{JPN}.letter_rate", 120), put(f"{JPN}.aspiraton", 0.9),
                 put("scenario.deadline", "2025-10-15"), event(kind="earthquake")):
        edit(data)
    with pytest.raises(ConfigError) as caught:
        load_study(data)
    message_line(caught.value, "replications", 0)
    message_line(caught.value, f"{JPN}.letter_rate", 120)
    message_line(caught.value, f"{JPN}.aspiraton", 0.9)
    message_line(caught.value, "scenario.deadline", "2025-10-15")
    message_line(caught.value, "scenario.events[0].kind", "earthquake")


def test_one_bad_date_gives_one_message(plain):
    """An unreadable start must not also fail the deadline and every event against a made-up horizon."""
    data = copy.deepcopy(plain)
    put("scenario.start", "2025-13-40")(data)
    with pytest.raises(ConfigError) as caught:
        load_study(data)
    assert str(caught.value).count("\n") == 1, str(caught.value)


def test_default_config_is_accepted(plain):
    study = load_study(copy.deepcopy(plain))
    assert list(study.scenario.partners) == ["JPN", "EU", "CAN", "KOR", "VNM"]
    assert study.scenario.partners and study.replications >= 1
    assert study.scenario.start < study.scenario.deadline <= study.scenario.end


@pytest.mark.parametrize("edit", [
    put("replications", 1),
    put("seed", 0),
    put("scenario.deadline", "2025-09-30"),  # the deadline may be the last day
    event(date="2025-04-09"),                # events on the first and last day are inside
    event(date="2025-09-30"),
    put("scenario.events", []),
    put(f"{JPN}.strategy.beta", 0.99),
], ids=["replications-1", "seed-0", "deadline-on-end", "event-on-start", "event-on-end", "no-events", "beta-0.99"])
def test_values_at_the_edge_of_allowed_are_accepted(plain, edit):
    data = copy.deepcopy(plain)
    edit(data)
    load_study(data)


@pytest.mark.parametrize("override", ["replications=0", "scenario.partners.JPN.letter_rate=120",
                                      "+scenario.partners.JPN.aspiraton=0.9"])
def test_run_writes_nothing_for_a_bad_config(tmp_path, override):
    out = tmp_path / "out"
    with pytest.raises(ConfigError):
        run(compose_config(override), out)
    assert not out.exists()


@pytest.mark.parametrize("override, key, allowed", [
    ("replications=0", "replications=0", "must be a whole number in [1, 10000000]"),
    ("scenario.partners.JPN.letter_rate=120", "scenario.partners.JPN.letter_rate=120", "within 0–100"),
], ids=["replications-0", "letter-rate-120"])
def test_command_refuses_a_bad_config_and_leaves_nothing(tmp_path, override, key, allowed):
    done = subprocess.run([sys.executable, "-m", "sim", override, f"hydra.run.dir={tmp_path}/run"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert f"{key}:" in done.stderr and allowed in done.stderr
    assert done.stderr.startswith("tariffsim: ")
    assert not (tmp_path / "run").exists()
    assert not (tmp_path / "outputs").exists()
    assert list(tmp_path.iterdir()) == []


def test_rules_across_levels_are_reported_beside_errors_of_the_pieces_they_read(plain):
    """A partner's bad key does not hide the horizon's rules on its election, red lines or the
    events' targets: every error in one message, as the loader promises."""
    data = copy.deepcopy(plain)
    for edit in (put(f"{JPN}.letter_rate", 120), put(f"{JPN}.politics.election.date", "2024-10-27"),
                 put(f"{JPN}.red_lines", [{"issue": "autos", "max": 10.0, "from": "2025-12-01"}]),
                 put("scenario.partners.EU.aspiraton", 0.9), event(targets=["XYZ"], date="2025-12-01")):
        edit(data)
    with pytest.raises(ConfigError) as caught:
        load_study(data)
    assert "must be a tariff in percent" in message_line(caught.value, f"{JPN}.letter_rate", 120)
    assert "must not be before scenario.start" in message_line(caught.value, f"{JPN}.politics.election.date",
                                                               "2024-10-27")
    assert "must fall inside the horizon" in message_line(caught.value, f"{JPN}.red_lines[0].from", "2025-12-01")
    assert "did you mean" in message_line(caught.value, "scenario.partners.EU.aspiraton", 0.9)
    assert "declare XYZ there" in message_line(caught.value, "scenario.events[0].targets", "XYZ")
    assert "must fall inside the horizon" in message_line(caught.value, "scenario.events[0].date", "2025-12-01")
