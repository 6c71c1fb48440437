"""ABC-SMC calibration of judgement parameters against what was observed up to a cut-off date.

A study (:mod:`sim.config.calibration_study`) names parameters with priors, an observed-outcomes file
(:mod:`sim.config.observed`) and a cut-off date. Every item of the file is dated; one dated after the
cut-off is refused (it belongs to validation, ``tariffsim-validate``). From the rest come the
summary statistics a candidate's runs are compared with (:func:`fit_targets`):

- for each partner and each check date up to the cut-off (the cut-off itself included) whose
  outcome the file knows: the share of replications with a deal announced by then (observed: 1
  or 0);
- for each deal announced by the cut-off: the mean deal day (a replication without a deal by the
  cut-off counts as the day after it) and the mean agreed rate of each line the deal gives (over
  the replications with a deal by the cut-off; none: the naive status-quo rate).

The distance is the mean squared difference, each difference divided by its scale (1 for a
share, ``day_scale`` days, ``rate_scale`` % points): for shares alone it is the Brier score of the
candidate's forecasts of the observed outcomes. pyabc's ABC-SMC (``pyabc.ABCSMC``, a median
epsilon schedule) proposes candidates; each runs ``replications`` replications on the same seeds
(common random numbers). Candidates are evaluated on the project's worker pool
(:class:`sim.run.parallel.WorkerPool`) through pyabc's ``ConcurrentFutureSampler``; each evaluation
seeds pyabc's draws from (study seed, generation, job), so the posterior is the same for any
number of workers. The history is a SQLite database (``abc.db``) that the same command resumes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import random
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.calibration_study import CalibrationStudy, Prior
from sim.config import ConfigError, Scenario, load_study
from sim.config.observed import Observed, load_observed, resolve_observed
from sim.run.parallel import WorkerPool, deferred_stop_signals
from sim.run.progress import Progress
from sim.run.results import run_columns, run_rows
from sim.config.sensitivity_study import with_values

log = logging.getLogger("tariffsim")

__all__ = ["CalibrationInputError", "Target", "fit_targets", "check_priors", "simulate", "distance",
           "run_calibration", "point_estimate"]

DB_NAME = "abc.db"
STATE_NAME = "abc.json"       # the fingerprint of the study that the database belongs to, and its run id



class CalibrationInputError(Exception):
    """A study, observed file or output folder that cannot be used; the message says what and why."""


@dataclass(frozen=True)
class Target:
    """One summary statistic: what is computed from a candidate's runs, and what was observed."""

    name: str          # e.g. "deal by 2025-07-01 JPN", "deal day VNM", "rate reciprocal VNM"
    kind: str          # "deal_by", "deal_day" or "rate"
    partner: str
    day: int           # days since the scenario's start: the check date, or the cut-off
    observed: float
    scale: float
    line: str = ""     # the rate line of a "rate" target
    status_quo: float = float("nan")  # a "rate" target's value when no replication has a deal (the observed file's status_quo)


def _dated_items(observed: Observed) -> list[tuple[str, dt.date]]:
    """Every dated item of an observed file, named as in its YAML."""
    return ([(f"deals[{d.partner}].announced", d.announced) for d in observed.deals]
            + [(f"deals[{d.partner}].effective", d.effective) for d in observed.deals if d.effective]
            + [(f"no_deals[{n.partner}].through", n.through) for n in observed.no_deals]
            + [(f"events[{e.kind} {e.partner or ''}]".replace(" ]", "]") + ".date", e.date) for e in observed.events]
            + [("check_dates", c) for c in observed.check_dates])


