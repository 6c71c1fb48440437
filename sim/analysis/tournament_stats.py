"""Statistics of a finished tournament: intervals, pairwise tests, and the equilibria of its payoff table.

Drawn from the tournament table alone (``tournament.parquet``, ``sim/analysis/tournament.py``):

- **Intervals.** The unit of observation is the replication: every match runs the same seeds, and
  within a replication the partners' tables share one US agent, so they are not independent. A
  strategy's value in replication ``r`` is its mean utility over its opponents' matches and the
  partners in ``r``; the mean of those over ``r`` is the ranking's ``mean_utility`` (when every match
  was played). Its 95% interval is Student's t interval over the replications: each value is already a
  mean over many tables, so close to normal, and the interval needs no resampling (deterministic,
  and honest at a few replications, where a percentile bootstrap is too narrow). With one
  replication there is no interval (NaN). The opponents are the entrants, not a sample: the
  interval is over seeds only. The deal rate's 95% interval is Wilson's over all tables; it treats
  tables as independent, so it is somewhat narrow where the partners of a replication deal together.
- **Pairwise tests.** Two strategies of one side are compared on their per-replication values: the
  Wilcoxon signed-rank test paired by seed (common random numbers) when both have the same seeds,
  else the Mann-Whitney U test; each side's p-values are adjusted together with Holm's method
  (statsmodels).
- **Equilibria.** The empirical payoff table (rows: US strategies, columns: partner strategies,
  entries: each side's mean utility in the match) is a bimatrix game. Strictly dominated strategies are
  removed first; nashpy's support enumeration then lists its Nash equilibria (not computed, and said so,
  where too many strategies are left to try every pair of supports). A degenerate game (ties among best responses, common when strategies
  that never deal all get their reservation value) is reported as such, not an error: support
  enumeration may then miss equilibria or give only the ends of a continuum of them.
"""

from __future__ import annotations

import math
import warnings
from itertools import combinations
from typing import Any

import nashpy
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from sim.io.study_table import wilson

SIDES = (("us", "us_strategy", "us_utility"), ("partner", "partner_strategy", "partner_utility"))
STATS_COLUMNS = ("side", "strategy", "mean_utility", "utility_low", "utility_high", "replications", "deal_rate",
                 "deal_low", "deal_high", "deals", "tables")
PAIRWISE_COLUMNS = ("side", "strategy_a", "strategy_b", "mean_a", "mean_b", "difference", "test", "n_a", "n_b",
                    "statistic", "p_value", "p_holm", "significant")
ALPHA = 0.05
PAIRED = "Wilcoxon signed-rank, paired by seed"
UNPAIRED = "Mann-Whitney U"
DECIMALS = 6  # equilibrium probabilities and payoffs in the JSON
SUPPORT_PAIRS = 20_000  # support enumeration's pairs of supports at most (7 x 7 strategies: about 2 s)


def per_replication(table: pd.DataFrame, own: str, utility: str) -> pd.DataFrame:
    """Each strategy's utility per replication seed: the mean over its matches of the match's mean there.

    Returns:
        Strategies down (in order of first appearance), seeds across; NaN where a strategy has no match
        played with that seed.
    """
    other = "partner_strategy" if own == "us_strategy" else "us_strategy"
    cells = table.groupby([own, other, "seed"], sort=False)[utility].mean()
    return cells.groupby(level=[own, "seed"], sort=False).mean().unstack("seed")


def t_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Student's t interval of the mean of ``values`` (NaN, NaN with fewer than two)."""
    values = np.asarray(values, dtype=float)
    n = values.size
    if n < 2:
        return math.nan, math.nan
    mean = float(values.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))
    return mean - half, mean + half


