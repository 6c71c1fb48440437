"""The ``tariffsim`` command (a Hydra app): validate, run the replications, write the run directory."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict

from sim import __version__, jobs
from sim.config import ConfigError, Study, load_study
from sim.results import SUMMARY_COLUMNS, TableFiles, atomic_write, summarise, write_json
from sim.runner import stream_replications

log = logging.getLogger("tariffsim")
# The configs live at the top of the checkout (conf/), beside sim/: the package is installed editable.
CONF_DIR = str(Path(__file__).resolve().parent.parent / "conf")


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
    _save_config(cfg, run_dir)
    if study.figures:
        from sim.figures import write_figures  # matplotlib only when figures are asked for

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
        "partners": {code: row for code, row in sorted(summarise(runs).items(), key=lambda kv: list(scenario.partners).index(kv[0]))},
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
    lines = [f"{'partner':<8}{'P(deal)':>9}{'median deal date':>19}{'median final tariff':>21}"]
    for code, row in summary["partners"].items():
        date = row["median_deal_date"] or "—"
        lines.append(f"{code:<8}{row['deal_probability']:>9.2f}{date:>19}{row['median_final_tariff']:>20.1f}%")
    return "\n".join(lines)


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="config")
def main(cfg: DictConfig) -> None:
    """Entry point of ``tariffsim`` and ``python -m sim`` (one job of a run or a multirun).

    A job whose run directory is already complete is skipped (``resume=false`` redoes it). In a
    multirun a failing job writes ``error.json`` and the sweep goes on; a single run exits
    non-zero (2 for an invalid config).
    """
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    hydra_cfg = HydraConfig.get()
    run_dir = Path(hydra_cfg.runtime.output_dir)
    overrides = list(hydra_cfg.overrides.task)
    multirun = hydra_cfg.mode == RunMode.MULTIRUN
    try:
        summary = jobs.finished(run_dir, overrides) if cfg.get("resume", True) else None
    except jobs.JobConflict as error:
        log.error("%s", error)
        if multirun:
            return
        sys.exit(2)
    if summary is not None:
        log.info("skipping %s: already complete (summary.json); resume=false redoes it", run_dir)
    else:
        summary = _run_job(cfg, run_dir, overrides, multirun)
        if summary is None:
            return
    if cfg.print_table:
        print(f"{summary['scenario']}: {summary['replications']} replications, seed {summary['seed']}, "
              f"{summary['seconds']:.2f} s")
        print(format_table(summary))
        print(f"results in {run_dir}")


def _run_job(cfg: DictConfig, run_dir: Path, overrides: list[str], multirun: bool) -> dict | None:
    """Run one job; on failure record it (multirun: and return None) or exit non-zero."""
    jobs.clean(run_dir)
    if cfg.get("workers") is None and multirun and not _sequential_launcher():
        with open_dict(cfg):
            cfg.workers = 1  # the launcher already runs one job per core: do not nest pools
    try:
        return run(cfg, run_dir, progress=True)
    except ConfigError as error:
        if multirun:
            jobs.record_failure(run_dir, overrides, error)
            log.error("job %s: %s", run_dir, error)
            return None
        _remove_if_empty(run_dir)
        print(f"tariffsim: {error}", file=sys.stderr)
        sys.exit(2)
    except Exception as error:  # noqa: BLE001 - any failure of a job is recorded, not lost
        path = jobs.record_failure(run_dir, overrides, error)
        if multirun:
            log.exception("job %s failed; recorded in %s", run_dir, path)
            return None
        raise


# Launchers that run several jobs at once on the same cores: each job gets one process.
SHARED_CORE_LAUNCHERS = ("JoblibLauncher", "RayLauncher")


def _sequential_launcher() -> bool:
    """False when the multirun's launcher runs jobs side by side on shared cores (joblib, Ray).

    Hydra's basic launcher runs one job at a time, and submitit gives each SLURM job cores of
    its own: there ``workers=null`` keeps meaning every core the job may use.
    """
    target = str(HydraConfig.get().launcher.get("_target_", ""))
    return not target.endswith(SHARED_CORE_LAUNCHERS)


def _remove_if_empty(run_dir: Path) -> None:
    """Hydra creates the run directory before the task starts; leave nothing behind on bad input."""
    try:
        run_dir.rmdir()
    except OSError:
        pass
