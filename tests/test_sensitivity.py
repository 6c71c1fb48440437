"""Sensitivity studies: validated settings, seeded samples, the same indices with any workers."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.config import ConfigError
from sim.apps import sensitivity
from sim.apps.sensitivity import base_config, main, run_sensitivity
from sim.analysis.sensitivity_checkpoint import Checkpoint, fingerprint
from sim.config.sensitivity_study import SENSITIVITY_DIR, load_sensitivity, set_key
from sim.analysis.sensitivity_samples import metric_value

STUDY = {
    "name": "tiny", "method": "sobol", "samples": 4, "second_order": False, "replications": 1, "seed": 3,
    "metric": {"name": "deal_probability", "partner": "JPN"},
    "parameters": [
        {"key": "scenario.partners.JPN.politics.election.weight", "low": 0.0, "high": 0.6},
        {"key": "scenario.us.strategy.beta", "low": 0.2, "high": 1.5},
    ],
    "overrides": ["figures=false"],
}


def write_study(tmp_path, **changes):
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump({**STUDY, **changes}))
    return path


def test_the_studies_the_docs_name_are_shipped():
    assert {"jpn_deal", "deal_day_morris"} <= {p.stem for p in SENSITIVITY_DIR.glob("*.yaml")}


@pytest.mark.parametrize("name", sorted(p.stem for p in SENSITIVITY_DIR.glob("*.yaml")))
def test_every_shipped_study_is_valid_and_names_real_keys(name):
    from sim.apps.sensitivity import check_bounds

    study = load_sensitivity(name)
    check_bounds(base_config(study.overrides), study)


def test_set_key_changes_existing_keys_only():
    data = {"a": {"b": [{"c": 1}, {"c": 2}]}}
    set_key(data, "a.b.1.c", 5)
    assert data == {"a": {"b": [{"c": 1}, {"c": 5}]}}
    with pytest.raises(KeyError, match="a.x"):
        set_key(data, "a.x.y", 1)


def test_bad_settings_are_refused_naming_the_key(tmp_path):
    with pytest.raises(ConfigError, match="samples=6: must be a power of 2"):
        load_sensitivity(write_study(tmp_path, samples=6))
    with pytest.raises(ConfigError, match=r"metric.name='happiness'"):
        load_sensitivity(write_study(tmp_path, metric={"name": "happiness", "partner": "JPN"}))
    with pytest.raises(ConfigError, match=r"parameters\[0\].high=0.0: must be greater than low"):
        load_sensitivity(write_study(tmp_path, parameters=[{"key": "seed", "low": 1.0, "high": 0.0}]))


def test_unknown_keys_and_invalid_bounds_are_refused_before_running(tmp_path, capsys):
    bad = [{"key": "scenario.us.strategy.nonsense", "low": 0.0, "high": 1.0},
           {"key": "scenario.partners.JPN.letter_rate", "low": 0.0, "high": 150.0}]
    assert main([str(write_study(tmp_path, parameters=bad)), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "scenario.us.strategy.nonsense" in err and "letter_rate=150 gives an invalid config" in err
    assert not (tmp_path / "out").exists()


def test_metric_known_answers():
    from tests.conftest import baseline_columns

    RUN_COLUMNS = baseline_columns()[0]

    def row(run_id, partner, deal, day, tariff):
        values = dict.fromkeys(RUN_COLUMNS, None)
        values.update(run_id=run_id, partner=partner, deal=deal, deal_day=day, final_tariff=tariff)
        return tuple(values[c] for c in RUN_COLUMNS)

    rows = [row(0, "JPN", True, 100, 10.0), row(0, "EU", False, None, 20.0),
            row(1, "JPN", False, None, 25.0), row(1, "EU", True, 50, 10.0)]
    assert metric_value(rows, "deal_probability", "JPN", 174) == 0.5
    assert metric_value(rows, "deal_day", "JPN", 174) == (100 + 175) / 2
    assert metric_value(rows, "final_tariff", "EU", 174) == 15.0
    assert metric_value(rows, "deals", None, 174) == 1.0


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("sa")
    study = load_sensitivity(write_study(root))
    run_sensitivity(study, root / "one", workers=1, progress=False)
    run_sensitivity(study, root / "two", workers=2, progress=False)
    return root


def test_a_study_writes_samples_indices_and_chart(tiny):
    out = tiny / "one"
    samples = pd.read_parquet(out / "samples.parquet")
    assert len(samples) == 4 * (2 + 2)  # Sobol without second order: N (D + 2)
    assert list(samples.columns) == [p["key"] for p in STUDY["parameters"]] + ["JPN_deal_probability"]
    assert samples["JPN_deal_probability"].isin([0.0, 1.0]).all()
    assert samples["scenario.us.strategy.beta"].between(0.2, 1.5).all()
    indices = pd.read_parquet(out / "indices.parquet")
    assert list(indices.columns) == ["parameter", "index", "value", "confidence"]
    assert set(indices["index"]) == {"S1", "ST"} and len(indices) == 4
    assert (out / "indices.png").stat().st_size > 10_000
    assert b"<svg" in (out / "indices.svg").read_bytes()[:500]  # a vector copy beside it
    assert json.loads((out / "study.json").read_text())["runs"] == 16
    assert not list(out.glob(".*.tmp"))


def test_one_and_two_workers_give_the_same_samples_and_indices(tiny):
    for name in ("samples.parquet", "indices.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(tiny / "one" / name), pd.read_parquet(tiny / "two" / name))


def test_morris_gives_mu_star_with_intervals(tmp_path):
    study = load_sensitivity(write_study(tmp_path, method="morris", samples=3, levels=4))
    indices = run_sensitivity(study, tmp_path / "m", workers=1, progress=False, figures=False)
    mu_star = indices[indices["index"] == "mu_star"]
    assert len(mu_star) == 2 and (mu_star["value"] >= 0).all() and np.isfinite(mu_star["confidence"]).all()
    assert len(pd.read_parquet(tmp_path / "m" / "samples.parquet")) == 3 * (2 + 1)


def test_an_interrupted_study_resumes_where_it_stopped(tmp_path, monkeypatch):
    study = load_sensitivity(write_study(tmp_path))  # 16 samples
    fresh = run_sensitivity(study, tmp_path / "fresh", workers=1, progress=False, figures=False)
    monkeypatch.setattr("sim.run.parallel.MAX_CHUNK", 4)  # chunks of 4 samples
    monkeypatch.setattr("sim.analysis.sensitivity_checkpoint.EVERY_SECONDS", 0.0)
    evaluate, evaluated = sensitivity.evaluate_samples, []

    def interrupted_after_two_chunks(base, parameters, values, *rest):
        if len(evaluated) == 8:
            raise KeyboardInterrupt
        evaluated.extend(values.tolist())
        return evaluate(base, parameters, values, *rest)

    monkeypatch.setattr("sim.apps.sensitivity.evaluate_samples", interrupted_after_two_chunks)
    out = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        run_sensitivity(study, out, workers=1, progress=False, figures=False)
    assert (out / ".evaluated.npz").is_file() and not (out / "samples.parquet").exists()

    evaluated.clear()
    monkeypatch.setattr("sim.apps.sensitivity.evaluate_samples", lambda *args: evaluated.extend(args[2].tolist()) or evaluate(*args))
    resumed = run_sensitivity(study, out, workers=1, progress=False, figures=False)
    assert len(evaluated) == 8  # only the samples not done before the interruption
    pd.testing.assert_frame_equal(resumed, fresh)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "samples.parquet"), pd.read_parquet(tmp_path / "fresh" / "samples.parquet"))
    assert not (out / ".evaluated.npz").exists()


def test_a_checkpoint_of_another_study_is_ignored(tmp_path):
    study = load_sensitivity(write_study(tmp_path))
    other = load_sensitivity(write_study(tmp_path, seed=4))
    problem, x = sensitivity.draw(other)
    Checkpoint(tmp_path / "out", fingerprint(dataclasses.asdict(other), base_config(other.overrides), x)).save(
        np.zeros(len(x)), force=True)
    run_sensitivity(study, tmp_path / "out", workers=1, progress=False, figures=False)
    fresh = run_sensitivity(study, tmp_path / "fresh", workers=1, progress=False, figures=False)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out" / "indices.parquet"), fresh)


def test_an_output_path_that_is_a_file_is_refused_before_any_sample(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sim.apps.sensitivity.evaluate_samples", lambda *a: pytest.fail("a sample was evaluated"))
    (tmp_path / "file").write_text("")
    for out in (tmp_path / "file", tmp_path / "file" / "below"):
        assert main([str(write_study(tmp_path)), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert f"--out {out}" in err and "is a file" in err and "Traceback" not in err


def test_a_study_file_with_a_yaml_syntax_error_names_the_file_and_line(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\nmethod: sobol\nsamples: 4\n  seed: [\n")
    assert main([str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "not valid YAML at line 4" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option", [["--workers", "-1"], ["--workers", "0"], ["--samples", "-4"],
                                    ["--replications", "0"]])
def test_options_out_of_range_are_refused_naming_the_option(tmp_path, capsys, option):
    with pytest.raises(SystemExit) as stopped:
        main([str(write_study(tmp_path)), "--out", str(tmp_path / "out"), *option])
    assert stopped.value.code == 2
    assert f"argument {option[0]}: '{option[1]}' is not a whole number" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_overrides_must_be_a_list_of_strings(tmp_path):
    with pytest.raises(ConfigError, match=r"overrides='figures=false': must be a list of KEY=VALUE strings"):
        load_sensitivity(write_study(tmp_path, overrides="figures=false"))


def test_a_result_that_cannot_be_written_leaves_none_and_keeps_the_evaluated_samples(tmp_path, capsys, monkeypatch):
    import errno

    def full_disk(fig, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("sim.plots.report_figures.save", full_disk)
    out = tmp_path / "out"
    assert main([str(write_study(tmp_path)), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "indices.png" in err and "resumes" in err and "Traceback" not in err
    assert [p.name for p in out.iterdir()] == [".evaluated.npz"]  # no final name; the work is kept


@pytest.mark.parametrize("method, samples, evaluated", [("sobol", 4, 16), ("morris", 3, 9)])
def test_the_chart_title_gives_the_samples_asked_and_the_runs(tmp_path, method, samples, evaluated):
    from sim.plots.sensitivity_figures import plot_indices

    study = load_sensitivity(write_study(tmp_path, method=method, samples=samples, replications=2))
    indices = pd.DataFrame({"parameter": ["a", "b"], "index": ["S1", "S1"], "value": [0.1, 0.2],
                            "confidence": [0.01, 0.02]})
    text = plot_indices(indices, study, "JPN_deal_probability", evaluated)._suptitle.get_text()
    asked = "4 samples" if method == "sobol" else "3 trajectories"
    assert f"{asked} ({evaluated} parameter sets) x 2 replications = {evaluated * 2} runs" in text


def test_an_unknown_metric_partner_is_refused_before_any_sample(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sim.apps.sensitivity.evaluate_samples", lambda *a: pytest.fail("a sample was evaluated"))
    study = write_study(tmp_path, metric={"name": "deal_day", "partner": "JPX"})
    assert main([str(study), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "metric.partner='JPX': not a partner" in err and "JPN, EU" in err and not (tmp_path / "out").exists()


def test_a_chart_of_many_parameters_shows_the_largest_and_says_so(tmp_path):
    from sim.plots.sensitivity_figures import MAX_BARS, plot_indices

    study = load_sensitivity(write_study(tmp_path, method="morris", samples=3, replications=2))
    n = MAX_BARS + 15
    names = [f"p{i}" for i in range(n)]
    indices = pd.DataFrame({"parameter": names * 2, "index": ["mu_star"] * n + ["sigma"] * n,
                            "value": [i / n for i in range(n)] * 2, "confidence": [0.01] * 2 * n})
    fig = plot_indices(indices, study, "JPN_deal_probability", 9)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == MAX_BARS and labels[0] == f"p{n - 1}" and "p0" not in labels  # largest first
    assert f"the {MAX_BARS} largest of {n} parameters" in fig.axes[0].get_title()
