"""Goal-Based Outcomes (GBO): progress towards the goals people set themselves, each rated 0 (no progress) to 10
(goal reached) when it is set and at reviews (docs/metrics.md#goal-based-outcomes).

A goal (a person's goal number) is paired like a questionnaire: its first rating on or before the period's end
against its latest, which must come later and fall in the period. Reliable progress is a rise of at least 2.45
points, the reliable change index CORC publishes for GBO (Edbrooke-Childs et al. 2015): with whole ratings, 3 points
or more. The functions that take a ``Disclosure`` give what a page or a file may show: a group of fewer than the
threshold's people keeps its place, labelled, without figures; the others give exact figures.
"""

from __future__ import annotations

import pandas as pd

from pipelines.dimensions import BROKEN_DOWN, labels
from pipelines.disclosure import Disclosure
from pipelines.outcomes import made_safe
from pipelines.query import (
    ACTIVITY_MATCH,
    ATTENDED_TO_END_SQL,
    REACHED_SQL,
    Con,
    Filters,
    fetch_frame,
    fetch_rows,
    one_of,
    sql_params,
    with_profile,
)
from pipelines.stats import mean_ci, wilson, with_intervals
from pipelines.vocab import NOT_KNOWN

NAME = "GBO"
FULL_NAME = "Goal-Based Outcomes"
LOW, HIGH = 0, 10
RELIABLE_CHANGE = 2.45  # points; ratings are whole numbers, so reliable progress is 3 points or more
CITATION = (
    "Goal-Based Outcomes: Law D, Jacob J (2015) Goals and Goal Based Outcomes (GBOs), CAMHS Press; reliable change "
    "2.45 points: Edbrooke-Childs J, Jacob J, Law D, Deighton J, Wolpert M (2015) Interpreting standardized and "
    "idiographic outcome measures in CAMHS, Child and Adolescent Mental Health 20(3)."
)

GOAL_MEMBERSHIP_SQL = f"""
    SELECT participant_id, activity FROM ({ATTENDED_TO_END_SQL})
    UNION SELECT participant_id, activity FROM goals WHERE activity IS NOT NULL AND date <= $end AND {ACTIVITY_MATCH}
"""  # the chosen activities each person took part in up to the period's end: attended, or a goal rated against it
IS_GOAL_MEMBER = f"($all_acts OR e.participant_id IN (SELECT participant_id FROM ({GOAL_MEMBERSHIP_SQL})))"
RATINGS_SQL = "SELECT participant_id, goal_number, date, rating, goal_area, activity FROM goals WHERE date <= $end"
GOAL_PAIRS_SQL = f"""
    WITH r AS ({RATINGS_SQL}),
    ends AS (
        SELECT participant_id, goal_number, min(date) AS first_date, max(date) AS latest_date,
            coalesce(arg_min(goal_area, date) FILTER (WHERE goal_area <> '{NOT_KNOWN}'), '{NOT_KNOWN}') AS goal_area,
            arg_min(activity, date) FILTER (WHERE activity IS NOT NULL) AS goal_activity
        FROM r GROUP BY 1, 2 HAVING max(date) > min(date))
    SELECT e.participant_id, e.goal_number, e.goal_area, e.goal_activity, e.first_date, b.rating AS first_rating,
        e.latest_date, l.rating AS latest_rating, l.rating - b.rating AS change
    FROM ends e
    JOIN r b ON b.participant_id = e.participant_id AND b.goal_number = e.goal_number AND b.date = e.first_date
    JOIN r l ON l.participant_id = e.participant_id AND l.goal_number = e.goal_number AND l.date = e.latest_date
    WHERE e.latest_date BETWEEN $start AND $end AND {IS_GOAL_MEMBER}
"""  # each goal's first and latest rating, the latest in the period; its area and activity from the first naming one
GOAL_ACTIVITIES_SQL = f"""
    SELECT x.*, coalesce(x.goal_activity, m.activity) AS activity FROM goal_pairs x
    LEFT JOIN ({GOAL_MEMBERSHIP_SQL}) m ON x.goal_activity IS NULL AND m.participant_id = x.participant_id
"""  # a goal's own activity where its ratings name one, else each activity its person took part in
CHANGE_SQL = f"""count(*) AS goals, count(DISTINCT participant_id) AS people, avg(change) AS mean_change,
    stddev_samp(change) AS sd, count(*) FILTER (WHERE change >= {RELIABLE_CHANGE}) AS improved,
    count(*) FILTER (WHERE change <= -{RELIABLE_CHANGE}) AS deteriorated"""  # over rows of goal_pairs

