"""The two-party escalation scenario (us_china_2018) and the partner counter-tariff instrument:
known answers of the instrument, its config checks, dated rounds, the scenario's information date,
and a small run end to end whose tables show the counter-tariffs."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

import tests.test_hindsight as hindsight
from sim.config import ConfigError, load_study
from sim.config.instruments import CounterTariff
from sim.config.paths import CONF
from sim.core.issues import us_lines
from sim.model.agents import row_columns
from sim.model.counter_tariffs import CounterTariffLevel
from sim.model.events import EventKind, EventLog
from sim.config.observed import load_observed
from sim.run.runner import replication_seeds, run_model
from tests.conftest import compose_config

ROOT = Path(__file__).resolve().parents[1]
CUTOFF = dt.date(2018, 12, 1)
SCHEDULED = {
    dt.date(2019, 3, 1): "the truce's 90 days end (White House statement, 1 Dec 2018)",
    dt.date(2020, 2, 29): "end of the simulated horizon (a modelling choice)",
    dt.date(2020, 3, 1): "the court-hearing placeholder after the horizon (no court case; a modelling choice)",
}
FILES = [CONF / "scenario" / "us_china_2018.yaml", CONF / "country" / "chn.yaml", CONF / "country" / "usa_2018.yaml"]
CHINA = CounterTariff(initial=20.0, floor=7.0, max_rate=30.0, response=0.5, us_cost=0.03)


def _data(*overrides: str) -> dict:
    return OmegaConf.to_container(compose_config("scenario=us_china_2018", *overrides), resolve=True)


# The instrument: known answers.

def test_no_deal_costs_the_us_in_proportion_to_the_counter_tariff_above_its_floor():
    level = CounterTariffLevel(CHINA, "CHN", us_start=9.0)
    assert level.us_cost() == pytest.approx(0.03 * 13.0 / 10.0)
    level.rate = 5.0  # below the floor: costs nothing
    assert level.us_cost() == 0.0


def test_a_us_increase_is_answered_in_kind_up_to_the_ceiling():
    log, level = EventLog(), CounterTariffLevel(CHINA, "CHN", us_start=9.0)
    assert level.answer(log, 3, 6.0, "letter rate") and level.rate == pytest.approx(23.0)  # 20 + 0.5 x 6
    assert level.answer(log, 4, 40.0, "letter rate") and level.rate == 30.0  # the ceiling
    assert not level.answer(log, 5, 6.0, "letter rate")  # at the ceiling: no round, nothing logged
    assert not level.answer(log, 5, -2.0, "cut")  # a US cut is no increase
    assert [row[1] for row in log.rows] == [EventKind.COUNTER_TARIFF] * 2
    still = CounterTariffLevel(CounterTariff(initial=20.0, floor=7.0, max_rate=30.0, response=0.0, us_cost=0.03), "CHN", us_start=9.0)
    assert not still.answer(log, 6, 6.0, "letter rate") and still.rate == 20.0  # response 0: rounds only


def test_a_deal_undoes_the_answers_to_what_it_removes_first():
    log = EventLog()
    level = CounterTariffLevel(CHINA, "CHN", us_start=9.0)
    level.answer(log, 1, 6.0, "letter rate")  # 20 -> 23
    level.after_deal(log, 10, us_before=15.0, us_after=12.0, us_lowest=3.0)  # half the answered points
    assert level.rate == pytest.approx(21.5) and level.deal_rate == level.rate
    back = CounterTariffLevel(CHINA, "CHN", us_start=9.0)
    back.answer(log, 1, 6.0, "letter rate")
    back.after_deal(log, 10, us_before=15.0, us_after=9.0, us_lowest=3.0)  # the US back to its first-day rate
    assert back.rate == pytest.approx(20.0)


def test_a_deal_below_the_first_day_rate_removes_the_same_share_of_the_rest():
    log = EventLog()
    level = CounterTariffLevel(CHINA, "CHN", us_start=9.0)
    level.after_deal(log, 10, us_before=9.0, us_after=6.0, us_lowest=3.0)  # half of 9 - 3
    assert level.rate == pytest.approx(7.0 + 13.0 * 0.5)
    full = CounterTariffLevel(CHINA, "CHN", us_start=9.0)
    full.answer(log, 1, 6.0, "letter rate")
    full.after_deal(log, 10, us_before=15.0, us_after=3.0, us_lowest=3.0)
    assert full.rate == 7.0  # every US point removed: back to the floor
    none = CounterTariffLevel(CHINA, "CHN", us_start=9.0)
    none.after_deal(log, 10, us_before=9.5, us_after=12.0, us_lowest=3.0)  # the deal raised the US line
    assert none.rate == 20.0


def test_a_dated_round_sets_the_rate_within_floor_and_ceiling():
    log, level = EventLog(), CounterTariffLevel(CHINA, "CHN", us_start=9.0)
    level.set_rate(log, 1, 50.0, "round")
    assert level.rate == 30.0
    level.set_rate(log, 2, 12.0, "truce")
    assert level.rate == 12.0 and "20.0% -> 30.0%" in log.rows[0][4]


# Config: declared per partner, optional, checked.

def test_the_instrument_is_optional_and_off_in_the_baseline(baseline):
    assert all(p.counter_tariff is None for p in baseline.scenario.partners.values())
    china = load_study(_data()).scenario.partners["CHN"].counter_tariff
    assert china is not None and china.floor <= china.initial <= china.max_rate and china.response > 0


@pytest.mark.parametrize("key, value, message", [
    ("initial", 5.0, "scenario.partners.CHN.counter_tariff.initial=5.0: must lie within"),
    ("max_rate", 3.0, "scenario.partners.CHN.counter_tariff.max_rate=3.0: must be at least"),
    ("us_cost", 2.0, "scenario.partners.CHN.counter_tariff.us_cost=2.0: must be a number in [0, 1]"),
    ("respons", 1.0, "scenario.partners.CHN.counter_tariff.respons"),
])
def test_bad_counter_tariff_settings_are_refused_by_name(key, value, message):
    data = _data()
    data["scenario"]["partners"]["CHN"]["counter_tariff"][key] = value
    with pytest.raises(ConfigError) as caught:
        load_study(data)
    assert message in str(caught.value)


def test_a_round_for_a_partner_without_the_instrument_is_refused(baseline):
    data = OmegaConf.to_container(compose_config(), resolve=True)
    data["scenario"]["events"].append({"date": "2025-05-01", "kind": "partner_rate_change", "targets": ["EU"],
                                       "amount": 25.0, "detail": "EU countermeasures"})
    data["scenario"]["events"].append({"date": "2025-05-02", "kind": "truce", "amount": 0})
    with pytest.raises(ConfigError) as caught:
        load_study(data)
    text = str(caught.value)
    assert "a partner_rate_change event may target only partners that declare a counter_tariff (none does)" in text
    assert "EU declares none" in text
    assert "scenario.events[9].amount=0.0: must be a whole number of days in [1, 3650]" in text


def test_a_dated_round_and_a_truce_move_the_rate_and_the_deadline():
    data = _data("scenario.partners.CHN.counter_tariff.response=0")
    data["scenario"]["events"] += [
        {"date": "2018-12-11", "kind": "partner_rate_change", "targets": ["CHN"], "amount": 12.0, "detail": "a cut"},
        {"date": "2018-12-21", "kind": "truce", "targets": ["CHN"], "amount": 30, "detail": "a second truce"}]
    scenario = load_study(data).scenario
    model = run_model(scenario, replication_seeds(1, 1)[0])
    column = row_columns(us_lines(scenario.issues)).index("counter_tariff")
    series = [row[2][column] for row in model.datacollector.model_vars["day"]]  # CHN's row is the only one
    assert series[9] == 20.5 and series[10] == 12.0
    truces = [row for row in model.log.rows if row[1] is EventKind.TRUCE]
    assert [row[0] for row in truces] == [0, 20] and "deadline now 2019-01-20" in truces[1][4]


# The scenario's information date: 1 Dec 2018.

def test_no_input_of_the_scenario_is_dated_after_its_start(monkeypatch):
    monkeypatch.setattr(hindsight, "YEAR", CUTOFF.year)
    late = []
    for path in FILES:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            late += [f"{path.name}:{number}: {words!r} in: {line.strip()}" for date, words in hindsight.dates_in(line)
                     if date > CUTOFF and date not in SCHEDULED]
    assert not late, "hindsight in us_china_2018:\n  " + "\n  ".join(late)


def test_every_judgement_of_the_scenario_names_its_plausible_range():
    vague = [f"{path.name}:{number}: {text.strip()}" for path in FILES for number, text in hindsight.comments(path)
             if re.search(r"\bjudgement\b[,:]", text) and not re.search(r"plausible[^0-9#]*[-+±]?\d", text)]
    assert not vague, "judgements without a plausible range:\n  " + "\n  ".join(vague)


def test_what_happened_later_is_an_observed_outcome():
    observed = load_observed(CONF / "observed" / "us_china_after_2018-12-01.yaml")
    assert [d.partner for d in observed.deals] == ["CHN"]
    assert all(e.date > CUTOFF for e in observed.events)


# End to end: a small run of the scenario with figures.

def test_the_escalation_scenario_runs_and_its_tables_show_the_counter_tariffs(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "sim", "scenario=us_china_2018", "replications=6", "seed=7",
                           "hydra.run.dir=run"], cwd=tmp_path, env=env, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=300)
    assert done.returncode == 0, done.stdout
    assert re.search(r"^CHN\s", done.stdout, re.M), done.stdout
    run = tmp_path / "run"
    ts = pd.read_parquet(run / "timeseries.parquet")
    assert set(ts["partner"]) == {"CHN"}
    assert (ts.loc[ts["day"] == 0, "counter_tariff"] == 20.5).all()
    assert ts["counter_tariff"].notna().all() and ts["counter_tariff"].between(7.0, 35.0).all()
    runs = pd.read_parquet(run / "runs.parquet")
    assert runs["final_counter_tariff"].notna().all()
    in_force = runs[runs["effective_day"].notna() & (runs["effective_day"] < ts["day"].max())]
    assert not in_force.empty and in_force["agreed_counter_tariff"].notna().all()
    events = pd.read_parquet(run / "events.parquet")
    assert {"truce", "counter_tariff"} <= set(events["kind"])
    assert events.loc[events["kind"] == "counter_tariff", "actor"].eq("CHN").all()
    for stem in ("dance", "tariff_paths", "deal_dates"):
        assert (run / "figures" / f"{stem}.png").stat().st_size > 1000
    assert math.isclose(ts["counter_tariff"].iloc[0], 20.5)


def test_a_us_cut_outside_the_talks_is_answered_by_undoing_the_answers():
    log = EventLog()
    level = CounterTariffLevel(CHINA, "CHN", us_start=9.0)
    assert not level.ease(log, 1, 3.0, "cut")  # nothing answered yet: nothing to undo
    level.answer(log, 2, 6.0, "letter rate")  # 20 -> 23
    assert level.ease(log, 3, 3.0, "truce cut") and level.rate == pytest.approx(21.5)
    assert level.ease(log, 4, 10.0, "truce cut") and level.rate == pytest.approx(20.0)
    assert level.rate >= CHINA.floor and [row[1] for row in log.rows] == [EventKind.COUNTER_TARIFF] * 3


def test_a_truce_that_lowers_the_us_rate_lowers_the_answer_to_it():
    """A truce with its rate changes: the US rate raised on the record, answered, then cut in a
    truce; the counter-tariff follows it down, and the deadline moves to the truce's end."""
    data = _data()
    data["scenario"]["events"] += [
        {"date": "2018-12-11", "kind": "sector_tariff", "issue": "reciprocal", "targets": ["CHN"], "amount": 15.5,
         "detail": "the 25% applies"},
        {"date": "2018-12-21", "kind": "sector_tariff", "issue": "reciprocal", "targets": ["CHN"], "amount": 9.5,
         "detail": "the increase suspended"},
        {"date": "2018-12-21", "kind": "truce", "targets": ["CHN"], "amount": 60, "detail": "a truce"}]
    model = run_model(load_study(data).scenario, replication_seeds(1, 1)[0])
    column = row_columns(us_lines(model.scenario.issues)).index("counter_tariff")
    series = [row[2][column] for row in model.datacollector.model_vars["day"]]
    assert series[9] == 20.5 and series[10] == pytest.approx(20.5 + 0.6 * 6.0) and series[20] == pytest.approx(20.5)
    assert model.log.of_kind(EventKind.TRUCE)[-1][0] == 20


def test_the_baseline_logs_no_counter_tariff_and_records_none(baseline):
    model = run_model(baseline.scenario, replication_seeds(3, 1)[0])
    assert not model.log.of_kind(EventKind.COUNTER_TARIFF) and not model.log.of_kind(EventKind.TRUCE)
    column = row_columns(us_lines(baseline.scenario.issues)).index("counter_tariff")
    assert all(math.isnan(row[column]) for day in model.datacollector.model_vars["day"] for row in day[2:])


def test_a_deal_back_to_the_first_day_rate_leaves_an_unanswering_partner_where_it_was():
    log = EventLog()
    still = CounterTariffLevel(CounterTariff(initial=20.0, floor=7.0, max_rate=30.0, response=0.0, us_cost=0.03), "CHN", us_start=9.0)
    assert not still.answer(log, 1, 6.0, "letter rate")  # response 0: no round
    still.after_deal(log, 10, us_before=15.0, us_after=9.0, us_lowest=3.0)
    assert still.rate == 20.0
    still.after_deal(log, 11, us_before=9.0, us_after=6.0, us_lowest=3.0)  # then half the first day's room
    assert still.rate == pytest.approx(7.0 + 13.0 * 0.5)
