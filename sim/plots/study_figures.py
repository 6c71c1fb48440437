"""Figures for a study: a sweep of runs, or one scenario on a page (docs/results.md tables only).

A study's runs table is ``runs.parquet`` of every job stacked, with each swept setting as a
column named by its dotted Hydra key (``sim.io.study_table.study_runs`` builds it from a multirun
directory). Every ``plot_*`` function returns a :class:`~matplotlib.figure.Figure` built without
pyplot; ``save`` writes it as PNG and SVG, each file complete or absent; ``write_study_figures``
writes the set that suits a run or a sweep.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.plots.figure_style import DPI, REFERENCE_COLOR, color_of, label_of, mark_study_dates, shared_dates  # one look
from sim.plots.figures import Writer, partner_order, save_figure
from sim.io.files import atomic_write
from sim.io.jobs import read_json

# What a swept setting measures, by the last part of its key: the axis says its unit.
_UNITS = {
    "beta": "concession exponent β (unitless)", "weight": "weight (0–1)", "deadline": "date",
    "stress_sensitivity": "sensitivity (utility per unit of stress)", "capital": "political capital (0–1)",
    "aspiration": "utility (0–1)", "letter_rate": "%", "threshold": "utility (0–1)", "seed": "seed",
    "replications": "replications", "extension_days": "days", "deal_value": "utility (0–1)",
}


def axis_label(key: str) -> str:
    """An axis label for a swept Hydra key: ``"short name: unit"`` (the name before the colon)."""
    parts = key.split(".")
    name = ".".join(parts[-3:]) if len(parts) > 3 else key
    return f"{name}: {_UNITS.get(parts[-1], 'as configured')}"


def _partners(codes: Any, order: Sequence[str] | dict[str, Any] | None = None) -> list[str]:
    return partner_order(codes, order)


def _summary_of(order: Sequence[str] | dict[str, Any] | None) -> dict[str, Any] | None:
    """``order`` when it is a summary.json (names and colours of its partners), else None."""
    return order if isinstance(order, dict) else None


def _title(ax: Axes, partner: str, summary: dict[str, Any] | None = None) -> None:
    ax.set_title(label_of(partner, summary), color=color_of(partner, summary), fontweight="bold", fontsize=10)


def _panels(n: int, figsize: tuple[float, float], **kwargs: Any) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    axes = list(fig.subplots(-(-n // 3), 3, squeeze=False, **kwargs).ravel())
    for ax in axes[n:]:
        ax.axis("off")
    return fig, axes


def _tick_style(values: Sequence[Any]) -> dict[str, Any]:
    """Tick labels that do not run into one another: slanted when they are long (dates)."""
    return {"rotation": 30, "ha": "right", "fontsize": 7} if max(len(str(v)) for v in values) > 6 else {}


def _shades(colour: str, n: int) -> list[tuple[float, ...]]:
    """``n`` tints of ``colour``, light to full: one per swept value."""
    from matplotlib.colors import to_rgb

    rgb = np.array(to_rgb(colour))
    return [tuple(1 - (1 - rgb) * f) for f in np.linspace(0.35, 1.0, n)] if n > 1 else [tuple(rgb)]


def plot_deal_heatmap(runs: pd.DataFrame, x: str, y: str, order: Sequence[str] | dict[str, Any] = ()) -> Figure:
    """Deal probability per partner over two swept settings, one heatmap panel per partner.

    Args:
        runs: A study's runs table (``load_multirun``), with columns ``x`` and ``y``.
        x: The swept column on the horizontal axis.
        y: The swept column on the vertical axis.
        order: The scenario's partner codes in order, or a summary.json (its partners in order,
            with their names and colours); default: the paper order.
    """
    table = runs.groupby(["partner", y, x])["deal"].mean()
    xs, ys = sorted(runs[x].unique()), sorted(runs[y].unique())
    partners = _partners(runs["partner"].unique(), order)
    fig, axes = _panels(len(partners) + 1, (11.0, 3.2 * -(-(len(partners) + 1) // 3)))
    image = None
    for ax, partner in zip(axes, partners):
        grid = table.loc[partner].unstack(x).reindex(index=ys, columns=xs).to_numpy(dtype=float)
        image = ax.imshow(grid, vmin=0, vmax=1, cmap="viridis", origin="lower", aspect="auto")
        for (row, col), value in np.ndenumerate(grid):
            if not np.isnan(value):
                ax.text(col, row, f"{value:.0%}", ha="center", va="center", fontsize=8,
                        color="white" if value < 0.6 else "black")
        ax.set_xticks(range(len(xs)), [str(v) for v in xs], **_tick_style(xs))
        ax.set_yticks(range(len(ys)), [str(v) for v in ys])
        ax.set_xlabel(axis_label(x), fontsize=8)
        ax.set_ylabel(axis_label(y), fontsize=8)
        _title(ax, partner, _summary_of(order))
    axes[len(partners)].axis("off")
    if image is not None:
        fig.colorbar(image, ax=axes[len(partners)], location="left", fraction=0.25,
                     label="P(deal by the horizon) (share of replications)")
    n = runs.groupby("job")["run_id"].nunique().min() if "job" in runs else runs["run_id"].nunique()
    fig.suptitle(f"Probability of a deal per partner ({n} replications per cell)")
    return fig


def plot_final_tariffs(runs: pd.DataFrame, by: str, order: Sequence[str] | dict[str, Any] = ()) -> Figure:
    """The final headline tariff per partner, one box-and-points per value of the swept ``by``
    (partners in the scenario's ``order``: codes, or a summary.json, which also gives names and colours)."""
    values = sorted(runs[by].unique())
    partners = _partners(runs["partner"].unique(), order)
    fig, axes = _panels(len(partners), (11.0, 3.2 * -(-len(partners) // 3)), sharey=True)
    for ax, partner in zip(axes, partners):
        mine = runs[runs["partner"] == partner]
        colour = color_of(partner, _summary_of(order))
        data = [mine.loc[mine[by] == v, "final_tariff"].dropna().to_numpy() for v in values]
        ax.boxplot(data, positions=range(len(values)), widths=0.5, showfliers=False,
                   medianprops={"color": "black"}, boxprops={"color": colour},
                   whiskerprops={"color": colour}, capprops={"color": colour})
        for i, points in enumerate(data):
            jitter = ((np.arange(len(points)) * 0.618034) % 1.0 - 0.5) * 0.3
            ax.scatter(i + jitter, points, s=8, color=colour, alpha=0.5, lw=0)
        ax.set_xticks(range(len(values)), [str(v) for v in values], **_tick_style(values))
        ax.set_xlabel(axis_label(by), fontsize=8)
        ax.set_ylabel("final headline tariff (%)", fontsize=8)
        ax.grid(axis="y", lw=0.4, alpha=0.5)
        _title(ax, partner, _summary_of(order))
    axes[0].set_ylim(bottom=0)
    fig.suptitle("US headline tariff in force at the horizon, per swept value (box: quartiles; dots: replications)")
    return fig


def plot_deal_timing(runs: pd.DataFrame, summary: dict[str, Any], by: str | None = None) -> Figure:
    """Deal-timing ECDFs per partner: the share of replications with a deal in force by each date.

    The curve's plateau is the probability of a deal. The original deadline (solid grey), the
    deadlines it was extended to (dotted) and elections (dash-dot) are marked.

    Args:
        runs: runs.parquet, or a study's runs table.
        summary: summary.json of the run (or of any job of the study): start, end, deadline, elections,
            and the partners in the scenario's order.
        by: A swept column: one curve per value, in tints of the partner's colour.
    """
    data = runs.assign(deal_date=pd.to_datetime(runs["deal_date"]))
    partners = _partners(data["partner"].unique(), summary)
    values = sorted(data[by].unique()) if by else [None]
    panels = len(partners) + (1 if by else 0)
    fig, axes = _panels(panels, (11.0, max(6.4, 1.4 + 2.0 * -(-panels // 3))), sharex=True, sharey=True)
    shared_dates(axes, len(partners), 3)
    start, end = pd.Timestamp(summary["start"]), pd.Timestamp(summary["end"])
    for ax, partner in zip(axes, partners):
        mine = data[data["partner"] == partner]
        for value, shade in zip(values, _shades(color_of(partner, summary), len(values))):
            group = mine if value is None else mine[mine[by] == value]
            days = np.sort(group["deal_date"].dropna().to_numpy())
            share = np.arange(1, len(days) + 1) / max(len(group), 1) * 100
            ax.step(np.r_[np.datetime64(start), days, np.datetime64(end)], np.r_[0, share, share[-1] if len(days) else 0],
                    where="post", color=shade, lw=1.8)
        mark_study_dates(ax, summary, data, partner)
        ax.set_ylim(0, 105)
        ax.grid(lw=0.4, alpha=0.5)
        _title(ax, partner, summary)
    axes[0].set_xlim(start, end)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    axes[0].xaxis.set_major_locator(locator)
    axes[0].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    handles = [Line2D([], [], color=REFERENCE_COLOR, lw=0.9, ls=s) for s in ("-", ":", "-.")]
    labels = ["original deadline", "deadline extended to", "election"]
    title = None
    if by:
        handles += [Line2D([], [], color=c, lw=1.8) for c in _shades("0.2", len(values))]
        labels += [f"{by.split('.')[-1]} = {v}" for v in values]
        title = f"sweep of {by}\n(darker: larger)"
    if len(axes) > len(partners):  # in the free panel, where it covers no curve
        axes[len(partners)].axis("off")
        axes[len(partners)].legend(handles, labels, loc="center", fontsize=8, frameon=False, title=title,
                                   title_fontsize=8)
    else:
        fig.legend(handles, labels, loc="outside right center", fontsize=8, frameon=False, title=title,
                   title_fontsize=8)
    fig.supxlabel("date (2025)")
    fig.supylabel("replications with a deal in force (%)")
    fig.suptitle("When deals were announced: cumulative share of replications (plateau = P(deal))")
    return fig


def save(fig: Figure, path: Path, write: Writer = atomic_write) -> list[Path]:
    """Writes ``fig`` as PNG at ``path`` and as SVG beside it, each through a temporary file and a rename."""
    return save_figure(fig, path, write)


def study_figures(root: Path, runs: pd.DataFrame, keys: list[str], order: Sequence[str] = ()) -> dict[str, Figure]:
    """The figures that suit ``root``: a single run's page, or a sweep's comparisons.

    Args:
        root: A run directory, or a multirun directory whose jobs ``runs`` combines.
        runs: runs.parquet, or the study's combined runs table (``sim.io.study_table.study_runs``).
        keys: The swept columns of ``runs`` (none for a single run).
        order: The scenario's partner order (default: the one in the run's summary.json).

    Returns:
        Figures by file stem (``study_summary``, ``study_deal_timing``, ``study_deal_heatmap``,
        ``study_final_tariffs``), in reading order.
    """
    root = Path(root)
    figures: dict[str, Figure] = {}
    if (root / "runs.parquet").is_file() and (root / "timeseries.parquet").is_file() \
            and (root / "summary.json").is_file():
        from sim.plots.scenario_figures import plot_scenario_summary

        figures["study_summary"] = plot_scenario_summary(root)
    summary = _any_summary(root)
    rows = (summary or {}).get("partners") or {}
    order = list(order) or list(rows)
    # The partners in ``order``, each with its name and colour where the summary gives them.
    styled = {**(summary or {}), "partners": {code: rows.get(code) or {} for code in order}}
    if summary is not None:
        figures["study_deal_timing"] = plot_deal_timing(runs, styled, by=keys[0] if keys else None)
    if len(keys) >= 2:
        figures["study_deal_heatmap"] = plot_deal_heatmap(runs, keys[0], keys[1], styled)
    if keys:
        figures["study_final_tariffs"] = plot_final_tariffs(runs, keys[0], styled)
    return figures


def _any_summary(root: Path) -> dict[str, Any] | None:
    """The run's summary.json, or the first readable one of a job in a multirun (for the dates
    common to all jobs)."""
    for path in [root / "summary.json", *sorted(root.glob("*/summary.json"))]:
        summary = read_json(path)
        if summary is not None and {"start", "end", "deadline"} <= set(summary):
            return summary
    return None


def write_study_figures(root: Path, runs: pd.DataFrame, keys: list[str], write: Writer = atomic_write) -> list[Path]:
    """Writes ``study_figures`` under ``root/figures/`` as PNG and SVG; returns the paths written."""
    written = []
    for stem, fig in study_figures(root, runs, keys).items():
        written += save(fig, Path(root) / "figures" / f"{stem}.png", write)
    return written

