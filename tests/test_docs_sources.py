"""The repository cites only what it holds: every ``docs/sources.md#Sn`` cited exists, and nothing
points at notes or articles kept outside the repository."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources.md"
TEXT_SUFFIXES = {".md", ".py", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".ini", ""}  # "": scripts such as .ci/run

# A citation of a fact: ``docs/sources.md#S3`` anywhere, or ``sources.md#S3`` inside docs/.
CITATION = re.compile(r"sources\.md#(S\d+)\b")
ANCHOR = re.compile(r'<a id="(S\d+)"></a>')
# Built from parts so that this file does not match itself.
OUTSIDE = re.compile("|".join((r"DESIGN" + r"\.md", r"DESIGN" + r" section", r"shared" + r"/seeds")))


def text_files(*parts: str) -> list[Path]:
    """Text files under ``ROOT/part`` (or the file itself), skipping caches and virtualenvs."""
    found: list[Path] = []
    for part in parts:
        path = ROOT / part
        if path.is_file():
            found.append(path)
            continue
        for file in sorted(path.rglob("*")):
            skipped = any(p.startswith(".") or p == "__pycache__" for p in file.relative_to(path).parts)
            if file.is_file() and file.suffix in TEXT_SUFFIXES and not skipped:
                found.append(file)
    return found


def anchors() -> list[str]:
    return ANCHOR.findall(SOURCES.read_text(encoding="utf-8"))


def citations(files: list[Path]) -> dict[str, list[str]]:
    """Fact id -> the files that cite it."""
    cited: dict[str, list[str]] = {}
    for file in files:
        for fact in CITATION.findall(file.read_text(encoding="utf-8")):
            cited.setdefault(fact, []).append(str(file.relative_to(ROOT)))
    return cited


def outside_references(files: list[Path]) -> list[str]:
    """``file:line: text`` of every line that points outside the repository."""
    hits = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{file.relative_to(ROOT)}:{number}: {line.strip()}")
    return hits


def test_fact_ids_are_unique_and_numbered_without_gaps():
    ids = anchors()
    assert ids, "docs/sources.md defines no <a id=\"Sn\"></a> anchors"
    assert len(ids) == len(set(ids)), f"duplicate fact ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    assert sorted(int(i[1:]) for i in ids) == list(range(1, len(ids) + 1))


def test_every_cited_fact_exists_in_sources():
    cited = citations(text_files("README.md", "docs", "sim", "tests"))  # sim/ holds sim/conf/
    missing = {fact: where for fact, where in cited.items() if fact not in set(anchors())}
    assert not missing, f"cited but not in docs/sources.md: {missing}"


def test_the_model_description_cites_its_facts():
    """docs/model.md grounds its parameters in docs/sources.md (a page that cites nothing fails)."""
    assert len(citations([ROOT / "docs" / "model.md"])) >= 10


def test_a_missing_citation_is_caught(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text("see docs/sources.md" + "#S999 and sources.md#S1\n", encoding="utf-8")  # split: not a citation here
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    cited = citations([page])
    assert cited == {"S999": ["page.md"], "S1": ["page.md"]}
    assert "S999" not in set(anchors())


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    kept = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return kept.replace(" ", "-")


def test_slug_is_githubs_anchor():
    assert slug("3.4.5 The day's round at one table") == "345-the-days-round-at-one-table"
    assert slug("3.4.8 Domestic politics: red lines, win-set") == "348-domestic-politics-red-lines-win-set"


@pytest.mark.parametrize("page", ["model.md", "sources.md"])
def test_links_within_the_docs_resolve(page):
    """Every ``(#anchor)`` and ``(sources.md#Sn)`` link of the page names a heading or an anchor."""
    docs = ROOT / "docs"
    text = (docs / page).read_text(encoding="utf-8")
    targets = {slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)} | set(ANCHOR.findall(text))
    broken = [a for a in re.findall(r"\]\(#([^)]+)\)", text) if a not in targets]
    broken += [f"sources.md#{a}" for a in re.findall(r"\]\(sources\.md#([^)]+)\)", text) if a not in set(anchors())]
    assert not broken, f"docs/{page}: links to missing anchors: {broken}"


def test_nothing_outside_conf_points_outside_the_repository():
    hits = outside_references(text_files("README.md", "pyproject.toml", "docs", "sim", "tests", "experiments",
                                         "benchmarks", ".ci"))
    assert not hits, "references to material not in the repository:\n" + "\n".join(hits)


def test_the_outside_reference_check_finds_a_stray_reference(tmp_path, monkeypatch):
    stray = tmp_path / "note.md"
    stray.write_text("as " + "DESIGN" + ".md says\nfine line\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert outside_references([stray]) == ["note.md:1: as " + "DESIGN" + ".md says"]


def test_conf_points_nowhere_outside_the_repository():
    hits = outside_references(text_files("sim/conf"))
    assert not hits, "references to material not in the repository:\n" + "\n".join(hits)


def config_keys(node: object, path: str = "") -> set[str]:
    """Dotted keys of every setting under ``node``; list items are walked, not named, and the
    scenario's dated events and issue names are data, not parameters."""
    keys: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if path == "" and key in ("events", "name"):
                continue
            here = f"{path}.{key}" if path else str(key)
            keys.add(here)
            keys |= config_keys(value, here)
    elif isinstance(node, list):
        for item in node:
            keys |= config_keys(item, path)
    return keys


def test_every_parameter_of_the_baseline_is_documented_in_the_model_page():
    """Each setting's own name (its last key, not a partner code or an issue name) appears in
    docs/model.md between backticks, alone or as the end of a dotted key."""
    from omegaconf import OmegaConf

    from tests.conftest import compose_config

    scenario = OmegaConf.to_container(compose_config().scenario, resolve=True)
    named = {"partners", "us", "environment", *scenario["partners"], *scenario["issues"]}
    leaves = {key.rsplit(".", 1)[-1] for key in config_keys(scenario)} - named
    quoted = " ".join(re.findall(r"`([^`]+)`", (ROOT / "docs" / "model.md").read_text(encoding="utf-8")))
    missing = sorted(key for key in leaves if not re.search(rf"(?<![\w]){re.escape(key)}(?![\w])", quoted))
    assert not missing, f"settings of the baseline not described in docs/model.md: {missing}"
