"""Strategy tournaments in the spirit of Axelrod's: every US strategy against every partner strategy.

Each match plays the baseline scenario (or any composed config) with one US strategy for the
United States and one partner strategy for every chosen partner, at the registry defaults of
both, over the same replication seeds (common random numbers: the matches differ only by the
strategies). A match whose config is refused (a strategy whose defaults cannot run there) or
that fails is reported and left out, not fatal. The command line, ``tariffsim-tournament``, is
``sim.apps.tournament_cli``.
"""

from __future__ import annotations

import copy
import difflib
import json
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.io.files import NewFiles
from sim.config import ConfigError, load_study
from sim.io.files import atomic_write
from sim.config.paths import CONF_DIR
from sim.run.parallel import WorkerPool
from sim.run.progress import Progress
from sim.run.runner import run_replications
from sim.strategies import STRATEGIES, Side, USStrategy
from sim.strategies.registry import strategy_spec
from sim.analysis.tournament_stats import game, pairwise, strategy_stats

TOURNAMENT_COLUMNS = ("us_strategy", "partner_strategy", "replication", "seed", "partner", "deal", "deal_day",
                      "final_tariff", "us_utility", "partner_utility")
RANKING_COLUMNS = ("side", "rank", "strategy", "mean_utility", "deal_rate", "worst_utility", "best_utility",
                   "opponents")


@dataclass(frozen=True)
class Entrant:
    """A strategy entered in a tournament: its label and the config mapping that chooses it."""

    label: str
    mapping: dict[str, Any] = field(hash=False)


@dataclass
class Tournament:
    """The results of a tournament.

    Attributes:
        table: One row per (us_strategy, partner_strategy, replication, partner); TOURNAMENT_COLUMNS.
        ranking: Each strategy's mean utility over the opponents it met, ranked per side.
        us: US entrants, in entry order. partners: partner entrants, in entry order.
        refused: ``(us label, partner label, reason)`` of each match that was not played.
        seconds: Wall time of all the matches.
    """

    table: pd.DataFrame
    ranking: pd.DataFrame
    us: list[Entrant]
    partners: list[Entrant]
    refused: list[tuple[str, str, str]]
    seconds: float


def base_config(overrides: Sequence[str] = ()) -> dict[str, Any]:
    """The composed top-level config (``sim/conf/config.yaml`` plus Hydra ``overrides``) as a plain dict."""
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        cfg = compose("config", overrides=list(overrides))
    data = OmegaConf.to_container(cfg, resolve=True)
    data.pop("hydra", None)
    return data


def entrants(side: Side, chosen: Sequence[str] | None = None, extra: Sequence[str] = ()) -> list[Entrant]:
    """Entrants for ``side``: registry names or import paths (``module.Class``, ``file.py:Class``).

    Args:
        side: ``Side.US`` or ``Side.PARTNER``.
        chosen: Names and paths to enter; None enters every registered strategy that can play
            ``side`` (for the US, the ``USStrategy`` subclasses), in name order.
        extra: More names and paths to enter after those (a user's classes).

    Raises:
        ConfigError: naming every unknown name (with the nearest registered one), every class
            that cannot play ``side``, or an empty choice.
    """
    allowed = playable(side)
    if chosen is None:
        chosen = allowed
    option = "--us" if side is Side.US else "--partner"
    problems = [] if [*chosen, *extra] else [f"{option}: names no strategy; allowed: {', '.join(allowed)}"]
    out: list[Entrant] = []
    for item in dict.fromkeys([*chosen, *extra]):
        is_path = "." in item or ":" in item
        if not is_path and item not in allowed:
            problems.append(_unknown(option, item, side, allowed))
            continue
        label = _target_label(item, side, option, problems) if is_path else item
        entrant = Entrant(label, {"_target_": item}) if is_path else Entrant(item, {"name": item})
        if any(e.label == entrant.label for e in out):  # a user's class named like another is labelled by its path
            entrant = Entrant(item, entrant.mapping)
        out.append(entrant)
    if problems:
        raise ConfigError(f"invalid {'US' if side is Side.US else 'partner'} strategies:\n  " + "\n  ".join(problems))
    return out


def playable(side: Side) -> list[str]:
    """Registered strategies that can play ``side`` (for the US, the ``USStrategy`` subclasses), by name."""
    return [name for name, cls in sorted(STRATEGIES.items())
            if cls.info.side in (side, Side.BOTH) and (side is not Side.US or issubclass(cls, USStrategy))]


def _unknown(option: str, name: str, side: Side, allowed: list[str]) -> str:
    """Why ``name`` cannot play ``side``, with the nearest allowed name."""
    if name in STRATEGIES:
        why = f"plays the {'US' if side is Side.PARTNER else 'partner'} side only"
    else:
        close = difflib.get_close_matches(name, allowed, n=1)
        why = "is not a registered strategy" + (f" (did you mean {close[0]}?)" if close else "")
    return (f"{option} {name}: {why}; allowed: {', '.join(allowed)}, or a class of your own as "
            f"module.Class or path/file.py:Class")


