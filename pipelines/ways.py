"""The Five Ways to Wellbeing (Connect, Be active, Take notice, Keep learning, Give): who each way reaches, and how
people who took part in activities of each way, and in peer-led or staff-led activities, changed
(docs/metrics.md#five-ways-to-wellbeing).

An activity's ways come from its row of the ``activities`` sheet where that row names some, else from every way its
attendance rows are tagged with; whether it is peer-led only from the ``activities`` sheet (not known otherwise).
One person counts under each way of each activity they took part in, so the groups overlap and never add up to the
people reached. The functions that take a ``Disclosure`` give what a page or a file may show; the others are exact.
"""

from __future__ import annotations

import pandas as pd

from pipelines import goals
from pipelines.disclosure import Disclosure
from pipelines.outcomes import made_safe, without_reliable_change
from pipelines.query import (
    ATTENDED_SQL,
    CHANGE_COLUMNS,
    MEMBERSHIP_SQL,
    PAIRS_SQL,
    Con,
    Filters,
    change_params,
    fetch_frame,
    one_of,
    sql_params,
)
from pipelines.stats import with_intervals
from pipelines.vocab import FIVE_WAYS, NOT_KNOWN

WAYS = tuple(FIVE_WAYS.values)  # in the order they are usually listed
NOT_RECORDED = "not recorded"
PEER_LED, STAFF_LED = "Peer-led", "Staff-led"
BY = {"way": "way to wellbeing", "led": "peer-led or staff-led"}
ORDER = {"way": (*WAYS, NOT_RECORDED), "led": (PEER_LED, STAFF_LED, NOT_KNOWN)}
OVERLAP = "One person counts under each way of each activity they took part in, so the groups add up to more people."
NONE_RECORDED = (
    "No activity has its Five Ways to Wellbeing recorded yet: add a 'ways' column to the attendance sheet, or an "
    "activities sheet, on the Upload data page."
)  # what a page says in place of the figures by way while ``recorded`` is False

ACTIVITY_WAYS_SQL = """
    WITH tagged AS (
        SELECT activity, list_sort(list_distinct(flatten(list(ways)))) AS ways FROM attendance
        WHERE len(ways) > 0 GROUP BY 1),
    listed AS (SELECT activity, CASE WHEN len(ways) > 0 THEN ways END AS ways, peer_led FROM activities)
    SELECT activity, coalesce(l.ways, t.ways) AS ways, l.peer_led
    FROM (SELECT activity FROM attendance UNION SELECT activity FROM activities) a
    LEFT JOIN listed l USING (activity) LEFT JOIN tagged t USING (activity)
"""  # each activity's ways (the activities sheet's, else its attendance rows' together) and whether peer-led
_GROUP_SQL = {
    "way": f"SELECT activity, unnest(coalesce(ways, ['{NOT_RECORDED}'])) AS \"group\" FROM ({ACTIVITY_WAYS_SQL})",
    "led": f"""SELECT activity, CASE peer_led WHEN true THEN '{PEER_LED}' WHEN false THEN '{STAFF_LED}'
        ELSE '{NOT_KNOWN}' END AS "group" FROM ({ACTIVITY_WAYS_SQL})""",
}  # one row per activity and group: each of its ways, or how it is led


def _in_order(frame: pd.DataFrame, by: str, keep_all: bool = False) -> pd.DataFrame:
    """Groups in their usual order; with ``keep_all`` every way is listed (none attended: 0), 'not recorded' only
    when present."""
    found = set(frame["group"])
    order = [g for g in ORDER[by] if g in found or (keep_all and g in WAYS)]
    return frame.set_index("group").reindex(order).reset_index()


# Reach ---------------------------------------------------------------------------------------------------


def reach_counts(con: Con, f: Filters) -> pd.DataFrame:
    """People and sessions in the period per way, every way listed; a person counts under each way of each activity
    they attended."""
    frame = fetch_frame(
        con,
        f"""SELECT w."group", count(DISTINCT participant_id) AS people,
            count(DISTINCT (a.activity, session_date)) AS sessions
        FROM ({ATTENDED_SQL}) a JOIN ({_GROUP_SQL["way"]}) w USING (activity) GROUP BY 1""",
        sql_params(f),
    )
    return _in_order(frame, "way", keep_all=True).fillna(0).astype({"people": "int64", "sessions": "int64"})


def reach_by_way(con: Con, f: Filters, disclosure: Disclosure) -> pd.DataFrame:
    """``reach_counts`` as a page may show it: people made safe (the ways overlap: no secondary suppression), with
    ``label``; sessions (not people) as they are; ``words``: '10 people, 1 session'."""
    safe = disclosure.groups(reach_counts(con, f), "people", secondary=False, key=f.key("way"))
    safe["words"] = [
        f"{label} people, {n:,} session{'' if n == 1 else 's'}"
        for label, n in zip(safe["label"], safe["sessions"], strict=True)
    ]
    return safe


# Outcomes ------------------------------------------------------------------------------------------------


def change_by(con: Con, f: Filters, measure: str, by: str) -> pd.DataFrame:
    """Change per way (``by`` 'way') or per peer-led and staff-led (``by`` 'led') for the people who took part in
    such activities up to the period's end, exactly: a questionnaire measure's pairs as outcomes.change_by gives
    them, or, for ``goals.NAME``, goals as goals.change_in_groups gives them."""
    one_of(by, BY, "grouping")
    if measure == goals.NAME:
        grouped = f"""SELECT DISTINCT x.* EXCLUDE (activity), w."group"
            FROM ({goals.GOAL_ACTIVITIES_SQL}) x JOIN ({_GROUP_SQL[by]}) w USING (activity)"""
        return _in_order(goals.change_in_groups(con, f, grouped), by)
    frame = fetch_frame(
        con,
        f"""WITH pairs AS ({PAIRS_SQL}),
            grouped AS (SELECT DISTINCT x.*, w."group" FROM pairs x JOIN ({MEMBERSHIP_SQL}) m USING (participant_id)
                        JOIN ({_GROUP_SQL[by]}) w USING (activity))
        SELECT "group", {CHANGE_COLUMNS} FROM grouped GROUP BY 1""",
        change_params(f, measure),
    )
    return _in_order(with_intervals(without_reliable_change(frame, measure), "pairs"), by)


def breakdown(con: Con, f: Filters, measure: str, by: str, disclosure: Disclosure) -> pd.DataFrame:
    """``change_by`` as a page may show it: every group stays, labelled; one of fewer than the threshold's people
    loses its figures (``shown`` False). The groups overlap, so there is no secondary suppression."""
    exact, key = change_by(con, f, measure, by), f.key(f"{measure} by {by}")
    if measure == goals.NAME:
        return goals.safe_groups(exact, disclosure, secondary=False, key=key)
    return made_safe(exact, disclosure, secondary=False, key=key)


def recorded(con: Con) -> bool:
    """Whether any activity has its ways recorded (in the activities sheet or on its attendance rows)."""
    return bool(fetch_frame(con, f"SELECT count(ways) AS n FROM ({ACTIVITY_WAYS_SQL})")["n"][0])
