"""Bad inputs to ``tariffsim-report``: each refused with a message naming the path, a non-zero exit,
no traceback and nothing new under a final name.

A small real sweep (two jobs) and a single run are written once; each case copies them and breaks
one thing. Most cases call ``main(argv)`` in the test process; a few run the console script.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.apps import cli
from sim.apps.report import main
from tests.conftest import compose_config

JOB = ("replications=2", "figures=false", "print_table=false")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``sweep/0``, ``sweep/1`` (two values of the deadline) and ``run`` (a single run)."""
    root = tmp_path_factory.mktemp("pristine")
    for num, deadline in enumerate(["2025-07-09", "2025-08-01"]):
        overrides = (*JOB, f"scenario.deadline={deadline}")
        cli.run(compose_config(*overrides), root / "sweep" / str(num))
        (root / "sweep" / str(num) / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))
    cli.run(compose_config(*JOB), root / "run")
    return root


def truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def replace_with_dir(path: Path) -> None:
    path.unlink()
    path.mkdir()


# Each case: (the directory given, how to break it, extra options, what the message must name).
# The directory and the named path are relative to the copy ("" is the copy itself).
Breaker = Callable[[Path], None]
CASES: dict[str, tuple[str, Breaker, list[str], str]] = {
    "missing directory": ("nowhere", lambda d: None, [], "nowhere"),
    "a text file": ("notes.txt", lambda d: (d / "notes.txt").write_text("hello"), [], "notes.txt"),
    "a job's runs.parquet": ("sweep/0/runs.parquet", lambda d: None, [], "sweep/0/runs.parquet"),
    "an empty directory": ("empty", lambda d: (d / "empty").mkdir(), [], "empty"),
    "a folder of unrelated folders": ("other", lambda d: (d / "other" / "notes").mkdir(parents=True), [], "other"),
    "truncated runs.parquet": ("sweep", lambda d: truncate(d / "sweep/0/runs.parquet"), [], "sweep/0/runs.parquet"),
    "empty runs.parquet": ("sweep", lambda d: (d / "sweep/1/runs.parquet").write_bytes(b""), [],
                           "sweep/1/runs.parquet"),
    "runs.parquet of text": ("sweep", lambda d: (d / "sweep/0/runs.parquet").write_text("run_id,partner\n0,JPN\n"),
                             [], "sweep/0/runs.parquet"),
    "runs.parquet cut to its last bytes": ("sweep", lambda d: (d / "sweep/0/runs.parquet").write_bytes(
        (d / "sweep/0/runs.parquet").read_bytes()[-200:]), [], "sweep/0/runs.parquet"),
    "runs.parquet is a folder": ("sweep", lambda d: replace_with_dir(d / "sweep/0/runs.parquet"), [], "sweep/0"),
    "truncated runs.parquet of a single run": ("run", lambda d: truncate(d / "run/runs.parquet", 0.9), [],
                                               "run/runs.parquet"),
    "truncated timeseries.parquet of a single run": ("run", lambda d: truncate(d / "run/timeseries.parquet"), [],
                                                     "run/timeseries.parquet"),
    "runs.parquet of another table": ("sweep", lambda d: shutil.copy(d / "sweep/0/events.parquet",
                                                                     d / "sweep/0/runs.parquet"), [],
                                      "sweep/0/runs.parquet"),
    "overrides.yaml of garbage": ("sweep", lambda d: (d / "sweep/1/.hydra/overrides.yaml").write_text(
        "- a: [b\n  }{ ::: \x07"), [], "sweep/1/.hydra/overrides.yaml"),
    "overrides.yaml of binary": ("sweep", lambda d: (d / "sweep/1/.hydra/overrides.yaml").write_bytes(
        b"\xff\xfe\x00garbage\x00"), [], "sweep/1/.hydra/overrides.yaml"),
    "overrides.yaml a mapping": ("sweep", lambda d: (d / "sweep/0/.hydra/overrides.yaml").write_text("seed: 1\n"),
                                 [], "sweep/0/.hydra/overrides.yaml"),
    "overrides.yaml of numbers": ("sweep", lambda d: (d / "sweep/0/.hydra/overrides.yaml").write_text("- 1\n- 2\n"),
                                  [], "sweep/0/.hydra/overrides.yaml"),
    "overrides.yaml not overrides": ("sweep", lambda d: (d / "sweep/0/.hydra/overrides.yaml").write_text(
        "- ']]]=[[['\n"), [], "sweep/0/.hydra/overrides.yaml"),
    "an unfinished job": ("sweep", lambda d: (d / "sweep/2").mkdir(), [], "sweep/2"),
    "a failed job": ("sweep", lambda d: ((d / "sweep/2").mkdir(), (d / "sweep/2/error.json").write_text(
        '{"error": "ConfigError", "message": "bad"}')), [], "sweep/2/error.json"),
    "a job with garbage summary.json": ("sweep", lambda d: (d / "sweep/1/summary.json").write_text("{not json"), [],
                                        "sweep/1"),
    "a single run without summary.json": ("run", lambda d: (d / "run/summary.json").unlink(), [], "run"),
    "every job unfinished, partial allowed": ("sweep", lambda d: [(d / f"sweep/{n}/summary.json").unlink()
                                                                  for n in "01"], ["--allow-partial"], "sweep/0"),
    "study_runs.parquet is a folder": ("sweep", lambda d: (d / "sweep/study_runs.parquet").mkdir(), [],
                                       "sweep/study_runs.parquet"),
    "figures is a file": ("sweep", lambda d: (d / "sweep/figures").write_text("x"), [], "sweep/figures"),
    "report.html is a folder": ("run", lambda d: (d / "run/report.html").mkdir(), [], "run/report.html"),
    "--out is a file": ("sweep", lambda d: (d / "out.txt").write_text("x"), ["--out", "{copy}/out.txt"], "out.txt"),
    "--out under a file": ("sweep", lambda d: (d / "out.txt").write_text("x"), ["--out", "{copy}/out.txt/report"],
                           "out.txt"),
    "--out's figures is a file": ("run", lambda d: ((d / "out").mkdir(), (d / "out/figures").write_text("x")),
                                  ["--out", "{copy}/out"], "out/figures"),
}


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def broken_copy(pristine: Path, tmp_path: Path, name: str) -> tuple[Path, list[str], str]:
    """A copy of the pristine study broken as ``CASES[name]`` says; the argv and the path to name."""
    given, breaker, options, named = CASES[name]
    copy = tmp_path / "copy"
    shutil.copytree(pristine, copy)
    breaker(copy)
    argv = [str(copy / given), *(o.replace("{copy}", str(copy)) for o in options)]
    return copy, argv, str(copy / named)


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_input_is_refused_with_a_message_naming_the_path(name: str, pristine: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TARIFFSIM_DEBUG", raising=False)
    copy, argv, named = broken_copy(pristine, tmp_path, name)
    before = files_under(copy)
    status = main(argv)
    out, err = capsys.readouterr()
    assert status in (2, 3), (status, err)
    assert named in err, err
    assert "Traceback" not in out + err and len(err.strip().splitlines()) <= 6, err
    assert files_under(copy) == before  # nothing written, no temporary left


@pytest.mark.parametrize("argv", [["{copy}/sweep", "--bogus"], [], ["{copy}/sweep", "--out"]])
def test_bad_options_are_refused_with_usage(argv: list[str], pristine: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(pristine, tmp_path / "copy")
    before = files_under(tmp_path / "copy")
    with pytest.raises(SystemExit) as stopped:
        main([a.replace("{copy}", str(tmp_path / "copy")) for a in argv])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "usage: tariffsim-report" in err and "Traceback" not in err
    assert (argv[-1] if argv else "dir") in err
    assert files_under(tmp_path / "copy") == before


CONSOLE = Path(sys.executable).with_name("tariffsim-report")


@pytest.mark.skipif(not CONSOLE.exists(), reason="the console script is not installed")
@pytest.mark.parametrize("name", ["missing directory", "truncated runs.parquet", "an unfinished job",
                                  "overrides.yaml of garbage", "figures is a file"])
def test_the_console_script_refuses_bad_inputs(name: str, pristine: Path, tmp_path: Path) -> None:
    copy, argv, named = broken_copy(pristine, tmp_path, name)
    before = files_under(copy)
    env = {k: v for k, v in os.environ.items() if k != "TARIFFSIM_DEBUG"}
    done = subprocess.run([str(CONSOLE), *argv], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode in (2, 3) and named in done.stderr and "Traceback" not in done.stdout + done.stderr
    assert files_under(copy) == before


@pytest.mark.skipif(not CONSOLE.exists(), reason="the console script is not installed")
def test_the_debug_flag_shows_the_traceback(pristine: Path, tmp_path: Path) -> None:
    copy, argv, named = broken_copy(pristine, tmp_path, "truncated runs.parquet")
    done = subprocess.run([str(CONSOLE), *argv], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TARIFFSIM_DEBUG": "1"})
    assert done.returncode == 2 and "Traceback" in done.stderr and named in done.stderr


def test_an_unexpected_error_is_one_paragraph_without_traceback(pristine: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.io.study_table

    monkeypatch.delenv("TARIFFSIM_DEBUG", raising=False)
    shutil.copytree(pristine, tmp_path / "copy")

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(sim.io.study_table, "study_summary", broken)
    before = files_under(tmp_path / "copy")
    assert main([str(tmp_path / "copy" / "sweep")]) == 1
    err = capsys.readouterr().err
    assert "ZeroDivisionError" in err and "TARIFFSIM_DEBUG=1" in err and "Traceback" not in err
    assert str(tmp_path / "copy" / "sweep") in err
    assert files_under(tmp_path / "copy") == before


def test_ctrl_c_while_writing_leaves_nothing_new(pristine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.plots.report_figures

    shutil.copytree(pristine, tmp_path / "copy")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.plots.report_figures, "plot_against", interrupted)  # after the tables are staged
    before = files_under(tmp_path / "copy")
    assert main([str(tmp_path / "copy" / "sweep")]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert files_under(tmp_path / "copy") == before


def test_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    out = capsys.readouterr().out
    assert stopped.value.code == 0 and "--allow-partial" in out and "Exit status" in out
    assert "``" not in out and ":class:" not in out
