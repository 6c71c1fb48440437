"""The judgement parameters of the baseline and their plausible ranges, read from the config comments.

Every value of ``sim/conf/scenario/baseline_2025.yaml`` and ``sim/conf/country/*.yaml`` that is not cited
says so in its comment: ``# judgement, plausible 0.3-0.8: reason``. This module finds each such
comment, the dotted config key it belongs to (as the composed config names it, e.g.
``scenario.partners.JPN.politics.capital``) and its range, so that a sensitivity study can be
checked against the configs (``tests/test_judgement_ranges.py``): a new judgement without a study
entry, or a range changed in one place only, fails.

Forms understood (anything else containing "judgement, plausible" raises, so none is missed):

- ``key: 0.4  # judgement, plausible 0.3-0.6: ...`` (also ``A to B``; negative numbers allowed);
- on a flow mapping, ranges named by sub-key (``plausible probability 0.4-0.9, beta 0.3-1.0``), a
  sub-key or value before the word (``hi: judgement, ...``, ``15: judgement, ...``), or else every
  number of the mapping (``retaliation: {gain: 0.02, us_cost: 0.02}``, a red line's ``max``);
- a comment block above a key (``Judgement, plausible 0-15`` above ``letter_premium: 10.0``).

Judgements that cannot be swept one at a time are listed in ``UNSWEPT`` with the reason; ranges
whose end a strategy refuses, in ``INSIDE_OPEN_BOUND`` with the range a study sweeps instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.config.paths import CONF

_COUNTRY = re.compile(r"/country@(us|partners\.[A-Z]{2,5})")


def _prefixes(scenario: str = "baseline_2025") -> dict[str, str]:
    """Where each file's values sit in the composed config: the scenario's own file, and each country
    file its defaults list places (``- /country@partners.JPN: jpn``)."""
    data = yaml.safe_load((CONF / "scenario" / f"{scenario}.yaml").read_text(encoding="utf-8"))
    out = {f"scenario/{scenario}.yaml": "scenario"}
    for item in data.get("defaults", []):
        for key, stem in (item.items() if isinstance(item, dict) else ()):
            found = _COUNTRY.fullmatch(key)
            if found:
                out[f"country/{stem}.yaml"] = f"scenario.{found.group(1)}"
    return out


PREFIXES = _prefixes()  # the baseline's files, whose judgement ranges the Morris screen reads
_TRIGGER = re.compile(r"judgement,\s+plausible\s+", re.IGNORECASE)
_NUMBER = r"-?\d+(?:\.\d+)?"
_RANGE = re.compile(rf"(?:([a-z_]+)\s+)?({_NUMBER})\s*(?:-|–|to)\s*({_NUMBER})")
_KEY = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_]\w*):")
_ITEM = re.compile(r"^(\s*)-\s")
# Judgements that one cannot move alone within their range, and why (the weights' comment names
# no absolute range; capital_after's range is that of a per-run draw, already random in every run).
UNSWEPT = {
    "issues": "us_weight and partner_weight of every issue: the weights per side must sum to 1, so one "
              "cannot move alone (plausible ±0.05 each)",
    "aspiration": "a partner's aspiration must stay above its value of no deal, which the other parameters "
                  "move (curvature, reservation_shift, letters): swept alone it is valid, in a Morris "
                  "trajectory it is not always",
    "politics.election.capital_after": "the centre of a per-run draw (capital_after ± capital_spread) whose "
                                       "plausible range 0.2-0.5 is the draw's own range",
}

# Plausible ranges whose end the strategy refuses (an open bound): the study stops just inside it.
INSIDE_OPEN_BOUND = {
    "scenario.partners.KOR.strategy.beta": (0.3, 0.99),   # a Boulware needs beta < 1
    "scenario.partners.VNM.strategy.beta": (1.01, 3.0),   # a Conceder needs beta > 1
    "scenario.partners.VNM.strategy.k": (0.005, 0.2),     # appease_early needs an opening concession k > 0
}


@dataclass(frozen=True)
class Judgement:
    """A judgement parameter: its dotted key, plausible range, baseline value and source line."""

    key: str
    low: float
    high: float
    value: float
    integer: bool
    where: str


def judgements(conf: Path = CONF) -> list[Judgement]:
    """Every sweepable judgement parameter of the baseline's config files, in file order.

    Raises:
        ValueError: a "judgement, plausible" comment that none of the forms above explains.
    """
    found: list[Judgement] = []
    for name, prefix in PREFIXES.items():
        found += _file_judgements(conf / name, prefix)
    return found


def _file_judgements(path: Path, prefix: str) -> list[Judgement]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines = path.read_text(encoding="utf-8").splitlines()
    stack: list[tuple[int, str]] = []   # (indent, key) of the open block mappings
    items: dict[str, int] = {}          # next list index under each path
    pending = ""                        # comment block waiting for the next key
    depth = 0                           # open flow-mapping braces from earlier lines
    found: list[Judgement] = []
    for number, line in enumerate(lines, 1):
        code, _, comment = line.partition("#")
        where = f"{path.parent.name}/{path.name}:{number}"
        if depth:                       # continuation of a flow mapping: its comment is its own
            depth += code.count("{") - code.count("}")
            if _TRIGGER.search(comment):
                raise ValueError(f"{where}: judgement on a continuation line; put it on the mapping's first line")
            continue
        if not code.strip():
            pending = f"{pending} {comment.strip()}" if comment else ""
            continue
        path_parts = _open_path(code, stack, items)
        if path_parts is None:
            continue
        depth = code.count("{") - code.count("}")
        text = f"{pending} {comment}" if _TRIGGER.search(pending) and not _TRIGGER.search(comment) else comment
        pending = ""
        match = _TRIGGER.search(text)
        if match is None:
            continue
        dotted = ".".join(path_parts)
        if dotted in UNSWEPT or text[match.end():].startswith("±"):
            continue  # see UNSWEPT
        node = _lookup(data, path_parts)
        found += _parse(text, match, node, f"{prefix}.{dotted}", where)
    return found


def _open_path(code: str, stack: list[tuple[int, str]], items: dict[str, int]) -> list[str] | None:
    """Update the block path ``stack`` with this line; return the path of the value the line holds."""
    item, key = _ITEM.match(code), _KEY.match(code)
    if not (item or key):
        return None
    indent = len((item or key).group(1))
    while stack and stack[-1][0] >= indent:
        stack.pop()
    if item:  # a list item is indented under its key here (events:, red_lines:)
        parent = ".".join(k for _, k in stack)
        items[parent] = items.get(parent, -1) + 1
        stack.append((indent, str(items[parent])))
        if key and not code.lstrip()[1:].lstrip().startswith("{"):
            stack.append((indent + 2, key.group(2)))
    else:
        stack.append((indent, key.group(2)))
    return [k for _, k in stack]


def _lookup(data: Any, parts: list[str]) -> Any:
    for part in parts:
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _parse(text: str, match: re.Match[str], node: Any, key: str, where: str) -> list[Judgement]:
    """The judgements one comment gives, ``match`` being where its "judgement, plausible" is."""
    chain, at = [], match.end()
    while (found := _RANGE.match(text, at)) is not None:  # "probability 0.4-0.9, beta 0.3-1.0"
        chain.append(found)
        at = found.end() + len(text[found.end():]) - len(text[found.end():].lstrip(", "))
        if not text[found.end():at].strip() == "," or not _RANGE.match(text, at) or not _RANGE.match(text, at).group(1):
            break
    if not chain:
        raise ValueError(f"{where}: no range A-B right after 'judgement, plausible'")
    first = chain[0]
    if not isinstance(node, dict):
        return [_judgement(key, first, node, where)]
    if any(r.group(1) in node for r in chain):
        return [_judgement(f"{key}.{r.group(1)}", r, node[r.group(1)], where) for r in chain if r.group(1) in node]
    before = text[:match.start()].split()
    label = before[-1].rstrip(":") if before else ""
    if label in node:  # "hi: judgement, plausible 24-50"
        return [_judgement(f"{key}.{label}", first, node[label], where)]
    numbers = [k for k, v in node.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    by_value = [k for k in numbers if _is_number(label) and float(node[k]) == float(label)]  # "15: judgement"
    if not (by_value or numbers):
        raise ValueError(f"{where}: judgement on a mapping without a number")
    return [_judgement(f"{key}.{k}", first, node[k], where) for k in by_value or numbers]


def _is_number(text: str) -> bool:
    return re.fullmatch(_NUMBER, text) is not None


def _judgement(key: str, found: re.Match[str], value: Any, where: str) -> Judgement:
    low, high = float(found.group(2)), float(found.group(3))
    if not low < high:
        raise ValueError(f"{where}: plausible range {low:g}-{high:g} of {key} is empty")
    return Judgement(key, low, high, float(value), isinstance(value, int) and not isinstance(value, bool), where)
