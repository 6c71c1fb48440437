"""One self-contained HTML report of a run or a multirun: config, outcome table, figures.

Everything is inside the file: figures are base64 PNG ``data:`` URIs, the style sheet is inline,
there is no script and no link to anything off the page, so it opens offline and can be mailed.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim import __version__
from sim.plots.figures import Writer
from sim.io.files import atomic_write
from sim.io.jobs import read_json
from sim.io.report_inputs import STUDY_COLUMNS
from sim.io.study_table import study_runs, study_summary  # the study table, as tariffsim-report builds it

REPORT = "report.html"
_CAPTIONS = {  # each figure once: what it shows
    "dance.png": "The negotiation dance: each side's utility of the latest offers (first replication).",
    "tariff_paths.png": "US headline tariff in force on each partner: the share of replications at each rate.",
    "deal_dates.png": "When deals were announced, and the share of replications without one.",
    "context": "Market stress and the partner governments' political capital.",
    "study_deal_timing": "Deal timing: the share of replications with a deal in force by each date.",
    "study_deal_heatmap": "Probability of a deal per partner over the two swept settings.",
    "study_final_tariffs": "Final headline tariff per partner, per swept value.",
}
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
pre { background: #f7f7f7; padding: .8em; font-size: .8em; max-height: 30em; overflow: auto; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: .9em; color: #555; }
.meta { color: #555; font-size: .9em; }
"""


