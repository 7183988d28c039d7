"""The statistics every figure uses, below everything else: intervals, effect size and whether two periods differ.

- Means: the t interval (docs/metrics.md#pairs). Shares: the Wilson score interval.
- How big a change is: the standardised response mean (the mean change divided by the standard deviation of the
  changes, sometimes written dz), with an approximate 95% interval.
- Changes from one period to the next (pipelines/overview.py), both at the 5% level, two-sided: counts compared as
  two Poisson counts with the exact conditional (binomial) test; shares with Fisher's exact test where a table cell
  expects fewer than 5, otherwise the pooled two-proportion z-test.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy.special import bdtr, stdtrit  # binomial CDF, Student's t quantile; scipy.stats takes long to import

Z_975 = 1.959964  # the standard normal's 97.5th percentile, for 95% intervals
GROUP_FIGURES = ["mean_change", "ci_low", "ci_high", "improved", "deteriorated", "share_improved"]


def mean_ci(mean: float | None, sd: float | None, n: int, level: float = 0.95) -> list[float] | None:
    """t interval: mean ± t(1 − α/2, n − 1) · sd / √n; None below two values, and None when every value is the
    same (sd 0): an interval of no width would claim a certainty the data cannot give (``too_little_variation``)."""
    if n < 2 or mean is None or sd is None or sd == 0:
        return None
    half = stdtrit(n - 1, 1 - (1 - level) / 2) * sd / math.sqrt(n)
    return [mean - half, mean + half]


def wilson(k: int, n: int, z: float = Z_975) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def with_intervals(frame: pd.DataFrame, count: str) -> pd.DataFrame:
    """Groups with ``mean_change``, ``sd``, ``count``, ``improved`` and ``deteriorated``, given the 95% t interval
    of their mean change (``ci_low``, ``ci_high``) and ``share_improved`` in place of ``sd``."""
    values = zip(frame["mean_change"], frame["sd"], frame[count], strict=True)
    cis = [mean_ci(m, s, n) or [None, None] for m, s, n in values]
    frame = frame.assign(
        ci_low=[c[0] for c in cis], ci_high=[c[1] for c in cis], share_improved=frame["improved"] / frame[count]
    )
    return frame.drop(columns="sd").astype(dict.fromkeys(GROUP_FIGURES, "float64"))


def too_little_variation(n: int, sd: float | None) -> bool:
    """Every change the same (and more than one): no interval can be given, so no judgement against chance."""
    return n >= 2 and sd == 0


def standardised_response_mean(mean: float | None, sd: float | None, n: int) -> dict[str, float | None]:
    """The standardised response mean (dz): the mean change ÷ the standard deviation of the changes, with an
    approximate 95% interval from its large-sample standard error √(1/n + dz²/2n) (exact intervals need the
    noncentral t distribution, which gives no answer for large samples here)."""
    if n < 2 or mean is None or not sd:
        return {"srm": None, "ci_low": None, "ci_high": None}
    srm = mean / sd
    half = Z_975 * math.sqrt(1 / n + srm * srm / (2 * n))
    return {"srm": srm, "ci_low": srm - half, "ci_high": srm + half}


def size_in_words(srm: float) -> str:
    """How big a standardised change is, whichever the direction, by Cohen's rough guide for standardised
    differences: under 0.2 very small, then small, medium, large."""
    size = abs(srm)
    return "very small" if size < 0.2 else "small" if size < 0.5 else "medium" if size < 0.8 else "large"


def counts_differ(now: float | None, before: float | None, level: float = 0.05) -> bool:
    """True when two counts over periods of the same length differ by more than chance would explain: the exact
    conditional test of two Poisson counts (given their sum, the first is binomial with p = ½), two-sided; False
    when either is unknown. 5 against 0 gives p = 0.0625: not different."""
    if now is None or before is None or now + before == 0:
        return False
    total, low = int(round(now + before)), int(round(min(now, before)))
    return bool(min(1.0, 2 * bdtr(low, total, 0.5)) < level)


def shares_differ(now: float | None, n_now: float | None, before: float | None, n_before: float | None) -> bool:
    """True when two shares (``now`` of ``n_now``, ``before`` of ``n_before``) differ beyond chance: Fisher's exact
    test where a cell of the two-by-two table expects fewer than 5, otherwise the pooled two-proportion z-test."""
    if None in (now, n_now, before, n_before) or not n_now or not n_before:
        return False
    pooled = (now * n_now + before * n_before) / (n_now + n_before)
    expected = min(x for n in (n_now, n_before) for x in (pooled * n, (1 - pooled) * n))
    if expected < 5:
        return fisher_p(round(now * n_now), round(n_now), round(before * n_before), round(n_before)) < 0.05
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_now + 1 / n_before))
    return spread > 0 and abs(now - before) > Z_975 * spread


def fisher_p(a: int, n_a: int, b: int, n_b: int) -> float:
    """Fisher's exact test, two-sided, of a of n_a against b of n_b: the chance, with the margins fixed, of a table
    at most as likely as the one seen."""
    k, total = a + b, n_a + n_b

    def chance(x: int) -> float:
        return math.comb(n_a, x) * math.comb(n_b, k - x) / math.comb(total, k)

    seen = chance(a)
    found = (chance(x) for x in range(max(0, k - n_b), min(k, n_a) + 1))
    return min(1.0, sum(p for p in found if p <= seen * (1 + 1e-7)))
