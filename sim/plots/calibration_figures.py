"""Diagnostics of a calibration: the marginal posteriors per generation and the pairwise posterior.

Drawn from the particle table alone (``particles.parquet`` of ``tariffsim-calibrate``: one row per
particle, its parameters, ``weight`` and ``generation``), with pyabc's weighted kernel density
estimates; never loads the model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots.figure_style import Writer, save_figure
from sim.io.files import atomic_write

__all__ = ["plot_marginals", "plot_pairwise", "write_calibration_figures"]

Limits = dict[str, tuple[float, float]]


def _short(key: str) -> str:
    """``scenario.environment.market_stress.threshold`` -> ``market_stress.threshold``; a partner's
    key keeps its code: ``scenario.partners.IND.strategy.beta`` -> ``IND.strategy.beta``."""
    parts = key.split(".")
    if parts[:2] == ["scenario", "partners"] and len(parts) > 3:
        return ".".join(parts[2:])
    return ".".join(parts[-2:]) if len(parts) > 1 else key


def plot_marginals(particles: pd.DataFrame, limits: Limits, point: dict[str, float], title: str = "") -> Figure:
    """One panel per parameter: the weighted density of each generation's particles over the prior's
    range (light: early generations; dark: the last, the posterior), and the point estimate."""
    from pyabc.visualization.kde import kde_1d

    keys = list(limits)
    generations = sorted(particles["generation"].unique())
    fig = Figure(figsize=(max(4.2 * len(keys), 6.0), 3.6), layout="constrained")
    axes = fig.subplots(1, len(keys), squeeze=False)[0]
    shades = np.linspace(1.0, 0.25, len(generations))[::-1]  # the last generation darkest
    for ax, key in zip(axes, keys):
        low, high = limits[key]
        for shade, t in zip(shades, generations):
            rows = particles[particles["generation"] == t]
            x, pdf = kde_1d(rows[[key]], rows["weight"].to_numpy(float), key, xmin=low, xmax=high, numx=120)
            last = t == generations[-1]
            ax.plot(x, pdf, color=(0.1, 0.3, 0.7, shade), lw=2.2 if last else 1.0,
                    label=f"generation {t}" + (" (posterior)" if last else ""))
        ax.axhline(1.0 / (high - low), color="0.6", ls=":", lw=1, label="uniform on the prior's range")
        ax.axvline(point[key], color="C1", lw=1.5, label=f"point estimate {point[key]:.3g}")
        ax.set_xlim(low, high)
        ax.set_ylim(bottom=0)
        ax.set_xlabel(_short(key))
        ax.set_ylabel("density")
        ax.legend(fontsize=7, frameon=False)
    fig.suptitle(title or "Marginal posteriors by generation", fontsize=10)
    return fig


def plot_pairwise(posterior: pd.DataFrame, limits: Limits, point: dict[str, float], title: str = "") -> Figure:
    """pyabc's KDE matrix of the posterior (the last generation): marginals on the diagonal, weighted
    2-D densities below it, the particles above it; the point estimate in orange."""
    from pyabc.visualization import plot_kde_matrix

    keys = list(limits)
    fig = Figure(figsize=(2.9 * len(keys) + 0.6, 2.9 * len(keys) + 0.4))
    axes = fig.subplots(len(keys), len(keys), squeeze=False)
    plot_kde_matrix(posterior[keys], posterior["weight"].to_numpy(float), limits=limits, refval=point,
                    names={k: _short(k) for k in keys}, arr_ax=axes, colorbar=False)  # it lays the figure out
    fig.suptitle(title or "Pairwise posterior", fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def write_calibration_figures(particles: pd.DataFrame, limits: Limits, point: dict[str, float], folder: Path,
                              title: str = "", write: Writer = atomic_write) -> list[Path]:
    """``marginals.png`` and, with two or more parameters, ``pairwise.png`` (each with an SVG) in ``folder``."""
    last = particles[particles["generation"] == particles["generation"].max()]
    written = save_figure(plot_marginals(particles, limits, point, title), Path(folder) / "marginals.png", write)
    if len(limits) > 1:
        written += save_figure(plot_pairwise(last, limits, point, title), Path(folder) / "pairwise.png", write)
    return written
