"""The Outcomes page's figures: how much people changed, how sure we are, and for whom, in which activities.

Built on the pairs of docs/metrics.md#pairs (query.PAIRS_SQL). Groups of fewer than ``min_count`` people keep their
count but lose their figures, so that no one can be identified and no mean rests on a handful of people.
"""

from __future__ import annotations

import math

import pandas as pd

from pipelines.dimensions import BROKEN_DOWN, labels
from pipelines.measures import MEASURES, Measure
from pipelines.metrics import outcome
from pipelines.privacy import SUPPRESSION_THRESHOLD
from pipelines.query import (
    ACTIVITY_MATCH,
    ATTENDED,
    CHANGE_COLUMNS,
    MEMBERSHIP_SQL,
    PAIRS_SQL,
    SCORED_SQL,
    SESSION_BAND_ORDER,
    Z_975,
    Con,
    Filters,
    change_params,
    fetch_frame,
    fetch_rows,
    is_member,
    mean_ci,
    or_not_recorded,
    session_band,
    sql_params,
    with_profile,
)

SMALL_SAMPLE = 30  # Warwick: at least 30 people with two scores before reporting change
LOW_FOLLOW_UP = 0.5

BREAKDOWNS = {"activity": "activity", "activity_type": "type of activity", **labels(BROKEN_DOWN)}
_GROUPED_SQL = {
    "activity": f'SELECT x.*, m.activity AS "group" FROM pairs x JOIN ({MEMBERSHIP_SQL}) m USING (participant_id)',
    "activity_type": f"""
        SELECT DISTINCT x.*, {or_not_recorded("t.activity_type")} AS "group"
        FROM pairs x JOIN ({MEMBERSHIP_SQL}) m USING (participant_id)
        LEFT JOIN (SELECT activity, any_value(activity_type) AS activity_type FROM attendance GROUP BY 1) t
            USING (activity)""",
    "dose": f"""
        SELECT x.*, {session_band("s.sessions")} AS "group"
        FROM pairs x LEFT JOIN (
            SELECT x.participant_id, count(*) AS sessions FROM pairs x JOIN attendance a
                ON a.participant_id = x.participant_id AND {ATTENDED}
                AND a.session_date BETWEEN x.baseline_date AND x.followup_date
            WHERE {ACTIVITY_MATCH}
            GROUP BY 1) s USING (participant_id)""",
}  # a person counts in each activity they took part in; dose: sessions attended between the two questionnaires


