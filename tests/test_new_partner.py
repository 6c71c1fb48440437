"""A new partner and new issues from YAML alone, and figures for 1 to 10 partners (issue 12, items 1 and 7).

Each test writes its own config directory (``tmp_path/my_conf``, laid out like ``sim/conf``), adds
it to Hydra's search path with ``--config-dir`` (README, "Your own configs") and runs ``tariffsim``
end to end with figures on, from outside the checkout: no Python names the new partners.
"""

from __future__ import annotations

import json
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from sim.config.paths import CONF
from sim.config.scenario import COLOUR_CYCLE

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ("dance", "tariff_paths", "deal_dates")
BASELINE = ["JPN", "EU", "CAN", "KOR", "VNM"]

# India, as a researcher would add it: a country file with its trade figures (sources public by
# 1 Jul 2025, or judgement with a plausible range), and a scenario that puts it beside the five.
# Its name is its own (my_ind.yaml): the shipped country/ind.yaml (scenario wider_2025) would win.
INDIA = """\
# India: talks on a bilateral trade agreement since April 2025 (terms of reference agreed during
# the US Vice President's visit, 21 Apr 2025); sources dated on or before 1 Jul 2025.
name: India
colour: "#FF9933"       # figures only (saffron)
announced_rate: 26.0    # reciprocal rate announced on 2 Apr 2025 (executive order 14257, annex I)
pause_rate: 10.0        # baseline in force during the 90-day pause (executive order 14266, 9 Apr 2025)
letter_rate: null       # drawn when the US writes (us.letter_premium)
sector: {autos: 25.0, steel: 25.0}   # Section 232: autos since 3 Apr 2025, steel since 12 Mar 2025
imports_bn: 87          # US goods imports from India, 2024: $87.4bn (US Census Bureau, Feb 2025)
deficit_bn: 46          # US goods deficit with India, 2024: $45.7bn (US Census Bureau, Feb 2025)
issues:
  reciprocal:  {lo: 0.0, hi: 36.0, us_weight: 0.25, partner_weight: 0.35}  # hi: judgement, plausible 26-50 (the 2 Apr rate plus threats)
  steel:       {lo: 0.0, hi: 50.0, us_weight: 0.05, partner_weight: 0.10}  # hi: the 50% of 4 Jun 2025
  farm_access: {lo: 0.0, hi: 10.0, us_weight: 0.30, partner_weight: 0.30}  # dairy and GM crops; hi: judgement, plausible 5-20 (% of the market)
  purchases:   {lo: 0.0, hi: 184.0, us_weight: 0.25, partner_weight: 0.10}  # energy and defence, $bn; hi: judgement, plausible 92-276: the 2024 deficit over a four-year term (2-6 years)
  ntb:         {lo: 0.0, hi: 100.0, us_weight: 0.15, partner_weight: 0.15}  # judgement, plausible weights 0.1-0.2: non-tariff barriers (% of those flagged)
aspiration: 0.9          # judgement, plausible 0.8-1.0: sought the first deal of the round
reservation_shift: 0.05  # judgement, plausible 0-0.1: farm lobbies oppose opening dairy
strategy: {name: boulware, beta: 0.5, k: 0.0}  # judgement, plausible beta 0.3-1.0
red_lines:
  - {issue: farm_access, max: 2.0}  # judgement, plausible 0-5: dairy and GM crops stay closed
politics:
  capital: 0.6            # judgement, plausible 0.5-0.7: a government re-elected in 2024
  capital_recovery: 0.005 # judgement, plausible 0.001-0.01
  threat_cost: 0.03       # judgement, plausible 0.01-0.08
  failure_cost: 0.05      # judgement, plausible 0.02-0.1
  failure_narrowing: 0.02 # judgement, plausible 0.01-0.05
  threshold: 0.02         # judgement, plausible 0.01-0.05
  capital_weight: 0.08    # judgement, plausible 0.04-0.15
  noise: 0.02             # judgement, plausible 0.01-0.05
  election: null          # no national election in the horizon
retaliation: {gain: 0.0, us_cost: 0.0}  # judgement, plausible 0-0.05: countermeasures notified at the WTO (May 2025), not applied
"""
# The README's scenario that adds India ("Your own configs"): the page and this test agree.
WIDER = re.search(r"```yaml\n# my_conf/scenario/with_india\.yaml:.*?\n(.*?)```",
                  (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL).group(1)


def tariffsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``tariffsim ARGS`` run in ``cwd`` (outside the checkout), its output captured."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    env.pop("TARIFFSIM_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)


def write_conf(root: Path, files: dict[str, str]) -> Path:
    """``root/my_conf`` with ``files`` (relative path -> text) in it."""
    conf = root / "my_conf"
    for name, text in files.items():
        (conf / name).parent.mkdir(parents=True, exist_ok=True)
        (conf / name).write_text(text, encoding="utf-8")
    return conf


