"""Progress (sim/run/progress.py): a tqdm bar on a terminal, plain log lines elsewhere; tournaments show it too."""

from __future__ import annotations

import io
import logging

import pytest

from sim.run import progress
from sim.run.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_tqdm_bar_that_ends_at_the_total(monkeypatch):
    made = []

    class Recording(progress.tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(progress, "tqdm", Recording)
    stream = _Terminal()
    bar = Progress(10, "baseline", stream=stream)
    bar.advance(4)
    bar.advance(6)
    bar.close()
    assert len(made) == 1 and made[0].n == 10 and made[0].total == 10 and made[0].fp is not None
    text = stream.getvalue()
    assert "\r" in text and "10/10 runs" in text and text.endswith("\n")


def test_off_a_terminal_no_bar_is_drawn_only_log_lines(caplog):
    stream = io.StringIO()
    with caplog.at_level(logging.INFO, logger="tariffsim"):
        bar = Progress(50, "baseline", stream=stream)
        for _ in range(50):
            bar.advance(1)
        bar.close()
    assert stream.getvalue() == ""  # no carriage returns in a log file
    lines = [r.getMessage() for r in caplog.records]
    assert 5 <= len(lines) <= 11 and all(line.startswith("baseline [") for line in lines)
    assert "50/50 runs" in lines[-1] and "\r" not in "".join(lines)


def test_a_disabled_progress_says_nothing(caplog):
    stream = _Terminal()
    with caplog.at_level(logging.INFO, logger="tariffsim"):
        bar = Progress(5, "quiet", stream=stream, enabled=False)
        bar.advance(5)
        bar.close()
    assert stream.getvalue() == "" and not caplog.records


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_a_tournament_reports_its_progress_match_by_match(caplog, workers):
    from sim.analysis.tournament import Entrant, base_config, play

    us = [Entrant("deal_seeker", {"name": "deal_seeker"})]
    partners = [Entrant("boulware", {"name": "boulware"}), Entrant("conceder", {"name": "conceder"})]
    with caplog.at_level(logging.INFO, logger="tariffsim"):
        play(base_config(), us, partners, ["JPN"], seed=1, replications=1, workers=workers, progress=True)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("tournament (2 matches)")]
    assert len(lines) == 2 and "1/2 runs" in lines[0] and "2/2 runs" in lines[-1]
