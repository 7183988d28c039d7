"""How figures are written on screen. They arrive already made safe by the pipeline (pipelines/disclosure.py):
None is a figure that is hidden or unknown, written '–'."""

from __future__ import annotations

from pipelines.metrics import runway_in_words


def money(x: float | None) -> str:
    return "–" if x is None or x != x else f"£{x:,.0f}"


def number(x: float | None, digits: int = 1, unit: str = "") -> str:
    return "–" if x is None or x != x else f"{x:,.{digits}f}{unit}"


def signed(x: float | None, digits: int = 1) -> str:
    """A change with its sign: '+4.3', '-2.0'."""
    return "–" if x is None or x != x else f"{x:+,.{digits}f}"


def months(x: float | None) -> str:
    return runway_in_words(x)


def share(x: float | None) -> str:
    return "–" if x is None or x != x else f"{x:.0%}"


def change(current: float | None, previous: float | None, kind: str = "count") -> str | None:
    """The difference from the previous period as st.metric's delta, or None when either is hidden or unknown."""
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
