"""Interruptions of ``tariffsim``: Ctrl-C, SIGTERM and SIGKILL stop every process, leave no
temporary file, and a second process on the same directory is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Enough replications that two workers start (sim.run.runner.MIN_REPLICATIONS_FOR_WORKERS) and run a while.
WITH_WORKERS = ("replications=400", "workers=2", "figures=false", "print_table=false")


def start(*args: str, cwd: Path) -> subprocess.Popen:
    """``tariffsim ARGS`` in a session of its own (its process group gets Ctrl-C like a terminal's)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TARIFFSIM_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=_ctrl_c_as_on_a_terminal)


def _ctrl_c_as_on_a_terminal() -> None:
    # A test run in the background inherits SIGINT ignored, and Python then keeps ignoring it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def session(sid: int) -> list[int]:
    """Live (not zombie) processes of session ``sid``, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # state ppid pgrp session ...
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def wait_for(condition, what: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"tariffsim ended before {what}: {proc.stdout.read()}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def wait_for_workers(proc: subprocess.Popen, run_dir: Path) -> None:
    """Until both workers run and the tables are being written."""
    wait_for(lambda: len(session(proc.pid)) >= 3 and list(run_dir.glob(".*.tmp")), "workers", proc)


def assert_gone(sid: int, seconds: float = 5.0) -> None:
    """No process of session ``sid`` is alive ``seconds`` after its leader ended (the dead do not
    come back: checking until none is left is the same test, and quicker)."""
    deadline = time.monotonic() + seconds
    while session(sid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = session(sid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes still alive {seconds} s after the parent: {left}"


def test_workers_exit_when_the_parent_is_killed(tmp_path):
    run_dir = tmp_path / "run"
    proc = start(*WITH_WORKERS, f"hydra.run.dir={run_dir}", cwd=tmp_path)
    wait_for_workers(proc, run_dir)
    proc.kill()  # SIGKILL: the parent cannot stop its workers; they must notice on their own
    proc.wait(timeout=30)
    assert_gone(proc.pid)
    proc.communicate(timeout=30)


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_sigterm_and_ctrl_c_stop_the_run_cleanly(tmp_path, sig, code):
    run_dir = tmp_path / "run"
    proc = start(*WITH_WORKERS, f"hydra.run.dir={run_dir}", cwd=tmp_path)
    wait_for_workers(proc, run_dir)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C on a terminal reaches the whole process group
    else:
        proc.send_signal(sig)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == code, out
    assert "Traceback" not in out and "Run the same command again to resume" in out, out
    assert not run_dir.exists() or not list(run_dir.rglob("*")), "an interrupted run leaves nothing behind"
    assert_gone(proc.pid, seconds=1)


def test_ctrl_c_stops_a_joblib_sweep_cleanly(tmp_path):
    sweep_dir = tmp_path / "sweep"
    proc = start("-m", "seed=1,2", "replications=300", "figures=false", "print_table=false",
                 f"hydra.sweep.dir={sweep_dir}", cwd=tmp_path)
    wait_for(lambda: list(sweep_dir.glob("*/.*.tmp")), "a job writing its tables", proc)
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, out
    assert "Traceback" not in out and "Run the same command again to resume" in out, out
    assert not list(sweep_dir.rglob("*.tmp")) and not list(sweep_dir.rglob("*.lock"))
    assert not list(sweep_dir.rglob("summary.json"))
    assert_gone(proc.pid)


def test_the_jobs_of_a_joblib_sweep_exit_when_the_parent_is_killed(tmp_path):
    sweep_dir = tmp_path / "sweep"
    proc = start("-m", "seed=1,2", "replications=300", "figures=false", "print_table=false",
                 f"hydra.sweep.dir={sweep_dir}", cwd=tmp_path)
    wait_for(lambda: len({tmp.parent for tmp in sweep_dir.glob("*/.*.tmp")}) == 2, "both jobs writing", proc)
    proc.kill()
    proc.wait(timeout=30)
    assert_gone(proc.pid)
    proc.communicate(timeout=30)


def test_a_second_process_on_the_same_run_directory_is_refused(tmp_path):
    run_dir = tmp_path / "run"
    first = start(*WITH_WORKERS, f"hydra.run.dir={run_dir}", cwd=tmp_path)
    wait_for(lambda: list(run_dir.glob(".*.tmp")), "the first run writing", first)
    second = start("replications=2", "figures=false", f"hydra.run.dir={run_dir}", cwd=tmp_path)
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 2, out
    assert f"is in use by process {first.pid} on " in out and "started 20" in out, out
    assert "Traceback" not in out
    assert list(run_dir.glob(".*.tmp")), "the second process must not remove the first's files"
    os.killpg(first.pid, signal.SIGTERM)
    first.communicate(timeout=60)
    assert not (run_dir / ".tariffsim.lock").exists()
