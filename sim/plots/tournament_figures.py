"""Heatmaps of a strategy tournament, drawn from its tables alone (``sim/analysis/tournament.py``).

Rows are US strategies and columns partner strategies, both in ranking order (best first), so
the top-left cell is the meeting of the two sides' best strategies. Figures are built as
:class:`~matplotlib.figure.Figure` objects without pyplot.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots.figures import DPI, save_figure

# (file, column, colour-bar label, title, colour map)
HEATMAPS = (
    ("deal_rate.png", "deal", "share of partner tables with a deal by the horizon",
     "How often a deal was made", "cividis"),
    ("us_utility.png", "us_utility", "mean US utility (1 = the US ideal package)",
     "What the United States got", "viridis"),
    ("partner_utility.png", "partner_utility", "mean partner utility (1 = its ideal package)",
     "What the partners got", "viridis"),
)
NOTE = ("Rows and columns are in ranking order (1 = best mean utility for that side). Utilities are each side's "
        "own, in [0, 1]; without a deal a side gets what no deal is worth to it at the horizon (its reservation "
        "value). Cells: mean over replications and partners; grey: not played (reasons in tournament.json).")
NOTE_SIZE = 7.5
INTERVALS = "strategy_intervals.png"
INTERVALS_NOTE = ("Dots: each strategy's mean utility over its opponents (left) and its share of tables with a deal "
                  "(right); bars: 95% intervals, Student's t over the replication seeds (left) and Wilson's over the "
                  "tables (right). Strategies best first on their side; strategy_stats.csv and pairwise.csv hold "
                  "the numbers and the Holm-adjusted tests.")


def matrix(table: pd.DataFrame, ranking: pd.DataFrame, column: str, us: Sequence[str] = (),
           partners: Sequence[str] = ()) -> pd.DataFrame:
    """The mean of ``column`` per (US strategy, partner strategy), rows and columns in rank order.

    Entrants in ``us`` and ``partners`` that played no match come last; a match not played is NaN.
    """
    means = table.groupby(["us_strategy", "partner_strategy"])[column].mean().unstack()
    rows = ranking.loc[ranking["side"] == "us", "strategy"].tolist()
    cols = ranking.loc[ranking["side"] == "partner", "strategy"].tolist()
    rows += [s for s in us if s not in rows]
    cols += [s for s in partners if s not in cols]
    return means.reindex(index=rows, columns=cols).astype(float)


def plot_heatmap(values: pd.DataFrame, title: str, label: str, cmap: str, subtitle: str = "",
                 fmt: str = "{:.2f}", limits: tuple[float, float] | None = None) -> Figure:
    """An annotated heatmap: US strategies down, partner strategies across.

    Args:
        values: US strategies × partner strategies (labels as shown), in rank order; NaN marks a match not played.
        title: Figure title. label: Colour-bar label (what the colour measures, and its units).
        cmap: Matplotlib colour map name. subtitle: A line under the title (the settings).
        fmt: Format of the cell annotations. limits: Colour range (default: the data's range).
    """
    n_rows, n_cols = values.shape
    fig = Figure(figsize=(max(8.0, 1.0 * n_cols + 4.0), max(4.4, 0.55 * n_rows + 3.4)), dpi=DPI,
                 layout="constrained")
    ax = fig.subplots()
    grid = values.to_numpy(dtype=float)
    finite = grid[np.isfinite(grid)]
    lo, hi = limits if limits is not None else ((finite.min(), finite.max()) if finite.size else (0.0, 1.0))
    if hi - lo < 1e-9:
        lo, hi = lo - 0.01, hi + 0.01
    ax.set_facecolor("0.85")  # matches not played show through as grey
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=lo, vmax=hi, aspect="auto")
    for (i, j), v in np.ndenumerate(grid):
        if not np.isfinite(v):
            ax.text(j, i, "not\nplayed", ha="center", va="center", fontsize=8, color="0.3")
            continue
        r, g, b, _ = image.cmap(image.norm(v))
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=9,
                color="white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black")
    ax.set_xticks(range(n_cols), list(values.columns), rotation=35, ha="right")
    ax.set_yticks(range(n_rows), list(values.index))
    ax.set_xlabel("partner strategy (played by every chosen partner)")
    ax.set_ylabel("US strategy")
    ax.set_xticks(np.arange(n_cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n_rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", lw=1.5)
    ax.tick_params(which="minor", length=0)
    fig.colorbar(image, ax=ax, shrink=0.95, pad=0.02).set_label(label, fontsize=9)
    width = fig.get_figwidth()
    # Constrained layout makes room for text above and below, never beside: long lines are wrapped
    # to the figure's width, or a small tournament's narrow figure would cut them off.
    fig.suptitle(_wrap(title, width, 12 * 1.1), fontsize=12, fontweight="bold")
    if subtitle:
        ax.set_title(_wrap(subtitle, width - 2.5, 9), fontsize=9)
    fig.supxlabel(_wrap(NOTE, width, NOTE_SIZE), fontsize=NOTE_SIZE, color="0.3")
    return fig


def _wrap(text: str, inches: float, points: float) -> str:
    """``text`` in lines that fit ``inches`` at a font of ``points`` (a character is ~0.6 em wide at most)."""
    return textwrap.fill(text, width=max(20, int(inches * 72 / (0.6 * points))))


def _ranked_labels(ranking: pd.DataFrame, side: str, entered: Sequence[str]) -> dict[str, str]:
    """Tick labels of one side: ``3. hold until election`` (its rank there); ``– name`` if unranked."""
    mine = ranking[ranking["side"] == side]
    labels = {s: f"– {s.replace('_', ' ')}" for s in entered}
    return labels | {r.strategy: f"{r.rank}. {r.strategy.replace('_', ' ')}" for r in mine.itertuples()}


def heatmaps(table: pd.DataFrame, ranking: pd.DataFrame, settings: dict[str, Any]) -> dict[str, Figure]:
    """The three tournament heatmaps (deal rate, mean US utility, mean partner utility) by file name.

    Args:
        table: tournament.parquet. ranking: ranking.parquet.
        settings: tournament.json (``scenario``, ``seed``, ``replications``, ``partners`` and the
            entrants ``us_strategies`` / ``partner_strategies``, so that unplayed ones show too).
    """
    replications = settings.get("replications", "?")
    plural = "" if replications == 1 else "s"
    subtitle = (f"scenario {settings.get('scenario', '?')}, {replications} replication{plural} "
                f"per match, seed {settings.get('seed', '?')}; partner strategy played by "
                f"{', '.join(settings.get('partners', [])) or 'every partner'}")
    us = settings.get("us_strategies", ())
    partners = settings.get("partner_strategies", ())
    rows, cols = _ranked_labels(ranking, "us", us), _ranked_labels(ranking, "partner", partners)
    figures = {}
    for name, column, label, title, cmap in HEATMAPS:
        deal = column == "deal"
        values = matrix(table, ranking, column, us, partners).rename(index=rows, columns=cols)
        figures[name] = plot_heatmap(values, f"{title}: US strategy vs partner strategy",
                                     label, cmap, subtitle, "{:.0%}" if deal else "{:.3f}",
                                     (0.0, 1.0) if deal else None)
    return figures


def write_heatmaps(table: pd.DataFrame, ranking: pd.DataFrame, out: Path, settings: dict[str, Any],
                   written: Callable[[Path], None] | None = None) -> list[Path]:
    """Write the heatmaps as PNG and SVG files under ``out/figures/``, atomically; returns their paths.

    ``written`` is told each path as soon as its file is complete (to remove them all if a later one fails).
    """
    paths = []
    for name, fig in heatmaps(table, ranking, settings).items():
        for path in save_figure(fig, Path(out) / "figures" / name):  # PNG and SVG
            paths.append(path)
            if written is not None:
                written(path)
    return paths


def plot_intervals(stats: pd.DataFrame, settings: dict[str, Any]) -> Figure:
    """Each strategy's mean utility and deal rate with their 95% intervals, one row of panels per side.

    Args:
        stats: strategy_stats.parquet (``sim/analysis/tournament_stats.py``): per side and strategy, ``mean_utility``
            with ``utility_low``/``utility_high`` and ``deal_rate`` with ``deal_low``/``deal_high``.
        settings: tournament.json (``scenario``, ``seed``, ``replications``) for the subtitle.
    """
    sides = [("us", "US strategies"), ("partner", "partner strategies")]
    counts = [max(1, int((stats["side"] == side).sum())) for side, _ in sides]
    fig = Figure(figsize=(9.0, 2.4 + 0.32 * sum(counts)), dpi=DPI, layout="constrained")
    axes = fig.subplots(2, 2, gridspec_kw={"height_ratios": counts})  # each side's utilities on their own scale
    for (side, title), row in zip(sides, axes):
        mine = stats[stats["side"] == side].sort_values("mean_utility", ascending=True, kind="stable")
        y = np.arange(len(mine))
        for ax, value, low, high, colour in ((row[0], "mean_utility", "utility_low", "utility_high", "C0"),
                                             (row[1], "deal_rate", "deal_low", "deal_high", "C2")):
            centre = mine[value].to_numpy(dtype=float)
            # a missing interval (one replication) draws no bar rather than a wrong one
            # (Wilson's upper end at a rate of 1 may round a hair below it: no negative bars)
            below = np.clip(np.nan_to_num(centre - mine[low].to_numpy(dtype=float), nan=0.0), 0.0, None)
            above = np.clip(np.nan_to_num(mine[high].to_numpy(dtype=float) - centre, nan=0.0), 0.0, None)
            ax.errorbar(centre, y, xerr=[below, above], fmt="o", color=colour, capsize=3, ms=5)
            ax.set_yticks(y, [s.replace("_", " ") for s in mine["strategy"]] if ax is row[0] else [])
            ax.grid(axis="x", color="0.9")
            ax.set_ylim(-0.6, len(mine) - 0.4)
        row[0].set_ylabel(title)
        row[1].set_xlim(-0.02, 1.02)
    axes[1][0].set_xlabel("mean utility (1 = the side's ideal package)")
    axes[1][1].set_xlabel("deal rate (share of tables with a deal)")
    replications = settings.get("replications", "?")
    fig.suptitle("Strategies' mean utility and deal rate, with 95% intervals", fontsize=12, fontweight="bold")
    axes[0][0].set_title(_wrap(f"scenario {settings.get('scenario', '?')}, {replications} replication"
                               f"{'' if replications == 1 else 's'} per match, seed {settings.get('seed', '?')}",
                               4.0, 9), fontsize=9)
    axes[0][1].set_title("same strategies, same order", fontsize=9)
    fig.supxlabel(_wrap(INTERVALS_NOTE, fig.get_figwidth(), NOTE_SIZE), fontsize=NOTE_SIZE, color="0.3")
    return fig


def write_intervals(stats: pd.DataFrame, out: Path, settings: dict[str, Any],
                    written: Callable[[Path], None] | None = None) -> list[Path]:
    """Write the intervals figure as PNG and SVG under ``out/figures/``, atomically; returns their paths."""
    paths = save_figure(plot_intervals(stats, settings), Path(out) / "figures" / INTERVALS)
    for path in paths:
        if written is not None:
            written(path)
    return paths
