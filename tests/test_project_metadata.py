"""pyproject.toml admits the Pythons the dependencies support, and keeps Mesa at the tested minor.

Mesa 3.3 supports Python 3.11 to 3.13 (and later), so tariffsim sets no upper bound on Python;
Mesa itself stays below 3.4 until a newer Mesa is tested.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

PROJECT = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.mark.parametrize("version", ["3.11.0", "3.11.9", "3.12.0", "3.12.8", "3.13.0", "3.13.1", "3.14.0"])
def test_requires_python_admits_every_python_from_3_11(version):
    assert version in SpecifierSet(PROJECT["requires-python"])


@pytest.mark.parametrize("version", ["3.9.18", "3.10.14"])
def test_requires_python_refuses_pythons_before_3_11(version):
    assert version not in SpecifierSet(PROJECT["requires-python"])


def test_mesa_stays_below_3_4_until_a_newer_mesa_is_tested():
    (mesa,) = [Requirement(r) for r in PROJECT["dependencies"] if Requirement(r).name == "mesa"]
    assert "3.3.1" in mesa.specifier and "3.4.0" not in mesa.specifier
