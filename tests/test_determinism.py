"""Determinism across processes (issue: "trust"): the same config and seed give identical tables
in two fresh interpreters whose string hashes differ (``PYTHONHASHSEED``), and whatever the order
in which the config lists the partners.

The parent composes the config once and hands it to each child as JSON; each child validates
it, runs three replications and writes its tables as Parquet, which the parent compares.
(Identical tables for one and several worker processes: ``tests/test_parallel.py``.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from omegaconf import OmegaConf

from tests.conftest import compose_config

REPO = Path(__file__).resolve().parents[1]
TABLES = ("runs", "timeseries", "events")
SEED = 20250709
REPLICATIONS = 3

CHILD = """
import json, sys
from pathlib import Path
import pyarrow.parquet as pq
from sim.config import load_study
from sim.run.runner import run_replications

config, out = Path(sys.argv[1]), Path(sys.argv[2])
study = load_study(json.loads(config.read_text()))
outcome = run_replications(study.scenario, study.seed, study.replications, workers=1)
out.mkdir(parents=True)
for name, table in outcome.tables.items():
    pq.write_table(table, out / f"{name}.parquet")
print(sys.flags.hash_randomization, hash("tariffsim"))
"""


@pytest.fixture(scope="module")
def plain() -> dict:
    data = OmegaConf.to_container(compose_config(f"seed={SEED}", f"replications={REPLICATIONS}"), resolve=True)
    return {k: v for k, v in data.items() if k != "hydra"}


def run_child(data: dict, folder: Path, hash_seed: str) -> tuple[dict[str, pd.DataFrame], str]:
    """Run ``data`` in a fresh interpreter with ``PYTHONHASHSEED=hash_seed``; its tables and stdout."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.json"
    config.write_text(json.dumps(data))
    env = {**os.environ, "PYTHONHASHSEED": hash_seed,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", CHILD, str(config), str(folder / "out")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    tables = {name: pq.read_table(folder / "out" / f"{name}.parquet").to_pandas() for name in TABLES}
    return tables, done.stdout


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], sort: bool = False) -> None:
    keys = {"runs": ["run_id", "partner"], "timeseries": ["run_id", "day", "partner"], "events": None}
    for name in TABLES:
        left, right = a[name], b[name]
        if sort and keys[name]:
            left = left.sort_values(keys[name], kind="stable").reset_index(drop=True)
            right = right.sort_values(keys[name], kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, check_exact=True, obj=name)


@pytest.fixture(scope="module")
def first_run(plain, tmp_path_factory) -> tuple[dict[str, pd.DataFrame], str]:
    return run_child(plain, tmp_path_factory.mktemp("hash0"), "0")


@pytest.fixture(scope="module")
def first(first_run) -> dict[str, pd.DataFrame]:
    return first_run[0]


def test_fresh_interpreters_with_different_hash_seeds_give_identical_tables(plain, first_run, first, tmp_path):
    second, stdout = run_child(plain, tmp_path / "hash", "4242")
    # The children really hashed strings differently.
    assert stdout.split()[1] != first_run[1].split()[1]
    assert len(first["runs"]) == REPLICATIONS * len(plain["scenario"]["partners"])
    assert first["runs"]["seed"].nunique() == REPLICATIONS
    assert first["runs"]["deal"].any() and len(first["events"]) > 0
    assert_same_tables(first, second)


def test_partners_listed_in_another_order_give_identical_tables_in_a_fresh_interpreter(plain, first, tmp_path):
    reordered = json.loads(json.dumps(plain))
    partners = reordered["scenario"]["partners"]
    order = ["VNM", "CAN", "JPN", "KOR", "EU"]
    assert sorted(order) == sorted(partners) and order != list(partners)
    reordered["scenario"]["partners"] = {code: partners[code] for code in order}
    other, _ = run_child(reordered, tmp_path / "reordered", "99")
    assert_same_tables(first, other, sort=True)
    # The model puts partners in a canonical order, so even the row order is the same.
    assert_same_tables(first, other)