def fit_targets(study: CalibrationStudy, scenario: Scenario) -> tuple[list[Target], Path]:
    """The summary statistics to fit, from the study's observed file up to its cut-off.

    Raises:
        CalibrationInputError: an item dated after the cut-off (named, with its date), a cut-off
            outside the scenario's horizon, a partner the scenario lacks, or nothing to fit.
    """
    try:
        path = resolve_observed(study.observed)
        observed = load_observed(path)
    except Exception as error:  # ObservedError: its message names the file, key and value
        raise CalibrationInputError(f"observed: {error}") from None
    cutoff = study.cutoff
    if not scenario.start <= cutoff <= scenario.end:
        raise CalibrationInputError(f"cutoff {cutoff} lies outside the scenario's horizon {scenario.start} to "
                                    f"{scenario.end}; give a cut-off inside it")
    late = [(key, day) for key, day in _dated_items(observed) if day > cutoff]
    if late:
        more = f" (and {len(late) - 1} more item{'s' if len(late) > 2 else ''} after it)" if len(late) > 1 else ""
        raise CalibrationInputError(
            f"{path}: {late[0][0]} = {late[0][1]} is after the cut-off {cutoff}{more}: observations after the "
            f"cut-off cannot be used for fitting. Keep them for validation (tariffsim-validate RUN_DIR "
            f"{path.stem} on the point estimate's run), or fit to a file of what was known by the cut-off")
    unknown = sorted(observed.partners() - set(scenario.partners))
    if unknown:
        raise CalibrationInputError(f"{path}: partner {unknown[0]} is not in the scenario; its partners are "
                                    f"{', '.join(scenario.partners)}")
    lines = sorted({line for d in observed.deals for line in d.rates} - {n for n, i in scenario.issues.items() if i.us_line})
    if lines:
        raise CalibrationInputError(f"{path}: deals give rates for {', '.join(lines)}, which is not a US tariff line of the "
                                    f"scenario (scenario.issues: {', '.join(scenario.issues)})")
    early = [(key, day) for key, day in _dated_items(observed)
             if day < scenario.start and not key.startswith("events")]
    if early:
        raise CalibrationInputError(f"{path}: {early[0][0]} = {early[0][1]} is before the scenario's start "
                                    f"{scenario.start}; the model cannot reproduce it")
    targets: list[Target] = []
    for check in sorted({c for c in observed.check_dates} | {cutoff}):
        for partner in scenario.partners:
            outcome = observed.deal_by(partner, check)
            if outcome is not None:
                targets.append(Target(f"deal by {check} {partner}", "deal_by", partner,
                                      (check - scenario.start).days, float(outcome), 1.0))
    day = (cutoff - scenario.start).days
    for deal in observed.deals:
        targets.append(Target(f"deal day {deal.partner}", "deal_day", deal.partner, day,
                              float((deal.announced - scenario.start).days), study.day_scale))
        for line, rate in deal.rates.items():
            targets.append(Target(f"rate {line} {deal.partner}", "rate", deal.partner, day, float(rate),
                                  study.rate_scale, line, observed.status_quo.rates[line]))
    if not targets:
        raise CalibrationInputError(f"{path}: nothing to fit up to the cut-off {cutoff} (no deal, no spell "
                                    f"without a deal and no check date that says whether a partner had a deal)")
    return targets, path


def check_priors(base: dict[str, Any], study: CalibrationStudy) -> Scenario:
    """Refuse a parameter whose key the config lacks, or whose range (or prior mean) makes an invalid
    config, by loading the scenario with each bound as ``tariffsim`` would; returns the base scenario.

    Raises:
        ConfigError: naming every bad parameter and what the schema allows.
    """
    errors = []
    for prior in study.parameters:
        values = [prior.low, prior.high] + ([prior.mean] if prior.mean is not None else [])
        for value in values:
            try:
                load_study(with_values(base, (prior.parameter,), [value]))
            except KeyError as error:
                errors.append(f"parameters: {error.args[0]}; give a key of the composed config (tariffsim --cfg "
                              f"job lists them)")
                break
            except ConfigError as error:
                errors.append(f"parameters: {prior.key}={value:g} (its prior's range {prior.low:g}-{prior.high:g}) "
                              f"gives an invalid config: " + " ".join(str(error).split()[2:]))
                break
    if errors:
        raise ConfigError("invalid calibration study:\n  " + "\n  ".join(errors))
    return load_study(base).scenario


def simulate(scenario: Scenario, seeds: list[int], targets: list[Target]) -> dict[str, float]:
    """The summary statistics of ``scenario``'s replications on ``seeds`` (one per target)."""
    from sim.run.parallel import run_model

    column = {name: i for i, name in enumerate(run_columns(scenario))}
    rows: list[tuple] = []
    for run_id, seed in enumerate(seeds):
        rows += run_rows(run_model(scenario, seed), run_id)
    by_partner: dict[str, list[tuple]] = {}
    for row in rows:
        by_partner.setdefault(row[column["partner"]], []).append(row)
    out = {}
    for target in targets:
        mine = by_partner[target.partner]
        dealt = [row for row in mine if row[column["deal"]] and row[column["deal_day"]] <= target.day]
        if target.kind == "deal_by":
            out[target.name] = len(dealt) / len(mine)
        elif target.kind == "deal_day":
            days = [row[column["deal_day"]] if row in dealt else target.day + 1 for row in mine]
            out[target.name] = float(np.mean(days))
        else:
            rates = [row[column[f"agreed_{target.line}"]] for row in dealt]
            rates = [r for r in rates if r == r]
            out[target.name] = float(np.mean(rates)) if rates else target.status_quo
    return out


