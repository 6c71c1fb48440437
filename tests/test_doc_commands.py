"""Every shell command the docs show runs as pasted into bash.

Commands are the lines of the ```bash blocks of README.md, docs/*.md and experiments/README.md
(a trailing `\\` joins lines; comment lines are skipped; ```text blocks are sample output) and
the example `python -m sim.strategies` prints. Each line runs verbatim through `bash -c`, so
unquoted parentheses, braces or a leading `~` fail as they would in a terminal. A file's
commands run in order in a scratch directory of their own, so a command finds what the commands
above it wrote (`results/base`, a study's sweep directory). The scratch directory links to the
checkout's experiments/ and benchmarks/ (the configs come with the package, sim/conf/), and its
`.venv/bin/` (also first on PATH, for
the bare `tariffsim` of docs/sweeps.md) holds launchers of this interpreter that append the
arguments of `small_arguments` (`replications=2 figures=false`, a run or sweep directory of its
own, 2 tournament replications, 2 sensitivity samples, a calibration of 4 particles in 1 generation),
so the line itself is never edited.
Each must exit 0 with no traceback, and every file the commands write must be one the
checkout's .gitignore ignores.

Not run (listed in NOT_RUN, with why): commands that install packages, submit to a cluster
launcher, or serve the explorer. They are checked with `bash -n`, and the extras, launcher
configs and files they name must exist. A command identical to one an earlier file already ran
(e.g. the named study in README.md and docs/sweeps.md) runs once, unless a later command of its
file that does run may read what it writes (`tariffsim-calibrate quick`, then its point estimate).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from markdown_commands import ROOT, Command, bash_commands
from sim.config.paths import CONF

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "experiments" / "README.md"]
LINKED = ("experiments", "benchmarks")  # what commands read from the checkout (configs: the package's)
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
ENTRY_POINTS: dict[str, str] = PYPROJECT["project"]["scripts"]  # tariffsim -> sim.apps.cli:main, ...

# Commands checked with `bash -n` and for the files they name, not run: pattern -> why.
NOT_RUN = {
    r"\bpip install\b": "installs packages (network, minutes); `.ci/run` runs the README's install "
                        "and test commands itself, and the test command is this suite",
    r"hydra/launcher=slurm\b": "submits jobs to a SLURM cluster",
    r"hydra/launcher=ray_(local|cluster)\b": "needs the `ray` extra, which `.ci/run` installs after this "
                                             "suite (tests/test_launchers.py then runs a Ray sweep), and "
                                             "ray_cluster a running cluster",
    r"\bmutmut\b": "the mutation test: some 2,300 mutants, each against the fast tests, takes well over "
                    "an hour on one core; docs/testing.md gives its last score",
    r"\bsolara run\b": "serves the explorer until stopped; tests/test_app.py starts it and drives it in "
                       "a browser",
}
# Run, but with --help only: a benchmark whose smallest setting (--quick --skip-jobs) still costs
# ~25 s of CPU; --help imports it and its options.
HELP_ONLY = ("benchmarks/sweep_speed.py",)


def not_run_reason(text: str) -> str | None:
    """Why ``text`` is not run (a NOT_RUN entry), or None."""
    return next((why for pattern, why in NOT_RUN.items() if re.search(pattern, text)), None)


def words(text: str) -> list[str]:
    """The command's words as the shell would split them (only to choose what to append)."""
    return shlex.split(text, comments=True)


def small_arguments(text: str, index: int) -> dict[str, list[str]]:
    """Per program, what its launcher appends to make the command ``text`` small."""
    argv = words(text)
    program, args = Path(argv[0]).name, argv[1:]
    if program == "tariffsim":
        extra = ["replications=2", "figures=false"]
        if any(a.startswith("study=") for a in args):
            pass  # a named study: it fixes its own sweep directory, which later commands read
        elif "-m" in args or "--multirun" in args:
            if not any(a.startswith("hydra.sweep.dir=") for a in args):
                extra.append(f"hydra.sweep.dir=multirun/doc-{index}")
        elif not any(a.startswith("hydra.run.dir=") for a in args):
            extra.append(f"hydra.run.dir=outputs/doc-{index}")
        return {program: extra}
    if program == "tariffsim-tournament":
        return {program: ["--replications", "2", "--no-figures"]}
    if program == "tariffsim-sensitivity":
        return {program: ["--samples", "2", "--replications", "1"]}
    if program == "tariffsim-calibrate":
        return {program: ["--population", "4", "--generations", "1", "--replications", "2", "--workers", "1",
                          "--no-figures"]}
    if program == "python" and args[:1] == ["benchmarks/run_speed.py"]:
        return {program: ["--runs", "2", "--repeats", "1"]}
    if program == "python" and args[:1] and args[0] in HELP_ONLY:
        return {program: ["--help"]}
    return {}


def scratch_directory(path: Path) -> Path:
    """Make ``path`` a checkout to run doc commands in: links and a `.venv/bin/` of launchers."""
    for name in LINKED:
        (path / name).symlink_to(ROOT / name, target_is_directory=True)
    bin_dir = path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    # Guarded like pip's entry-point scripts: a worker started by "spawn" imports this file again.
    head = f"#!{sys.executable}\nimport json, os, sys\nif __name__ == '__main__':\n"
    append = "    sys.argv[1:] += json.loads(os.environ.get('DOC_EXTRA', '{}')).get(%r, [])\n"
    for program, target in ENTRY_POINTS.items():
        module, function = target.split(":")
        launcher = head + append % program + f"    from {module} import {function}\n    sys.exit({function}())\n"
        (bin_dir / program).write_text(launcher)
    (bin_dir / "python").write_text(head + append % "python"
                                    + f"    os.execv({sys.executable!r}, [{sys.executable!r}, *sys.argv[1:]])\n")
    for launcher in bin_dir.iterdir():
        launcher.chmod(0o755)
    return path


