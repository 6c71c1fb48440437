"""Sweeps that survive: killed and restarted, failing jobs recorded, finished jobs skipped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.apps import cli

from sim.io import jobs
from sim.config.paths import CONF, CONF_DIR
from sim.run.runner import replication_seeds
from tests.conftest import compose_config

ROOT = Path(__file__).resolve().parents[1]
PARTNERS = 5


def tariffsim(*args: str, cwd: Path, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)


def sweep_args(sweep_dir: Path, seeds: list[int], replications: int) -> list[str]:
    return ["-m", f"seed={','.join(map(str, seeds))}", f"replications={replications}", "figures=false",
            "print_table=false", f"hydra.sweep.dir={sweep_dir}"]


def assert_complete_sweep(sweep_dir: Path, seeds: list[int], replications: int) -> None:
    """Every job present once, complete, readable, with exactly its own replications."""
    jobs_found = sorted(p.name for p in sweep_dir.iterdir() if p.is_dir())
    assert jobs_found == [str(i) for i in range(len(seeds))]
    assert not list(sweep_dir.rglob("*.tmp")), "no temporary file may be left behind"
    for num, seed in enumerate(seeds):
        job = sweep_dir / str(num)
        assert json.loads((job / "summary.json").read_text())["seed"] == seed
        runs = pd.read_parquet(job / "runs.parquet")
        assert len(runs) == replications * PARTNERS
        assert sorted(runs["run_id"].unique()) == list(range(replications))
        assert runs.groupby(["run_id", "partner"]).size().max() == 1, "a replication written twice"
        assert runs.drop_duplicates("run_id")["seed"].tolist() == replication_seeds(seed, replications)
        pd.read_parquet(job / "timeseries.parquet")
        pd.read_parquet(job / "events.parquet")
        assert not (job / "error.json").exists()


@pytest.mark.slow
def test_a_sweep_killed_part_way_resumes_without_losing_or_repeating_a_run(tmp_path):
    seeds, replications = [1, 2, 3, 4, 5, 6], 6
    sweep_dir = tmp_path / "sweep"
    args = sweep_args(sweep_dir, seeds, replications)
    first = tariffsim(*args, cwd=tmp_path, start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and first.poll() is None:
        if sum((sweep_dir / str(i) / "summary.json").is_file() for i in range(len(seeds))) >= 2:
            break
        time.sleep(0.05)
    killed_early = first.poll() is None
    if killed_early:
        os.killpg(first.pid, signal.SIGKILL)  # the launcher and every worker it started
    first.communicate(timeout=60)
    done_before = {i for i in range(len(seeds)) if (sweep_dir / str(i) / "summary.json").is_file()}
    assert done_before, "the first attempt should have finished some jobs before the kill"

    second = tariffsim(*args, cwd=tmp_path)
    out, _ = second.communicate(timeout=300)
    assert second.returncode == 0, out
    assert_complete_sweep(sweep_dir, seeds, replications)
    assert out.count("skipping") == len(done_before), out
    if killed_early:
        assert len(done_before) < len(seeds)


# A valid config that fails while it runs (a config error refuses the whole sweep before it starts).
EXPLODING_STRATEGY = """
from sim.strategies.partners import HoldUntilElection

class Exploding(HoldUntilElection):
    def __init__(self, protected: list[str] = ("farm_access",), beta: float = 0.5, k: float = 0.0,
                 explode: bool = False) -> None:
        super().__init__(protected, beta, k)
        self.explode = explode

    def target(self, view, rng):
        if self.explode:
            raise RuntimeError("the strategy exploded")
        return super().target(view, rng)
