"""The study files (sensitivity, calibration, the mechanism table) are declared once, as pydantic
settings like the scenario's: a bad file is refused with every error at once, each as
``key=value: what is allowed``, a misspelt key with the closest known one, and rules between keys
as validators; a good file loads to the values the commands have always read."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml

from sim.config import ConfigError
from sim.config.calibration_study import Prior, load_calibration
from sim.config.mechanism_table import load_table
from sim.config.sensitivity_study import Parameter, load_sensitivity

SENSITIVITY = {"name": "bad", "method": "sobol", "samples": 4, "replications": 1, "seed": 3,
               "metric": {"name": "deal_probability", "partner": "JPN"},
               "parameters": [{"key": "scenario.us.strategy.beta", "low": 0.2, "high": 1.5}]}
CALIBRATION = {"observed": "state_2025-07-01", "cutoff": "2025-07-01", "replications": 2, "population": 4,
               "generations": 1, "seed": 7, "parameters": [{"key": "scenario.us.strategy.beta", "low": 0.2, "high": 1.0}]}
ROW = {"name": "a", "changed": ["x=1"], "expect": [{"partner": "JPN", "outcome": "p_deal", "direction": "up"}]}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def refused(load, path: Path, **kwargs) -> list[str]:
    """The message's lines after its header."""
    with pytest.raises(ConfigError) as caught:
        load(path, **kwargs)
    return str(caught.value).splitlines()[1:]


def test_a_sensitivity_study_is_refused_with_every_error_at_once(tmp_path):
    bad = {"method": "sobl", "replicatons": 2, "seed": -1, "second_order": "yes", "metric": {"name": "deal_day"},
           "parameters": [{"key": 3, "low": 1, "high": 0, "integr": True}, 5], "overrides": [1]}
    lines = [line.strip() for line in refused(load_sensitivity, write(tmp_path, {**SENSITIVITY, **bad}))]
    assert lines == [
        "method='sobl': must be one of sobol, morris",
        "second_order='yes': must be true or false",
        "seed=-1: must be a whole number in [0, 9223372036854775807]",
        "metric.partner=None: must be a partner code the scenario declares (e.g. JPN), or a list of them",
        "parameters[0].key=3: must be a dotted config key, e.g. scenario.us.strategy.beta",
        "parameters[0].high=0.0: must be greater than low (1)",
        "parameters[0].integr=True: is not a known key here (known: high, integer, key, low); "
        "did you mean parameters[0].integer?",
        "parameters[1]=5: must be a mapping of keys to values",
        "overrides[0]=1: must be a KEY=VALUE string, e.g. figures=false",
        "replicatons=2: is not a known key here (known: levels, method, metric, name, overrides, parameters, "
        "replications, samples, second_order, seed); did you mean replications?",
    ]


def test_a_rule_broken_by_an_option_names_the_option(tmp_path):
    lines = refused(load_sensitivity, write(tmp_path, SENSITIVITY), changes={"samples": 6})
    assert [line.strip() for line in lines] == ["--samples 6: must be a power of 2 for Sobol sampling (e.g. 256, 1024)"]


def test_a_list_of_partners_screens_one_metric_each_and_deals_takes_none(tmp_path):
    study = load_sensitivity(write(tmp_path, {**SENSITIVITY, "metric": {"name": "deal_day", "partner": ["JPN", "EU"]}}))
    assert [m.label for m in study.outputs] == ["JPN_deal_day", "EU_deal_day"] and study.metric.label == "JPN_deal_day"
    study = load_sensitivity(write(tmp_path, {**SENSITIVITY, "metric": {"name": "deals"}}))
    assert [m.label for m in study.outputs] == ["deals"]
    assert refused(load_sensitivity, write(tmp_path, {**SENSITIVITY, "metric": {"name": "deal_day", "partner": []}})) == [
        "  metric.partner=[]: must be a partner code the scenario declares (e.g. JPN), or a list of them"]


def test_a_loaded_study_holds_the_values_the_commands_always_read(tmp_path):
    """Numbers written as whole numbers read as floats (the study's fingerprint, its study.json and
    its resumed checkpoint depend on it), lists as tuples, a missing name as the file's."""
    data = {**SENSITIVITY, "parameters": [{"key": "scenario.us.attention", "low": 2, "high": 5, "integer": True}],
            "overrides": ["figures=false"]}
    data.pop("name")
    study = load_sensitivity(write(tmp_path, data))
    assert study.name == "study" and study.parameters == (Parameter("scenario.us.attention", 2.0, 5.0, True),)
    assert all(type(v) is float for p in study.parameters for v in (p.low, p.high))
    assert study.overrides == ("figures=false",) and (study.levels, study.second_order) == (4, False)
    assert json.loads(json.dumps(dataclasses.asdict(study)))["parameters"][0] == {
        "key": "scenario.us.attention", "low": 2.0, "high": 5.0, "integer": True}
    quick = load_calibration("quick")
    assert (quick.min_epsilon, quick.point_estimate, quick.day_scale, quick.rate_scale) == (0.0, "median", 30.0, 10.0)
    assert quick.parameters[0].parameter == Parameter(quick.parameters[0].key, 0.2, 1.0)