BREAKDOWNS = {"goal_area": "goal area", "activity": "activity", **labels(BROKEN_DOWN)}
OVERLAPPING = ("goal_area", "activity")  # one person's goals can be in several: the groups do not add up to people
_GROUPED_SQL = {
    "goal_area": 'SELECT *, goal_area AS "group" FROM goal_pairs',
    "activity": f"SELECT DISTINCT * EXCLUDE (activity), coalesce(activity, 'not recorded') AS \"group\" "
    f"FROM ({GOAL_ACTIVITIES_SQL})",
}


# Exact figures ------------------------------------------------------------------------------------------


def goal_pairs(con: Con, f: Filters) -> pd.DataFrame:
    """Each goal's first and latest rating, where the latest falls in the period."""
    return fetch_frame(con, GOAL_PAIRS_SQL + " ORDER BY 1, 2", sql_params(f))


def has_goals(con: Con) -> bool:
    return bool(fetch_rows(con, "SELECT count(*) FROM goals")[0][0])


def outcome(con: Con, f: Filters) -> dict:
    """Goals rated twice and their people; mean first, latest and change (95% t interval over the goals); goals
    reliably improved, not reliably changed and deteriorated; people with at least one goal reliably improved
    (95% Wilson interval); the follow-up rate and the goals with only one rating so far. Exact."""
    n, people, mean, sd, improved, deteriorated, first, latest, people_improved = fetch_rows(
        con,
        f"""SELECT {CHANGE_SQL}, avg(first_rating), avg(latest_rating),
            count(DISTINCT participant_id) FILTER (WHERE change >= {RELIABLE_CHANGE})
        FROM ({GOAL_PAIRS_SQL})""",
        sql_params(f),
    )[0]
    with_baseline, with_pair, only_one = _follow_up(con, f)
    return {
        "pairs": n,
        "people": people,
        "baseline_mean": first,
        "followup_mean": latest,
        "mean_change": mean,
        "sd_change": sd,
        "ci95": mean_ci(mean, sd, n),
        "improved": improved,
        "no_reliable_change": n - improved - deteriorated,
        "deteriorated": deteriorated,
        "share_improved": improved / n if n else None,
        "people_improved": people_improved,
        "share_people_improved": people_improved / people if people else None,
        "share_people_improved_ci95": list(wilson(people_improved, people)) if people else None,
        "followup_rate": with_pair / with_baseline if with_baseline else None,
        "with_baseline": with_baseline,
        "followed_up": with_pair,
        "only_one_rating": only_one,
    }


def _follow_up(con: Con, f: Filters) -> tuple[int, int, int]:
    """(Goals of people reached with a rating on or before the period's end, those of them rated twice in the period,
    goals with a rating in the period whose only rating so far is that one)."""
    return fetch_rows(
        con,
        f"""WITH paired AS ({GOAL_PAIRS_SQL}),
            rated AS (SELECT participant_id, goal_number, count(*) AS times, max(date) AS latest_date
                      FROM ({RATINGS_SQL}) e WHERE {IS_GOAL_MEMBER} GROUP BY 1, 2)
        SELECT count(*) FILTER (WHERE reached), count(*) FILTER (WHERE reached AND p.goal_number IS NOT NULL),
            count(*) FILTER (WHERE times = 1 AND r.latest_date >= $start)
        FROM (SELECT *, participant_id IN ({REACHED_SQL}) AS reached FROM rated) r
        LEFT JOIN paired p USING (participant_id, goal_number)""",
        sql_params(f),
    )[0]


def change_in_groups(con: Con, f: Filters, grouped: str) -> pd.DataFrame:
    """Change per group, exactly: ``grouped`` is SQL over ``goal_pairs`` (and GOAL_ACTIVITIES_SQL) giving goal pairs
    with a "group" column, a goal at most once per group. Goals, people, mean change with its 95% CI, goals improved
    and deteriorated, and the share of goals improved."""
    frame = fetch_frame(
        con,
        f"""WITH goal_pairs AS ({GOAL_PAIRS_SQL}), grouped AS ({grouped})
        SELECT "group", {CHANGE_SQL} FROM grouped GROUP BY 1 ORDER BY 2 DESC, 1""",
        sql_params(f),
    )
    return with_intervals(frame, "goals")


def change_by(con: Con, f: Filters, by: str) -> pd.DataFrame:
    """Change per goal area, activity (docs/metrics.md#goal-based-outcomes) or group of a person's profile."""
    one_of(by, BREAKDOWNS, "breakdown")
    grouped = _GROUPED_SQL.get(by) or f'SELECT *, "{by}" AS "group" FROM ({with_profile("SELECT * FROM goal_pairs")})'
    return change_in_groups(con, f, grouped)


# As a page or a file may show them ----------------------------------------------------------------------


