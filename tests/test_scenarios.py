"""The shipped scenarios that need no code (issue 12, item 6; docs/scenarios.md).

``wider_2025`` is the baseline with India, Switzerland and Brazil added beside its five partners,
from YAML alone: it must compose the baseline unchanged, run end to end with figures, name the
new partners in every output, reproduce the state of 1 July 2025 for them in most runs (no deal
yet), and be scored by ``tariffsim-validate`` against what happened to them afterwards. The
hindsight checks (dates, judgement ranges) cover it in tests/test_hindsight.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.config.observed import load_observed
from tests.conftest import compose_config
from tests.test_new_partner import assert_figures, assert_readable_layouts

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ["JPN", "EU", "CAN", "KOR", "VNM"]
ADDED = {"IND": "India", "CHE": "Switzerland", "BRA": "Brazil"}
CUTOFF = dt.date(2025, 7, 1)


def _scenario(name: str) -> dict:
    return OmegaConf.to_container(compose_config(f"scenario={name}"), resolve=True)["scenario"]


def test_the_wider_round_is_the_baseline_plus_three_partners():
    base, wider = _scenario("baseline_2025"), _scenario("wider_2025")
    assert list(wider["partners"]) == [*BASELINE, *ADDED]
    for code in BASELINE:  # the five partners exactly as in the baseline
        assert wider["partners"][code] == base["partners"][code], code
    assert {k: v for k, v in wider.items() if k not in ("name", "partners")} == \
           {k: v for k, v in base.items() if k not in ("name", "partners")}
    assert wider["name"] == "wider_2025"
    assert {code: wider["partners"][code]["name"] for code in ADDED} == ADDED


def test_the_observed_files_speak_of_the_added_partners_after_and_on_the_cutoff():
    after, state = load_observed("wider_after_2025-07-01"), load_observed("wider_state_2025-07-01")
    assert after.partners() == state.partners() == set(ADDED)
    dated = [d for d in (*after.check_dates, *(e.date for e in after.events)) if d]
    assert min(dated) > CUTOFF  # what happened after 1 July: out of sample
    assert state.as_of == CUTOFF and all(state.deal_by(code, CUTOFF) is False for code in ADDED)
    for observed in (after, state):
        assert all(len(item.source) > 10 for item in (*observed.deals, *observed.no_deals, *observed.events))
    # The round's shared event is the baseline file's: one extension, to 1 Aug.
    extension = [(e.date, e.new_deadline) for e in after.events if e.kind == "extension"]
    assert extension == [(e.date, e.new_deadline) for e in load_observed("after_2025-07-01").events
                         if e.kind == "extension"]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    env.pop("TARIFFSIM_DEBUG", None)
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)


@pytest.fixture(scope="module")
def wider_run(tmp_path_factory) -> Path:
    """``tariffsim scenario=wider_2025`` with 30 replications and figures, run outside the checkout."""
    cwd = tmp_path_factory.mktemp("wider")
    done = _run("sim", "scenario=wider_2025", "replications=30", "figures=true", "hydra.run.dir=run", cwd=cwd)
    assert done.returncode == 0, done.stdout
    for code in ADDED:  # the printed table names them
        assert any(line.startswith(code) for line in done.stdout.splitlines()), done.stdout
    return cwd / "run"


def test_the_wider_round_runs_end_to_end_with_the_added_partners(wider_run):
    runs = pd.read_parquet(wider_run / "runs.parquet")
    assert runs.groupby("partner")["run_id"].nunique().to_dict() == dict.fromkeys([*BASELINE, *ADDED], 30)
    series = pd.read_parquet(wider_run / "timeseries.parquet", columns=["partner"])
    assert set(series["partner"]) == {*BASELINE, *ADDED}
    summary = json.loads((wider_run / "summary.json").read_text(encoding="utf-8"))
    assert list(summary["partners"]) == [*BASELINE, *ADDED]
    colours = {row["colour"] for row in summary["partners"].values()}
    assert len(colours) == 8  # a colour of its own for each
    assert_figures(wider_run)
    svg = (wider_run / "figures" / "tariff_paths.svg").read_text(encoding="utf-8")
    assert all(f"{name} ({code})" in svg for code, name in ADDED.items())
    assert_readable_layouts(wider_run)  # date axes under every column, no legend over data


def test_no_deal_with_the_added_partners_on_1_july_in_most_runs(wider_run):
    runs = pd.read_parquet(wider_run / "runs.parquet")
    cutoff_day = (CUTOFF - dt.date(2025, 4, 9)).days
    added = runs[runs["partner"].isin(list(ADDED))]
    by_cutoff = (added["deal"].astype(bool) & (added["deal_day"] <= cutoff_day)).groupby(added["partner"]).mean()
    assert (by_cutoff < 0.5).all(), by_cutoff.to_dict()


def test_the_wider_round_is_scored_against_what_happened(wider_run):
    done = _run("sim.apps.validate", str(wider_run), "wider_after_2025-07-01", cwd=wider_run.parent)
    assert done.returncode == 0, done.stdout
    table = pd.read_csv(wider_run / "validation.csv")
    assert set(table["partner"]) == {*ADDED, "ALL"}
    deals = table[(table["item"] == "deal by date") & (table["forecaster"] == "model")]
    assert len(deals) == 9 and (deals["observed"] == 0).all()  # three dates x three partners, no deal
