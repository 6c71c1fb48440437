"""Milliseconds per full default run (one process, data collection on) and peak memory.

Usage:
    python benchmarks/run_speed.py [--runs 300] [--repeats 5]

Prints the median over repeats of the time per run for (a) the model alone (build, 175 days,
DataCollector on), both wall-clock and CPU time of this process (``time.process_time``: on a
machine shared with other work, wall time swings with the load, CPU time much less), and (b) end
to end per replication (model plus tidy tables, wall-clock), and the peak resident memory of the
process, so that growth with the number of runs shows.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import time

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.config import load_study
from sim.config.paths import CONF_DIR
from sim.run.runner import run_model, run_replications



def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="runs per repeat")
    parser.add_argument("--repeats", type=int, default=5, help="repeats; the median is reported")
    args = parser.parse_args()

    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        cfg = compose("config")
    scenario = load_study(OmegaConf.to_container(cfg, resolve=True)).scenario
    for seed in range(20):  # warm up imports and caches
        run_model(scenario, seed)

    model_ms, model_cpu_ms = [], []
    for repeat in range(args.repeats):
        gc.collect()
        began, began_cpu = time.perf_counter(), time.process_time()
        for seed in range(args.runs):
            run_model(scenario, repeat * args.runs + seed)
        model_ms.append((time.perf_counter() - began) / args.runs * 1000)
        model_cpu_ms.append((time.process_time() - began_cpu) / args.runs * 1000)
        print(f"  repeat {repeat + 1}: model {model_ms[-1]:.2f} ms/run ({model_cpu_ms[-1]:.2f} ms CPU), "
              f"peak RSS {peak_rss_mib():.0f} MiB")

    rss_before = peak_rss_mib()
    end_to_end = []
    for repeat in range(args.repeats):
        outcome = run_replications(scenario, seed=repeat, replications=args.runs)
        end_to_end.append(outcome.seconds / args.runs * 1000)
        del outcome
    print(f"model only (build + {scenario.days} days + DataCollector): "
          f"median {statistics.median(model_ms):.2f} ms/run (min {min(model_ms):.2f}) over {args.repeats}x{args.runs} runs")
    print(f"model only, CPU time: median {statistics.median(model_cpu_ms):.2f} ms/run (min {min(model_cpu_ms):.2f})")
    print(f"end to end per replication (model + tidy tables): median {statistics.median(end_to_end):.2f} ms/run")
    print(f"peak RSS: {rss_before:.0f} MiB after {args.repeats * args.runs} model runs, "
          f"{peak_rss_mib():.0f} MiB after {args.repeats} table batches of {args.runs}")


if __name__ == "__main__":
    main()
