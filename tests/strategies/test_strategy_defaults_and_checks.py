"""Known answers for what the mutation test found unpinned: each registered strategy's defaults
(what a tournament plays), the deal seeker's and hold-until-election's checks in words and their
accepted edges, the deal seeker's deadline decision at its thresholds, and the default tactics of
a US strategy that sets none."""

from __future__ import annotations

import numpy as np
import pytest

from sim.strategies import STRATEGIES, DeadlineAction
from sim.strategies.partners import HoldUntilElection, Retaliate
from sim.strategies.maximum_pressure import MaximumPressure
from sim.strategies.time_dependent import Boulware, TimeDependent
from sim.strategies.united_states import DealSeeker, imposition_cost
from tests.strategies.contract import deadline_view, table_view, view

RNG = np.random.default_rng(0)

# The registry defaults: a tournament plays every entrant at these (docs/strategies.md), so a
# changed default changes its results and must be deliberate.
DEFAULTS = {
    "absolute_tit_for_tat": {"scale": 1.0, "near_days": 3},
    "appease_early": {"beta": 2.0, "k": 0.3, "near_days": 3},
    "aspiration": {"step": 0.02, "near_days": 3},
    "boulware": {"beta": 0.3, "k": 0.0, "near_days": 3},
    "conceder": {"beta": 3.0, "k": 0.0, "near_days": 3},
    "deal_seeker": {"beta": 0.4, "k": 0.0, "near_days": 3, "stall_days": 21, "cooldown_days": 21, "threat_step": 5.0,
                    "extend_stress": 0.45, "extend_close_gap": 0.08, "extend_cost": 0.1, "extension_days": 23,
                    "max_extensions": 1, "engagement": 0.0},
    "erratic": {"beta": 0.5, "k": 0.0, "near_days": 3, "jitter": 0.05, "move_probability": 0.03, "max_move_days": 7,
                "threat_probability": 0.02, "threat_step": 5.0, "extend_probability": 0.5, "extension_days": 30},
    "hardliner": {"near_days": 0},
    "hold_until_election": {"beta": 0.5, "k": 0.0, "near_days": 3, "protected": frozenset({"farm_access"})},
    "linear": {"beta": 1.0, "k": 0.0, "near_days": 3},
    "maximum_pressure": {"beta": 0.25, "k": 0.0, "near_days": 3, "stall_days": 10, "cooldown_days": 7,
                         "threat_step": 10.0, "extend_stress": 0.45, "extend_close_gap": 0.08, "extend_cost": 0.1,
                         "extension_days": 23, "max_extensions": 0, "engagement": 0.0},
    "relative_tit_for_tat": {"near_days": 3},
    "retaliate": {"beta": 0.7, "k": 0.0, "near_days": 3, "probability": 0.5},
    "time_dependent": {"beta": 1.0, "k": 0.0, "near_days": 3},
    "wait_out_the_market": {"trigger": None, "hold_beta": 0.1, "beta": 1.0, "k": 0.0, "deadline_days": 7,
                            "near_days": 3},
}


def test_every_registered_strategy_has_its_defaults_listed() -> None:
    assert sorted(DEFAULTS) == sorted(STRATEGIES)


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_each_strategy_is_built_with_its_known_defaults(name: str) -> None:
    built = vars(STRATEGIES[name]())
    assert built == DEFAULTS[name]
    assert {k: type(v) for k, v in built.items()} == {k: type(v) for k, v in DEFAULTS[name].items()}


