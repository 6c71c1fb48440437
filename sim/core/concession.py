"""Time-dependent concession (Faratin, Sierra & Jennings 1998).

At normalised time ``tau`` in [0, 1] an agent's target utility is

    u(tau) = u_max - (u_max - u_res) * alpha(tau),   alpha(tau) = k + (1 - k) * tau ** (1 / beta)

``beta < 1`` is Boulware (holds firm, concedes late), ``beta = 1`` linear, ``beta > 1`` Conceder.

References:
    Faratin, P., Sierra, C. & Jennings, N. R. (1998). Negotiation decision functions for
    autonomous agents. Robotics and Autonomous Systems 24(3-4), 159-182.
"""

from __future__ import annotations


def faratin_alpha(tau: float, beta: float, k: float = 0.0) -> float:
    """Share of the way from aspiration to reservation conceded at normalised time ``tau``.

    Args:
        tau: Normalised time; clipped to [0, 1].
        beta: Concession exponent (> 0).
        k: Share conceded at once, in [0, 1].

    Returns:
        ``alpha`` in [k, 1].
    """
    if tau <= 0.0:
        return k
    if tau >= 1.0:
        return 1.0
    return k + (1.0 - k) * tau ** (1.0 / beta)


def target_utility(tau: float, u_max: float, u_res: float, beta: float, k: float = 0.0) -> float:
    """Faratin's target utility at normalised time ``tau`` (``faratin_alpha`` inlined: hot path)."""
    if tau <= 0.0:
        alpha = k
    elif tau >= 1.0:
        alpha = 1.0
    else:
        alpha = k + (1.0 - k) * tau ** (1.0 / beta)
    return u_max - (u_max - u_res) * alpha
