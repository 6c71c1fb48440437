"""A battery of bad inputs to ``tariffsim``: every one is refused before anything runs.

Config keys (unknown ones get a "did you mean"), values, strategy parameters, sweeps with one
bad job, YAML files with syntax errors, custom strategy modules that fail to import or to
construct, and output paths that cannot hold results. Each must exit non-zero with a message
that names the key or file, print no traceback, and write nothing (no run directory, no sweep
directory, no ``multirun.yaml``).

The cases run in-process through the command's entry point (fast); a handful also run the
installed console command in a subprocess, to show that no traceback reaches the terminal.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sim.apps import preflight
from sim.apps.command_errors import CommandError

ROOT = Path(__file__).resolve().parents[1]
JPN = "scenario.partners.JPN"
QUICK = {"replications": "replications=1", "figures": "figures=false", "print_table": "print_table=false"}

SCENARIO_TYPO = """\
defaults:
  - baseline_2025
  - _self_
deadlin: "2025-07-01"
"""
BROKEN_COUNTRY_SCENARIO = """\
defaults:
  - baseline_2025
  - /country@partners.JPN: broken
  - _self_
"""
BAD_SWEEP = """\
# @package _global_
hydra:
  sweeper:
    params:
      scenario.partners.JPN.politics.election.weight: 0.3,1.5
"""
NAME_ERROR_MODULE = "from sim.strategies import Strategy\n\nrate = undefined_name * 2\n"
RUNTIME_ERROR_INIT = """\
from sim.strategies import Strategy


class Broken(Strategy):
    def __init__(self) -> None:
        raise RuntimeError("no data for this strategy")

    def target(self, view, rng):
        return view.aspiration
"""
TYPED_STRATEGY = """\
from sim.strategies import Strategy


class Typed(Strategy):
    def __init__(self, patience: float = 1.0, rounds: int = 3) -> None:
        if patience <= 0:
            raise ValueError(f"patience must be > 0, got {patience}")
        self.patience, self.rounds = patience, rounds

    def target(self, view, rng):
        return view.aspiration
