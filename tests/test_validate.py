"""tariffsim-validate: observed-outcomes files, the scores against hand-computed values, bad inputs."""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.apps import validate
from sim.config.observed import OBSERVED_DIR, Observed, ObservedError, load_observed
from sim.analysis.validation import Run, ValidationInputError, check_against_run, score, summarise

START, END, DEADLINE = dt.date(2025, 4, 9), dt.date(2025, 9, 30), dt.date(2025, 7, 9)
AFTER = (END - START).days + 1  # 175: a replication without a deal counts as a deal the day after the horizon
OUTPUTS = ("validation.csv", "validation.parquet", "validation.json", "validation_reliability.png",
           "validation_reliability.svg")


def tiny_run() -> Run:
    """Four replications, two partners: Japan deals on days 90, 104, 120 or not at all; Canada on day 50 once."""
    rows = []
    jpn = [(90, 15.0), (104, 20.0), (120, 10.0), (None, None)]
    can = [(50, 12.0), (None, None), (None, None), (None, None)]
    for run_id in range(4):
        for partner, (day, rate) in (("JPN", jpn[run_id]), ("CAN", can[run_id])):
            rows.append({"run_id": run_id, "partner": partner, "deal": day is not None,
                         "deal_day": day, "effective_day": None if day is None else day + 10,
                         "letter": partner == "CAN", "extended_deadline": run_id < 3,
                         "agreed_reciprocal": np.nan if rate is None else rate, "agreed_autos": np.nan,
                         "agreed_steel": np.nan})
    runs = pd.DataFrame(rows)
    runs["deal_day"] = runs["deal_day"].astype("Int64")
    runs["effective_day"] = runs["effective_day"].astype("Int64")
    return Run(runs, START, END, DEADLINE, ["JPN", "CAN"])


def tiny_observed(**extra) -> Observed:
    return Observed.model_validate({
        "as_of": "2025-09-30", "check_dates": ["2025-07-22"],
        "deals": [{"partner": "JPN", "announced": "2025-07-22", "rates": {"reciprocal": 15.0}, "source": "test"}],
        "no_deals": [{"partner": "CAN", "through": "2025-09-30", "source": "test"}],
        "status_quo": {"date": "2025-07-01", "rates": {"reciprocal": 10.0}, "source": "test"}, **extra})


def crps_by_hand(members: list[float], y: float) -> float:
    """E|X - y| - E|X - X'|/2 over the ensemble's empirical distribution, written out."""
    m = len(members)
    spread = sum(abs(a - b) for a in members for b in members) / (2 * m * m)
    return sum(abs(x - y) for x in members) / m - spread


def row(table: pd.DataFrame, item: str, partner: str, forecaster: str) -> pd.Series:
    picked = table[(table["item"] == item) & (table["partner"] == partner) & (table["forecaster"] == forecaster)]
    assert len(picked) == 1, (item, partner, forecaster, picked)
    return picked.iloc[0]


def test_deal_by_date_brier_and_log_score_match_hand_computed_values():
    table = score(tiny_run(), tiny_observed())
    # 22 Jul is day 104: Japan dealt by then in replications 0 and 1 of 4 (p = 0.5) and did deal;
    # Canada in replication 0 (p = 0.25) and did not. Base rate: 3 of 8 rows.
    jpn, can = row(table, "deal by date", "JPN", "model"), row(table, "deal by date", "CAN", "model")
    assert (jpn["forecast"], jpn["observed"], can["forecast"], can["observed"]) == (0.5, 1.0, 0.25, 0.0)
    assert jpn["brier"] == pytest.approx(0.25) and can["brier"] == pytest.approx(0.0625)
    assert jpn["log_score"] == pytest.approx(math.log(2)) and can["log_score"] == pytest.approx(-math.log(0.75))
    base = row(table, "deal by date", "JPN", "naive base rate")
    assert base["forecast"] == pytest.approx(0.375) and base["brier"] == pytest.approx(0.625 ** 2)
    assert base["log_score"] == pytest.approx(-math.log(0.375))
    coin = row(table, "deal by date", "CAN", "naive 50/50")
    assert coin["brier"] == pytest.approx(0.25) and coin["log_score"] == pytest.approx(math.log(2))


