"""The mechanisms that are live in today's model: each changes its outcome in the direction the
articles imply, by at least the minimum size of ``conf/mechanisms.yaml``, at p < 0.01, on 200
replications of the baseline and the changed config on common seeds.

The other rows of the table are dead or move the wrong way today; docs/mechanisms.md lists their
measured effects. They join this list when the model makes them live.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanism_table import load_table
from sim.mechanisms import run_table

REPLICATIONS = 200
LIVE = [  # (mechanism, partner, outcome)
    ("jpn_no_election", "JPN", "p_deal_by"),
    ("jpn_election_w015", "JPN", "p_deal_by"),
    ("jpn_election_w060", "JPN", "deal_day"),
    ("deadline_later", "KOR", "deal_day"),
    ("deadline_later", "VNM", "deal_day"),
    ("court_risk_higher", "JPN", "deal_rate"),
    ("court_risk_higher", "EU", "deal_rate"),
    ("can_talks_not_restored", "CAN", "p_deal"),
    ("vnm_china_demand_dropped", "VNM", "deal_day"),
    ("steel_not_doubled", "EU", "deal_day"),
    ("steel_not_doubled", "KOR", "deal_day"),
]


@pytest.fixture(scope="module")
def effects():
    table = load_table(replications=REPLICATIONS, only=sorted({name for name, _, _ in LIVE}))
    return run_table(table, workers=1).set_index(["mechanism", "partner", "outcome"])


@pytest.mark.slow
@pytest.mark.parametrize("mechanism, partner, outcome", LIVE, ids=["-".join(row) for row in LIVE])
def test_mechanism_moves_its_outcome_as_the_articles_say(effects, mechanism, partner, outcome):
    row = effects.loc[(mechanism, partner, outcome)]
    sign = 1 if row["direction"] == "up" else -1
    assert row["replications"] == REPLICATIONS
    assert row["p_value"] < 0.01, f"{mechanism}: p = {row['p_value']:.3g}"
    assert sign * row["effect"] >= row["min_effect"], f"{mechanism}: effect {row['effect']:.3g}"
    assert sign * row["ci_low" if sign > 0 else "ci_high"] > 0, "the 95% interval includes no effect"
    assert row["verdict"] == "live"
    assert np.isfinite([row["baseline"], row["changed"]]).all()
