"""``tariffsim-report``: one study table and figures from the files of a multirun alone."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim import cli
from sim.report import main, report, study_runs, wilson
from sim.results import RUN_COLUMNS
from tests.conftest import compose_config

PARTNERS = 5
WEIGHT = "scenario.partners.JPN.politics.election.weight"


def write_job(job, *overrides: str) -> None:
    """A job directory as a multirun leaves it (the overrides Hydra would have saved)."""
    cli.run(compose_config(*overrides), job)
    (job / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    for num, (weight, deadline) in enumerate([(0.1, "2025-07-09"), (0.5, "2025-07-09"), (0.1, "2025-08-01")]):
        write_job(root / str(num), f"{WEIGHT}={weight}", f"scenario.deadline={deadline}", "replications=3",
                  "figures=false", "seed=4")
    failed = root / "3"
    failed.mkdir()
    (failed / "error.json").write_text(json.dumps({"overrides": ["seed=-1"], "error": "ConfigError"}))
    return root


def test_the_study_table_has_one_row_per_job_replication_and_partner(sweep):
    runs, keys = study_runs(sweep)
    assert keys == [WEIGHT, "scenario.deadline"]  # seed, replications and figures did not vary
    assert list(runs.columns) == ["job", *keys, *RUN_COLUMNS]
    assert len(runs) == 3 * 3 * PARTNERS
    assert runs.groupby(["job", "run_id", "partner"]).size().max() == 1
    assert sorted(runs[WEIGHT].unique()) == [0.1, 0.5]
    job1 = runs[runs["job"] == "1"]
    assert (job1[WEIGHT] == 0.5).all() and (job1["scenario.deadline"] == "2025-07-09").all()
    # the study table holds each job's runs.parquet unchanged
    own = pd.read_parquet(sweep / "1" / "runs.parquet")
    pd.testing.assert_frame_equal(job1[list(RUN_COLUMNS)].reset_index(drop=True), own)


def test_report_writes_tables_and_figures_atomically_and_names_failed_jobs(sweep, capsys):
    assert main([str(sweep)]) == 0
    out = capsys.readouterr().out
    assert "3 jobs" in out and "3/error.json" in out
    study = pd.read_parquet(sweep / "study_runs.parquet")
    assert len(study) == 3 * 3 * PARTNERS
    summary = pd.read_parquet(sweep / "study_summary.parquet")
    assert len(summary) == 3 * PARTNERS
    jpn = summary[(summary["job"] == "0") & (summary["partner"] == "JPN")].iloc[0]
    own = study[(study["job"] == "0") & (study["partner"] == "JPN")]
    assert jpn["deal_probability"] == pytest.approx(own["deal"].mean())
    assert jpn["deal_probability_low"] <= jpn["deal_probability"] <= jpn["deal_probability_high"]
    pngs = sorted(p.name for p in (sweep / "figures").glob("*.png"))
    assert pngs == ["study_politics_election_weight.png", "study_scenario_deadline.png"]
    assert all((sweep / "figures" / name).stat().st_size > 10_000 for name in pngs)
    assert not list(sweep.rglob("*.tmp"))


def test_a_single_run_directory_is_a_study_of_one_job(tmp_path):
    cli.run(compose_config("replications=2", "figures=false"), tmp_path)
    done = report(tmp_path)
    assert done["jobs"] == 1 and done["swept"] == []
    assert len(pd.read_parquet(tmp_path / "study_runs.parquet")) == 2 * PARTNERS
    assert (tmp_path / "figures" / "study_deal_probability.png").is_file()


def test_an_empty_directory_is_refused(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert "no complete job" in capsys.readouterr().err


def test_wilson_interval_known_answers():
    low, high = wilson(pd.Series([0.0, 5.0, 10.0]).to_numpy(), pd.Series([10.0, 10.0, 10.0]).to_numpy())
    assert low[0] == 0.0 and high[0] == pytest.approx(0.2775, abs=1e-4)
    assert low[1] == pytest.approx(0.2366, abs=1e-4) and high[1] == pytest.approx(0.7634, abs=1e-4)
    assert high[2] == 1.0 and low[2] == pytest.approx(0.7225, abs=1e-4)
