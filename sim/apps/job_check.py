"""Checks of one composed job, before Hydra creates its run directory.

``check_job`` validates a config exactly as the job itself will (``sim.config.load_study`` on the
resolved task config), and ``check_output_dir`` refuses a run or sweep directory that cannot hold
results: empty (which would write into the working directory), a file, under a file, or not
writable.
"""

from __future__ import annotations

import copy
from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from sim.config import ConfigError, load_study
from sim.apps.command_errors import CommandError
from sim.io.output_dir import OutputError, check_directory


def check_job(cfg: DictConfig) -> None:
    """Validate the composed config ``cfg`` (with its ``hydra`` node) as the job will.

    Raises:
        CommandError: naming every bad key, its value and what is allowed.
    """
    try:
        load_study(task_config(cfg))
    except ConfigError as error:
        raise CommandError(str(error)) from error


def task_config(cfg: DictConfig) -> dict:
    """The job's own config as a resolved plain mapping, as Hydra hands it to the job.

    Interpolations are resolved with ``cfg``'s Hydra settings in force (``${hydra:...}``), and
    the global Hydra state is left as it was.

    Raises:
        CommandError: an interpolation that cannot be resolved, naming its key.
    """
    state = HydraConfig.instance()
    previous = state.cfg
    task = copy.deepcopy(cfg)
    try:
        state.set_config(copy.deepcopy(cfg))  # set_config makes the hydra node read-only
        with open_dict(task):
            del task["hydra"]  # what Hydra's run_job does: the job never sees the hydra node
        return OmegaConf.to_container(task, resolve=True)
    except OmegaConfBaseException as error:
        key = getattr(error, "full_key", None) or "(the configuration)"
        raise CommandError(f"{key}: cannot be resolved: {' '.join(str(error).split())}") from error
    finally:
        state.cfg = previous


def check_output_dir(cfg: DictConfig, key: str) -> None:
    """Refuse the directory at ``key`` (``hydra.run.dir``, ``hydra.sweep.dir``) if results cannot go there.

    Raises:
        CommandError: naming the key, the path and what to do.
    """
    try:
        value = OmegaConf.select(cfg, key, throw_on_missing=True)
    except OmegaConfBaseException as error:
        raise CommandError(f"{key}: cannot be resolved: {' '.join(str(error).split())}") from error
    if not isinstance(value, str) or not value.strip():
        raise CommandError(f"{key}={value!r}: must name a directory for the results, e.g. {key}=outputs/my_run "
                           "(an empty one would scatter them into the current directory)")
    try:
        check_directory(Path(value), key)  # the one check of output directories (sim.io.output_dir)
    except OutputError as error:
        raise CommandError(f"{key}={value!r}: {error}") from None
