"""A partner's own deadline is a mechanism: each table may have its own deadline, which the US
extends or enforces on its own (``scenario.partners.<CODE>.deadline``; null: the scenario's).

Claim, on ``REPLICATIONS`` common seeds of the baseline (seed 2025): giving Korea a deadline of
1 Aug 2025 while the others keep 9 Jul moves Korea's median deal day at least ``MIN_DAYS`` later
(Wilcoxon signed-rank on the paired days, no deal counted as the day after the horizon, p < 0.01,
and a bootstrap interval above 0), and its own deadline is extended far less often than the shared
one (it falls when the US has fewer tables left to extend for).

Measured on these seeds (3 Dec 2026, 200 replications): Korea's median deal day 90 -> 108.5
(+18.5 days); a Korea deal before Japan's vote 0.58 -> 0.09; Korea's deadline extended in 0.86 ->
0.11 of runs; the others' outcomes move little (the EU's deal probability 0.85 -> 0.89).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.mechanism_stats import median_shift
from sim.apps.mechanisms import run_arm, scenario_for
from sim.run.runner import replication_seeds

REPLICATIONS = 200
SEED = 2025
MIN_DAYS = 3.0
OWN = "+scenario.partners.KOR.deadline=2025-08-01"


def _korea(runs, scenario):
    kor = runs[runs["partner"] == "KOR"].sort_values("run_id")
    days = np.where(kor["deal"].to_numpy(bool), kor["deal_day"].to_numpy(float), scenario.days)
    return days, kor["extended_deadline"].to_numpy(bool), kor["final_deadline"]


@pytest.fixture(scope="module")
def arms():
    seeds = replication_seeds(SEED, REPLICATIONS)
    out = {}
    for name, overrides in {"shared": (), "own": (OWN,)}.items():
        scenario = scenario_for(overrides, name)
        out[name] = _korea(run_arm(scenario, seeds), scenario)
    return out


@pytest.mark.slow
def test_a_later_deadline_of_its_own_makes_koreas_deal_later(arms):
    effect = median_shift(arms["shared"][0], arms["own"][0], SEED)
    assert effect.p_value < 0.01 and effect.low > 0.0, effect
    assert effect.effect >= MIN_DAYS, effect


@pytest.mark.slow
def test_its_own_deadline_is_extended_less_often_than_the_shared_one(arms):
    shared, own = arms["shared"][1].mean(), arms["own"][1].mean()
    assert own <= shared - 0.3, (shared, own)


def test_a_partner_deadline_equal_to_the_scenarios_changes_nothing():
    seeds = replication_seeds(SEED, 6)
    same = run_arm(scenario_for(("+scenario.partners.KOR.deadline=2025-07-09",), "same"), seeds)
    assert run_arm(scenario_for((), "shared"), seeds).equals(same)


def test_each_table_keeps_its_own_deadline_in_the_tables():
    seeds = replication_seeds(SEED, 4)
    runs = run_arm(scenario_for((OWN,), "own"), seeds)
    final = runs.pivot(index="run_id", columns="partner", values="final_deadline")  # days since 1970-01-01
    shared = final.drop(columns="KOR")
    assert shared.nunique(axis=1).eq(1).all(), final  # the other four share one deadline in every run
    assert (shared["JPN"] >= 20278).all() and (final["KOR"] >= 20301).all(), final  # from 9 Jul and 1 Aug
    assert (final["KOR"] != final["JPN"]).any(), final


def test_a_deadline_outside_the_horizon_is_refused():
    from sim.config import ConfigError

    with pytest.raises(ConfigError, match=r"scenario.partners.KOR.deadline='?2026-01-01'?: must fall inside the horizon"):
        scenario_for(("+scenario.partners.KOR.deadline=2026-01-01",), "late")
