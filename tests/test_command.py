"""The ``tariffsim`` command: the run directory of DESIGN section 5, as a user gets it."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.cli import run
from sim.results import EVENT_COLUMNS, RUN_COLUMNS, TIMESERIES_COLUMNS
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
        assert summary["partners"][code]["deal_probability"] == pytest.approx(runs[runs.partner == code]["deal"].mean())


def test_the_command_prints_the_outcome_table_and_moves_output(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sim", "replications=2", "figures=false", f"hydra.run.dir={tmp_path / 'here'}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "P(deal)" in result.stdout and "JPN" in result.stdout and "median deal date" in result.stdout
    assert (tmp_path / "here" / "runs.parquet").is_file()
    assert not (tmp_path / "outputs").exists()