def test_a_calibration_prior_is_checked_against_its_kind(tmp_path):
    priors = [{"key": "a", "low": 0, "high": 1, "prior": "normal"},
              {"key": "b", "low": 0, "high": 1, "mean": 0.5},
              {"key": "c", "low": 0, "high": 1, "prior": "normal", "mean": 2, "sd": 0},
              {"key": "d", "low": 0, "high": 1, "kind": "normal"}]
    lines = [line.strip() for line in refused(load_calibration, write(tmp_path, {**CALIBRATION, "parameters": priors}))]
    assert lines == [
        "parameters[0].mean=None: is required for a normal prior",
        "parameters[0].sd=None: is required for a normal prior",
        "parameters[1].mean=0.5: is for a normal prior only (prior: normal); a uniform prior takes none",
        "parameters[2].mean=2.0: must be a number in [0, 1]",
        "parameters[2].sd=0: must be a number > 0",
        "parameters[3].kind='normal': is not a known key here (known: high, integer, key, low, mean, prior, sd)",
    ]
    normal = {"key": "a", "low": 0.2, "high": 1, "prior": "normal", "mean": 0.5, "sd": 0.1}
    study = load_calibration(write(tmp_path, {**CALIBRATION, "parameters": [normal]}))
    assert study.parameters == (Prior("a", 0.2, 1.0, False, "normal", 0.5, 0.1),)


def test_a_calibration_lists_each_key_once_and_at_least_one(tmp_path):
    twice = [{"key": "a", "low": 0, "high": 1}, {"key": "a", "low": 0, "high": 2}]
    assert refused(load_calibration, write(tmp_path, {**CALIBRATION, "parameters": twice})) == [
        "  parameters='a': lists this key twice; give each parameter once"]
    assert refused(load_calibration, write(tmp_path, {**CALIBRATION, "parameters": []})) == [
        "  parameters=[]: must list at least one {key, low, high}"]


def test_the_mechanism_table_is_refused_with_every_error_at_once(tmp_path):
    rows = [{"name": "a b", "changed": [], "expect": [], "refrence": ["x=1"]},
            {**ROW, "changed": "x=1", "expect": [{"partner": "XX", "outcome": "p_deal_by", "direction": "sideways",
                                                  "by": "2025-02-30"}]}]
    lines = refused(load_table, write(tmp_path, {"seed": 1, "replications": 1, "alpha": 0, "mechanisms": rows}),
                    partners=("JPN", "EU"))
    assert [line.strip() for line in lines] == [
        "replications=1: must be a whole number in [2, 1000000]",
        "alpha=0: must be a number in (0, 1]",
        "mechanisms[0].name='a b': must be a name of letters, digits and underscores",
        "mechanisms[0].changed=[]: must list at least one override (KEY=VALUE)",
        "mechanisms[0].expect=[]: must list at least one expected effect",
        "mechanisms[0].refrence=['x=1']: is not a known key here (known: changed, claim, expect, name, reference); "
        "did you mean mechanisms[0].reference?",
        "mechanisms[1].changed='x=1': must be a list of overrides written KEY=VALUE",
        "mechanisms[1].expect[0].partner='XX': must be one of the baseline's partners (scenario.partners): JPN, EU",
        "mechanisms[1].expect[0].direction='sideways': must be one of up, down, none",
        "mechanisms[1].expect[0].by='2025-02-30': must be a real calendar date written YYYY-MM-DD",
    ]


def test_mechanism_names_are_unique_and_a_table_is_a_mapping(tmp_path):
    table = {"seed": 1, "replications": 10, "mechanisms": [ROW, ROW]}
    assert refused(load_table, write(tmp_path, table), partners=("JPN",)) == [
        "  mechanisms='a': this name is used more than once; names must be unique"]
    assert refused(load_table, write(tmp_path, "- 1\n- 2\n"), partners=("JPN",)) == [
        "  (the whole config)=[1, 2]: must be a mapping of keys to values"]
    with pytest.raises(ConfigError, match="not valid YAML|cannot read the mechanism table"):
        load_table(write(tmp_path, "seed: 1\nby: 2025-02-30\n"), partners=("JPN",))  # no such day: not a traceback


def test_a_table_given_a_seed_and_replications_keeps_its_rows_and_only_filters_them():
    table = load_table()
    names = [m.name for m in table.mechanisms]
    picked = load_table(replications=7, seed=3, only=[names[1], names[0]])
    assert (picked.seed, picked.replications, picked.alpha) == (3, 7, table.alpha)
    assert picked.mechanisms == table.mechanisms[:2]
    assert dataclasses.replace(picked, replications=12).mechanisms == picked.mechanisms  # built alone: no context
