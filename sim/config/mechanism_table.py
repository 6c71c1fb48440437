"""The declarative table of mechanisms (``sim/conf/mechanisms.yaml``): for each mechanism of the
articles, the overrides that switch it off or move it, and the effect it should have (partner,
outcome, direction, minimum size).

Each row compares a reference arm (the baseline, or the baseline with ``reference`` overrides)
with a changed arm (``changed`` overrides on top of the reference's), both written as on the
``tariffsim`` command line and validated by the project's config loader before any run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hydra import compose, initialize_config_dir

from sim.config.paths import CONF, CONF_DIR
from sim.config.reader import ConfigError, Reader

TABLE = CONF / "mechanisms.yaml"

# Per partner and replication (see ``sim.apps.mechanisms.outcome_values``):
OUTCOMES = {
    "p_deal": "probability of a deal by the horizon",
    "p_deal_by": "probability of a deal on or before the date `by`",
    "deal_day": "median deal day (no deal counts as the day after the horizon)",
    "final_rate": "mean headline (reciprocal) rate in force at the horizon, %",
    "deal_rate": "mean headline rate agreed in deals, % (unpaired)",
    "deal_autos": "mean autos rate agreed in deals, % (unpaired)",
    "p_extension": "probability that the US extends the deadline",
    "partner_value": "mean partner utility of the outcome (the deal, or its value of no deal)",
}
DIRECTIONS = ("up", "down", "none")


@dataclass(frozen=True)
class Expectation:
    """What a mechanism should do to one partner's outcome."""

    partner: str
    outcome: str
    direction: str
    min_effect: float
    by: dt.date | None = None


@dataclass(frozen=True)
class Mechanism:
    """One row of the table: a change and its expected effects."""

    name: str
    claim: str
    reference: tuple[str, ...]
    changed: tuple[str, ...]
    expect: tuple[Expectation, ...]


@dataclass(frozen=True)
class MechanismTable:
    """The whole table, with the replications, seed and significance level of its tests."""

    seed: int
    replications: int
    alpha: float
    mechanisms: tuple[Mechanism, ...]


def baseline_partners() -> list[str]:
    """The partner codes the default scenario declares (``scenario.partners`` of the composed
    default config), in its order: the partners a mechanism's expectation may name."""
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        cfg = compose("config")
    return [str(code) for code in cfg.scenario.partners]


def load_table(path: Path = TABLE, replications: int | None = None, only: list[str] | None = None,
               seed: int | None = None, partners: Sequence[str] | None = None) -> MechanismTable:
    """Read and check the table; ``replications``, ``seed`` and ``only`` (mechanism names)
    replace the file's settings. Each expectation's ``partner`` must be one of ``partners``
    (default: the baseline's, ``baseline_partners``).

    Raises:
        ConfigError: naming every bad key, its value and what is allowed.
    """
    try:
        data = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read the mechanism table {path}: {error}") from None
    errors: list[str] = []
    codes = tuple(baseline_partners() if partners is None else partners)
    r = Reader(data, "", errors)
    if replications is not None:
        r.data = {**r.data, "replications": replications}
    if seed is not None:
        r.data = {**r.data, "seed": seed}
    table = MechanismTable(r.integer("seed", 0, 2**63 - 1), r.integer("replications", 2, 10**6),
                           r.number("alpha", 0, 1, lo_open=True, default=0.01),
                           tuple(_mechanism(m, codes) for m in r.items("mechanisms")))
    r.finish()
    names = [m.name for m in table.mechanisms]
    for name in {n for n in names if names.count(n) > 1}:
        errors.append(f"mechanisms: the name {name!r} is used more than once; names must be unique")
    if only:
        unknown = [n for n in only if n not in names]
        if unknown:
            errors.append(f"--only {','.join(unknown)}: not in the table; allowed: {', '.join(names)}")
        table = MechanismTable(table.seed, table.replications, table.alpha,
                               tuple(m for m in table.mechanisms if m.name in only))
    if not table.mechanisms and not errors:
        errors.append(f"{path}: the table lists no mechanism")
    if errors:
        raise ConfigError("invalid mechanism table:\n  " + "\n  ".join(errors))
    return table


def _mechanism(r: Reader, partners: tuple[str, ...]) -> Mechanism:
    name = r.raw("name")
    if not isinstance(name, str) or not name.replace("_", "").isalnum():
        r.error(r.key("name"), name, "must be a name of letters, digits and underscores")
    mechanism = Mechanism(str(name), str(r.raw("claim", "")), _overrides(r, "reference"),
                          _overrides(r, "changed"), tuple(_expectation(e, partners) for e in r.items("expect")))
    if not mechanism.changed:
        r.error(r.key("changed"), [], "must list at least one override (KEY=VALUE)")
    if not mechanism.expect:
        r.error(r.key("expect"), [], "must list at least one expected effect")
    r.finish()
    return mechanism


def _overrides(r: Reader, name: str) -> tuple[str, ...]:
    value: Any = r.raw(name, [])
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and "=" in v for v in value):
        r.error(r.key(name), value, "must be a list of overrides written KEY=VALUE")
        return ()
    return tuple(value)


def _expectation(r: Reader, partners: tuple[str, ...]) -> Expectation:
    outcome = r.choice("outcome", tuple(OUTCOMES))
    partner = r.raw("partner")
    if "partner" not in r.missing and partner not in partners:
        r.error(r.key("partner"), partner, f"must be one of the baseline's partners (scenario.partners): "
                f"{', '.join(partners)}")
    partner = "" if partner is None else str(partner)
    by = r.date("by", None)
    if outcome == "p_deal_by" and by is None and "by" not in r.missing:
        r.error(r.key("by"), None, "is required for p_deal_by (a date written YYYY-MM-DD)")
    expectation = Expectation(partner, outcome, r.choice("direction", DIRECTIONS),
                              r.number("min_effect", 0, default=0.0), by)
    r.finish()
    return expectation
