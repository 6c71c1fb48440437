"""The top-level settings of a job (seed, replications, outputs) and the whole-config loader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass as settings

from sim.config.errors import config_error, unset_removed
from sim.config.fields import SETTINGS, Allowed, doc, flag, integer, mapping
from sim.config.errors import ConfigError
from sim.config.scenario import Scenario, ScenarioSettings
from sim.config.world_check import reservation_problems


@settings(config=SETTINGS, kw_only=True)
class StudySettings:
    """The whole composed config (``config.yaml`` and its groups), as ``tariffsim`` reads it."""

    scenario: Annotated[ScenarioSettings, mapping(), doc("the simulated world (sim/conf/scenario/)")]
    seed: Annotated[int, integer(0, 2**63 - 1), doc("top-level seed; replication i runs on SeedSequence(seed).spawn(replications)[i]")]
    replications: Annotated[int, integer(1, 10**7), doc("independent runs of the scenario in this job")]
    workers: Annotated[int | None, integer(1, 4096), Allowed("must be null (every core) or a whole number in [1, 4096]"),
                       doc("processes for the replications (null: every core)")] = None
    figures: Annotated[bool, flag(), doc("write figures/*.png into the run directory")] = True
    print_table: Annotated[bool, flag(), doc("print the per-partner outcome table at the end")] = True
    resume: Annotated[bool, flag(), doc("skip a job whose run directory already holds a finished run of the same config")] = True
    overwrite: Annotated[bool, flag(), doc("replace a finished job of another config in the run directory")] = False


STUDY = TypeAdapter(StudySettings)


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
    if isinstance(data, Mapping):
        data = {k: v for k, v in data.items() if k != "hydra"}
    try:
        s = STUDY.validate_python(unset_removed(data), context={})  # context: shared by the scenario's checks
    except ValidationError as error:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(config_error(error, StudySettings))) from None
    study = Study(scenario=Scenario.of(s.scenario), seed=s.seed, replications=s.replications, figures=s.figures,
                  print_table=s.print_table, workers=s.workers, resume=s.resume, overwrite=s.overwrite)
    errors = reservation_problems(study.scenario)
    if errors:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(errors))
    return study
