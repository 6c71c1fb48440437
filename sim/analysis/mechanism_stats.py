"""Effects of a change on paired replications (common random numbers), with a 95% interval and a
p-value: the statistics of ``tariffsim-mechanisms``.

Replication ``i`` of the baseline and of the changed config run on the same seed, so each
outcome comes in pairs and paired tests apply: McNemar's exact test (a binomial test on the
discordant pairs) for a probability, the Wilcoxon signed-rank test for a deal day, the paired t
test for a mean. Outcomes that exist only in some replications (the rate agreed in a deal) are not
paired: Welch's t test compares their means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

Z95 = stats.norm.ppf(0.975)
BOOTSTRAP_SAMPLES = 2000


@dataclass(frozen=True)
class Effect:
    """The effect of a change on one outcome.

    Attributes:
        baseline: The outcome's summary in the baseline (a share, a median or a mean).
        changed: The same summary under the change.
        effect: ``changed - baseline``.
        low: Lower end of the 95% interval of ``effect``.
        high: Upper end of the 95% interval.
        p_value: Two-sided p-value of "no effect".
        test: The test used.
        n: Pairs (or, unpaired, the smaller sample).
        identical: Whether the two arms gave exactly the same outcomes.
    """

    baseline: float
    changed: float
    effect: float
    low: float
    high: float
    p_value: float
    test: str
    n: int
    identical: bool


def mcnemar(baseline: np.ndarray, changed: np.ndarray) -> Effect:
    """Difference of two paired probabilities; exact McNemar test (binomial on discordant pairs)
    and the Wald interval of a paired difference of proportions."""
    a, b = np.asarray(baseline, dtype=bool), np.asarray(changed, dtype=bool)
    n = len(a)
    gained, lost = int(np.sum(~a & b)), int(np.sum(a & ~b))
    effect = (gained - lost) / n
    discordant = gained + lost
    p = 1.0 if discordant == 0 else stats.binomtest(gained, discordant, 0.5).pvalue
    half = Z95 * math.sqrt(max(0.0, discordant - (gained - lost) ** 2 / n)) / n
    return Effect(float(a.mean()), float(b.mean()), effect, effect - half, effect + half, float(p),
                  "McNemar exact", n, discordant == 0)


def median_shift(baseline: np.ndarray, changed: np.ndarray, seed: int = 0) -> Effect:
    """Difference of the medians of two paired samples (deal days); Wilcoxon signed-rank test on
    the paired differences, and a percentile bootstrap interval over the pairs."""
    a, b = np.asarray(baseline, dtype=float), np.asarray(changed, dtype=float)
    n = len(a)
    effect = float(np.median(b) - np.median(a))
    diff = b - a
    if not np.any(diff):
        return Effect(float(np.median(a)), float(np.median(b)), 0.0, 0.0, 0.0, 1.0, "Wilcoxon signed-rank", n, True)
    p = stats.wilcoxon(b, a, zero_method="wilcox").pvalue
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=(BOOTSTRAP_SAMPLES, n))
    shifts = np.median(b[picks], axis=1) - np.median(a[picks], axis=1)
    low, high = np.percentile(shifts, [2.5, 97.5])
    return Effect(float(np.median(a)), float(np.median(b)), effect, float(low), float(high), float(p),
                  "Wilcoxon signed-rank", n, False)


def mean_shift(baseline: np.ndarray, changed: np.ndarray) -> Effect:
    """Difference of the means of two paired samples; paired t test and its t interval."""
    a, b = np.asarray(baseline, dtype=float), np.asarray(changed, dtype=float)
    n = len(a)
    diff = b - a
    effect = float(diff.mean())
    if not np.any(diff):
        return Effect(float(a.mean()), float(b.mean()), 0.0, 0.0, 0.0, 1.0, "paired t", n, True)
    sd = float(diff.std(ddof=1))
    if sd == 0.0:  # the same non-zero shift in every pair: certain
        return Effect(float(a.mean()), float(b.mean()), effect, effect, effect, 0.0, "paired t", n, False)
    p = stats.ttest_rel(b, a).pvalue
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    return Effect(float(a.mean()), float(b.mean()), effect, effect - half, effect + half, float(p),
                  "paired t", n, False)


def welch(baseline: np.ndarray, changed: np.ndarray) -> Effect:
    """Difference of the means of two unpaired samples (rates in deals); Welch's t test and its
    interval. NaN where either sample has fewer than two values."""
    a, b = np.asarray(baseline, dtype=float), np.asarray(changed, dtype=float)
    n = min(len(a), len(b))
    same = len(a) == len(b) and bool(np.array_equal(np.sort(a), np.sort(b)))
    if n < 2:
        nan = float("nan")
        return Effect(_mean(a), _mean(b), _mean(b) - _mean(a), nan, nan, nan, "Welch t", n, same)
    effect = float(b.mean() - a.mean())
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    if va + vb == 0.0:
        p = 1.0 if effect == 0.0 else 0.0
        return Effect(float(a.mean()), float(b.mean()), effect, effect, effect, p, "Welch t", n, same)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    p = stats.ttest_ind(b, a, equal_var=False).pvalue
    return Effect(float(a.mean()), float(b.mean()), effect, effect - half, effect + half, float(p),
                  "Welch t", n, same)


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else float("nan")
