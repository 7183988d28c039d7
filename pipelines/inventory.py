"""What the data holds, for the choices a page offers: the dates it covers, its activities and measures, and the
period the app opens on."""

from __future__ import annotations

import datetime as dt

from pipelines.measures import MEASURE_ORDER
from pipelines.periods import Period, latest_complete_financial_year
from pipelines.query import Con, fetch_rows


def data_range(con: Con) -> tuple[dt.date, dt.date] | None:
    """First and last session or questionnaire date in the data."""
    first, last = fetch_rows(
        con,
        "SELECT min(d), max(d) FROM (SELECT session_date AS d FROM attendance UNION ALL SELECT date FROM wellbeing)",
    )[0]
    return (first, last) if first else None


def default_period(con: Con, today: dt.date | None = None) -> Period:
    """The period the app opens on: the latest complete financial year in the data."""
    found = data_range(con)
    if found is None:
        return latest_complete_financial_year(today or dt.date.today(), today)
    return latest_complete_financial_year(found[1], today, first_data_day=found[0])


def activities(con: Con) -> list[str]:
    return [r[0] for r in fetch_rows(con, "SELECT DISTINCT activity FROM attendance ORDER BY 1")]


def measures_with_data(con: Con) -> list[str]:
    found = {r[0] for r in fetch_rows(con, "SELECT DISTINCT measure FROM wellbeing WHERE score IS NOT NULL")}
    return [m for m in MEASURE_ORDER if m in found]


def main_measure(con: Con) -> str | None:
    """The measure most people completed themselves (not derived), preferring docs/measures.md#scores order on a tie."""
    counts = dict(
        fetch_rows(con, "SELECT measure, count(DISTINCT participant_id) FILTER (NOT derived) FROM wellbeing GROUP BY 1")
    )
    ranked = sorted(measures_with_data(con), key=lambda m: (-counts[m], MEASURE_ORDER.index(m)))
    return ranked[0] if ranked else None