# --- the deal seeker -------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "message"), [
    ({"beta": 0}, "beta must be > 0, got 0"),
    ({"near_days": -1}, "near_days must be a whole number >= 0, got -1"),
    ({"stall_days": 0}, "stall_days must be a whole number >= 1, got 0"),
    ({"cooldown_days": -1}, "cooldown_days must be a whole number >= 0, got -1"),
    ({"extension_days": 0}, "extension_days must be a whole number >= 1, got 0"),
    ({"max_extensions": -1}, "max_extensions must be a whole number >= 0, got -1"),
    ({"max_extensions": 1.0}, "max_extensions must be a whole number >= 0, got 1.0"),
    ({"threat_step": -1.0}, "threat_step must be >= 0 percentage points, got -1.0"),
    ({"extend_stress": -0.1}, "extend_stress must be a market-stress level >= 0, got -0.1"),
    ({"extend_close_gap": -0.01}, "extend_close_gap must be a utility gap in [0, 1], got -0.01"),
    ({"extend_close_gap": 1.5}, "extend_close_gap must be a utility gap in [0, 1], got 1.5"),
    ({"extend_cost": -0.01}, "extend_cost must be a utility loss in [0, 1], got -0.01"),
    ({"extend_cost": 1.5}, "extend_cost must be a utility loss in [0, 1], got 1.5"),
    ({"engagement": -0.1}, "engagement must be a share in [0, 1], got -0.1"),
    ({"engagement": 1.5}, "engagement must be a share in [0, 1], got 1.5"),
])
def test_deal_seeker_refuses_each_bad_parameter_in_words(params: dict, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        DealSeeker(**params)
    assert str(raised.value) == message


@pytest.mark.parametrize("params", [
    {"near_days": 0, "stall_days": 1, "cooldown_days": 0, "extension_days": 1, "max_extensions": 0},
    {"threat_step": 0.0, "extend_stress": 0.0, "extend_close_gap": 0.0, "extend_cost": 0.0},
    {"extend_close_gap": 1.0, "extend_cost": 1.0, "engagement": 1.0},
])
def test_deal_seeker_accepts_its_edges_and_keeps_them(params: dict) -> None:
    strategy = DealSeeker(**params)
    assert {name: getattr(strategy, name) for name in params} == params


def test_deal_seeker_extends_at_exactly_its_stress_level_or_its_closeness() -> None:
    strategy = DealSeeker(extend_stress=0.5, extend_close_gap=0.25, extension_days=9)
    far = deadline_view(market_stress=0.0, closest_gap=1.0)
    assert strategy.at_deadline(far._replace(market_stress=0.5), RNG) == (DeadlineAction.EXTEND, 9)
    assert strategy.at_deadline(far._replace(market_stress=0.49), RNG) == (DeadlineAction.IMPOSE, 0)
    assert strategy.at_deadline(far._replace(closest_gap=0.25), RNG) == (DeadlineAction.EXTEND, 9)
    assert strategy.at_deadline(far._replace(closest_gap=0.26), RNG) == (DeadlineAction.IMPOSE, 0)


@pytest.mark.parametrize(("stress", "shock", "threshold", "sensitivity", "cost"), [
    (0.25, 0.5, 0.25, 0.25, 0.125),    # 0.25 · (0.25 + 0.5 − 0.25): stress at its threshold, the shock counts
    (0.5, 0.25, 0.25, 1.0, 0.5),       # 1 · (0.5 + 0.25 − 0.25)
    (0.0, 0.25, 0.5, 1.0, 0.0),        # the shock leaves stress below the threshold: no cost
    (0.75, 0.5, 0.25, 0.0, 0.0),       # a US insensitive to stress: no cost, however nervous
])
def test_imposition_cost_is_sensitivity_times_stress_above_threshold_after_the_shock(
        stress, shock, threshold, sensitivity, cost) -> None:
    deadline = deadline_view(market_stress=stress, imposing_shock=shock, stress_threshold=threshold,
                             stress_sensitivity=sensitivity)
    assert imposition_cost(deadline) == cost


def test_deal_seeker_extends_when_imposing_would_cost_it_more_than_its_extend_cost() -> None:
    # Stress 0.25 at its threshold and no table close: only the look-ahead can make it extend.
    calm = deadline_view(market_stress=0.25, stress_threshold=0.25, imposing_shock=0.5, closest_gap=1.0)
    strategy = DealSeeker(extend_stress=0.9, extend_close_gap=0.0, extend_cost=0.125, extension_days=9)
    assert strategy.at_deadline(calm._replace(stress_sensitivity=0.25), RNG) == (DeadlineAction.IMPOSE, 0)  # 0.125
    assert strategy.at_deadline(calm._replace(stress_sensitivity=0.3), RNG) == (DeadlineAction.EXTEND, 9)   # 0.15
    assert strategy.at_deadline(calm._replace(stress_sensitivity=0.3, extensions=1), RNG) == (DeadlineAction.IMPOSE, 0)
    assert strategy.at_deadline(calm._replace(stress_sensitivity=0.3, imposing_shock=0.0), RNG) == (
        DeadlineAction.IMPOSE, 0)                       # no shock expected: stress stays at the threshold
    never = DealSeeker(extend_stress=0.9, extend_close_gap=0.0, extend_cost=0.0)
    assert never.at_deadline(calm._replace(stress_sensitivity=0.0, imposing_shock=5.0), RNG) == (
        DeadlineAction.IMPOSE, 0)                       # an insensitive US never extends for this



def test_deal_seeker_takes_its_tactics_by_name_only() -> None:
    # Concession by position, as every time-dependent strategy; a tactic passed by position would
    # land on whatever parameter sits there, so it is refused.
    assert DealSeeker(0.5, 0.05, 2).beta == 0.5
    with pytest.raises(TypeError):
        DealSeeker(0.4, 0.0, 3, 21)
    assert MaximumPressure(0.25, 0.0, 3, 10, 7, 10.0).stall_days == 10   # its own order is unchanged


@pytest.mark.parametrize(("engagement", "met_share", "tau"), [
    (0.0, 0.25, 0.8),     # the calendar: meetings do not matter
    (0.5, 1.0, 0.8),      # met every day: the calendar
    (0.5, 0.5, 0.6),      # 0.8 · (1 − 0.5 · 0.5)
    (1.0, 0.25, 0.2),     # 0.8 · 0.25: only the days met count
    (0.25, 0.0, 0.6),     # never met: 0.8 · 0.75
])
def test_deal_seeker_concedes_on_a_clock_that_loses_engagement_of_each_day_not_met(engagement, met_share, tau):
    # Its target equals the plain concession curve's at the slower clock ``tau``.
    seeker = DealSeeker(beta=0.5, k=0.1, engagement=engagement)
    at = view(tau=0.8, met_share=met_share, aspiration=0.9, reservation=0.3, previous_target=0.9)
    assert seeker.target(at, RNG) == pytest.approx(TimeDependent(beta=0.5, k=0.1).target(at._replace(tau=tau), RNG))
    assert seeker.target(at, RNG) <= 0.9

# --- hold until election ---------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "message"), [
    ({"protected": ["farm_access", 3]}, "protected must be a list of issue names, got ['farm_access', 3]"),
    ({"protected": "farm_access"}, "protected must be a list of issue names, got 'farm_access'"),
])  # which issues exist is the scenario's to say: tests/test_config_errors_more.py (protected-unknown-issue)
def test_hold_until_election_refuses_bad_protected_issues_in_words(params: dict, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        HoldUntilElection(**params)
    assert str(raised.value) == message


def test_hold_until_election_passes_its_concession_parameters_on() -> None:
    strategy = HoldUntilElection(protected=[], beta=2.0, k=0.1, near_days=5)
    assert vars(strategy) == {"beta": 2.0, "k": 0.1, "near_days": 5, "protected": frozenset()}


# --- a US strategy without tactics of its own --------------------------------------------------------

def test_a_us_strategy_that_sets_no_tactics_never_threatens_moves_or_extends() -> None:
    strategy = TimeDependent()
    stalled = table_view(days_since_progress=99, days_since_threat=99, threatened_rate=10.0, max_rate=50.0)
    assert strategy.threat(stalled, RNG) == 0.0
    nervous = deadline_view(market_stress=5.0, closest_gap=0.0)
    assert strategy.move_deadline(nervous, RNG) == 0
    assert strategy.at_deadline(nervous, RNG) == (DeadlineAction.IMPOSE, 0)
    assert strategy.retaliates(view(), RNG) is False  # nor, as a partner, retaliates


def test_retaliate_passes_its_concession_parameters_on() -> None:
    assert vars(Retaliate(probability=0.25, beta=2.0, k=0.1, near_days=5)) == {
        "beta": 2.0, "k": 0.1, "near_days": 5, "probability": 0.25}


def test_attention_meets_every_table_in_order_without_a_draw_when_there_are_just_enough_slots() -> None:
    tables = [table_view(partner=code, seriousness=s) for code, s in (("VNM", -0.2), ("EU", 0.3), ("JPN", 0.1))]
    rng, untouched = np.random.default_rng(4), np.random.default_rng(4)
    assert TimeDependent().attention(tables, 3, rng) == ["VNM", "EU", "JPN"]
    assert rng.random() == untouched.random()  # no jitter drawn: the run's stream is unchanged
    assert TimeDependent().attention(tables, 2, rng) == ["EU", "JPN"]  # one too few: the most serious


@pytest.mark.parametrize(("seed", "expected"), [(0, ["JPN", "EU", "CAN", "KOR"]), (1, ["JPN", "EU", "KOR", "CAN"])])
def test_attention_ranks_serious_offers_then_waiting_then_the_draw(seed: int, expected: list[str]) -> None:
    # Priority: seriousness + 0.02 a day waited + 0.1 times a uniform draw per table, highest first.
    tables = [table_view(partner="VNM", seriousness=-0.3, days_waited=0),   # worse than no deal: last
              table_view(partner="EU", seriousness=0.0, days_waited=10),    # 0.2 for ten days' wait
              table_view(partner="JPN", seriousness=0.5, days_waited=0),    # the most serious offer
              table_view(partner="KOR", seriousness=0.05, days_waited=1),   # KOR and CAN tie but for the draw
              table_view(partner="CAN", seriousness=0.05, days_waited=1)]
    draws = np.random.default_rng(seed).random(5)
    assert (draws[3] > draws[4]) == (expected.index("KOR") < expected.index("CAN"))
    assert TimeDependent().attention(tables, 4, np.random.default_rng(seed)) == expected


# --- the time-dependent family ---------------------------------------------------------------------

@pytest.mark.parametrize(("make", "message"), [
    (lambda: TimeDependent(beta=0), "beta must be > 0, got 0"),
    (lambda: TimeDependent(k=1.5), "k must be in [0, 1], got 1.5"),
    (lambda: TimeDependent(k=-0.5), "k must be in [0, 1], got -0.5"),
    (lambda: Boulware(beta=0), "beta must be in (0, 1) for a Boulware, got 0"),
    (lambda: Boulware(beta=1), "beta must be in (0, 1) for a Boulware, got 1"),
    # The checks run in the order of the parameters: the first bad one is named.
    (lambda: DealSeeker(beta=0, near_days=-1), "beta must be > 0, got 0"),
    (lambda: MaximumPressure(k=1.5, stall_days=-1), "k must be in [0, 1], got 1.5"),
])
def test_time_dependent_checks_in_words(make, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        make()
    assert str(raised.value) == message


def test_boulware_passes_near_days_on() -> None:
    assert vars(Boulware(beta=0.5, k=0.2, near_days=6)) == {"beta": 0.5, "k": 0.2, "near_days": 6}
