"""The top-level settings of a job (seed, replications, outputs) and the whole-config loader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.config.reader import ConfigError, Reader
from sim.config.scenario import Scenario, _scenario
from sim.config.world_check import reservation_problems


@dataclass(frozen=True)
class Study:
    """One job: a scenario run ``replications`` times from the top-level ``seed``."""

    scenario: Scenario
    seed: int
    replications: int
    figures: bool
    print_table: bool
    workers: int | None = None  # processes for the replications; None: every core
    resume: bool = True  # skip the job when its run directory is already complete
    overwrite: bool = False  # replace a finished job of another config in the run directory


def load_study(data: Any) -> Study:
    """Validate a whole composed config (``OmegaConf.to_container(cfg, resolve=True)``).

    Raises:
        ConfigError: listing every bad key, its value and what is allowed.
    """
    errors: list[str] = []
    if isinstance(data, Mapping):
        data = {k: v for k, v in data.items() if k != "hydra"}
    r = Reader(data, "", errors)
    scenario = _scenario(r.child("scenario"))
    study = Study(
        scenario=scenario,
        seed=r.integer("seed", 0, 2**63 - 1),
        replications=r.integer("replications", 1, 10**7),
        figures=_flag(r, "figures"),
        print_table=_flag(r, "print_table"),
        workers=_workers(r),
        resume=_flag(r, "resume"),
        overwrite=_flag(r, "overwrite", default=False),
    )
    r.finish()
    if not errors:
        errors += reservation_problems(scenario)
    if errors:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(errors))
    return study


def _workers(r: Reader) -> int | None:
    value = r.raw("workers", None)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4096:
        r.error(r.key("workers"), value, "must be null (every core) or a whole number in [1, 4096]")
        return None
    return value


def _flag(r: Reader, name: str, default: bool = True) -> bool:
    value = r.raw(name, default)
    if not isinstance(value, bool):
        r.error(r.key(name), value, "must be true or false")
    return bool(value)