def test_deal_day_and_rate_crps_match_hand_computed_values():
    table = score(tiny_run(), tiny_observed())
    jpn = row(table, "deal day", "JPN", "model")
    # members 90, 104, 120 and 175 (no deal): mean |x - 104| = 25.25, half mean |x - x'| = 16.9375
    assert crps_by_hand([90, 104, 120, AFTER], 104) == pytest.approx(8.3125)
    assert jpn["crps"] == pytest.approx(8.3125) and jpn["members"] == 4
    assert row(table, "deal day", "JPN", "naive deadline")["crps"] == pytest.approx(13)  # |91 - 104|
    # Canada never dealt in the horizon: observed the day after it, against 50, 175, 175, 175
    can = row(table, "deal day", "CAN", "model")
    assert can["observed"] == AFTER and can["crps"] == pytest.approx(crps_by_hand([50, AFTER, AFTER, AFTER], AFTER))
    assert can["crps"] == pytest.approx(125 / 4 - 3 * 125 * 2 / 32)
    rate = row(table, "rate reciprocal", "JPN", "model")  # over the three deals: 15, 20, 10
    assert rate["crps"] == pytest.approx(10 / 9) and rate["members"] == 3
    assert (rate["in_50"], rate["in_90"]) == (1.0, 1.0)  # quartiles 12.5 and 17.5
    assert row(table, "rate reciprocal", "JPN", "naive status quo")["crps"] == pytest.approx(
        abs(10.0 - 15))  # the file's status quo: 10%


def test_an_observation_outside_the_ensembles_intervals_is_not_covered():
    observed = tiny_observed(deals=[{"partner": "JPN", "announced": "2025-07-22", "rates": {"reciprocal": 30.0},
                                     "source": "test"}])
    rate = row(score(tiny_run(), observed), "rate reciprocal", "JPN", "model")
    assert (rate["in_50"], rate["in_90"]) == (0.0, 0.0)
    assert rate["crps"] == pytest.approx(crps_by_hand([15, 20, 10], 30))


def test_a_share_of_zero_is_floored_in_the_log_score_only():
    observed = tiny_observed(check_dates=["2025-04-10"])  # day 1: no deal anywhere yet, and none observed
    table = score(tiny_run(), tiny_observed(check_dates=["2025-05-29"]))  # day 50: Canada in 1 of 4
    assert row(table, "deal by date", "JPN", "model")["forecast"] == 0.0
    assert row(table, "deal by date", "JPN", "model")["log_score"] == pytest.approx(0.0 - math.log(1 - 0.5 / 4))
    assert row(score(tiny_run(), observed), "deal by date", "JPN", "model")["brier"] == 0.0


def test_letters_and_the_extension_are_scored_when_the_file_covers_the_horizon():
    events = [{"kind": "extension", "date": "2025-07-07", "new_deadline": "2025-08-01", "source": "test"},
              {"kind": "letter", "date": "2025-07-10", "partner": "CAN", "source": "test"}]
    table = score(tiny_run(), tiny_observed(events=events))
    extended = row(table, "deadline extended", "ALL", "model")
    assert extended["forecast"] == 0.75 and extended["brier"] == pytest.approx(0.0625)
    assert row(table, "letter", "CAN", "model")["brier"] == 0.0
    assert row(table, "letter", "JPN", "model")["brier"] == 0.0  # no letter observed, none in the runs
    summary = summarise(table)
    assert set(summary["forecaster"]) >= {"model", "naive 50/50", "naive base rate", "naive deadline"}