def write_html_report(run_dir: Path, study: tuple[pd.DataFrame, list[str]] | None = None,
                      write: Writer = atomic_write, out: Path | None = None, order: Sequence[str] = ()) -> Path:
    """Write ``report.html`` for a run directory or a multirun (sweep) directory.

    A multirun's jobs (sub-folders with ``runs.parquet`` and ``.hydra/overrides.yaml``) are
    combined, with the swept values as columns. Each figure appears once: a run's dance, tariff
    paths, deal dates and context; a sweep's deal timing, deal heatmap and final tariffs.

    Args:
        run_dir: What ``tariffsim`` (or ``tariffsim -m``) wrote.
        study: The study's runs table (``job``, the swept keys and at least
            ``sim.io.report_inputs.STUDY_COLUMNS``) and its swept keys, where the caller has them already;
            read from ``run_dir`` (those columns only) when not given.
        write: ``write(path, fill)``: fills a temporary file and gives it its name (atomically).
        out: The folder to write into (default: ``run_dir``).
        order: The scenario's partner order (default: the one in the first job's summary.json).

    Returns:
        The path of the report.

    Raises:
        ReportError: When ``run_dir`` holds no complete run.
    """
    from sim.plots.study_figures import study_figures

    root = Path(run_dir)
    runs, keys = study if study is not None else study_runs(root, STUDY_COLUMNS)
    single = (root / "runs.parquet").is_file()
    summary = _summary(root if single else _first_job(root))
    order = list(order) or list(summary.get("partners") or {})
    sections = [_header(root, runs, keys, single, summary)]
    sections.append(_outcomes(runs, keys, single, lambda r, k: study_summary(r, k, order)))
    if single and (root / "timeseries.parquet").is_file() and (root / "events.parquet").is_file():
        from sim.plots.figures import run_figures
        from sim.io.report_inputs import read_schema
        from sim.plots.scenario_figures import plot_context

        for name in ("timeseries.parquet", "events.parquet"):
            read_schema(root / name)  # a damaged file is named, not a traceback

        drawn = {**run_figures(root), "context": plot_context(root)}
    else:
        drawn = study_figures(root, runs, keys, order)
    figures = [(f"data:image/png;base64,{_png(fig)}", _CAPTIONS.get(stem, stem)) for stem, fig in drawn.items()]
    sections.append(_figures(figures))
    sections.append(_validation(root, single))
    sections.append(_config(root, single))
    page = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>tariffsim report: {html.escape(root.name)}</title><style>{_STYLE}</style></head>"
            f"<body>{''.join(sections)}</body></html>\n")
    path = Path(out or root) / REPORT
    write(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return path


def _first_job(root: Path) -> Path:
    """The first job of a sweep with a readable summary.json (for the dates common to all jobs)."""
    return next((p.parent for p in sorted(root.glob("*/summary.json")) if read_json(p) is not None), root)


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _header(root: Path, runs: pd.DataFrame, keys: list[str], single: bool, summary: dict[str, Any]) -> str:
    name = summary.get("scenario", "scenario")
    what = "one run" if single else f"a sweep of {runs['job'].nunique()} jobs over {', '.join(keys) or 'nothing'}"
    reps = runs.groupby("job")["run_id"].nunique().min() if "job" in runs else runs["run_id"].nunique()
    return (f"<h1>tariffsim report: {html.escape(str(name))}</h1>"
            f"<p class=\"meta\">{html.escape(what)}; {reps} replications per job; "
            f"horizon {html.escape(str(summary.get('start', '?')))} to {html.escape(str(summary.get('end', '?')))}, "
            f"deadline {html.escape(str(summary.get('deadline', '?')))}. Directory "
            f"<code>{html.escape(str(root))}</code>; written {dt.datetime.now():%Y-%m-%d %H:%M} by "
            f"tariffsim {__version__}.</p>")


def _summary(run_dir: Path) -> dict[str, Any]:
    return read_json(Path(run_dir) / "summary.json") or {}


def _outcomes(runs: pd.DataFrame, keys: list[str], single: bool, study_summary: Any) -> str:
    table = study_summary(runs, keys)
    table = table.assign(
        deal_probability=lambda t: [f"{p:.0%} ({lo:.0%}–{hi:.0%})" for p, lo, hi in
                                    zip(t["deal_probability"], t["deal_probability_low"], t["deal_probability_high"])],
        median_final_tariff=lambda t: [f"{v:.1f}%" for v in t["median_final_tariff"]],
        median_deal_date=lambda t: [str(v) if v is not None and v == v else "—" for v in t["median_deal_date"]],
    )
    columns = ([] if single else ["job", *keys]) + ["partner", "replications", "deal_probability",
                                                     "median_deal_date", "median_final_tariff"]
    shown = table[columns].rename(columns={
        "deal_probability": "P(deal) (95% interval)", "median_deal_date": "median deal date",
        "median_final_tariff": "median final headline tariff", **{k: k.split(".", 1)[-1] for k in keys}})
    return ("<h2>Outcomes</h2><p class=\"meta\">Per partner: the share of replications with a deal announced by "
            "the horizon (Wilson 95% interval), the median date deals were announced, and the median US "
            "headline tariff at the horizon.</p>" + shown.to_html(index=False, escape=True, border=0))


def _figures(figures: list[tuple[str, str]]) -> str:
    items = "".join(f"<figure><img src=\"{uri}\" alt=\"{html.escape(caption)}\">"
                    f"<figcaption>{html.escape(caption)}</figcaption></figure>" for uri, caption in figures)
    return f"<h2>Figures</h2>{items}"


def _validation(root: Path, single: bool) -> str:
    """The scores ``tariffsim-validate`` wrote into the directory, if it was run there (else nothing)."""
    if single:
        info = read_json(root / "validation.json")
        if not info or not isinstance(info.get("summary"), list):
            return ""
        table, against = pd.DataFrame(info["summary"]), Path(str(info.get("observed", "?"))).name
        figure = root / "validation_reliability.png"
    else:
        path = root / "validation_study.parquet"
        try:
            table = pd.read_parquet(path) if path.is_file() else None
        except (OSError, ValueError):
            table = None
        if table is None or table.empty:
            return ""
        against, figure = "the observed outcomes given to tariffsim-validate", None
        table = table.rename(columns={k: k.split(".", 1)[-1] for k in table.columns if "." in k})
    shown = table.to_html(index=False, escape=True, border=0, na_rep="—", float_format=lambda v: f"{v:.3f}")
    image = ""
    if figure is not None and figure.is_file():
        uri = base64.b64encode(figure.read_bytes()).decode("ascii")
        caption = "Reliability: the model's probability of each scored event against how often it happened."
        image = (f"<figure><img src=\"data:image/png;base64,{uri}\" alt=\"{caption}\">"
                 f"<figcaption>{caption}</figcaption></figure>")
    return (f"<h2>Validation</h2><p class=\"meta\">Scores against {html.escape(against)} "
            "(tariffsim-validate; docs/validation.md): mean Brier and log score of each \"deal by a date\" "
            "event, CRPS of dates (days) and rates (points), share of observations inside the model's 50% and "
            "90% intervals; beside naive forecasts. Lower is better.</p>" + shown + image)


def _config(root: Path, single: bool) -> str:
    source = root if single else next((p.parent.parent for p in sorted(root.glob("*/.hydra/config.yaml"))), root)
    path = source / ".hydra" / "config.yaml"
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else "(no .hydra/config.yaml found)"
    where = "" if single else (f" of job <code>{html.escape(source.name)}</code>; the other jobs differ only in "
                               "the swept values of the outcome table")
    return f"<h2>Resolved configuration</h2><p class=\"meta\">.hydra/config.yaml{where}.</p><pre>{html.escape(text)}</pre>"
