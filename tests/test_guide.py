"""The authoring guide (docs/strategies.md) cannot rot: its example file and its commands are run.

The example class in experiments/stubborn.py must be the guide's code block verbatim and under 40
lines; the guide's commands that use it run from the real command line, in a subprocess, from the
repository root (where `experiments.stubborn` imports).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "strategies.md"
EXAMPLE = ROOT / "experiments" / "stubborn.py"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def _commands(program: str) -> list[list[str]]:
    """The guide's shell commands of ``program`` that use the example (comments dropped)."""
    lines = [line for block in _blocks("bash") for line in block.splitlines()]
    return [shlex.split(line, comments=True)[1:] for line in lines
            if line.startswith(program + " ") and "experiments" in line]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_guides_code_block_is_the_example_file_and_under_40_lines():
    example = EXAMPLE.read_text(encoding="utf-8")
    blocks = [b for b in _blocks("python") if "class Stubborn" in b]
    assert len(blocks) == 1, "the guide shows the example exactly once"
    assert blocks[0] == example, "docs/strategies.md and experiments/stubborn.py differ"
    assert len(example.splitlines()) < 40


def test_the_example_is_a_valid_partner_strategy():
    from sim.strategies import Side
    from sim.strategies.registry import strategy_spec

    spec, errors = strategy_spec({"_target_": "experiments.stubborn.Stubborn", "floor": 0.85}, Side.PARTNER, "s")
    assert errors == [] and spec.build().floor == 0.85
    _, errors = strategy_spec({"_target_": "experiments.stubborn.Stubborn", "floor": 2}, Side.PARTNER, "s")
    assert errors and errors[0].startswith("s.floor=2: Stubborn refuses it: floor must be in [0, 1]")


@pytest.mark.parametrize("form", ["experiments.stubborn.Stubborn", "experiments/stubborn.py:Stubborn"])
def test_the_guides_baseline_commands_run_from_the_command_line(form, tmp_path):
    commands = [c for c in _commands("tariffsim") if any(form in arg for arg in c)]
    assert commands, f"the guide has no `tariffsim` command with {form}"
    for i, overrides in enumerate(commands):
        run_dir = tmp_path / str(i)
        done = _run("-m", "sim", *overrides, "replications=2", "figures=false", f"hydra.run.dir={run_dir}")
        assert done.returncode == 0, done.stderr
        runs = pd.read_parquet(run_dir / "runs.parquet")
        assert len(runs) == 2 * 5
        assert form in (run_dir / ".hydra" / "config.yaml").read_text()  # Japan really played it


def test_the_guides_tournament_command_enters_the_example(tmp_path):
    (command,) = _commands("tariffsim-tournament")
    done = _run("-m", "sim.apps.tournament_cli", *command, "--us", "deal_seeker", "--replications", "1",
                "--no-figures", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "stubborn" in done.stdout
    table = pd.read_parquet(tmp_path / "tournament.parquet")
    assert "stubborn" in set(table["partner_strategy"])
