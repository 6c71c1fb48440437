"""A researcher's own configs, in a directory of their own, run beside the shipped ones (README,
"Your own configs"): added with ``--config-dir`` or ``hydra.searchpath``, from any directory.

The README's YAML examples are read from the README itself, so the page and this test agree.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.config.paths import CONF

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SMALL = ("replications=3", "figures=false")
# A ```yaml block of the README whose first line names its file: "# my_conf/scenario/x.yaml: ...".
EXAMPLE = re.compile(r"```yaml\n# (my_conf/[\w/]+\.yaml):.*?\n(.*?)```", re.DOTALL)


def tariffsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``tariffsim ARGS`` run in ``cwd`` (outside the checkout), its output captured."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TARIFFSIM_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=180)


def composed(*args: str, cwd: Path) -> dict:
    """The job config ``tariffsim ARGS --cfg job`` prints, as a mapping."""
    done = tariffsim(*args, "--cfg", "job", cwd=cwd)
    assert done.returncode == 0, done.stdout
    return yaml.safe_load(done.stdout)


@pytest.fixture
def my_conf(tmp_path: Path) -> Path:
    """``tmp_path/my_conf``: a copy of the baseline scenario under a new name, with a later deadline."""
    scenario = tmp_path / "my_conf" / "scenario"
    scenario.mkdir(parents=True)
    text = (CONF / "scenario" / "baseline_2025.yaml").read_text(encoding="utf-8")
    text = text.replace("name: baseline_2025", "name: my_2025", 1).replace('deadline: "2025-07-09"',
                                                                           'deadline: "2025-08-01"', 1)
    (scenario / "my_2025.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "my_conf"


def test_a_copy_of_the_baseline_under_a_new_name_runs_from_its_own_directory(my_conf):
    cwd = my_conf.parent
    by_dir = tariffsim("--config-dir", "my_conf", "scenario=my_2025", *SMALL, "hydra.run.dir=by_dir", cwd=cwd)
    assert by_dir.returncode == 0, by_dir.stdout
    assert "\nmy_2025: 3 replications, seed 2025" in by_dir.stdout, by_dir.stdout
    saved = yaml.safe_load((cwd / "by_dir" / ".hydra" / "config.yaml").read_text())
    assert (saved["scenario"]["name"], saved["scenario"]["deadline"]) == ("my_2025", "2025-08-01")

    searched = tariffsim(f"hydra.searchpath=[file://{my_conf}]", "scenario=my_2025", *SMALL,
                         "hydra.run.dir=by_searchpath", cwd=cwd)
    assert searched.returncode == 0, searched.stdout
    runs = [pd.read_parquet(cwd / run / "runs.parquet") for run in ("by_dir", "by_searchpath")]
    pd.testing.assert_frame_equal(*runs)  # the same scenario either way


def test_the_copy_differs_from_the_baseline_only_where_edited(my_conf):
    mine = composed("-cd", "my_conf", "scenario=my_2025", cwd=my_conf.parent)["scenario"]
    shipped = composed("-cd", "my_conf", cwd=my_conf.parent)["scenario"]  # the default is still the baseline
    changed = {key for key in mine.keys() | shipped.keys() if mine.get(key) != shipped.get(key)}
    assert changed == {"name", "deadline"}


def test_the_readme_examples_build_on_the_baseline_and_an_own_country_file(tmp_path):
    examples = dict(EXAMPLE.findall(README.read_text(encoding="utf-8")))
    assert {"my_conf/scenario/late_deadline.yaml", "my_conf/scenario/jpn_hawk.yaml"} <= examples.keys()
    for name, text in examples.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    hawk = (CONF / "country" / "jpn.yaml").read_text(encoding="utf-8").replace("name: Japan", "name: Japan (hawk)", 1)
    (tmp_path / "my_conf" / "country").mkdir()
    (tmp_path / "my_conf" / "country" / "jpn_hawk.yaml").write_text(hawk, encoding="utf-8")

    late = composed("-cd", "my_conf", "scenario=late_deadline", cwd=tmp_path)["scenario"]
    assert (late["name"], late["deadline"]) == ("late_deadline", "2025-08-01")
    assert late["partners"].keys() == {"JPN", "EU", "CAN", "KOR", "VNM"}  # the rest from the baseline
    japan = composed("-cd", "my_conf", "scenario=jpn_hawk", cwd=tmp_path)["scenario"]["partners"]["JPN"]
    assert japan["name"] == "Japan (hawk)"

    done = tariffsim("-cd", "my_conf", "scenario=jpn_hawk", *SMALL, "hydra.run.dir=run", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert (tmp_path / "run" / "summary.json").is_file()


def test_a_file_with_a_shipped_name_is_not_read(my_conf):
    """As the README warns: the shipped configs come first in the search path."""
    (my_conf / "scenario" / "baseline_2025.yaml").write_text((my_conf / "scenario" / "my_2025.yaml").read_text())
    assert composed("-cd", "my_conf", cwd=my_conf.parent)["scenario"]["deadline"] == "2025-07-09"
