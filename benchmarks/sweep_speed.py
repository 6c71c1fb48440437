"""Throughput and scaling of studies: workers, replications, partners, horizon, jobs, memory.

Usage:
    python benchmarks/sweep_speed.py [--runs 400] [--quick] [--skip-jobs]

Prints, for the default scenario:
  1. runs per second on 1 and 2 workers (end to end, tables streamed to Parquet), and the
     start-up cost of a spawned worker pool;
  2. seconds against the number of replications (one process), with a linear fit;
  3. seconds per run against the number of partners (synthetic copies of Japan added) and
     against the horizon's length (later end dates);
  4. the per-job overhead of a Hydra multirun (basic launcher, one replication per job), split
     into Hydra composing each job's config (twice) and the job itself;
  5. memory per 10^5 result rows: Arrow tables in memory, Parquet on disk, and the Python rows
     a TableBuilder holds before it builds the tables; and the peak memory of one job with few
     and with many replications (flat: tables are streamed to disk chunk by chunk).
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from sim.config import ConfigError, load_study
from sim.run.parallel import WorkerPool
from sim.io.files import TableFiles
from sim.run.results import TableBuilder
from sim.run.runner import replication_seeds, run_model, run_replications, stream_replications
from sim.apps.sensitivity import base_config

ROOT = Path(__file__).resolve().parents[1]
SPARE_CODES = ("GBR", "CHN", "KHM")  # partner codes the scenario schema knows beyond the default five


def rate(seconds: float, runs: int) -> str:
    return f"{runs / seconds:7.1f} runs/s ({seconds / runs * 1000:.1f} ms/run)"


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def workers(scenario, runs: int) -> None:
    """Wall-clock runs per second, and CPU seconds per run summed over every process.

    On a machine shared with other work the wall-clock speed-up is only as good as the cores
    left free; the CPU time per run (this process plus its finished workers) is not, and its
    ratio bounds the speed-up on idle cores: 2 x cpu(1 worker) / cpu(2 workers).
    """
    print("1. runs per second, end to end (model + tidy tables streamed to Parquet, as the command does)")
    wall, cpu = {}, {}
    for n in (1, 2):
        began = time.perf_counter()
        cpu_began = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
        with WorkerPool(n) as pool:
            pool.start()  # every worker spawned and importing the model before the clock starts
            start_up = time.perf_counter() - began
            t = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp, TableFiles(Path(tmp)) as files:
                stream_replications(scenario, 7, runs, files.write, pool=pool)
            wall[n] = time.perf_counter() - t
        cpu[n] = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - cpu_began
        if n > 1:  # less what starting (importing) the workers cost, measured alone
            began_alone = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
            with WorkerPool(n) as alone:
                alone.start()
            cpu[n] -= _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - began_alone
        print(f"   {n} worker{'s' if n > 1 else ' '}: {rate(wall[n], runs)}; CPU {cpu[n] / runs * 1000:.1f} ms/run"
              f" (all processes, start-up excluded); pool start-up {start_up:.2f} s")
    print(f"   wall-clock speed-up 2 vs 1: {wall[1] / wall[2]:.2f}x; "
          f"on idle cores at most {2 * cpu[1] / cpu[2]:.2f}x (CPU time per run, 1 vs 2 workers)")


def replications(scenario, quick: bool) -> None:
    print("2. cost against replications (one process)")
    sizes = (25, 50, 100) if quick else (50, 100, 200, 400, 800)
    xs, ys = [], []
    for n in sizes:
        t = time.perf_counter()
        run_replications(scenario, 1, n, workers=1)
        xs.append(n)
        ys.append(time.perf_counter() - t)
        print(f"   {n:5d} replications: {ys[-1]:6.2f} s  ({ys[-1] / n * 1000:.1f} ms/run)")
    slope, intercept = np.polyfit(xs, ys, 1)
    residual = max(abs(np.polyval([slope, intercept], xs) - ys) / np.array(ys))
    print(f"   linear fit: {slope * 1000:.1f} ms per replication + {intercept:.2f} s; worst relative misfit {residual:.1%}")


def per_run(data: dict, n: int) -> float | None:
    try:
        scenario = load_study(data).scenario
    except ConfigError as error:
        print(f"   (refused: {str(error).splitlines()[1].strip()})")
        return None
    run_model(scenario, 0)
    t = time.perf_counter()
    builder = TableBuilder()
    for i, seed in enumerate(replication_seeds(3, n)):
        builder.add(run_model(scenario, seed), i)
    builder.tables()
    return (time.perf_counter() - t) / n * 1000


def partners_and_days(quick: bool) -> None:
    n = 20 if quick else 60
    base = base_config(["figures=false"])
    print("3. cost per run against partners (copies of Japan under the spare codes) and against the horizon")
    for extra in (0, 1, 2, 3):
        data = copy.deepcopy(base)
        for code in SPARE_CODES[:extra]:
            data["scenario"]["partners"][code] = copy.deepcopy(data["scenario"]["partners"]["JPN"])
        ms = per_run(data, n)
        if ms is not None:
            print(f"   {5 + extra:3d} partners: {ms:6.1f} ms/run ({ms / (5 + extra):.2f} ms per partner)")
    for end in ("2025-09-30", "2026-03-31", "2026-09-30"):
        data = copy.deepcopy(base)
        data["scenario"]["end"] = end
        days = (np.datetime64(end) - np.datetime64(data["scenario"]["start"])).astype(int) + 1
        ms = per_run(data, n)
        if ms is not None:
            print(f"   horizon to {end} ({days} days): {ms:6.1f} ms/run ({ms / days * 1000:.0f} µs per day)")


def job_overhead() -> None:
    print("4. per-job overhead of a multirun (basic launcher, 1 replication per job)")
    times = {}
    for jobs in (1, 11):
        with tempfile.TemporaryDirectory() as tmp:
            seeds = ",".join(str(s) for s in range(jobs))
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "sim", "-m", f"seed={seeds}", "replications=1", "figures=false",
                            "print_table=false", "hydra/launcher=basic", f"hydra.sweep.dir={tmp}/s"],
                           cwd=tmp, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            times[jobs] = time.perf_counter() - t
    per_job = (times[11] - times[1]) / 10
    compose, job = job_parts()
    print(f"   1 job: {times[1]:.2f} s (start-up included); 11 jobs: {times[11]:.2f} s; each extra job {per_job:.3f} s:")
    print(f"   Hydra composes each job's config twice ({compose:.3f} s each, {2 * compose:.3f} s); "
          f"the job itself (check, 1 replication, 3 Parquet files, summary, config) {job:.3f} s")


def job_parts(repeats: int = 5) -> tuple[float, float]:
    """Seconds to compose the config as a multirun job does, and to run one job of 1 replication."""
    from hydra import compose, initialize_config_dir
    from omegaconf import open_dict

    from sim.apps.cli import run
    from sim.config.paths import CONF_DIR

    overrides = ["replications=1", "figures=false", "print_table=false"]
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        compose("config", overrides=overrides, return_hydra_config=True)
        t = time.perf_counter()
        for _ in range(repeats):
            cfg = compose("config", overrides=overrides, return_hydra_config=True)
        composing = (time.perf_counter() - t) / repeats
        with open_dict(cfg):
            del cfg["hydra"]  # a job's task config, as Hydra hands it to the app
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            for i in range(repeats):
                run(cfg, Path(tmp) / str(i))
            job = (time.perf_counter() - t) / repeats
    return composing, job


def memory(scenario, quick: bool) -> None:
    print("5. memory per 10^5 result rows")
    n = 40 if quick else 120
    tracemalloc.start()
    builder = TableBuilder()
    for i, seed in enumerate(replication_seeds(5, n)):
        builder.add(run_model(scenario, seed), i)
    rows_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    tables = builder.tables()
    total_rows = sum(t.num_rows for t in tables.values())
    print(f"   TableBuilder rows (Python tuples, all three tables): {rows_bytes / total_rows * 1e5 / 2**20:6.1f} MiB per 10^5 rows")
    with tempfile.TemporaryDirectory() as tmp:
        for name, table in tables.items():
            path = Path(tmp) / f"{name}.parquet"
            pq.write_table(table, path)
            print(f"   {name:10s}: {table.num_rows:7d} rows; Arrow {table.nbytes / table.num_rows * 1e5 / 2**20:6.1f} MiB,"
                  f" Parquet {path.stat().st_size / table.num_rows * 1e5 / 2**20:5.2f} MiB per 10^5 rows")

    print("   peak resident memory of one job against its replications (tables streamed to disk):")
    for n in ((100, 400) if quick else (250, 1000, 4000)):  # chunks are at their largest from 1,000
        print(f"   {n:6d} replications: {job_peak_rss(n):6.0f} MiB")


def job_peak_rss(replications: int) -> float:
    """Peak RSS in MiB of ``tariffsim replications=N workers=1 figures=false`` (its own process)."""
    with tempfile.TemporaryDirectory() as tmp:
        child = subprocess.Popen([sys.executable, "-m", "sim", f"replications={replications}", "workers=1",
                                  "figures=false", "print_table=false", f"hydra.run.dir={tmp}/run"],
                                 cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise RuntimeError(f"tariffsim replications={replications} failed ({child.returncode})")
    return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400, help="runs for the workers comparison")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke test)")
    parser.add_argument("--skip-jobs", action="store_true", help="skip the multirun overhead (subprocesses)")
    args = parser.parse_args()
    import logging

    logging.getLogger("MESA").setLevel(logging.WARNING)
    scenario = load_study(base_config(["figures=false"])).scenario
    for seed in range(10):  # warm up imports and caches
        run_model(scenario, seed)
    print(f"cores available: {len(os.sched_getaffinity(0))}")
    workers(scenario, args.runs)
    replications(scenario, args.quick)
    partners_and_days(args.quick)
    if not args.skip_jobs:
        job_overhead()
    memory(scenario, args.quick)


if __name__ == "__main__":
    main()
