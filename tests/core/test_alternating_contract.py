"""The alternating-offers benchmark's argument checks: the edges it accepts and messages that
name the argument at fault."""

from __future__ import annotations

import pytest

from sim.core.alternating import finite_horizon_split, proposer_shares, rubinstein_split, splits_by_horizon


def test_discount_factors_of_exactly_0_and_1_are_accepted_in_a_finite_game():
    assert proposer_shares(1.0, 1.0, 2) == pytest.approx([0.0, 1.0])   # patient responder takes it all
    assert finite_horizon_split(0.0, 0.0, 2) == pytest.approx(1.0)
    assert splits_by_horizon(1.0, 0.5, 3) == pytest.approx([1.0, 0.5, 1.0])
    assert rubinstein_split(1.0, 0.5) == pytest.approx(1.0)


def test_a_one_round_game_gives_the_proposer_everything():
    assert proposer_shares(0.5, 0.5, 1) == [1.0]
    assert splits_by_horizon(0.5, 0.5, 1) == [1.0]


@pytest.mark.parametrize("call", [proposer_shares, splits_by_horizon])
@pytest.mark.parametrize(("d1", "d2", "name"), [(1.5, 0.5, "delta1"), (0.5, -0.1, "delta2")])
def test_a_bad_discount_factor_is_named_with_its_value(call, d1, d2, name):
    bad = d1 if name == "delta1" else d2
    with pytest.raises(ValueError, match=rf"^{name} must be a discount factor in \[0, 1\], got {bad}$"):
        call(d1, d2, 3)


@pytest.mark.parametrize(("d1", "d2", "name"), [(1.5, 0.5, "delta1"), (0.5, -0.1, "delta2")])
def test_rubinstein_names_a_bad_discount_factor(d1, d2, name):
    with pytest.raises(ValueError, match=rf"^{name} must be a discount factor"):
        rubinstein_split(d1, d2)


def test_bad_horizons_and_two_patient_players_are_refused_in_words():
    with pytest.raises(ValueError, match=r"^horizon must be at least 1 round, got 0$"):
        proposer_shares(0.5, 0.5, 0)
    with pytest.raises(ValueError, match=r"^max_horizon must be at least 1 round, got 0$"):
        splits_by_horizon(0.5, 0.5, 0)
    with pytest.raises(ValueError, match=r"^at least one discount factor must be below 1$"):
        rubinstein_split(1.0, 1.0)
