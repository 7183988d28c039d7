"""The Outcomes page's figures: how much people changed, how sure we are, and for whom, in which activities.

Built on the pairs of docs/metrics.md#pairs (query.PAIRS_SQL). The functions that take a ``Disclosure`` give what a
page or a file may show (pipelines/disclosure.py): a group of fewer than 8 people stays, labelled '<8', but loses its
figures, so that no one can be identified and no mean rests on a handful of people. The others give exact figures.
"""

from __future__ import annotations

import math

import pandas as pd

from pipelines import query, words
from pipelines.dimensions import BROKEN_DOWN, labels
from pipelines.disclosure import Disclosure
from pipelines.measures import MEASURES, Measure
from pipelines.periods import Period, quarter_label, quarters
from pipelines.query import (
    ACTIVITY_MATCH,
    ATTENDED,
    CHANGE_COLUMNS,
    MEMBERSHIP_SQL,
    PAIRS_SQL,
    REACHED_SQL,
    SCORED_SQL,
    SESSION_BAND_ORDER,
    Con,
    Filters,
    change_params,
    fetch_frame,
    fetch_rows,
    is_member,
    pairs_by_quarter_sql,
    sql_params,
    with_profile,
)
from pipelines.stats import GROUP_FIGURES, mean_ci, standardised_response_mean, with_intervals

SMALL_SAMPLE = 30  # Warwick: at least 30 people with two scores before reporting change
LOW_FOLLOW_UP = 0.5

BREAKDOWNS = {"activity": "activity", "activity_type": "type of activity", **labels(BROKEN_DOWN)}
_GROUPED_SQL = {
    "activity": f'SELECT x.*, m.activity AS "group" FROM pairs x JOIN ({MEMBERSHIP_SQL}) m USING (participant_id)',
    "activity_type": f"""
        SELECT DISTINCT x.*, {query.or_not_recorded("t.activity_type")} AS "group"
        FROM pairs x JOIN ({MEMBERSHIP_SQL}) m USING (participant_id)
        LEFT JOIN (SELECT activity, any_value(activity_type) AS activity_type FROM attendance GROUP BY 1) t
            USING (activity)""",
    "dose": f"""
        SELECT x.*, {query.session_band("s.sessions")} AS "group"
        FROM pairs x LEFT JOIN (
            SELECT x.participant_id, count(*) AS sessions FROM pairs x JOIN attendance a
                ON a.participant_id = x.participant_id AND {ATTENDED}
                AND a.session_date BETWEEN x.baseline_date AND x.followup_date
            WHERE {ACTIVITY_MATCH}
            GROUP BY 1) s USING (participant_id)""",
}  # a person counts in each activity they took part in; dose: sessions attended between the two questionnaires


OVERLAPPING = ("activity", "activity_type")  # a person counts in each: the groups do not add up to the pairs


def pairs(con: Con, f: Filters, measure: str) -> pd.DataFrame:
    """Each participant's baseline and latest follow-up, where the follow-up falls in the period."""
    return fetch_frame(con, PAIRS_SQL + " ORDER BY e.participant_id", sql_params(f, measure=measure))


def outcome(con: Con, f: Filters, measure: str) -> dict:
    """Pairs, means, mean change with its paired-t 95% CI, improved/deteriorated counts and follow-up rate."""
    return outcome_and_paired(con, f, measure)[0]


def outcome_and_paired(con: Con, f: Filters, measure: str) -> tuple[dict, int]:
    """``outcome``, and how many of the people with a baseline have a pair (``followup_counts``), in one query that
    works out the pairs once."""
    row = fetch_rows(
        con,
        f"""WITH paired AS MATERIALIZED ({PAIRS_SQL}), followed AS ({_FOLLOWED_UP_SQL})
        SELECT * FROM (SELECT {CHANGE_COLUMNS}, avg(baseline), avg(followup) FROM paired) CROSS JOIN followed""",
        change_params(f, measure),
    )[0]
    n, mean, sd, improved, deteriorated, baseline, followup, with_baseline, with_pair = row
    reliable = MEASURES[measure].reliable_change is not None
    return {
        "pairs": n,
        "baseline_mean": baseline,
        "followup_mean": followup,
        "mean_change": mean,
        "sd_change": sd,
        "ci95": mean_ci(mean, sd, n),
        "improved": improved if reliable else None,
        "no_reliable_change": n - improved - deteriorated if reliable else None,
        "deteriorated": deteriorated if reliable else None,
        "followup_rate": with_pair / with_baseline if with_baseline else None,
        "with_baseline": with_baseline,
    }, with_pair


