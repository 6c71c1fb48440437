"""The mechanism harness: known answers of its statistics, its verdicts, and the command."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.mechanism_stats import mcnemar, mean_shift, median_shift, welch
from sim.config.mechanism_table import Expectation, load_table
from sim.apps.mechanisms import EFFECT_COLUMNS, main, verdict


def test_mcnemar_exact_p_is_the_binomial_tail_of_the_discordant_pairs():
    base = np.zeros(20, dtype=bool)
    changed = np.array([True] * 10 + [False] * 10)
    effect = mcnemar(base, changed)
    assert effect.p_value == pytest.approx(2 * 0.5**10)  # 10 of 10 discordant pairs one way
    assert effect.effect == pytest.approx(0.5) and effect.baseline == 0.0 and effect.changed == 0.5
    assert effect.low < 0.5 < effect.high and not effect.identical


def test_mcnemar_balanced_discordance_is_no_effect():
    base = np.array([True, False] * 10)
    effect = mcnemar(base, ~base)  # 10 gained, 10 lost
    assert effect.effect == 0.0 and effect.p_value == pytest.approx(1.0)
    same = mcnemar(base, base)
    assert same.identical and same.p_value == 1.0 and same.low == same.high == 0.0


def test_wilcoxon_exact_p_of_five_positive_differences():
    effect = median_shift(np.zeros(5), np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert effect.p_value == pytest.approx(2 / 2**5)  # all signs positive: 1 of 32 sign patterns, two-sided
    assert effect.effect == 3.0 and effect.low <= 3.0 <= effect.high


def test_paired_t_with_two_degrees_of_freedom():
    effect = mean_shift(np.zeros(3), np.array([1.0, 2.0, 3.0]))
    t = 2.0 / (1.0 / math.sqrt(3))  # mean 2, sd 1
    assert effect.p_value == pytest.approx(1 - t / math.sqrt(t**2 + 2))  # closed form of t with 2 df
    assert effect.effect == 2.0
    assert effect.high - 2.0 == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)


def test_welch_t_of_two_small_samples():
    effect = welch(np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]))
    assert effect.effect == 3.0
    assert effect.p_value == pytest.approx(0.021311, abs=2e-6)  # t = 3.674 with 4 df
    assert math.isnan(welch(np.array([10.0]), np.array([10.0, 12.0])).p_value)  # one deal: no test


@pytest.mark.parametrize("effect, p, direction, expected", [
    (0.2, 0.001, "up", "live"), (0.02, 0.001, "up", "too small"), (-0.2, 0.001, "up", "wrong direction"),
    (0.2, 0.2, "up", "not significant"), (-0.2, 0.001, "down", "live"), (0.0, 0.5, "none", "no effect (as expected)"),
    (0.3, 0.001, "none", "moves (none expected)"), (0.0, 0.001, "down", "too small"),
])
def test_verdicts(effect, p, direction, expected):
    from sim.analysis.mechanism_stats import Effect

    measured = Effect(0.0, effect, effect, effect - 0.01, effect + 0.01, p, "t", 100, False)
    assert verdict(measured, Expectation("JPN", "p_deal", direction, 0.05), 0.01) == expected


def test_a_significant_test_whose_interval_spans_no_effect_is_not_live():
    """A signed-rank test can pass while the bootstrap interval of the medians' difference
    includes 0 (a later deadline for the EU: +4 days [-11, +11], p = 0.0005)."""
    from sim.analysis.mechanism_stats import Effect

    measured = Effect(88.0, 92.0, 4.0, -11.0, 11.0, 0.0005, "wilcoxon", 300, False)
    assert verdict(measured, Expectation("EU", "deal_day", "up", 3.0), 0.01) == "not significant"


def test_the_declared_table_is_valid():
    table = load_table()
    assert len(table.mechanisms) >= 16 and table.replications >= 200 and table.alpha == 0.01


@pytest.mark.parametrize("text, message", [
    ("seed: 1\nreplications: 10\nmechanisms: [{name: a, changed: [x=1], expect: [{partner: XX, outcome: p_deal, direction: up}]}]",
     "mechanisms[0].expect[0].partner='XX': must be one of"),
    ("seed: 1\nreplications: 10\nmechanisms: [{name: a, changed: [x], expect: [{partner: JPN, outcome: p_deal, direction: up}]}]",
     "mechanisms[0].changed=['x']: must be a list of overrides written KEY=VALUE"),
    ("seed: 1\nreplications: 10\nmechanisms: [{name: a, changed: [x=1], expect: [{partner: JPN, outcome: p_deal_by, direction: up}]}]",
     "is required for p_deal_by"),
    ("seed: 1\nreplications: 10\nmechanisms: [{name: a, changed: [x=1], expect: [{partner: JPN, outcome: speed, direction: up}]}]",
     "outcome='speed': must be one of p_deal, p_deal_by"),
    ("seed: 1\nreplications: 10\nmechanisms: [{name: a, changed: [x=1], expect: [{partner: JPN, outcome: deal_rice, direction: up}]}]",
     "outcome='deal_rice': deal_<line> must name a US tariff line of the baseline (scenario.issues): deal_reciprocal, deal_autos, deal_steel"),
    ("seed: 1\nreplications: 10\nmechanisms: []", "lists no mechanism"),
    ("seed: [", "cannot read the mechanism table"),
])
def test_a_bad_table_is_refused_with_one_clear_line(tmp_path, capsys, text, message):
    path = tmp_path / "table.yaml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["--table", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_an_unknown_row_or_a_bad_override_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["--only", "no_such_row", "--out", str(out)]) == 2
    assert "--only no_such_row: not in the table; allowed: jpn_election_w015" in capsys.readouterr().err
    path = tmp_path / "table.yaml"
    path.write_text("seed: 1\nreplications: 10\nmechanisms: [{name: typo, changed: [scenario.us.atention=3],"
                    " expect: [{partner: JPN, outcome: p_deal, direction: up}]}]")
    assert main(["--table", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "mechanism typo: overrides ['scenario.us.atention=3']" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.slow
def test_the_command_writes_the_effects_and_the_forest_plot(tmp_path, capsys):
    out = tmp_path / "mech"
    code = main(["--replications", "20", "--only", "can_dairy_opened,vnm_china_demand_dropped", "--workers", "1",
                 "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert {p.name for p in out.iterdir()} == {"effects.csv", "effects.parquet", "effects.md", "forest.png",
                                               "forest.svg", "mechanisms.json"}
    effects = pd.read_parquet(out / "effects.parquet")
    assert tuple(effects.columns) == EFFECT_COLUMNS
    assert list(effects["mechanism"]) == ["can_dairy_opened", "vnm_china_demand_dropped"]
    assert (effects["replications"] == 20).all() and effects["p_value"].between(0, 1).all()
    assert (effects["ci_low"] <= effects["effect"]).all() and (effects["effect"] <= effects["ci_high"]).all()
    assert pd.read_csv(out / "effects.csv").shape == effects.shape
    assert (out / "forest.svg").read_text().lstrip().startswith("<?xml")
    markdown = (out / "effects.md").read_text().splitlines()
    assert markdown[0].startswith("| mechanism |") and len(markdown) == 2 + 2  # header, rule, one row each
    assert markdown[2].startswith("| `can_dairy_opened`:") and markdown[3].startswith("| `vnm_china_demand_dropped`:")
    assert all(row.count(" | ") == 4 for row in markdown[2:])


@pytest.mark.slow
def test_arms_run_on_the_worker_pool_with_the_same_effects_as_in_one_process():
    from dataclasses import replace

    from sim.apps.mechanisms import run_table

    table = load_table()
    table = replace(table, replications=12,
                    mechanisms=tuple(m for m in table.mechanisms if m.name in ("can_dairy_opened", "deadline_later")))
    one, two = run_table(table, workers=1), run_table(table, workers=2)
    pd.testing.assert_frame_equal(one, two)
    assert len(one) >= 2
