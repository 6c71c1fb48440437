"""Figures of ``tariffsim-report``: outcomes per partner against each swept value.

Drawn from the combined runs table (``study_runs.parquet``) alone, with the partner colours of
:mod:`sim.plots.figures`; built as :class:`~matplotlib.figure.Figure` objects without pyplot.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.plots.figure_style import color_of, name_of
from sim.plots.figures import DPI, Writer, partner_order, save_figure
from sim.io.files import atomic_write
from sim.io.study_table import wilson

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
# Words for the last part of a swept key, so the axis says what the number means.
_MEANINGS = {
    "beta": "concession exponent β (<1 holds firm, >1 concedes early)",
    "deadline": "US deadline (date)",
    "letter_rate": "letter rate (%)",
    "seed": "top-level seed",
    "replications": "replications per job",
    "strike_probability": "probability (0–1)",
    "extension_days": "days",
}


Order = Sequence[str] | dict[str, Any]  # partner codes in order, or a summary.json (also names and colours)


def _partners(codes: pd.Series, order: Order = ()) -> list[str]:
    return partner_order(codes, order)


def _summary(order: Order) -> dict[str, Any] | None:
    return order if isinstance(order, dict) else None


def short_key(key: str) -> str:
    """``scenario.partners.JPN.politics.election.weight`` -> ``JPN.politics.election.weight``."""
    parts = key.split(".")
    if parts[0] == "scenario":
        parts = parts[1:]
    if parts and parts[0] == "partners":
        parts = parts[1:]
    return ".".join(parts) or key


def axis_label(key: str) -> str:
    """The short key, with what its value means where known."""
    short = short_key(key)
    meaning = _MEANINGS.get(key.split(".")[-1])
    return f"{short}: {meaning}" if meaning else short


def _x_values(values: pd.Series) -> tuple[pd.Series, str]:
    """The swept values as plottable x: numbers, dates, or category labels."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float), "number"
    text = values.astype(str)
    if text.map(lambda v: bool(_ISO_DATE.fullmatch(v))).all():
        return pd.to_datetime(text), "date"
    return text, "category"


def _dodge(values: pd.Index, positions: list, categories: list | None, i: int, n: int) -> list:
    """x positions of ``values``, shifted a little for the ``i``-th of ``n`` series."""
    shift = (i - (n - 1) / 2) * 0.012
    if categories is not None:
        return [categories.index(v) + shift for v in values]
    span = (positions[-1] - positions[0]) if len(positions) > 1 else None
    if span is None or not span:
        return list(values)
    return [v + span * shift for v in values]


