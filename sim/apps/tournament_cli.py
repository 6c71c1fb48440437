"""The ``tariffsim-tournament`` command (``python -m sim.apps.tournament_cli``): check every input, play the
tournament, write, print the ranking.

Every input (strategy names, partners, numbers, overrides, the output folder) is checked before
the first match is played; a mistake is one paragraph on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.apps.command_errors import CommandError, check_output_dir, checked_config, os_error_message, report, whole_number
from sim.config import ConfigError
from sim.run.parallel import available_cores
from sim.strategies import Side
from sim.analysis.tournament import base_config, entrants, play, write
from sim.analysis.tournament_stats import format_stats, game, pairwise, strategy_stats

PROG = "tariffsim-tournament"
MAX_SEED = 2**63 - 1  # as the tariffsim config's ``seed``
MAX_REPLICATIONS = 10**7


def format_ranking(ranking: pd.DataFrame) -> str:
    """The ranked table printed at the end of a tournament."""
    lines = []
    for side, title in (("us", "US strategies"), ("partner", "partner strategies")):
        rows = ranking[ranking["side"] == side]
        width = max([len(title), *rows["strategy"].str.len()]) + 2
        lines.append(f"{'rank':>4}  {title:<{width}}{'mean utility':>13}{'deal rate':>11}{'worst':>8}{'best':>8}")
        lines += [f"{r.rank:>4}  {r.strategy:<{width}}{r.mean_utility:>13.3f}{r.deal_rate:>11.2f}"
                  f"{r.worst_utility:>8.3f}{r.best_utility:>8.3f}" for r in rows.itertuples()]
        lines.append("")
    return "\n".join(lines).rstrip()


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [item.strip() for item in text.split(",") if item.strip()]


def parser() -> argparse.ArgumentParser:
    """The command line of ``tariffsim-tournament``."""
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Play every US strategy against every partner strategy on the baseline scenario "
                    "(registry defaults) and write tidy tables, a ranking and heatmaps.")
    p.add_argument("--out", type=Path, default=None,
                   help="output directory (default: outputs/tournament/DATE/TIME)")
    p.add_argument("--us", help="US strategies, comma-separated registry names or import paths "
                                "(module.Class or path/file.py:Class); default: every US strategy")
    p.add_argument("--partner", help="partner strategies, as --us; default: every partner strategy")
    p.add_argument("--us-target", action="append", default=[], metavar="PATH",
                   help="add a user's US strategy class by import path (repeatable)")
    p.add_argument("--partner-target", action="append", default=[], metavar="PATH",
                   help="add a user's partner strategy class by import path (repeatable)")
    p.add_argument("--partners", help="partners that play the partner strategy, e.g. JPN,EU (default: all); "
                                      "the others keep their baseline strategies")
    p.add_argument("--replications", type=whole_number(1, MAX_REPLICATIONS), default=20,
                   help="replications per match (default: 20)")
    p.add_argument("--seed", type=whole_number(0, MAX_SEED), default=2025,
                   help="top-level seed of every match (default: 2025)")
    p.add_argument("--workers", type=whole_number(0, 4096, " (0: every core)"), default=1,
                   help="processes that play matches side by side (default: 1; 0: every core)")
    p.add_argument("--no-figures", action="store_true", help="write the tables only")
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE",
                   help="Hydra overrides of the base config, e.g. scenario.deadline=2025-08-01")
    return p


def chosen_partners(text: str | None, base: dict[str, Any]) -> list[str]:
    """The partner codes of ``--partners`` (all of the scenario's when not given), checked."""
    allowed = list(base["scenario"]["partners"])
    codes = _names(text)
    if codes is None:
        return allowed
    problems = [] if codes else [f"--partners {text!r}: names no partner"]
    for code in codes:
        if code not in allowed:
            close = difflib.get_close_matches(code.upper(), allowed, n=1)
            problems.append(f"--partners {code}: not a partner of scenario {base['scenario']['name']}"
                            + (f" (did you mean {close[0]}?)" if close else ""))
    if problems:
        raise CommandError("; ".join(problems) + f"; allowed: {', '.join(allowed)}, comma-separated.")
    return codes


def main(argv: Sequence[str] | None = None) -> int:
    """Check the inputs, play, write and print; returns the exit status (2: refused input)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # progress lines off a terminal
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    args = parser().parse_args(argv)
    out = args.out or Path("outputs/tournament") / dt.datetime.now().strftime("%Y-%m-%d/%H-%M-%S")
    try:
        problems = []
        chosen = []
        for side, names, targets in ((Side.US, args.us, args.us_target),
                                     (Side.PARTNER, args.partner, args.partner_target)):
            try:
                chosen.append(entrants(side, _names(names), targets))
            except ConfigError as error:
                problems.append(str(error))
        if problems:
            raise CommandError("\n".join(problems))
        us, partners = chosen
        base = checked_config(args.overrides, base_config)
        codes = chosen_partners(args.partners, base)
        check_output_dir(out)
        workers = args.workers if args.workers > 0 else available_cores()
        result = play(base, us, partners, codes, args.seed, args.replications, workers, progress=True)
        if result.table.empty:
            reasons = "; ".join(f"{u} vs {p}: {r}" for u, p, r in result.refused[:3])
            raise CommandError(f"no match could be played ({reasons}); nothing was written. Choose strategies "
                               f"whose defaults run on this scenario.")
        settings = {"scenario": base["scenario"]["name"], "seed": args.seed, "replications": args.replications,
                    "partners": codes, "overrides": args.overrides}
        write(result, out, settings, figures=not args.no_figures)
    except CommandError as error:
        return report(PROG, error)
    except OSError as error:
        return report(PROG, CommandError(os_error_message(error)))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing was written (tables are written at the end).", file=sys.stderr)
        return 130
    matches = len(us) * len(partners) - len(result.refused)
    print(f"{settings['scenario']}: {len(us)} US x {len(partners)} partner strategies, {matches} matches, "
          f"{args.replications} replications each, seed {args.seed}, {result.seconds:.1f} s")
    for u, p, reason in result.refused:
        print(f"not played: {u} vs {p}: {reason}")
    print(format_ranking(result.ranking))
    print()
    print(format_stats(strategy_stats(result.table), pairwise(result.table), game(result.table)))
    print(f"results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
