"""What choosing strategies through the registry costs: the baseline run with its strategies
built from the config's registry names, against the same run with strategy objects constructed
directly in code and handed to the model.

Usage:
    python benchmarks/strategy_overhead.py [--runs 200] [--repeats 5] [--block 10]

Both arms run the same seeds with identical strategies (their decisions, hence the runs, are the
same; checked before timing). Time is taken in paired blocks of ``--block`` runs per arm, the
arms' order alternating, so that a noisy machine's drift hits both alike; the overhead is the
median of the blocks' registry/direct ratios (with its quartiles), and, for comparison, the
ratio of the median and of the fastest blocks. Issue 3 asks for at most 10%. The registry's only
work in a run is building each agent's strategy from its spec; that is timed on its own too,
which gives a figure that machine noise does not blur. Also prints the share of a run's time spent inside
strategy code at all (cProfile, which inflates small calls: an upper bound), which bounds what any
way of choosing strategies could cost.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import pstats
import statistics
import time
from pathlib import Path

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.config import Scenario, load_study
from sim.config.paths import CONF_DIR
from sim.run.runner import run_model
from sim.strategies import Strategy
from sim.strategies.partners import HoldUntilElection, Retaliate
from sim.strategies.time_dependent import Boulware, Conceder
from sim.strategies.united_states import DealSeeker

STRATEGY_DIR = str(Path(__file__).resolve().parents[1] / "sim" / "strategies")


class Direct:
    """Stands where the config's ``StrategySpec`` stands, but hands over an object made in code."""

    def __init__(self, strategy: Strategy) -> None:
        self.strategy = strategy

    def build(self) -> Strategy:
        return self.strategy  # strategies keep no state between calls, so one object serves every run


def direct_scenario(scenario: Scenario) -> Scenario:
    """The baseline with the same strategies constructed directly, bypassing the registry."""
    made = {  # what sim/conf/country/*.yaml choose, written out by hand
        "USA": DealSeeker(beta=0.4, k=0.0, near_days=3, stall_days=21, cooldown_days=21, threat_step=5.0,
                          extend_stress=0.45, extend_close_gap=0.08, extension_days=23, max_extensions=1),
        "JPN": HoldUntilElection(protected=("farm_access",), beta=0.5, k=0.0),
        "EU": Retaliate(probability=0.5, beta=0.7, k=0.0),
        "CAN": Retaliate(probability=0.6, beta=0.5, k=0.0),
        "KOR": Boulware(beta=0.4, k=0.0),
        "VNM": Conceder(beta=1.6, k=0.1),
    }
    for code, strategy in made.items():
        spec = scenario.us.strategy if code == "USA" else scenario.partners[code].strategy
        assert type(strategy) is spec.cls and vars(strategy) == vars(spec.build()), f"{code} differs from the config"
    partners = {code: dataclasses.replace(p, strategy=Direct(made[code])) for code, p in scenario.partners.items()}
    return dataclasses.replace(scenario, us=dataclasses.replace(scenario.us, strategy=Direct(made["USA"])),
                               partners=partners)


def time_runs(scenario: Scenario, seeds: range) -> float:
    """Milliseconds per run over ``seeds``."""
    gc.collect()
    began = time.perf_counter()
    for seed in seeds:
        run_model(scenario, seed)
    return (time.perf_counter() - began) / len(seeds) * 1000


def strategy_share(scenario: Scenario, runs: int = 30) -> float:
    """Share of run time spent inside ``sim/strategies`` (cProfile's own time; an upper bound)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for seed in range(runs):
        run_model(scenario, seed)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # {(file, line, name): (calls, prim, tottime, cumtime, callers)}
    total = sum(entry[2] for entry in stats.values())
    inside = sum(entry[2] for (file, _, _), entry in stats.items() if file.startswith(STRATEGY_DIR))
    return inside / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per arm per repeat")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of --runs runs per arm")
    parser.add_argument("--block", type=int, default=10, help="runs per arm in one paired block")
    args = parser.parse_args()

    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        cfg = compose("config")
    registry = load_study(OmegaConf.to_container(cfg, resolve=True)).scenario
    direct = direct_scenario(registry)
    for seed in range(3):  # same decisions, same runs
        a, b = run_model(registry, seed), run_model(direct, seed)
        assert repr(a.datacollector.model_vars["day"]) == repr(b.datacollector.model_vars["day"])  # nan-safe
    for seed in range(20):  # warm up imports and caches
        run_model(registry, seed), run_model(direct, seed)

    # Paired blocks, the arms' order alternating: each block's ratio sees the same machine load.
    timings: dict[str, list[float]] = {"registry": [], "direct": []}
    ratios: list[float] = []
    for repeat in range(args.repeats):
        for block in range(args.runs // args.block):
            first = (repeat * args.runs) + block * args.block
            seeds = range(first, first + args.block)
            arms = [("registry", registry), ("direct", direct)]
            pair = {name: time_runs(scenario, seeds) for name, scenario in (arms if block % 2 == 0 else arms[::-1])}
            for name, ms in pair.items():
                timings[name].append(ms)
            ratios.append(pair["registry"] / pair["direct"])
        print(f"  repeat {repeat + 1}: registry {statistics.median(timings['registry'][-args.runs // args.block:]):.2f} "
              f"ms/run, direct {statistics.median(timings['direct'][-args.runs // args.block:]):.2f} ms/run")

    reg, dirc = statistics.median(timings["registry"]), statistics.median(timings["direct"])
    print(f"median of {len(ratios)} paired blocks of {args.block} runs: registry/direct - 1 = "
          f"{100 * (statistics.median(ratios) - 1):+.1f}% (limit +10%); "
          f"quartiles {100 * (statistics.quantiles(ratios, n=4)[0] - 1):+.1f}% .. "
          f"{100 * (statistics.quantiles(ratios, n=4)[2] - 1):+.1f}%")
    print(f"median block: registry {reg:.2f} ms/run, direct {dirc:.2f} ms/run ({100 * (reg / dirc - 1):+.1f}%)")
    print(f"fastest block: registry {min(timings['registry']):.2f} ms/run, direct {min(timings['direct']):.2f} ms/run "
          f"({100 * (min(timings['registry']) / min(timings['direct']) - 1):+.1f}%)")
    specs = [registry.us.strategy, *(p.strategy for p in registry.partners.values())]
    calls = 20_000
    began = time.perf_counter()
    for _ in range(calls):
        for spec in specs:
            spec.build()
    build_ms = (time.perf_counter() - began) / calls * 1000
    print(f"the registry's own work per run (building {len(specs)} strategies from specs): {build_ms * 1000:.1f} us "
          f"= {100 * build_ms / dirc:.3f}% of a median run")
    print(f"time inside strategy code (cProfile upper bound): {100 * strategy_share(registry):.1f}% of a run")


if __name__ == "__main__":
    main()
