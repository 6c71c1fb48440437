"""``tariffsim-mechanisms``: does each mechanism of the articles move the outcome it should?

For every row of ``sim/conf/mechanisms.yaml`` the baseline (or the row's reference) and the changed
config run on the same seeds (common random numbers: replication ``i`` of both arms on
``replication_seeds(seed, n)[i]``); per partner and outcome the effect of the change comes with a
95% interval, a p-value (``sim.analysis.mechanism_stats``) and a verdict: ``live`` when it is significant,
in the expected direction and at least the minimum size. Arms run in parallel (the
worker pool of ``sim.run.parallel``, one arm per task); an arm shared by several rows (the baseline) runs once.

Writes, atomically, into ``--out`` (default ``outputs/mechanisms``): ``effects.csv`` and
``effects.parquet`` (one row per mechanism, partner and outcome), ``effects.md`` (the same as the
Markdown table of docs/mechanisms.md), ``forest.png`` and
``forest.svg`` (effect and interval per row) and ``mechanisms.json`` (the settings).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hydra import compose, initialize_config_dir
from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim import __version__
from sim.config import ConfigError, Scenario, load_study
from sim.io.files import atomic_write, write_json
from sim.config.paths import CONF_DIR
from sim.analysis.mechanism_stats import Effect, mcnemar, mean_shift, median_shift, welch
from sim.analysis.mechanism_markdown import markdown_table
from sim.config.mechanism_table import TABLE, Expectation, MechanismTable, load_table
from sim.run.parallel import WorkerPool, resolve_workers
from sim.core.issues import headline_of
from sim.run.results import run_columns, run_rows
from sim.run.runner import replication_seeds, run_model

BINARY = {"p_deal", "p_deal_by", "p_extension"}
def unpaired(outcome: str) -> bool:
    """Whether ``outcome`` is a rate agreed in deals (``deal_rate``, ``deal_<line>``): one value per deal."""
    return outcome.startswith("deal_") and outcome != "deal_day"
EFFECT_COLUMNS = ("mechanism", "claim", "partner", "outcome", "by", "direction", "min_effect", "replications",
                  "seed", "baseline", "changed", "effect", "ci_low", "ci_high", "p_value", "test", "n",
                  "identical", "verdict")


def scenario_for(overrides: tuple[str, ...], mechanism: str = "") -> Scenario:
    """The validated scenario of the default config with Hydra ``overrides``.

    Raises:
        ConfigError: naming the mechanism, the override and what is wrong.
    """
    try:
        with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
            cfg = compose("config", overrides=list(overrides))
        return load_study(OmegaConf.to_container(cfg, resolve=True)).scenario
    except (HydraException, OmegaConfBaseException) as error:
        raise ConfigError(f"mechanism {mechanism}: overrides {list(overrides)}: {error}") from None
    except ConfigError as error:
        raise ConfigError(f"mechanism {mechanism}: overrides {list(overrides)}: {error}") from None


def run_arm(scenario: Scenario, seeds: list[int]) -> pd.DataFrame:
    """``runs.parquet`` rows of one arm: replication ``i`` on ``seeds[i]``."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    rows = [row for run_id, seed in enumerate(seeds) for row in run_rows(run_model(scenario, seed), run_id)]
    return pd.DataFrame(rows, columns=list(run_columns(scenario)))


def outcome_values(runs: pd.DataFrame, scenario: Scenario, expect: Expectation) -> np.ndarray:
    """One value per replication (in run order) of ``expect.outcome`` for ``expect.partner``;
    for ``deal_rate`` and ``deal_<line>`` one per deal."""
    mine = runs[runs["partner"] == expect.partner].sort_values("run_id")
    deal = mine["deal"].to_numpy(bool)
    day = mine["deal_day"].to_numpy(float)
    outcome = expect.outcome
    if outcome == "p_deal":
        return deal
    if outcome == "p_deal_by":
        return deal & (day <= (expect.by - scenario.start).days)
    if outcome == "deal_day":
        return np.where(deal, day, scenario.days)  # censored: the day after the horizon
    if outcome == "final_rate":
        return mine["final_tariff"].to_numpy(float)
    if unpaired(outcome):
        # deal_rate: the headline line; deal_<line>: that US line (as the mechanism table names it)
        column = f"agreed_{headline_of(scenario.issues)}" if outcome == "deal_rate" else f"agreed_{outcome.removeprefix('deal_')}"
        values = mine.loc[mine["deal"], column].to_numpy(float)
        return values[~np.isnan(values)]
    if outcome == "p_extension":
        return mine["extended_deadline"].to_numpy(bool)
    if outcome == "partner_value":
        return np.where(deal, mine["partner_utility"].to_numpy(float), mine["partner_reservation"].to_numpy(float))
    raise ValueError(f"unknown outcome {outcome!r}")


def measure(outcome: str, baseline: np.ndarray, changed: np.ndarray, seed: int) -> Effect:
    """The effect of the change on ``outcome``, with the test that suits it."""
    if outcome in BINARY:
        return mcnemar(baseline, changed)
    if outcome == "deal_day":
        return median_shift(baseline, changed, seed)
    if unpaired(outcome):
        return welch(baseline, changed)
    return mean_shift(baseline, changed)


