"""The issues a US–partner pair bargains over, in real units with bounds.

A package gives every issue of the pair a value. Internally a value ``x`` in ``[lo, hi]`` is held
normalised as ``y = (x - lo) / (hi - lo)`` in ``[0, 1]``, oriented so that **1 is what the United
States wants**: the highest tariff on the partner's goods, the largest concession from the partner.
The partner's value of an issue is a function of ``1 - y``: linear or concave
(``sim.core.values``), and the efficient frontier (``sim.core.frontier``) is exact for both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Issue:
    """One negotiable dimension of a US–partner package.

    Attributes:
        name: Issue code, e.g. ``"autos"``.
        unit: Unit of the real value, e.g. ``"%"`` or ``"$bn"``.
        us_line: True for a US tariff line (the partner wants it low), False for a partner
            concession (the partner wants to give little).
        description: One line for tables and transcripts.
    """

    name: str
    unit: str
    us_line: bool
    description: str


ISSUES: dict[str, Issue] = {
    issue.name: issue
    for issue in (
        Issue("reciprocal", "%", True, "reciprocal / emergency tariff on all goods"),
        Issue("autos", "%", True, "Section 232 tariff on cars and parts"),
        Issue("steel", "%", True, "Section 232 tariff on steel and aluminium"),
        Issue("farm_access", "%", False, "share of the protected farm market opened (rice, dairy)"),
        Issue("digital", "%", False, "share of contested digital taxes and platform rules dropped"),
        Issue("purchases", "$bn", False, "purchases and investment pledged in the US"),
        Issue("ntb", "%", False, "share of flagged non-tariff barriers removed"),
        Issue("china_alignment", "%", False, "share of US trans-shipment and China demands met"),
    )
}


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
