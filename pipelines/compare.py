"""Whether a change from one period to the next is beyond noise, so that only such a change is coloured.

Counts of people or sessions are compared as two Poisson counts (the normal approximation to the conditional
test: the difference divided by the square root of the sum); shares with the pooled two-proportion z-test. Both
at the 5% level, two-sided."""

from __future__ import annotations

import math

from pipelines.query import Z_975


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
