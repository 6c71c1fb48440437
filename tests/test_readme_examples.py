"""Each README example shows what it says: a change to the scenario changes the outcome.

An example whose tables equal the baseline's replication for replication advertises a mechanism
that does nothing in the model (as "rice opens before the vote" and "an election that weighs
more" did). For each `tariffsim` command of the README's ```bash blocks, its scenario overrides
(without the output folder, replications, seed, workers, figures and Hydra's own settings) are
composed as the command composes them and run for REPLICATIONS replications on the baseline's
seed; the runs table must differ from the baseline's. A sweep, given on the command line, as a
ready-made `sweep=NAME` or as a named study `study=NAME`, must give at least two different tables.
Commands that run a scenario of the reader's own config directory ("Your own configs": a copy of
the baseline, to be edited) are left to tests/test_own_configs.py.
"""

from __future__ import annotations

import functools
import itertools
import shlex
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser

from conftest import study_from
from markdown_commands import ROOT, bash_commands
from sim.config.paths import CONF
from sim.run.runner import run_replications

REPLICATIONS = 10
BOOKKEEPING = {"replications", "seed", "workers", "figures", "print_table", "resume", "sweep", "study"}


def sweep_params(path: Path) -> list[str]:
    """The `hydra.sweeper.params` of a sweep or named-study config, as overrides."""
    params = yaml.safe_load(path.read_text(encoding="utf-8"))["hydra"]["sweeper"]["params"]
    return [f"{key}={value}" for key, value in params.items()]


def scenario_jobs(argv: list[str]) -> list[list[str]]:
    """The scenario overrides of each job the command ``argv`` (after `tariffsim`) runs."""
    overrides = [a for a in argv if a.startswith("~") or (not a.startswith("-") and "=" in a)]
    overrides += [o for a in overrides if a.startswith(("sweep=", "study="))
                  for o in sweep_params(CONF / a.split("=", 1)[0] / f"{a.split('=', 1)[1]}.yaml")]
    choices = []
    for override in OverridesParser.create().parse_overrides(overrides):
        key = override.key_or_group
        if key in BOOKKEEPING or key.startswith(("hydra.", "hydra/")):
            continue
        choices.append([f"{override.get_key_element()}={value}" for value in override.sweep_string_iterator()]
                       if override.is_sweep_override() else [override.input_line])
    return [list(job) for job in itertools.product(*choices)] if choices else []


def own_config_dir(argv: list[str]) -> bool:
    """Whether ``argv`` runs a scenario from the researcher's own config directory (README, "Your
    own configs"): files the docs' earlier commands write, checked by tests/test_own_configs.py."""
    return any(a.startswith("hydra.searchpath=") or a in ("-cd", "--config-dir") for a in argv)


EXAMPLES = [(c, words[1:]) for c in bash_commands(ROOT / "README.md")
            if (words := shlex.split(c.text, comments=True)) and Path(words[0]).name == "tariffsim"
            and "--cfg" not in words and not own_config_dir(words[1:]) and scenario_jobs(words[1:])]


@functools.cache
def baseline_seed() -> int:
    """The default config's seed: every job runs on it, whatever seed its command sets."""
    return study_from().seed


def runs_table(*overrides: str) -> pd.DataFrame:
    """The runs table of REPLICATIONS replications of the default config with ``overrides``.

    A DataFrame, whose ``equals`` takes NaN (no deal's utilities) as equal to NaN; Arrow's does not.
    """
    study = study_from(*overrides)
    return run_replications(study.scenario, baseline_seed(), REPLICATIONS).tables["runs"].to_pandas()


@pytest.fixture(scope="module")
def baseline_runs() -> pd.DataFrame:
    return runs_table()


def test_the_same_overrides_give_equal_tables(baseline_runs):
    assert runs_table().equals(baseline_runs)  # else every example would "differ"


def test_the_readme_has_examples_to_check():
    assert len([e for e in EXAMPLES if len(scenario_jobs(e[1])) == 1]) >= 5
    assert any(len(scenario_jobs(e[1])) > 1 for e in EXAMPLES)


@pytest.mark.parametrize(("command", "argv"), EXAMPLES, ids=[c.id for c, _ in EXAMPLES])
def test_a_readme_example_changes_the_outcome(command, argv, baseline_runs):
    jobs = scenario_jobs(argv)
    if len(jobs) == 1:
        assert not runs_table(*jobs[0]).equals(baseline_runs), (
            f"`{command.text}` gives the baseline's runs table: the example shows nothing")
        return
    first = runs_table(*jobs[0])
    # A sweep shows something when some job differs from the first; stop at the first that does.
    assert any(not runs_table(*job).equals(first) for job in jobs[1:]), (
        f"every job of `{command.text}` gives the same runs table")
