"""``tariffsim-calibrate``: the study format, the cut-off, the statistics and distance, resuming from
the database, the point estimate's config, and Ctrl-C (docs/calibration.md)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.apps.calibrate import main
from sim.analysis.calibration import (CalibrationInputError, Target, check_priors, distance, fit_targets, point_estimate,
                             simulate)
from sim.config.calibration_study import CalibrationStudy, Prior, load_calibration
from sim.analysis.calibration_outputs import point_config
from sim.config import ConfigError, load_study
from sim.config.paths import CONF
from sim.apps.sensitivity import base_config

ROOT = Path(__file__).resolve().parents[1]
TINY = {"observed": "state_2025-07-01", "cutoff": "2025-07-01", "replications": 2, "population": 4,
        "generations": 1, "seed": 7,
        "parameters": [{"key": "scenario.us.strategy.beta", "low": 0.2, "high": 1.0},
                       {"key": "scenario.environment.market_stress.threshold", "low": 0.25, "high": 0.5}]}


def study_file(tmp_path: Path, name: str = "tiny", **changes) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({**TINY, **changes}), encoding="utf-8")
    return path


def study(**changes) -> CalibrationStudy:
    data = {**TINY, **changes}
    return CalibrationStudy(name="t", observed=data["observed"], cutoff=dt.date.fromisoformat(data["cutoff"]),
                            replications=data["replications"], population=data["population"],
                            generations=data["generations"], min_epsilon=0.0, seed=data["seed"],
                            point_estimate=data.get("point_estimate", "median"),
                            parameters=tuple(Prior(p["key"], p["low"], p["high"]) for p in data["parameters"]),
                            overrides=())


@pytest.fixture(scope="module")
def base():
    return base_config()


# --- the study file and bad input -------------------------------------------------------------

def test_the_shipped_quick_study_loads():
    quick = load_calibration("quick")
    assert quick.cutoff == dt.date(2025, 7, 1) and quick.observed == "state_2025-07-01"
    assert [p.key for p in quick.parameters] == ["scenario.us.strategy.beta",
                                                  "scenario.environment.market_stress.threshold"]


def test_a_bad_study_file_is_refused_naming_every_bad_key(tmp_path):
    path = study_file(tmp_path, populaton=4, generations=0,
                      parameters=[{"key": "scenario.us.strategy.beta", "low": 1.0, "high": 0.2, "prior": "gamma"}])
    with pytest.raises(ConfigError) as refused:
        load_calibration(path)
    text = str(refused.value)
    assert "populaton=4: is not a known key" in text and "did you mean population?" in text
    assert "generations=0: must be a whole number in [1, 1000]" in text
    assert "parameters[0].high=0.2: must be greater than low (1)" in text
    assert "parameters[0].prior='gamma': must be one of uniform, normal" in text


def test_a_normal_prior_needs_its_mean_inside_the_range(tmp_path):
    path = study_file(tmp_path, parameters=[{"key": "scenario.us.strategy.beta", "low": 0.2, "high": 1.0,
                                             "prior": "normal", "mean": 1.5, "sd": 0.2}])
    with pytest.raises(ConfigError, match=r"parameters\[0\].mean=1.5: must be a number in \[0.2, 1\]"):
        load_calibration(path)


def run_refused(tmp_path, capsys, **changes) -> str:
    out = tmp_path / "out"
    code = main([str(study_file(tmp_path, **changes)), "--out", str(out), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert not out.exists(), "a refused study must leave nothing behind"
    return err


def test_an_unknown_parameter_key_is_refused_before_anything_runs(tmp_path, capsys):
    err = run_refused(tmp_path, capsys, parameters=[{"key": "scenario.us.strategy.betta", "low": 0.2, "high": 1.0}])
    assert "scenario.us.strategy.betta: no 'scenario.us.strategy.betta' in the config" in err


def test_a_prior_range_the_schema_refuses_is_refused_before_anything_runs(tmp_path, capsys):
    err = run_refused(tmp_path, capsys,
                      parameters=[{"key": "scenario.partners.KOR.strategy.beta", "low": 0.5, "high": 2.5}])
    assert "scenario.partners.KOR.strategy.beta=2.5 (its prior's range 0.5-2.5) gives an invalid config" in err
    assert "beta must be in (0, 1) for a Boulware" in err


def test_observations_after_the_cut_off_are_refused_naming_the_item_and_its_date(tmp_path, capsys):
    err = run_refused(tmp_path, capsys, observed="after_2025-07-01")
    assert "deals[VNM].announced = 2025-07-02 is after the cut-off 2025-07-01" in err
    assert "Keep them for validation (tariffsim-validate" in err


def test_an_effective_date_after_the_cut_off_is_refused_too(tmp_path, base):
    observed = tmp_path / "seen.yaml"
    observed.write_text(yaml.safe_dump({"as_of": "2025-07-31", "deals": [
        {"partner": "VNM", "announced": "2025-07-02", "effective": "2025-08-07", "source": "a report"}]}))
    scenario = load_study(base).scenario
    with pytest.raises(CalibrationInputError, match=r"deals\[VNM\].effective = 2025-08-07 is after the cut-off "
                                                    r"2025-07-15"):
        fit_targets(study(observed=str(observed), cutoff="2025-07-15"), scenario)


def test_a_cut_off_outside_the_horizon_is_refused(base):
    with pytest.raises(CalibrationInputError, match="cutoff 2025-12-01 lies outside the scenario's horizon"):
        fit_targets(study(cutoff="2025-12-01"), load_study(base).scenario)


def test_bounds_inside_the_schema_pass_the_check(base):
    assert check_priors(base, study()).name == "baseline_2025"


# --- statistics and distance ------------------------------------------------------------------

def test_the_state_of_play_gives_one_deal_by_the_cut_off_statistic_per_partner(base):
    targets, path = fit_targets(study(), load_study(base).scenario)
    assert path.name == "state_2025-07-01.yaml"
    assert [(t.kind, t.partner, t.day, t.observed) for t in targets] == [
        ("deal_by", code, 83, 0.0) for code in ("JPN", "EU", "CAN", "KOR", "VNM")]


def test_a_deal_before_the_cut_off_adds_its_day_and_rates(tmp_path, base):
    observed = tmp_path / "seen.yaml"
    observed.write_text(yaml.safe_dump({"as_of": "2025-07-10", "check_dates": ["2025-07-05"], "deals": [
        {"partner": "VNM", "announced": "2025-07-02", "rates": {"reciprocal": 20.0}, "source": "a report"}],
        "status_quo": {"date": "2025-07-01", "rates": {"reciprocal": 10.0}, "source": "a report"}}))
    targets, _ = fit_targets(study(observed=str(observed), cutoff="2025-07-10"), load_study(base).scenario)
    named = {t.name: t for t in targets}
    assert named["deal by 2025-07-05 VNM"].observed == 1.0 and named["deal by 2025-07-10 VNM"].observed == 1.0
    assert named["deal day VNM"].observed == 84 and named["deal day VNM"].scale == 30.0
    assert named["rate reciprocal VNM"].observed == 20.0 and named["rate reciprocal VNM"].scale == 10.0
    assert named["rate reciprocal VNM"].status_quo == 10.0  # the file's: what no deal forecasts
    assert "deal by 2025-07-05 JPN" not in named  # the file does not say whether Japan had a deal


def test_the_distance_is_the_mean_of_squared_scaled_differences():
    scales = {"share": 1.0, "day": 30.0, "rate": 10.0}
    got = distance({"share": 0.5, "day": 60.0, "rate": 15.0}, {"share": 0.0, "day": 90.0, "rate": 20.0}, scales)
    assert got == pytest.approx((0.25 + 1.0 + 0.25) / 3)


def test_the_statistics_are_the_shares_and_means_of_the_replications(base):
    from sim.run.results import run_columns, run_rows
    from sim.run.runner import replication_seeds, run_model

    scenario = load_study(base).scenario
    seeds = replication_seeds(3, 4)
    targets = [Target("deal by VNM", "deal_by", "VNM", 83, 0.0, 1.0), Target("day VNM", "deal_day", "VNM", 83, 84, 30),
               Target("rate VNM", "rate", "VNM", 83, 20.0, 10.0, "reciprocal")]
    got = simulate(scenario, seeds, targets)
    column = {n: i for i, n in enumerate(run_columns(scenario))}
    rows = [r for i, s in enumerate(seeds) for r in run_rows(run_model(scenario, s), i) if r[column["partner"]] == "VNM"]
    dealt = [r for r in rows if r[column["deal"]] and r[column["deal_day"]] <= 83]
    assert got["deal by VNM"] == len(dealt) / 4
    assert got["day VNM"] == pytest.approx(np.mean([r[column["deal_day"]] if r in dealt else 84 for r in rows]))
    assert got["rate VNM"] == pytest.approx(np.mean([r[column["agreed_reciprocal"]] for r in dealt]))


def test_the_point_estimate_is_the_weighted_median_or_mean():
    posterior = pd.DataFrame({"a": [1.0, 2.0, 3.0, 10.0], "weight": [0.1, 0.2, 0.3, 0.4]})
    priors = {"parameters": [{"key": "a", "low": 0, "high": 20}]}
    assert point_estimate(posterior, study(**priors)) == {"a": 3.0}  # cumulative 0.1, 0.3, 0.6: the third
    mean = point_estimate(posterior, study(**priors, point_estimate="mean"))["a"]
    assert mean == pytest.approx(0.1 + 0.4 + 0.9 + 4.0)


def test_the_point_config_holds_what_differs_with_lists_whole():
    default = {"seed": 1, "scenario": {"us": {"beta": 0.5, "k": 0.1}, "events": [{"amount": 1}, {"amount": 2}]}}
    calibrated = {"seed": 1, "scenario": {"us": {"beta": 0.7, "k": 0.1}, "events": [{"amount": 1}, {"amount": 3}]}}
    assert point_config(calibrated, default) == {"scenario": {"us": {"beta": 0.7},
                                                              "events": [{"amount": 1}, {"amount": 3}]}}


# --- a tiny calibration: outputs, resume, the point estimate's run ----------------------------

def read_outputs(out: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    return (pd.read_csv(out / "posterior.csv"), pd.read_csv(out / "generations.csv"),
            json.loads((out / "calibration.json").read_text()))


def test_a_stopped_study_resumes_from_its_database_and_matches_one_run_straight_through(tmp_path, capsys, caplog):
    path = study_file(tmp_path)
    first, straight = tmp_path / "first", tmp_path / "straight"
    assert main([str(path), "--out", str(first), "--workers", "1", "--generations", "1", "--no-figures"]) == 0
    particles = pd.read_parquet(first / "particles.parquet")
    assert sorted(particles["generation"].unique()) == [0]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="tariffsim"):
        assert main([str(path), "--out", str(first), "--workers", "1", "--generations", "2"]) == 0
    assert f"resuming from {first / 'abc.db'}, 1 generation done" in caplog.text
    assert "tiny (ABC-SMC, 2 replications per candidate) [" in caplog.text  # the progress bar, as log lines
    assert "generation 1: 4 accepted of" in caplog.text
    posterior, generations, info = read_outputs(first)
    assert list(generations["generation"]) == [0, 1] and info["resumed_from_generation"] == 1
    resumed = pd.read_parquet(first / "particles.parquet")
    pd.testing.assert_frame_equal(resumed[resumed["generation"] == 0].reset_index(drop=True), particles)
    assert main([str(path), "--out", str(straight), "--workers", "1", "--generations", "2", "--no-figures"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(straight / "posterior.csv"), posterior)
    assert posterior["weight"].sum() == pytest.approx(1.0)
    for key in ("scenario.us.strategy.beta", "scenario.environment.market_stress.threshold"):
        low, high = {p["key"]: (p["low"], p["high"]) for p in TINY["parameters"]}[key]
        assert posterior[key].between(low, high).all()
    for figure in ("marginals.png", "pairwise.png"):
        assert (first / "figures" / figure).stat().st_size > 10_000
    # the database belongs to this study: another study in the same folder is refused
    other = study_file(tmp_path, "other", replications=3)
    assert main([str(other), "--out", str(first), "--workers", "1"]) == 2
    assert "holds the database of another calibration" in capsys.readouterr().err


def test_the_point_estimate_config_runs_as_it_is_with_tariffsim(tmp_path):
    out = tmp_path / "cal"
    assert main([str(study_file(tmp_path)), "--out", str(out), "--workers", "1", "--no-figures"]) == 0
    info = json.loads((out / "calibration.json").read_text())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "sim", "-cd", str(out / "config"), "-cn", "calibrated",
                          "replications=2", "figures=false", f"hydra.run.dir={tmp_path / 'run'}"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    used = yaml.safe_load((tmp_path / "run" / ".hydra" / "config.yaml").read_text())
    assert used["scenario"]["us"]["strategy"]["beta"] == pytest.approx(info["point_estimate"]["scenario.us.strategy.beta"])
    threshold = used["scenario"]["environment"]["market_stress"]["threshold"]
    assert threshold == pytest.approx(info["point_estimate"]["scenario.environment.market_stress.threshold"])
    assert used["replications"] == 2


@pytest.mark.slow  # two spawned workers import the model and pyabc (~10 s on a loaded machine)
def test_two_workers_give_the_posterior_of_one(tmp_path):
    path = study_file(tmp_path, generations=2)
    for workers in ("1", "2"):
        assert main([str(path), "--out", str(tmp_path / workers), "--workers", workers, "--no-figures"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "1" / "posterior.csv"),
                                  pd.read_csv(tmp_path / "2" / "posterior.csv"))


def generations_saved(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute("select count(*) from populations where t >= 0").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow  # a study of a few generations on two workers, interrupted and resumed (~40 s)
def test_ctrl_c_stops_every_process_and_the_same_command_resumes(tmp_path):
    from test_interrupts import _ctrl_c_as_on_a_terminal, assert_gone

    path = study_file(tmp_path, generations=30, population=6, replications=4)
    out = tmp_path / "out"
    command = [sys.executable, "-X", "faulthandler", "-m", "sim.apps.calibrate", str(path), "--out", str(out),
               "--workers", "2", "--no-figures"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TARIFFSIM_DEBUG", None)
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_ctrl_c_as_on_a_terminal)
    deadline = time.monotonic() + 180
    while generations_saved(out / "abc.db") < 1:
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "no generation saved in time"
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        output, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # show where it waits (faulthandler dumps every thread on SIGABRT)
        os.kill(proc.pid, signal.SIGABRT)
        output, _ = proc.communicate(timeout=30)
        os.killpg(proc.pid, signal.SIGKILL)
        dump = output[output.find("Fatal Python error"):] if "Fatal Python error" in output else output
        pytest.fail(f"still running 60 s after Ctrl-C:\n{dump[:8000]}")
    assert proc.returncode == 130, output
    assert "Traceback" not in output and "the same command resumes" in output
    assert_gone(proc.pid)
    assert not (out / "posterior.csv").exists()
    saved = generations_saved(out / "abc.db")
    assert 1 <= saved < 30
    resumed = subprocess.run([*command, "--generations", str(saved + 1)], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming from {out / 'abc.db'}" in resumed.stderr
    assert len(pd.read_csv(out / "generations.csv")) == saved + 1


def test_an_error_raised_while_handling_ctrl_c_counts_as_the_interruption():
    from sim.analysis.calibration import _interrupted

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise RuntimeError("Can't reconnect until invalid transaction is rolled back")
    except RuntimeError as error:
        assert _interrupted(error)
    assert not _interrupted(RuntimeError("a bug"))


@pytest.mark.parametrize("name", sorted(p.stem for p in (CONF / "calibration").glob("*.yaml")))
def test_every_shipped_study_has_valid_priors_and_fits_only_what_its_cutoff_allows(name):
    """Each shipped study loads, every prior bound gives a config the loader accepts (a range wider
    than the config allows is refused before anything runs), and its observed file has something
    to fit up to the cut-off."""
    from sim.apps.sensitivity import base_config

    study = load_calibration(name)
    scenario = check_priors(base_config(tuple(study.overrides)), study)
    targets, _ = fit_targets(study, scenario)
    assert targets


def test_ctrl_c_while_pyabc_runs_is_raised_at_the_executors_next_safe_point():
    """Ctrl-C during pyabc's own code (its database writes hold SQLAlchemy's locks) is only noted,
    and raised when pyabc next asks the executor for work, so no lock is left held."""
    from sim.analysis.calibration import _Executor
    from sim.run.parallel import deferred_stop_signals

    executor, reached = _Executor(None, 1, None), []
    # Python's own Ctrl-C handler, as in a terminal, however pytest was started (a shell without
    # job control starts background jobs with SIGINT ignored).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            with deferred_stop_signals() as held:
                executor.held = held
                signal.raise_signal(signal.SIGINT)  # as if inside a database write: noted, not raised
                reached.append("after the signal")
                executor.safe_point()
                reached.append("after the safe point")
        assert reached == ["after the signal"]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