# --- the file format ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["state_2025-07-01", "after_2025-07-01"])
def test_the_shipped_files_load_and_cite_a_source_for_every_item(name):
    observed = load_observed(OBSERVED_DIR / f"{name}.yaml")
    items = [*observed.deals, *observed.no_deals, *observed.events]
    assert items and all(len(item.source) > 10 for item in items)
    assert observed.partners() == {"JPN", "EU", "CAN", "KOR", "VNM"}


def test_the_files_say_what_was_known_then_and_what_came_after():
    state = load_observed(OBSERVED_DIR / "state_2025-07-01.yaml")
    after = load_observed(OBSERVED_DIR / "after_2025-07-01.yaml")
    assert state.as_of == dt.date(2025, 7, 1) and not state.deals
    assert {d.partner: (d.announced.isoformat(), d.rates["reciprocal"]) for d in after.deals} == {
        "VNM": ("2025-07-02", 20.0), "JPN": ("2025-07-22", 15.0), "EU": ("2025-07-27", 15.0),
        "KOR": ("2025-07-30", 15.0)}
    assert after.deal_by("CAN", dt.date(2025, 9, 30)) is False
    assert [e.new_deadline for e in after.events if e.kind == "extension"] == [dt.date(2025, 8, 1)]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "observed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, words", [
    ("as_of: 2025-09-30\nchek_dates: [2025-07-09]\n",
     ["chek_dates=['2025-07-09']: is not a known key here", "did you mean check_dates?"]),
    ("as_of: 2025-09-30\ndeals:\n  - {partner: JPN, announced: 2025-07-22, source: a report, rate: 15}\n",
     ["deals[0].rate=15: is not a known key here", "did you mean deals[0].rates?"]),
    ("as_of: 2025-09-30\ndeals:\n  - {partner: JPN, announced: 2025-07-22, source: a report, rates: {reciprocal: 120}}\n",
     ["deals[0].rates.reciprocal=120: must be a tariff in percent, within 0–100"]),
    ("as_of: 2025-09-30\ndeals:\n  - {partner: JPN, announced: 2025-07-22, source: a report, rates: {cars: 15}}\n",
     ["status_quo=None: must give the rate in force of each line the deals give rates for (cars;"]),
    ("as_of: 2025-09-30\ndeals:\n  - {partner: JPN, announced: 2025-07-22, source: a report, rates: {Cars: 15}}\n",
     ["deals[0].rates.Cars=15.0: must name a US tariff line of the scenario (scenario.issues) in lower-case"]),
    ("as_of: 2025-09-30\nno_deals:\n  - {partner: CAN, through: 31 July, source: a report}\n",
     ["no_deals[0].through='31 July': must be a real calendar date written YYYY-MM-DD"]),
    ("as_of: 2025-09-30\nevents:\n  - {kind: tweet, date: 2025-07-07, source: a report}\n",
     ["events[0].kind='tweet': must be one of deadline, extension"]),
    ("as_of: 2025-07-01\ncheck_dates: [2025-08-01]\n", ["check_dates[0]='2025-08-01': must be no later than as_of"]),
    ("as_of: 2025-09-30\ndeals: [{partner: JPN, announced: 2025-07-22}]\n", ["deals[0].source=None: is required"]),
    ("as_of: 2025-09-30\ndeals: [{partner: JPN, announced: 2025-07-22, source: a, effective: 2025-07-01}]\n"
     "events: [{kind: extension, date: 2025-07-07, source: a report}]\n",  # every error at once
     ["deals[0].source='a': must name the public report", "deals[0].effective='2025-07-01': must be on or after "
      "announced (2025-07-22)", "events[0].new_deadline=None: is required for an event of kind extension"]),
    ("as_of: 2025-09-30\ndeals: [{partner: JPN, announced: 2025-07-22, source: a report},"
     " {partner: JPN, announced: 2025-07-23, source: a report}]\n"
     "no_deals: [{partner: JPN, through: 2025-08-01, source: a report}]\n",
     ["deals='JPN': lists this partner twice", "no_deals[0].through='2025-08-01': must be before the deal with JPN"]),
    ("as_of: [2025\n", ["not valid YAML", "line"]),
    ("- a list\n", ["expected a mapping"]),
])
def test_a_bad_file_is_refused_naming_the_key_the_value_and_what_is_allowed(tmp_path, text, words):
    with pytest.raises(ObservedError) as refused:
        load_observed(write(tmp_path, text))
    message = str(refused.value)
    assert str(tmp_path / "observed.yaml") in message
    for word in words:
        assert word in message, (word, message)