def _target_label(target: str, side: Side, option: str, problems: list[str]) -> str:
    """A user's class is labelled by its own ``info.name`` if it declares one, else its class name."""
    try:
        spec, errors = strategy_spec({"_target_": target}, side, option)
    except Exception as error:  # noqa: BLE001  a user's module or constructor may raise anything
        frame = traceback.extract_tb(error.__traceback__)[-1]
        problems.append(f"{option} {target}: {type(error).__name__}: {error} (at {frame.filename}, line "
                        f"{frame.lineno}); fix that class or leave it out")
        return target
    if spec is None:
        problems += [error.replace(f"{option}._target_=", f"{option} ") for error in errors]
        return target
    return spec.cls.info.name if "info" in vars(spec.cls) else spec.cls.__name__


def match_config(base: dict[str, Any], us: Entrant, partner: Entrant, codes: Sequence[str]) -> dict[str, Any]:
    """``base`` with ``us`` for the United States and ``partner`` for each partner in ``codes``."""
    data = copy.deepcopy(base)
    data["scenario"]["us"]["strategy"] = dict(us.mapping)
    for code in codes:
        data["scenario"]["partners"][code]["strategy"] = dict(partner.mapping)
    return data


def play(base: dict[str, Any], us: list[Entrant], partners: list[Entrant], codes: Sequence[str] | None = None,
         seed: int = 2025, replications: int = 20, workers: int = 1, progress: bool = False) -> Tournament:
    """Play every US entrant against every partner entrant.

    Args:
        base: The composed config every match starts from (``base_config()``).
        us: US entrants. partners: Partner entrants.
        codes: Partners that play the partner strategy (None: all of the scenario's); the others
            keep the strategies ``base`` gives them.
        seed: Top-level seed of every match (replication ``i`` has the same seed in all matches).
        replications: Replications per match.
        workers: Processes that play matches side by side (1: this one); the results do not
            depend on it.
        progress: Show a progress bar on a terminal (log lines elsewhere), a match at a time.
    """
    codes = list(base["scenario"]["partners"]) if codes is None else list(codes)
    unknown = sorted(set(codes) - set(base["scenario"]["partners"]))
    if unknown:
        raise ValueError(f"unknown partners {unknown}; allowed: {', '.join(base['scenario']['partners'])}")
    began = time.perf_counter()
    matches = [(match_config(base, u, p, codes), u.label, p.label, codes, seed, replications)
               for u in us for p in partners]
    bar = Progress(len(matches) * replications, f"tournament ({len(matches)} matches)", enabled=progress)
    # The replications' pool: spawned workers that re-import users' classes, results in match order.
    with WorkerPool(max(1, min(workers, len(matches)))) as pool:
        try:
            results = list(pool.map_ordered(play_match, matches, lambda _: bar.advance(replications)))
        finally:
            bar.close()
    frames = [r for r in results if isinstance(r, pd.DataFrame)]
    refused = [(u.label, p.label, r) for (u, p), r in zip(product(us, partners), results) if isinstance(r, str)]
    table = pd.concat(frames, ignore_index=True) if frames else _empty_table()
    return Tournament(table, rank(table), us, partners, refused, time.perf_counter() - began)


def play_match(config: dict[str, Any], us: str, partner: str, codes: Sequence[str], seed: int,
               replications: int) -> pd.DataFrame | str:
    """One match: its rows of the tournament table, or why it was not played."""
    try:
        study = load_study(config)
    except ConfigError as error:
        return _first_problem(error)
    try:
        outcome = run_replications(study.scenario, seed, replications)
    except Exception as error:  # noqa: BLE001  a user's strategy failing mid-run loses its match only
        return f"failed: {type(error).__name__}: {error}"
    return _match_rows(outcome.tables["runs"].to_pandas(), us, partner, codes)


def _first_problem(error: ConfigError) -> str:
    """The first line of a refusal (a strategy given to five partners is refused five times alike)."""
    lines = [line.strip() for line in str(error).splitlines()[1:] if line.strip()] or [str(error)]
    more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
    return f"refused: {lines[0]}{more}"


