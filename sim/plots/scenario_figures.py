"""One scenario on a page, and the daily context (market stress, political capital) of a run.

Both read a run directory's files alone (``runs.parquet``, ``timeseries.parquet`` of the first
``FIGURE_RUNS`` replications, ``summary.json``); partners come in the scenario's order, legends
sit outside the axes so that they cover no data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.plots.figure_style import DPI, REFERENCE_COLOR, color_of, label_of, mark_study_dates  # one look for every figure
from sim.plots.figures import first_runs, headline_tariff, partner_order, rate_ribbons, rate_shares, read_columns

TARIFF_COLUMNS = 4  # tariff panels per row of the scenario page
_OUTSIDE = {"loc": "center left", "bbox_to_anchor": (1.01, 0.5), "fontsize": 7, "title_fontsize": 7}


def _read(run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    run_dir = Path(run_dir)
    runs = read_columns(run_dir / "runs.parquet", ["run_id", "partner", "deal_date", "final_deadline"])
    series = read_columns(run_dir / "timeseries.parquet",
                          ["run_id", "date", "partner", headline_tariff(run_dir), "political_capital", "market_stress"],
                          first_runs(runs["run_id"]))
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    return runs, series, summary


def _dated(ax: Axes, summary: dict[str, Any], runs: pd.DataFrame, ylabel: str, title: str) -> None:
    """Horizon, labels, deadlines and elections (in the partner's colour) of a dated panel."""
    ax.set_xlim(pd.Timestamp(summary["start"]), pd.Timestamp(summary["end"]))
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_xlabel("date (2025)", fontsize=8)
    ax.set_title(title, fontsize=9, loc="left")
    ax.grid(lw=0.4, alpha=0.5)
    mark_study_dates(ax, summary, runs, "")
    for partner, day in (summary.get("elections") or {}).items():
        ax.axvline(pd.Timestamp(day), color=color_of(partner, summary), lw=0.9, ls="-.")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))


def _context(stress: Axes, capital: Axes, series: pd.DataFrame, runs: pd.DataFrame, summary: dict[str, Any],
             partners: list[str]) -> None:
    """Market stress (median and 10–90% band) and each partner government's median political capital."""
    for partner in partners:
        path = series[series["partner"] == partner].groupby("date")["political_capital"].median()
        capital.plot(path.index, path.to_numpy(), color=color_of(partner, summary), lw=1.6,
                     label=label_of(partner, summary))
    market = series.groupby("date")["market_stress"].quantile([0.1, 0.5, 0.9]).unstack()
    stress.fill_between(market.index, market[0.1], market[0.9], color="0.5", alpha=0.2, lw=0, label="10–90%")
    stress.plot(market.index, market[0.5], color="black", lw=1.5, label="median")
    _dated(stress, summary, runs, "market stress (index)",
           "Market stress (0 calm; the US gives ground above its threshold)")
    _dated(capital, summary, runs, "political capital (0–1)", "Partner governments' political capital (median)")
    capital.set_ylim(0, 1)
    handles, labels = stress.get_legend_handles_labels()
    handles += [Line2D([], [], color=REFERENCE_COLOR, lw=0.9, ls=s) for s in ("-", ":", "-.")]
    labels += ["original deadline", "extended deadline", "election (partner's colour)"]
    stress.legend(handles, labels, title="over replications", **_OUTSIDE)
    capital.legend(title="partner", **_OUTSIDE)


def plot_context(run_dir: Path) -> Figure:
    """Market stress and the partner governments' political capital over the horizon of a run."""
    runs, series, summary = _read(run_dir)
    partners = partner_order(runs["partner"].unique(), summary)
    fig = Figure(figsize=(11.0, 5.6), dpi=DPI, layout="constrained")
    stress, capital = fig.subplots(2, 1, sharex=True)
    _context(stress, capital, series, runs, summary, partners)
    drawn = series["run_id"].nunique()
    fig.suptitle(f"Market stress and political capital ({drawn:,} replication{'s' if drawn != 1 else ''})")
    return fig


