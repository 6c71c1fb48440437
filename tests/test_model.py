"""The Mesa model: invariants over many seeds, determinism, memory."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pandas as pd
import pytest

from sim.model import EventKind, TariffModel
from sim.run.runner import replication_seeds, run_model, run_replications


@pytest.fixture(scope="module")
def tables(baseline):
    outcome = run_replications(baseline.scenario, seed=7, replications=60)
    return {name: table.to_pandas() for name, table in outcome.tables.items()}


def test_no_deal_below_either_reservation_value(tables):
    deals = tables["runs"][tables["runs"]["deal"]]
    assert len(deals) > 100, "the baseline should produce deals"
    assert (deals["us_utility"] >= deals["us_reservation"] - 1e-12).all()
    assert (deals["partner_utility"] >= deals["partner_reservation"] - 1e-12).all()


def test_no_deal_crosses_a_binding_red_line(baseline, tables):
    deals = tables["runs"][tables["runs"]["deal"]]
    checked = 0
    for code, partner in baseline.scenario.partners.items():
        mine = deals[deals["partner"] == code]
        for line in partner.red_lines:
            binding = pd.Series(True, index=mine.index)
            if line.start is not None:
                binding &= mine["deal_date"] >= line.start
            if line.until is not None:
                binding &= mine["deal_date"] < line.until
            agreed = mine.loc[binding, f"agreed_{line.issue}"]
            assert (agreed <= line.max + 1e-9).all(), f"{code} {line.issue} above {line.max}"
            checked += len(agreed)
    assert checked > 50


def test_deals_respect_the_us_floors(baseline, tables):
    deals = tables["runs"][tables["runs"]["deal"]]
    for issue, floor in baseline.scenario.us.floors.items():
        values = deals[f"agreed_{issue}"].dropna()
        assert (values >= floor - 1e-9).all()


def test_tariffs_in_force_follow_the_deal(tables):
    runs = tables["runs"]
    last_day = tables["timeseries"]["day"].max()
    deals = runs[runs["deal"] & (runs["effective_day"] <= last_day)]  # in force by the horizon
    assert len(deals) > 100
    assert np.allclose(deals["final_tariff"], deals["agreed_reciprocal"])
    ts = tables["timeseries"]
    last = ts[ts["day"] == ts["day"].max()].merge(runs, on=["run_id", "partner"])
    assert np.allclose(last["tariff_reciprocal"], last["final_tariff"])


def test_utilities_and_tariffs_stay_in_bounds(tables):
    ts = tables["timeseries"]
    for column in ("us_offer_us", "us_offer_partner", "partner_offer_us", "partner_offer_partner",
                   "us_reservation", "partner_reservation", "political_capital"):
        values = ts[column].dropna()
        assert ((values >= -1e-9) & (values <= 1 + 1e-9)).all(), column
    assert ts["tariff_reciprocal"].between(0, 100).all()


def test_at_most_one_deal_per_partner_and_events_in_date_order(tables):
    events = tables["events"]
    deals = events[events["kind"] == "deal"]
    assert not deals.duplicated(["run_id", "target"]).any()
    for _, group in events.groupby("run_id"):
        assert group["day"].is_monotonic_increasing


def test_same_seed_same_results_other_seed_other_results(baseline):
    a = run_replications(baseline.scenario, seed=11, replications=4).tables
    b = run_replications(baseline.scenario, seed=11, replications=4).tables
    c = run_replications(baseline.scenario, seed=12, replications=4).tables
    for name in ("runs", "timeseries", "events"):
        pd.testing.assert_frame_equal(a[name].to_pandas(), b[name].to_pandas())
    ours, theirs = a["timeseries"].to_pandas(), c["timeseries"].to_pandas()
    assert not ours.drop(columns="seed").equals(theirs.drop(columns="seed"))


def test_replication_seeds_do_not_depend_on_how_many_are_asked_for():
    assert replication_seeds(5, 3) == replication_seeds(5, 10)[:3]
    assert len(set(replication_seeds(5, 1000))) == 1000


def test_finished_models_are_freed(baseline):
    # Mesa 3.3 keeps a class-level registry keyed by model; ours is weak.
    refs = [weakref.ref(run_model(baseline.scenario, seed)) for seed in range(20)]
    gc.collect()
    assert sum(ref() is not None for ref in refs) == 0


def test_transcript_reads_as_a_negotiation(baseline):
    model = TariffModel(baseline.scenario, seed=3).run()
    kinds = {row[1] for row in model.log.rows}
    assert {EventKind.OFFER, EventKind.DEADLINE, EventKind.ELECTION, EventKind.SECTOR_TARIFF} <= kinds
    days = [row[0] for row in model.log.rows]
    assert days == sorted(days)
