"""A US more sensitive to market stress extends its deadline more often, step by step: the share
of runs with an extension grows with ``us.stress_sensitivity`` over its plausible range (0, 0.2,
0.5, 1), on common seeds. The deal seeker extends when imposing the letter rates would cost it
more than ``extend_cost`` at the table (docs/model.md, 3.4.10), and that cost grows with its
sensitivity: graded, not a switch."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.mechanism_stats import mcnemar
from sim.run.runner import run_replications
from tests.conftest import study_from

LEVELS = (0.0, 0.2, 0.5, 1.0)
REPLICATIONS = 200


def extended(sensitivity: float) -> np.ndarray:
    """Whether each replication (seed 2025, in replication order) extended the deadline."""
    study = study_from(f"scenario.us.stress_sensitivity={sensitivity}")
    runs = run_replications(study.scenario, seed=2025, replications=REPLICATIONS).tables["runs"].to_pandas()
    return runs.groupby("run_id")["extended_deadline"].first().sort_index().to_numpy(bool)


@pytest.mark.slow
def test_the_extension_share_grows_with_the_us_sensitivity_to_stress():
    """Each level extends at least as often as the one below it (within 0.03, about one and a half
    standard errors of a paired difference here), and 1.0 at least 0.05 more often than 0 (the
    mechanism table's minimum), paired by seed, at p < 0.01 (exact McNemar). Measured at seed
    2025: 0.875, 0.855, 0.94, 0.975."""
    runs = [extended(level) for level in LEVELS]
    shares = [float(r.mean()) for r in runs]
    assert all(b >= a - 0.03 for a, b in zip(shares, shares[1:])), shares
    top = mcnemar(runs[0], runs[-1])
    assert top.effect >= 0.05 and top.p_value < 0.01, (shares, top.p_value)
    assert 0.5 < shares[1] < 0.95, shares  # the baseline (0.2) leaves room above it, and extends in most runs
