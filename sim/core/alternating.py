"""Alternating offers over a unit pie with discounting: the analytic benchmark for the model.

Two players split a pie of size 1. Player 1 proposes in rounds 1, 3, 5, …, player 2 in rounds
2, 4, …; the responder accepts or rejects, and a rejection moves the game to the next round, where
each player's payoff is discounted by its own factor ``delta_i`` per round.

*Finite horizon* (Ståhl 1972; Rubinstein 1982, section 4): if the last round ``T`` is reached the
proposer takes everything, since the responder gets nothing by refusing. By backward induction,
in every earlier round the proposer offers the responder exactly the discounted value of what the
responder would get as proposer in the next round, keeps the rest, and the offer is accepted at
once. Player 1's first-round share therefore depends on the horizon ``T``.

*Infinite horizon* (Rubinstein 1982): the unique subgame-perfect equilibrium gives player 1

    x* = (1 - delta2) / (1 - delta1 * delta2),

and the finite-horizon split converges to it as ``T`` grows: the distance to ``x*`` shrinks by
``delta1 * delta2`` every two rounds. With equal factors ``delta -> 1`` the split tends to 1/2,
the Nash bargaining solution of the pie; with ``delta_i = exp(-r_i * dt)`` and ``dt -> 0`` it
tends to ``r2 / (r1 + r2)``, the asymmetric Nash solution (Binmore, Rubinstein & Wolinsky 1986).

References:
    Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. Econometrica 50(1), 97-109.
    Ståhl, I. (1972). Bargaining Theory. Stockholm School of Economics.
    Binmore, K., Rubinstein, A. & Wolinsky, A. (1986). The Nash bargaining solution in economic
    modelling. RAND Journal of Economics 17(2), 176-188.
"""

from __future__ import annotations


def _check_delta(name: str, delta: float) -> None:
    if not 0.0 <= delta <= 1.0:
        raise ValueError(f"{name} must be a discount factor in [0, 1], got {delta}")


def proposer_shares(delta1: float, delta2: float, horizon: int) -> list[float]:
    """The equilibrium proposer's share in each round of the game that ends after ``horizon`` rounds.

    Solved by backward induction from the last round, where the proposer takes the whole pie.

    Args:
        delta1: Player 1's discount factor per round, in [0, 1].
        delta2: Player 2's discount factor per round, in [0, 1].
        horizon: Number of rounds (>= 1); player 1 proposes in round 1.

    Returns:
        ``shares[t]`` is the share the proposer of round ``t + 1`` keeps (player 1 in even ``t``,
        player 2 in odd ``t``); ``shares[0]`` is player 1's share of the agreed split.
    """
    _check_delta("delta1", delta1)
    _check_delta("delta2", delta2)
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1 round, got {horizon}")
    shares = [1.0] * horizon
    for t in range(horizon - 2, -1, -1):
        # The responder of round t+1 proposes in round t+2: offer it that, discounted by its factor.
        responder_delta = delta2 if t % 2 == 0 else delta1
        shares[t] = 1.0 - responder_delta * shares[t + 1]
    return shares


def finite_horizon_split(delta1: float, delta2: float, horizon: int) -> float:
    """Player 1's share of the pie in the subgame-perfect equilibrium of the ``horizon``-round game.

    The offer is made in round 1 and accepted at once.
    """
    return proposer_shares(delta1, delta2, horizon)[0]


def splits_by_horizon(delta1: float, delta2: float, max_horizon: int) -> list[float]:
    """Player 1's equilibrium share for every horizon ``1 .. max_horizon`` in one pass.

    Uses the recursion over horizons, ``x1(T) = 1 - delta2 * x2(T - 1)`` and
    ``x2(T) = 1 - delta1 * x1(T - 1)`` with ``x1(1) = x2(1) = 1``, where ``x_i(T)`` is player i's
    share when it opens a ``T``-round game (the same numbers as ``finite_horizon_split``).
    """
    _check_delta("delta1", delta1)
    _check_delta("delta2", delta2)
    if max_horizon < 1:
        raise ValueError(f"max_horizon must be at least 1 round, got {max_horizon}")
    x1 = x2 = 1.0
    out = [x1]
    for _ in range(max_horizon - 1):
        x1, x2 = 1.0 - delta2 * x2, 1.0 - delta1 * x1
        out.append(x1)
    return out


def rubinstein_split(delta1: float, delta2: float) -> float:
    """Player 1's share in Rubinstein's infinite-horizon equilibrium, ``(1 - d2) / (1 - d1 d2)``.

    Raises:
        ValueError: if a factor lies outside [0, 1] or both are 1 (no unique equilibrium).
    """
    _check_delta("delta1", delta1)
    _check_delta("delta2", delta2)
    if delta1 * delta2 >= 1.0:
        raise ValueError("at least one discount factor must be below 1")
    return (1.0 - delta2) / (1.0 - delta1 * delta2)