def plot_against(runs: pd.DataFrame, key: str, others: list[str], order: Order = ()) -> Figure:
    """Deal probability (95% Wilson interval) and median deal date per partner against ``key``.

    Jobs that differ only in the other swept keys (``others``) are pooled. Partners come in the
    scenario's ``order`` (codes, or the first job's summary.json, which also gives their names and
    colours); the legend sits right of the panels, where it covers no point.
    """
    x, kind = _x_values(runs[key])
    data = runs.assign(_x=x.to_numpy())
    categories = sorted(data["_x"].unique()) if kind == "category" else None
    fig = Figure(figsize=(12.0, 5.2), dpi=DPI, layout="constrained")
    left, right = fig.subplots(1, 2)
    partners = _partners(data["partner"], order)
    positions = sorted(data["_x"].unique())
    for i, partner in enumerate(partners):
        by = data[data["partner"] == partner].groupby("_x", sort=True)
        deals, n = by["deal"].sum(), by["run_id"].size()
        # A small sideways offset per partner, so that lines which coincide (all at 100%) stay visible.
        xs = _dodge(deals.index, positions, categories, i, len(partners))
        p = (deals / n).to_numpy()
        low, high = wilson(deals.to_numpy(float), n.to_numpy(float))
        style = {"color": color_of(partner, _summary(order)), "marker": _MARKERS[i % len(_MARKERS)],
                 "ms": 5, "lw": 1.6, "label": f"{partner} ({name_of(partner, _summary(order))})"}
        left.errorbar(xs, p, yerr=np.clip([p - low, high - p], 0, None), capsize=3, **style)
        dates = by["deal_date"].agg(lambda d: pd.to_datetime(d.dropna()).median() if d.notna().any() else pd.NaT)
        dates = dates.dropna()
        if len(dates):
            right.plot(_dodge(dates.index, positions, categories, i, len(partners)), dates.to_numpy(), **style)
    left.set_ylim(-0.03, 1.03)
    left.yaxis.set_major_formatter(PercentFormatter(1.0))
    left.set_ylabel("deal probability (share of replications, 95% interval)")
    left.set_title("Deal by the horizon")
    right.set_ylabel("median date the deal was announced (replications with a deal)")
    right.set_title("When deals were announced")
    right.yaxis.set_major_locator(mdates.AutoDateLocator())
    right.yaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    for ax in (left, right):
        ax.set_xlabel(axis_label(key))
        ax.grid(lw=0.4, alpha=0.5)
        if categories is not None:
            ax.set_xticks(range(len(categories)), categories, rotation=20)
        elif len(positions) <= 12:  # a tick at each swept value
            labels = [pd.Timestamp(v).strftime("%d %b %Y") if kind == "date" else f"{v:g}" for v in positions]
            ax.set_xticks(positions, labels, rotation=20 if kind == "date" else 0)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, title="partner", fontsize=8, loc="outside right center", frameon=False)
    per_job = int(runs.groupby("job")["run_id"].nunique().median())
    pooled = f"; pooled over {', '.join(short_key(k) for k in others)}" if others else ""
    fig.suptitle(f"Outcomes against {short_key(key)} "
                 f"({runs['job'].nunique()} jobs, {per_job} replications each{pooled})")
    return fig


def plot_partners(runs: pd.DataFrame, order: Order = ()) -> Figure:
    """Deal probability per partner (95% interval) for a study with nothing swept, in the scenario's ``order``."""
    fig = Figure(figsize=(8.0, 4.5), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    partners = _partners(runs["partner"], order)
    by = runs.groupby("partner")
    deals, n = by["deal"].sum()[partners], by["run_id"].size()[partners]
    p = (deals / n).to_numpy()
    low, high = wilson(deals.to_numpy(float), n.to_numpy(float))
    ax.bar(range(len(partners)), p, yerr=np.clip([p - low, high - p], 0, None), capsize=4,
           color=[color_of(c, _summary(order)) for c in partners])
    ax.set_xticks(range(len(partners)), [name_of(c, _summary(order)) for c in partners],
                  **({"rotation": 30, "ha": "right"} if len(partners) > 5 else {}))
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("deal probability (95% interval)")
    ax.grid(axis="y", lw=0.4, alpha=0.5)
    fig.suptitle(f"Deal by the horizon ({runs.groupby('job')['run_id'].nunique().sum()} replications)")
    return fig


def _slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", ".".join(key.split(".")[-3:])).strip("_")


def save(fig: Figure, path: Path, write: Writer = atomic_write) -> list[Path]:
    """Save ``fig`` as a PNG at ``path`` and an SVG beside it, each atomically (``save_figure``)."""
    return save_figure(fig, path, write)


def write_report_figures(root: Path, runs: pd.DataFrame, keys: list[str], write: Writer = atomic_write,
                         order: Order = ()) -> list[Path]:
    """One figure per swept key under ``root/figures/`` (one partner chart when nothing was swept),
    each as PNG and SVG, through ``write``; partners in the scenario's ``order`` (codes, or a summary.json
    that also gives their names and colours)."""
    out = Path(root) / "figures"
    if not keys:
        return save(plot_partners(runs, order), out / "study_deal_probability.png", write)
    return [path for key in keys
            for path in save(plot_against(runs, key, [k for k in keys if k != key], order),
                             out / f"study_{_slug(key)}.png", write)]
