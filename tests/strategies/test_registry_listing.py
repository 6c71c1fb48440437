"""The library as a whole: its size, its listing, and which side each strategy can play."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim.strategies import STRATEGIES, Side, USStrategy, strategy_spec
from sim.strategies.__main__ import listing

ISSUE_LIBRARY = {  # the strategies issue 3 asks for
    "boulware", "linear", "conceder", "relative_tit_for_tat", "absolute_tit_for_tat", "hardliner", "aspiration",
    "maximum_pressure", "deal_seeker", "erratic", "hold_until_election", "appease_early", "retaliate",
    "wait_out_the_market",
}


def test_the_library_has_at_least_twelve_strategies_including_the_issues_list() -> None:
    assert len(STRATEGIES) >= 12
    assert ISSUE_LIBRARY <= set(STRATEGIES)


def test_listing_shows_every_strategy_once_by_side_then_name() -> None:
    lines = listing().splitlines()
    assert lines[0].split() == ["name", "side", "stochastic", "summary"]
    rows = [line.split(maxsplit=3) for line in lines[2:]]
    assert [row[0] for row in rows] == [name for name, _ in sorted(
        STRATEGIES.items(), key=lambda item: ([*Side].index(item[1].info.side), item[0]))]
    for name, side, stochastic, summary in rows:
        info = STRATEGIES[name].info
        assert (side, stochastic == "yes", summary) == (info.side.value, info.stochastic, info.summary)


def test_python_dash_m_lists_the_registry() -> None:
    out = subprocess.run([sys.executable, "-m", "sim.strategies"], capture_output=True, text=True, check=True).stdout
    assert all(name in out for name in STRATEGIES)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_each_strategy_is_accepted_for_the_sides_it_declares(name: str) -> None:
    side = STRATEGIES[name].info.side
    if side in (Side.PARTNER, Side.BOTH):
        assert strategy_spec({"name": name}, Side.PARTNER, "s")[0] is not None
    if side is Side.US:
        assert strategy_spec({"name": name}, Side.US, "s")[0] is not None


def test_every_both_sides_strategy_can_play_the_us() -> None:
    both = [name for name, cls in STRATEGIES.items() if cls.info.side is Side.BOTH]
    assert [name for name in both if not issubclass(STRATEGIES[name], USStrategy)] == []
    for name in both:
        assert strategy_spec({"name": name}, Side.US, "s")[0] is not None