def headline(con: Con, f: Filters, disclosure: Disclosure) -> dict:
    """``outcome`` as a page may show it: nothing but labels below the threshold's people; the goals improved, not
    reliably changed and deteriorated (``changes``, as outcomes.headline gives them) made safe together; the people
    with a goal reliably improved as a part of the people (hidden with the rest when either is small), with the
    Wilson interval of the published counts."""
    exact = outcome(con, f)
    shown = disclosure.may_show(exact["people"])
    counts = {k: exact[k] for k in ("improved", "no_reliable_change", "deteriorated")} if shown else {}
    goals, people = f.key("goals rated twice"), f.key("people with goals rated twice")
    changes = disclosure.parts(counts, keep=("improved",), key=f.key("goals change"), whole=goals if counts else None)
    people_improved = disclosure.part_of(
        exact["people_improved"], exact["people"], key=f.key("people with a goal improved"), whole=people
    )
    return {
        "shown": shown,
        "goals": disclosure.count(exact["pairs"], goals),
        "goals_label": disclosure.label(exact["pairs"], goals),
        "people": disclosure.count(exact["people"], people),
        "people_label": disclosure.label(exact["people"], people),
        **{k: exact[k] if shown else None for k in ("baseline_mean", "followup_mean", "mean_change", "ci95")},
        "changes": changes.reset_index().assign(category=lambda t: t["part"].astype(str).str.replace("_", " ")),
        "share_improved": _share(changes, "improved"),
        "people_improved": people_improved,
        "people_improved_ci95": _wilson(disclosure, exact["people_improved"], exact["people"]) if shown else None,
        "followup_rate": disclosure.share(exact["followed_up"], exact["with_baseline"]),
        "only_one_rating": disclosure.label(exact["only_one_rating"], f.key("goals rated once")),
    }


def _share(changes: pd.DataFrame, part: str) -> float | None:
    value = changes["share"].get(part)
    return None if value is None or pd.isna(value) else float(value)


def _wilson(disclosure: Disclosure, k: int, n: int) -> list[float] | None:
    """The Wilson interval of k of n as published (rounded in export); None when either is hidden."""
    part, whole = disclosure.count(k), disclosure.count(n)
    return None if part is None or not whole or not disclosure.may_show(n) else list(wilson(part, whole))


def safe_groups(
    exact: pd.DataFrame, disclosure: Disclosure, secondary: bool, key: str | None = None, whole: str | None = None
) -> pd.DataFrame:
    """Groups of goals (``change_in_groups``) as a page may show them: every group stays; one with fewer than the
    threshold's people, or hidden so that a small one cannot be worked out, loses its figures (``shown`` False);
    ``label`` gives the goals where shown ('24'), else the people ('<8')."""
    safe = made_safe(exact, disclosure, secondary=secondary, people="people", counted="goals", key=key, whole=whole)
    safe["goals"] = disclosure.counts(exact["goals"]).where(safe["shown"])
    safe["label"] = [
        disclosure.label(n) if shown else label
        for n, label, shown in zip(exact["goals"], safe["label"], safe["shown"], strict=True)
    ]
    return safe


def breakdown(con: Con, f: Filters, by: str, disclosure: Disclosure) -> pd.DataFrame:
    """``change_by`` as a page may show it (``safe_groups``)."""
    overlapping = by in OVERLAPPING
    whole = None if overlapping else f.key("people with goals rated twice")
    return safe_groups(change_by(con, f, by), disclosure, not overlapping, f.key(f"goals by {by}"), whole)


# In words ----------------------------------------------------------------------------------------------


def in_words(result: dict, period_label: str) -> str | None:
    """The headline in plain words: 'In financial year 2025-26, of the 84 goals that 40 people set and rated twice,
    61% moved at least 3 points towards being reached (reliable progress); …'. None when not shown."""
    if not result["shown"]:
        return None
    progress = result["share_improved"]
    moved = (
        f"{progress:.0%} moved at least 3 points towards being reached (reliable progress)"
        if progress is not None
        else "too few moved reliably, or did not, to give a share"
    )
    mean, ci = result["mean_change"], result["ci95"]
    change = (
        f"on average a goal's rating rose by {mean:.1f} points"
        if mean >= 0
        else (f"on average a goal's rating fell by {-mean:.1f} points")
    )
    interval = f" (95% CI {ci[0]:+.1f} to {ci[1]:+.1f})" if ci else ""
    people = result["people_improved"]
    someone = (
        f" {people['share']:.0%} of the people made reliable progress on at least one of their goals."
        if people["share"] is not None
        else ""
    )
    return (
        f"In {period_label}, of the {result['goals_label']} goals that {result['people_label']} people set and rated "
        f"twice, {moved}; {change}{interval}.{someone} Ratings run from 0 (no progress) to 10 (goal reached): "
        "higher is closer to the goal."
    )
