"""The layers of sim/ stay one-way: the import contracts in pyproject.toml ([tool.importlinter],
docs/layers.md) hold, and a forbidden import breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path, config: Path = ROOT / "pyproject.toml", *contracts: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package ``sim`` under ``root``, with the contracts of ``config``
    (pyproject.toml's), all of them or only those ``contracts`` (ids)."""
    if not LINT_IMPORTS.is_file():
        pytest.fail(f"{LINT_IMPORTS} not found: install the test extra (pip install -e '.[test]')")
    env = {**os.environ, "PYTHONPATH": str(root)}  # this ``sim``, not the installed one
    only = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", *only, str(config)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_the_import_contracts_hold():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("module, line, contract", [
    ("plots/figure_style.py", "import sim.run.runner", "Plots and the HTML report read result files"),
    ("plots/study_figures.py", "import mesa", "Plots and the HTML report read result files"),
    ("core/values.py", "import sim.model", "The negotiation core is plain Python"),
    ("run/results.py", "import sim.apps.report", "Layers: each module imports only from the layers below it"),
    ("run/parallel.py", "import sim.run.runner", "No import circles"),
    ("io/files.py", "import sim.run.results", "No import circles"),  # io <-> run: a circle of packages
    ("model/protocol.py", "import sim.model.model", "Only the model assembles the day"),
    ("model/agents.py", "from sim.model import TariffModel", "Only the model assembles the day"),  # via __init__
    ("model/events.py", "import sim.model.talks", "Inside sim.model"),
])
def test_a_forbidden_import_breaks_a_contract(tmp_path, module, line, contract):
    shutil.copytree(ROOT / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / "sim" / module
    path.write_text(path.read_text() + f"\n\ndef _late() -> None:\n    {line}  # noqa\n")
    done = lint_imports(tmp_path)
    assert done.returncode != 0, done.stdout
    broken = done.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, done.stdout


MODEL_CONTRACTS = ("model-orchestrates", "model-layers")


def _counting_type_imports(tmp_path: Path) -> Path:
    """pyproject.toml with imports for type checkers counted (the project excludes them)."""
    config = tmp_path / "pyproject.toml"
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "exclude_type_checking_imports = true" in text
    config.write_text(text.replace("exclude_type_checking_imports = true", "exclude_type_checking_imports = false"))
    return config


def test_the_model_contracts_hold_even_for_imports_for_type_checkers(tmp_path):
    """Inside sim.model even an ``if TYPE_CHECKING:`` import keeps to the layers: the model's
    modules do not import the model for their annotations either."""
    done = lint_imports(ROOT, _counting_type_imports(tmp_path), *MODEL_CONTRACTS)
    assert done.returncode == 0 and "2 kept, 0 broken" in done.stdout, done.stdout + done.stderr


def test_a_type_checking_import_of_the_model_breaks_the_model_contracts_when_counted(tmp_path):
    shutil.copytree(ROOT / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / "sim" / "model" / "outside.py"
    text = path.read_text()
    assert "if TYPE_CHECKING:\n" in text
    path.write_text(text.replace("if TYPE_CHECKING:\n", "if TYPE_CHECKING:\n    from sim.model.model import TariffModel  # noqa\n", 1))
    done = lint_imports(tmp_path, _counting_type_imports(tmp_path), *MODEL_CONTRACTS)
    assert done.returncode != 0, done.stdout
    assert "Only the model assembles the day" in done.stdout.split("Broken contracts", 1)[-1], done.stdout
    assert lint_imports(tmp_path, ROOT / "pyproject.toml", *MODEL_CONTRACTS).returncode == 0  # as the project counts


# The package's __init__ re-exports TariffModel (``from sim.model import TariffModel``); model.py defines it.
MODEL_DIR = ROOT / "sim" / "model"
ASSEMBLERS = {MODEL_DIR / "model.py", MODEL_DIR / "__init__.py"}


def test_no_module_of_the_model_but_model_py_names_TariffModel():
    """The day's moves take the pieces they change, not the model: even an import for type
    checkers only (which the contracts do not see) or an annotation naming TariffModel fails."""
    modules = sorted(set(MODEL_DIR.rglob("*.py")) - ASSEMBLERS)
    assert {p.name for p in modules} >= {"protocol.py", "us_tactics.py", "outside.py", "agents.py", "context.py"}
    naming = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in modules
              for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if "TariffModel" in line]
    assert not naming, "modules of sim.model other than model.py name TariffModel:\n  " + "\n  ".join(naming)
