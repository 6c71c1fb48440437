"""Resuming a run or a sweep: only the same config is reused, another one is refused (unless
``overwrite=true``), and a sweep with a failed or refused job exits non-zero."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from sim.apps import cli

from sim.io import jobs
from sim.config.paths import CONF
from tests.conftest import compose_config

ROOT = Path(__file__).resolve().parents[1]
QUICK = ("replications=2", "figures=false", "print_table=false")


def tariffsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TARIFFSIM_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=180)


def seed_of(run_dir: Path) -> int:
    return json.loads((run_dir / "summary.json").read_text())["seed"]


def test_a_finished_job_of_another_config_is_refused_naming_the_keys(tmp_path):
    cli.run(compose_config(*QUICK), tmp_path)
    same = OmegaConf.to_container(compose_config(*QUICK, "workers=2", "resume=false"), resolve=True)
    assert jobs.finished(tmp_path, list(QUICK), same)["replications"] == 2  # execution keys do not count
    edited = OmegaConf.to_container(compose_config(*QUICK), resolve=True)
    edited["scenario"]["partners"]["JPN"]["politics"]["election"]["weight"] = 0.9  # as if its YAML changed
    with pytest.raises(jobs.JobConflict, match=r"scenario\.partners\.JPN\.politics\.election\.weight.*overwrite=true"):
        jobs.finished(tmp_path, list(QUICK), edited)  # same overrides, another config


def test_an_edited_scenario_file_is_not_silently_reused(tmp_path):
    conf = tmp_path / "conf"
    shutil.copytree(CONF, conf)
    args = ("-cp", str(conf), *QUICK, f"hydra.run.dir={tmp_path / 'run'}")
    assert tariffsim(*args, cwd=tmp_path).returncode == 0
    before = (tmp_path / "run" / "runs.parquet").read_bytes()
    scenario = conf / "scenario" / "baseline_2025.yaml"
    scenario.write_text(scenario.read_text().replace('deadline: "2025-07-09"', 'deadline: "2025-08-01"'))
    again = tariffsim(*args, cwd=tmp_path)
    assert again.returncode == 2, again.stdout
    assert "scenario.deadline: '2025-07-09' -> '2025-08-01'" in again.stdout and "overwrite=true" in again.stdout
    assert "skipping" not in again.stdout and "Traceback" not in again.stdout
    assert (tmp_path / "run" / "runs.parquet").read_bytes() == before


def test_resume_false_does_not_overwrite_another_config_unless_asked(tmp_path):
    run_dir = tmp_path / "run"
    assert tariffsim(*QUICK, "seed=1", f"hydra.run.dir={run_dir}", cwd=tmp_path).returncode == 0
    refused = tariffsim(*QUICK, "seed=2", "resume=false", f"hydra.run.dir={run_dir}", cwd=tmp_path)
    assert refused.returncode == 2 and "seed: 1 -> 2" in refused.stdout, refused.stdout
    assert seed_of(run_dir) == 1
    replaced = tariffsim(*QUICK, "seed=2", "overwrite=true", f"hydra.run.dir={run_dir}", cwd=tmp_path)
    assert replaced.returncode == 0, replaced.stdout
    assert seed_of(run_dir) == 2 and not (run_dir / ".tariffsim.lock").exists()


def test_a_sweep_of_refused_jobs_says_so_and_fails(tmp_path):
    sweep = f"hydra.sweep.dir={tmp_path / 'sweep'}"
    assert tariffsim("-m", "seed=1,2", *QUICK, sweep, cwd=tmp_path).returncode == 0
    again = tariffsim("-m", "seed=1,2", *QUICK, "scenario.deadline=2025-08-01", sweep, cwd=tmp_path)
    assert again.returncode == 1, again.stdout
    assert "0 jobs complete, 0 failed, 2 refused" in again.stdout
    assert "Traceback" not in again.stdout
    assert [seed_of(tmp_path / "sweep" / n) for n in "01"] == [1, 2]
    assert not list((tmp_path / "sweep").rglob(".refused.json")) and not list((tmp_path / "sweep").rglob("*.lock"))