def _with_ci(frame: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """Add CIs and shares; blank the figures of groups under ``min_count`` people (their count stays, as '<8')."""
    cis = [
        mean_ci(m, s, n) or [None, None]
        for m, s, n in zip(frame["mean_change"], frame["sd"], frame["pairs"], strict=True)
    ]
    frame = frame.assign(
        ci_low=[c[0] for c in cis],
        ci_high=[c[1] for c in cis],
        share_improved=frame["improved"] / frame["pairs"],
        shown=frame["pairs"] >= min_count,
    )
    figures = ["mean_change", "sd", "ci_low", "ci_high", "improved", "deteriorated", "share_improved"]
    frame[figures] = frame[figures].astype("float64").where(frame["shown"])
    return frame.drop(columns="sd")


def breakdown(con: Con, f: Filters, measure: str, by: str, min_count: int = SUPPRESSION_THRESHOLD) -> pd.DataFrame:
    """Change per group of one dimension (a BREAKDOWNS key, or 'dose': sessions between the two questionnaires)."""
    grouped = _GROUPED_SQL.get(by) or f'SELECT x.*, "{by}" AS "group" FROM ({with_profile("SELECT * FROM pairs")}) x'
    frame = fetch_frame(
        con,
        f"""WITH pairs AS ({PAIRS_SQL}), grouped AS ({grouped})
        SELECT "group", {CHANGE_COLUMNS} FROM grouped GROUP BY 1 ORDER BY 2 DESC, 1""",
        change_params(f, measure),
    )
    if by == "dose":
        found = set(frame["group"])
        frame = frame.set_index("group").reindex([d for d in SESSION_BAND_ORDER if d in found]).reset_index()
    if MEASURES[measure].threshold is None:  # no reliable change for this measure: nobody "improved" (not 0%)
        frame[["improved", "deteriorated"]] = math.nan
    return _with_ci(frame, min_count)


def cis_overlap(frame: pd.DataFrame) -> bool:
    """True when every shown group's interval overlaps every other's, so the data cannot say groups differ."""
    shown = frame.dropna(subset=["ci_low", "ci_high"])
    return len(shown) > 1 and shown["ci_low"].max() <= shown["ci_high"].min()


def effect_size(mean: float | None, sd: float | None, n: int) -> dict[str, float | None]:
    """Standardised mean change d = mean ÷ sd of change, with a 95% CI from SE = √(1/n + d²/2n)."""
    if n < 2 or mean is None or not sd:
        return {"d": None, "ci_low": None, "ci_high": None}
    d = mean / sd
    half = Z_975 * math.sqrt(1 / n + d * d / (2 * n))
    return {"d": d, "ci_low": d - half, "ci_high": d + half}


def headline(con: Con, f: Filters, measure: str, min_count: int = SUPPRESSION_THRESHOLD) -> dict:
    """metrics.outcome plus effect size, shares and warnings; figures left out below ``min_count`` pairs."""
    result = outcome(con, f, measure)
    n = result["pairs"]
    result["effect_size"] = effect_size(result["mean_change"], result["sd_change"], n)
    counts = ("improved", "no_reliable_change", "deteriorated")
    result["shares"] = {k: result[k] / n if n and result[k] is not None else None for k in counts}
    result["shown"] = n >= min_count
    result["warnings"] = warnings(measure, result) if result["shown"] else []
    return result


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
    if m.threshold is not None and result["improved"] is not None:
        improved = f"{result['improved'] / n:.0%} improved by {m.threshold:g} points or more; "
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
    """Caseness, recovery and reliable change as NHS Talking Therapies reports them (CORE-10, PHQ-9, GAD-7).

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
        sql_params(f, measure=measure, cutoff=m.cutoff, reliable_change=m.threshold),
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


def low_band(con: Con, f: Filters, measure: str) -> dict | None:
    """ONS4: people in the 'low' wellbeing band (0–4; anxiety 6–10) at baseline and at follow-up."""
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


def means_with_ci(con: Con, f: Filters, measure: str, min_count: int = SUPPRESSION_THRESHOLD) -> pd.DataFrame:
    """Mean first and latest score of the pairs, each with its 95% CI (t interval), for charting against norms."""
    n, b_mean, b_sd, l_mean, l_sd = fetch_rows(
        con,
        f"SELECT count(*), avg(baseline), stddev_samp(baseline), avg(followup), stddev_samp(followup) FROM ({PAIRS_SQL})",
        sql_params(f, measure=measure),
    )[0]
    if n < min_count:
        return pd.DataFrame(columns=["when", "mean", "ci_low", "ci_high", "people"])
    rows = []
    for when, mean, sd in (("First questionnaire", b_mean, b_sd), ("Latest questionnaire", l_mean, l_sd)):
        ci = mean_ci(mean, sd, n) or [None, None]
        rows.append({"when": when, "mean": mean, "ci_low": ci[0], "ci_high": ci[1], "people": n})
    return pd.DataFrame(rows)


def change_distribution(con: Con, f: Filters, measure: str, min_count: int = SUPPRESSION_THRESHOLD) -> pd.DataFrame:
    """People per band of change. Bands are as wide as the reliable change (1 point without one) and closed on
    the side away from 0 ([3, 6) and (-6, -3]), so each lies wholly in improved, no reliable change or
    deteriorated. Small bands are blanked."""
    m = MEASURES[measure]
    width = m.threshold or 1
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
    frame["people"] = frame["people"].astype("Int64").where(frame["people"] >= min_count)
    return frame


def _category(m: Measure, sign: int, band_start: float, width: float) -> str:
    if m.threshold is None:
        return "change"
    middle = sign * (band_start + width / 2)
    return "improved" if middle >= m.threshold else "deteriorated" if middle <= -m.threshold else "no reliable change"


def slopes(con: Con, f: Filters, measure: str, min_count: int = SUPPRESSION_THRESHOLD, most: int = 40) -> pd.DataFrame:
    """First and latest scores for a slope chart: one line per person when there are at most ``most``,
    otherwise one line per band of first score (a tenth of the scale wide), with its people counted."""
    m = MEASURES[measure]
    pairs_count = fetch_rows(con, f"SELECT count(*) FROM ({PAIRS_SQL})", sql_params(f, measure=measure))[0][0]
    if pairs_count < min_count:
        return pd.DataFrame(columns=["line", "when", "score", "people"])
    width = max(1.0, round((m.high - m.low) / 10))
    per_person = pairs_count <= most
    grouping = "participant_id" if per_person else "floor((baseline - $low) / $width)"
    bands = {} if per_person else {"low": m.low, "width": width}  # DuckDB refuses parameters the query does not use
    frame = fetch_frame(
        con,
        f"""SELECT {grouping} AS line, count(*) AS people, avg(baseline) AS first, avg(followup) AS latest
        FROM ({PAIRS_SQL}) GROUP BY 1 HAVING count(*) >= $min_count OR {per_person}""",
        sql_params(f, measure=measure, min_count=min_count, **bands),
    )
    frame["line"] = [
        f"person {i + 1}"
        if grouping == "participant_id"
        else f"first score {m.low + k * width:g}–{m.low + (k + 1) * width:g}"
        for i, k in enumerate(frame["line"] if grouping != "participant_id" else range(len(frame)))
    ]
    return frame.melt(id_vars=["line", "people"], value_vars=["first", "latest"], var_name="when", value_name="score")
