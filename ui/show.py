"""How figures are written on screen, with small counts of people suppressed."""

from __future__ import annotations

from pipelines.privacy import suppress


def count(n: int | None, threshold: int) -> str:
    return suppress(n, threshold)


def money(x: float | None) -> str:
    return "–" if x is None else f"£{x:,.0f}"


def number(x: float | None, digits: int = 1, unit: str = "") -> str:
    return "–" if x is None else f"{x:,.{digits}f}{unit}"


def share(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def share_of(n: int | None, total: int | None, threshold: int) -> str:
    """A share of people, hidden (as '<8 people') when its count is small enough to identify someone."""
    if n is None or not total:
        return "–"
    return f"{n / total:.0%}" if shown(n, threshold) else f"<{threshold} people"


def change(current: float | None, previous: float | None, kind: str = "count") -> str | None:
    """The difference from the previous period as st.metric's delta, or None when either is unknown."""
    if current is None or previous is None:
        return None
    diff = current - previous
    if kind == "money":
        return f"{'+' if diff >= 0 else '-'}£{abs(diff):,.0f}"
    if kind == "share":
        return f"{diff * 100:+.0f} points"
    if kind == "decimal":
        return f"{diff:+.1f}"
    return f"{diff:+,.0f}"


def shown(n: int | None, threshold: int) -> bool:
    """A count (or a figure about that many people) may be shown: none, or at least the threshold."""
    return n is not None and not 0 < n < threshold