"""


@dataclass(frozen=True)
class Case:
    """A command line (``{tmp}``: the test's folder), the texts its message must contain, and the
    files to create first (relative to ``{tmp}``)."""

    id: str
    args: tuple[str, ...]
    needles: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict)


def strategy(target: str, **params: object) -> tuple[str, str]:
    """Overrides that give Japan the strategy ``_target_: target`` with ``params``."""
    items = ",".join([f"_target_:'{target}'", *(f"{k}:{v}" for k, v in params.items())])
    return f"~{JPN}.strategy", f"+{JPN}.strategy={{{items}}}"


CASES = [
    # Keys that do not exist: named, with the nearest valid key.
    Case("us-concession-beta", ("scenario.us.concession.beta=1.5",),
         ("scenario.us.concession.beta", "did you mean scenario.us.strategy.beta?")),
    Case("sweep-jpn-concession-beta", ("-m", f"{JPN}.concession.beta=1.5,2.0"),
         (f"{JPN}.concession.beta", f"did you mean {JPN}.strategy.beta?")),
    Case("replication", ("replication=5",), ("replication", "did you mean replications?")),
    Case("unknown-study", ("study=japan_election",), ("study=japan_election", "available: japan_election_x_deadline",
                                                 "did you mean study=japan_election_x_deadline?")),
    Case("seeds", ("seeds=3",), ("seeds", "did you mean seed?")),
    Case("aspiraton", (f"{JPN}.aspiraton=0.9",), (f"{JPN}.aspiraton", f"did you mean {JPN}.aspiration?")),
    Case("plus-aspiraton", (f"+{JPN}.aspiraton=0.9",), (f"{JPN}.aspiraton", f"did you mean {JPN}.aspiration?")),
    Case("cfg-job-unknown-key", ("--cfg", "job", "scenario.us.concession.beta=1"), ("did you mean scenario.us.strategy.beta?",)),
    Case("unknown-partner-key", ("scenario.partners.XYZ.aspiration=0.5",), ("scenario.partners.XYZ",)),
    Case("hydra-key-typo", ("hydra.run.dri={tmp}/out",), ("hydra.run.dri", "did you mean hydra.run.dir?")),
    Case("unknown-scenario", ("scenario=nosuch",), ("scenario=nosuch", "baseline_2025")),
    Case("scenario-typo", ("scenario=baseline_2026",), ("did you mean scenario=baseline_2025?",)),
    Case("unreadable-override", ("seed=[",), ("'seed=['",)),
    Case("sweep-without-m", ("seed=1,2",), ("seed=1,2", "--multirun")),
    # Values out of range or of the wrong type.
    Case("replications-0", ("replications=0",), ("replications=0:", "[1, 10000000]")),
    Case("seed-negative", ("seed=-1",), ("seed=-1:", "whole number")),
    Case("seed-word", ("seed=abc",), ("seed='abc':", "whole number")),
    Case("workers-negative", ("workers=-1",), ("workers=-1:", "[1, 4096]")),
    Case("figures-maybe", ("figures=maybe",), ("figures='maybe':", "true or false")),
    Case("deadline-not-a-date", ("scenario.deadline=2025-13-01",), ("scenario.deadline", "YYYY-MM-DD")),
    Case("end-before-start", ("scenario.end=2025-01-01",), ("scenario.end", "must be after scenario.start")),
    Case("letter-rate-120", (f"{JPN}.letter_rate=120",), (f"{JPN}.letter_rate=120:", "within 0–100")),
    Case("strike-probability", ("scenario.environment.court.strike_probability=1.3",),
         ("scenario.environment.court.strike_probability=1.3:", "[0, 1]")),
    Case("election-after-horizon", (f"{JPN}.politics.election.date=2025-12-01",),
         (f"{JPN}.politics.election.date='2025-12-01':", "must not be after scenario.end")),
    Case("red-line-after-horizon", (f'{JPN}.red_lines=[{{issue:autos,max:15.0,from:"2025-11-01"}}]',),
         (f"{JPN}.red_lines[0].from='2025-11-01':", "inside the horizon")),
    Case("run-dir-empty", ("hydra.run.dir=",), ("hydra.run.dir=''", "must name a directory")),
    # Strategy parameters: typed and checked like every other key.
    Case("beta-inf", ("scenario.us.strategy.beta=inf",), ("scenario.us.strategy.beta=inf:", "finite")),
    Case("beta-nan", (f"{JPN}.strategy.beta=nan",), (f"{JPN}.strategy.beta=nan:", "finite")),
    Case("beta-abc", ("scenario.us.strategy.beta=abc",), ("scenario.us.strategy.beta='abc':", "must be a number")),
    Case("extend-stress-high", ("scenario.us.strategy.extend_stress=high",),
         ("scenario.us.strategy.extend_stress='high':", "must be a number")),
    Case("extension-gap-negative", ("scenario.us.strategy.extend_close_gap=-0.1",),
         ("scenario.us.strategy.extend_close_gap=-0.1:", "[0, 1]")),
    Case("extension-days-negative", ("scenario.us.strategy.extension_days=-5",),
         ("scenario.us.strategy.extension_days=-5:",)),
    Case("near-days-fraction", ("scenario.us.strategy.near_days=2.5",),
         ("scenario.us.strategy.near_days=2.5:", "whole number")),
    Case("protected-not-a-list", (f"{JPN}.strategy.protected=farm_access",),
         (f"{JPN}.strategy.protected='farm_access':", "list")),
    Case("strategy-name-typo", ("scenario.us.strategy.name=deal_seker",),
         ("scenario.us.strategy.name='deal_seker':", "deal_seeker")),
    # Sweeps: every job is checked before the first runs.
    Case("sweep-one-bad-seed", ("-m", "seed=1,-1"), ("1 of 2 jobs", "job 1 (seed=-1", "seed=-1:")),
    Case("sweep-one-infinite-beta", ("-m", "scenario.us.strategy.beta=0.4,inf"),
         ("job 1 (scenario.us.strategy.beta=inf", "finite")),
    Case("sweep-product", ("-m", "scenario.us.aspiration=0.5,2.0", "seed=1,2"),
         ("2 of 4 jobs", "scenario.us.aspiration=2.0:")),
    Case("sweep-shared-problem", ("-m", "seed=1,2,3", "replications=0"), ("3 of 3 jobs", "every job (3)", "replications=0:")),
    Case("sweep-deadline-past-end", ("-m", "sweep=deadline", "scenario.end=2025-08-20"),
         ("1 of 5 jobs", "job 4 (scenario.deadline=2025-09-01", "inside the horizon")),
    Case("sweep-params-in-yaml", ("-m", "-cd", "{tmp}/conf", "sweep=bad_weight"),
         ("job 1", f"{JPN}.politics.election.weight=1.5:"), {"conf/sweep/bad_weight.yaml": BAD_SWEEP}),
    Case("sweep-dir-empty", ("-m", "seed=1,2", "hydra.sweep.dir="), ("hydra.sweep.dir=''",)),
    # YAML files.
    Case("yaml-unclosed-quote", ("-cd", "{tmp}/conf", "scenario=broken"),
         ("{tmp}/conf/scenario/broken.yaml cannot be read", "line 3"),
         {"conf/scenario/broken.yaml": 'name: broken\nstart: "2025-04-09\nend: "2025-09-30"\n'}),
    Case("yaml-bad-indent", ("-cd", "{tmp}/conf", "scenario=indent"), ("{tmp}/conf/scenario/indent.yaml cannot be read: line 4",),
         {"conf/scenario/indent.yaml": "name: x\nenvironment:\n  court: 1\n    ramp_days: 3\n"}),
    Case("yaml-broken-country", ("-cd", "{tmp}/conf", "scenario=with_broken_country"),
         ("{tmp}/conf/country/broken.yaml cannot be read: line 3",),
         {"conf/scenario/with_broken_country.yaml": BROKEN_COUNTRY_SCENARIO,
          "conf/country/broken.yaml": "code: JPN\nissues: {autos: {lo: 0, hi: 25}\n"}),
    Case("yaml-primary-config", ("-cp", "{tmp}/primary"), ("{tmp}/primary/config.yaml cannot be read", "starts at line 2"),
         {"primary/config.yaml": "seed: 1\nreplications: [1, 2\n"}),
    Case("yaml-key-typo", ("-cd", "{tmp}/conf", "scenario=typo"),
         ("scenario.deadlin='2025-07-01':", "did you mean scenario.deadline?"), {"conf/scenario/typo.yaml": SCENARIO_TYPO}),
    Case("config-dir-missing", ("-cd", "{tmp}/nowhere"), ("{tmp}/nowhere", "not a directory")),
    # Custom strategy modules.
    Case("module-name-error", strategy("{tmp}/mods/name_error.py:Anything"),
         ("{tmp}/mods/name_error.py, line 3", "NameError"), {"mods/name_error.py": NAME_ERROR_MODULE}),
    Case("module-syntax-error", strategy("{tmp}/mods/syntax.py:Anything"),
         ("{tmp}/mods/syntax.py, line 1", "SyntaxError"), {"mods/syntax.py": "def target(:\n    pass\n"}),
    Case("module-missing-import", strategy("{tmp}/mods/needs.py:Anything"),
         ("{tmp}/mods/needs.py, line 1", "no_such_package_xyz"), {"mods/needs.py": "import no_such_package_xyz\n"}),
    Case("module-by-name-raises", strategy("battery_raising_module.Anything"),
         ("battery_raising_module.py, line 3", "NameError"), {"battery_raising_module.py": NAME_ERROR_MODULE}),
    Case("constructor-raises", strategy("{tmp}/mods/broken.py:Broken"),
         ("{tmp}/mods/broken.py, line 6", "RuntimeError: no data for this strategy"),
         {"mods/broken.py": RUNTIME_ERROR_INIT}),
    Case("module-file-missing", strategy("{tmp}/mods/absent.py:Anything"), ("no Python file at", "absent.py")),
    Case("module-class-missing", strategy("{tmp}/mods/typed.py:Missing"), ("has no 'Missing'",),
         {"mods/typed.py": TYPED_STRATEGY}),
    Case("module-not-a-strategy", strategy("pathlib.Path"), ("is not a subclass of sim.strategies.Strategy",)),
    Case("custom-param-type", strategy("{tmp}/mods/typed.py:Typed", patience="slow"),
         (f"{JPN}.strategy.patience='slow':", "must be a number"), {"mods/typed.py": TYPED_STRATEGY}),
    Case("custom-param-refused", strategy("{tmp}/mods/typed.py:Typed", patience=-1),
         (f"{JPN}.strategy.patience=-1:", "patience must be > 0"), {"mods/typed.py": TYPED_STRATEGY}),
    Case("custom-param-unknown", strategy("{tmp}/mods/typed.py:Typed", patiense=2),
         (f"{JPN}.strategy.patiense=2:", "is not a parameter of Typed"), {"mods/typed.py": TYPED_STRATEGY}),
    # Output paths that cannot hold results.
    Case("run-dir-is-a-file", ("hydra.run.dir={tmp}/taken",), ("{tmp}/taken is a file",), {"taken": "x"}),
    Case("run-dir-under-a-file", ("hydra.run.dir={tmp}/taken/run",), ("{tmp}/taken is a file, not a directory",),
         {"taken": "x"}),
    Case("sweep-dir-is-a-file", ("-m", "seed=1,2", "hydra.sweep.dir={tmp}/taken"), ("{tmp}/taken is a file",),
         {"taken": "x"}),
]


def command_line(case: Case, tmp: Path) -> list[str]:
    """The case's arguments in ``tmp``, with quick settings and an output directory under ``tmp``."""
    args = [arg.replace("{tmp}", str(tmp)) for arg in case.args]
    written = " ".join(args)
    args += [quick for key, quick in QUICK.items() if f"{key}=" not in written]
    out_key = "hydra.sweep.dir" if "-m" in args else "hydra.run.dir"
    if f"{out_key}=" not in written:
        args.append(f"{out_key}={tmp / 'out'}")
    return args


def make_files(case: Case, tmp: Path) -> None:
    for name, text in case.files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def listing(tmp: Path) -> set[str]:
    return {str(p.relative_to(tmp)) for p in tmp.rglob("*") if "__pycache__" not in p.parts}


def assert_refused(code: object, out: str, err: str, case: Case, tmp: Path, before: set[str]) -> None:
    assert code not in (0, None), f"accepted: {out}{err}"
    assert "Traceback" not in out + err, err
    assert err.startswith("tariffsim: "), err
    for needle in case.needles:
        assert needle.replace("{tmp}", str(tmp)) in err, f"{needle!r} not in: {err}"
    assert listing(tmp) == before, "a refused command must write nothing"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_with_a_message_and_nothing_written(case, tmp_path, monkeypatch, capsys):
    make_files(case, tmp_path)
    before = listing(tmp_path)
    monkeypatch.chdir(tmp_path)  # outputs/ or multirun/ would appear here
    monkeypatch.setattr(sys, "argv", ["tariffsim", *command_line(case, tmp_path)])
    with pytest.raises(SystemExit) as exited:
        preflight.main()
    captured = capsys.readouterr()
    assert_refused(exited.value.code, captured.out, captured.err, case, tmp_path, before)


def test_the_battery_is_large_and_its_cases_distinct():
    assert len({c.id for c in CASES}) == len(CASES) >= 45
    assert len({c.args for c in CASES}) == len(CASES)


SUBPROCESS_CASES = ["us-concession-beta", "sweep-one-bad-seed", "yaml-unclosed-quote", "constructor-raises",
                    "beta-abc", "run-dir-under-a-file"]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_the_console_command_prints_no_traceback(name, tmp_path):
    case = next(c for c in CASES if c.id == name)
    make_files(case, tmp_path)
    before = listing(tmp_path)
    command = shutil.which("tariffsim", path=str(Path(sys.executable).parent))
    argv = [command] if command else [sys.executable, "-m", "sim"]
    env = {k: v for k, v in os.environ.items() if k not in ("TARIFFSIM_DEBUG", "HYDRA_FULL_ERROR")}
    done = subprocess.run([*argv, *command_line(case, tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 2, done.stderr
    assert_refused(done.returncode, done.stdout, done.stderr, case, tmp_path, before)


def test_debug_flag_shows_the_traceback_too(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TARIFFSIM_DEBUG", "1")
    monkeypatch.setattr(sys, "argv", ["tariffsim", "scenario.us.strategy.beta=abc", f"hydra.run.dir={tmp_path / 'out'}"])
    with pytest.raises(SystemExit) as exit_:
        preflight.main()
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "Traceback" in err and "CommandError" in err
    assert "\ntariffsim: invalid configuration:\n  scenario.us.strategy.beta='abc'" in err  # after the traceback
    assert not (tmp_path / "out").exists()


def test_valid_command_lines_pass_the_checks(tmp_path, monkeypatch):
    """The checks refuse what cannot run, not what can: the defaults, a sweep, a custom module."""
    (tmp_path / "typed.py").write_text(TYPED_STRATEGY)
    monkeypatch.chdir(tmp_path)
    preflight.check([f"hydra.run.dir={tmp_path / 'out'}"])
    preflight.check(["-m", "seed=1,2", f"hydra.sweep.dir={tmp_path / 'sweep'}"])
    preflight.check([*strategy(f"{tmp_path}/typed.py:Typed", patience=2.5), "scenario.us.strategy.beta=0.5"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["typed.py"]


def test_a_directory_that_cannot_be_written_is_refused(tmp_path, monkeypatch, capsys):
    """Root may write anywhere, so the probe file is refused by a stand-in for ``mkstemp``."""
    locked = tmp_path / "locked"
    locked.mkdir()
    real_mkstemp = tempfile.mkstemp

    def refuse(*args, dir=None, **kwargs):
        if Path(dir) == locked:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr("sim.io.output_dir.tempfile.mkstemp", refuse)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["tariffsim", f"hydra.run.dir={locked / 'run'}", "replications=1"])
    with pytest.raises(SystemExit) as exited:
        preflight.main()
    err = capsys.readouterr().err
    assert exited.value.code == 2 and f"could not write {locked}: permission denied" in err and "Traceback" not in err
    assert list(locked.iterdir()) == []