_FOLLOWED_UP_SQL = f"""
    WITH based AS (SELECT DISTINCT participant_id FROM ({SCORED_SQL}) WHERE participant_id IN ({REACHED_SQL}))
    SELECT count(*), count(*) FILTER (WHERE participant_id IN (SELECT participant_id FROM paired)) FROM based
"""  # people reached with a baseline, and those of them with a pair, over the pairs ``paired`` (PAIRS_SQL)


def followup_counts(con: Con, f: Filters, measure: str) -> tuple[int, int]:
    """(People reached with a baseline on or before the period's end, those of them with a pair in the period)."""
    return fetch_rows(
        con,
        f"WITH paired AS ({PAIRS_SQL}), followed AS ({_FOLLOWED_UP_SQL}) SELECT * FROM followed",
        sql_params(f, measure=measure),
    )[0]


def outcomes_by_quarter(con: Con, f: Filters, measure: str) -> pd.DataFrame:
    """Mean change (with CI) and the share improved for pairs followed up in each quarter of the period, each quarter
    as ``outcome`` gives it for that quarter alone."""
    periods = quarters(f.period)
    found = {
        row[0]: row[1:]
        for row in fetch_rows(
            con,
            f"SELECT quarter, {CHANGE_COLUMNS} FROM ({pairs_by_quarter_sql(periods)}) GROUP BY 1",
            change_params(f.with_period(Period(periods[0].start, periods[-1].end)), measure),
        )
    }
    reliable = MEASURES[measure].reliable_change is not None
    rows = []
    for q in periods:
        n, mean, sd, improved, _ = found.get(quarter_label(q.start), (0, None, None, 0, 0))
        ci = mean_ci(mean, sd, n) or [None, None]
        rows.append(
            {
                "quarter": quarter_label(q.start),
                "quarter_start": q.start,
                "pairs": n,
                "mean_change": mean,
                "ci_low": ci[0],
                "ci_high": ci[1],
                "share_improved": improved / n if n and reliable else None,
            }
        )
    return pd.DataFrame(rows)


def change_by(con: Con, f: Filters, measure: str, by: str) -> pd.DataFrame:
    """Change per group of one dimension (a BREAKDOWNS key, or 'dose': sessions between the two questionnaires):
    pairs, mean change with its 95% CI, improved and deteriorated, exactly."""
    return changes_by(con, f, measure, (by,))[by]


