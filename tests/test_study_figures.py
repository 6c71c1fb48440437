"""Study figures, built from a small real run and a two-job sweep: what a reader needs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from omegaconf import OmegaConf

from sim.apps.cli import run
from sim.plots.scenario_figures import plot_context, plot_scenario_summary
from sim.plots.study_figures import (axis_label, plot_deal_heatmap, plot_deal_timing, plot_final_tariffs, save,
                               write_study_figures)
from tests.conftest import compose_config

SMALL = ("replications=3", "workers=1", "print_table=false")


def make_run(directory: Path, *overrides: str, figures: bool = False) -> Path:
    """A real run directory of the default scenario with ``overrides``, as a job of a sweep writes it."""
    run(compose_config(*SMALL, f"figures={str(figures).lower()}", *overrides), directory)
    OmegaConf.save(OmegaConf.create([*SMALL, *overrides]), directory / ".hydra" / "overrides.yaml")
    return directory


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("single"), figures=True)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    for job, (us, jpn) in enumerate([(0.4, 0.3), (0.4, 1.0), (1.5, 0.3), (1.5, 1.0)]):
        make_run(root / str(job), f"scenario.us.strategy.beta={us}", f"scenario.partners.JPN.strategy.beta={jpn}")
    return root


@pytest.fixture(scope="module")
def study(sweep: Path) -> tuple[pd.DataFrame, list[str]]:
    from sim.io.study_table import study_runs

    return study_runs(sweep)


def assert_readable(fig: Figure, legend: bool) -> None:
    """Drawn, titled, every data panel with labelled axes and something in it; a legend if asked."""
    fig.canvas.draw()
    assert fig._suptitle is not None and fig._suptitle.get_text()
    panels = [ax for ax in fig.axes if ax.axison and (ax.lines or ax.images or ax.collections or ax.patches)]
    assert panels, "no panel with data"
    for ax in panels:
        if ax.get_label() == "<colorbar>":
            continue
        has_x = ax.get_xlabel() or fig._supxlabel is not None
        has_y = ax.get_ylabel() or fig._supylabel is not None
        assert has_x and has_y, f"unlabelled axes in panel {ax.get_title()!r}"
    if legend:
        assert any(ax.get_legend() is not None for ax in fig.axes), "several series but no legend"


def test_axis_label_names_the_setting_then_its_unit() -> None:
    assert axis_label("scenario.us.strategy.beta") == "us.strategy.beta: concession exponent β (unitless)"
    assert axis_label("scenario.deadline").endswith(": date")


def test_sweep_table_has_the_swept_values_as_columns(study: tuple[pd.DataFrame, list[str]]) -> None:
    runs, keys = study
    assert set(keys) == {"scenario.us.strategy.beta", "scenario.partners.JPN.strategy.beta"}
    assert runs.groupby(keys).ngroups == 4 and runs["run_id"].nunique() == 3


def test_heatmap_has_a_panel_per_partner_with_every_cell(study: tuple[pd.DataFrame, list[str]], sweep: Path) -> None:
    runs, keys = study
    fig = plot_deal_heatmap(runs, keys[0], keys[1], json.loads((sweep / "0" / "summary.json").read_text()))
    assert_readable(fig, legend=False)
    images = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in images][:2] == ["Japan (JPN)", "European Union (EU)"]
    assert len(images) == runs["partner"].nunique()
    for ax in images:
        assert ax.images[0].get_array().shape == (2, 2)
        assert len(ax.texts) == 4  # each cell says its probability
    assert any(ax.get_label() == "<colorbar>" for ax in fig.axes)


def test_final_tariffs_per_swept_value(study: tuple[pd.DataFrame, list[str]]) -> None:
    runs, keys = study
    fig = plot_final_tariffs(runs, keys[0])
    assert_readable(fig, legend=False)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(v) for v in sorted(runs[keys[0]].unique())]
    assert "%" in ax.get_ylabel()


def test_deal_timing_marks_deadline_extension_and_election(single: Path) -> None:
    import json

    runs = pd.read_parquet(single / "runs.parquet")
    summary = json.loads((single / "summary.json").read_text())
    fig = plot_deal_timing(runs, summary)
    assert_readable(fig, legend=True)
    japan = next(ax for ax in fig.axes if ax.get_title() == "Japan (JPN)")
    styles = {line.get_linestyle() for line in japan.lines}
    assert {"-", ":", "-."} <= styles  # deadline, extension, election
    assert japan.xaxis.get_major_formatter().__class__.__name__ == "ConciseDateFormatter"
    assert "%" in fig._supylabel.get_text()


def test_deal_timing_by_swept_value_has_a_legend_of_values(study: tuple[pd.DataFrame, list[str]], sweep: Path) -> None:
    import json

    runs, keys = study
    fig = plot_deal_timing(runs, json.loads((sweep / "0" / "summary.json").read_text()), by=keys[0])
    assert_readable(fig, legend=True)
    labels = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert any("= 0.4" in label for label in labels) and any("= 1.5" in label for label in labels)


def test_scenario_summary_is_one_page_with_every_partner(single: Path) -> None:
    fig = plot_scenario_summary(single)
    assert_readable(fig, legend=True)
    codes = [ax.get_title().split("(")[-1].rstrip(")") for ax in fig.axes if ax.get_title()]
    assert codes == list(json.loads((single / "summary.json").read_text())["partners"])  # one tariff panel each
    titles = " ".join(ax.get_title(loc="left") + " " + ax.get_ylabel() for ax in fig.axes)
    for word in ("tariff", "Deal dates", "Market stress", "political capital"):
        assert word.lower() in titles.lower()


def test_save_writes_png_and_svg_atomically(single: Path, tmp_path: Path) -> None:
    written = save(plot_scenario_summary(single), tmp_path / "out" / "summary.png")
    assert [p.suffix for p in written] == [".png", ".svg"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in written[1].read_bytes()[:500]
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temporary left


def test_write_study_figures_for_a_run_and_a_sweep(single: Path, sweep: Path, study) -> None:
    from sim.io.study_table import study_runs

    names = {p.name for p in write_study_figures(single, *study_runs(single))}
    assert names == {"study_summary.png", "study_summary.svg", "study_deal_timing.png", "study_deal_timing.svg"}
    names = {p.stem for p in write_study_figures(sweep, *study)}
    assert names == {"study_deal_timing", "study_deal_heatmap", "study_final_tariffs"}


def test_scenario_summary_draws_daily_bands_from_the_first_replications(single: Path, monkeypatch) -> None:
    replications = pd.read_parquet(single / "runs.parquet")["run_id"].nunique()
    assert "daily bands" not in plot_scenario_summary(single)._suptitle.get_text()
    monkeypatch.setattr("sim.plots.figures.FIGURE_RUNS", 2)
    title = plot_scenario_summary(single)._suptitle.get_text()
    assert f"{replications} replications (daily bands from the first 2)" in title


def legends_over_data(fig: Figure) -> list[str]:
    """Titles of the data panels that a legend overlaps (none in a readable figure)."""
    fig.draw_without_rendering()
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    panels = [ax for ax in fig.axes if ax.axison and (ax.lines or ax.collections or ax.images)]
    return [ax.get_title() or ax.get_title(loc="left") for legend in legends for ax in panels
            if legend.get_window_extent().overlaps(ax.get_window_extent())]


def test_no_legend_covers_data(single: Path, study: tuple[pd.DataFrame, list[str]]) -> None:
    runs, keys = study
    summary = json.loads((single / "summary.json").read_text())
    for fig in (plot_scenario_summary(single), plot_context(single), plot_deal_timing(runs, summary),
                plot_deal_timing(runs, summary, by=keys[0])):
        assert legends_over_data(fig) == []


def test_the_context_figure_has_market_stress_and_every_partners_capital(single: Path) -> None:
    fig = plot_context(single)
    assert_readable(fig, legend=True)
    stress, capital = fig.axes[:2]
    assert "Market stress" in stress.get_title(loc="left")
    scenario = list(json.loads((single / "summary.json").read_text())["partners"])
    assert [line.get_label().split("(")[-1].rstrip(")") for line in capital.lines[:len(scenario)]] == scenario


def test_sweep_figures_follow_the_given_partner_order(study: tuple[pd.DataFrame, list[str]]) -> None:
    runs, keys = study
    order = ["VNM", "KOR", "CAN", "EU", "JPN"]
    for fig in (plot_deal_heatmap(runs, keys[0], keys[1], order), plot_final_tariffs(runs, keys[0], order)):
        titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
        assert [t.split("(")[-1].rstrip(")") for t in titles] == order


def test_date_tick_labels_do_not_run_into_one_another(study: tuple[pd.DataFrame, list[str]]) -> None:
    runs, keys = study
    dates = {v: d for v, d in zip(sorted(runs[keys[0]].unique()), ["2025-06-09", "2025-07-09"])}
    runs = runs.assign(**{keys[0]: runs[keys[0]].map(dates)})
    runs = pd.concat([runs, runs.assign(**{keys[0]: "2025-08-01"}), runs.assign(**{keys[0]: "2025-08-15"}),
                      runs.assign(**{keys[0]: "2025-09-01"})], ignore_index=True)
    fig = plot_final_tariffs(runs, keys[0])
    fig.draw_without_rendering()
    labels = [t.get_window_extent() for t in fig.axes[0].get_xticklabels()]
    assert len(labels) == 5
    assert not any(a.overlaps(b) for a, b in zip(labels, labels[1:]))
