"""The reliability diagram of ``tariffsim-validate``: forecast probability against observed frequency.

Drawn from the score table alone (:func:`sim.analysis.validation.score`'s rows of kind ``binary``); never
loads the model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots.figure_style import Writer, save_figure
from sim.io.files import atomic_write

__all__ = ["plot_reliability", "write_reliability"]

BINS = np.linspace(0.0, 1.0, 6)  # five bins of forecast probability
STYLE = {"model": ("o", "C0"), "naive base rate": ("s", "C1")}


def plot_reliability(table: pd.DataFrame, title: str = "") -> Figure:
    """The reliability diagram of the binary items of ``table``: per bin of forecast probability, the
    share of events that happened against the bin's mean forecast (marker area: number of items),
    the model beside the naive base rate; each item as a tick at its forecast (top: happened)."""
    fig = Figure(figsize=(6.4, 6.0), layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--", label="perfect reliability")
    ax.axhline(0.5, color="0.85", lw=0.8, zorder=0)
    binary = table[table["kind"] == "binary"]
    for forecaster, (marker, colour) in STYLE.items():
        rows = binary[binary["forecaster"] == forecaster]
        if rows.empty:
            continue
        which = np.clip(np.digitize(rows["forecast"], BINS[1:-1]), 0, len(BINS) - 2)
        groups = rows.groupby(which)
        mean_p, freq, count = groups["forecast"].mean(), groups["observed"].mean(), groups.size()
        brier = rows["brier"].mean()
        ax.plot(mean_p, freq, color=colour, lw=1, alpha=0.7)
        ax.scatter(mean_p, freq, s=25 + 25 * count, marker=marker, color=colour, alpha=0.85, zorder=3,
                   label=f"{forecaster} (mean Brier {brier:.3f}, {len(rows)} items)")
        for x, y, k in zip(mean_p, freq, count):
            ax.annotate(str(k), (x, y), textcoords="offset points", xytext=(7, -3), fontsize=8, color=colour)
        if forecaster == "model":
            ticks = rows["observed"].to_numpy() * 1.06 - 0.03  # happened: just above 1; did not: just below 0
            ax.scatter(rows["forecast"], ticks, marker="|", s=120, color=colour, alpha=0.6, clip_on=False)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.06, 1.06)
    ax.set_xlabel("forecast probability (share of replications)")
    ax.set_ylabel("observed frequency")
    ax.set_title(title or "Reliability of the run's forecasts", fontsize=10)
    note = "numbers: items per bin; ticks: each item at its model forecast (top: it happened, bottom: it did not)"
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", fontsize=8, frameon=False,
               title=note, title_fontsize=7)
    return fig


def write_reliability(table: pd.DataFrame, path: Path, title: str = "", write: Writer = atomic_write) -> list[Path]:
    """Save the reliability diagram as ``path`` (PNG) and beside it as SVG; returns the paths written."""
    return save_figure(plot_reliability(table, title), path, write)