def changes_by(con: Con, f: Filters, measure: str, bys: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """``change_by`` for several dimensions, from one query that works out the pairs once."""
    grouped = ", ".join(f"grouped_{i} AS ({_grouped_sql(by)})" for i, by in enumerate(bys))
    counted = " UNION ALL ".join(
        f"""SELECT '{by}' AS dimension, "group", {CHANGE_COLUMNS} FROM grouped_{i} GROUP BY 1, 2"""
        for i, by in enumerate(bys)
    )
    found = fetch_frame(
        con,
        f'WITH pairs AS MATERIALIZED ({PAIRS_SQL}), {grouped} {counted} ORDER BY dimension, pairs DESC, "group"',
        change_params(f, measure),
    )
    return {
        by: _change_frame(found[found["dimension"] == by].drop(columns="dimension").reset_index(drop=True), measure, by)
        for by in bys
    }


def _grouped_sql(by: str) -> str:
    """The pairs (``pairs``) with each person's group of ``by``, once for each group they belong to."""
    return _GROUPED_SQL.get(by) or f'SELECT x.*, "{by}" AS "group" FROM ({with_profile("SELECT * FROM pairs")}) x'


def _change_frame(frame: pd.DataFrame, measure: str, by: str) -> pd.DataFrame:
    """One dimension's counts per group, in order, with their 95% CIs and the share improved."""
    if by == "dose":
        found = set(frame["group"])
        frame = frame.set_index("group").reindex([d for d in SESSION_BAND_ORDER if d in found]).reset_index()
    return with_intervals(without_reliable_change(frame, measure), "pairs")


def without_reliable_change(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Groups' counts, with nobody "improved" or "deteriorated" (blank, not 0%) on a measure without a reliable
    change."""
    if MEASURES[measure].reliable_change is None:
        frame[["improved", "deteriorated"]] = math.nan
    return frame


def breakdown(con: Con, f: Filters, measure: str, by: str, disclosure: Disclosure) -> pd.DataFrame:
    """``change_by`` as a page may show it: every group stays, labelled; a group under the threshold, or hidden so
    that a small one cannot be worked out from the total, loses its figures (``shown`` is False)."""
    return _safe_breakdown(f, measure, by, change_by(con, f, measure, by), disclosure)


def breakdowns(con: Con, f: Filters, measure: str, bys: tuple[str, ...], disclosure: Disclosure) -> dict:
    """``breakdown`` for several dimensions, the pairs worked out once."""
    return {
        by: _safe_breakdown(f, measure, by, exact, disclosure) for by, exact in changes_by(con, f, measure, bys).items()
    }


def _safe_breakdown(f: Filters, measure: str, by: str, exact: pd.DataFrame, disclosure: Disclosure) -> pd.DataFrame:
    """One dimension's groups made safe, under the keys of the page's published set: the groups of a dimension
    that splits people add up to the people with two scores."""
    overlapping = by in OVERLAPPING
    whole = None if overlapping else pairs_key(f, measure)
    return made_safe(exact, disclosure, secondary=not overlapping, key=f.key(f"{measure} by {by}"), whole=whole)


def pairs_key(f: Filters, measure: str) -> str:
    """The published set's key of the people with two scores on a measure."""
    return f.key(f"{measure} pairs")


def made_safe(
    exact: pd.DataFrame,
    disclosure: Disclosure,
    *,
    secondary: bool,
    people: str = "pairs",
    counted: str = "pairs",
    key: str | None = None,
    whole: str | None = None,
) -> pd.DataFrame:
    """Groups' change as a page may show it: a group of fewer than the threshold's ``people`` loses its figures
    (``shown`` False); ``secondary`` hides one more where a hidden group could be worked out from the total. The
    share improved is of what is ``counted`` (people's pairs, or goals), shown only where the people improved and
    the rest of the group are both enough to publish (``Disclosure.part_of``): a share of 90% of 10 people would
    say that one did not improve. ``key`` and ``whole`` as for ``Disclosure.groups``."""
    safe = disclosure.groups(exact, people, figure_cols=GROUP_FIGURES, secondary=secondary, key=key, whole=whole)
    safe["shown"] = ~safe["hidden"] & exact[people].map(disclosure.may_show).astype(bool)
    safe["improved"] = safe["deteriorated"] = pd.NA  # counts within a group: its share improved says enough
    names = exact["group"] if "group" in exact.columns else exact.index
    shares = [
        None if pd.isna(i) else disclosure.part_of(int(i), int(n), key=f"{key}:{g} improved" if key else None)["share"]
        for i, n, g in zip(exact["improved"], exact[counted], names, strict=True)
    ]
    safe["share_improved"] = pd.Series(shares, index=safe.index, dtype="float64").where(safe["shown"])
    return safe


def cis_overlap(frame: pd.DataFrame) -> bool:
    """True when every shown group's interval overlaps every other's, so the data cannot say groups differ."""
    shown = frame.dropna(subset=["ci_low", "ci_high"])
    return len(shown) > 1 and shown["ci_low"].max() <= shown["ci_high"].min()


def outcome_figures(con: Con, f: Filters, measure: str) -> dict:
    """``outcome`` plus effect size, the shares improved / no reliable change / deteriorated, and warnings:
    exact, however few the people."""
    return _figures_and_paired(con, f, measure)[0]


def _figures_and_paired(con: Con, f: Filters, measure: str) -> tuple[dict, int]:
    """``outcome_figures``, and the people with a baseline who have a pair (``outcome_and_paired``)."""
    result, with_pair = outcome_and_paired(con, f, measure)
    n = result["pairs"]
    result["srm"] = standardised_response_mean(result["mean_change"], result["sd_change"], n)
    result["shares"] = {k: result[k] / n if n and result[k] is not None else None for k in CHANGES}
    result["warnings"] = warnings(measure, result) if n else []
    return result, with_pair


CHANGES = ("improved", "no_reliable_change", "deteriorated")
WITHHELD_FIGURES = ("baseline_mean", "followup_mean", "mean_change", "ci95")


def headline(con: Con, f: Filters, measure: str, disclosure: Disclosure) -> dict:
    """The headline as a page may show it: the pairs as a count and a label; the means, change, effect size and
    warnings only for at least the threshold; ``changes`` (one row per category: people, label, hidden, share) with
    secondary suppression, 'improved' hidden last; the follow-up rate only over enough people."""
    exact, with_pair = _figures_and_paired(con, f, measure)
    n = exact["pairs"]
    shown = disclosure.may_show(n) and disclosure.count(n, pairs_key(f, measure)) is not None  # not hidden by the set
    with_baseline = exact["with_baseline"]
    changes = _changes(exact if shown else {}, disclosure, f.key(f"{measure} change"), pairs_key(f, measure))
    result = {
        "pairs": disclosure.count(n, pairs_key(f, measure)),
        "pairs_label": disclosure.label(n, pairs_key(f, measure)),
        "shown": shown,
        **{k: exact[k] if shown else None for k in WITHHELD_FIGURES},
        "srm": exact["srm"] if shown else standardised_response_mean(None, None, 0),
        "changes": changes.reset_index().assign(category=lambda t: t["part"].astype(str).str.replace("_", " ")),
        "improved": _value(changes, "improved", "people"),
        "shares": {k: _value(changes, k, "share") for k in CHANGES},
        "followup_rate": disclosure.share(with_pair, with_baseline),
    }
    result["warnings"] = warnings(measure, result) if shown else []
    return result


def _changes(exact: dict, disclosure: Disclosure, key: str, whole: str) -> pd.DataFrame:
    counts = {k: exact[k] for k in CHANGES if exact.get(k) is not None}
    return disclosure.parts(counts, keep=("improved",), key=key, whole=whole if counts else None)


def _value(frame: pd.DataFrame, part: str, column: str) -> float | None:
    """One part's published count or share, None where it is hidden or absent."""
    value = frame[column].get(part)
    return None if value is None or pd.isna(value) else value.item() if hasattr(value, "item") else value


def reliable_change_in_words() -> str:
    """Each measure's reliable change: '3 points for WEMWBS and SWEMWBS; 6 for CORE-10 and PHQ-9; 4 for GAD-7'."""
    by_points: dict[float, list[str]] = {}
    for m in MEASURES.values():
        if m.reliable_change is not None:
            by_points.setdefault(m.reliable_change, []).append(m.name)
    said = [f"{points:g} for {words.joined(names)}" for points, names in by_points.items()]
    return "; ".join([said[0].replace(" for ", " points for ", 1), *said[1:]]) if said else "none"


def warnings(measure: str, result: dict) -> list[str]:
    found = []
    if result["pairs"] < SMALL_SAMPLE:
        found.append(
            f"Small sample: only {result['pairs']} people have two {measure} scores. Warwick advises at least "
            f"{SMALL_SAMPLE} before drawing conclusions about change."
        )
    rate = result["followup_rate"]
    if rate is not None and rate < LOW_FOLLOW_UP:
        found.append(
            f"Only {rate:.0%} of the people reached who completed a first {measure} completed a second one, so "
            "these results may not represent everyone who took part."
        )
    return found


def summary_sentence(measure: str, result: dict, period_label: str) -> str | None:
    """The headline in one sentence a fundraiser can paste into a bid."""
    n, mean, ci = result["pairs"], result["mean_change"], result["ci95"]
    if not result.get("shown", True) or mean is None:
        return None
    m: Measure = MEASURES[measure]
    improved = ""
    if m.reliable_change is not None and result["improved"] is not None:
        improved = f"{result['improved'] / n:.0%} improved by {m.reliable_change:g} points or more; "
    direction = "rose" if mean > 0 else "fell" if mean < 0 else "did not change"
    people = "person" if n == 1 else "people"
    return (
        f"In {period_label}, of {n:,} {people} who completed {m.questionnaire} twice, {improved}on average "
        f"{m.construct} {direction}{f' by {abs(mean):.1f} points' if mean else ''}{_interval(ci)}."
    )


def _interval(ci: list[float] | None) -> str:
    """The CI in the sentence's own direction (a fall of 2.2 to 5.2), or said plainly when it spans no change."""
    if not ci:
        return ""
    low, high = ci
    if low > 0 or high < 0:
        near, far = sorted((abs(low), abs(high)))
        return f" (95% CI {near:.1f} to {far:.1f})"
    return f" (95% CI {low:+.1f} to {high:+.1f}, so it may be no real change)"


def clinical(con: Con, f: Filters, measure: str) -> dict | None:
    """Caseness, recovery and reliable change of one questionnaire judged alone (CORE-10, PHQ-9, GAD-7); for PHQ-9
    and GAD-7 judged together, as NHS Talking Therapies reports them, see ``talking_therapies``.

    Cases are people at or above the cut-off at baseline. Recovery: a case at baseline below the cut-off at
    follow-up; reliable recovery: recovery with reliable improvement. Recovery rates are shares of the cases.
    """
    m = MEASURES[measure]
    if m.cutoff is None:
        return None
    names = (
        "pairs",
        "cases_baseline",
        "cases_followup",
        "recovered",
        "reliably_improved",
        "reliably_recovered",
        "reliably_deteriorated",
    )
    values = fetch_rows(
        con,
        f"""SELECT count(*), count(*) FILTER (WHERE baseline >= $cutoff), count(*) FILTER (WHERE followup >= $cutoff),
            count(*) FILTER (WHERE baseline >= $cutoff AND followup < $cutoff),
            count(*) FILTER (WHERE -change >= $reliable_change),
            count(*) FILTER (WHERE baseline >= $cutoff AND followup < $cutoff AND -change >= $reliable_change),
            count(*) FILTER (WHERE change >= $reliable_change)
        FROM ({PAIRS_SQL})""",
        sql_params(f, measure=measure, cutoff=m.cutoff, reliable_change=m.reliable_change),
    )[0]
    counts = dict(zip(names, values, strict=True))
    n, cases = counts["pairs"], counts["cases_baseline"]
    return {
        **counts,
        "cutoff": m.cutoff,
        "share_cases_baseline": counts["cases_baseline"] / n if n else None,
        "share_cases_followup": counts["cases_followup"] / n if n else None,
        "recovery_rate": counts["recovered"] / cases if cases else None,
        "reliable_recovery_rate": counts["reliably_recovered"] / cases if cases else None,
        "reliable_improvement_rate": counts["reliably_improved"] / n if n else None,
        "reliable_deterioration_rate": counts["reliably_deteriorated"] / n if n else None,
    }


TALKING_THERAPIES = ("PHQ-9", "GAD-7")  # NHS Talking Therapies judges depression and anxiety together
TALKING_THERAPIES_COUNTS = (
    "pairs", "cases", "recovered", "reliably_improved", "reliably_recovered", "reliably_deteriorated",
)  # fmt: skip


def _talking_therapies_sql() -> str:
    """Each person's first and latest day with both a PHQ-9 and a GAD-7 score (the latest in the period), their
    four scores, and each figure of NHS Talking Therapies' joint definition, as PAIRS_SQL pairs one questionnaire
    (docs/metrics.md#nhs-talking-therapies-recovery)."""
    phq, gad = (MEASURES[m] for m in TALKING_THERAPIES)
    return f"""
    WITH scored_both AS (
        SELECT participant_id, date,
            max(score) FILTER (WHERE measure = 'PHQ-9') AS phq, max(score) FILTER (WHERE measure = 'GAD-7') AS gad
        FROM wellbeing WHERE measure IN ('PHQ-9', 'GAD-7') AND score IS NOT NULL AND date <= $end
        GROUP BY 1, 2 HAVING count(DISTINCT measure) = 2),
    ends AS (SELECT participant_id, min(date) AS first_date, max(date) AS latest_date FROM scored_both GROUP BY 1
             HAVING max(date) > min(date)),
    paired AS (
        SELECT e.participant_id, b.phq AS phq_first, b.gad AS gad_first, l.phq AS phq_latest, l.gad AS gad_latest
        FROM ends e JOIN scored_both b ON b.participant_id = e.participant_id AND b.date = e.first_date
        JOIN scored_both l ON l.participant_id = e.participant_id AND l.date = e.latest_date
        WHERE e.latest_date BETWEEN $start AND $end AND {is_member("e.participant_id")}),
    judged AS (
        SELECT *, (phq_first >= {phq.cutoff} OR gad_first >= {gad.cutoff}) AS is_case,
            (phq_latest < {phq.cutoff} AND gad_latest < {gad.cutoff}) AS below,
            (phq_first - phq_latest >= {phq.reliable_change} OR gad_first - gad_latest >= {gad.reliable_change})
                AS improved_one,
            (phq_latest - phq_first >= {phq.reliable_change} OR gad_latest - gad_first >= {gad.reliable_change})
                AS deteriorated_one
        FROM paired)
    SELECT count(*), count(*) FILTER (WHERE is_case), count(*) FILTER (WHERE is_case AND below),
        count(*) FILTER (WHERE improved_one AND NOT deteriorated_one),
        count(*) FILTER (WHERE is_case AND below AND improved_one AND NOT deteriorated_one),
        count(*) FILTER (WHERE deteriorated_one)
    FROM judged"""


def talking_therapies(con: Con, f: Filters) -> dict | None:
    """NHS Talking Therapies' joint figures for the people with both a PHQ-9 and a GAD-7 at their first and latest
    time: a case if either is at or above its cut-off at the first; recovered if a case whose two latest are both
    below; reliably improved if one fell by its reliable change and neither rose by its own; reliably deteriorated
    if either rose by its reliable change; reliably recovered if both recovered and reliably improved. Exact; None
    unless both questionnaires are recorded."""
    recorded = fetch_rows(
        con, "SELECT count(DISTINCT measure) FROM wellbeing WHERE measure IN ('PHQ-9', 'GAD-7') AND score IS NOT NULL"
    )[0][0]
    if recorded < len(TALKING_THERAPIES):
        return None
    values = fetch_rows(con, _talking_therapies_sql(), sql_params(f))[0]
    return dict(zip(TALKING_THERAPIES_COUNTS, values, strict=True))


def talking_therapies_figures(con: Con, f: Filters, disclosure: Disclosure) -> pd.DataFrame:
    """The joint figures as a page may show them, as ``clinical_figures`` gives a questionnaire's: each a part of
    its whole (the cases, or the people with both questionnaires), hidden with the rest when either is small."""
    found = talking_therapies(con, f)
    if found is None:
        return _parts_of_wholes([], f, "talking therapies", disclosure)
    pairs, cases = f.key("talking therapies pairs"), f.key("talking therapies Cases, first:part")
    rows = [
        ("Cases, first", found["cases"], found["pairs"], pairs),
        ("Recovery", found["recovered"], found["cases"], cases),
        ("Reliable improvement", found["reliably_improved"], found["pairs"], pairs),
        ("Reliable recovery", found["reliably_recovered"], found["cases"], cases),
        ("Reliable deterioration", found["reliably_deteriorated"], found["pairs"], pairs),
    ]
    disclosure.count(found["pairs"], pairs)
    return _parts_of_wholes(rows, f, "talking therapies", disclosure)


def _parts_of_wholes(rows: list[tuple], f: Filters, name: str, disclosure: Disclosure) -> pd.DataFrame:
    """Figures that are each a part of a whole (figure, people, whole's people, whole's key) as a page may show
    them: ``people`` and ``label`` (hidden with the rest of the whole when either is small), ``of`` and ``share``."""
    figures = [
        {"figure": figure, **disclosure.part_of(n, whole, key=f.key(f"{name} {figure}"), whole=of)}
        for figure, n, whole, of in rows
    ]
    return pd.DataFrame(figures, columns=["figure", "people", "label", "of", "share"])


def low_band(con: Con, f: Filters, measure: str) -> dict | None:
    """People in the measure's bands of concern (``Measure.low_band``, e.g. ONS4's 'low' band 0–4; anxiety 6–10) at
    baseline and at follow-up; None for a measure without bands."""
    band = MEASURES[measure].low_band
    if band is None:
        return None
    n, at_baseline, at_followup = fetch_rows(
        con,
        f"""SELECT count(*), count(*) FILTER (WHERE baseline BETWEEN $low AND $high),
            count(*) FILTER (WHERE followup BETWEEN $low AND $high) FROM ({PAIRS_SQL})""",
        sql_params(f, measure=measure, low=band[0], high=band[1]),
    )[0]
    return {
        "pairs": n,
        "band": band,
        "baseline": at_baseline,
        "followup": at_followup,
        "share_baseline": at_baseline / n if n else None,
        "share_followup": at_followup / n if n else None,
    }


def clinical_figures(con: Con, f: Filters, measure: str, disclosure: Disclosure) -> pd.DataFrame:
    """Caseness and recovery (a measure with a cut-off) or the bands of concern as a page may show them: one row per
    figure with ``people`` and ``label`` (hidden with the rest of its whole when either is small), ``of`` (the
    whole's label) and ``share``. Empty for measures with neither."""
    rows = []
    if found := clinical(con, f, measure):
        n, cases = found["pairs"], found["cases_baseline"]
        pairs, first = pairs_key(f, measure), f.key(f"{measure} Above cut-off, first:part")
        rows = [
            ("Above cut-off, first", found["cases_baseline"], n, pairs),
            ("Above cut-off, latest", found["cases_followup"], n, pairs),
            ("Recovery", found["recovered"], cases, first),
            ("Reliable improvement", found["reliably_improved"], n, pairs),
            ("Reliable recovery", found["reliably_recovered"], cases, first),
            ("Reliable deterioration", found["reliably_deteriorated"], n, pairs),
        ]
    elif band := low_band(con, f, measure):
        pairs = pairs_key(f, measure)
        rows = [
            ("In the band, first", band["baseline"], band["pairs"], pairs),
            ("In the band, latest", band["followup"], band["pairs"], pairs),
        ]
    return _parts_of_wholes(rows, f, measure, disclosure)


_QUESTIONNAIRES_SQL = (
    "SELECT * FROM wellbeing WHERE measure = $measure AND date BETWEEN $start AND $end"  # scored or not
)


def completeness(con: Con, f: Filters, measure: str) -> dict:
    """Questionnaires in the period with a missing answer, people with only a first score, and the usual gap."""
    missing, questionnaires = fetch_rows(
        con,
        f"SELECT count(*) FILTER (WHERE score IS NULL), count(*) FROM ({_QUESTIONNAIRES_SQL}) WHERE {is_member()}",
        sql_params(f, measure=measure),
    )[0]
    only_first, gap_median, gap_q1, gap_q3 = fetch_rows(
        con,
        f"""WITH pairs AS ({PAIRS_SQL}),
            scored AS (SELECT participant_id, count(DISTINCT date) AS times FROM ({SCORED_SQL})
                       WHERE {is_member()} GROUP BY 1)
        SELECT (SELECT count(*) FROM scored
                WHERE times = 1 AND participant_id IN (SELECT participant_id FROM ({_QUESTIONNAIRES_SQL}))),
            median(gap), quantile_cont(gap, 0.25), quantile_cont(gap, 0.75)
        FROM (SELECT datediff('day', baseline_date, followup_date) AS gap FROM pairs)""",
        sql_params(f, measure=measure),
    )[0]
    return {
        "questionnaires": questionnaires,
        "missing_answer": missing,
        "only_first_score": only_first,
        "gap_days_median": gap_median,
        "gap_days_quartiles": None if gap_q1 is None else [gap_q1, gap_q3],
    }


def completeness_figures(con: Con, f: Filters, measure: str, disclosure: Disclosure) -> dict:
    """``completeness`` as a page may show it: counts as labels, and the gap between questionnaires only over at
    least the threshold's pairs."""
    found = completeness(con, f, measure)
    missing = disclosure.part_of(
        found["missing_answer"],
        found["questionnaires"],
        key=f.key(f"{measure} missing an answer"),
        whole=f.key(f"{measure} questionnaires"),
    )
    enough = disclosure.may_show(
        fetch_rows(con, f"SELECT count(*) FROM ({PAIRS_SQL})", sql_params(f, measure=measure))[0][0]
    )
    return {
        "missing_answer": missing["label"],
        "questionnaires": missing["of"],
        "only_first_score": disclosure.label(found["only_first_score"], f.key(f"{measure} only a first score")),
        "gap_days_median": found["gap_days_median"] if enough else None,
        "gap_days_quartiles": found["gap_days_quartiles"] if enough else None,
    }


def means_with_ci(con: Con, f: Filters, measure: str, disclosure: Disclosure) -> pd.DataFrame:
    """Mean first and latest score of the pairs, each with its 95% CI (t interval), for charting against norms;
    empty under the threshold."""
    n, b_mean, b_sd, l_mean, l_sd = fetch_rows(
        con,
        f"SELECT count(*), avg(baseline), stddev_samp(baseline), avg(followup), stddev_samp(followup) FROM ({PAIRS_SQL})",
        sql_params(f, measure=measure),
    )[0]
    columns = ["when", "mean", "ci_low", "ci_high", "people"]
    if not disclosure.may_show(n):
        return pd.DataFrame(columns=columns)
    rows = []
    for when, mean, sd in (("First questionnaire", b_mean, b_sd), ("Latest questionnaire", l_mean, l_sd)):
        ci = mean_ci(mean, sd, n) or [None, None]
        rows.append((when, mean, ci[0], ci[1], disclosure.count(n, pairs_key(f, measure))))
    return pd.DataFrame(rows, columns=columns)


def change_bands(con: Con, f: Filters, measure: str) -> pd.DataFrame:
    """People per band of change, exactly. Bands are as wide as the reliable change (1 point without one) and closed
    on the side away from 0 ([3, 6) and (-6, -3]), so each lies wholly in improved, no reliable change or
    deteriorated."""
    m = MEASURES[measure]
    width = m.reliable_change or 1
    frame = fetch_frame(
        con,
        f"""SELECT CASE WHEN change >= 0 THEN floor(change / $width) * $width
                        ELSE -(floor(-change / $width) + 1) * $width END AS band_start, count(*) AS people
        FROM ({PAIRS_SQL}) GROUP BY 1 ORDER BY 1""",
        sql_params(f, measure=measure, width=width),
    )
    sign = 1 if m.higher_better else -1
    frame["band_end"] = frame["band_start"] + width
    frame["category"] = [_category(m, sign, start, width) for start in frame["band_start"]]
    return frame


def change_distribution(con: Con, f: Filters, measure: str, disclosure: Disclosure) -> pd.DataFrame:
    """``change_bands`` as a page may show them: every band stays, labelled; small bands and, where one could be
    worked out from the pairs, one more are hidden."""
    return disclosure.groups(
        change_bands(con, f, measure),
        "people",
        group_col="band_start",
        key=f.key(f"{measure} change band"),
        whole=pairs_key(f, measure),
    )


def _category(m: Measure, sign: int, band_start: float, width: float) -> str:
    if m.reliable_change is None:
        return "change"
    middle = sign * (band_start + width / 2)
    points = m.reliable_change
    return "improved" if middle >= points else "deteriorated" if middle <= -points else "no reliable change"


SLOPE_COLUMNS = ["line", "when", "score", "people"]


def slope_lines(con: Con, f: Filters, measure: str, most: int = 40) -> pd.DataFrame:
    """First and latest scores for a slope chart, exactly: one line per person when there are at most ``most``,
    otherwise one line per band of first score (a tenth of the scale wide), with its people counted."""
    m = MEASURES[measure]
    pairs_count = fetch_rows(con, f"SELECT count(*) FROM ({PAIRS_SQL})", sql_params(f, measure=measure))[0][0]
    width = max(1.0, round((m.high - m.low) / 10))
    per_person = pairs_count <= most
    grouping = "participant_id" if per_person else "floor((baseline - $low) / $width)"
    bands = {} if per_person else {"low": m.low, "width": width}  # DuckDB refuses parameters the query does not use
    frame = fetch_frame(
        con,
        f"""SELECT {grouping} AS line, count(*) AS people, avg(baseline) AS first, avg(followup) AS latest
        FROM ({PAIRS_SQL}) GROUP BY 1 ORDER BY 1""",
        sql_params(f, measure=measure, **bands),
    )
    frame["line"] = [
        f"person {i + 1}" if per_person else f"first score {m.low + k * width:g}–{m.low + (k + 1) * width:g}"
        for i, k in enumerate(frame["line"] if not per_person else range(len(frame)))
    ]
    return frame.melt(id_vars=["line", "people"], value_vars=["first", "latest"], var_name="when", value_name="score")


def slopes(con: Con, f: Filters, measure: str, disclosure: Disclosure, most: int = 40) -> pd.DataFrame:
    """``slope_lines`` as a page may draw them: nothing under the threshold; one line per person only on screen
    (never exported); bands of first score only with at least the threshold's people, their counts made safe."""
    lines = slope_lines(con, f, measure, most)
    n = int(lines.drop_duplicates("line")["people"].sum())
    per_person = n <= most
    allowed = disclosure.per_person_marks_allowed if per_person else disclosure.may_show
    if not allowed(n):
        return pd.DataFrame(columns=SLOPE_COLUMNS)
    if per_person:
        return lines[SLOPE_COLUMNS]
    kept = lines[lines["people"].map(disclosure.may_show).astype(bool)]
    return kept.assign(people=disclosure.counts(kept["people"]))[SLOPE_COLUMNS]


def by_quarter(con: Con, f: Filters, measure: str, disclosure: Disclosure) -> pd.DataFrame:
    """``outcomes_by_quarter`` as a page may show it: each quarter's pairs made safe (a person may be followed
    up in several quarters, so no secondary suppression), its mean change and CI only over enough people."""
    exact = outcomes_by_quarter(con, f, measure).drop(columns="share_improved")
    figures = ["mean_change", "ci_low", "ci_high"]
    safe = disclosure.groups(exact, "pairs", group_col="quarter", figure_cols=figures, secondary=False)
    for q, n in zip(quarters(f.period), exact["pairs"], strict=True):
        disclosure.count(n, pairs_key(f.with_period(q), measure))  # the same people as that quarter's headline
    return safe
