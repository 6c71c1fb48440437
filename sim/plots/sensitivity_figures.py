"""The bar chart of a sensitivity study's indices, with their 95% confidence intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots.figures import DPI
from sim.config.sensitivity_study import SensitivityStudy
from sim.plots.report_figures import short_key

MAX_BARS = 25  # parameters drawn; a study of more shows the largest (a readable page, not a scroll)

# Okabe-Ito colours not used for partners' main lines, one per index.
_INDEX_STYLE = {
    "S1": ("#56B4E9", "first order S1 (alone)"),
    "ST": ("#0072B2", "total ST (with interactions)"),
    "mu_star": ("#009E73", "μ* (mean absolute elementary effect)"),
    "sigma": ("#E69F00", "σ (spread: interactions, non-linearity)"),
}


def plot_indices(indices: pd.DataFrame, study: SensitivityStudy, metric: str, evaluated: int) -> Figure:
    """Horizontal grouped bars: one group per parameter, one bar per index, 95% intervals.

    Args:
        indices: ``indices.parquet`` as a DataFrame (``parameter, index, value, confidence``).
        study: The study (method, samples asked, replications) for the title.
        metric: The output's name, e.g. ``JPN_deal_probability``.
        evaluated: Number of parameter sets evaluated (Sobol: N (D + 2) of N samples; Morris:
            r (D + 1) of r trajectories).
    """
    shown = [i for i in _INDEX_STYLE if i in set(indices["index"])]
    names = list(dict.fromkeys(indices.loc[indices["index"].isin(shown), "parameter"]))
    total = len(names)
    if total > MAX_BARS:  # a screening of every judgement: the most influential, by the main index
        main = indices[indices["index"] == ("ST" if "ST" in shown else shown[0])]
        names = list(main.sort_values("value", ascending=False)["parameter"].head(MAX_BARS))
    fig = Figure(figsize=(10.0, 1.2 + 0.75 * len(names)), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    height = 0.8 / len(shown)
    for k, index in enumerate(shown):
        rows = indices[indices["index"] == index].set_index("parameter").reindex(names)
        ys = np.arange(len(names)) + (k - (len(shown) - 1) / 2) * height
        conf = rows["confidence"].to_numpy(float)
        colour, label = _INDEX_STYLE[index]
        ax.barh(ys, rows["value"], height=height * 0.95, color=colour, label=label,
                xerr=None if np.isnan(conf).all() else np.nan_to_num(conf), capsize=3,
                error_kw={"lw": 1, "ecolor": "0.2"})
    ax.set_yticks(range(len(names)), [short_key(n) for n in names])
    ax.invert_yaxis()
    ax.axvline(0, color="0.3", lw=0.8)
    ax.grid(axis="x", lw=0.4, alpha=0.5)
    unit = "share of the output's variance" if study.method == "sobol" else f"change in {metric} over the range"
    ax.set_xlabel(f"sensitivity index ({unit}); bars: 95% confidence interval")
    if total > len(names):
        ax.set_title(f"the {len(names)} largest of {total} parameters (all in indices.parquet)", fontsize=9)
    fig.legend(loc="outside lower center", ncols=len(shown), fontsize=8)
    fig.suptitle(title(study, metric, evaluated))
    return fig


def title(study: SensitivityStudy, metric: str, evaluated: int) -> str:
    """What was asked and what ran, e.g. ``Sobol sensitivity of M: 256 samples (1,792 parameter sets) x 4
    replications = 7,168 runs``."""
    sobol = study.method == "sobol"
    method, nouns = ("Sobol", ("sample", "samples")) if sobol else ("Morris", ("trajectory", "trajectories"))
    asked = f"{study.samples:,} {nouns[study.samples != 1]}"
    replications = f"{study.replications:,} replication{'s' if study.replications != 1 else ''}"
    return (f"{method} sensitivity of {metric}: {asked} ({evaluated:,} parameter sets) x {replications} "
            f"= {evaluated * study.replications:,} runs")
