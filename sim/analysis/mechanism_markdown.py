"""The measured effects as the Markdown table of docs/mechanisms.md (``effects.md``).

One row per mechanism: its claim, its switch (the overrides), and for each expected effect the
expectation, the measured effect with its 95% interval and p-value, and the verdict.
"""

from __future__ import annotations

import pandas as pd

from sim.config.mechanism_table import MechanismTable

UNITS = {"deal_day": " d", "final_rate": " pt"}  # and " pt" for a rate agreed in deals (deal_rate, deal_<line>)


def unit_of(outcome: str) -> str:
    """The unit an outcome's effect is shown in."""
    return UNITS.get(outcome, " pt" if outcome.startswith("deal_") else "")
ARROWS = {"up": "↑", "down": "↓"}
HEADER = ("| mechanism | switch (overrides) | expected | measured: effect [95% CI], p | verdict |\n"
          "|---|---|---|---|---|")


def _number(value: float, unit: str) -> str:
    return f"{value:+.3g}{unit}"


def _expected(row: pd.Series) -> str:
    by = f" by {row['by']}" if isinstance(row["by"], str) and row["by"] else ""
    if row["direction"] == "none":
        return f"{row['partner']} {row['outcome']}{by} no change"
    unit = unit_of(row["outcome"])
    return f"{row['partner']} {row['outcome']}{by} {ARROWS[row['direction']]} ≥ {row['min_effect']:g}{unit}"


def _measured(row: pd.Series) -> str:
    unit = unit_of(row["outcome"])
    return (f"{_number(row['effect'], unit)} [{_number(row['ci_low'], '')}, {_number(row['ci_high'], '')}], "
            f"p = {row['p_value']:.2g}")


def _verdict(text: str) -> str:
    return f"**{text}**" if text == "live" else text


def markdown_table(effects: pd.DataFrame, table: MechanismTable) -> str:
    """The effects of ``table``'s mechanisms as a Markdown table, in the table's order."""
    lines = [HEADER]
    for mechanism in table.mechanisms:
        rows = effects[effects["mechanism"] == mechanism.name]
        if rows.empty:
            continue
        switch = [f"`ref: {o}`" for o in mechanism.reference] + [f"`{o}`" for o in mechanism.changed]
        cells = [rows.apply(f, axis=1).tolist() for f in (_expected, _measured)]
        verdicts = [_verdict(v) for v in rows["verdict"]]
        lines.append(f"| `{mechanism.name}`: {mechanism.claim} | {'<br>'.join(switch)} | "
                     f"{'<br>'.join(cells[0])} | {'<br>'.join(cells[1])} | {'<br>'.join(verdicts)} |")
    return "\n".join(lines) + "\n"
