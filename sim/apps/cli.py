"""The ``tariffsim`` command (a Hydra app): validate, run the replications, write the run directory."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from pathlib import Path

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict

from sim import __version__

from sim.io import jobs
from sim.config import ConfigError, Study, load_study
from sim.io.files import TableFiles, atomic_write, write_json
from sim.config.paths import CONF_DIR
from sim.io.output_dir import (DEBUG_VARIABLE, DirectoryBusy, DirectoryLock, OutputError, debugging, fail,
                            held_directories, remove_stale_lock, write_problem)
from sim.run.parallel import exit_with_parent
from sim.run.results import SUMMARY_COLUMNS, summarise
from sim.run.runner import stream_replications

log = logging.getLogger("tariffsim")


def run(cfg: DictConfig, run_dir: Path, progress: bool = False) -> dict:
    """Validate ``cfg``, run it and write every result file into ``run_dir``.

    Nothing is written when the config is invalid. ``summary.json`` is written last: a run
    directory that holds it is complete.

    Args:
        cfg: The composed config.
        run_dir: Where the result files go.
        progress: Show replication progress (a bar on a terminal, log lines elsewhere).

    Returns:
        The summary written to ``summary.json``.

    Raises:
        ConfigError: naming every bad key, its value and what is allowed.
    """
    study = load_study(OmegaConf.to_container(cfg, resolve=True))
    began = time.perf_counter()
    with TableFiles(run_dir) as files:  # streamed to disk chunk by chunk: memory stays bounded
        stream_replications(study.scenario, study.seed, study.replications, files.write,
                            workers=study.workers, progress=progress)
    runs = pd.read_parquet(run_dir / "runs.parquet", columns=list(SUMMARY_COLUMNS))
    summary = _summary(study, runs, time.perf_counter() - began)
    summary[jobs.FINGERPRINT] = jobs.fingerprint(OmegaConf.to_container(cfg, resolve=True))
    _save_config(cfg, run_dir)
    if study.figures:
        from sim.plots.figures import write_figures  # matplotlib only when figures are asked for

        write_figures(run_dir, summary)
    write_json(run_dir / "summary.json", summary)
    return summary


def _summary(study: Study, runs, seconds: float) -> dict:
    scenario = study.scenario
    return {
        "scenario": scenario.name,
        "replications": study.replications,
        "seed": study.seed,
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "deadline": scenario.deadline.isoformat(),
        "elections": {code: p.politics.election.date.isoformat()
                      for code, p in scenario.partners.items() if p.politics.election is not None},
        # Each partner's outcomes, with its name and colour for the figures (which read files, not the config).
        "partners": {code: {**row, "name": scenario.partners[code].name, "colour": scenario.partners[code].colour}
                     for code, row in sorted(summarise(runs).items(),
                                             key=lambda kv: list(scenario.partners).index(kv[0]))},
        "seconds": round(seconds, 3),
        "version": __version__,
    }


def _save_config(cfg: DictConfig, run_dir: Path) -> None:
    """The resolved config and overrides under ``.hydra/``, as Hydra itself would save them."""
    hydra_dir = run_dir / ".hydra"
    atomic_write(hydra_dir / "config.yaml", lambda tmp: OmegaConf.save(cfg, tmp, resolve=True))
    if HydraConfig.initialized():
        overrides = list(HydraConfig.get().overrides.task)
        atomic_write(hydra_dir / "overrides.yaml", lambda tmp: OmegaConf.save(OmegaConf.create(overrides), tmp))


def format_table(summary: dict) -> str:
    """The per-partner outcome table printed at the end of a run."""
    counter = any("median_final_counter_tariff" in row for row in summary["partners"].values())
    head = f"{'partner':<8}{'P(deal)':>9}{'median deal date':>19}{'median final tariff':>21}"
    lines = [head + (f"{'median counter-tariff':>23}" if counter else "")]
    for code, row in summary["partners"].items():
        date = row["median_deal_date"] or "—"
        line = f"{code:<8}{row['deal_probability']:>9.2f}{date:>19}{row['median_final_tariff']:>20.1f}%"
        if "median_final_counter_tariff" in row:  # the partner's tariff on US goods at the horizon
            line += f"{row['median_final_counter_tariff']:>22.1f}%"
        lines.append(line)
    return "\n".join(lines)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so that every ``finally`` runs: workers stop,
    temporaries go."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_termination(signum: int, frame: object) -> None:
    raise Terminated(signum)


def main() -> None:
    """Entry point of ``tariffsim`` and ``python -m sim``: a run or a multirun (``job``).

    Ctrl-C, SIGTERM or SIGHUP stops cleanly: worker processes end, temporary files are removed,
    the command says how to resume and exits 128 + the signal's number (130 for Ctrl-C). A multirun in which any job failed,
    was refused or is incomplete exits 1.
    """
    os.environ[LAUNCHER_PID] = str(os.getpid())  # inherited by the processes a launcher starts
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is not signal.SIG_IGN:  # ``nohup tariffsim`` ignores SIGHUP: keep it so
            signal.signal(signum, _on_termination)
    try:
        job()
    except KeyboardInterrupt as interrupt:
        for directory in held_directories():  # a multirun's jobs killed mid-write by the launcher
            _clean_sweep(directory)
        name = "terminated" if isinstance(interrupt, Terminated) else "interrupted"
        print(f"tariffsim: {name}; temporary files removed. Run the same command again to resume: "
              "complete jobs are kept, the others are redone.", file=sys.stderr)
        sys.exit(128 + (interrupt.signum if isinstance(interrupt, Terminated) else signal.SIGINT))
    if jobs.sweep_exit_status:
        sys.exit(jobs.sweep_exit_status)


def _clean_sweep(sweep_dir: Path) -> None:
    """Remove the temporary files, refusal marks and locks that an interrupted multirun's jobs left
    (the launcher may stop a job before it can)."""
    try:
        folders = [p for p in sweep_dir.iterdir() if p.is_dir()]
    except OSError:
        return
    jobs.remove_temporaries(sweep_dir)
    for folder in folders:
        remove_stale_lock(folder)
        jobs.remove_temporaries(folder)
        (folder / jobs.REFUSED).unlink(missing_ok=True)


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="config")
def job(cfg: DictConfig) -> None:
    """One job of a run or a multirun, in its run directory, which it locks while it runs.

    A job whose run directory is already complete with the same config is skipped
    (``resume=false`` redoes it); one complete with another config is refused (``overwrite=true``
    replaces it). In a multirun a failing job writes ``error.json`` and the sweep goes on; a
    single run exits non-zero (2 for an invalid config or a refused directory) with a message.
    """
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    hydra_cfg = HydraConfig.get()
    run_dir = Path(hydra_cfg.runtime.output_dir)
    overrides = list(hydra_cfg.overrides.task)
    multirun = hydra_cfg.mode == RunMode.MULTIRUN
    option = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    try:
        with DirectoryLock(run_dir, option):
            summary = _resume_or_run(cfg, run_dir, overrides, multirun)
    except (jobs.JobConflict, OutputError) as error:  # the directory is not this job's to write
        if multirun:
            log.error("job %s refused: %s", run_dir, error)
            jobs.record_refusal(run_dir, overrides, str(error))
            return
        fail(str(error), 2 if isinstance(error, jobs.JobConflict | DirectoryBusy) else 1, error)
    except ConfigError as error:
        _remove_if_empty(run_dir)
        fail(str(error), 2, error)
    except KeyboardInterrupt:
        if not multirun:
            _remove_if_empty(run_dir)
        raise
    except OSError as error:
        _remove_if_empty(run_dir)
        fail(write_problem(error, run_dir, option), 1, error)
    except Exception as error:  # noqa: BLE001 - one paragraph; the traceback is in error.json
        where = f"; the traceback is in {run_dir / jobs.ERROR}" if (run_dir / jobs.ERROR).is_file() else ""
        fail(f"the run failed ({type(error).__name__}: {error}){where}. Set {DEBUG_VARIABLE}=1 to see "
             "the traceback here.", 1, error)
    if summary is None:
        return
    if cfg.print_table:
        print(f"{summary['scenario']}: {summary['replications']} replications, seed {summary['seed']}, "
              f"{summary['seconds']:.2f} s")
        print(format_table(summary))
        print(f"results in {run_dir}")


def _resume_or_run(cfg: DictConfig, run_dir: Path, overrides: list[str], multirun: bool) -> dict | None:
    """The summary of the job: the finished one when it matches (and ``resume``), else a new run.

    Raises:
        JobConflict: ``run_dir`` holds the results of another config and ``overwrite`` is false.
    """
    try:
        config = OmegaConf.to_container(cfg, resolve=True)
    except Exception:  # noqa: BLE001 - an unresolvable config is reported by ``run``'s validation
        config = None
    try:
        summary = jobs.finished(run_dir, overrides, config)
    except jobs.JobConflict:
        if not cfg.get("overwrite", False):
            raise
        log.warning("overwriting %s, which held the results of another configuration (overwrite=true)", run_dir)
        summary = None
    if summary is not None and cfg.get("resume", True):
        log.info("skipping %s: already complete with the same config (summary.json); resume=false redoes it",
                 run_dir)
        return summary
    return _run_job(cfg, run_dir, overrides, multirun)


def _run_job(cfg: DictConfig, run_dir: Path, overrides: list[str], multirun: bool) -> dict | None:
    """Run one job from a clean directory; on failure remove its partial results and record the
    error (multirun: and return None) or raise it."""
    jobs.clean(run_dir)
    jobs.discard_results(run_dir)  # summary.json first: a redo is never taken for complete
    if cfg.get("workers") is None and multirun and not _sequential_launcher():
        with open_dict(cfg):
            cfg.workers = 1  # the launcher already runs one job per core: do not nest pools
    if multirun and _launcher().endswith(CHILD_PROCESS_LAUNCHERS) and LAUNCHER_PID in os.environ:
        exit_with_parent(int(os.environ[LAUNCHER_PID]))  # a killed multirun must not leave its jobs running
    try:
        return run(cfg, run_dir, progress=True)
    except KeyboardInterrupt:
        jobs.discard_results(run_dir)
        jobs.remove_temporaries(run_dir)
        raise
    except Exception as error:  # noqa: BLE001 - any failure of a job is recorded, not lost
        jobs.discard_results(run_dir)
        path = None if isinstance(error, ConfigError) and not multirun else jobs.record_failure(
            run_dir, overrides, error)
        if not multirun:
            raise
        if isinstance(error, ConfigError):
            log.error("job %s: %s", run_dir, error)
        elif isinstance(error, OSError):
            log.error("job %s: %s", run_dir, write_problem(error, run_dir, "hydra.sweep.dir"))
        else:
            log.error("job %s failed (%s: %s); the traceback is in %s", run_dir, type(error).__name__, error,
                      path or "the log above", exc_info=debugging())
        return None


# Launchers that run several jobs at once on the same cores: each job gets one process.
SHARED_CORE_LAUNCHERS = ("JoblibLauncher", "RayLauncher")
# Launchers whose jobs run in child processes of the command, which outlive it unless told.
CHILD_PROCESS_LAUNCHERS = ("JoblibLauncher",)
LAUNCHER_PID = "TARIFFSIM_LAUNCHER_PID"  # the command's pid, for the jobs of those launchers


def _launcher() -> str:
    return str(HydraConfig.get().launcher.get("_target_", ""))


def _sequential_launcher() -> bool:
    """False when the multirun's launcher runs jobs side by side on shared cores (joblib, Ray).

    Hydra's basic launcher runs one job at a time, and submitit gives each SLURM job cores of
    its own: there ``workers=null`` keeps meaning every core the job may use.
    """
    return not _launcher().endswith(SHARED_CORE_LAUNCHERS)


def _remove_if_empty(run_dir: Path) -> None:
    """Hydra creates the run directory before the task starts; leave nothing behind on bad input."""
    for folder in (run_dir / ".hydra", run_dir):
        try:
            folder.rmdir()
        except OSError:
            pass
