"""One schema for the config files (issue: "one schema, each field declared once").

The JSON Schema ``tariffsim-schema`` exports is made from the same declarations that validate a
run, so every shipped config must pass it (as a file, and as Hydra composes it), a misspelt key
must fail it, and the loader must refuse the same misspelling with a suggestion.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from omegaconf import OmegaConf

from sim.apps import schema as command
from sim.config import ConfigError, load_scenario
from sim.config.paths import CONF
from sim.config.calibration_study import load_calibration
from sim.config.mechanism_table import load_table
from sim.config.observed import load_observed
from sim.config.schema import PARTS, STUDY_PARTS, json_schema
from sim.config.sensitivity_study import load_sensitivity
from tests.conftest import compose_config

SCENARIOS = sorted((CONF / "scenario").glob("*.yaml"))
COUNTRIES = sorted((CONF / "country").glob("*.yaml"))
STUDY_FILES = [("sensitivity", p) for p in sorted((CONF / "sensitivity").glob("*.yaml"))] + [
    ("mechanisms", CONF / "mechanisms.yaml")] + [("calibration", p) for p in sorted((CONF / "calibration").glob("*.yaml"))] + [
    ("observed", p) for p in sorted((CONF / "observed").glob("*.yaml"))]


def validator(part: str) -> jsonschema.Draft202012Validator:
    schema = json_schema(part)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(part: str, data: object) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(part).iter_errors(data)]


def composed(scenario: str) -> dict:
    """``cfg.scenario`` of the default config with ``scenario=<name>``, as a run reads it."""
    return OmegaConf.to_container(compose_config(f"scenario={scenario}"), resolve=True)["scenario"]


@pytest.mark.parametrize("part", list(PARTS))
def test_every_part_is_a_valid_json_schema_that_refuses_unknown_keys(part):
    schema = json_schema(part)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    assert all(d.get("additionalProperties") is False for d in schema.get("$defs", {}).values() if "properties" in d)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenarios_pass_the_schema_as_files_and_as_composed(path):
    assert SCENARIOS, "no scenario files found"
    assert problems("scenario", yaml.safe_load(path.read_text())) == []
    data = composed(path.stem)
    assert problems("composed", data) == []
    load_scenario(data)  # and the loader agrees


@pytest.mark.parametrize("path", COUNTRIES, ids=[p.stem for p in COUNTRIES])
def test_shipped_country_files_pass_the_schema(path):
    part = "us" if path.stem.startswith("usa") else "partner"  # usa.yaml, usa_2018.yaml: the US side
    assert problems(part, yaml.safe_load(path.read_text())) == []


@pytest.mark.parametrize("part, path", STUDY_FILES, ids=[f"{part}-{p.stem}" for part, p in STUDY_FILES])
def test_shipped_study_and_observed_files_pass_their_schema_and_their_loader(part, path):
    assert {part for part, _ in STUDY_FILES} == set(STUDY_PARTS), "a study part without a shipped file"
    assert problems(part, yaml.safe_load(path.read_text())) == []
    load = {"sensitivity": load_sensitivity, "mechanisms": load_table, "calibration": load_calibration,
            "observed": load_observed}[part]
    load(path)  # and the loader agrees


def test_a_misspelt_study_key_fails_the_schema_and_the_loader_suggests_the_key(tmp_path):
    data = yaml.safe_load((CONF / "sensitivity" / "jpn_deal.yaml").read_text())
    data["parameters"][0]["hihg"] = data["parameters"][0].pop("high")
    assert any(p.startswith("parameters.0:") and "'hihg' was unexpected" in p for p in problems("sensitivity", data))
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as caught:
        load_sensitivity(path)
    assert ("parameters[0].hihg=0.6: is not a known key here (known: high, integer, key, low); "
            "did you mean parameters[0].high?") in str(caught.value)
    assert "parameters[0].high=None: is required" in str(caught.value)


@pytest.mark.parametrize("part, edit, where", [
    ("sensitivity", lambda d: d.__setitem__("method", "bayes"), "method"),
    ("sensitivity", lambda d: d.__setitem__("samples", 1), "samples"),
    ("mechanisms", lambda d: d["mechanisms"][0]["expect"][0].__setitem__("direction", "sideways"),
     "mechanisms.0.expect.0.direction"),
    ("mechanisms", lambda d: d["mechanisms"][0].__setitem__("changed", ["no equals sign"]), "mechanisms.0.changed.0"),
    ("calibration", lambda d: d["parameters"][0].__setitem__("prior", "gamma"), "parameters.0.prior"),
    ("calibration", lambda d: d.__setitem__("cutoff", "1 July 2025"), "cutoff"),
], ids=["method", "samples", "direction", "override", "prior", "cutoff"])
def test_a_study_schema_carries_bounds_and_allowed_values(part, edit, where):
    path = {"sensitivity": CONF / "sensitivity" / "jpn_deal.yaml", "mechanisms": CONF / "mechanisms.yaml",
            "calibration": CONF / "calibration" / "quick.yaml"}[part]
    data = yaml.safe_load(path.read_text())
    edit(data)
    assert any(p.startswith(f"{where}:") for p in problems(part, data)), problems(part, data)


def test_a_misspelt_key_fails_the_schema_and_the_loader_suggests_the_key():
    data = composed("baseline_2025")
    data["partners"]["JPN"]["aspiraton"] = data["partners"]["JPN"].pop("aspiration")
    found = problems("composed", data)
    assert any("partners.JPN" in p and "'aspiraton' was unexpected" in p for p in found), found
    with pytest.raises(ConfigError) as caught:
        load_scenario(data)
    message = str(caught.value)
    assert ("scenario.partners.JPN.aspiraton=0.9: is not a known key here (known: announced_rate, aspiration,"
            in message), message
    assert "did you mean scenario.partners.JPN.aspiration?" in message
    assert "scenario.partners.JPN.aspiration=None: is required" in message


@pytest.mark.parametrize("edit, where", [
    (lambda d: d["partners"]["JPN"].__setitem__("aspiration", 1.5), "partners.JPN.aspiration"),
    (lambda d: d["environment"]["court"].__setitem__("ramp_days", 0), "environment.court.ramp_days"),
    (lambda d: d["us"].__setitem__("attention", 2.5), "us.attention"),
    (lambda d: d["partners"]["JPN"]["issues"].__setitem__("Rice", {"lo": 0, "hi": 1, "us_weight": 0,
                                                                   "partner_weight": 0}), "partners.JPN.issues"),
    (lambda d: d["events"][0].__setitem__("kind", "earthquake"), "events.0.kind"),
    (lambda d: d.__setitem__("start", "9 April 2025"), "start"),
    (lambda d: d["partners"]["JPN"]["strategy"].__setitem__("bta", 0.5), "partners.JPN.strategy"),
    (lambda d: d["us"]["strategy"].__setitem__("name", "hold_until_election"), "us.strategy.name"),
], ids=["aspiration-1.5", "ramp-days-0", "attention-fraction", "badly-spelt-issue", "event-kind", "date-in-words",
        "strategy-parameter-typo", "us-strategy-of-the-partner-side"])
def test_the_schema_carries_bounds_and_allowed_values(edit, where):
    """What one key allows is in the schema, so an editor flags it while the YAML is written."""
    data = copy.deepcopy(composed("baseline_2025"))
    edit(data)
    assert any(p.startswith(f"{where}:") for p in problems("composed", data)), problems("composed", data)
    with pytest.raises(ConfigError):
        load_scenario(data)


def test_command_prints_the_schema_and_writes_it_to_a_file(tmp_path, capsys):
    assert command.main([]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema("scenario")
    for part in STUDY_PARTS:
        assert command.main(["--part", part]) == 0
        assert json.loads(capsys.readouterr().out) == json_schema(part)
    out = tmp_path / "deep" / "partner.schema.json"
    assert command.main(["--part", "partner", "--output", str(out)]) == 0
    assert json.loads(out.read_text()) == json_schema("partner")
    assert [p.name for p in out.parent.iterdir()] == ["partner.schema.json"]  # no temporary file left


@pytest.mark.parametrize("target", ["a-directory", "under-a-file"])
def test_command_refuses_an_unwritable_output_with_exit_2_and_no_traceback(tmp_path, target):
    (tmp_path / "file").write_text("x")
    output = tmp_path if target == "a-directory" else tmp_path / "file" / "schema.json"
    done = subprocess.run([sys.executable, "-m", "sim.apps.schema", "--output", str(output)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"tariffsim-schema: could not write {output}") or \
        done.stderr.startswith("tariffsim-schema: could not write"), done.stderr
    assert "Choose another --output FILE" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert (tmp_path / "file").read_text() == "x"


def test_a_scenario_file_schema_requires_nothing_but_the_composed_one_requires_every_key():
    """A scenario on top of another (``defaults: [baseline_2025, _self_]``) may set only its name;
    the composed scenario must be complete."""
    assert problems("scenario", {"defaults": ["baseline_2025", "_self_"], "name": "late_deadline",
                                 "deadline": "2025-08-01"}) == []
    assert problems("scenario", {"name": "x", "deadlin": "2025-08-01"}) != []
    data = composed("baseline_2025")
    del data["partners"]["JPN"]["politics"]["capital"]
    assert any("'capital' is a required property" in p for p in problems("composed", data))