def generated_scenario(name: str, extra: list[str], keep: list[str]) -> str:
    """A scenario of the baseline's ``keep`` partners plus ``extra`` codes (each a copy of Korea's
    settings, named ``Partner <code>``, its colour from the cycle), with the baseline's events whose
    targets it declares: partners are added and removed in YAML alone."""
    base = yaml.safe_load((CONF / "scenario" / "baseline_2025.yaml").read_text(encoding="utf-8"))
    defaults = [{"/issues@issues": "trade_2025"}, {"/country@us": "usa"}, *({f"/country@partners.{c}": c.lower()} for c in keep),
                *({f"/country@partners.{c}": "kor"} for c in extra), "_self_"]
    declared = set(keep) | set(extra)
    events = [e for e in base["events"] if set(e.get("targets", ["ALL"])) - {"ALL"} <= declared]
    return yaml.safe_dump({**base, "defaults": defaults, "name": name, "events": events,
                           "partners": {c: {"name": f"Partner {c}", "colour": None} for c in extra}},
                          sort_keys=False)


def run_with_figures(conf: Path, scenario: str, replications: int = 3) -> Path:
    """Runs ``scenario`` of ``conf`` with figures; returns the run directory."""
    done = tariffsim("--config-dir", str(conf), f"scenario={scenario}", f"replications={replications}",
                     "figures=true", "hydra.run.dir=run", cwd=conf.parent)
    assert done.returncode == 0, done.stdout
    return conf.parent / "run"


def assert_figures(run: Path) -> None:
    for stem in FIGURES:
        for suffix in ("png", "svg"):
            path = run / "figures" / f"{stem}.{suffix}"
            assert path.is_file() and path.stat().st_size > 1000, path


def undated_bottom_panels(fig: Figure) -> list[str]:
    """Titles of the partner panels with no partner panel below them whose date axis has no labels."""
    fig.draw_without_rendering()
    panels = [ax for ax in fig.axes if ax.axison and ax.get_title()]
    missing = []
    for ax in panels:
        box = ax.get_position()
        below = [o for o in panels if o is not ax and abs(o.get_position().x0 - box.x0) < 1e-3
                 and o.get_position().y0 < box.y0]
        if not below and not any(t.get_visible() and t.get_text() for t in ax.get_xticklabels()):
            missing.append(ax.get_title())
    return missing


def assert_readable_layouts(run: Path) -> None:
    """Every run figure and the scenario page: dates under each column's last panel, no legend on data."""
    from sim.plots.figures import run_figures
    from sim.plots.scenario_figures import plot_scenario_summary
    from tests.test_study_figures import legends_over_data

    for name, fig in [*run_figures(run).items(), ("scenario page", plot_scenario_summary(run))]:
        assert undated_bottom_panels(fig) == [], name
        assert legends_over_data(fig) == [], name


def test_india_added_with_yaml_alone_runs_end_to_end_with_figures(tmp_path):
    conf = write_conf(tmp_path, {"country/my_ind.yaml": INDIA, "scenario/with_india.yaml": WIDER})
    run = run_with_figures(conf, "with_india")
    runs = pd.read_parquet(run / "runs.parquet")
    assert set(runs["partner"]) == {*BASELINE, "IND"}
    assert runs.groupby("partner")["run_id"].nunique().to_dict() == dict.fromkeys([*BASELINE, "IND"], 3)
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert list(summary["partners"]) == [*BASELINE, "IND"]
    assert (summary["partners"]["IND"]["name"], summary["partners"]["IND"]["colour"]) == ("India", "#FF9933")
    assert summary["partners"]["JPN"]["colour"] == "#D55E00"  # the baseline's colours are kept
    assert_figures(run)
    svg = (run / "figures" / "tariff_paths.svg").read_text(encoding="utf-8")
    assert "India (IND)" in svg and "GBR" not in svg  # its own name in the panel title
    # The report and its figures read the names and colours from the run directory too.
    report = subprocess.run([sys.executable, "-m", "sim.apps.report", str(run)], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}, timeout=300)
    assert report.returncode == 0, report.stderr
    assert "IND" in (run / "report.html").read_text(encoding="utf-8")
    assert "India" in (run / "figures" / "study_deal_probability.svg").read_text(encoding="utf-8")
    from sim.plots.scenario_figures import plot_scenario_summary  # the report's one-page summary

    titles = {ax.get_title(): to_hex(ax.title.get_color()).upper() for ax in plot_scenario_summary(run).axes}
    assert titles["India (IND)"] == "#FF9933" and titles["Japan (JPN)"] == "#D55E00"