def verdict(effect: Effect, expect: Expectation, alpha: float) -> str:
    """``live``, ``too small``, ``wrong direction``, ``not significant`` or ``identical``; for an
    expected null effect, ``no effect (as expected)`` or ``moves (none expected)``. ``live``
    needs p < ``alpha`` and a 95% interval that excludes no effect."""
    significant = bool(effect.p_value < alpha)  # False for NaN
    if expect.direction == "none":
        return "moves (none expected)" if significant else "no effect (as expected)"
    if effect.identical:
        return "identical"
    if not significant:
        return "not significant"
    if effect.effect == 0.0:  # e.g. a significant signed-rank test while the medians stay put
        return "too small"
    if np.sign(effect.effect) != (1 if expect.direction == "up" else -1):
        return "wrong direction"
    if effect.low <= 0.0 <= effect.high:  # a signed-rank test can pass while the median's interval spans 0
        return "not significant"
    return "live" if abs(effect.effect) >= expect.min_effect else "too small"


def run_table(table: MechanismTable, workers: int | None = 1) -> pd.DataFrame:
    """Run every arm of ``table`` on common seeds and measure each expected effect.

    Every arm's config is validated before any run. Returns one row per mechanism and expected
    effect, in ``EFFECT_COLUMNS``.
    """
    arms: dict[tuple[str, ...], Scenario] = {}
    for m in table.mechanisms:
        for overrides in (m.reference, m.reference + m.changed):
            if overrides not in arms:
                arms[overrides] = scenario_for(overrides, m.name)
    seeds = replication_seeds(table.seed, table.replications)
    keys = list(arms)
    jobs = min(resolve_workers(workers), len(keys))
    with WorkerPool(jobs) as pool:  # the pool every study runs on; Ctrl-C stops it and its workers
        tables = list(pool.map_ordered(run_arm, [(arms[k], seeds) for k in keys]))
    runs = dict(zip(keys, tables))
    rows: list[dict[str, Any]] = []
    for m in table.mechanisms:
        ref, new = m.reference, m.reference + m.changed
        for expect in m.expect:
            base_values = outcome_values(runs[ref], arms[ref], expect)
            new_values = outcome_values(runs[new], arms[new], expect)
            effect = measure(expect.outcome, base_values, new_values, table.seed)
            rows.append({
                "mechanism": m.name, "claim": m.claim, "partner": expect.partner, "outcome": expect.outcome,
                "by": expect.by.isoformat() if expect.by else "", "direction": expect.direction,
                "min_effect": expect.min_effect, "replications": table.replications, "seed": table.seed,
                "baseline": effect.baseline, "changed": effect.changed, "effect": effect.effect,
                "ci_low": effect.low, "ci_high": effect.high, "p_value": effect.p_value, "test": effect.test,
                "n": effect.n, "identical": effect.identical, "verdict": verdict(effect, expect, table.alpha),
            })
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


def write(effects: pd.DataFrame, table: MechanismTable, out: Path, figures: bool = True) -> list[Path]:
    """Write the effects table, the forest plot and the settings into ``out``, each atomically."""
    paths = [out / "effects.csv", out / "effects.parquet"]
    atomic_write(paths[0], lambda tmp: effects.to_csv(tmp, index=False))
    atomic_write(paths[1], lambda tmp: effects.to_parquet(tmp, index=False))
    paths.append(out / "effects.md")  # the table of docs/mechanisms.md
    atomic_write(paths[-1], lambda tmp: tmp.write_text(markdown_table(effects, table), encoding="utf-8"))
    if figures:
        from sim.plots.mechanism_figures import forest_plot  # matplotlib only when asked for

        fig = forest_plot(effects, table)
        for suffix in ("png", "svg"):
            path = out / f"forest.{suffix}"
            atomic_write(path, lambda tmp, s=suffix: fig.savefig(tmp, format=s))
            paths.append(path)
    settings = {"replications": table.replications, "seed": table.seed, "alpha": table.alpha,
                "mechanisms": [m.name for m in table.mechanisms], "date": dt.date.today().isoformat(),
                "version": __version__}
    write_json(out / "mechanisms.json", settings)
    return [*paths, out / "mechanisms.json"]


def format_effects(effects: pd.DataFrame) -> str:
    """The effects as a compact text table."""
    shown = effects[["mechanism", "partner", "outcome", "effect", "ci_low", "ci_high", "p_value", "verdict"]]
    return shown.to_string(index=False, float_format=lambda v: f"{v:.3g}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tariffsim-mechanisms``."""
    parser = argparse.ArgumentParser(
        prog="tariffsim-mechanisms",
        description="Does each mechanism of the articles move the outcome it should? Runs every row of the "
                    "mechanism table, the reference and the changed config on the same seeds.")
    parser.add_argument("--replications", type=int, help="replications per arm (default: the table's)")
    parser.add_argument("--seed", type=int, help="top-level seed (default: the table's)")
    parser.add_argument("--only", help="comma-separated mechanism names (default: every row)")
    parser.add_argument("--table", type=Path, default=TABLE, help="the mechanism table (YAML)")
    parser.add_argument("--workers", type=int, help="processes (default: every core)")
    parser.add_argument("--out", type=Path, default=Path("outputs/mechanisms"), help="output directory")
    parser.add_argument("--no-figures", action="store_true", help="skip the forest plot")
    args = parser.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error(f"--workers {args.workers}: must be a whole number >= 1")
    only = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else None
    try:
        table = load_table(args.table, args.replications, only, args.seed)
        effects = run_table(table, args.workers)
        write(effects, table, args.out, figures=not args.no_figures)
    except ConfigError as error:
        print(f"tariffsim-mechanisms: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tariffsim-mechanisms: interrupted; no file was left half-written", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - a clear line, the traceback only on request
        if os.environ.get("TARIFFSIM_DEBUG"):
            raise
        print(f"tariffsim-mechanisms: {type(error).__name__}: {error} (TARIFFSIM_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 1
    print(format_effects(effects))
    print(f"results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