def _match_rows(runs: pd.DataFrame, us: str, partner: str, codes: Sequence[str]) -> pd.DataFrame:
    runs = runs[runs["partner"].isin(codes)]
    # Without a deal each side gets what no deal is worth to it: its reservation value at the horizon.
    return pd.DataFrame({
        "us_strategy": us, "partner_strategy": partner,
        "replication": runs["run_id"].to_numpy(), "seed": runs["seed"].to_numpy(),
        "partner": runs["partner"].to_numpy(), "deal": runs["deal"].to_numpy(),
        "deal_day": runs["deal_day"].astype("Int64").to_numpy(),
        "final_tariff": runs["final_tariff"].to_numpy(),
        "us_utility": np.where(runs["deal"], runs["us_utility"], runs["us_reservation"]),
        "partner_utility": np.where(runs["deal"], runs["partner_utility"], runs["partner_reservation"]),
    })


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
        TOURNAMENT_COLUMNS, ("str", "str", "int64", "int64", "str", "bool", "Int64", "float64", "float64", "float64"))})


def rank(table: pd.DataFrame) -> pd.DataFrame:
    """Each strategy's mean utility over its opponents (each match's mean weighs the same), per side.

    Rank 1 is the highest mean utility; ties share the better rank.
    """
    matches = table.groupby(["us_strategy", "partner_strategy"], sort=False).agg(
        us_utility=("us_utility", "mean"), partner_utility=("partner_utility", "mean"), deal=("deal", "mean"))
    parts = []
    for side, own, utility in (("us", "us_strategy", "us_utility"), ("partner", "partner_strategy", "partner_utility")):
        g = matches.groupby(level=own, sort=False).agg(
            mean_utility=(utility, "mean"), deal_rate=("deal", "mean"), worst_utility=(utility, "min"),
            best_utility=(utility, "max"), opponents=(utility, "size")).reset_index(names="strategy")
        g = g.sort_values(["mean_utility", "strategy"], ascending=[False, True], kind="stable")
        g.insert(0, "rank", g["mean_utility"].rank(method="min", ascending=False).astype("int64"))
        g.insert(0, "side", side)
        parts.append(g)
    ranking = pd.concat(parts, ignore_index=True)
    return ranking.astype({"opponents": "int64"})[list(RANKING_COLUMNS)]


def write(tournament: Tournament, out: Path, settings: dict[str, Any], figures: bool = True) -> list[Path]:
    """Write the tables (Parquet, and the ranking as CSV too), ``tournament.json``, the statistics and the heatmaps.

    The statistics (``sim/analysis/tournament_stats.py``): ``strategy_stats`` (intervals), ``pairwise`` (tests,
    Holm-adjusted), as Parquet and CSV, and ``equilibria.json`` (the payoff table and its Nash equilibria).

    Each file is written atomically; if one cannot be written, those already written are removed
    again (and the folders made for them), so that ``out`` never holds part of a tournament.
    """
    out = Path(out)
    files = NewFiles(out)
    table = pa.Table.from_pandas(tournament.table, preserve_index=False)
    ranking = pa.Table.from_pandas(tournament.ranking, preserve_index=False)
    strategy_table = strategy_stats(tournament.table)
    pairs = pairwise(tournament.table)
    nash = game(tournament.table)
    summary = {**settings, "us_strategies": [e.label for e in tournament.us],
               "partner_strategies": [e.label for e in tournament.partners],
               "entrants": {e.label: e.mapping for e in [*tournament.us, *tournament.partners]},
               "refused": [{"us_strategy": u, "partner_strategy": p, "reason": r} for u, p, r in tournament.refused],
               "seconds": round(tournament.seconds, 3)}
    writers = {
        "tournament.parquet": lambda tmp: pq.write_table(table, tmp),
        "ranking.parquet": lambda tmp: pq.write_table(ranking, tmp),
        "ranking.csv": lambda tmp: tournament.ranking.to_csv(tmp, index=False),
        "tournament.json": lambda tmp: tmp.write_text(json.dumps(summary, indent=2) + "\n"),
        "strategy_stats.parquet": lambda tmp: strategy_table.to_parquet(tmp, index=False),
        "strategy_stats.csv": lambda tmp: strategy_table.to_csv(tmp, index=False),
        "pairwise.parquet": lambda tmp: pairs.to_parquet(tmp, index=False),
        "pairwise.csv": lambda tmp: pairs.to_csv(tmp, index=False),
        "equilibria.json": lambda tmp: tmp.write_text(json.dumps(nash, indent=2) + "\n"),
    }
    try:
        for name, writer in writers.items():
            atomic_write(out / name, writer)
            files.add(out / name)
        if figures:
            from sim.plots.tournament_figures import write_heatmaps, write_intervals  # matplotlib only for figures

            write_heatmaps(tournament.table, tournament.ranking, out, summary, files.add)
            write_intervals(strategy_table, out, summary, files.add)
    except BaseException:
        files.remove()
        raise
    return files.files


if __name__ == "__main__":  # the command moved to its own module, which imports this one
    sys.exit("python -m sim.analysis.tournament: the tournament command is tariffsim-tournament "
             "(or python -m sim.apps.tournament_cli)")
