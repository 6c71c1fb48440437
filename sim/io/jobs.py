"""Jobs that survive: skip the finished ones, record the failed ones, leave no debris.

A job's run directory is complete when it holds a readable ``summary.json``, which the command
writes last, with a fingerprint of the resolved config. Re-running an interrupted sweep (same
command, same ``hydra.sweep.dir``) skips every complete job that ran the same config and redoes the
rest; a complete job of another config is refused unless ``overwrite=true``. A job that raises
leaves ``error.json`` (its overrides and the traceback) and the sweep goes on; at the end the
sweep exits non-zero when any job failed, was refused or is incomplete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim import __version__
from sim.io.files import write_json
from sim.io.output_dir import debugging

log = logging.getLogger("tariffsim")

SUMMARY = "summary.json"
ERROR = "error.json"
# Written by a job refused because its directory holds another job's results; read and removed
# by ``SweepReport`` at the end of the multirun (hidden: never taken for a result).
REFUSED = ".refused.json"
# The result files of a job, removed before it is redone and when an attempt fails part-way.
RESULTS = ("runs.parquet", "timeseries.parquet", "events.parquet", ".hydra/config.yaml", ".hydra/overrides.yaml")
# Keys that change how a job runs, not what it computes: a re-run may differ in these.
EXECUTION_KEYS = ("workers", "print_table", "resume", "overwrite")
FINGERPRINT = "config_sha256"  # the key of the config's fingerprint in summary.json


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


def results_config(config: dict[str, Any]) -> dict[str, Any]:
    """The part of a resolved config that the results depend on (no execution keys, no ``hydra``)."""
    return {key: value for key, value in config.items() if key not in (*EXECUTION_KEYS, "hydra")}


def fingerprint(config: dict[str, Any]) -> str:
    """SHA-256 of ``results_config(config)``: equal for configs that compute the same results."""
    text = json.dumps(results_config(config), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def saved_config(run_dir: Path) -> dict[str, Any] | None:
    """The resolved config saved in ``run_dir/.hydra/config.yaml`` (None when absent or unreadable)."""
    path = run_dir / ".hydra" / "config.yaml"
    if not path.is_file():
        return None
    from omegaconf import OmegaConf

    try:
        data = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
    except Exception:  # noqa: BLE001 - an unreadable record cannot vouch for the results
        return None
    return data if isinstance(data, dict) else None


def config_changes(old: dict[str, Any], new: dict[str, Any], limit: int = 5) -> list[str]:
    """``key: old -> new`` for each dotted key whose value differs (at most ``limit``, then a count)."""
    changes: list[str] = []

    def walk(a: Any, b: Any, prefix: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b), key=str):
                walk(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{prefix}{key}.")
        elif a != b:
            changes.append(f"{prefix[:-1]}: {a!r} -> {b!r}")

    walk(results_config(old), results_config(new), "")
    if len(changes) > limit:
        changes = changes[:limit] + [f"and {len(changes) - limit} more"]
    return changes


def finished(run_dir: Path, overrides: Sequence[str] | None,
             config: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The summary of the job already finished in ``run_dir``, or None if it must run.

    A finished job matches when its config fingerprint equals ``config``'s (keys that only
    change how a job runs, ``EXECUTION_KEYS``, do not count). A run directory written before
    fingerprints were saved is compared on its saved config, else on its overrides.

    Args:
        run_dir: The job's run directory.
        overrides: The job's task overrides (``None``: do not compare them).
        config: The job's resolved config (``None``: compare only the overrides).

    Raises:
        JobConflict: ``run_dir`` holds a finished job of a different config, naming the
            keys that differ and what to do.
    """
    summary = read_json(run_dir / SUMMARY)
    if summary is None:
        return None
    advice = ("Nothing was run. To keep those results, choose another hydra.run.dir (hydra.sweep.dir "
              "for -m); to replace them, run the same command again with overwrite=true.")
    if config is not None:
        old = saved_config(run_dir)
        if summary.get(FINGERPRINT, fingerprint(old) if old is not None else None) == fingerprint(config):
            return summary
        if old is not None or FINGERPRINT in summary:
            changes = config_changes(old, config) if old is not None else [
                "which keys differ cannot be said: its .hydra/config.yaml is missing"]
            raise JobConflict(f"{run_dir} already holds the finished results of a different configuration "
                              f"({'; '.join(changes)}). {advice}")
    saved = saved_overrides(run_dir)
    if overrides is not None and saved is not None and _results_keys(saved) != _results_keys(overrides):
        raise JobConflict(f"{run_dir} already holds a finished job with overrides {saved}, not "
                          f"{list(overrides)}. {advice}")
    return summary


