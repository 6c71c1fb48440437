"""The ``tariffsim`` command (a Hydra app): validate, run the replications, write the run directory."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim import __version__
from sim.config import ConfigError, Study, load_study
from sim.results import atomic_write, summarise, write_json, write_tables
from sim.runner import run_replications

log = logging.getLogger("tariffsim")
# The configs live at the top of the checkout (conf/), beside sim/: the package is installed editable.
CONF_DIR = str(Path(__file__).resolve().parent.parent / "conf")


def run(cfg: DictConfig, run_dir: Path) -> dict:
    """Validate ``cfg``, run it and write every result file into ``run_dir``.

    Nothing is written when the config is invalid.

    Returns:
        The summary written to ``summary.json``.

    Raises:
        ConfigError: naming every bad key, its value and what is allowed.
    """
    study = load_study(OmegaConf.to_container(cfg, resolve=True))
    outcome = run_replications(study.scenario, study.seed, study.replications)
    write_tables(run_dir, outcome.tables)
    summary = _summary(study, outcome.tables["runs"].to_pandas(), outcome.seconds)
    write_json(run_dir / "summary.json", summary)
    _save_config(cfg, run_dir)
    if study.figures:
        from sim.figures import write_figures  # matplotlib only when figures are asked for

        write_figures(run_dir)
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
        "partners": summarise(runs),
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
    """Entry point of ``tariffsim`` and ``python -m sim``."""
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        summary = run(cfg, run_dir)
    except ConfigError as error:
        _remove_if_empty(run_dir)
        print(f"tariffsim: {error}", file=sys.stderr)
        sys.exit(2)
    if cfg.print_table:
        print(f"{summary['scenario']}: {summary['replications']} replications, seed {summary['seed']}, "
              f"{summary['seconds']:.2f} s")
        print(format_table(summary))
        print(f"results in {run_dir}")


def _remove_if_empty(run_dir: Path) -> None:
    """Hydra creates the run directory before the task starts; leave nothing behind on bad input."""
    try:
        run_dir.rmdir()
    except OSError:
        pass