def run_line(text: str, cwd: Path, extra: dict[str, list[str]]) -> subprocess.CompletedProcess:
    """Run ``text`` verbatim through bash in ``cwd``, its launchers appending ``extra``."""
    env = {**os.environ, "PATH": f"{cwd / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT), "DOC_EXTRA": json.dumps(extra)}
    return subprocess.run(["bash", "-c", text], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


COMMANDS = [command for doc in DOCS for command in bash_commands(doc)]
RUN = [c for c in COMMANDS if not_run_reason(c.text) is None]


def _key(text: str) -> tuple[str, ...]:
    """A command's words, `.venv/bin/` dropped: the same key for the same command in two docs."""
    argv = words(text)
    return (Path(argv[0]).name, *argv[1:])


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """Every doc's commands, run in order in the doc's scratch directory (two docs at a time)."""
    firsts: dict[tuple[str, ...], Command] = {}
    for command in RUN:
        firsts.setdefault(_key(command.text), command)

    def run_doc(doc: str) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
        cwd = scratch_directory(tmp_path_factory.mktemp(Path(doc).stem))
        mine = [(index, command) for index, command in enumerate(RUN) if command.doc == doc]
        # A repeat of an earlier doc's command runs again when a later command of this doc (one run
        # here) may read what it writes: only the repeats after this doc's last new command are skipped.
        last_new = max((i for i, (_, c) in enumerate(mine) if firsts[_key(c.text)] is c), default=-1)
        done = {}
        for position, (index, command) in enumerate(mine):
            if firsts[_key(command.text)] is command or position < last_new:
                done[command.id] = run_line(command.text, cwd, small_arguments(command.text, index)), cwd
        return done

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = {}
        for done in pool.map(run_doc, sorted({c.doc for c in RUN}, key=lambda d: -sum(c.doc == d for c in RUN))):
            results.update(done)
    for command in RUN:  # a repeated command has its first occurrence's outcome
        results.setdefault(command.id, results[firsts[_key(command.text)].id])
    return results


def assert_ran(text: str, done: subprocess.CompletedProcess) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"`{text}` exited {done.returncode}:\n{output[-3000:]}"
    assert "Traceback" not in output, f"`{text}` printed a traceback:\n{output[-3000:]}"


@pytest.mark.slow  # all of them together: about 3 minutes of CPU, 2 docs at a time
@pytest.mark.parametrize("command", RUN, ids=[c.id for c in RUN])
def test_the_docs_command_runs_as_pasted(command, outcomes):
    assert_ran(command.text, outcomes[command.id][0])


@pytest.mark.parametrize("command", [c for c in COMMANDS if c not in RUN],
                         ids=[c.id for c in COMMANDS if c not in RUN])
def test_a_command_not_run_is_valid_bash_naming_what_exists(command):
    checked = subprocess.run(["bash", "-n", "-c", command.text], capture_output=True, text=True)
    assert checked.returncode == 0, f"`{command.text}` is not valid bash: {checked.stderr}"
    extras = PYPROJECT["project"]["optional-dependencies"]
    for extra in re.findall(r"\.\[([\w,]+)\]", command.text):
        assert set(extra.split(",")) <= set(extras), f"`{command.text}`: no such extra {extra}"
    for launcher in re.findall(r"hydra/launcher=(\w+)", command.text):
        assert (CONF / "hydra" / "launcher" / f"{launcher}.yaml").is_file(), command.text
    for word in words(command.text):
        if re.fullmatch(r"[\w./-]+\.(py|ya?ml)", word):
            assert (ROOT / word).is_file(), f"`{command.text}` names {word}, which does not exist"


def test_every_not_run_pattern_matches_a_doc_command():
    for pattern in NOT_RUN:
        assert any(re.search(pattern, c.text) for c in COMMANDS), f"NOT_RUN has a stale entry {pattern!r}"


@pytest.mark.slow
def test_every_file_the_commands_write_is_git_ignored(outcomes):
    git = ["git", "-C", str(ROOT)]
    if shutil.which("git") is None or subprocess.run([*git, "rev-parse"], capture_output=True).returncode:
        pytest.skip("not a git checkout")
    written = set()
    for cwd in {cwd for _, cwd in outcomes.values()}:
        for folder, dirs, files in os.walk(cwd):
            dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink() and d != ".venv"]
            written |= {str((Path(folder) / f).relative_to(cwd)) for f in files}
    assert written, "the commands wrote nothing"
    ignored = subprocess.run([*git, "check-ignore", "--no-index", "--stdin"],
                             input="\n".join(sorted(written)), capture_output=True, text=True).stdout.split("\n")
    assert sorted(written - set(ignored)) == [], ".gitignore misses output the docs' commands write"


def test_the_strategies_listings_example_runs_as_pasted(tmp_path):
    listing = subprocess.run([sys.executable, "-m", "sim.strategies"], capture_output=True, text=True, check=True)
    examples = [line.strip() for line in listing.stdout.splitlines() if line.strip().startswith("tariffsim ")]
    assert examples, f"`python -m sim.strategies` shows no command:\n{listing.stdout}"
    cwd = scratch_directory(tmp_path)
    for index, example in enumerate(examples):
        assert_ran(example, run_line(example, cwd, small_arguments(example, index)))