def test_an_undeclared_event_target_names_the_declared_partners(tmp_path):
    scenario = WIDER + 'events:\n  - {date: "2025-06-01", kind: attention, targets: [IND, BRA]}\n'
    conf = write_conf(tmp_path, {"country/my_ind.yaml": INDIA, "scenario/with_india.yaml": scenario})
    done = tariffsim("--config-dir", str(conf), "scenario=with_india", "hydra.run.dir=run", cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert ("scenario.events[0].targets='BRA': must be ALL or partners the scenario declares (scenario.partners): "
            "JPN, EU, CAN, KOR, VNM, IND; declare BRA there or remove it from the event") in done.stdout
    assert "Traceback" not in done.stdout and not (tmp_path / "run").exists()


@pytest.mark.parametrize("keep, extra", [(["JPN"], []), (BASELINE, [f"P{c}" for c in string.ascii_uppercase[:5]])],
                         ids=["1 partner", "10 partners"])
def test_one_and_ten_partners_run_with_figures(tmp_path, keep, extra):
    conf = write_conf(tmp_path, {"scenario/many.yaml": generated_scenario("many", extra, keep)})
    run = run_with_figures(conf, "many", replications=2)
    codes = [*keep, *extra]
    assert set(pd.read_parquet(run / "runs.parquet")["partner"]) == set(codes)
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    colours = [row["colour"] for row in summary["partners"].values()]
    assert len(set(colours)) == len(codes)  # every partner a colour of its own
    # Those without one take the cycle's colours in declaration order, skipping those already taken.
    assert colours[len(keep):] == [c for c in COLOUR_CYCLE if c not in colours[:len(keep)]][:len(extra)]
    assert {to_hex(c).upper() for c in colours} == set(colours)
    assert_figures(run)
    assert_readable_layouts(run)


# India again, bargaining over two issues the shipped scenarios do not have: a US sector line on
# medicines (pharma) and energy purchases ($bn), declared in the scenario (scenario.issues) beside
# the baseline's. Nothing else changes: no Python names an issue.
NEW_ISSUES = """\
defaults:
  - baseline_2025
  - /country@partners.IND: my_ind
  - _self_

name: with_new_issues
issues:
  pharma: {unit: "%", line: sector, description: "a US sector tariff on medicines (test)"}
  energy: {unit: "$bn", description: "energy purchases pledged (test)"}
events:
  - {date: "2025-05-01", kind: sector_tariff, issue: pharma, targets: [IND], amount: 40.0, detail: "medicines tariff raised"}
"""
INDIA_NEW_ISSUES = re.sub(r"sector: .*\n", "sector: {autos: 25.0, steel: 25.0, pharma: 20.0}\n", INDIA).replace(
    "  purchases:   {lo: 0.0, hi: 184.0, us_weight: 0.25, partner_weight: 0.10}",
    "  pharma:      {lo: 0.0, hi: 40.0, us_weight: 0.10, partner_weight: 0.05}\n"
    "  energy:      {lo: 0.0, hi: 100.0, us_weight: 0.15, partner_weight: 0.05}")


def test_new_issues_added_with_yaml_alone_run_end_to_end_with_figures(tmp_path):
    conf = write_conf(tmp_path, {"country/my_ind.yaml": INDIA_NEW_ISSUES, "scenario/with_new_issues.yaml": NEW_ISSUES})
    run = run_with_figures(conf, "with_new_issues")
    runs = pd.read_parquet(run / "runs.parquet")
    assert {"agreed_pharma", "agreed_energy", "final_pharma"} <= set(runs.columns)
    india = runs[runs["partner"] == "IND"]
    deals = india[india["deal"]]
    assert deals["agreed_energy"].between(0, 100).all() and deals["agreed_pharma"].between(0, 40).all()
    assert runs.loc[runs["partner"] != "IND", "agreed_pharma"].isna().all()  # not on the others' tables
    series = pd.read_parquet(run / "timeseries.parquet", columns=["partner", "date", "tariff_pharma", "tariff_reciprocal"])
    mine = series[series["partner"] == "IND"]
    start = mine[mine["date"] == mine["date"].min()]
    assert len(start) == 3 and (start["tariff_pharma"] == 20.0).all()  # in force from the country file
    raised = mine[pd.to_datetime(mine["date"]) == pd.Timestamp("2025-05-01")]
    assert len(raised) == 3 and (raised["tariff_pharma"] == 40.0).all()  # the event moved the new line, in every run
    assert series.loc[series["partner"] == "JPN", "tariff_pharma"].isna().all()
    events = pd.read_parquet(run / "events.parquet")
    offers = events[(events["kind"] == "offer") & (events["target"] == "IND")]["detail"]
    assert offers.str.contains(r"energy \d+\$bn").any() and offers.str.contains(r"pharma \d+\.\d%").any()
    assert_figures(run)


def test_an_issue_the_scenario_does_not_declare_is_refused_naming_the_declared_ones(tmp_path):
    conf = write_conf(tmp_path, {"country/my_ind.yaml": INDIA_NEW_ISSUES,
                                 "scenario/with_new_issues.yaml": NEW_ISSUES.replace("  energy: {unit", "  energie: {unit")})
    done = tariffsim("--config-dir", str(conf), "scenario=with_new_issues", "hydra.run.dir=run", cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert "scenario.partners.IND.issues.energy='energy': is not an issue of scenario.issues; did you mean energie?" in done.stdout
    assert "Traceback" not in done.stdout and not (tmp_path / "run").exists()
