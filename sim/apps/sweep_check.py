"""Every job of a sweep is validated before the first one runs.

Hydra's basic sweeper writes ``multirun.yaml`` and starts launching jobs before it composes them;
a job whose config is invalid used to fail on its own while the others ran and wrote their
results. ``check_sweep`` expands the sweep exactly as the basic sweeper does (its
``hydra.sweeper.params`` and the command line's sweep overrides, as a Cartesian product),
composes each job with Hydra's own loader and validates it: one bad job refuses the whole sweep,
naming each job's overrides and each bad key, before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence

from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf

from sim.apps.command_errors import CommandError
from sim.apps.hydra_errors import compose, explain
from sim.apps.job_check import check_job, check_output_dir

BASIC_SWEEPER = f"{BasicSweeper.__module__}.{BasicSweeper.__name__}"
HEADER = "invalid configuration:"  # each job's ConfigError starts so: said once, by the first line
SHOWN_JOBS = 10  # distinct problems shown; a sweep of hundreds of bad jobs counts the rest


def check_sweep(config_loader: ConfigLoaderImpl, cfg: DictConfig) -> None:
    """Validate the sweep directory and every job of the multirun config ``cfg``.

    Args:
        config_loader: The loader Hydra composes the jobs with.
        cfg: The multirun config as Hydra composed it (sweep overrides not applied).

    Raises:
        CommandError: naming each invalid job, its overrides and its bad keys.
    """
    check_output_dir(cfg, "hydra.sweep.dir")
    jobs = sweep_jobs(config_loader, cfg)
    if jobs is None:  # another sweeper (Optuna, Ax...) chooses its jobs as it goes: check what we can
        check_job(cfg)
        return
    refused = []
    for number, overrides in enumerate(jobs):
        try:
            check_job(compose(lambda items: config_loader.load_sweep_config(cfg, items), overrides))
        except CommandError as error:
            refused.append((number, overrides, str(error)))
    if refused:
        raise CommandError(_refusal(refused, len(jobs)))


def sweep_jobs(config_loader: ConfigLoaderImpl, cfg: DictConfig) -> list[list[str]] | None:
    """The overrides of each job, as the basic sweeper will launch them (None for another sweeper).

    Raises:
        CommandError: a sweep override the basic sweeper cannot expand.
    """
    if OmegaConf.select(cfg, "hydra.sweeper._target_", default="") != BASIC_SWEEPER:
        return None
    params = OmegaConf.select(cfg, "hydra.sweeper.params", default=None) or {}
    arguments = [f"{key}={value}" for key, value in params.items()] + list(cfg.hydra.overrides.task)
    try:
        parsed = OverridesParser.create(config_loader=config_loader).parse_overrides(arguments)
        batches = BasicSweeper.split_arguments(parsed, None)
    except Exception as error:  # noqa: BLE001 - explained, not passed on raw
        raise CommandError(explain(error, arguments)) from error
    return [list(job) for job in batches[0]]


def _refusal(refused: Sequence[tuple[int, list[str], str]], total: int) -> str:
    """One block per distinct problem: the jobs that share it (by number and overrides), then it."""
    by_problem: dict[str, list[tuple[int, list[str]]]] = {}
    for number, overrides, message in refused:
        by_problem.setdefault(message, []).append((number, overrides))
    lines = [f"sweep refused before any job ran, nothing written: {len(refused)} of {total} jobs cannot run"]
    for message, jobs in list(by_problem.items())[:SHOWN_JOBS]:
        if len(jobs) == total > 1:
            lines.append(f"  every job ({total}):")
        elif len(jobs) == 1:
            lines.append(f"  job {jobs[0][0]} ({' '.join(jobs[0][1]) or 'no overrides'}):")
        else:
            first, overrides = jobs[0]
            lines.append(f"  jobs {', '.join(str(number) for number, _ in jobs)} "
                         f"(job {first}: {' '.join(overrides) or 'no overrides'}):")
        lines += [f"    {line.strip()}" for line in message.splitlines() if line.strip() not in ("", HEADER)]
    if len(by_problem) > SHOWN_JOBS:
        lines.append(f"  ... and {len(by_problem) - SHOWN_JOBS} more problems")
    return "\n".join(lines)