class Distance:
    """The mean of squared, scaled differences between two sets of summary statistics (picklable)."""

    def __init__(self, scales: dict[str, float]) -> None:
        self.scales = scales

    def __call__(self, x: dict[str, float], x_0: dict[str, float]) -> float:
        return distance(x, x_0, self.scales)


def distance(x: dict[str, float], x_0: dict[str, float], scales: dict[str, float]) -> float:
    """``mean_k ((x_k - x0_k) / scale_k)^2`` over the statistics ``scales`` names."""
    return float(np.mean([((x[k] - x_0[k]) / s) ** 2 for k, s in scales.items()]))


class CandidateModel:
    """The model pyabc calls: a candidate's parameters in, its summary statistics out (picklable)."""

    def __init__(self, base: dict[str, Any], priors: tuple[Prior, ...], seeds: list[int],
                 targets: list[Target]) -> None:
        self.base, self.priors, self.seeds, self.targets = base, priors, seeds, targets

    def __call__(self, parameter: Any) -> dict[str, float]:
        values = [float(parameter[p.key]) for p in self.priors]
        scenario = load_study(with_values(self.base, tuple(p.parameter for p in self.priors), values)).scenario
        return simulate(scenario, self.seeds, self.targets)


def priors(study: CalibrationStudy) -> Any:
    """The study's priors as a ``pyabc.Distribution`` (scipy's uniform and truncated normal)."""
    import pyabc

    rvs = {}
    for p in study.parameters:
        if p.kind == "normal":
            rvs[p.key] = pyabc.RV("truncnorm", (p.low - p.mean) / p.sd, (p.high - p.mean) / p.sd, loc=p.mean,
                                  scale=p.sd)
        else:
            rvs[p.key] = pyabc.RV("uniform", p.low, p.high - p.low)
    return pyabc.Distribution(**rvs)


def _evaluate_batch(simulate_one_pickle: bytes, batch_size: int, job_ids: list[int], seed: int,
                    generation: int) -> list[tuple[Any, bool, int]]:
    """pyabc's evaluation of one job (its ``_global_full_submit_function_pickle``), but seeded from the
    study's seed, the generation and the job, so that the same job draws the same candidate in any
    process: the posterior does not depend on the number of workers or on timing."""
    import cloudpickle

    simulate_one = cloudpickle.loads(simulate_one_pickle)
    out = []
    for job_id in job_ids:
        state = np.random.SeedSequence([seed, generation + 1, job_id]).generate_state(4)
        np.random.seed(state)
        random.seed(int(state[0]))
        result = simulate_one()
        out.append((result, result.accepted, job_id))
    return out


class _Counted:
    """A future whose result, once read, advances the progress bar by its accepted candidates.

    Ctrl-C is held while the executor's own code runs (``deferred_stop_signals``) and delivered
    right after: an interruption inside it could leave a future's lock held and the pool unstoppable.
    """

    def __init__(self, future: Future, executor: _Executor) -> None:
        self.future, self.executor = future, executor

    def done(self) -> bool:
        self.executor.safe_point()  # pyabc's sampling loop polls this every 10 ms: Ctrl-C lands here
        with deferred_stop_signals():
            return self.future.done()

    def cancel(self) -> bool:
        with deferred_stop_signals():
            return self.future.cancel()

    def result(self) -> Any:
        with deferred_stop_signals():
            batch = self.future.result()
        self.executor.count(sum(1 for _, accepted, _ in batch if accepted))
        return batch


