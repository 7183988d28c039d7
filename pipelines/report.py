"""What a report covers: the whole service or one funder's work, over a period, for some activities.

A funder's scope is its secured grants, the activities those grants name (a grant with no activity funds the whole
service), and the grants' own dates up to the end of the data, unless a period is chosen.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

import pandas as pd

from pipelines import inventory
from pipelines.periods import Period
from pipelines.query import Con, Filters, fetch_frame

SECTIONS = ("outcomes", "reach", "funding", "methods")
GRANTS_SQL = """
    SELECT title, amount, start_date, end_date, activity, status FROM funding
    WHERE funder = $funder AND status = 'secured' ORDER BY start_date, title
"""


class UnknownChoice(ValueError):
    """A funder, activity or section the data does not have, with the ones it does."""


@dataclass(frozen=True)
class Scope:
    """The work a report is about."""

    filters: Filters
    funder: str | None = None
    grants: pd.DataFrame | None = None  # the funder's secured grants: title, amount, dates, activity

    @property
    def who(self) -> str:
        return ", ".join(self.filters.activities) if self.filters.activities else "the whole service"


def funders(con: Con) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT funder FROM funding ORDER BY 1").fetchall()]


def scope(
    con: Con,
    *,
    funder: str | None = None,
    period: Period | None = None,
    activities: tuple[str, ...] = (),
) -> Scope:
    """The report's scope; an unknown funder or activity is refused, naming the known ones."""
    known = inventory.activities(con)
    for activity in activities:
        _must_know("activity", activity, known)
    if funder is None:
        return Scope(Filters(period or inventory.default_period(con), activities))
    _must_know("funder", funder, funders(con))
    grants = fetch_frame(con, GRANTS_SQL, {"funder": funder})
    funded = () if grants.empty or grants["activity"].isna().any() else tuple(sorted(set(grants["activity"])))
    chosen = activities or tuple(a for a in funded if a in known)
    return Scope(Filters(period or _grant_period(con, grants), chosen), funder, grants)


def _grant_period(con: Con, grants: pd.DataFrame) -> Period:
    """From the first grant's start to the last one's end, or to the end of the data if that comes first."""
    if grants.empty:
        return inventory.default_period(con)
    first, last = inventory.data_range(con) or (dt.date.min, dt.date.today())
    start = max(_day(min(grants["start_date"])), first)
    return Period(start, max(start, min(_day(max(grants["end_date"])), last)))


def _day(value: object) -> dt.date:
    return pd.Timestamp(value).date()


def sections(text: str | None) -> tuple[str, ...]:
    """'outcomes,methods' as a tuple of sections in report order; all of them when none are named."""
    if not text:
        return SECTIONS
    named = [s.strip().lower() for s in text.split(",") if s.strip()]
    for name in named:
        _must_know("section", name, list(SECTIONS))
    return tuple(s for s in SECTIONS if s in named)


def _must_know(what: str, name: str, known: list[str]) -> None:
    if name in known:
        return
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    listed = "; ".join(known) if known else "none in the data yet"
    plural = "activities" if what == "activity" else f"{what}s"
    raise UnknownChoice(f"There is no {what} called {name!r}.{hint} The {plural} are: {listed}.")
