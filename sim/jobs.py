"""Jobs that survive: skip the finished ones, record the failed ones, leave no debris.

A job's run directory is complete when it holds a readable ``summary.json``, which the command
writes last. Re-running an interrupted sweep (same command, same ``hydra.sweep.dir``) skips every
complete job and redoes the rest; a job that raises leaves ``error.json`` (its overrides and the
traceback) and the sweep goes on.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim import __version__
from sim.results import write_json

log = logging.getLogger("tariffsim")

SUMMARY = "summary.json"
ERROR = "error.json"
# Overrides that change how a job runs, not what it computes: a re-run may differ in these.
EXECUTION_KEYS = ("workers", "print_table", "resume")


class JobConflict(RuntimeError):
    """The run directory already holds the finished results of a different job."""


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``, or None when it is absent or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def saved_overrides(run_dir: Path) -> list[str] | None:
    """The task overrides saved in ``run_dir/.hydra/overrides.yaml`` (None when absent)."""
    path = run_dir / ".hydra" / "overrides.yaml"
    if not path.is_file():
        return None
    from omegaconf import OmegaConf

    return [str(item) for item in OmegaConf.load(path)]


def _results_keys(overrides: Sequence[str]) -> list[str]:
    def key(item: str) -> str:
        return item.split("=", 1)[0].lstrip("+~")

    return sorted(item for item in overrides if key(item) not in EXECUTION_KEYS)


def finished(run_dir: Path, overrides: Sequence[str] | None) -> dict[str, Any] | None:
    """The summary of the job already finished in ``run_dir``, or None if it must run.

    Args:
        run_dir: The job's run directory.
        overrides: The job's task overrides (``None``: do not compare).

    Raises:
        JobConflict: ``run_dir`` holds a finished job whose overrides differ (other than in
            ``workers``, ``print_table`` or ``resume``).
    """
    summary = read_json(run_dir / SUMMARY)
    if summary is None:
        return None
    saved = saved_overrides(run_dir)
    if overrides is not None and saved is not None and _results_keys(saved) != _results_keys(overrides):
        raise JobConflict(
            f"{run_dir} already holds a finished job with overrides {saved}, not {list(overrides)}; "
            "choose another hydra.run.dir / hydra.sweep.dir, or delete it")
    return summary


def clean(run_dir: Path) -> None:
    """Remove what an interrupted or failed attempt left: temporary files and ``error.json``."""
    if not run_dir.is_dir():
        return
    for folder in (run_dir, run_dir / ".hydra", run_dir / "figures"):
        for tmp in folder.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
    (run_dir / ERROR).unlink(missing_ok=True)


def record_failure(run_dir: Path, overrides: Sequence[str], error: BaseException) -> Path:
    """Write ``run_dir/error.json``: the overrides, the error and its traceback (atomically)."""
    path = run_dir / ERROR
    write_json(path, {
        "overrides": list(overrides),
        "error": type(error).__name__,
        "message": str(error),
        "traceback": "".join(traceback.format_exception(error)),
        "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "version": __version__,
    })
    return path


def sweep_status(sweep_dir: Path) -> dict[str, list[Path]]:
    """Job directories of a multirun directory, by state: ``done``, ``failed``, ``incomplete``."""
    status: dict[str, list[Path]] = {"done": [], "failed": [], "incomplete": []}
    for job in sorted((p for p in Path(sweep_dir).iterdir() if p.is_dir() and not p.name.startswith(".")),
                      key=lambda p: (len(p.name), p.name)):
        if read_json(job / SUMMARY) is not None:
            status["done"].append(job)
        elif (job / ERROR).is_file():
            status["failed"].append(job)
        else:
            status["incomplete"].append(job)
    return status


class SweepReport(Callback):
    """Hydra callback: at the end of a multirun, log how many jobs finished and which failed."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        if not sweep_dir.is_dir():
            return
        status = sweep_status(sweep_dir)
        log.info("sweep %s: %d jobs complete, %d failed, %d incomplete", sweep_dir,
                 len(status["done"]), len(status["failed"]), len(status["incomplete"]))
        for job in status["failed"]:
            error = read_json(job / ERROR) or {}
            message = " ".join(str(error.get("message", "")).split())
            log.error("job %s failed (%s: %.200s); see %s", job.name, error.get("error"), message, job / ERROR)