class _Executor:
    """What pyabc's ``ConcurrentFutureSampler`` submits jobs to: the worker pool, or this process."""

    def __init__(self, pool: WorkerPool | None, seed: int, bar: Progress) -> None:
        self.pool, self.seed, self.bar = pool, seed, bar
        self.generation = -1
        self.quota = self.counted = 0
        self.held: Any = None  # the stop signals held while pyabc runs (deferred_stop_signals, run_calibration)

    def safe_point(self) -> None:
        """Deliver a stop signal held while pyabc's own code ran, here, in ours.

        Ctrl-C raised at an arbitrary point of pyabc's database writes (SQLAlchemy holds locks
        there) can leave them held and the clean-up waiting forever; so while pyabc runs, stop
        signals are only noted, and they are raised when pyabc next asks this executor for work.
        """
        if self.held is not None:
            self.held.check()

    def submit(self, _function: Any, simulate_one_pickle: bytes, batch_size: int, job_ids: list[int]) -> _Counted:
        self.safe_point()
        args = (simulate_one_pickle, batch_size, job_ids, self.seed, self.generation)
        if self.pool is None:
            future: Future = Future()
            future.set_result(_evaluate_batch(*args))
        else:
            with deferred_stop_signals():
                future = self.pool.submit(_evaluate_batch, *args)
        return _Counted(future, self)

    def count(self, accepted: int) -> None:
        step = min(accepted, self.quota - self.counted)
        if step > 0:
            self.counted += step
            self.bar.advance(step)


def _sampler(executor: _Executor, jobs: int) -> Any:
    """A ``pyabc.sampler.ConcurrentFutureSampler`` on ``executor`` with ``jobs`` jobs in flight."""
    from pyabc.sampler import ConcurrentFutureSampler

    class PoolSampler(ConcurrentFutureSampler):
        def sample_until_n_accepted(self, n: int, simulate_one: Any, t: int, **kwargs: Any) -> Any:
            executor.generation, executor.quota, executor.counted = t, n, 0
            sample = super().sample_until_n_accepted(n, simulate_one, t, **kwargs)
            executor.count(n)  # the bar ends the generation at exactly n
            what = "prior sample (calibrates epsilon)" if t < 0 else f"generation {t}"
            log.info("%s: %d accepted of %d evaluated", what, n, self.nr_evaluations_)
            return sample

    return PoolSampler(cfuture_executor=executor, client_max_jobs=jobs)


