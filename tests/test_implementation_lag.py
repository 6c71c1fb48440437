"""Deals announced and deals in force (issue 11): a deal's tariff lines enter into force
``implementation_lag`` days after its announcement; until then the lines in force stay."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.config import ConfigError, load_study
from sim.model.implementation import implementation_lags
from sim.run.runner import run_replications
from tests.conftest import compose_config, study_from

SEED = 11
REPLICATIONS = 8
LINES = ("reciprocal", "autos", "steel")


def tables_of(*overrides: str, seed: int = SEED) -> dict[str, pd.DataFrame]:
    study = study_from(*overrides)
    outcome = run_replications(study.scenario, seed=seed, replications=REPLICATIONS, workers=1)
    return {name: table.to_pandas() for name, table in outcome.tables.items()}


def lag(days: int, spread: int = 0) -> tuple[str, str]:
    return f"scenario.us.implementation_lag_days={days}", f"scenario.us.implementation_lag_spread={spread}"


@pytest.fixture(scope="module")
def same_day():
    return tables_of(*lag(0))


@pytest.fixture(scope="module")
def lagged():
    return tables_of(*lag(20))


def deals(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    runs = tables["runs"]
    found = runs[runs["deal"]]
    assert len(found) >= 20, "the baseline should make deals"
    return found


def days_of(events: pd.DataFrame, kind: str) -> pd.Series:
    """The day of each ``kind`` event, by (run_id, partner)."""
    mine = events[events["kind"] == kind]
    assert not mine.duplicated(["run_id", "target"]).any(), f"one {kind} per table"
    return mine.set_index(["run_id", "target"])["day"].rename_axis(["run_id", "partner"])


def test_lag_zero_puts_a_deal_in_force_the_day_it_is_announced(same_day):
    made = deals(same_day)
    assert (made["effective_day"] == made["deal_day"]).all()
    announced, in_force = days_of(same_day["events"], "deal"), days_of(same_day["events"], "deal_in_force")
    assert announced.sort_index().equals(in_force.sort_index())
    assert np.allclose(made["final_tariff"], made["agreed_reciprocal"])
    ts = same_day["timeseries"].merge(made[["run_id", "partner", "deal_day", "agreed_reciprocal"]],
                                      on=["run_id", "partner"])
    on_and_after = ts[ts["day"] >= ts["deal_day"]]
    assert (on_and_after["status"] == "deal").all()
    assert np.allclose(on_and_after["tariff_reciprocal"], on_and_after["agreed_reciprocal"])
    assert "announced" not in set(same_day["timeseries"]["status"])


def test_with_a_lag_the_lines_switch_exactly_on_the_effective_day(lagged):
    made = deals(lagged)
    assert (made["effective_day"] == made["deal_day"] + 20).all()
    ts = lagged["timeseries"]
    last_day = int(ts["day"].max())
    in_force = days_of(lagged["events"], "deal_in_force")
    due = made[made["effective_day"] <= last_day]
    assert len(due) >= 20 and (made["effective_day"] > last_day).any(), "both kinds of deal should occur"
    assert sorted(in_force.items()) == sorted(((r.run_id, r.partner), r.effective_day) for r in due.itertuples())
    switched = 0
    for row in made.itertuples():
        mine = ts[(ts["run_id"] == row.run_id) & (ts["partner"] == row.partner)].set_index("day")
        before = mine.loc[row.deal_day - 1, [f"tariff_{n}" for n in LINES]]
        waiting = mine.loc[row.deal_day:min(row.effective_day, last_day + 1) - 1]
        assert (waiting["status"] == "announced").all()
        for name in LINES:  # the lines before the deal stay in force while it waits
            assert np.allclose(waiting[f"tariff_{name}"], before[f"tariff_{name}"], equal_nan=True), name
        after = mine.loc[row.effective_day:]
        assert (after["status"] == "deal").all()
        for name in LINES:
            agreed = getattr(row, f"agreed_{name}")
            expected = before[f"tariff_{name}"] if np.isnan(agreed) else agreed
            assert np.allclose(after[f"tariff_{name}"], expected, equal_nan=True), name
        switched += len(after) > 0 and not np.isclose(row.agreed_reciprocal, before["tariff_reciprocal"])
    assert switched >= 10, "the deals should change the reciprocal rate in force"
    # The rate in force at the horizon: the deal's only once it is in force.
    assert np.allclose(due["final_tariff"], due["agreed_reciprocal"])
    late = made[made["effective_day"] > last_day]
    final = ts[ts["day"] == last_day].merge(late[["run_id", "partner", "final_tariff"]], on=["run_id", "partner"])
    assert np.allclose(final["tariff_reciprocal"], final["final_tariff"])
    assert not np.allclose(late["final_tariff"], late["agreed_reciprocal"])


def test_the_lag_moves_no_bargaining_and_no_other_draw(same_day):
    drawn = tables_of(*lag(20, 15))
    runs_a, runs_b = same_day["runs"], drawn["runs"]
    kept = [c for c in runs_a.columns if c == "deal_day" or c.startswith("agreed_") or c.endswith("_utility")]
    pd.testing.assert_frame_equal(runs_a[kept], runs_b[kept])
    lags = (runs_b["effective_day"] - runs_b["deal_day"]).dropna()
    assert lags.between(5, 35).all() and lags.nunique() > 5
    others = [t[t["kind"] != "deal_in_force"].reset_index(drop=True) for t in (same_day["events"], drawn["events"])]
    pd.testing.assert_frame_equal(*others)


def test_the_drawn_lags_stay_in_their_range_and_leave_the_generator_alone(baseline):
    us = baseline.scenario.us
    assert (us.implementation_lag_days, us.implementation_lag_spread) == (37, 23)
    rng, fresh = np.random.default_rng(5), np.random.default_rng(5)
    drawn = implementation_lags(rng, us, 200)
    assert min(drawn) == 14 and max(drawn) == 60
    assert drawn == implementation_lags(np.random.default_rng(5), us, 200)
    assert rng.random() == fresh.random(), "drawing the lags must not move the run's generator"
    wide = implementation_lags(np.random.default_rng(5), type(us)(**{**vars(us), "implementation_lag_days": 3}), 200)
    assert min(wide) == 0 and max(wide) == 26  # at least 0 days
    fixed = type(us)(**{**vars(us), "implementation_lag_spread": 0})
    assert implementation_lags(np.random.default_rng(5), fixed, 3) == [37, 37, 37]


def test_the_same_seed_gives_identical_tables_with_a_drawn_lag():
    first, second = tables_of(), tables_of()
    for name in ("runs", "timeseries", "events"):
        pd.testing.assert_frame_equal(first[name], second[name])
    assert (first["runs"]["effective_day"] > first["runs"]["deal_day"]).any()


@pytest.mark.parametrize("key, value, allowed", [
    ("implementation_lag_days", -5, "scenario.us.implementation_lag_days=-5: must be a whole number in [0, 365]"),
    ("implementation_lag_days", 2.5, "scenario.us.implementation_lag_days=2.5: must be a whole number in [0, 365]"),
    ("implementation_lag_spread", -1, "scenario.us.implementation_lag_spread=-1: must be a whole number in [0, 365]"),
])
def test_a_bad_lag_is_refused_naming_key_value_and_allowed(key, value, allowed):
    data = OmegaConf.to_container(compose_config(), resolve=True)
    data["scenario"]["us"][key] = value
    with pytest.raises(ConfigError) as caught:
        load_study(data)
    assert allowed in str(caught.value)


def test_a_negative_lag_on_the_command_line_exits_2_without_a_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sim", "scenario.us.implementation_lag_days=-3",
                           f"hydra.run.dir={tmp_path}/run"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "scenario.us.implementation_lag_days=-3: must be a whole number in [0, 365]" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
