"""How figures are written on screen, with small counts of people suppressed."""

from __future__ import annotations

import math

import pandas as pd

from pipelines.privacy import suppress


def count(n: int | None, threshold: int) -> str:
    return suppress(n, threshold)


def money(x: float | None) -> str:
    return "–" if x is None else f"£{x:,.0f}"


def number(x: float | None, digits: int = 1, unit: str = "") -> str:
    return "–" if x is None else f"{x:,.{digits}f}{unit}"


def months(x: float | None) -> str:
    """A runway in months, rounded down: 2.98 months is not yet 3."""
    return "–" if x is None else f"{math.floor(x * 10) / 10:,.1f} months"


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


def people_table(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """A group / people / share table as shown: small counts as '<N', and their shares withheld."""
    return pd.DataFrame(
        {
            "group": frame["group"],
            "people": [count(int(n), threshold) for n in frame["people"]],
            "share": [share_of(int(n), int(frame["people"].sum()), threshold) for n in frame["people"]],
        }
    )


def quarterly_table(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Reach by quarter as shown: counts of people suppressed, the did-not-attend rate as a percentage."""
    return pd.DataFrame(
        {
            "quarter": frame["quarter"],
            "people reached": [count(int(n), threshold) for n in frame["reached"]],
            "new": [count(int(n), threshold) for n in frame["new"]],
            "returning": [count(int(n), threshold) for n in frame["returning"]],
            "attendances": [f"{n:,}" for n in frame["attendances"]],
            "did not attend": [share(r) if r == r else "–" for r in frame["dna_rate"]],
            "sessions": [f"{n:,}" for n in frame["sessions_delivered"]],
        }
    )


def value_table(frame: pd.DataFrame, measure: str | None, threshold: int) -> pd.DataFrame:
    """Cost per participant and per improvement as shown: costs over fewer people than the threshold withheld."""
    table = {
        "activity": frame["activity"],
        "expenditure": frame["expenditure"].map(money),
        "people reached": [count(int(n), threshold) for n in frame["reached"]],
        "cost per person": [
            money(c) if shown(int(n), threshold) else "–"
            for c, n in zip(frame["cost_per_participant"], frame["reached"], strict=True)
        ],
    }
    if measure:
        improved = frame[f"improved {measure}"]
        table[f"improved ({measure})"] = [count(int(n), threshold) for n in improved]
        table["cost per improvement"] = [
            money(c) if shown(int(n), threshold) else "–"
            for c, n in zip(frame[f"cost per improvement {measure}"], improved, strict=True)
        ]
    return pd.DataFrame(table)
