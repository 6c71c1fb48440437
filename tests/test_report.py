"""``tariffsim-report``: one study table and figures from the files of a multirun alone."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim import cli
from sim.report import STUDY_COLUMNS, main, report, study_runs, swept_type, wilson
from sim.results import RUN_COLUMNS
from tests.conftest import compose_config

PARTNERS = 5
WEIGHT = "scenario.partners.JPN.politics.election.weight"
BETA = "scenario.us.strategy.beta"


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


def stacked_with_pandas(root, values: dict[str, dict]) -> pd.DataFrame:
    """Each job's runs.parquet behind its name and swept values, concatenated by pandas."""
    frames = []
    for job, swept in values.items():
        runs = pd.read_parquet(root / job / "runs.parquet")
        frames.append(pd.concat([pd.DataFrame({"job": job, **swept}, index=runs.index), runs], axis=1))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def int_and_float(tmp_path_factory):
    """Two jobs whose swept value Hydra reads as an int in one and a float in the other."""
    root = tmp_path_factory.mktemp("int_and_float")
    for num, beta in enumerate(["1", "1.5"]):
        write_job(root / str(num), f"{BETA}={beta}", "replications=2", "figures=false")
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


def test_the_study_file_holds_every_jobs_runs_as_pandas_would_stack_them(sweep):
    report(sweep, figures=False)
    expected = stacked_with_pandas(sweep, {
        "0": {WEIGHT: 0.1, "scenario.deadline": "2025-07-09"},
        "1": {WEIGHT: 0.5, "scenario.deadline": "2025-07-09"},
        "2": {WEIGHT: 0.1, "scenario.deadline": "2025-08-01"}})
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / "study_runs.parquet"), expected)


def test_a_value_swept_as_int_and_float_makes_one_float_column(int_and_float):
    done = report(int_and_float, figures=False)
    assert done["swept"] == [BETA]
    assert pq.read_schema(int_and_float / "study_runs.parquet").field(BETA).type == pa.float64()
    study = pd.read_parquet(int_and_float / "study_runs.parquet")
    expected = stacked_with_pandas(int_and_float, {"0": {BETA: 1}, "1": {BETA: 1.5}})
    pd.testing.assert_frame_equal(study, expected)
    summary = pd.read_parquet(int_and_float / "study_summary.parquet")
    assert sorted(summary[BETA].unique()) == [1.0, 1.5] and len(summary) == 2 * PARTNERS


def test_a_column_one_job_lacks_is_null_in_its_rows(sweep, tmp_path):
    for job in ("0", "1"):
        shutil.copytree(sweep / job, tmp_path / job)
    older = pd.read_parquet(tmp_path / "1" / "runs.parquet").drop(columns="us_utility")
    older.to_parquet(tmp_path / "1" / "runs.parquet")  # as a job of a version without the column
    report(tmp_path, figures=False)
    expected = stacked_with_pandas(tmp_path, {"0": {WEIGHT: 0.1}, "1": {WEIGHT: 0.5}})
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "study_runs.parquet"), expected)
    assert pd.read_parquet(tmp_path / "study_runs.parquet").query("job == '1'")["us_utility"].isna().all()


def test_a_failure_while_writing_leaves_no_study_file(sweep, tmp_path, monkeypatch):
    for job in ("0", "1"):
        shutil.copytree(sweep / job, tmp_path / job)
    write_batch = pq.ParquetWriter.write_batch
    written = []

    def disk_full_at_the_second_job(writer, batch, *args, **kwargs):
        written.append(batch)
        if len(written) == 2:
            raise OSError("disk full")
        write_batch(writer, batch, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_batch", disk_full_at_the_second_job)
    with pytest.raises(OSError, match="disk full"):
        report(tmp_path, figures=False)
    assert not (tmp_path / "study_runs.parquet").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_figures_get_only_the_columns_they_read(sweep, monkeypatch):
    import sim.html_report
    import sim.report_figures

    given = {}

    def figures(root, runs, keys):
        given["figures"] = list(runs.columns)
        return []

    def page(root, study):
        given["html"] = list(study[0].columns)
        return root / "report.html"

    monkeypatch.setattr(sim.report_figures, "write_report_figures", figures)
    monkeypatch.setattr(sim.html_report, "write_html_report", page)
    report(sweep)
    expected = ["job", WEIGHT, "scenario.deadline", *STUDY_COLUMNS]
    assert given == {"figures": expected, "html": expected}


@pytest.mark.parametrize(("values", "column"), [
    ([1, 2], pa.int64()), ([1, 1.5], pa.float64()), ([1, None], pa.int64()), ([True, False], pa.bool_()),
    (["2025-07-09", "2025-08-01"], pa.string()), ([1, "a"], pa.string()), ([True, 1], pa.string())])
def test_a_swept_key_gets_the_column_type_that_holds_every_jobs_value(values, column):
    assert swept_type(values) == column
