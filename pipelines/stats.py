"""The statistics every figure uses, below everything else: intervals, effect size and whether two periods differ.

- Means: the t interval (docs/metrics.md#pairs). Shares: the Wilson score interval.
- Effect size: the standardised mean change with its approximate 95% interval.
- Changes from one period to the next (pipelines/overview.py): counts compared as two Poisson counts (the normal
  approximation to the conditional test: the difference divided by the square root of the sum), shares with the
  pooled two-proportion z-test, both at the 5% level, two-sided.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy.special import stdtrit  # Student's t quantile; scipy.stats takes twice as long to import

Z_975 = 1.959964  # the standard normal's 97.5th percentile, for 95% intervals
GROUP_FIGURES = ["mean_change", "ci_low", "ci_high", "improved", "deteriorated", "share_improved"]


def mean_ci(mean: float | None, sd: float | None, n: int, level: float = 0.95) -> list[float] | None:
    """t interval: mean ± t(1 − α/2, n − 1) · sd / √n; None below two values."""
    if n < 2 or mean is None or sd is None:
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


def effect_size(mean: float | None, sd: float | None, n: int) -> dict[str, float | None]:
    """Standardised mean change d = mean ÷ sd of change, with a 95% CI from SE = √(1/n + d²/2n)."""
    if n < 2 or mean is None or not sd:
        return {"d": None, "ci_low": None, "ci_high": None}
    d = mean / sd
    half = Z_975 * math.sqrt(1 / n + d * d / (2 * n))
    return {"d": d, "ci_low": d - half, "ci_high": d + half}


def effect_size_words(d: float) -> str:
    """Cohen's rough guide in words, whichever the direction: under 0.2 very small, then small, medium, large."""
    size = abs(d)
    return "very small" if size < 0.2 else "small" if size < 0.5 else "medium" if size < 0.8 else "large"


def counts_differ(now: float | None, before: float | None) -> bool:
    """True when two counts differ by more than chance would explain; False when either is unknown."""
    if now is None or before is None or now + before == 0:
        return False
    return abs(now - before) > Z_975 * math.sqrt(now + before)


def shares_differ(now: float | None, n_now: float | None, before: float | None, n_before: float | None) -> bool:
    """True when two shares (``now`` of ``n_now``, ``before`` of ``n_before``) differ beyond chance."""
    if None in (now, n_now, before, n_before) or not n_now or not n_before:
        return False
    pooled = (now * n_now + before * n_before) / (n_now + n_before)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_now + 1 / n_before))
    return spread > 0 and abs(now - before) > Z_975 * spread