def fingerprint(study: CalibrationStudy, base: dict[str, Any], targets: list[Target]) -> str:
    """What a database's generations depend on: the study less its budget, the config and the targets."""
    settings = {k: v for k, v in asdict(study).items() if k not in study.budget}
    text = json.dumps({"study": settings, "base": base, "targets": [asdict(t) for t in targets]},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Outcome:
    """A finished calibration: its posterior, every generation's particles and how it went."""

    posterior: pd.DataFrame        # the last generation: one row per particle, parameters + weight + distance
    particles: pd.DataFrame        # every generation's particles (generation column)
    generations: pd.DataFrame      # generation, epsilon, particles, samples (evaluated candidates)
    point: dict[str, float]
    resumed_from: int | None       # generations found in the database at the start; None: a new run


def run_calibration(study: CalibrationStudy, out: Path, base: dict[str, Any], targets: list[Target],
                    workers: int | None = None, progress: bool = True) -> Outcome:
    """Run (or resume) the ABC-SMC of ``study`` with its database in ``out``; returns the posterior.

    Args:
        study: The study.
        out: Its folder; ``abc.db`` and ``abc.json`` there are resumed when they belong to this study.
        base: The composed config (study overrides applied) as a plain dict; checked by ``check_priors``.
        targets: From :func:`fit_targets`.
        workers: Processes (``None``: every core; 1: this process).
        progress: Show a progress bar (accepted candidates) on a terminal, log lines elsewhere.

    Raises:
        CalibrationInputError: ``out`` holds the database of another study.
    """
    import pyabc

    from sim.io.files import write_json
    from sim.run.runner import replication_seeds

    logging.getLogger("ABC").setLevel(logging.WARNING)  # pyabc's own lines; ours say the same, shorter
    out = Path(out)
    db, state_path = out / DB_NAME, out / STATE_NAME
    mark = fingerprint(study, base, targets)
    seeds = replication_seeds(study.seed, study.replications)
    observed = {t.name: t.observed for t in targets}
    model = CandidateModel(base, study.parameters, seeds, targets)
    resumed_from = None
    url = f"sqlite:///{db.absolute()}"
    state = _read_state(state_path, db)
    done_before = 0
    if state is not None:
        history = pyabc.History(url, _id=state["run_id"])
        done_before = history.max_t + 1
        if done_before <= 0:  # interrupted before its first generation: nothing to keep, start again
            state = None
            db.unlink()
        elif state["fingerprint"] != mark:
            raise CalibrationInputError(f"{out} holds the database of another calibration ({db}: other "
                                        f"parameters, observations, replications, population or config); give "
                                        f"another --out, or remove {db} and {state_path} to start again")
    with WorkerPool(workers) as pool:
        eps_done = state is not None and _last_epsilon(history) <= study.min_epsilon
        remaining = 0 if eps_done else max(study.generations - done_before, 0)
        total = study.population * (remaining + (0 if state is not None else 1))
        bar = Progress(total, f"{study.name} (ABC-SMC, {study.replications} replications per candidate)",
                       enabled=progress and total > 0, unit="accepted")
        executor = _Executor(pool if pool.workers > 1 else None, study.seed, bar)
        abc = pyabc.ABCSMC(model, priors(study), Distance({t.name: t.scale for t in targets}),
                           population_size=study.population, sampler=_sampler(executor, max(pool.workers, 1)))
        np.random.seed(study.seed)  # pyabc's draws in this process (the fits of its transitions)
        if state is None:
            out.mkdir(parents=True, exist_ok=True)
            history = abc.new(url, observed)
            write_json(state_path, {"fingerprint": mark, "run_id": history.id, "study": study.name})
        else:
            resumed_from = done_before
            log.info("%s: resuming from %s, %d generation%s done", study.name, db, done_before,
                     "" if done_before == 1 else "s")
            abc.load(url, state["run_id"])
        if remaining > 0:
            try:
                with deferred_stop_signals() as held:  # raised at the executor's safe points, or at the end
                    executor.held = held
                    history = abc.run(minimum_epsilon=study.min_epsilon, max_nr_populations=remaining)
            except Exception as error:
                if _interrupted(error):  # Ctrl-C inside a database write: pyabc's clean-up then fails
                    raise KeyboardInterrupt from None
                raise
        bar.close()
    return _outcome(history, study, resumed_from)


def _interrupted(error: BaseException) -> bool:
    """Whether ``error`` was raised while handling a ``KeyboardInterrupt`` (SQLAlchemy's
    ``PendingRollbackError`` when pyabc closes a database that Ctrl-C stopped in mid-write)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _read_state(path: Path, db: Path) -> dict[str, Any] | None:
    if not db.exists():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        return {"fingerprint": str(state["fingerprint"]), "run_id": int(state["run_id"])}
    except (OSError, ValueError, KeyError, TypeError):
        raise CalibrationInputError(f"{db} exists but {path} is missing or damaged, so it cannot be resumed; "
                                    f"remove {db} to start again, or give another --out") from None


def _last_epsilon(history: Any) -> float:
    populations = history.get_all_populations()
    rows = populations[populations["t"] >= 0]
    return float(rows["epsilon"].iloc[-1]) if len(rows) else float("inf")


def _outcome(history: Any, study: CalibrationStudy, resumed_from: int | None) -> Outcome:
    keys = [p.key for p in study.parameters]
    rows = []
    for t in range(history.max_t + 1):
        for particle in history.get_population(t=t).particles:
            rows.append({**{k: float(particle.parameter[k]) for k in keys}, "weight": float(particle.weight),
                         "distance": float(particle.distance), "generation": t})
    particles = pd.DataFrame(rows, columns=[*keys, "weight", "distance", "generation"])
    posterior = particles[particles["generation"] == history.max_t].drop(columns="generation").reset_index(drop=True)
    posterior["weight"] /= posterior["weight"].sum()
    populations = history.get_all_populations()
    generations = populations[populations["t"] >= 0].rename(columns={"t": "generation"})[
        ["generation", "epsilon", "particles", "samples"]].reset_index(drop=True)
    return Outcome(posterior, particles, generations, point_estimate(posterior, study), resumed_from)


def point_estimate(posterior: pd.DataFrame, study: CalibrationStudy) -> dict[str, float]:
    """The posterior's weighted median (or mean) of each parameter; whole numbers for integer ones."""
    weights = posterior["weight"].to_numpy(float)
    point = {}
    for p in study.parameters:
        values = posterior[p.key].to_numpy(float)
        if study.point_estimate == "mean":
            value = float(np.average(values, weights=weights))
        else:
            order = np.argsort(values)
            cumulative = np.cumsum(weights[order]) / weights.sum()
            value = float(values[order][np.searchsorted(cumulative, 0.5)])
        point[p.key] = float(round(value)) if p.integer else value
    return point
