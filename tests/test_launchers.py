"""The same sweep through every launcher gives identical result tables."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from tests.conftest import CONF_DIR

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ["-m", "seed=5,6", "replications=3", "figures=false", "print_table=false"]


def launcher_config(*overrides: str):
    """The ``hydra.launcher`` node a multirun would use."""
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        return compose("config", overrides=list(overrides), return_hydra_config=True).hydra.launcher


def sweep(tmp_path: Path, name: str, *launcher: str) -> Path:
    """Run the 2-job sweep with ``launcher`` overrides; returns its sweep directory."""
    sweep_dir = tmp_path / name
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "sim", *SWEEP, *launcher, f"hydra.sweep.dir={sweep_dir}"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 jobs complete, 0 failed" in result.stdout + result.stderr
    return sweep_dir


def tables(sweep_dir: Path) -> dict[str, pd.DataFrame]:
    return {f"{job}/{name}": pd.read_parquet(sweep_dir / job / f"{name}.parquet")
            for job in ("0", "1") for name in ("runs", "timeseries", "events")}


@pytest.fixture(scope="module")
def basic(tmp_path_factory) -> dict[str, pd.DataFrame]:
    return tables(sweep(tmp_path_factory.mktemp("basic"), "sweep", "hydra/launcher=basic"))


def test_joblib_is_the_default_multirun_launcher():
    launcher = launcher_config()
    assert launcher._target_ == "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"


def test_basic_and_joblib_launchers_give_identical_tables(tmp_path, basic):
    joblib = tables(sweep(tmp_path, "joblib"))  # the default launcher
    for name, frame in basic.items():
        pd.testing.assert_frame_equal(frame, joblib[name], check_exact=True, obj=name)


@pytest.mark.parametrize("name", ["slurm", "ray_local", "ray_cluster"])
def test_ready_made_launcher_configs_compose(name):
    plugin = {"slurm": "hydra_plugins.hydra_submitit_launcher",
              "ray_local": "hydra_plugins.hydra_ray_launcher", "ray_cluster": "hydra_plugins.hydra_ray_launcher"}[name]
    if importlib.util.find_spec(plugin) is None:
        pytest.skip(f"the {name} launcher's extra is not installed")
    launcher = launcher_config(f"hydra/launcher={name}")
    assert launcher._target_.startswith(plugin)


@pytest.mark.slow
def test_a_sweep_through_the_ray_launcher_on_a_local_ray_instance(tmp_path, basic):
    if importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is None:
        pytest.skip("the ray extra is not installed (pip install -e '.[ray]')")
    ray = tables(sweep(tmp_path, "ray", "hydra/launcher=ray_local"))
    for name, frame in basic.items():
        pd.testing.assert_frame_equal(frame, ray[name], check_exact=True, obj=name)
