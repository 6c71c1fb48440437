"""Replications of a scenario: one seeded model per replication, tables at the end."""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sim.config import Scenario
from sim.model.model import TariffModel
from sim.results import TableBuilder


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Independent seeds for each replication, spawned from the top-level ``seed``.

    Replication ``i`` always gets the same seed, however many replications are asked for.
    """
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for child in children]


def run_model(scenario: Scenario, seed: int) -> TariffModel:
    """Run one replication of ``scenario`` with its own ``seed``; returns the finished model."""
    return TariffModel(scenario, seed=seed).run()


@dataclass
class Outcome:
    """Tables of a batch of replications and how long it took."""

    tables: dict[str, pa.Table]
    seeds: list[int]
    seconds: float


def run_replications(scenario: Scenario, seed: int, replications: int) -> Outcome:
    """Run ``replications`` seeded models of ``scenario`` one after another in this process."""
    began = time.perf_counter()
    seeds = replication_seeds(seed, replications)
    builder = TableBuilder()
    for run_id, run_seed in enumerate(seeds):
        model = run_model(scenario, run_seed)
        builder.add(model, run_id)
        del model
        if run_id % 256 == 255:
            gc.collect()  # models hold reference cycles (agents <-> model); free them in batches
    tables = builder.tables()
    return Outcome(tables, seeds, time.perf_counter() - began)