def strategy_stats(table: pd.DataFrame) -> pd.DataFrame:
    """Per side and strategy: mean utility with its 95% t interval, deal rate with its 95% Wilson interval.

    Rows follow each side's first appearance in ``table``; columns are STATS_COLUMNS.
    """
    rows = []
    for side, own, utility in SIDES:
        values = per_replication(table, own, utility)
        deals = table.groupby(own, sort=False)["deal"].agg(["sum", "size"])
        for strategy, row in values.iterrows():
            seeds = row.dropna().to_numpy()
            low, high = t_interval(seeds)
            won, n = int(deals.loc[strategy, "sum"]), int(deals.loc[strategy, "size"])
            d_low, d_high = wilson(np.array([won]), np.array([n]))
            rows.append((side, strategy, float(seeds.mean()), low, high, seeds.size, won / n,
                         float(d_low[0]), float(d_high[0]), won, n))
    return pd.DataFrame(rows, columns=list(STATS_COLUMNS)).astype({"replications": "int64", "deals": "int64",
                                                                   "tables": "int64"})


def compare(a: pd.Series, b: pd.Series) -> tuple[str, float, float]:
    """Test of "no difference" between two strategies' per-replication values (indexed by seed).

    Returns:
        The test's name, its statistic and its two-sided p-value. Paired by seed (Wilcoxon signed-rank)
        when both have the same seeds, else Mann-Whitney U. Identical paired values give p = 1.
    """
    a, b = a.dropna(), b.dropna()
    if set(a.index) == set(b.index):
        differences = (a - b.loc[a.index]).to_numpy()
        if not np.any(differences):
            return PAIRED, 0.0, 1.0  # no replication differs: no evidence of a difference at all
        result = stats.wilcoxon(differences)
        return PAIRED, float(result.statistic), float(result.pvalue)
    result = stats.mannwhitneyu(a.to_numpy(), b.to_numpy(), alternative="two-sided")
    return UNPAIRED, float(result.statistic), float(result.pvalue)


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values (statsmodels ``multipletests``)."""
    p_values = np.asarray(p_values, dtype=float)
    if p_values.size == 0:
        return p_values
    return multipletests(p_values, alpha=ALPHA, method="holm")[1]


def pairwise(table: pd.DataFrame) -> pd.DataFrame:
    """Every pair of strategies of one side, tested; Holm-adjusted within each side (PAIRWISE_COLUMNS).

    ``significant`` is ``p_holm < 0.05``. Pairs follow each side's order of first appearance.
    """
    parts = []
    for side, own, utility in SIDES:
        values = per_replication(table, own, utility)
        rows = []
        for first, second in combinations(values.index, 2):
            a, b = values.loc[first].dropna(), values.loc[second].dropna()
            test, statistic, p = compare(a, b)
            rows.append((side, first, second, float(a.mean()), float(b.mean()), float(a.mean() - b.mean()), test,
                         a.size, b.size, statistic, p))
        frame = pd.DataFrame(rows, columns=list(PAIRWISE_COLUMNS[:-2]))
        frame["p_holm"] = holm(frame["p_value"].to_numpy())
        frame["significant"] = frame["p_holm"] < ALPHA
        parts.append(frame)
    out = pd.concat([f for f in parts if not f.empty] or parts[:1], ignore_index=True)
    return out.astype({"n_a": "int64", "n_b": "int64", "significant": bool})[list(PAIRWISE_COLUMNS)]


def payoff_matrices(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The empirical payoff table: each side's mean utility per match (US strategies down, partner across)."""
    means = table.groupby(["us_strategy", "partner_strategy"], sort=False)[["us_utility", "partner_utility"]].mean()
    rows = list(pd.unique(table["us_strategy"]))
    cols = list(pd.unique(table["partner_strategy"]))
    return tuple(means[c].unstack().reindex(index=rows, columns=cols).astype(float)  # type: ignore[return-value]
                 for c in ("us_utility", "partner_utility"))


