"""Peak memory as replications accumulate in one process: tariffsim's weak agent-id registry
against Mesa 3.3's own class-level registry, which keeps every finished model alive.

Usage:
    python benchmarks/memory_registry.py [weak|mesa]
"""

from __future__ import annotations

import gc
import resource
import sys

import mesa
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.config import load_study
from sim.config.paths import CONF_DIR
from sim.model.agents import Negotiator
from sim.run.runner import run_model



def main() -> None:
    registry = sys.argv[1] if len(sys.argv) > 1 else "weak"
    if registry == "mesa":
        Negotiator._ids = mesa.Agent._ids  # put Mesa's strong registry back, to measure the leak
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        scenario = load_study(OmegaConf.to_container(compose("config"), resolve=True)).scenario
    done = 0
    for target in (200, 1000, 2000):
        for seed in range(done, target):
            run_model(scenario, seed)
        done = target
        gc.collect()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{registry:>4} registry: {target:>5} runs, peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
