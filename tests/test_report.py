"""``tariffsim-report``: one study table and figures from the files of a multirun alone."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.apps import cli
from sim.apps.report import main, report
from sim.io.report_inputs import STUDY_COLUMNS, ReportError, swept_type
from tests.conftest import baseline_columns

RUN_COLUMNS = baseline_columns()[0]
from sim.io.study_table import study_runs, wilson
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
    runs, keys = study_runs(sweep, allow_partial=True)
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
    assert main([str(sweep), "--allow-partial"]) == 0
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
    assert sorted(p.name for p in (sweep / "figures").glob("*.svg")) == [n.replace(".png", ".svg") for n in pngs]
    assert not list(sweep.rglob("*.tmp"))


def test_a_single_run_directory_is_a_study_of_one_job(tmp_path):
    cli.run(compose_config("replications=2", "figures=false"), tmp_path)
    done = report(tmp_path)
    assert done["jobs"] == 1 and done["swept"] == []
    assert len(pd.read_parquet(tmp_path / "study_runs.parquet")) == 2 * PARTNERS
    assert (tmp_path / "figures" / "study_deal_probability.png").is_file()


def test_an_empty_directory_is_refused(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert f"{tmp_path} holds no run" in capsys.readouterr().err


def test_wilson_interval_known_answers():
    low, high = wilson(pd.Series([0.0, 5.0, 10.0]).to_numpy(), pd.Series([10.0, 10.0, 10.0]).to_numpy())
    assert low[0] == 0.0 and high[0] == pytest.approx(0.2775, abs=1e-4)
    assert low[1] == pytest.approx(0.2366, abs=1e-4) and high[1] == pytest.approx(0.7634, abs=1e-4)
    assert high[2] == 1.0 and low[2] == pytest.approx(0.7225, abs=1e-4)


def test_the_study_file_holds_every_jobs_runs_as_pandas_would_stack_them(sweep):
    report(sweep, figures=False, allow_partial=True)
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
    with pytest.raises(ReportError, match="disk full"):
        report(tmp_path, figures=False)
    assert not (tmp_path / "study_runs.parquet").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_figures_get_only_the_columns_they_read(sweep, monkeypatch):
    import sim.plots.html_report
    import sim.plots.report_figures

    given = {}

    def figures(root, runs, keys, *args):
        given["figures"] = list(runs.columns)
        return []

    def page(root, study, *args):
        given["html"] = list(study[0].columns)
        return root / "report.html"

    monkeypatch.setattr(sim.plots.report_figures, "write_report_figures", figures)
    monkeypatch.setattr(sim.plots.html_report, "write_html_report", page)
    report(sweep, allow_partial=True)
    expected = ["job", WEIGHT, "scenario.deadline", *STUDY_COLUMNS]
    assert given == {"figures": expected, "html": expected}


@pytest.mark.parametrize(("values", "column"), [
    ([1, 2], pa.int64()), ([1, 1.5], pa.float64()), ([1, None], pa.int64()), ([True, False], pa.bool_()),
    (["2025-07-09", "2025-08-01"], pa.string()), ([1, "a"], pa.string()), ([True, 1], pa.string())])
def test_a_swept_key_gets_the_column_type_that_holds_every_jobs_value(values, column):
    assert swept_type(values) == column


@pytest.mark.parametrize("overrides", [("seed=1", "seed=2"), ("sweep=seeds seed=2025", "sweep=seeds seed=2026")])
def test_a_swept_key_that_is_also_a_column_gets_its_own_column(tmp_path, capsys, overrides):
    """``tariffsim -m seed=1,2`` (or ``sweep=seeds``): the job's seed and each replication's seed."""
    for num, text in enumerate(overrides):
        write_job(tmp_path / str(num), *text.split(), "replications=2", "figures=false")
    assert main([str(tmp_path), "--no-figures"]) == 0
    assert "swept: swept.seed" in capsys.readouterr().out
    study = pd.read_parquet(tmp_path / "study_runs.parquet")
    assert list(study.columns[:4]) == ["job", "swept.seed", "run_id", "seed"]
    for job, text in enumerate(overrides):
        rows = study[study["job"] == str(job)]
        assert (rows["swept.seed"] == int(text.split("seed=")[-1])).all()
        own = pd.read_parquet(tmp_path / str(job) / "runs.parquet")
        assert rows["seed"].tolist() == own["seed"].tolist()  # each replication's own seed, unchanged
    summary = pd.read_parquet(tmp_path / "study_summary.parquet")
    assert "swept.seed" in summary.columns and len(summary) == 2 * PARTNERS


def test_a_sweep_with_failed_or_unfinished_jobs_is_refused_unless_partial_is_allowed(sweep, tmp_path, capsys):
    for job in ("0", "1", "3"):
        shutil.copytree(sweep / job, tmp_path / job)
    (tmp_path / "4").mkdir()  # killed before it wrote anything
    (tmp_path / "4" / ".runs.parquet.x1y2.tmp").write_bytes(b"PAR1")
    assert main([str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert "2 of 4 jobs are not complete" in err and "--allow-partial" in err
    assert f"failed: {tmp_path / '3'}" in err and str(tmp_path / "3" / "error.json") in err
    assert f"unfinished: {tmp_path / '4'} (no summary.json" in err
    assert not (tmp_path / "study_runs.parquet").exists() and not (tmp_path / "figures").exists()
    assert main([str(tmp_path), "--allow-partial", "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert "2 jobs" in out and f"unfinished job (not in the tables): {tmp_path / '4'}" in out
    assert set(pd.read_parquet(tmp_path / "study_runs.parquet")["job"]) == {"0", "1"}


def test_deal_day_reads_as_a_nullable_integer(sweep):
    runs = pd.read_parquet(sweep / "0" / "runs.parquet")
    assert runs["deal_day"].dtype == "Int64"
    assert runs["deal_day"].isna().tolist() == (~runs["deal"]).tolist()
    report(sweep, figures=False, allow_partial=True)
    assert pd.read_parquet(sweep / "study_runs.parquet")["deal_day"].dtype == "Int64"


def test_the_summary_table_lists_partners_in_the_scenarios_order(sweep):
    report(sweep, figures=False, allow_partial=True)
    summary = pd.read_parquet(sweep / "study_summary.parquet")
    scenario = list(json.loads((sweep / "0" / "summary.json").read_text())["partners"])
    for _, rows in summary.groupby("job", sort=False):
        assert rows["partner"].tolist() == scenario


def test_the_outcome_figure_legend_covers_no_point(sweep):
    from sim.plots.report_figures import plot_against
    from tests.test_study_figures import legends_over_data

    runs, keys = study_runs(sweep, STUDY_COLUMNS, allow_partial=True)
    for key in keys:
        fig = plot_against(runs, key, [k for k in keys if k != key], json.loads((sweep / "0" / "summary.json").read_text()))
        assert legends_over_data(fig) == []
        labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
        assert [label.split()[0] for label in labels] == ["JPN", "EU", "CAN", "KOR", "VNM"]


def test_docs_results_lists_every_event_kind():
    import re
    from pathlib import Path

    from sim.model.events import EventKind

    docs = (Path(__file__).resolve().parents[1] / "docs" / "results.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \| (?!string|int|bool|date|float)", docs, flags=re.M))
    assert {kind.value for kind in EventKind} <= documented


def test_out_writes_the_report_elsewhere_and_leaves_the_study_untouched(sweep, tmp_path, capsys):
    study = tmp_path / "study"
    for job in ("0", "1"):
        shutil.copytree(sweep / job, study / job)
    before = sorted(study.rglob("*"))
    assert main([str(study), "--out", str(tmp_path / "elsewhere")]) == 0
    assert sorted(study.rglob("*")) == before
    written = sorted(p.relative_to(tmp_path / "elsewhere").as_posix() for p in (tmp_path / "elsewhere").rglob("*"))
    assert written == ["figures", "figures/study_politics_election_weight.png",
                       "figures/study_politics_election_weight.svg", "report.html", "study_runs.parquet",
                       "study_summary.parquet"]


@pytest.mark.slow
def test_a_seed_sweep_from_the_command_line_is_reported(tmp_path):
    """The command of the issue, as a user types it: ``tariffsim -m seed=1,2 ... && tariffsim-report S``."""
    import subprocess
    import sys
    from pathlib import Path

    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "tariffsim-report").exists():
        pytest.skip("the console scripts are not installed")
    sweep = subprocess.run([str(bin_dir / "tariffsim"), "-m", "seed=1,2", "replications=2", "figures=false",
                            "print_table=false", "hydra/launcher=basic", f"hydra.sweep.dir={tmp_path / 'S'}"],
                           capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert sweep.returncode == 0, sweep.stderr
    done = subprocess.run([str(bin_dir / "tariffsim-report"), str(tmp_path / "S")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    study = pd.read_parquet(tmp_path / "S" / "study_runs.parquet")
    assert sorted(study["swept.seed"].unique()) == [1, 2] and study["seed"].nunique() == 4
