"""The query kernel: the filters every page applies, their parameters, and the SQL every figure is built from.

Each definition is written here once (who attended, who belongs to the chosen activities, the pairs of first and
latest questionnaires, income spread by day, session bands, a person's groups); subjects (reach, outcomes,
funding combine them and never write their own copies.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import duckdb
import pandas as pd

from pipelines.dimensions import DIMENSIONS
from pipelines.measures import MEASURES
from pipelines.periods import Period, quarter_label
from pipelines.vocab import NOT_KNOWN

Con = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Filters:
    """What every page shows: a period and, optionally, some activities (none chosen means all)."""

    period: Period
    activities: tuple[str, ...] = ()

    def with_period(self, period: Period) -> Filters:
        return Filters(period, self.activities)

    def key(self, name: str) -> str:
        """A count's key in a page's published set (disclosure.PublishedSet): what it counts, and over which days;
        the activities are the page's own."""
        return f"{self.period.start:%Y-%m-%d}/{self.period.end:%Y-%m-%d} {name}"

    @property
    def description(self) -> str:
        """What a chart or table covers, in words: 'Financial year 2025-26 (Apr 2025 – Mar 2026), all activities'."""
        which = ", ".join(self.activities) if self.activities else "all activities"
        return f"{self.period.description}, {which}"


def one_of(choice: str, options: Iterable[str], kind: str) -> None:
    """Refuse a grouping the code does not know (it is written into SQL)."""
    if choice not in options:
        raise ValueError(f"Unknown {kind} {choice!r}; expected one of {', '.join(options)}.")


def fetch_rows(con: Con, sql: str, params: dict | None = None) -> list[tuple]:
    return list(_answer(con, sql, params, "rows"))


def fetch_frame(con: Con, sql: str, params: dict | None = None) -> pd.DataFrame:
    return _answer(con, sql, params, "frame").copy()  # a copy: callers may change their frame


