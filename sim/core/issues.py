"""The issues a US–partner pair bargains over, in real units with bounds.

A package gives every issue of the pair a value. Internally a value ``x`` in ``[lo, hi]`` is held
normalised as ``y = (x - lo) / (hi - lo)`` in ``[0, 1]``, oriented so that **1 is what the United
States wants**: the highest tariff on the partner's goods, the largest concession from the partner.
Which issues a pair bargains over is data: a scenario declares them (``scenario.issues``), and
the model reads them as ``Issue``s. The partner's value of an issue is a function of ``1 - y``: linear or concave
(``sim.core.values``), and the efficient frontier (``sim.core.frontier``) is exact for both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Issue:
    """One negotiable dimension of a US–partner package, as a scenario declares it
    (``scenario.issues``): nothing in the code names an issue.

    Attributes:
        name: Issue code, e.g. ``"autos"``.
        unit: Unit of the real value, e.g. ``"%"`` or ``"$bn"``.
        line: ``"headline"`` for the US tariff line that pauses, letters and threats move (one
            per scenario), ``"sector"`` for another US tariff line (set by ``sector_tariff``
            events), None for a partner concession (the partner wants to give little).
        description: One line for tables and transcripts.
    """

    name: str
    unit: str
    line: str | None
    description: str = ""

    @property
    def us_line(self) -> bool:
        """True for a US tariff line (the partner wants it low)."""
        return self.line is not None


def headline_of(issues: dict[str, Issue]) -> str:
    """The name of the headline US tariff line of a scenario's ``issues``."""
    return next(name for name, issue in issues.items() if issue.line == "headline")


def us_lines(issues: dict[str, Issue]) -> tuple[str, ...]:
    """The US tariff lines of ``issues``: the headline first, then the sector lines in order."""
    head = headline_of(issues)
    return (head, *(name for name, issue in issues.items() if issue.line == "sector"))


@dataclass(frozen=True, slots=True)
class IssueSpace:
    """The issues of one pair, their bounds, and conversions between real and normalised values.

    Attributes:
        names: Issue codes, in a fixed order shared by every array of the pair.
        lo: Lower bound of each issue's real value.
        hi: Upper bound of each issue's real value (``hi > lo``).
    """

    names: tuple[str, ...]
    lo: tuple[float, ...]
    hi: tuple[float, ...]

    def index(self, name: str) -> int:
        """Position of issue ``name`` in this space."""
        return self.names.index(name)

    def normalise(self, name: str, x: float) -> float:
        """Real value of ``name`` to its normalised value in [0, 1] (clipped)."""
        i = self.names.index(name)
        y = (x - self.lo[i]) / (self.hi[i] - self.lo[i])
        return min(1.0, max(0.0, y))

    def real(self, i: int, y: float) -> float:
        """Normalised value of issue ``i`` back to real units."""
        return self.lo[i] + y * (self.hi[i] - self.lo[i])

    def __len__(self) -> int:
        return len(self.names)
