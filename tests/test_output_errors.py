"""Output directories and files that cannot be written: a run or sweep directory that is a file,
under a file, not writable, on a read-only or a full file system. Each gets one paragraph naming
the path and what to do, a non-zero exit, no traceback, and nothing under a final name."""

from __future__ import annotations

import errno
import os
import signal
import socket
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from sim.apps import cli

from sim.io import jobs
from sim.io.output_dir import DirectoryLock, OutputError, OutputGuard, check_directory, remove_stale_lock
from sim.io.files import TableFiles

QUICK = ("replications=2", "figures=false", "print_table=false")
RESULT_NAMES = ("runs.parquet", "timeseries.parquet", "events.parquet", "summary.json", "config.yaml")


@pytest.fixture
def tariffsim(monkeypatch, tmp_path):
    """Run the command in this process (so that writes can be made to fail); returns its exit code."""
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGHUP)}
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TARIFFSIM_DEBUG", raising=False)
    monkeypatch.setenv(cli.LAUNCHER_PID, "0")  # the command sets it: undone after the test

    def invoke(*args: str) -> int:
        monkeypatch.setattr(sys, "argv", ["tariffsim", *args])
        try:
            cli.main()
        except SystemExit as exit_:
            return int(exit_.code or 0)
        finally:
            GlobalHydra.instance().clear()
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
        return 0

    return invoke


def full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def assert_nothing_left(folder: Path) -> None:
    names = [p.name for p in folder.rglob("*")] if folder.exists() else []
    assert not [n for n in names if n.endswith(".tmp") or n in RESULT_NAMES or n.endswith(".png")], names
    assert ".tariffsim.lock" not in names


@pytest.mark.parametrize("where", ["is", "under"])
@pytest.mark.parametrize("multirun", [False, True])
def test_a_directory_that_is_a_file_or_under_one_is_refused(tariffsim, tmp_path, capsys, where, multirun):
    blocker = tmp_path / "taken"
    blocker.write_text("mine")
    target = blocker if where == "is" else blocker / "run"
    option = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    args = ("-m", "seed=1,2") if multirun else ()
    assert tariffsim(*args, *QUICK, f"{option}={target}") == 1
    err = capsys.readouterr().err
    assert f"{blocker} is a file, not a directory" in err and f"{option}=DIR" in err
    assert "Traceback" not in err
    assert blocker.read_text() == "mine"