_remembered: ContextVar[dict | None] = ContextVar("remembered", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Within the block, a query asked again with the same parameters is answered from its first answer, for work
    that reads the data many times without changing it: a published set calls every figure function of every page,
    and about half their queries are ones another has already asked (reach, each measure's pairs...). A block
    within another shares its answers."""
    token = _remembered.set({} if _remembered.get() is None else _remembered.get())
    try:
        yield
    finally:
        _remembered.reset(token)


def _answer(con: Con, sql: str, params: dict | None, shape: str) -> list[tuple] | pd.DataFrame:
    """The query's rows, or its frame (``shape``), remembered within ``remembering``."""
    planned = _planned(sql, params or {})
    memo = _remembered.get()
    key = (id(con), shape, planned[0], repr(sorted(planned[1].items())))
    if memo is not None and key in memo:
        return memo[key]
    result = con.execute(*planned)
    found = result.fetchall() if shape == "rows" else result.df()
    if memo is not None:
        memo[key] = found
    return found


_CHOSEN = re.compile(r"/\*chosen\*/((?!/\*chosen\*/).)*?/\*end chosen\*/", re.DOTALL)  # innermost first


def _planned(sql: str, params: dict) -> tuple[str, dict]:
    """With no activity chosen, each test of a chosen activity (ACTIVITY_MATCH, is_member) is written as ``true``:
    DuckDB would otherwise still work out who belongs to the chosen activities, over every attendance, to no effect.
    Parameters the query does not use are dropped (DuckDB refuses them)."""
    if params.get("all_acts"):
        while (written := _CHOSEN.sub("true", sql)) != sql:
            sql = written
    return sql, {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


def activity_params(f: Filters | None, **extra: object) -> dict:
    """Parameters for ACTIVITY_MATCH (no activities chosen, or no filters, means all)."""
    chosen = list(f.activities) if f else []
    return {"acts": chosen, "all_acts": not chosen, **extra}


def sql_params(f: Filters, **extra: object) -> dict:
    return activity_params(f, start=f.period.start, end=f.period.end, **extra)


# Who took part ------------------------------------------------------------------------------------

ACTIVITY_MATCH = "/*chosen*/($all_acts OR activity IN (SELECT unnest($acts)))/*end chosen*/"  # a chosen activity's row
ATTENDED = "attended = 'attended'"  # a person at a session (not a did-not-attend, not a cancellation)
REGISTER_SQL = f"SELECT * FROM attendance WHERE session_date BETWEEN $start AND $end AND {ACTIVITY_MATCH}"
ATTENDED_SQL = f"SELECT * FROM ({REGISTER_SQL}) WHERE {ATTENDED}"  # sessions attended in the period
ATTENDED_TO_END_SQL = f"SELECT * FROM attendance WHERE {ATTENDED} AND session_date <= $end AND {ACTIVITY_MATCH}"
REACHED_SQL = f"SELECT DISTINCT participant_id FROM ({ATTENDED_SQL})"  # people reached in the period
FIRST_ATTENDED_SQL = f"SELECT * FROM attended_first WHERE first_day <= $end AND {ACTIVITY_MATCH}"  # per activity
FIRST_SEEN_SQL = f"SELECT participant_id, min(first_day) AS first_day FROM ({FIRST_ATTENDED_SQL}) GROUP BY 1"

MEMBERSHIP_SQL = f"""
    SELECT participant_id, activity FROM ({FIRST_ATTENDED_SQL})
    UNION SELECT participant_id, activity FROM wellbeing WHERE activity IS NOT NULL AND date <= $end AND {ACTIVITY_MATCH}
"""  # the chosen activities each person took part in up to the period's end: attended, or a questionnaire against it


MEMBER_DAYS_SQL = f"""
    SELECT participant_id, first_day AS day FROM ({FIRST_ATTENDED_SQL})
    UNION ALL SELECT participant_id, date FROM wellbeing WHERE activity IS NOT NULL AND date <= $end AND {ACTIVITY_MATCH}
"""  # the days a person took part in the chosen activities (MEMBERSHIP_SQL), to tell who had by an earlier day


def is_member(column: str = "participant_id") -> str:
    """True for the chosen activities' people (MEMBERSHIP_SQL); everyone when no activity is chosen."""
    return f"/*chosen*/($all_acts OR {column} IN (SELECT participant_id FROM ({MEMBERSHIP_SQL})))/*end chosen*/"


SESSION_BANDS = (("1", 1), ("2–5", 5), ("6–11", 11), ("12+", None))  # (label, most sessions in the band)
NO_SESSIONS = "none recorded"
SESSION_BAND_ORDER = (*(label for label, _ in SESSION_BANDS), NO_SESSIONS)


def session_band(count: str) -> str:
    """SQL naming the band of a count of sessions (NULL: none recorded)."""
    bands = " ".join(f"WHEN {count} <= {most} THEN '{label}'" for label, most in SESSION_BANDS if most is not None)
    return f"CASE WHEN {count} IS NULL THEN '{NO_SESSIONS}' {bands} ELSE '{SESSION_BANDS[-1][0]}' END"


def or_not_recorded(column: str) -> str:
    """SQL for an optional attendance column, 'not recorded' where blank."""
    return f"coalesce({column}, 'not recorded')"


PROFILE_COLUMNS = ", ".join(f"coalesce({d.sql}, '{NOT_KNOWN}') AS {d.key}" for d in DIMENSIONS)


def with_profile(source: str) -> str:
    """The rows of ``source`` with each person's groups from their profile ('Not known' where not recorded)."""
    return (
        f"SELECT x.*, p.imd_decile, {PROFILE_COLUMNS} FROM ({source}) x "
        "LEFT JOIN participant_profiles p USING (participant_id)"
    )


# Outcomes ------------------------------------------------------------------------------------------

SCORED_SQL = "SELECT * FROM wellbeing WHERE measure = $measure AND score IS NOT NULL AND date <= $end"
PAIRS_SQL = f"""
    WITH q AS (SELECT participant_id, date, score FROM ({SCORED_SQL})),
    ends AS (
        SELECT participant_id, min(date) AS baseline_date, max(date) AS followup_date FROM q GROUP BY 1
        HAVING max(date) > min(date))
    SELECT e.participant_id, e.baseline_date, b.score AS baseline, e.followup_date, l.score AS followup,
        l.score - b.score AS change
    FROM ends e
    JOIN q b ON b.participant_id = e.participant_id AND b.date = e.baseline_date
    JOIN q l ON l.participant_id = e.participant_id AND l.date = e.followup_date
    WHERE e.followup_date BETWEEN $start AND $end AND {is_member("e.participant_id")}
"""  # each person's first and latest questionnaire, the latest in the period (docs/metrics.md#pairs)


def pairs_by_quarter_sql(periods: list[Period]) -> str:
    """PAIRS_SQL for each of some quarters at once (``quarter``, ``q_start`` columns), each as of its own end: a
    person's first questionnaire and their latest in the quarter. ``$end`` is the last quarter's end."""
    return f"""
    WITH q AS (SELECT participant_id, date, score FROM ({SCORED_SQL})),
    firsts AS (SELECT participant_id, min(date) AS baseline_date FROM q GROUP BY 1),
    lasts AS (
        SELECT quarter, q_start, q_end, participant_id, max(date) AS followup_date
        FROM q JOIN {periods_table(periods)} ON date BETWEEN q_start AND q_end GROUP BY ALL)
    SELECT l.quarter, l.q_start, l.participant_id, f.baseline_date, b.score AS baseline, l.followup_date,
        x.score AS followup, x.score - b.score AS change
    FROM lasts l JOIN firsts f USING (participant_id)
    JOIN q b ON b.participant_id = l.participant_id AND b.date = f.baseline_date
    JOIN q x ON x.participant_id = l.participant_id AND x.date = l.followup_date
    WHERE l.followup_date > f.baseline_date AND /*chosen*/($all_acts OR l.participant_id IN (
        SELECT participant_id FROM ({MEMBER_DAYS_SQL}) WHERE day <= l.q_end))/*end chosen*/
    """


CHANGE_COLUMNS = """count(*) AS pairs, avg(change) AS mean_change, stddev_samp(change) AS sd,
    count(*) FILTER (WHERE change * $sign >= $reliable_change) AS improved,
    count(*) FILTER (WHERE -change * $sign >= $reliable_change) AS deteriorated"""  # over pairs, with change_params


def change_params(f: Filters, measure: str) -> dict:
    """Parameters for CHANGE_COLUMNS. A measure without a reliable change has nobody improved or deteriorated."""
    m = MEASURES[measure]
    points = m.reliable_change if m.reliable_change is not None else math.inf
    return sql_params(f, measure=measure, sign=1 if m.higher_better else -1, reliable_change=points)


# Money ----------------------------------------------------------------------------------------------

EXPENDITURE_SQL = f"SELECT * FROM expenditure WHERE period_start BETWEEN $start AND $end AND {ACTIVITY_MATCH}"
LINE_DAYS = "(datediff('day', start_date, end_date) + 1)"  # days a funding line runs, both ends included
ANNUAL_VALUE = f"amount * 365.25 / {LINE_DAYS}"


def periods_table(periods: list[Period]) -> str:
    """A VALUES list of (quarter label, start, end) to join rows to, as q(quarter, q_start, q_end)."""
    rows = ", ".join(f"('{quarter_label(p.start)}', DATE '{p.start}', DATE '{p.end}')" for p in periods)
    return f"(VALUES {rows}) q(quarter, q_start, q_end)"


def spread_sql(periods: list[Period], status: str = "secured") -> str:
    """Each funding line's income in each period: its amount spread evenly by day over its dates."""
    return f"""
        SELECT q.quarter, q.q_start, f.*,
            amount * (datediff('day', greatest(start_date, q_start), least(end_date, q_end)) + 1) / {LINE_DAYS}
                AS income
        FROM funding f JOIN {periods_table(periods)} ON start_date <= q_end AND end_date >= q_start
        WHERE status = '{status}' AND {ACTIVITY_MATCH}
    """
