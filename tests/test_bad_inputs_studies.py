"""Bad inputs to tariffsim-tournament and tariffsim-sensitivity: each is refused before anything runs,
with a message that names what is wrong, a non-zero exit, no traceback and nothing under the output path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim.apps import sensitivity, tournament_cli

TOURNAMENT = ["--us", "deal_seeker", "--partner", "boulware", "--partners", "JPN", "--replications", "1"]
STUDY = {
    "name": "bad", "method": "sobol", "samples": 4, "replications": 1, "seed": 3,
    "metric": {"name": "deal_probability", "partner": "JPN"},
    "parameters": [{"key": "scenario.us.strategy.beta", "low": 0.2, "high": 1.5}],
}
UNWRITABLE = Path("/sys/tariffsim-out")  # sysfs: no new folder, even for root


@pytest.fixture(autouse=True)
def nothing_runs(monkeypatch):
    """A refused input must not play a match or evaluate a sample."""
    monkeypatch.setattr("sim.analysis.tournament.play_match", lambda *a: pytest.fail("a match was played"))
    monkeypatch.setattr("sim.apps.sensitivity.evaluate_samples", lambda *a: pytest.fail("a sample was evaluated"))


def refused(command, argv: list[str], capsys) -> str:
    """Run ``command(argv)`` in this process; assert a non-zero exit and no traceback; return stderr."""
    try:
        code = command(argv)
    except SystemExit as stopped:  # argparse refuses its own options this way
        code = stopped.code
    err = capsys.readouterr().err
    assert code not in (0, None), err
    assert "Traceback" not in err and err.strip()
    return err


def _unwritable(folder: Path) -> bool:
    try:
        (folder / "tariffsim-probe").mkdir()
    except OSError:
        return True
    (folder / "tariffsim-probe").rmdir()
    return False


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


# (arguments after the base ones, words the message must hold)
TOURNAMENT_CASES = {
    "partner typo": (["--partner", "boulwar"], ["--partner boulwar", "did you mean boulware?", "conceder"]),
    "us typo": (["--us", "deal_seekr"], ["--us deal_seekr", "did you mean deal_seeker?", "maximum_pressure"]),
    "us unknown": (["--us", "kindness"], ["--us kindness", "not a registered strategy", "deal_seeker"]),
    "partner of the US side": (["--partner", "deal_seeker"], ["--partner deal_seeker", "plays the US side only"]),
    "us of the partner side": (["--us", "hold_until_election"], ["--us hold_until_election", "partner side only"]),
    "us empty": (["--us", ","], ["--us: names no strategy", "deal_seeker"]),
    "partner empty": (["--partner", ""], ["--partner: names no strategy", "boulware"]),
    "us target not importable": (["--us-target", "no_such_module.Nope"], ["no_such_module.Nope", "cannot be imported"]),
    "partner target missing file": (["--partner-target", "missing_file.py:Nope"], ["missing_file.py:Nope"]),
    "partners unknown": (["--partners", "JPX"], ["--partners JPX", "did you mean JPN?", "JPN, EU, CAN, KOR, VNM"]),
    "partners lower case": (["--partners", "eu"], ["--partners eu", "did you mean EU?"]),
    "partners empty": (["--partners", ","], ["--partners ','", "names no partner"]),
    "seed negative": (["--seed", "-1"], ["--seed", "'-1'", "whole number"]),
    "seed not a number": (["--seed", "abc"], ["--seed", "'abc'"]),
    "seed too large": (["--seed", str(2**64)], ["--seed", "whole number in [0,"]),
    "replications zero": (["--replications", "0"], ["--replications", "'0'", "[1,"]),
    "replications negative": (["--replications", "-3"], ["--replications", "'-3'"]),
    "replications fraction": (["--replications", "2.5"], ["--replications", "'2.5'"]),
    "workers negative": (["--workers", "-1"], ["--workers", "'-1'", "0: every core"]),
    "workers not a number": (["--workers", "many"], ["--workers", "'many'"]),
    "unknown option": (["--colour", "red"], ["unrecognized arguments: --colour"]),
    "override unknown key": (["nonsense=3"], ["'nonsense=3'", "no key nonsense"]),
    "override unknown partner key": (["scenario.partners.XXX.letter_rate=5"], ["scenario.partners.XXX.letter_rate"]),
    "override bad date": (["scenario.deadline=garbage"], ["scenario.deadline='garbage'", "YYYY-MM-DD"]),
    "override bad grammar": (["a=b=c"], ["'a=b=c'"]),
    "override unknown scenario": (["scenario=nosuch"], ["'scenario=nosuch'", "baseline_2025"]),
    "override negative seed": (["seed=-5"], ["seed=-5", "whole number"]),
    "override missing interpolation": (["scenario.deadline=${nope}"], ["scenario.deadline", "nope"]),
}


@pytest.mark.parametrize("extra, words", TOURNAMENT_CASES.values(), ids=TOURNAMENT_CASES.keys())
def test_tournament_refuses(tmp_path, capsys, extra, words):
    out = tmp_path / "out"
    err = refused(tournament_cli.main, ["--out", str(out), *TOURNAMENT, *extra], capsys)
    for word in words:
        assert word in err, (word, err)
    assert not out.exists()


@pytest.mark.parametrize("where", ["file", "under a file", "unwritable"])
def test_tournament_refuses_an_output_path_it_cannot_use(tmp_path, capsys, where):
    (tmp_path / "results").write_text("")
    out = {"file": tmp_path / "results", "under a file": tmp_path / "results" / "t", "unwritable": UNWRITABLE}[where]
    if where == "unwritable" and not _unwritable(UNWRITABLE.parent):
        pytest.skip(f"{UNWRITABLE.parent} can be written here")
    before = tree(tmp_path)
    err = refused(tournament_cli.main, ["--out", str(out), *TOURNAMENT], capsys)
    assert f"--out {out}" in err and ("is a file" in err or "could not write" in err)
    assert tree(tmp_path) == before and (tmp_path / "results").read_text() == "" and not UNWRITABLE.exists()


@pytest.mark.parametrize("source, words", [
    ("x = undefined_name\n", ["NameError", "undefined_name", "line 1"]),
    ("from experiments.stubborn import Stubborn\n\n\nclass Broken(Stubborn):\n    def __init__(self):\n"
     "        raise RuntimeError('no luck')\n", ["RuntimeError: no luck", "line 6"]),
], ids=["module raises at import", "constructor raises"])
def test_tournament_names_a_users_class_that_raises(tmp_path, capsys, source, words):
    (tmp_path / "mine.py").write_text(source)
    target = f"{tmp_path / 'mine.py'}:Broken"
    err = refused(tournament_cli.main, ["--out", str(tmp_path / "out"), *TOURNAMENT, "--partner-target", target], capsys)
    assert "--partner" in err and target in err and str(tmp_path / "mine.py") in err
    for word in words:
        assert word in err, (word, err)
    assert not (tmp_path / "out").exists()


def study_file(tmp_path: Path, text: str | None = None, **changes) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(text if text is not None else yaml.safe_dump({**STUDY, **changes}))
    return path


# (the study file's text or changes to STUDY, options, words the message must hold)
SENSITIVITY_CASES = {
    "yaml syntax error": ("name: bad\nmethod: sobol\n  samples: [4\n", [], ["study.yaml", "not valid YAML at line"]),
    "yaml tab indentation": ("name: bad\n\tmethod: sobol\n", [], ["study.yaml", "not valid YAML"]),
    "yaml a list": ("- a\n- b\n", [], ["study.yaml", "holds list, not a mapping"]),
    "yaml empty": ("", [], ["study.yaml", "holds nothing"]),
    "unknown key": ({"colour": "red"}, [], ["colour='red'", "is not a known key"]),
    "unknown metric key": ({"metric": {"name": "deal_day", "partner": "JPN", "unit": "d"}}, [], ["metric.unit"]),
    "unknown method": ({"method": "bayes"}, [], ["method='bayes'", "sobol", "morris"]),
    "unknown metric": ({"metric": {"name": "happiness", "partner": "JPN"}}, [], ["metric.name='happiness'"]),
    "unknown metric partner": ({"metric": {"name": "deal_day", "partner": "JPX"}}, [], ["metric.partner='JPX'", "JPN"]),
    "samples not a power of 2": ({"samples": 6}, [], ["samples=6", "power of 2"]),
    "no parameters": ({"parameters": []}, [], ["parameters", "at least one"]),
    "parameter key unknown": ({"parameters": [{"key": "scenario.nope", "low": 0, "high": 1}]}, [], ["scenario.nope"]),
    "parameter bounds reversed": ({"parameters": [{"key": "seed", "low": 2.0, "high": 1.0}]}, [],
                                  ["parameters[0].high=1.0", "greater than low"]),
    "parameter bound invalid config": ({"parameters": [{"key": "scenario.partners.JPN.letter_rate", "low": 0,
                                                        "high": 150}]}, [], ["letter_rate=150", "invalid config"]),
    "override unknown key": ({"overrides": ["nonsense=1"]}, [], ["'nonsense=1'", "no key nonsense"]),
    "override invalid value": ({"overrides": ["scenario.deadline=garbage"]}, [], ["scenario.deadline='garbage'"]),
    "overrides not a list": ({"overrides": "figures=false"}, [], ["overrides='figures=false'", "list"]),
    "option samples not a power of 2": ({}, ["--samples", "6"], ["--samples 6", "power of 2"]),
    "option samples zero": ({}, ["--samples", "0"], ["--samples", "'0'"]),
    "option replications zero": ({}, ["--replications", "0"], ["--replications", "'0'"]),
    "option workers negative": ({}, ["--workers", "-1"], ["--workers", "'-1'"]),
    "option workers zero": ({}, ["--workers", "0"], ["--workers", "'0'"]),
    "option workers not a number": ({}, ["--workers", "two"], ["--workers", "'two'"]),
}


@pytest.mark.parametrize("content, options, words", SENSITIVITY_CASES.values(), ids=SENSITIVITY_CASES.keys())
def test_sensitivity_refuses(tmp_path, capsys, content, options, words):
    path = study_file(tmp_path, content) if isinstance(content, str) else study_file(tmp_path, **content)
    out = tmp_path / "out"
    err = refused(sensitivity.main, [str(path), "--out", str(out), *options], capsys)
    for word in words:
        assert word in err, (word, err)
    assert not out.exists()


@pytest.mark.parametrize("study", ["no_such_study", "missing.yaml", "a_folder.yaml", "latin1.yaml"])
def test_sensitivity_refuses_a_study_it_cannot_read(tmp_path, capsys, study, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_folder.yaml").mkdir()
    (tmp_path / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    err = refused(sensitivity.main, [study, "--out", "out"], capsys)
    assert study in err and ("jpn_deal" in err or "cannot be read" in err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["file", "under a file", "unwritable"])
def test_sensitivity_refuses_an_output_path_it_cannot_use_before_any_sample(tmp_path, capsys, where):
    (tmp_path / "results").write_text("")
    out = {"file": tmp_path / "results", "under a file": tmp_path / "results" / "s", "unwritable": UNWRITABLE}[where]
    if where == "unwritable" and not _unwritable(UNWRITABLE.parent):
        pytest.skip(f"{UNWRITABLE.parent} can be written here")
    path = study_file(tmp_path)
    before = tree(tmp_path)
    err = refused(sensitivity.main, [str(path), "--out", str(out)], capsys)
    assert f"--out {out}" in err and ("is a file" in err or "could not write" in err)
    assert tree(tmp_path) == before and not UNWRITABLE.exists()


def test_sensitivity_shows_the_traceback_only_when_debugging(tmp_path, capsys, monkeypatch):
    path = study_file(tmp_path, "name: x\n  method: [\n")
    monkeypatch.setenv("TARIFFSIM_DEBUG", "1")
    assert sensitivity.main([str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "not valid YAML" in err and not (tmp_path / "out").exists()


# The console scripts themselves, in fresh processes: the same refusals reach a shell user.
SCRIPTS = {
    "tournament typo": (["tariffsim-tournament", "--partner", "boulwar", "--us", "deal_seeker"],
                        "did you mean boulware?"),
    "tournament out is a file": (["tariffsim-tournament", "--us", "deal_seeker", "--partner", "boulware", "--out",
                                  "results"], "results is a file, not a directory"),
    "sensitivity workers": (["tariffsim-sensitivity", "jpn_deal", "--workers", "-1"], "argument --workers"),
    "sensitivity yaml error": (["tariffsim-sensitivity", "broken.yaml"], "not valid YAML at line 2"),
}


@pytest.mark.slow  # a fresh interpreter imports pandas, Hydra and Mesa: seconds
@pytest.mark.parametrize("argv, words", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_console_scripts_refuse(tmp_path, argv, words):
    (tmp_path / "results").write_text("")
    (tmp_path / "broken.yaml").write_text("name: x\n  method: [\n")
    before = tree(tmp_path)
    script = Path(sys.executable).with_name(argv[0])
    env = {k: v for k, v in os.environ.items() if k != "TARIFFSIM_DEBUG"}
    done = subprocess.run([str(script), *argv[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env=env)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr
    assert tree(tmp_path) == before