"""
JPN_STRATEGY = "scenario.partners.JPN.strategy"


def exploding_sweep(sweep_dir: Path, explode: str) -> list[str]:
    return [*sweep_args(sweep_dir, [4], 2), f"~{JPN_STRATEGY}.name", f"+{JPN_STRATEGY}._target_=exploding.Exploding",
            f"+{JPN_STRATEGY}.explode={explode}", "hydra/launcher=basic"]


def test_a_failing_job_is_recorded_and_the_sweep_goes_on(tmp_path):
    (tmp_path / "exploding.py").write_text(EXPLODING_STRATEGY)
    sweep_dir = tmp_path / "sweep"
    proc = tariffsim(*exploding_sweep(sweep_dir, "false,true"), cwd=tmp_path)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 1, out  # a sweep with a failed job fails
    assert "Traceback" not in out
    assert (sweep_dir / "0" / "summary.json").is_file()
    error = json.loads((sweep_dir / "1" / "error.json").read_text())
    assert f"+{JPN_STRATEGY}.explode=True" in error["overrides"] and error["error"] == "RuntimeError"
    assert "exploded" in error["message"] and "Traceback" in error["traceback"]
    assert not (sweep_dir / "1" / "summary.json").exists()
    assert "1 jobs complete, 1 failed" in out

    again = tariffsim(*exploding_sweep(sweep_dir, "false,false"), cwd=tmp_path)
    out, _ = again.communicate(timeout=300)
    assert again.returncode == 0, out
    assert not (sweep_dir / "1" / "error.json").exists(), "a job that succeeds on re-run clears its error"
    assert_complete_sweep(sweep_dir, [4, 4], 2)


def test_a_single_run_that_raises_records_the_error_and_fails(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the model broke")

    monkeypatch.setattr(cli, "run", broken)
    with pytest.raises(RuntimeError, match="the model broke"):
        cli._run_job(compose_config("replications=1"), tmp_path, ["replications=1"], multirun=False)
    error = json.loads((tmp_path / "error.json").read_text())
    assert error["overrides"] == ["replications=1"] and "RuntimeError: the model broke" in error["traceback"]


def test_finished_jobs_are_recognised_and_conflicts_refused(tmp_path):
    assert jobs.finished(tmp_path, ["seed=1"]) is None
    cli.run(compose_config("replications=1", "figures=false"), tmp_path)
    (tmp_path / ".hydra" / "overrides.yaml").write_text("- seed=1\n- workers=2\n")
    (tmp_path / "summary.json").write_text(  # a run directory written before config fingerprints
        json.dumps({k: v for k, v in json.loads((tmp_path / "summary.json").read_text()).items()
                    if k != jobs.FINGERPRINT}))
    (tmp_path / ".hydra" / "config.yaml").unlink()
    assert jobs.finished(tmp_path, ["seed=1"])["replications"] == 1  # workers does not change results
    with pytest.raises(jobs.JobConflict, match="already holds a finished job"):
        jobs.finished(tmp_path, ["seed=2"])
    (tmp_path / ".runs.parquet.abc.tmp").write_text("half")
    jobs.clean(tmp_path)
    assert not list(tmp_path.glob("*.tmp")) and (tmp_path / "runs.parquet").is_file()


def test_the_command_skips_a_complete_run_directory(tmp_path):
    run_dir = tmp_path / "here"
    for attempt in range(2):
        proc = tariffsim("replications=2", "figures=false", f"hydra.run.dir={run_dir}", cwd=tmp_path)
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out
        assert ("skipping" in out) == (attempt == 1)
        assert "P(deal)" in out


SWEEPS = sorted(p.stem for p in (CONF / "sweep").glob("*.yaml"))
STUDIES = sorted(p.stem for p in (CONF / "study").glob("*.yaml"))


def _jobs(params) -> list[list[tuple[str, object]]]:
    """Every job's (key, value) pairs of a sweep, as Hydra's basic sweeper would expand them."""
    import itertools

    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    axes = []
    for key, text in params.items():
        values = parser.parse_override(f"{key}={text}").sweep_string_iterator()
        axes.append([(key, parser.parse_override(f"{key}={value}").value()) for value in values])
    return [list(combo) for combo in itertools.product(*axes)]


def _validate_every_job(config_dir: str, name: str, overrides: list[str]) -> int:
    """Compose the sweep once, then set each job's values in the plain config and validate it."""
    import copy

    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    from sim.config import load_study
    from sim.config.sensitivity_study import set_key

    with initialize_config_dir(config_dir=config_dir, version_base="1.3"):
        cfg = compose(name, overrides=overrides, return_hydra_config=True)
    if any(o.startswith("study=") for o in overrides):  # a named study runs as a multirun by itself
        assert str(cfg.hydra.mode).endswith("MULTIRUN")
    base = OmegaConf.to_container(cfg, resolve=False)
    base.pop("hydra")
    jobs_ = _jobs(cfg.hydra.sweeper.params)
    for job in jobs_:
        data = copy.deepcopy(base)
        for key, value in job:
            set_key(data, key, value)  # the key must exist: a typo in a sweep fails here
        load_study(data)
    return len(jobs_)


@pytest.mark.parametrize("name", SWEEPS)
def test_every_ready_made_sweep_expands_to_valid_jobs(name):
    assert _validate_every_job(CONF_DIR, "config", [f"sweep={name}"]) >= 2


def test_the_named_studies_are_found():
    assert len(STUDIES) >= 2


@pytest.mark.parametrize("name", STUDIES)
def test_every_named_study_is_a_multirun_of_valid_jobs(name):
    assert _validate_every_job(CONF_DIR, "config", [f"study={name}"]) >= 2


def test_a_named_study_of_your_own_config_directory_is_found(tmp_path):
    (tmp_path / "study").mkdir()
    (tmp_path / "study" / "mine.yaml").write_text(
        "# @package _global_\nreplications: 3\nhydra:\n  mode: MULTIRUN\n  sweep:\n    dir: multirun/mine\n"
        "  sweeper:\n    params:\n      scenario.deadline: 2025-07-09,2025-08-01\n", encoding="utf-8")
    searchpath = f"hydra.searchpath=[file://{tmp_path}]"
    assert _validate_every_job(CONF_DIR, "config", [searchpath, "study=mine"]) == 2
