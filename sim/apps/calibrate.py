"""``tariffsim-calibrate STUDY``: ABC-SMC calibration of named parameters against observed outcomes.

A study (``sim/conf/calibration/NAME.yaml`` or a path) names parameters with priors, an observed
file and a cut-off date (:mod:`sim.config.calibration_study`). Everything is checked before anything
runs: the study's keys, each parameter's key and prior range (the scenario is loaded with each
bound, as ``tariffsim`` would), the observed file and its dates against the cut-off (an item
dated after it is refused: it is for validation), the output folder. Then pyabc's ABC-SMC runs
(:mod:`sim.analysis.calibration`) with its history in ``OUT/abc.db``; the same command resumes it after an
interruption, or runs on a finished study with a larger ``--generations``. The outputs
(:mod:`sim.analysis.calibration_outputs`) are renamed into place together at the end.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf, open_dict

from sim.analysis.calibration import CalibrationInputError, check_priors, fit_targets, run_calibration, simulate
from sim.config.calibration_study import load_calibration
from sim.analysis.calibration_outputs import CONFIG_FOLDER, POINT_CONFIG, posterior_summary, write_outputs
from sim.apps.command_errors import (CommandError, check_output_dir, checked_config, debugging, os_error_message, report,
                                whole_number)
from sim.config import ConfigError, load_study
from sim.io.report_inputs import ReportError
from sim.apps.sensitivity import base_config
from sim.config.sensitivity_study import with_values

log = logging.getLogger("tariffsim")
PROG = "tariffsim-calibrate"


def composed_point_config(folder: Path) -> dict[str, Any]:
    """The plain config ``tariffsim -cd FOLDER -cn calibrated`` composes (without its ``hydra`` node)."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode

    from sim.apps.preflight import _hydra

    hydra = _hydra(None, str(folder))
    try:
        cfg = hydra.compose_config(POINT_CONFIG, [], run_mode=RunMode.RUN)
    finally:
        GlobalHydra.instance().clear()
    with open_dict(cfg):
        cfg.pop("hydra", None)  # its run and sweep folders interpolate job values a composed config lacks
    return OmegaConf.to_container(cfg, resolve=True)


def _check_point_config(expected: dict[str, Any]) -> Any:
    def check(folder: Path) -> None:
        got = composed_point_config(folder)
        if got != expected:
            keys = sorted(k for k in set(got) | set(expected) if got.get(k) != expected.get(k))
            raise CalibrationInputError(f"the point estimate's config does not compose to the calibrated config "
                                        f"(it differs under {', '.join(keys)}); this is a bug, please report it")
    return check


def calibrate(args: argparse.Namespace) -> int:
    """Check everything, run (or resume) the calibration, write and print its results."""
    changes = {k: v for k, v in (("population", args.population), ("generations", args.generations),
                                 ("replications", args.replications)) if v is not None}
    study = load_calibration(args.study, changes)
    out = args.out or Path("calibration") / study.name
    check_output_dir(out)
    base = checked_config(study.overrides, base_config, "study override")
    scenario = check_priors(base, study)
    targets, observed = fit_targets(study, scenario)
    began = time.perf_counter()
    outcome = run_calibration(study, out, base, targets, workers=args.workers, progress=True)
    keys = tuple(p.parameter for p in study.parameters)
    calibrated = with_values(base, keys, [outcome.point[p.key] for p in study.parameters])
    from sim.run.runner import replication_seeds

    fit = simulate(load_study(calibrated).scenario, replication_seeds(study.seed, study.replications), targets)
    try:
        files = write_outputs(out, study, outcome, targets, observed, calibrated, base_config(()), fit,
                              _check_point_config(calibrated), figures=not args.no_figures,
                              seconds=time.perf_counter() - began)
    except ReportError as error:
        raise CommandError(str(error).split(" tariffsim-report ")[0] + " The generations are kept in "
                           f"{out / 'abc.db'}: the same command writes the results without running them again.") \
            from None
    _print(study, outcome, targets, fit, out, files)
    return 0


def _print(study: Any, outcome: Any, targets: list, fit: dict[str, float], out: Path, files: list[Path]) -> None:
    import pandas as pd

    with pd.option_context("display.width", 140, "display.max_columns", 20,
                           "display.float_format", "{:.4g}".format):
        print(outcome.generations.to_string(index=False))
        print()
        print(posterior_summary(outcome.posterior, study).to_string(index=False))
        print()
        table = pd.DataFrame([{"statistic": t.name, "observed": t.observed, "point estimate": fit[t.name],
                               "scale": t.scale} for t in targets])
        print(table.to_string(index=False))
    for path in files:
        print(f"  wrote {path}")
    print(f"run the point estimate: tariffsim -cd {out / CONFIG_FOLDER} -cn {POINT_CONFIG}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Likelihood-free calibration (pyabc's ABC-SMC) of the parameters a study names against "
                    "observed outcomes up to a cut-off date; writes the posterior, diagnostics figures and the "
                    "point estimate as a config tariffsim runs (config/calibrated.yaml) into OUT.",
        epilog="Exit status: 0 done, 2 an input that cannot be used (nothing run or written), 130 interrupted (the "
               "same command resumes from OUT/abc.db). TARIFFSIM_DEBUG=1 shows tracebacks. The study format: "
               "docs/calibration.md.")
    parser.add_argument("study", help="a name in sim/conf/calibration/ (quick) or a path to a YAML study file")
    parser.add_argument("--population", type=whole_number(2, 10**6), help="accepted particles per generation")
    parser.add_argument("--generations", type=whole_number(1, 1000),
                        help="generations in all (a finished study runs on to this many)")
    parser.add_argument("--replications", type=whole_number(1, 10**4), help="replications per candidate")
    parser.add_argument("--workers", type=whole_number(1, 4096), help="processes (default: every core)")
    parser.add_argument("--out", type=Path, help="output folder (default: calibration/NAME)")
    parser.add_argument("--no-figures", action="store_true", help="write the tables and the config only")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tariffsim-calibrate``; returns the exit status (2: refused input)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("MESA").setLevel(logging.WARNING)
    if not debugging():  # Ctrl-C while pyabc closes a database connection: SQLAlchemy logs a traceback of it
        logging.getLogger("sqlalchemy").setLevel(logging.CRITICAL)
    try:
        return calibrate(args)
    except (ConfigError, CommandError, CalibrationInputError) as error:
        return report(PROG, error)
    except OSError as error:
        return report(PROG, CommandError(os_error_message(error) + " Finished generations are kept in abc.db: the "
                                         "same command resumes from them."))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; the finished generations are saved in the output folder's abc.db and the "
              f"same command resumes from them", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - a bug: one paragraph, the traceback with TARIFFSIM_DEBUG=1
        if debugging():
            traceback.print_exc()
        print(f"{PROG}: unexpected {type(error).__name__}: {' '.join(str(error).split())[:300]}. This is a bug: run "
              f"again with TARIFFSIM_DEBUG=1 to see the traceback, and report it.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