# --- the command ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    """A real run of 20 replications of the baseline."""
    run_dir = tmp_path_factory.mktemp("validate") / "run"
    done = subprocess.run([sys.executable, "-m", "sim", "replications=20", "figures=false",
                           f"hydra.run.dir={run_dir}"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return run_dir


def test_the_command_scores_a_real_run_and_writes_its_files(small_run):
    done = subprocess.run([sys.executable, "-m", "sim.apps.validate", str(small_run), "after_2025-07-01"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "deal by date" in done.stdout and "naive 50/50" in done.stdout and "Traceback" not in done.stderr
    for name in OUTPUTS:
        assert (small_run / name).stat().st_size > 0, name
    table = pd.read_parquet(small_run / "validation.parquet")
    assert set(table["forecaster"]) >= {"model", "naive 50/50", "naive base rate", "naive deadline",
                                        "naive status quo"}
    model = table[table["forecaster"] == "model"]
    assert model["forecast"][model["kind"] == "binary"].between(0, 1).all()
    coverage = model[["in_50", "in_90"]].dropna()
    assert len(coverage) >= 9 and coverage.isin([0.0, 1.0]).all().all()
    assert (coverage["in_50"] <= coverage["in_90"]).all()  # the 50% interval lies inside the 90% one
    info = json.loads((small_run / "validation.json").read_text())
    assert info["replications"] == 20 and len(info["items"]) == len(table)
    for entry in info["summary"]:
        for key in ("in_50", "in_90"):
            assert entry[key] is None or 0 <= entry[key] <= 1
    assert not list(small_run.glob(".validation*.tmp"))


def _refused(run_dir: Path, observed: str | Path, capsys) -> str:
    status = validate.main([str(run_dir), str(observed)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.count("\n") == 1 and err.startswith("tariffsim-validate: ") and "Traceback" not in err
    return err


def test_bad_inputs_give_one_line_exit_2_and_write_nothing(small_run, tmp_path, capsys):
    for name in OUTPUTS:
        (small_run / name).unlink(missing_ok=True)
    assert "does not exist" in _refused(tmp_path / "missing", "after_2025-07-01", capsys)
    assert "holds no run" in _refused(tmp_path, "after_2025-07-01", capsys)
    assert "not valid YAML" in _refused(small_run, write(tmp_path, "as_of: [\n"), capsys)
    assert "no such file" in _refused(small_run, tmp_path / "nowhere.yaml", capsys)
    mex = write(tmp_path, "as_of: 2025-09-30\nno_deals: [{partner: MEX, through: 2025-09-30, source: a report}]\n")
    assert "partner MEX is not in the run; its partners are JPN, EU, CAN, KOR, VNM" in _refused(small_run, mex, capsys)
    late = write(tmp_path, "as_of: 2025-12-31\ncheck_dates: [2025-10-15]\n")
    message = _refused(small_run, late, capsys)
    assert "check_dates = 2025-10-15" in message and "2025-04-09 to 2025-09-30" in message
    assert not [p for p in small_run.iterdir() if p.name.startswith(("validation", ".validation"))]


def test_help_is_plain_text(capsys):
    with pytest.raises(SystemExit) as stopped:
        validate.main(["--help"])
    assert stopped.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: tariffsim-validate") and "``" not in text


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory) -> Path:
    """A real sweep of two jobs (deadline 9 Jul and 1 Aug), 20 replications each, one by one."""
    sweep_dir = tmp_path_factory.mktemp("validate_sweep") / "sweep"
    done = subprocess.run([sys.executable, "-m", "sim", "-m", "scenario.deadline=2025-07-09,2025-08-01",
                           "replications=20", "figures=false", "print_table=false", "hydra/launcher=basic",
                           f"hydra.sweep.dir={sweep_dir}"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return sweep_dir


def test_a_sweep_is_scored_job_by_job_with_its_swept_values(small_sweep):
    done = subprocess.run([sys.executable, "-m", "sim.apps.validate", str(small_sweep), "after_2025-07-01"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "scored 2 jobs" in done.stdout
    study = pd.read_parquet(small_sweep / "validation_study.parquet")
    assert list(study.columns[:2]) == ["job", "scenario.deadline"]
    assert sorted(study["job"].unique()) == ["0", "1"]
    for job in ("0", "1"):  # each job's own files, and the study table holds the same mean scores
        summary = summarise(pd.read_parquet(small_sweep / job / "validation.parquet"))
        mine = study[study["job"] == job].drop(columns=["job", "scenario.deadline"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, summary, check_dtype=False)
        assert (small_sweep / job / "validation_reliability.png").stat().st_size > 0
    # the deadline moves the naive deadline forecast, so the two jobs' scores differ
    naive = study[(study["forecaster"] == "naive deadline")].groupby("job")["crps"].mean()
    assert naive["0"] != naive["1"]


def test_a_sweep_with_an_unfinished_job_is_refused_and_nothing_is_written(small_sweep, tmp_path, capsys):
    import shutil

    copy = tmp_path / "sweep"
    shutil.copytree(small_sweep, copy)
    for path in copy.rglob("validation*"):
        path.unlink()
    (copy / "1" / "summary.json").unlink()
    assert validate.main([str(copy), "after_2025-07-01"]) == 2
    err = capsys.readouterr().err
    assert "1 of 2 jobs are not complete" in err and "Traceback" not in err
    assert not list(copy.rglob("validation*")) and not list(copy.rglob("*.tmp"))


def test_the_html_report_shows_the_scores_of_a_run_and_of_a_sweep(small_run, small_sweep, tmp_path):
    from sim.plots.html_report import write_html_report

    for where in (small_run, small_sweep):
        assert subprocess.run([sys.executable, "-m", "sim.apps.validate", str(where), "after_2025-07-01"],
                              capture_output=True, timeout=300).returncode == 0
        page = write_html_report(where, out=tmp_path / where.name).read_text(encoding="utf-8")
        assert "<h2>Validation</h2>" in page and "naive 50/50" in page and "brier" in page
        validation = page.split("<h2>Validation</h2>")[1].split("<h2>")[0]
        if where == small_run:  # the run's reliability diagram, and the file it was scored against
            assert "after_2025-07-01.yaml" in validation and "data:image/png" in validation
        else:  # a sweep: the mean scores per job, with the swept deadline
            assert "<th>deadline</th>" in validation and "<th>job</th>" in validation


def test_the_html_report_has_no_validation_section_before_validating(tmp_path, small_run):
    import shutil

    from sim.plots.html_report import write_html_report

    copy = tmp_path / "run"
    shutil.copytree(small_run, copy)
    for path in copy.glob("validation*"):
        path.unlink()
    assert "<h2>Validation</h2>" not in write_html_report(copy).read_text(encoding="utf-8")


def test_rates_of_a_line_the_runs_scenario_lacks_are_refused_naming_it():
    """Lines are the scenario's (scenario.issues): a run without agreed_cars cannot score a cars rate."""
    observed = tiny_observed(deals=[{"partner": "JPN", "announced": "2025-07-22", "rates": {"cars": 15.0}, "source": "test"}],
                             status_quo={"date": "2025-07-01", "rates": {"cars": 25.0}, "source": "test"})
    with pytest.raises(ValidationInputError, match="deals give rates for cars, which the run's scenario does not declare"):
        check_against_run(observed, tiny_run(), "tiny.yaml")