def equilibria(us_payoffs: pd.DataFrame, partner_payoffs: pd.DataFrame) -> dict[str, Any]:
    """The Nash equilibria of the bimatrix game (nashpy), after removing strictly dominated strategies.

    Strictly dominated pure strategies are removed first, again and again (no equilibrium plays one,
    so every equilibrium survives). Support enumeration then lists every equilibrium of a
    non-degenerate game; it tries every pair of supports, so a game left with more than
    SUPPORT_PAIRS of them is not solved, and the note says so. (nashpy's Lemke-Howson, which scales,
    was tried and can loop forever on these tables: a tournament must not hang on its statistics.)

    Args:
        us_payoffs: The row player's (the US's) payoffs, US strategies down, partner strategies across.
        partner_payoffs: The column player's (the partners') payoffs, the same shape and labels.

    Returns:
        A JSON-ready dict: the strategies, both matrices, ``eliminated`` (the strictly dominated
        strategies of each side), ``method``, ``equilibria`` (each with the probability of every
        strategy in its support and each side's expected utility), ``degenerate``, ``complete``
        (whether the list is every equilibrium) and a ``note`` saying so in words. A table with a
        match not played has no equilibria (the note names the match).
    """
    us_names, partner_names = list(us_payoffs.index), list(us_payoffs.columns)
    out: dict[str, Any] = {
        "us_strategies": us_names, "partner_strategies": partner_names,
        "us_payoffs": _rounded(us_payoffs.to_numpy()), "partner_payoffs": _rounded(partner_payoffs.to_numpy()),
        "eliminated": {"us": [], "partner": []}, "method": None, "equilibria": [], "degenerate": None,
        "complete": False}
    missing = [(u, p) for u in us_names for p in partner_names
               if not (np.isfinite(us_payoffs.loc[u, p]) and np.isfinite(partner_payoffs.loc[u, p]))]
    if missing:
        u, p = missing[0]
        out["note"] = (f"not computed: the payoff table is incomplete ({len(missing)} match(es) not played, "
                       f"e.g. {u} vs {p})")
        return out
    a_full, b_full = us_payoffs.to_numpy(dtype=float), partner_payoffs.to_numpy(dtype=float)
    rows, cols = undominated(a_full, b_full)
    out["eliminated"] = {"us": [us_names[i] for i in range(len(us_names)) if i not in rows],
                         "partner": [partner_names[j] for j in range(len(partner_names)) if j not in cols]}
    dropped = sum(map(len, out["eliminated"].values()))
    removed = f" after removing {dropped} strictly dominated strateg{'y' if dropped == 1 else 'ies'}" if dropped else ""
    if (2 ** len(rows) - 1) * (2 ** len(cols) - 1) > SUPPORT_PAIRS:
        out["note"] = (f"not computed: {len(rows)} US x {len(cols)} partner strategies are left{removed}, too many "
                       f"to try every pair of supports (at most {SUPPORT_PAIRS}); enter fewer strategies")
        return out
    a, b = a_full[np.ix_(rows, cols)], b_full[np.ix_(rows, cols)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = list(nashpy.Game(a, b).support_enumeration(tol=1e-12))
    degenerate = bool(_pure_ties(a, b) or any("degenerate" in str(w.message) for w in caught))
    out["method"] = "support enumeration"
    seen = set()
    for sub_us, sub_partner in found:
        sigma_us, sigma_partner = np.zeros(len(us_names)), np.zeros(len(partner_names))
        sigma_us[rows], sigma_partner[cols] = sub_us, sub_partner
        key = (tuple(np.round(sigma_us, DECIMALS)), tuple(np.round(sigma_partner, DECIMALS)))
        if key in seen or not is_equilibrium(a_full, b_full, sigma_us, sigma_partner):
            continue
        seen.add(key)
        out["equilibria"].append({
            "us": {s: round(float(x), DECIMALS) for s, x in zip(us_names, sigma_us) if x > 1e-9},
            "partner": {s: round(float(x), DECIMALS) for s, x in zip(partner_names, sigma_partner) if x > 1e-9},
            "pure": bool(np.count_nonzero(sigma_us > 1e-9) == 1 and np.count_nonzero(sigma_partner > 1e-9) == 1),
            "us_utility": round(float(sigma_us @ a_full @ sigma_partner), DECIMALS),
            "partner_utility": round(float(sigma_us @ b_full @ sigma_partner), DECIMALS)})
    out["degenerate"] = degenerate
    out["complete"] = not degenerate
    count = len(out["equilibria"])
    found_text = f"{count} equilibri{'um' if count == 1 else 'a'}"
    if degenerate:
        out["note"] = (f"degenerate game (ties among best responses): {found_text} found by support enumeration"
                       f"{removed}, which may miss others or list only the ends of a continuum; each one listed is "
                       f"an equilibrium of the mean payoffs")
    else:
        out["note"] = f"non-degenerate game: all {found_text} of the mean payoffs, by support enumeration{removed}"
    return out


def undominated(a: np.ndarray, b: np.ndarray) -> tuple[list[int], list[int]]:
    """Rows and columns left after removing strictly dominated pure strategies, again and again.

    A row is removed when another remaining row pays the row player (``a``) strictly more against every
    remaining column; a column likewise for the column player (``b``).
    """
    rows, cols = list(range(a.shape[0])), list(range(a.shape[1]))
    changed = True
    while changed:
        changed = False
        for i in list(rows):
            if any(np.all(a[k, cols] > a[i, cols]) for k in rows if k != i):
                rows.remove(i)
                changed = True
        for j in list(cols):
            if any(np.all(b[rows, k] > b[rows, j]) for k in cols if k != j):
                cols.remove(j)
                changed = True
    return rows, cols


def is_equilibrium(a: np.ndarray, b: np.ndarray, sigma_r: np.ndarray, sigma_c: np.ndarray,
                   tol: float = 1e-9) -> bool:
    """Whether neither player gains more than ``tol`` by a pure deviation.

    (nashpy's ``is_best_response`` compares floats exactly, which rounding defeats.)
    """
    if not (np.all(np.isfinite(sigma_r)) and np.all(np.isfinite(sigma_c))):
        return False
    return bool((a @ sigma_c).max() - sigma_r @ a @ sigma_c <= tol
                and (sigma_r @ b).max() - sigma_r @ b @ sigma_c <= tol)


def _pure_ties(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether some pure strategy has more than one pure best response (a sufficient sign of degeneracy)."""
    us_best = np.isclose(a, a.max(axis=0, keepdims=True), rtol=0, atol=1e-12).sum(axis=0)
    partner_best = np.isclose(b, b.max(axis=1, keepdims=True), rtol=0, atol=1e-12).sum(axis=1)
    return bool((us_best > 1).any() or (partner_best > 1).any())


def _rounded(values: np.ndarray) -> list[list[float | None]]:
    return [[round(float(x), DECIMALS) if np.isfinite(x) else None for x in row] for row in values]


def game(table: pd.DataFrame) -> dict[str, Any]:
    """The US-vs-partner game of a tournament table: its payoff matrices and Nash equilibria."""
    return equilibria(*payoff_matrices(table))


def format_stats(strategy_table: pd.DataFrame, pairs: pd.DataFrame, nash: dict[str, Any]) -> str:
    """The statistics printed after the ranking: intervals, significant differences, equilibria."""
    lines = []
    for side, title in (("us", "US strategies"), ("partner", "partner strategies")):
        rows = strategy_table[strategy_table["side"] == side].sort_values("mean_utility", ascending=False)
        width = max([len(title), *rows["strategy"].str.len()]) + 2
        lines.append(f"{title:<{width}}{'mean utility [95% CI]':>26}{'deal rate [95% CI]':>24}")
        lines += [f"{r.strategy:<{width}}{r.mean_utility:>8.3f} [{r.utility_low:6.3f}, {r.utility_high:6.3f}]"
                  f"{r.deal_rate:>8.2f} [{r.deal_low:5.2f}, {r.deal_high:5.2f}]" for r in rows.itertuples()]
        mine = pairs[pairs["side"] == side]
        hits = mine[mine["significant"]]
        lines.append(f"  pairwise (Holm-adjusted p < {ALPHA}): {len(hits)} of {len(mine)} pairs differ")
        lines += [f"    {r.strategy_a} vs {r.strategy_b}: {r.difference:+.3f} (p {r.p_value:.3g}, Holm {r.p_holm:.3g})"
                  for r in hits.itertuples()]
        lines.append("")
    lines.append(f"Nash equilibria of the mean payoffs (US vs partner): {nash['note']}")
    for eq in nash["equilibria"]:
        us, partner = (" + ".join(f"{p:.2f} {s}" for s, p in eq[key].items()) for key in ("us", "partner"))
        lines.append(f"  US: {us} | partner: {partner} (utilities: US {eq['us_utility']:.3f}, "
                     f"partner {eq['partner_utility']:.3f})")
    return "\n".join(lines).rstrip()
