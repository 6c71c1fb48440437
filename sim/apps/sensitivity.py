"""``tariffsim-sensitivity NAME``: Sobol or Morris sensitivity of one outcome to named parameters.

A study (``sim/conf/sensitivity/NAME.yaml``) names parameters by their dotted config keys, with
bounds, and the outcome (a metric per partner). SALib draws the samples; each sample's values are
set in the plain composed config, validated with ``load_study`` and run for a few replications.
Samples are evaluated in contiguous chunks on the worker pool (one task runs many samples, so the
cost of a process is paid once); replication ``r`` of every sample uses the same seed (common
random numbers: differences between samples come from the parameters, not from the draws).

Writes, atomically, into the output directory: ``samples.parquet`` (one row per sample: the
parameter values and the metric), ``indices.parquet`` (one row per parameter and index, with its
95% confidence half-width), ``indices.png`` and ``study.json`` (the settings). While it runs, the
evaluated samples are saved in ``.evaluated.npz`` (``sim.analysis.sensitivity_checkpoint``): the same
command run again after an interruption evaluates only the samples that were not done.
``metric.partner`` may list partners: one metric each, from the same runs. ``--one-at-a-time``
adds the knife-edge check of the top-ranked parameters (``sim.analysis.sensitivity_oat``).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.io.files import NewFiles
from sim.apps.command_errors import (CommandError, check_output_dir, checked_config, os_error_message, report,
                                whole_number)
from sim.config import ConfigError, load_study
from sim.io.files import write_json
from sim.config.paths import CONF_DIR
from sim.run.parallel import WorkerPool, chunk_bounds
from sim.run.progress import Progress
from sim.analysis.sensitivity_checkpoint import Checkpoint, fingerprint
from sim.config.sensitivity_study import SensitivityStudy, load_sensitivity, with_values
from sim.analysis.sensitivity_oat import run_one_at_a_time, saved_indices
from sim.analysis.sensitivity_samples import evaluate_samples

log = logging.getLogger("tariffsim")
PROG = "tariffsim-sensitivity"


def base_config(overrides: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
    """The composed tariffsim config with ``overrides``, as a plain dict (no ``hydra`` node)."""
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        cfg = compose("config", overrides=list(overrides))
    return OmegaConf.to_container(cfg, resolve=True)


def draw(study: SensitivityStudy) -> tuple[dict[str, Any], np.ndarray]:
    """The SALib problem and the sample matrix (seeded: the same study draws the same samples)."""
    problem = {"num_vars": len(study.parameters), "names": [p.key for p in study.parameters],
               "bounds": [[p.low, p.high] for p in study.parameters]}
    if study.method == "sobol":
        from SALib.sample import sobol

        return problem, sobol.sample(problem, study.samples, calc_second_order=study.second_order, seed=study.seed)
    from SALib.sample import morris

    return problem, morris.sample(problem, study.samples, num_levels=study.levels, seed=study.seed)


def check_bounds(base: dict[str, Any], study: SensitivityStudy) -> None:
    """Refuse a study whose keys or metric partner do not exist or whose bounds make an invalid config,
    before running."""
    errors = []
    partners = list(base["scenario"]["partners"])
    for metric in study.outputs:
        if metric.partner is not None and metric.partner not in partners:
            errors.append(f"metric.partner={metric.partner!r}: not a partner of scenario "
                          f"{base['scenario']['name']}; allowed: {', '.join(partners)}")
    for parameter in study.parameters:
        for value in (parameter.low, parameter.high):
            try:
                load_study(with_values(base, (parameter,), [value]))
            except KeyError as error:
                errors.append(f"parameters: {error.args[0]}")
                break
            except ConfigError as error:
                errors.append(f"parameters: {parameter.key}={value:g} gives an invalid config: "
                              + " ".join(str(error).split()[2:]))
    if errors:
        raise ConfigError("invalid sensitivity study:\n  " + "\n  ".join(errors))


def analyse(study: SensitivityStudy, problem: dict[str, Any], x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """Sensitivity indices as a tidy table: ``parameter, index, value, confidence``."""
    rows = []
    if study.method == "sobol":
        from SALib.analyze import sobol

        result = sobol.analyze(problem, y, calc_second_order=study.second_order, seed=study.seed)
        for index in ("S1", "ST"):
            rows += [(name, index, result[index][i], result[f"{index}_conf"][i])
                     for i, name in enumerate(problem["names"])]
        if study.second_order:
            for i, a in enumerate(problem["names"]):
                for j in range(i + 1, len(problem["names"])):
                    rows.append((f"{a} x {problem['names'][j]}", "S2", result["S2"][i, j], result["S2_conf"][i, j]))
    else:
        from SALib.analyze import morris

        result = morris.analyze(problem, x, y, num_levels=study.levels, seed=study.seed)
        for i, name in enumerate(problem["names"]):
            rows += [(name, "mu_star", result["mu_star"][i], result["mu_star_conf"][i]),
                     (name, "mu", result["mu"][i], float("nan")), (name, "sigma", result["sigma"][i], float("nan"))]
    return pd.DataFrame(rows, columns=["parameter", "index", "value", "confidence"])


def run_sensitivity(study: SensitivityStudy, out: Path, workers: int | None = None,
                    progress: bool = True, figures: bool = True) -> pd.DataFrame:
    """Draw, evaluate and analyse ``study``; write its files into ``out``; return the indices.

    Raises:
        CommandError: ``out`` cannot be written, or an override of the study is refused
            (both found before the first sample is evaluated).
        ConfigError: a parameter's key or bounds make an invalid config.
    """
    from sim.run.runner import replication_seeds

    began = time.perf_counter()
    check_output_dir(out)  # before the first sample, not after hours of them
    base = checked_config(study.overrides, base_config, "study override")
    check_bounds(base, study)
    problem, x = draw(study)
    seeds = replication_seeds(study.seed, study.replications)
    metric = [(m.name, m.partner) for m in study.outputs]
    checkpoint = Checkpoint(out, fingerprint(dataclasses.asdict(study), base, x))
    y = np.empty((len(x), len(metric)))
    done = checkpoint.load()
    y[:len(done)] = done.reshape(len(done), len(metric))
    if len(done):
        log.info("%s: resuming, %d of %d samples already evaluated", study.name, len(done), len(x))
    bar = Progress((len(x) - len(done)) * study.replications, f"{study.name} ({len(x)} parameter sets)",
                   enabled=progress)
    with WorkerPool(workers) as pool:
        bounds = [(len(done) + a, len(done) + b)
                  for a, b in chunk_bounds(len(x) - len(done), pool.workers, min_chunk=8)]
        arguments = [(base, study.parameters, x[a:b], seeds, metric) for a, b in bounds]

        def advance(index: int) -> None:
            bar.advance((bounds[index][1] - bounds[index][0]) * study.replications)

        for (a, b), values in zip(bounds, pool.map_ordered(evaluate_samples, arguments, advance)):
            y[a:b] = values
            checkpoint.save(y[:b], force=b == len(x))
    bar.close()
    indices = _analyse_all(study, problem, x, y)
    _write_results(study, out, x, y, indices, time.perf_counter() - began, figures)
    checkpoint.remove()
    return indices


def _analyse_all(study: SensitivityStudy, problem: dict[str, Any], x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """``analyse`` per metric (column of ``y``); with several metrics, a leading ``metric`` column."""
    if y.shape[1] == 1:
        return analyse(study, problem, x, y[:, 0])
    return pd.concat([analyse(study, problem, x, y[:, k]).assign(metric=m.label) for k, m in enumerate(study.outputs)],
                     ignore_index=True)[["metric", "parameter", "index", "value", "confidence"]]


def _write_results(study: SensitivityStudy, out: Path, x: np.ndarray, y: np.ndarray, indices: pd.DataFrame,
                   seconds: float, figures: bool) -> None:
    """Write the study's files; if one fails, remove those written (the checkpoint stays, to resume)."""
    from sim.io.study_table import write_table

    samples = pd.DataFrame(x, columns=[p.key for p in study.parameters]).assign(
        **{m.label: y[:, k] for k, m in enumerate(study.outputs)})
    runs = int(len(x) * study.replications)
    files = NewFiles(out)
    try:
        for name, table in (("samples.parquet", samples), ("indices.parquet", indices)):
            write_table(out / name, table)
            files.add(out / name)
        write_json(out / "study.json", {**dataclasses.asdict(study), "runs": runs, "seconds": round(seconds, 2)})
        files.add(out / "study.json")
        if figures:
            from sim.plots.report_figures import save
            from sim.plots.sensitivity_figures import plot_indices

            for metric in study.outputs:  # one chart per metric: indices.png, or indices_JPN_deal_probability.png
                mine = indices[indices["metric"] == metric.label] if "metric" in indices else indices
                name = "indices.png" if len(study.outputs) == 1 else f"indices_{metric.label}.png"
                saved = save(plot_indices(mine, study, metric.label, len(x)), out / name)
                files.add(*([saved] if isinstance(saved, Path) else saved))  # PNG, and any other format beside it
    except BaseException:
        files.remove()
        raise
    log.info("%s: %d runs in %.1f s", study.name, runs, seconds)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tariffsim-sensitivity``; returns the exit status (2: refused input)."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Sobol or Morris sensitivity of one outcome to named parameters of the config, "
                               "from a study file (sim/conf/sensitivity/NAME.yaml or a path).")
    parser.add_argument("study", help="a name in sim/conf/sensitivity/ or a path to a YAML file")
    parser.add_argument("--samples", type=whole_number(2, 2**20),
                        help="base samples (Sobol: a power of 2) or Morris trajectories")
    parser.add_argument("--replications", type=whole_number(1, 10**5), help="replications per sample")
    parser.add_argument("--workers", type=whole_number(1, 4096), help="processes (default: every core)")
    parser.add_argument("--out", type=Path, help="output directory (default: sensitivity/NAME)")
    parser.add_argument("--no-figures", action="store_true", help="write the tables only")
    parser.add_argument("--one-at-a-time", action="store_true",
                        help="then move each top-ranked parameter alone across its range (the knife-edge check: "
                             "knife_edges.parquet); reuses a finished run of the same study in the output directory")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("MESA").setLevel(logging.WARNING)
    changes = {k: v for k, v in (("samples", args.samples), ("replications", args.replications)) if v is not None}
    try:
        study = load_sensitivity(args.study, changes)
        out = args.out or Path("sensitivity") / study.name
        indices = saved_indices(study, out) if args.one_at_a_time else None
        if indices is None:
            indices = run_sensitivity(study, out, workers=args.workers, progress=True, figures=not args.no_figures)
        else:
            log.info("%s: using the finished study in %s", study.name, out)
        if args.one_at_a_time:
            edges = run_one_at_a_time(study, out, indices, base_config(study.overrides), workers=args.workers)
    except (ConfigError, CommandError) as error:
        return report(PROG, error)
    except OSError as error:
        return report(PROG, CommandError(os_error_message(error) + " The evaluated samples are kept: the same "
                                         "command resumes without evaluating them again."))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; the same command resumes with the samples already evaluated",
              file=sys.stderr)
        return 130
    print(indices.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.one_at_a_time:
        print(edges.head(20).to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print(f"results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
