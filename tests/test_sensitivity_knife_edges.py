"""Several metrics screened from the same runs, and the one-at-a-time knife-edge check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.analysis import sensitivity_oat
from sim.config import ConfigError
from sim.apps.sensitivity import main, run_sensitivity
from sim.config.sensitivity_study import Parameter, load_sensitivity
from sim.analysis.sensitivity_oat import knife_edges, levels_of, one_at_a_time, top_parameters

WEIGHT = "scenario.partners.JPN.politics.election.weight"
STRIKE = "scenario.environment.court.strike_probability"
STUDY = {
    "name": "pair", "method": "morris", "samples": 2, "levels": 4, "replications": 2, "seed": 5,
    "metric": {"name": "deal_probability", "partner": ["JPN", "EU"]},
    "parameters": [{"key": WEIGHT, "low": 0.0, "high": 0.6}, {"key": STRIKE, "low": 0.1, "high": 0.6}],
    "overrides": ["figures=false"],
}


def write_study(tmp_path, **changes):
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump({**STUDY, **changes}))
    return path


def test_a_list_of_partners_gives_one_metric_each(tmp_path):
    study = load_sensitivity(write_study(tmp_path))
    assert [m.label for m in study.outputs] == ["JPN_deal_probability", "EU_deal_probability"]
    assert study.metric.partner == "JPN"
    single = load_sensitivity(write_study(tmp_path, metric={"name": "deal_day", "partner": "KOR"}))
    assert [m.label for m in single.outputs] == ["KOR_deal_day"]


def test_a_bad_partner_in_the_list_is_refused_naming_it(tmp_path, capsys):
    with pytest.raises(ConfigError, match=r"metric.partner=.*partner code"):
        load_sensitivity(write_study(tmp_path, metric={"name": "deal_probability", "partner": ["JPN", 3]}))
    assert main([str(write_study(tmp_path, metric={"name": "deal_probability", "partner": ["JPN", "JPX"]})),
                 "--out", str(tmp_path / "out")]) == 2
    assert "metric.partner='JPX'" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_several_metrics_come_from_the_same_runs_as_one(tmp_path):
    pair = run_sensitivity(load_sensitivity(write_study(tmp_path)), tmp_path / "pair", workers=1, progress=False,
                           figures=False)
    eu = load_sensitivity(write_study(tmp_path, metric={"name": "deal_probability", "partner": "EU"}))
    alone = run_sensitivity(eu, tmp_path / "eu", workers=1, progress=False, figures=False)
    assert list(pair.columns) == ["metric", "parameter", "index", "value", "confidence"]
    assert set(pair["metric"]) == {"JPN_deal_probability", "EU_deal_probability"}
    mine = pair[pair["metric"] == "EU_deal_probability"].drop(columns="metric").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, alone)
    samples = pd.read_parquet(tmp_path / "pair" / "samples.parquet")
    assert list(samples.columns)[-2:] == ["JPN_deal_probability", "EU_deal_probability"]
    np.testing.assert_array_equal(samples["EU_deal_probability"],
                                  pd.read_parquet(tmp_path / "eu" / "samples.parquet")["EU_deal_probability"])


def test_top_parameters_merges_each_metrics_ranking():
    indices = pd.DataFrame({
        "metric": ["A"] * 3 + ["B"] * 3, "parameter": ["x", "y", "z"] * 2, "index": "mu_star",
        "value": [0.1, 0.5, 0.3, 0.9, 0.0, 0.2], "confidence": 0.0})
    assert top_parameters(indices, 2) == ["y", "z", "x"]
    assert top_parameters(indices.drop(columns="metric").iloc[:3], 1) == ["y"]


def test_levels_span_the_range_and_integers_stay_whole():
    assert levels_of(Parameter("a", 0.0, 1.0), 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert levels_of(Parameter("d", 1, 4, integer=True), 5).tolist() == [1.0, 2.0, 3.0, 4.0]


def test_knife_edges_are_the_largest_swings_above_the_threshold():
    sweep = pd.DataFrame({
        "parameter": ["x"] * 3 + ["y"] * 3, "level": [0.0, 0.5, 1.0] * 2, "metric": "JPN",
        "value": [0.9, 0.85, 0.1, 0.4, 0.6, 0.5]})
    parameters = {"x": Parameter("x", 0.0, 1.0), "y": Parameter("y", 0.0, 1.0)}
    edges = knife_edges(sweep, parameters, {"JPN": 0.85}, threshold=0.5)
    assert edges["parameter"].tolist() == ["x", "y"]
    assert edges["swing"].tolist() == pytest.approx([0.8, 0.2])
    assert edges["knife_edge"].tolist() == [True, False]
    assert edges.loc[0, ["at_min", "at_max", "baseline"]].tolist() == [1.0, 0.0, 0.85]


def test_one_at_a_time_moves_one_parameter_on_common_seeds(tmp_path):
    from sim.apps.sensitivity import base_config

    study = load_sensitivity(write_study(tmp_path))
    sweep, baseline = one_at_a_time(study, base_config(study.overrides), [STRIKE], workers=1, replications=4,
                                    levels=3, progress=False)
    assert sweep["level"].unique().tolist() == [0.1, 0.35, 0.6]
    assert set(sweep["metric"]) == set(baseline) == {"JPN_deal_probability", "EU_deal_probability"}
    # common seeds: the level equal to the baseline's value gives the baseline's metrics exactly
    at_baseline = sweep[np.isclose(sweep["level"], 0.35)].set_index("metric")["value"]
    base = one_at_a_time(study, base_config([*study.overrides, "scenario.environment.court.strike_probability=0.35"]),
                         [], workers=1, replications=4, progress=False)[1]
    assert at_baseline.to_dict() == base


def test_the_command_runs_the_check_and_reuses_a_finished_study(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sensitivity_oat, "REPLICATION_FACTOR", 1)
    monkeypatch.setattr(sensitivity_oat, "LEVELS", 2)
    monkeypatch.setattr(sensitivity_oat, "TOP", 1)
    path, out = str(write_study(tmp_path)), tmp_path / "out"
    assert main([path, "--out", str(out), "--no-figures", "--workers", "1"]) == 0
    capsys.readouterr()
    calls = []
    monkeypatch.setattr("sim.apps.sensitivity.run_sensitivity", lambda *a, **k: calls.append(a))
    assert main([path, "--out", str(out), "--one-at-a-time", "--workers", "1"]) == 0
    assert calls == []  # the finished Morris study was reused
    edges = pd.read_parquet(out / "knife_edges.parquet")
    assert set(edges["metric"]) == {"JPN_deal_probability", "EU_deal_probability"}
    sweep = pd.read_parquet(out / "one_at_a_time.parquet")
    assert set(sweep["level"]) <= {0.0, 0.6, 0.1} and len(sweep) == 2 * 2 * sweep["parameter"].nunique()  # levels x metrics x parameters
    assert sweep["parameter"].nunique() in (1, 2)  # the top 1 of each metric
    assert "swing" in capsys.readouterr().out
