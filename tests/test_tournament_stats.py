"""Tournament statistics (sim/analysis/tournament_stats.py): known answers for intervals, Holm, tests, equilibria."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.tournament import TOURNAMENT_COLUMNS
from sim.apps.tournament_cli import main
from sim.plots.tournament_figures import plot_intervals
from sim.analysis.tournament_stats import (PAIRED, PAIRWISE_COLUMNS, STATS_COLUMNS, SUPPORT_PAIRS, UNPAIRED, compare,
                                  equilibria, game, holm, is_equilibrium, pairwise, strategy_stats, t_interval,
                                  undominated)


def fabricated(cells: dict[tuple[str, str], list[tuple[float, float, bool]]]) -> pd.DataFrame:
    """A tournament table, one partner (JPN): cells[(us, partner)] = [(us utility, partner utility, deal) per seed]."""
    rows = []
    for (us, partner), outcomes in cells.items():
        for replication, (u, p, deal) in enumerate(outcomes):
            rows.append((us, partner, replication, 100 + replication, "JPN", deal, 10 if deal else pd.NA, 15.0, u, p))
    table = pd.DataFrame(rows, columns=list(TOURNAMENT_COLUMNS))
    return table.astype({"deal_day": "Int64"})


def matrix_table(a: list[list[float]], b: list[list[float]]) -> pd.DataFrame:
    """A one-replication tournament whose payoff table is (a, b): US strategies u0.., partner strategies p0.."""
    return fabricated({(f"u{i}", f"p{j}"): [(a[i][j], b[i][j], True)]
                       for i in range(len(a)) for j in range(len(a[0]))})


def test_holm_matches_hand_computed_adjusted_p_values():
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> max so far: 0.06
    np.testing.assert_allclose(holm(np.array([0.01, 0.04, 0.03, 0.005])), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(holm(np.array([0.2, 0.6])), [0.4, 0.6])
    np.testing.assert_allclose(holm(np.array([0.5, 0.7, 0.9])), [1.0, 1.0, 1.0])  # capped at 1
    assert holm(np.array([])).size == 0


def test_t_interval_and_wilson_on_a_tiny_table():
    # US strategy a: utilities 0.1/0.3 (vs x/y) at seed 0 -> 0.2, 0.3/0.5 -> 0.4, 0.5/0.7 -> 0.6
    table = fabricated({
        ("a", "x"): [(0.1, 0.9, True), (0.3, 0.8, False), (0.5, 0.7, True)],
        ("a", "y"): [(0.3, 0.5, False), (0.5, 0.5, True), (0.7, 0.5, False)],
        ("b", "x"): [(0.4, 0.6, True)] * 3,
        ("b", "y"): [(0.4, 0.6, True)] * 3,
    })
    out = strategy_stats(table).set_index(["side", "strategy"])
    assert list(out.reset_index().columns) == list(STATS_COLUMNS)
    a = out.loc[("us", "a")]
    # mean 0.4, sd 0.2 over 3 replications: t(0.975, 2) = 4.302653, half width 4.302653 x 0.2 / sqrt(3) = 0.496828
    assert a["mean_utility"] == pytest.approx(0.4)
    assert (a["utility_low"], a["utility_high"]) == pytest.approx((0.4 - 0.496828, 0.4 + 0.496828), abs=1e-6)
    # 3 deals in 6 tables: Wilson (z = 1.96) centre 0.5, half 1.96 sqrt(0.25/6 + 1.96^2/144) / (1 + 1.96^2/6)
    assert (a["deals"], a["tables"], a["deal_rate"]) == (3, 6, 0.5)
    assert (a["deal_low"], a["deal_high"]) == pytest.approx((0.187613, 0.812387), abs=1e-6)
    b = out.loc[("us", "b")]
    assert (b["utility_low"], b["mean_utility"], b["utility_high"]) == pytest.approx((0.4, 0.4, 0.4))  # no spread
    assert (b["deal_low"], b["deal_high"]) == pytest.approx((0.609657, 1.0), abs=1e-6)  # 6 of 6
    x = out.loc[("partner", "x")]  # x: (0.9 + 0.6) / 2, (0.8 + 0.6) / 2, (0.7 + 0.6) / 2 -> 0.7 on average
    assert x["mean_utility"] == pytest.approx(0.7) and x["replications"] == 3
    assert all(math.isnan(v) for v in t_interval(np.array([0.5])))  # one replication: no interval


def test_paired_wilcoxon_when_seeds_match_else_mann_whitney():
    seeds = [1, 2, 3, 4, 5]
    a = pd.Series([0.5, 0.6, 0.7, 0.8, 0.9], index=seeds)
    b = pd.Series([0.4, 0.45, 0.5, 0.55, 0.6], index=seeds)
    test, statistic, p = compare(a, b)
    assert test == PAIRED and statistic == 0.0
    assert p == pytest.approx(2 / 32)  # exact: all 5 differences positive, two-sided 2 x (1/2)^5
    assert compare(a, a) == (PAIRED, 0.0, 1.0)
    test, statistic, p = compare(a, pd.Series([0.1, 0.2, 0.3], index=[7, 8, 9]))
    assert test == UNPAIRED and statistic == 15.0  # every a above every b: U = 5 x 3
    assert p == pytest.approx(2 / math.comb(8, 3))  # exact: 2 of the C(8, 3) = 56 orderings are as extreme


def test_pairwise_adjusts_each_side_with_holm():
    high = [(0.9, 0.5, True), (0.8, 0.5, True), (0.85, 0.5, True), (0.95, 0.5, True), (0.7, 0.5, True)]
    low = [(u - 0.3, p, d) for u, p, d in high]
    table = fabricated({("good", "x"): high, ("bad", "x"): low, ("same", "x"): low})
    out = pairwise(table)
    assert list(out.columns) == list(PAIRWISE_COLUMNS)
    us = out[out["side"] == "us"].set_index(["strategy_a", "strategy_b"])
    assert list(us.index) == [("good", "bad"), ("good", "same"), ("bad", "same")]
    np.testing.assert_allclose(us["p_value"], [0.0625, 0.0625, 1.0])
    np.testing.assert_allclose(us["p_holm"], [0.1875, 0.1875, 1.0])  # 0.0625 x 3, then max(0.0625 x 2, 0.1875)
    assert us.loc[("good", "bad"), "difference"] == pytest.approx(0.3) and not us["significant"].any()
    assert out[out["side"] == "partner"].empty  # one partner strategy: no pair


def test_matching_pennies_has_the_mixed_half_half_equilibrium():
    a = [[1.0, -1.0], [-1.0, 1.0]]
    result = game(matrix_table(a, [[-x for x in row] for row in a]))
    assert result["degenerate"] is False and "non-degenerate" in result["note"]
    assert result["equilibria"] == [{"us": {"u0": 0.5, "u1": 0.5}, "partner": {"p0": 0.5, "p1": 0.5},
                                     "pure": False, "us_utility": 0.0, "partner_utility": 0.0}]


def test_prisoners_dilemma_has_the_pure_defect_defect_equilibrium():
    a = [[3.0, 0.0], [5.0, 1.0]]  # strategy 0 cooperates, 1 defects
    b = [[3.0, 5.0], [0.0, 1.0]]
    result = game(matrix_table(a, b))
    assert result["eliminated"] == {"us": ["u0"], "partner": ["p0"]}  # cooperating is strictly dominated
    assert result["complete"] is True and result["method"] == "support enumeration"
    (only,) = result["equilibria"]
    assert only == {"us": {"u1": 1.0}, "partner": {"p1": 1.0}, "pure": True, "us_utility": 1.0,
                    "partner_utility": 1.0}


def test_iterated_elimination_of_strictly_dominated_strategies():
    # row 2 is dominated by row 0; then, without row 2, column 1 is dominated by column 0; nothing else
    a = np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 4.0], [2.0, 0.0, -1.0]])
    b = np.array([[2.0, 1.0, 1.0], [1.0, 0.0, 3.0], [0.0, 5.0, 0.0]])
    assert undominated(a, b) == ([0, 1], [0, 2])
    assert undominated(np.ones((2, 2)), np.ones((2, 2))) == ([0, 1], [0, 1])  # ties dominate nothing


def test_a_game_too_large_for_support_enumeration_is_not_solved_and_says_so():
    rng = np.random.default_rng(3)
    n = 9  # (2^9 - 1)^2 pairs of supports, beyond SUPPORT_PAIRS; random payoffs: no strategy here is dominated
    assert (2 ** n - 1) ** 2 > SUPPORT_PAIRS
    a, b = rng.random((n, n)), rng.random((n, n))
    assert undominated(a, b) == (list(range(n)), list(range(n)))
    result = game(matrix_table(a.tolist(), b.tolist()))
    assert result["equilibria"] == [] and result["method"] is None and result["complete"] is False
    assert "not computed: 9 US x 9 partner strategies are left" in result["note"]


def test_is_equilibrium_checks_pure_deviations_with_a_tolerance():
    a, b = np.array([[3.0, 0.0], [5.0, 1.0]]), np.array([[3.0, 5.0], [0.0, 1.0]])
    assert is_equilibrium(a, b, np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    assert not is_equilibrium(a, b, np.array([1.0, 0.0]), np.array([1.0, 0.0]))  # cooperate-cooperate is not one
    pennies = np.array([[1.0, -1.0], [-1.0, 1.0]])
    assert is_equilibrium(pennies, -pennies, np.array([0.5, 0.5 + 1e-12]), np.array([0.5, 0.5]))


def test_a_degenerate_game_is_reported_not_fatal():
    result = game(matrix_table([[0.5, 0.5], [0.5, 0.5]], [[0.7, 0.7], [0.7, 0.7]]))  # every side indifferent
    assert result["degenerate"] is True and "degenerate game" in result["note"] and result["complete"] is False
    assert result["equilibria"]  # what support enumeration finds is still listed
    assert all(eq["us_utility"] == 0.5 and eq["partner_utility"] == 0.7 for eq in result["equilibria"])


def test_an_incomplete_payoff_table_has_no_equilibria_and_says_why():
    us = pd.DataFrame([[0.5, np.nan], [0.4, 0.3]], index=["u0", "u1"], columns=["p0", "p1"])
    result = equilibria(us, us.copy())
    assert result["equilibria"] == [] and "not computed" in result["note"] and "u0 vs p1" in result["note"]
    assert result["us_payoffs"][0][1] is None


def test_the_command_writes_and_prints_the_statistics(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--us", "deal_seeker,maximum_pressure", "--partner", "boulware,conceder",
                 "--partners", "JPN", "--replications", "3", "--no-figures"]) == 0
    printed = capsys.readouterr().out
    assert "mean utility [95% CI]" in printed and "pairwise (Holm-adjusted p < 0.05)" in printed
    assert "Nash equilibria of the mean payoffs" in printed
    table = pd.read_parquet(tmp_path / "tournament.parquet")
    ranking = pd.read_parquet(tmp_path / "ranking.parquet").set_index(["side", "strategy"])
    stats = pd.read_parquet(tmp_path / "strategy_stats.parquet").set_index(["side", "strategy"])
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "strategy_stats.csv").set_index(["side", "strategy"]),
                                  stats, check_dtype=False)
    np.testing.assert_allclose(stats.loc[ranking.index, "mean_utility"], ranking["mean_utility"])
    np.testing.assert_allclose(stats.loc[ranking.index, "deal_rate"], ranking["deal_rate"])
    assert (stats["utility_low"] <= stats["mean_utility"]).all() and (stats["mean_utility"] <= stats["utility_high"]).all()
    assert (stats["replications"] == 3).all() and (stats["tables"] == 2 * 3).all()
    pairs = pd.read_csv(tmp_path / "pairwise.csv")
    assert len(pairs) == 2 and set(pairs["test"]) == {PAIRED} and (pairs["p_holm"] >= pairs["p_value"]).all()
    nash = json.loads((tmp_path / "equilibria.json").read_text())
    assert nash["us_strategies"] == ["deal_seeker", "maximum_pressure"] and len(nash["us_payoffs"]) == 2
    means = table.groupby(["us_strategy", "partner_strategy"])["us_utility"].mean()
    assert nash["us_payoffs"][1][0] == pytest.approx(means[("maximum_pressure", "boulware")], abs=1e-6)
    assert nash["equilibria"] and nash["note"]


def test_the_intervals_figure_draws_a_bar_per_strategy_and_side_with_labelled_axes():
    table = fabricated({(u, p): [(0.3 + 0.1 * r, 0.6, r > 0) for r in range(3)]
                        for u in ("a", "b") for p in ("x", "y", "z")})
    fig = plot_intervals(strategy_stats(table), {"scenario": "s", "seed": 1, "replications": 3})
    assert fig._suptitle.get_text() and len(fig.axes) == 4
    (us_u, us_d), (p_u, p_d) = np.reshape(fig.axes, (2, 2))
    assert [t.get_text() for t in us_u.get_yticklabels()] == ["a", "b"] and len(p_u.get_yticklabels()) == 3
    assert us_u.get_ylabel() == "US strategies" and p_u.get_xlabel() and p_d.get_xlabel()
    assert all(len(ax.lines) >= 1 for ax in fig.axes)
