"""The shipped scenarios use only what was public by 1 July 2025.

Every date written in each shipped scenario (``sim/conf/scenario/*.yaml``: the baseline and the
wider round) and in the scenarios and country files it composes (values and comments alike:
"7 Jul", "10 Jul 2025", "2025-07-07", "Jul 2025", "Aug") must fall on or before the cut-off,
except the scheduled dates of ``SCHEDULED``, known in advance; every judgement names its plausible
range. What was decided after the cut-off (letter rates, the length of an extension, an election's
result) is drawn per run.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.model.events import EventKind
from sim.config.paths import CONF
from sim.run.runner import replication_seeds, run_model

CUTOFF = dt.date(2025, 7, 1)
YEAR = 2025  # a date written without its year is in the scenario's year

# Dates after the cut-off that were scheduled, and public, before it.
SCHEDULED = {
    dt.date(2025, 7, 9): "end of the 90-day pause, set on 9 Apr 2025",
    dt.date(2025, 7, 20): "Japan's upper-house election, called before the cut-off",
    dt.date(2025, 7, 21): "the day after Japan's election (the rice red line lapses)",
    dt.date(2025, 7, 31): "appeals-court hearing, set by the Federal Circuit on 10 Jun 2025",
    dt.date(2025, 8, 12): "the Geneva truce with China ends (90 days agreed on 12 May 2025)",
    dt.date(2025, 9, 30): "end of the simulated horizon (a modelling choice, not a fact)",
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FULL = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December")
# Month names are matched case-sensitively, so "may" (the verb) and "decay" are not dates.
_MONTH = r"(?P<month>" + "|".join(sorted(_FULL + _MONTHS + ("Sept",), key=len, reverse=True)) + r")\.?"
_PATTERNS = (
    re.compile(r"\b(?P<year>20\d\d)-(?P<mon>\d\d)-(?P<day>\d\d)\b"),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r"(?:\s+(?P<year>20\d\d))?\b"),
    re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>20\d\d)\b)?"),
    re.compile(r"\b(?P<part>early|mid|late)[- ]" + _MONTH + r"(?:\s+(?P<year>20\d\d))?\b"),
    re.compile(r"\b" + _MONTH + r"(?:\s+(?P<year>20\d\d))?\b"),
    re.compile(r"\b(?P<year>20\d\d)\b"),
)
_PART_DAY = {"early": 1, "mid": 11, "late": 21}


def _month_number(name: str) -> int:
    name = name.rstrip(".")
    if name == "Sept":
        return 9
    return (_FULL.index(name) if name in _FULL else _MONTHS.index(name)) + 1


def dates_in(text: str) -> list[tuple[dt.date, str]]:
    """Every date written in ``text``, with the words it was read from.

    A month without a day reads as its first day, a year alone as 1 January: the earliest
    reading, so that only what is surely later than the cut-off is refused.
    """
    found: list[tuple[dt.date, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue  # part of a date already read by a more specific pattern
            g = match.groupdict()
            year = int(g["year"]) if g.get("year") else YEAR
            if g.get("mon"):
                month = int(g["mon"])
            elif g.get("month"):
                month = _month_number(g["month"])
            else:
                month = 1
            day = int(g["day"]) if g.get("day") else _PART_DAY.get(g.get("part") or "", 1)
            try:
                found.append((dt.date(year, month, day), match.group(0)))
            except ValueError:
                continue  # "31 Feb" or a number that only looks like a day
            taken.append(span)
    return found


def scenario_files(name: str = "baseline_2025") -> list[Path]:
    """Scenario ``name``, the scenarios its defaults build on (a plain entry such as
    ``baseline_2025``) and every country file they compose (``/country@...: jpn``), each once."""
    scenario = CONF / "scenario" / f"{name}.yaml"
    files = [scenario]
    for entry in yaml.safe_load(scenario.read_text(encoding="utf-8")).get("defaults", []):
        if isinstance(entry, dict):
            (group, option), = entry.items()
            if group.lstrip("/").startswith("country@"):
                files.append(CONF / "country" / f"{option}.yaml")
        elif entry != "_self_":
            files += scenario_files(entry)
    return list(dict.fromkeys(files))


def baseline_files() -> list[Path]:
    """The baseline scenario and every country file its defaults compose."""
    return scenario_files("baseline_2025")


def starts_in_2025(name: str) -> bool:
    """Whether scenario ``name`` (or the scenario it builds on) starts in 2025: a scenario of the
    2025 round, with its cut-off of 1 Jul 2025. Another episode (2018-19) has its own cut-off and
    its own test."""
    for path in scenario_files(name):
        start = yaml.safe_load(path.read_text(encoding="utf-8")).get("start") if path.parent.name == "scenario" else None
        if start is not None:
            return str(start).startswith(f"{YEAR}-")
    return False


# The shipped scenarios of the 2025 round (sim/conf/scenario/*.yaml): the baseline and the wider round.
SCENARIOS = sorted(path.stem for path in (CONF / "scenario").glob("*.yaml") if starts_in_2025(path.stem))


def test_every_shipped_scenario_is_checked():
    assert {"baseline_2025", "wider_2025"} <= set(SCENARIOS)
    wider = {path.name for path in scenario_files("wider_2025")}
    assert {"wider_2025.yaml", "baseline_2025.yaml", "usa.yaml", "jpn.yaml", "ind.yaml", "che.yaml",
            "bra.yaml"} <= wider


def late_mentions(path: Path) -> list[str]:
    """``file:line: words`` for each date after the cut-off that is not a scheduled one."""
    out = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for date, words in dates_in(line):
            if date > CUTOFF and date not in SCHEDULED:
                out.append(f"{path.relative_to(CONF.parents[1])}:{number}: {words!r} ({date}) in: {line.strip()}")
    return out


@pytest.mark.parametrize("text, expected", [
    ("the 7 Jul letter", dt.date(2025, 7, 7)), ("announced on 7 Jul 2025", dt.date(2025, 7, 7)),
    ("date: \"2025-07-07\"", dt.date(2025, 7, 7)), ("WSJ, Jul 2025", dt.date(2025, 7, 1)),
    ("9 Jul -> 1 Aug", dt.date(2025, 7, 9)), ("July 12, 2025", dt.date(2025, 7, 12)),
    ("late July", dt.date(2025, 7, 21)), ("a later letter (Aug)", dt.date(2025, 8, 1)),
    ("deals by 2026", dt.date(2026, 1, 1)),
])
def test_dates_are_read_in_every_form(text, expected):
    assert expected in [date for date, _ in dates_in(text)]


def test_words_that_only_look_like_months_are_not_dates():
    assert dates_in("the US may extend; stress decays; 25% on cars, $148bn") == []


def test_the_first_reading_of_an_overlap_wins():
    assert [d for d, _ in dates_in("from the 10 Jul 2025 letter")] == [dt.date(2025, 7, 10)]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_value_or_source_note_is_dated_after_the_cutoff(scenario):
    late = [line for path in scenario_files(scenario) for line in late_mentions(path)]
    assert not late, f"hindsight in {scenario}:\n  " + "\n  ".join(late)


def comments(path: Path) -> list[tuple[int, str]]:
    """``(line, text)`` of each comment: a trailing one, or a block of whole-line comments joined."""
    out: list[tuple[int, str]] = []
    block: tuple[int, str] | None = None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        code, _, comment = line.partition("#")
        if code.strip():
            if block:
                out.append(block)
                block = None
            if comment:
                out.append((number, comment))
        elif comment:
            block = (block[0], f"{block[1]} {comment}") if block else (number, comment)
        elif block:
            out.append(block)
            block = None
    return out + ([block] if block else [])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_judgement_names_its_plausible_range(scenario):
    vague = [f"{path.name}:{number}: {text.strip()}" for path in scenario_files(scenario)
             for number, text in comments(path)
             if re.search(r"\bjudgement\b[,:]", text) and not re.search(r"plausible[^0-9#]*[-+±]?\d", text)]
    assert not vague, "judgements without a plausible range:\n  " + "\n  ".join(vague)


def test_what_was_decided_later_is_drawn_not_given(baseline):
    scenario = baseline.scenario
    assert all(p.letter_drawn for p in scenario.partners.values()), "letter rates must be drawn"
    assert scenario.us.extension_spread > 0, "the extension's length must be drawn"
    japan = scenario.partners["JPN"].politics.election
    assert japan is not None and japan.capital_spread > 0, "Japan's vote must be drawn"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_partners_letter_rate_is_drawn(scenario):
    from tests.conftest import study_from

    partners = study_from(f"scenario={scenario}").scenario.partners
    assert [code for code, p in partners.items() if not p.letter_drawn] == [], "letter rates must be drawn"


def _detail(row: tuple) -> str:
    return row[4]() if callable(row[4]) else row[4]


def _letters_extensions_capital(scenario, seed):
    model = run_model(scenario, seed)
    letters = {row[3]: re.search(r"(\d+)%", _detail(row)).group(1) for row in model.log.rows
               if row[1] is EventKind.LETTER}
    japan = next(p for p in model.partners if p.code == "JPN")
    ts = model.datacollector.model_vars["day"]
    index = model.partners.index(japan)
    capital_after_vote = ts[japan.election_day][2 + index][-1]
    return letters, model.deadline_day if model.extensions else None, capital_after_vote


def test_letter_rates_extension_and_election_vary_across_seeds(baseline):
    results = [_letters_extensions_capital(baseline.scenario, s) for s in replication_seeds(3, 12)]
    letter_texts = {text for letters, _, _ in results for text in letters.values()}
    deadlines = {d for _, d, _ in results if d is not None}
    capitals = {round(c, 6) for _, _, c in results}
    assert len(letter_texts) > 3, f"letters always name the same rates: {letter_texts}"
    assert len(deadlines) > 3, f"extensions always run to the same day: {deadlines}"
    assert len(capitals) > 3, f"Japan's vote always ends the same way: {capitals}"
    assert np.isfinite(list(capitals)).all()


@pytest.mark.parametrize("key, value, allowed", [
    ("scenario.us.letter_premium", -5, "scenario.us.letter_premium=-5: must be a number in [0, 100]"),
    ("scenario.us.extension_spread", 2.5, "scenario.us.extension_spread=2.5: must be a whole number in [0, 365]"),
    ("scenario.partners.JPN.politics.election.capital_spread", 2,
     "scenario.partners.JPN.politics.election.capital_spread=2: must be a number in [0, 1]"),
    ("scenario.partners.JPN.letter_rate", "high", "scenario.partners.JPN.letter_rate='high': must be a tariff"),
])
def test_the_draws_settings_are_checked(key, value, allowed):
    from omegaconf import OmegaConf

    from sim.config import ConfigError, load_study
    from tests.conftest import compose_config

    data = OmegaConf.to_container(compose_config(), resolve=True)
    *head, last = key.split(".")
    node = data
    for name in head:
        node = node[name]
    node[last] = value
    with pytest.raises(ConfigError) as caught:
        load_study(data)
    assert allowed in str(caught.value)


def test_a_configured_letter_rate_is_kept(baseline):
    from tests.conftest import study_from

    study = study_from("scenario.partners.JPN.letter_rate=31", "scenario.us.extension_spread=0")
    japan = study.scenario.partners["JPN"]
    assert not japan.letter_drawn and japan.letter_rate == 31.0
    model = run_model(study.scenario, replication_seeds(5, 1)[0])
    named = [_detail(row) for row in model.log.rows if row[1] is EventKind.LETTER and row[3] == "JPN"]
    assert all(re.search(r"\b(3[1-9]|[4-5]\d)%", text) for text in named)  # at least the configured 31%
    if model.extensions:
        assert model.deadline_day == (study.scenario.deadline - study.scenario.start).days + 34
