"""The partner's counter-tariff is a mechanism. In the US-China escalation scenario (us_china_2018)
China's tariff on US goods raises the US's cost of no deal (``counter_tariff.us_cost`` per 10 points
above its floor, taken off the US's reservation value), so the US settles sooner and more often.

Claims, each on ``REPLICATIONS`` common seeds, no deal counted as the horizon's last day:
- on (as configured) against off (``counter_tariff: null``): the mean deal day at least
  ``MIN_DAYS`` earlier (paired t, p < 0.01) and at least ``MIN_DEALS`` more deals by the horizon
  (McNemar, p < 0.01);
- graded, not a switch: doubling ``us_cost`` (0.03 -> 0.06) brings deals earlier again, by at least
  ``MIN_DAYS_DOUBLED`` (p < 0.01);
- the rounds count: answering US rate increases in kind (``response`` 0.6 against 0: the letter
  rate imposed at the deadline is answered) brings deals at least ``MIN_DAYS_ROUNDS`` earlier (p < 0.01).

Measured on these seeds (2 Dec 2026): mean deal day 204.8 off, 179.1 on (-25.8 days, p = 7e-12),
165.5 with us_cost 0.06 (-13.5, p = 5e-6), 183.6 with response 0 (+4.5, p = 8e-8); P(deal by the
horizon) 0.815 off, 0.90 on (p = 2e-5).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.mechanism_stats import mcnemar, mean_shift
from sim.apps.mechanisms import run_arm, scenario_for
from sim.run.runner import replication_seeds

REPLICATIONS = 200
SEED = 2018
MIN_DAYS = 10.0
MIN_DEALS = 0.03
MIN_DAYS_DOUBLED = 5.0
MIN_DAYS_ROUNDS = 2.0
SCENARIO = "scenario=us_china_2018"
KEY = "scenario.partners.CHN.counter_tariff"
ARMS = {"on": (), "off": (f"{KEY}=null",), "doubled": (f"{KEY}.us_cost=0.06",), "no_rounds": (f"{KEY}.response=0",)}


@pytest.fixture(scope="module")
def arms():
    seeds = replication_seeds(SEED, REPLICATIONS)
    scenarios = {name: scenario_for((SCENARIO, *overrides)) for name, overrides in ARMS.items()}
    assert scenarios["on"].partners["CHN"].counter_tariff.us_cost == 0.03
    assert scenarios["off"].partners["CHN"].counter_tariff is None
    last_day = scenarios["on"].days - 1
    return {name: run_arm(scenario, seeds) for name, scenario in scenarios.items()}, last_day


def _days(runs, last_day) -> np.ndarray:
    return runs["deal_day"].astype("Float64").fillna(last_day).to_numpy(float)


def _earlier(arms, first: str, second: str, min_days: float) -> None:
    """Deals in arm ``second`` come at least ``min_days`` earlier than in ``first`` (p < 0.01)."""
    runs, last_day = arms
    effect = mean_shift(_days(runs[first], last_day), _days(runs[second], last_day))
    assert effect.p_value < 0.01, f"{first} -> {second}: p = {effect.p_value:.3g}"
    assert -effect.effect >= min_days, f"{first} -> {second}: deals only {-effect.effect:.1f} days earlier"
    assert effect.high < 0, "the 95% interval includes no effect"


def test_counter_tariffs_bring_deals_forward(arms):
    _earlier(arms, "off", "on", MIN_DAYS)


def test_counter_tariffs_make_more_deals(arms):
    runs, _ = arms
    deals = mcnemar(runs["off"]["deal"].to_numpy(bool), runs["on"]["deal"].to_numpy(bool))
    assert deals.p_value < 0.01 and deals.effect >= MIN_DEALS, deals


def test_the_effect_grows_with_the_cost_to_the_us(arms):
    _earlier(arms, "on", "doubled", MIN_DAYS_DOUBLED)


def test_answering_us_increases_in_kind_brings_deals_forward(arms):
    _earlier(arms, "no_rounds", "on", MIN_DAYS_ROUNDS)
    runs, _ = arms
    assert runs["on"]["final_counter_tariff"].max() > runs["no_rounds"]["final_counter_tariff"].max()


def test_counter_tariffs_are_in_force_only_where_declared(arms):
    runs, _ = arms
    off, on = runs["off"], runs["on"]
    assert off["final_counter_tariff"].isna().all() and off["agreed_counter_tariff"].isna().all()
    assert on["final_counter_tariff"].between(7.0, 35.0).all()  # within the configured floor and max_rate
