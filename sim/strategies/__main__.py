"""``python -m sim.strategies``: list the registered strategies.

One row per strategy: registry name, the side it plays, whether it draws from the generator,
and its one-line summary; US strategies first, then partners', then those for either side,
each by name.
"""

from __future__ import annotations

from sim.strategies import STRATEGIES, Side

SIDE_ORDER = {side: i for i, side in enumerate(Side)}  # us, partner, both
# A command to paste into a shell: quoted, or bash expands the braces and the leading `~`.
EXAMPLE = ("tariffsim '~scenario.partners.JPN.strategy' "
           "'+scenario.partners.JPN.strategy={name:conceder,beta:2.0}'")


def listing() -> str:
    """The registry as a fixed-width text table."""
    rows = [("name", "side", "stochastic", "summary")]
    for cls in sorted(STRATEGIES.values(), key=lambda c: (SIDE_ORDER[c.info.side], c.info.name)):
        info = cls.info
        rows.append((info.name, info.side.value, "yes" if info.stochastic else "no", info.summary))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join([*(cell.ljust(w) for cell, w in zip(row[:3], widths)), row[3]]).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in [*widths, len(rows[0][3])]))
    return "\n".join(lines)


if __name__ == "__main__":
    try:
        print(listing(), flush=True)
    except BrokenPipeError:  # `python -m sim.strategies | head`
        from sim.apps.command_errors import closed_pipe

        closed_pipe()
    print(f"\n{len(STRATEGIES)} strategies. Choose one per agent in a config, e.g.\n  {EXAMPLE}")