def remove_temporaries(run_dir: Path) -> None:
    """Remove the temporary files (``.<name>.*.tmp``) an interrupted attempt left in ``run_dir``."""
    for folder in (run_dir, run_dir / ".hydra", run_dir / "figures"):
        try:
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
        except OSError as error:  # a folder that cannot be listed holds nothing we wrote
            log.debug("cannot clean %s: %s", folder, error)


def clean(run_dir: Path) -> None:
    """Remove what an interrupted or failed attempt left: temporary files, ``error.json`` and the
    mark of a refusal."""
    if not run_dir.is_dir():
        return
    remove_temporaries(run_dir)
    (run_dir / ERROR).unlink(missing_ok=True)
    (run_dir / REFUSED).unlink(missing_ok=True)


def discard_results(run_dir: Path) -> None:
    """Remove a job's result files, ``summary.json`` first (a job is redone, or failed part-way:
    nothing of it may stay under a final name)."""
    (run_dir / SUMMARY).unlink(missing_ok=True)
    for name in RESULTS:
        (run_dir / name).unlink(missing_ok=True)
    shutil.rmtree(run_dir / "figures", ignore_errors=True)
    for folder in (run_dir / ".hydra",):
        try:
            folder.rmdir()
        except OSError:
            pass  # absent, or holds files of someone else's


def record_failure(run_dir: Path, overrides: Sequence[str], error: BaseException) -> Path | None:
    """Write ``run_dir/error.json``: the overrides, the error and its traceback (atomically).

    Returns:
        The path written, or None when it could not be written (a full disk, a read-only file
        system): the failure is then logged instead (its traceback with ``TARIFFSIM_DEBUG=1``).
    """
    path = run_dir / ERROR
    record = {
        "overrides": list(overrides),
        "error": type(error).__name__,
        "message": str(error),
        "traceback": "".join(traceback.format_exception(error)),
        "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "version": __version__,
    }
    try:
        write_json(path, record)
    except OSError as write_error:
        log.error("could not write %s (%s); the failure it would record: %s: %s%s", path, write_error,
                  record["error"], record["message"], "\n" + record["traceback"] if debugging() else "")
        return None
    return path


def record_refusal(run_dir: Path, overrides: Sequence[str], message: str) -> None:
    """Mark ``run_dir`` as refused in this multirun (for ``SweepReport``; logged when unwritable)."""
    try:
        write_json(run_dir / REFUSED, {"overrides": list(overrides), "message": message})
    except OSError as error:
        log.error("could not write %s (%s)", run_dir / REFUSED, error)


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


# The exit status the multirun's parent process ends with, set by ``SweepReport`` (``sim.apps.cli.main``).
sweep_exit_status = 0


class SweepReport(Callback):
    """Hydra callback: at the end of a multirun, log how many jobs finished, which failed and which
    were refused, and make the command exit non-zero unless every job is complete."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        global sweep_exit_status
        sweep_dir = Path(config.hydra.sweep.dir)
        if not sweep_dir.is_dir():
            return
        status = sweep_status(sweep_dir)
        refused = [job for jobs in status.values() for job in jobs if (job / REFUSED).is_file()]
        status = {state: [job for job in jobs if job not in refused] for state, jobs in status.items()}
        log.info("sweep %s: %d jobs complete, %d failed, %d refused, %d incomplete", sweep_dir,
                 len(status["done"]), len(status["failed"]), len(refused), len(status["incomplete"]))
        for job in status["failed"]:
            error = read_json(job / ERROR) or {}
            message = " ".join(str(error.get("message", "")).split())
            log.error("job %s failed (%s: %.200s); see %s", job.name, error.get("error"), message, job / ERROR)
        for job in refused:
            record = read_json(job / REFUSED) or {}
            log.error("job %s refused: %s", job.name, record.get("message", "its directory holds another job"))
            (job / REFUSED).unlink(missing_ok=True)
        for job in status["incomplete"]:
            log.error("job %s is incomplete (no summary.json): run the same command again to redo it", job.name)
        if status["failed"] or refused or status["incomplete"]:
            sweep_exit_status = 1
