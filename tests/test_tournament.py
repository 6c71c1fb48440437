"""Tournaments (sim/analysis/tournament.py): tables, ranking, heatmaps, determinism, refusals, the command."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.strategies import STRATEGIES, Side
from sim.analysis.tournament import RANKING_COLUMNS, TOURNAMENT_COLUMNS, Entrant, base_config, entrants, play, write
from sim.apps.tournament_cli import main
from sim.plots.tournament_figures import HEATMAPS, INTERVALS, heatmaps

US = [Entrant("deal_seeker", {"name": "deal_seeker"}),
      Entrant("conceding_seeker", {"name": "deal_seeker", "beta": 2.0})]
PARTNERS = [Entrant("boulware", {"name": "boulware"}), Entrant("conceder", {"name": "conceder"})]
SETTINGS = {"scenario": "baseline_2025", "seed": 7, "replications": 2, "partners": ["JPN", "EU", "CAN", "KOR", "VNM"]}


@pytest.fixture(scope="module")
def base():
    return base_config()


@pytest.fixture(scope="module")
def tiny(base):
    """2 US x 2 partner strategies x 2 replications, every partner playing the partner strategy."""
    return play(base, US, PARTNERS, seed=7, replications=2)


@pytest.fixture(scope="module")
def written(tiny, tmp_path_factory):
    out = tmp_path_factory.mktemp("tournament")
    write(tiny, out, SETTINGS)
    return out


def test_tiny_tournament_writes_the_documented_files_and_columns(written):
    table = pd.read_parquet(written / "tournament.parquet")
    assert tuple(table.columns) == TOURNAMENT_COLUMNS
    assert len(table) == 2 * 2 * 2 * 5  # US x partner strategies x replications x partners
    assert table.groupby(["us_strategy", "partner_strategy", "replication", "partner"]).size().eq(1).all()
    assert table["deal"].dtype == bool
    assert table[["us_utility", "partner_utility"]].notna().all().all()  # no deal: the reservation value
    assert table[["us_utility", "partner_utility"]].stack().between(0, 1).all()
    assert table.loc[~table["deal"], "deal_day"].isna().all() and table.loc[table["deal"], "deal_day"].notna().all()
    ranking = pd.read_parquet(written / "ranking.parquet")
    assert tuple(ranking.columns) == RANKING_COLUMNS
    pd.testing.assert_frame_equal(pd.read_csv(written / "ranking.csv"), ranking, check_dtype=False)
    summary = json.loads((written / "tournament.json").read_text())
    assert summary["us_strategies"] == ["deal_seeker", "conceding_seeker"] and summary["refused"] == []
    assert sorted(p.name for p in (written / "figures").iterdir()) == sorted(
        name.replace(".png", suffix) for name in [*(h[0] for h in HEATMAPS), INTERVALS] for suffix in (".png", ".svg"))
    for name in ("strategy_stats.parquet", "strategy_stats.csv", "pairwise.parquet", "pairwise.csv", "equilibria.json"):
        assert (written / name).is_file(), name


def test_ranking_is_the_mean_over_opponents_of_each_match_mean(tiny):
    table, ranking = tiny.table, tiny.ranking
    for side, own in (("us", "us_strategy"), ("partner", "partner_strategy")):
        expected = (table.groupby(["us_strategy", "partner_strategy"])[f"{side}_utility"].mean()
                    .groupby(level=own).mean().sort_values(ascending=False))
        mine = ranking[ranking["side"] == side].set_index("strategy")
        assert list(mine.index) == list(expected.index)  # best first
        np.testing.assert_allclose(mine.loc[expected.index, "mean_utility"], expected.to_numpy())
        assert mine["rank"].is_monotonic_increasing and mine["rank"].iloc[0] == 1
        assert (mine["opponents"] == 2).all()
        assert (mine["worst_utility"] <= mine["mean_utility"]).all() and (mine["mean_utility"] <= mine["best_utility"]).all()


def test_heatmaps_have_titles_labelled_axes_colour_bars_and_annotated_cells(tiny):
    figures = heatmaps(tiny.table, tiny.ranking, {**SETTINGS, "us_strategies": [e.label for e in US],
                                                  "partner_strategies": [e.label for e in PARTNERS]})
    assert set(figures) == {name for name, *_ in HEATMAPS}
    for fig in figures.values():
        ax, bar = fig.axes
        assert fig._suptitle.get_text()
        assert ax.get_xlabel() and ax.get_ylabel()
        assert bar.get_ylabel()  # the colour bar says what the colour measures
        assert len(ax.get_yticklabels()) == 2 and len(ax.get_xticklabels()) == 2
        assert len(ax.texts) == 4  # one annotation per cell


def test_same_seed_gives_an_identical_table(base, tiny):
    again = play(base, US, PARTNERS, seed=7, replications=2)
    pd.testing.assert_frame_equal(again.table, tiny.table)
    other = play(base, US[:1], PARTNERS[:1], seed=8, replications=2)
    assert not other.table["seed"].isin(tiny.table["seed"]).any()


def test_a_strategy_that_cannot_run_is_reported_not_fatal(base):
    bad = Entrant("bad_boulware", {"name": "boulware", "beta": 2.0})
    result = play(base, US[:1], [PARTNERS[0], bad], codes=["JPN"], seed=7, replications=1)
    assert [(u, p) for u, p, _ in result.refused] == [("deal_seeker", "bad_boulware")]
    assert "beta" in result.refused[0][2]
    assert set(result.table["partner_strategy"]) == {"boulware"} and set(result.table["partner"]) == {"JPN"}


def test_entrants_follow_the_registry_by_side():
    us = {e.label for e in entrants(Side.US)}
    partners = {e.label for e in entrants(Side.PARTNER)}
    assert "deal_seeker" in us and "deal_seeker" not in partners
    assert {"boulware", "conceder", "hold_until_election"} <= partners
    assert all(STRATEGIES[name].info.side in (Side.US, Side.BOTH) for name in us)
    assert all(STRATEGIES[name].info.side in (Side.PARTNER, Side.BOTH) for name in partners)


def test_the_command_enters_a_users_class_and_prints_the_ranking(tmp_path, capsys):
    main(["--out", str(tmp_path), "--us", "deal_seeker", "--partner", "boulware", "--partner-target",
          "experiments.stubborn.Stubborn", "--partners", "JPN,EU", "--replications", "2", "--no-figures"])
    printed = capsys.readouterr().out
    assert "partner strategies" in printed and "stubborn" in printed
    table = pd.read_parquet(tmp_path / "tournament.parquet")
    assert set(table["partner_strategy"]) == {"boulware", "stubborn"} and set(table["partner"]) == {"JPN", "EU"}
    assert not (tmp_path / "figures").exists()


@pytest.mark.slow
def test_workers_do_not_change_the_table(base, tiny):
    parallel = play(base, US, PARTNERS, seed=7, replications=2, workers=2)
    pd.testing.assert_frame_equal(parallel.table, tiny.table)


def test_a_misspelt_partner_strategy_is_refused_with_a_suggestion_before_any_match(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sim.analysis.tournament.play_match", lambda *a: pytest.fail("a match was played"))
    out = tmp_path / "t"
    assert main(["--out", str(out), "--us", "deal_seeker", "--partner", "boulwar", "--replications", "1"]) == 2
    err = capsys.readouterr().err
    assert "--partner boulwar" in err and "did you mean boulware?" in err and "hold_until_election" in err
    assert "Traceback" not in err and not out.exists()


def test_a_strategy_of_the_other_side_and_an_unknown_partner_are_refused(tmp_path, capsys):
    out = tmp_path / "t"
    assert main(["--out", str(out), "--us", "deal_seeker", "--partner", "deal_seeker"]) == 2
    assert "--partner deal_seeker: plays the US side only" in capsys.readouterr().err
    assert main(["--out", str(out), "--us", "deal_seeker", "--partner", "boulware", "--partners", "JPX"]) == 2
    err = capsys.readouterr().err
    assert "--partners JPX" in err and "did you mean JPN?" in err and "JPN, EU, CAN, KOR, VNM" in err
    assert not out.exists()


def test_a_tournament_in_which_no_match_could_be_played_fails_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sim.analysis.tournament.play_match", lambda *a: "refused: scenario.us.strategy.beta: too high")
    out = tmp_path / "t"
    assert main(["--out", str(out), "--us", "deal_seeker", "--partner", "boulware", "--replications", "1"]) == 2
    err = capsys.readouterr().err
    assert "no match could be played" in err and "beta: too high" in err and not out.exists()


def test_a_file_that_cannot_be_written_leaves_no_result_behind(tmp_path, capsys, monkeypatch):
    import errno

    def full_disk(self, path, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)  # the third of the files
    out = tmp_path / "new" / "t"
    assert main(["--out", str(out), "--us", "deal_seeker", "--partner", "boulware", "--partners", "JPN",
                 "--replications", "1"]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "ranking.csv" in err and "Traceback" not in err
    assert not (tmp_path / "new").exists()  # the parquet files written before were removed, and the folders


def test_a_debug_flag_shows_the_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TARIFFSIM_DEBUG", "1")
    (tmp_path / "f").write_text("")
    assert main(["--out", str(tmp_path / "f"), "--us", "deal_seeker", "--partner", "boulware"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "--out" in err and "is a file" in err


@pytest.mark.parametrize("partners", [["boulware"], ["boulware", "conceder"]])
def test_small_tournament_figures_clip_no_title_label_or_footnote(base, partners):
    chosen = [e for e in PARTNERS if e.label in partners]
    result = play(base, US[:1], chosen, codes=["JPN"], seed=7, replications=1)
    settings = {**SETTINGS, "partners": ["JPN"], "us_strategies": ["deal_seeker"], "partner_strategies": partners}
    for name, fig in heatmaps(result.table, result.ranking, settings).items():
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig).draw()  # as savefig draws it
        renderer = fig.canvas.get_renderer()
        box = fig.bbox
        texts = [fig._suptitle, fig._supxlabel, *[t for ax in fig.axes for t in
                 (ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels())]]
        for text in texts:
            if text is None or not text.get_text():
                continue
            extent = text.get_window_extent(renderer)
            assert box.x0 - 1 <= extent.x0 and extent.x1 <= box.x1 + 1, (name, text.get_text()[:40])
            assert box.y0 - 1 <= extent.y0 and extent.y1 <= box.y1 + 1, (name, text.get_text()[:40])
