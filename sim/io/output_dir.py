"""Output directories of ``tariffsim``: checked before anything runs, locked while a process uses
them, and a one-paragraph message (path, cause, what to do) when one cannot be written.

A run or sweep directory is held by one process at a time: ``.tariffsim.lock`` inside it is
locked with ``fcntl.flock`` (released by the kernel even when the process is killed) and holds
the holder's pid, host and start time, so a second process is refused with a message naming it.
The lock file is removed when the holder ends; it is hidden and never taken for a result.
"""

from __future__ import annotations

import atexit
import datetime as dt
import errno
import fcntl
import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NoReturn

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

LOCK = ".tariffsim.lock"
DEBUG_VARIABLE = "TARIFFSIM_DEBUG"
_held: list[DirectoryLock] = []  # the locks this process holds, for clean-up after an interruption


class OutputError(Exception):
    """An output directory or file cannot be used; the message says which, why and what to do."""


class DirectoryBusy(OutputError):
    """Another process holds the lock of the directory."""


def debugging() -> bool:
    """Whether ``TARIFFSIM_DEBUG`` asks for tracebacks instead of short messages."""
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def fail(message: str, code: int = 1, error: BaseException | None = None) -> NoReturn:
    """Print ``tariffsim: message`` on stderr and exit with ``code`` (re-raise ``error`` when debugging)."""
    if error is not None and debugging():
        raise error
    print(f"tariffsim: {message}", file=sys.stderr)
    sys.exit(code)


def write_problem(error: OSError, path: Path, option: str = "hydra.run.dir") -> str:
    """One paragraph for a write into ``path`` that failed with ``error``: what, why, what to do."""
    target = error.filename or path
    again = "then run the same command again (complete results are kept; unfinished ones are redone)"
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"could not write {target}: the file system is full (or your disk quota is spent). "
                f"Nothing was kept under a final name. Free some space there, or choose another "
                f"directory with {option}=DIR, {again}.")
    if error.errno == errno.EROFS:
        return (f"could not write {target}: it is on a read-only file system. Choose a writable "
                f"directory with {option}=DIR, {again}.")
    if error.errno in (errno.EACCES, errno.EPERM):
        return (f"could not write {target}: permission denied. Choose a directory you may write "
                f"with {option}=DIR (or change the permissions of {target}), {again}.")
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        return (f"cannot use {path} as an output directory: a file is in the way ({target}). "
                f"Choose another directory with {option}=DIR, or move the file away.")
    return (f"could not write {target}: {error.strerror or error}. Choose another directory with "
            f"{option}=DIR, {again}.")


def check_directory(path: Path, option: str) -> None:
    """Refuse an output directory that cannot be created or written, before anything runs.

    Nothing is created: the nearest existing folder is checked instead (a file in the way, a
    read-only file system, no permission) by creating and removing a temporary file in it.

    Raises:
        OutputError: naming the path, the cause and the option that chooses another directory.
    """
    path = Path(path).absolute()
    for folder in (path, *path.parents):
        if folder.exists():
            break
        if folder.is_symlink():  # a dangling link: cannot become a directory
            raise OutputError(f"cannot use {path} as an output directory: {folder} is a broken "
                              f"symbolic link. Choose another directory with {option}=DIR.")
    if not folder.is_dir():
        raise OutputError(f"cannot use {path} as an output directory: {folder} is a file, not a directory. "
                          f"Choose another directory with {option}=DIR, or move the file away.")
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-check.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        error.filename = str(folder)  # the folder, not the name of the probe file
        raise OutputError(write_problem(error, path, option)) from error


def _holder() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:])[:300]}


class DirectoryLock:
    """The lock of one output directory (a context manager; also released at interpreter exit).

    Args:
        directory: The run or sweep directory (created when missing).
        option: The option that chooses another directory, for messages.
    """

    def __init__(self, directory: Path, option: str = "hydra.run.dir") -> None:
        self.directory = Path(directory)
        self.path = self.directory / LOCK
        self.option = option
        self._fd: int | None = None
        self._created = False

    def __enter__(self) -> DirectoryLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> DirectoryLock:
        """Take the lock, or raise ``DirectoryBusy`` naming the process that holds it."""
        self._created = not self.directory.exists()
        while True:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as error:
                raise OutputError(write_problem(error, self.directory, self.option)) from error
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise DirectoryBusy(self._busy_message()) from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # the holder removed the file between our open and lock: take the new one
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(_holder()).encode())
        self._fd = fd
        _held.append(self)
        atexit.register(self.release)  # also on sys.exit and uncaught exceptions
        return self

    def release(self) -> None:
        """Remove the lock file and release the lock (and the directory, if it created it and it
        stayed empty)."""
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)  # while still held: nobody can take a file about to vanish
        os.close(self._fd)
        self._fd = None
        _held.remove(self)
        atexit.unregister(self.release)
        if self._created:
            try:
                self.directory.rmdir()
            except OSError:
                pass

    def _busy_message(self) -> str:
        try:
            holder = json.loads(self.path.read_text(encoding="utf-8"))
            who = f"process {holder['pid']} on {holder['host']}, started {holder['started']} ({holder['command']})"
        except (OSError, ValueError, KeyError, TypeError):
            who = "another process"
        return (f"{self.directory} is in use by {who}. Wait for it to finish (or stop it), or choose "
                f"another directory with {self.option}=DIR.")


def remove_stale_lock(directory: Path, seconds: float = 3.0) -> bool:
    """Remove ``directory``'s lock file once no process holds it (waiting up to ``seconds`` for a
    process being stopped); returns whether it is gone. For jobs killed before they could."""
    path = Path(directory) / LOCK
    deadline = time.monotonic() + seconds
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return not path.exists()
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.05)
        if os.fstat(fd).st_ino == os.stat(path).st_ino:
            path.unlink()
        return True
    except OSError:
        return not path.exists()
    finally:
        os.close(fd)


def held_directories() -> list[Path]:
    """The directories whose lock this process holds (a multirun's sweep directory, a job's)."""
    return [lock.directory for lock in _held]


class OutputGuard(Callback):
    """Hydra callback: refuse an unusable run or sweep directory before anything runs, and hold
    the sweep directory's lock for the whole multirun (each job also locks its own directory)."""

    def __init__(self) -> None:
        self.lock: DirectoryLock | None = None

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            check_directory(Path(config.hydra.run.dir), "hydra.run.dir")
        except OutputError as error:
            fail(str(error), 1, error)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            check_directory(Path(config.hydra.sweep.dir), "hydra.sweep.dir")
            self.lock = DirectoryLock(Path(config.hydra.sweep.dir), "hydra.sweep.dir").acquire()
        except OutputError as error:
            fail(str(error), 2 if isinstance(error, DirectoryBusy) else 1, error)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if self.lock is not None:
            self.lock.release()