@pytest.mark.parametrize("cause,words", [(PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
                                         (OSError(errno.EROFS, "Read-only file system"), "read-only file system")])
def test_a_directory_that_cannot_be_written_is_refused_before_anything_runs(tmp_path, monkeypatch, cause, words):
    # Tests run as root, which ignores permissions: the refusal of the file system is simulated.
    def refuse(*args, **kwargs):
        raise cause

    monkeypatch.setattr("sim.io.output_dir.tempfile.mkstemp", refuse)
    with pytest.raises(OutputError, match=words) as refused:
        check_directory(tmp_path / "new" / "run", "hydra.run.dir")
    assert str(tmp_path) in str(refused.value) and "hydra.run.dir=DIR" in str(refused.value)
    assert not (tmp_path / "new").exists()


def test_the_command_refuses_a_read_only_directory_with_a_message(tariffsim, tmp_path, capsys, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("sim.io.output_dir.tempfile.mkstemp", read_only)
    assert tariffsim(*QUICK, f"hydra.run.dir={tmp_path / 'run'}") == 1
    err = capsys.readouterr().err
    assert f"{tmp_path}" in err and "read-only file system" in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(not hasattr(sys, "getuid") or sys.getuid() == 0, reason="root may write anywhere")
def test_a_directory_without_write_permission_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(OutputError, match="permission denied"):
        check_directory(locked / "run", "hydra.run.dir")


def _refuses_files(folder: Path) -> bool:
    try:
        (folder / ".tariffsim-probe").touch()
    except OSError:
        return True
    (folder / ".tariffsim-probe").unlink()
    return False


@pytest.mark.skipif(not Path("/sys").is_dir() or not _refuses_files(Path("/sys")),
                    reason="needs a folder that refuses new files even to root (Linux sysfs)")
def test_the_command_refuses_a_folder_where_files_cannot_be_created(tariffsim, tmp_path, capsys):
    assert tariffsim(*QUICK, "hydra.run.dir=/sys/tariffsim-run") == 1
    err = capsys.readouterr().err
    assert "could not write /sys" in err and "hydra.run.dir=DIR" in err and "Traceback" not in err


def test_a_full_disk_while_writing_tables_leaves_nothing_and_says_so(tariffsim, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(pq.ParquetWriter, "write_table", full_disk)
    monkeypatch.setattr(jobs, "write_json", full_disk)  # error.json cannot be written either
    run_dir = tmp_path / "run"
    assert tariffsim(*QUICK, f"hydra.run.dir={run_dir}") == 1
    out, err = capsys.readouterr()
    assert "the file system is full" in err and str(run_dir) in err and "hydra.run.dir=DIR" in err
    assert "Traceback" not in err
    assert "could not write" in out and "error.json" in out  # what error.json would hold is logged
    assert_nothing_left(run_dir)


def test_a_full_disk_while_writing_figures_leaves_no_table_under_its_final_name(tariffsim, tmp_path, capsys,
                                                                                 monkeypatch):
    from matplotlib.figure import Figure

    def half_written(self, path, **kwargs):
        Path(path).write_bytes(b"\x89PNG half")
        full_disk()

    monkeypatch.setattr(Figure, "savefig", half_written)
    run_dir = tmp_path / "run"
    assert tariffsim("replications=2", "print_table=false", f"hydra.run.dir={run_dir}") == 1
    err = capsys.readouterr().err
    assert "the file system is full" in err and "Traceback" not in err
    assert_nothing_left(run_dir)
    assert (run_dir / "error.json").is_file()  # error.json itself could be written


def test_a_full_disk_fails_the_jobs_not_the_sweep(tariffsim, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(pq.ParquetWriter, "write_table", full_disk)
    monkeypatch.setattr(jobs, "write_json", full_disk)
    sweep_dir = tmp_path / "sweep"
    assert tariffsim("-m", "seed=1,2", *QUICK, "hydra/launcher=basic", f"hydra.sweep.dir={sweep_dir}") == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert out.count("the file system is full") == 2, out  # both jobs ran, both said what happened
    assert "0 jobs complete" in out and "2 incomplete" in out
    assert_nothing_left(sweep_dir)


def test_a_table_file_that_cannot_be_opened_leaves_no_empty_temporary(tmp_path, monkeypatch, baseline):
    monkeypatch.setattr(pq, "ParquetWriter", full_disk)
    from sim.run.runner import stream_replications

    with pytest.raises(OSError), TableFiles(tmp_path) as files:
        stream_replications(baseline.scenario, 1, 2, files.write)
    assert list(tmp_path.iterdir()) == []


def test_a_debug_flag_shows_the_traceback(tmp_path, monkeypatch, capsys):
    (tmp_path / "f").write_text("")
    config = OmegaConf.create({"hydra": {"run": {"dir": str(tmp_path / "f" / "x")}}})
    with pytest.raises(SystemExit):
        OutputGuard().on_run_start(config)
    assert "is a file" in capsys.readouterr().err
    monkeypatch.setenv("TARIFFSIM_DEBUG", "1")
    with pytest.raises(OutputError, match="is a file"):  # raised: Hydra prints its traceback
        OutputGuard().on_run_start(config)


def test_a_sweep_on_a_directory_in_use_is_refused_naming_the_holder(tariffsim, tmp_path, capsys):
    sweep_dir = tmp_path / "sweep"
    with DirectoryLock(sweep_dir, "hydra.sweep.dir"):  # as another command would hold it
        assert tariffsim("-m", "seed=1,2", *QUICK, f"hydra.sweep.dir={sweep_dir}") == 2
        err = capsys.readouterr().err
        assert f"{sweep_dir} is in use by process {os.getpid()} on {socket.gethostname()}, started " in err
        assert "hydra.sweep.dir=DIR" in err and "Traceback" not in err
        assert [p.name for p in sweep_dir.iterdir()] == [".tariffsim.lock"]  # no job ran
    assert not sweep_dir.exists()  # the lock created the directory, and removed it with its lock file


def test_a_job_directory_in_use_is_refused_and_counted(tariffsim, tmp_path, capsys):
    sweep_dir = tmp_path / "sweep"
    with DirectoryLock(sweep_dir / "1"):
        assert tariffsim("-m", "seed=1,2", *QUICK, "hydra/launcher=basic", f"hydra.sweep.dir={sweep_dir}") == 1
    out = capsys.readouterr().out
    assert "1 jobs complete, 0 failed, 1 refused" in out and "is in use by process" in out
    assert (sweep_dir / "0" / "summary.json").is_file() and not (sweep_dir / "1").exists()


def test_a_lock_left_by_a_killed_job_is_removed_but_a_held_one_is_not(tmp_path):
    stale = tmp_path / "stale"
    stale.mkdir()
    (stale / ".tariffsim.lock").write_text('{"pid": 1}')  # its holder was killed: no process holds it
    assert remove_stale_lock(stale) and not (stale / ".tariffsim.lock").exists()
    with DirectoryLock(tmp_path / "held"):
        assert not remove_stale_lock(tmp_path / "held", seconds=0.2)
        assert (tmp_path / "held" / ".tariffsim.lock").is_file()
