"""``tariffsim-validate RUN_OR_STUDY OBSERVED``: score a run's forecasts against observed outcomes.

Prints the mean scores of the model and of naive forecasts side by side (lower is better), and
writes into ``RUN_DIR``: ``validation.csv`` and ``validation.parquet`` (one row per scored item and
forecaster), ``validation.json`` (the same rows, the summary and how things were counted) and
``validation_reliability.png`` / ``.svg``. Every file is written under a temporary name and all are
renamed together at the end; a refused input writes nothing. What is scored and how:
:mod:`sim.analysis.validation` and docs/validation.md.

Given a sweep's directory (``hydra.sweep.dir``), every job is scored: each job gets its own files,
and the sweep's directory ``validation_study.csv`` / ``.parquet`` (the mean scores per job, with the
swept values as columns), so that the settings a sweep varies can be compared by their scores.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from sim.apps.command_errors import closed_pipe
from sim.config.observed import ObservedError, load_observed, resolve_observed
from sim.io.report_inputs import ReportError, find_study
from sim.io.report_outputs import Staged, debug, run_command
from sim.analysis.validation import LOG_FLOOR, ValidationInputError, check_against_run, read_run, score, summarise

__all__ = ["main", "validate"]

OUTPUTS = ("validation.csv", "validation.parquet", "validation.json", "validation_reliability.png")
STUDY_OUTPUTS = ("validation_study.csv", "validation_study.parquet")
NOTES = {
    "scores": "lower is better: Brier and log score (natural log) for binary items, CRPS in days or % points",
    "binary forecast": "model: share of replications in which it happened by the date; naive 50/50; naive base "
                       "rate: share of all partners' replications with it (a forecast that ignores the partner)",
    "log score": f"a share of 0 or 1 of n replications is scored as {LOG_FLOOR}/n or 1 - {LOG_FLOOR}/n",
    "no deal": "a replication without a deal counts as a deal the day after the horizon in the deal-day and "
               "effective-day ensembles; a partner with no deal through the horizon is observed there",
    "rates": "ensemble over the replications with a deal; naive status quo: the rates in force the observed "
             "file gives (status_quo)",
    "dates": "naive deadline: the run's original deadline (summary.json) as a point forecast; CRPS of a point "
             "forecast is its absolute error",
    "coverage": "in_50 / in_90: the observation lies in the model ensemble's central 50% / 90% interval",
    "letters and extension": "scored only when the observed file covers the run's whole horizon (as_of >= end)",
}


def validate(run_dir: Path, observed_path: Path) -> dict[str, Any]:
    """Score the run, or every job of the sweep, in ``run_dir`` against ``observed_path``.

    Returns:
        ``table`` (every row), ``summary`` (mean scores; per job, with the swept values, for a
        sweep) and the ``files`` written.

    Raises:
        ValidationInputError, ObservedError: an input that cannot be used (nothing is written).
        ReportError: a sweep with failed or unfinished jobs, or damaged job files.
    """
    run_dir = Path(run_dir)
    observed_path = resolve_observed(observed_path)
    observed = load_observed(observed_path)
    if run_dir.is_dir() and not (run_dir / "runs.parquet").exists() and not (run_dir / "summary.json").exists():
        return _validate_study(run_dir, observed_path, observed)
    with Staged(run_dir) as staged:
        return _validate_run(run_dir, observed_path, observed, staged)


def _validate_study(root: Path, observed_path: Path, observed: Any) -> dict[str, Any]:
    """Every complete job of the sweep in ``root``; refuses a sweep with jobs not complete."""
    study = find_study(root)
    scored, files = [], []
    with Staged(root) as staged:  # every job's files and the study table appear together, or none
        for job, values in zip(study.jobs, study.values, strict=True):
            done = _validate_run(job, observed_path, observed, staged)
            swept = {key: values.get(key) for key in study.swept}
            scored.append(done["summary"].assign(job=job.name, **swept))
            files += done["files"]
        summary = pd.concat(scored, ignore_index=True)
        summary = summary[["job", *study.swept, *[c for c in summary.columns if c not in ("job", *study.swept)]]]
        staged.write(root / STUDY_OUTPUTS[0], lambda tmp: summary.to_csv(tmp, index=False))
        staged.write(root / STUDY_OUTPUTS[1], lambda tmp: summary.to_parquet(tmp, index=False))
    return {"table": summary, "summary": summary, "files": [root / name for name in STUDY_OUTPUTS] + files,
            "jobs": len(study.jobs)}


def _validate_run(run_dir: Path, observed_path: Path, observed: Any, staged: Staged) -> dict[str, Any]:
    run = read_run(run_dir)
    check_against_run(observed, run, str(observed_path))
    table = score(run, observed)
    if table.empty:
        raise ValidationInputError(f"{observed_path}: nothing to score against {run_dir} (no check_dates, "
                                   f"deals or spells without a deal that the run covers)")
    summary = summarise(table)
    from sim.plots.validation_figures import write_reliability  # matplotlib only once the inputs are good

    info = {"run_dir": str(run_dir), "observed": str(observed_path), "as_of": observed.as_of.isoformat(),
            "replications": run.replications, "horizon": [run.start.isoformat(), run.end.isoformat()],
            "deadline": run.deadline.isoformat(), "notes": NOTES,
            "summary": json.loads(summary.to_json(orient="records")),
            "items": json.loads(table.to_json(orient="records"))}
    # Staged: all files renamed together when the caller's block ends; none on an error
    staged.write(run_dir / OUTPUTS[0], lambda tmp: table.to_csv(tmp, index=False))
    staged.write(run_dir / OUTPUTS[1], lambda tmp: table.to_parquet(tmp, index=False))
    staged.write(run_dir / OUTPUTS[2], lambda tmp: tmp.write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8"))
    title = f"{run.replications} replications vs {Path(observed_path).name}"
    figures = write_reliability(table, run_dir / OUTPUTS[3], title, staged.write)
    return {"table": table, "summary": summary,
            "files": [run_dir / name for name in OUTPUTS[:3]] + figures}


def _print(done: dict[str, Any]) -> None:
    summary: pd.DataFrame = done["summary"]
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.float_format", "{:.3f}".format):
        print(summary.to_string(index=False, na_rep="-"))
    print("lower is better (Brier, log score, CRPS); in_50/in_90: share of observations inside the model's intervals")
    if "jobs" in done:
        shown = done["files"][:len(STUDY_OUTPUTS)]
        print(f"  scored {done['jobs']} jobs; each job's directory holds its own {', '.join(OUTPUTS)}")
    else:
        shown = done["files"]
    for path in shown:
        print(f"  wrote {path}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tariffsim-validate",
        description="Score a run's forecasts against observed outcomes (Brier, log score, CRPS, interval "
                    "coverage), beside naive forecasts; writes validation.csv/.parquet/.json and "
                    "validation_reliability.png into RUN_DIR. Given a sweep's directory, scores every job and "
                    "writes validation_study.csv/.parquet (mean scores per job, with the swept values) there too.",
        epilog="Exit status: 0 done, 2 an input that cannot be used (nothing written). TARIFFSIM_DEBUG=1 shows "
               "tracebacks. The file format: docs/validation.md.")
    parser.add_argument("run_dir", type=Path, metavar="RUN_OR_STUDY",
                        help="a run directory (runs.parquet, summary.json) or a sweep's directory (hydra.sweep.dir)")
    parser.add_argument("observed", type=Path,
                        help="an observed-outcomes YAML file, or the name of a shipped one: after_2025-07-01 "
                             "(what happened after 1 Jul 2025), state_2025-07-01 (what was known then), "
                             "us_china_after_2018-12-01 (for the us_china_2018 scenario)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tariffsim-validate``: 0 on success, 2 for an input that cannot be used, 1 for a bug."""
    args = _parser().parse_args(argv)

    def action() -> int:
        done = validate(args.run_dir, args.observed)
        try:
            _print(done)
        except BrokenPipeError:  # tariffsim-validate ... | head: the files are written; stop quietly
            closed_pipe()
        return 0

    return run_command("tariffsim-validate", action, {ValidationInputError: 2, ObservedError: 2, ReportError: 2},
                       f"while validating {args.run_dir}", debug())


if __name__ == "__main__":
    sys.exit(main())
