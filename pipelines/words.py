"""How figures are written, on the pages and in the files: money, shares, changes and months. A figure that is
hidden or unknown arrives as None (or NaN) and is written as the withheld mark, '–' (pipelines/disclosure.py)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from pipelines.disclosure import WITHHELD


def _missing(x: float | None) -> bool:
    return x is None or x != x


def money(x: float | None) -> str:
    return WITHHELD if _missing(x) else f"£{x:,.0f}"


def number(x: float | None, digits: int = 1, unit: str = "") -> str:
    return WITHHELD if _missing(x) else f"{x:,.{digits}f}{unit}"


def signed(x: float | None, digits: int = 1) -> str:
    """A change with its sign: '+4.3', '-2.0'."""
    return WITHHELD if _missing(x) else f"{x:+,.{digits}f}"


def in_sentence(label: str) -> str | None:
    """A count's label as a sentence may say it: '<8' as 'fewer than 8', '1,234' as it is; None for the withheld
    mark, so that the sentence leaves that figure out rather than print '–' inside it."""
    if label == WITHHELD:
        return None
    return label.replace("<", "fewer than ") if label.startswith("<") else label


def people(label: str, noun: str = "people") -> str | None:
    """'fewer than 8 people', '115 people', '1 person' from a count's label; None when withheld."""
    said = in_sentence(label)
    if said is None:
        return None
    return f"{said} {'person' if said == '1' and noun == 'people' else noun}"


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """'1 problem', '19 problems', '0 grants or contracts': a count with its noun agreeing."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def share(x: float | None) -> str:
    return WITHHELD if _missing(x) else f"{x:.0%}"


def months(x: float | None) -> str:
    """A reserves runway as written: rounded down to a tenth (``tenths_down``)."""
    return WITHHELD if _missing(x) else f"{tenths_down(x):,.1f} months"


def tenths_down(x: float) -> float:
    """A runway rounded down to a tenth, as it is written and judged: 2.98 months is not yet 3, 6.04 is 6.0."""
    return math.floor(x * 10) / 10


def interval(low: float | None, high: float | None, digits: int = 1) -> str:
    """A 95% interval with signs, '+2.9 to +6.1'; the withheld mark when it is not shown."""
    return WITHHELD if _missing(low) or _missing(high) else f"{low:+.{digits}f} to {high:+.{digits}f}"


def change(current: float | None, previous: float | None, kind: str = "count") -> str | None:
    """The difference from the previous period, or None when either is hidden or unknown."""
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


def joined(names: Iterable[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    return " and ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} and {names[-1]}"


def listed(names: Iterable[object], values: Iterable[object]) -> str:
    """'2025-26 Q1 120; 2025-26 Q2 <8': each name with its figure as shown, for a chart's description."""
    return "; ".join(f"{name} {value}" for name, value in zip(names, values, strict=True))
