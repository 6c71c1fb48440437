"""The partner's counter-tariff is a mechanism: in the US-China escalation scenario, China's tariff
on US goods (on: as configured; off: ``counter_tariff=null``, no instrument) raises the US's cost of
no deal, so the US settles sooner. Claim: with counter-tariffs the mean deal day (no deal counted as
the horizon's last day) comes at least ``MIN_DAYS`` earlier, paired t test p < 0.01, on common seeds.

Measured on these 200 seeds (2 Dec 2026): 164.0 days off, 153.1 on (-10.8, p = 1e-5); P(deal by the
horizon) 0.905 -> 0.935.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanism_stats import mcnemar, mean_shift
from sim.mechanisms import run_arm, scenario_for
from sim.runner import replication_seeds

REPLICATIONS = 200
SEED = 2018
MIN_DAYS = 5.0
SCENARIO = "scenario=us_china_2018"


@pytest.fixture(scope="module")
def arms():
    seeds = replication_seeds(SEED, REPLICATIONS)
    on = scenario_for((SCENARIO,))
    off = scenario_for((SCENARIO, "scenario.partners.CHN.counter_tariff=null"))
    assert on.partners["CHN"].counter_tariff is not None and off.partners["CHN"].counter_tariff is None
    return run_arm(off, seeds), run_arm(on, seeds), on.days - 1


def test_counter_tariffs_bring_the_deal_forward(arms):
    off, on, last_day = arms
    day_off = off["deal_day"].fillna(last_day).to_numpy(float)
    day_on = on["deal_day"].fillna(last_day).to_numpy(float)
    effect = mean_shift(day_off, day_on)
    assert effect.p_value < 0.01, f"p = {effect.p_value:.3g}"
    assert -effect.effect >= MIN_DAYS, f"deals only {-effect.effect:.1f} days earlier"
    assert effect.high < 0, "the 95% interval includes no effect"
    # No fewer deals by the horizon with counter-tariffs (the direction; a small effect).
    deals = mcnemar(off["deal"].to_numpy(bool), on["deal"].to_numpy(bool))
    assert deals.effect >= 0.0


def test_counter_tariffs_are_in_force_only_where_declared(arms):
    off, on, _ = arms
    assert off["final_counter_tariff"].isna().all() and off["agreed_counter_tariff"].isna().all()
    assert on["final_counter_tariff"].between(7.0, 35.0).all()  # within the configured floor and max_rate
    assert np.isfinite(on.loc[on["deal"], "deal_day"]).all()