def plot_scenario_summary(run_dir: Path) -> Figure:
    """One page for one scenario: tariffs, deal dates, market stress and political capital.

    Reads ``runs.parquet`` (deal dates of every replication), ``timeseries.parquet`` (the daily
    shares and bands, from the first ``FIGURE_RUNS`` replications) and ``summary.json`` of
    ``run_dir``. The tariffs are one small panel per partner: a ribbon per rate in force, as
    thick as the share of replications at it.
    """
    runs, series, summary = _read(run_dir)
    partners = partner_order(runs["partner"].unique(), summary)
    n = runs["run_id"].nunique()
    drawn = series["run_id"].nunique()
    banded = "" if drawn == n else f" (daily bands from the first {drawn:,})"
    # The tariff panels in rows of up to TARIFF_COLUMNS; the page (A4 portrait for up to four
    # partners) grows by a row of panels and the table's lines for more.
    cols = min(max(len(partners), 1), TARIFF_COLUMNS)
    rows = -(-max(len(partners), 1) // cols)
    table_height = 1.5 + 0.12 * max(len(partners) - 5, 0)
    fig = Figure(figsize=(8.3, 11.7 + 2.2 * (rows - 1) + (table_height - 1.5)), dpi=DPI, layout="constrained")
    grid = fig.add_gridspec(rows + 4, cols, height_ratios=[2.2] * rows + [3, 2, 2.4, table_height])
    tariffs = [fig.add_subplot(grid[k // cols, k % cols]) for k in range(len(partners))]
    timing, stress, capital, table = (fig.add_subplot(grid[rows + row, :]) for row in range(4))
    for ax, partner in zip(tariffs, partners):
        colour = color_of(partner, summary)
        rate_ribbons(ax, rate_shares(series[series["partner"] == partner]), colour)
        ax.set_title(label_of(partner, summary), color=colour, fontsize=8 if cols < 4 else 7, fontweight="bold")
        ax.set_xlim(pd.Timestamp(summary["start"]), pd.Timestamp(summary["end"]))
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(4, 6, 8, 10)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b"))
        ax.tick_params(labelsize=7)
        ax.set_xlabel("date (2025)", fontsize=7)
        ax.grid(axis="y", lw=0.4, alpha=0.5)
        mark_study_dates(ax, summary, runs, partner)
    top = max(ax.get_ylim()[1] for ax in tariffs) if tariffs else 1.0
    for ax in tariffs:
        ax.set_ylim(0, top)
    for k, ax in enumerate(tariffs):
        ax.set_ylabel("US headline tariff (%)" if k == 0 else "tariff (%)", fontsize=7)
    if tariffs:
        tariffs[cols - 1].legend([Patch(color="0.45", alpha=0.55, lw=0)],
                           ["thickness: share of runs\nat the rate that day;\n% at the horizon"], **_OUTSIDE)
    for partner in partners:
        dealt = runs[(runs["partner"] == partner)]
        days = np.sort(pd.to_datetime(dealt["deal_date"]).dropna().to_numpy())
        share = np.arange(1, len(days) + 1) / max(len(dealt), 1) * 100
        last = share[-1] if len(days) else 0.0
        timing.step(np.r_[np.datetime64(summary["start"]), days, np.datetime64(summary["end"])],
                    np.r_[0.0, share, last], where="post", color=color_of(partner, summary), lw=1.8,
                    label=partner)
    _dated(timing, summary, runs, "deal in force (% of runs)", "Deal dates: cumulative share of replications with a deal")
    timing.set_ylim(0, 105)
    lines = [Line2D([], [], color=REFERENCE_COLOR, lw=0.9, ls=s) for s in ("-", ":", "-.")]
    timing.legend([*timing.lines[:len(partners)], *lines],
                  [*partners, "original deadline", "extended deadline", "election (partner's colour)"], **_OUTSIDE)
    _context(stress, capital, series, runs, summary, partners)
    _outcome_table(table, summary, partners)
    fig.suptitle(f"{summary.get('scenario', 'scenario')}: {n:,} replications{banded}, seed {summary.get('seed', '?')}")
    return fig


def _outcome_table(ax: Axes, summary: dict[str, Any], partners: list[str]) -> None:
    ax.axis("off")
    outcomes = summary.get("partners") or {}
    codes = [code for code in partners if code in outcomes]
    rows = [[label_of(code, summary), f"{outcomes[code]['deal_probability']:.0%}",
             outcomes[code]["median_deal_date"] or "—", f"{outcomes[code]['median_final_tariff']:.1f}%"]
            for code in codes]
    if rows:
        table = ax.table(rows, colLabels=["partner", "P(deal)", "median deal date", "median final tariff"],
                         loc="center", cellLoc="center")
        table.auto_set_font_size(False)
        table.set_fontsize(8)
        for (row, _), cell in table.get_celld().items():
            if row > 0:
                cell.get_text().set_color(color_of(codes[row - 1], summary))
