"""The forest plot of ``tariffsim-mechanisms``: the effect of each mechanism on each partner's
outcome, with its 95% interval, one panel per outcome (each has its own unit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots.figures import DPI
from sim.config.mechanism_table import OUTCOMES, MechanismTable

# Okabe-Ito: live in green, moved the wrong way in vermillion, anything else in grey.
_COLOURS = {"live": "#009E73", "wrong direction": "#D55E00", "moves (none expected)": "#D55E00"}
_OTHER = "#777777"


def forest_plot(effects: pd.DataFrame, table: MechanismTable) -> Figure:
    """Effect (changed minus baseline) and 95% interval per mechanism and partner.

    Args:
        effects: The table ``run_table`` returns.
        table: The mechanism table (replications and significance level for the title).
    """
    outcomes = [o for o in OUTCOMES if o in set(effects["outcome"])]
    heights = [max(1, int((effects["outcome"] == o).sum())) for o in outcomes]
    fig = Figure(figsize=(11.0, 1.4 + 0.32 * sum(heights) + 0.6 * len(outcomes)), dpi=DPI, layout="constrained")
    axes = fig.subplots(len(outcomes), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, outcome in zip(axes, outcomes):
        rows = effects[effects["outcome"] == outcome].reset_index(drop=True)
        ys = np.arange(len(rows))[::-1]
        for y, row in zip(ys, rows.itertuples()):
            colour = _COLOURS.get(row.verdict, _OTHER)
            low, high = row.ci_low, row.ci_high
            if np.isfinite(low) and np.isfinite(high):
                ax.hlines(y, low, high, color=colour, linewidth=2)
            ax.plot(row.effect, y, "o", color=colour, markersize=5)
        labels = [f"{r.mechanism} · {r.partner}" + (f" (by {r.by})" if r.by else "") for r in rows.itertuples()]
        ax.set_yticks(ys, labels, fontsize=8)
        ax.axvline(0.0, color="black", linewidth=0.8)
        ax.set_title(f"{outcome}: {OUTCOMES[outcome]}", fontsize=9, loc="left")
        ax.tick_params(axis="x", labelsize=8)
        ax.set_ylim(-0.7, len(rows) - 0.3)
    fig.suptitle(f"Effect of each mechanism (changed minus baseline, 95% interval), {table.replications} "
                 f"replications per arm on common seeds\ngreen: live (p < {table.alpha:g}, expected direction "
                 "and size); vermillion: significant the wrong way; grey: dead, too small or not significant",
                 fontsize=9)
    return fig
