"""The ``tariffsim`` command: the run directory of docs/results.md, as a user gets it."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.apps.cli import run
from sim.io.files import TableFiles
from sim.run.results import EVENT_COLUMNS
from tests.conftest import baseline_columns

RUN_COLUMNS, TIMESERIES_COLUMNS = baseline_columns()
from sim.run.runner import run_replications, stream_replications
from tests.conftest import compose_config

PARTNERS = ["JPN", "EU", "CAN", "KOR", "VNM"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    run(compose_config("replications=3", "seed=9", "figures=false"), out)
    return out


def test_run_directory_holds_every_documented_file(run_dir):
    for name in ("runs.parquet", "timeseries.parquet", "events.parquet", "summary.json", ".hydra/config.yaml"):
        assert (run_dir / name).is_file(), name
    assert not list(run_dir.glob("**/*.tmp")), "no temporary file may be left behind"


def test_tables_have_the_documented_columns_and_rows(run_dir):
    runs = pq.read_table(run_dir / "runs.parquet")
    timeseries = pq.read_table(run_dir / "timeseries.parquet")
    events = pq.read_table(run_dir / "events.parquet")
    assert tuple(runs.column_names) == RUN_COLUMNS
    assert tuple(timeseries.column_names) == TIMESERIES_COLUMNS
    assert tuple(events.column_names) == EVENT_COLUMNS
    assert str(runs.schema.field("deal_date").type) == "date32[day]"
    frame = runs.to_pandas()
    assert len(frame) == 3 * len(PARTNERS)
    assert sorted(frame.groupby("run_id")["partner"].apply(sorted).iloc[0]) == sorted(PARTNERS)
    days = (pd.Timestamp("2025-09-30") - pd.Timestamp("2025-04-09")).days + 1
    assert timeseries.num_rows == 3 * days * len(PARTNERS)
    assert frame["seed"].nunique() == 3


def test_summary_matches_the_runs_table(run_dir):
    summary = json.loads((run_dir / "summary.json").read_text())
    runs = pd.read_parquet(run_dir / "runs.parquet")
    assert summary["replications"] == 3 and summary["seed"] == 9
    assert summary["deadline"] == "2025-07-09" and summary["elections"]["JPN"] == "2025-07-20"
    for code in PARTNERS:
        # summary.json rounds probabilities to 4 decimals
        assert summary["partners"][code]["deal_probability"] == pytest.approx(
            runs[runs.partner == code]["deal"].mean(), abs=5e-5)


def test_the_command_prints_the_outcome_table_and_moves_output(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sim", "replications=2", "figures=false", f"hydra.run.dir={tmp_path / 'here'}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "P(deal)" in result.stdout and "JPN" in result.stdout and "median deal date" in result.stdout
    assert (tmp_path / "here" / "runs.parquet").is_file()
    assert not (tmp_path / "outputs").exists()


def assert_same_table(a, b):
    assert a.schema == b.schema
    pd.testing.assert_frame_equal(a.to_pandas(), b.to_pandas(), check_exact=True)  # NaN equals NaN here


def test_one_and_two_workers_write_identical_files(tmp_path, monkeypatch):
    replications = 30
    monkeypatch.setattr("sim.run.runner.MIN_REPLICATIONS_FOR_WORKERS", replications)  # two workers do start
    for workers in (1, 2):
        run(compose_config(f"replications={replications}", f"workers={workers}", "figures=false"), tmp_path / str(workers))
    for name in ("runs", "timeseries", "events"):
        one, two = (pq.read_table(tmp_path / w / f"{name}.parquet") for w in ("1", "2"))
        assert_same_table(one, two)
    assert pq.ParquetFile(tmp_path / "2" / "timeseries.parquet").metadata.num_row_groups > 1  # written chunk by chunk


def test_streamed_files_equal_the_tables_built_in_memory(baseline, tmp_path, monkeypatch):
    monkeypatch.setattr("sim.run.parallel.MAX_CHUNK", 3)
    with TableFiles(tmp_path) as files:
        stream_replications(baseline.scenario, 4, 7, files.write)
    in_memory = run_replications(baseline.scenario, 4, 7).tables
    for name, table in in_memory.items():
        assert_same_table(pq.read_table(tmp_path / f"{name}.parquet"), table)
        assert pq.ParquetFile(tmp_path / f"{name}.parquet").metadata.num_row_groups == 3


def test_a_run_that_fails_part_way_leaves_no_result_file(baseline, tmp_path, monkeypatch):
    monkeypatch.setattr("sim.run.parallel.MAX_CHUNK", 2)
    written = []

    def write_then_fail(tables):
        files.write(tables)
        written.append(tables)
        if len(written) == 2:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"), TableFiles(tmp_path) as files:
        stream_replications(baseline.scenario, 4, 6, write_then_fail)
    assert len(written) == 2
    assert list(tmp_path.iterdir()) == []
