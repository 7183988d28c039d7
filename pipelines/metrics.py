"""The headline figures (docs/metrics.md), one function per metric, computed in DuckDB over the current rows.

Every page, the command line and the tests call these, so a figure means the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import duckdb
import pandas as pd
from scipy import stats

from pipelines.measures import MEASURE_ORDER, MEASURES
from pipelines.periods import Period, add_months, latest_complete_financial_year, quarter_label, quarters

Con = duckdb.DuckDBPyConnection
DIMENSIONS = (
    "age_band",
    "gender",
    "ethnicity_group",
    "ethnicity",
    "disability",
    "sexual_orientation",
    "imd_quintile",
    "referral_source",
)


@dataclass(frozen=True)
class Filters:
    """What every page shows: a period and, optionally, some activities (none chosen means all)."""

    period: Period
    activities: tuple[str, ...] = ()

    def with_period(self, period: Period) -> Filters:
        return Filters(period, self.activities)


def fetch_rows(con: Con, sql: str, params: dict | None = None) -> list[tuple]:
    return con.execute(sql, params or {}).fetchall()


def fetch_frame(con: Con, sql: str, params: dict | None = None) -> pd.DataFrame:
    return con.execute(sql, params or {}).df()


def activity_params(f: Filters | None, **extra: object) -> dict:
    """Parameters for ACTIVITY_MATCH (no activities chosen, or no filters, means all)."""
    chosen = list(f.activities) if f else []
    return {"acts": chosen, "all_acts": not chosen, **extra}


def sql_params(f: Filters, **extra: object) -> dict:
    return activity_params(f, start=f.period.start, end=f.period.end, **extra)


ACTIVITY_MATCH = "($all_acts OR activity IN (SELECT unnest($acts)))"

# Data range and choices ---------------------------------------------------------------------------


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


# Reach --------------------------------------------------------------------------------------------

_REACH_SQL = f"""
    WITH a AS (SELECT * FROM attendance WHERE {ACTIVITY_MATCH}),
    first_seen AS (SELECT participant_id, min(session_date) AS first_day FROM a WHERE attended = 'attended' GROUP BY 1),
    inside AS (SELECT * FROM a WHERE session_date BETWEEN $start AND $end)
    SELECT
        count(DISTINCT participant_id) FILTER (WHERE attended = 'attended'),
        count(DISTINCT participant_id) FILTER (
            WHERE attended = 'attended' AND participant_id IN (
                SELECT participant_id FROM first_seen WHERE first_day BETWEEN $start AND $end)),
        count(*) FILTER (WHERE attended = 'attended'),
        count(*) FILTER (WHERE attended = 'did not attend'),
        count(DISTINCT (activity, session_date)) FILTER (WHERE attended = 'attended')
    FROM inside
"""


def reach(con: Con, f: Filters) -> dict[str, int]:
    """Reached, new, attendances, did not attend and sessions delivered in the period."""
    names = ("reached", "new", "attendances", "did_not_attend", "sessions_delivered")
    return dict(zip(names, fetch_rows(con, _REACH_SQL, sql_params(f))[0], strict=True))


REACHED_SQL = f"""
    SELECT DISTINCT participant_id FROM attendance
    WHERE attended = 'attended' AND session_date BETWEEN $start AND $end AND {ACTIVITY_MATCH}
"""

PROFILE_COLUMNS = """
    coalesce(p.age_band, 'Not known') AS age_band, coalesce(p.gender, 'Not known') AS gender,
    coalesce(p.ethnicity_group, 'Not known') AS ethnicity_group, coalesce(p.ethnicity, 'Not known') AS ethnicity,
    coalesce(p.disability, 'Not known') AS disability,
    coalesce(p.sexual_orientation, 'Not known') AS sexual_orientation,
    coalesce(CAST(ceil(p.imd_decile / 2) AS INTEGER)::VARCHAR, 'Not known') AS imd_quintile,
    coalesce(p.referral_source, 'Not known') AS referral_source
"""  # a person's groups, from their profile if there is one ("Not known" otherwise); needs "p" = participants

PROFILE_SQL = (
    f"SELECT r.participant_id, {PROFILE_COLUMNS} FROM reached r LEFT JOIN participant_profiles p USING (participant_id)"
)


def reach_by(con: Con, f: Filters, dimension: str) -> pd.DataFrame:
    """People reached in the period per group of one dimension ("Not known" counted, never dropped)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {dimension!r}; expected one of {', '.join(DIMENSIONS)}.")
    return fetch_frame(
        con,
        f"""WITH reached AS ({REACHED_SQL}), profile AS ({PROFILE_SQL})
        SELECT "{dimension}" AS "group", count(*) AS people FROM profile GROUP BY 1 ORDER BY 2 DESC, 1""",
        sql_params(f),
    )


_QUARTERLY_SQL = f"""
    WITH a AS (SELECT *, date_trunc('quarter', session_date) AS quarter_start FROM attendance WHERE {ACTIVITY_MATCH}),
    first_seen AS (SELECT participant_id, min(session_date) AS first_day FROM a WHERE attended = 'attended' GROUP BY 1)
    SELECT quarter_start,
        count(DISTINCT participant_id) FILTER (WHERE attended = 'attended') AS reached,
        count(DISTINCT participant_id) FILTER (
            WHERE attended = 'attended' AND date_trunc('quarter', first_day) = quarter_start) AS new,
        count(*) FILTER (WHERE attended = 'attended') AS attendances,
        count(*) FILTER (WHERE attended = 'did not attend') AS did_not_attend,
        count(DISTINCT (activity, session_date)) FILTER (WHERE attended = 'attended') AS sessions_delivered
    FROM a LEFT JOIN first_seen USING (participant_id)
    WHERE session_date BETWEEN $start AND $end GROUP BY 1
"""


def reach_by_quarter(con: Con, f: Filters) -> pd.DataFrame:
    """Reached, new, returning, attendances, did-not-attend rate and sessions in each financial quarter."""
    found = fetch_frame(con, _QUARTERLY_SQL, sql_params(f))
    counts = [c for c in found.columns if c != "quarter_start"]
    found["quarter_start"] = [t.date() for t in found["quarter_start"]]
    starts = pd.DataFrame({"quarter_start": [q.start for q in quarters(f.period)]})
    frame = starts.merge(found, on="quarter_start", how="left").fillna(0).astype(dict.fromkeys(counts, "int64"))
    frame.insert(0, "quarter", [quarter_label(d) for d in frame["quarter_start"]])
    rates = [dna_rate(a, d) for a, d in zip(frame["attendances"], frame["did_not_attend"], strict=True)]
    return frame.assign(returning=frame["reached"] - frame["new"], dna_rate=pd.Series(rates, dtype="float64"))


def dna_rate(attendances: int, did_not_attend: int) -> float | None:
    """Did-not-attend rows as a share of attended and did-not-attend rows (cancellations count as neither)."""
    booked = attendances + did_not_attend
    return did_not_attend / booked if booked else None


# Outcomes -----------------------------------------------------------------------------------------

PAIRS_SQL = f"""
    WITH q AS (
        SELECT participant_id, date, score FROM wellbeing
        WHERE measure = $measure AND score IS NOT NULL AND date <= $end),
    members AS (
        SELECT participant_id FROM attendance WHERE attended = 'attended' AND session_date <= $end AND {ACTIVITY_MATCH}
        UNION SELECT participant_id FROM wellbeing WHERE date <= $end AND {ACTIVITY_MATCH}),
    ends AS (
        SELECT participant_id, min(date) AS baseline_date, max(date) AS followup_date FROM q GROUP BY 1
        HAVING max(date) > min(date))
    SELECT e.participant_id, e.baseline_date, b.score AS baseline, e.followup_date, l.score AS followup,
        l.score - b.score AS change
    FROM ends e
    JOIN q b ON b.participant_id = e.participant_id AND b.date = e.baseline_date
    JOIN q l ON l.participant_id = e.participant_id AND l.date = e.followup_date
    WHERE e.followup_date BETWEEN $start AND $end AND ($all_acts OR e.participant_id IN (SELECT * FROM members))
"""


def pairs(con: Con, f: Filters, measure: str) -> pd.DataFrame:
    """Each participant's baseline and latest follow-up, where the follow-up falls in the period."""
    return fetch_frame(con, PAIRS_SQL + " ORDER BY e.participant_id", sql_params(f, measure=measure))


def outcome(con: Con, f: Filters, measure: str) -> dict:
    """Pairs, means, mean change with its paired-t 95% CI, improved/deteriorated counts and follow-up rate."""
    m = MEASURES[measure]
    sign = 1 if m.higher_better else -1
    threshold = m.threshold if m.threshold is not None else math.inf
    with_baseline, with_pair = followup_counts(con, f, measure)
    n, baseline, followup, mean, sd, improved, deteriorated = fetch_rows(
        con,
        f"""SELECT count(*), avg(baseline), avg(followup), avg(change), stddev_samp(change),
            count(*) FILTER (WHERE change * $sign >= $threshold), count(*) FILTER (WHERE -change * $sign >= $threshold)
        FROM ({PAIRS_SQL})""",
        sql_params(f, measure=measure, sign=sign, threshold=threshold),
    )[0]
    return {
        "pairs": n,
        "baseline_mean": baseline,
        "followup_mean": followup,
        "mean_change": mean,
        "sd_change": sd,
        "ci95": mean_ci(mean, sd, n),
        "improved": improved if m.threshold is not None else None,
        "no_reliable_change": n - improved - deteriorated if m.threshold is not None else None,
        "deteriorated": deteriorated if m.threshold is not None else None,
        "followup_rate": with_pair / with_baseline if with_baseline else None,
        "with_baseline": with_baseline,
    }


def mean_ci(mean: float | None, sd: float | None, n: int, level: float = 0.95) -> list[float] | None:
    """Paired t interval: mean ± t(1 − α/2, n − 1) · sd / √n; None below two pairs."""
    if n < 2 or mean is None or sd is None:
        return None
    half = stats.t.ppf(1 - (1 - level) / 2, n - 1) * sd / math.sqrt(n)
    return [mean - half, mean + half]


def followup_rate(con: Con, f: Filters, measure: str) -> float | None:
    """Among people reached with a baseline on or before the period's end, the share with a pair in the period."""
    with_baseline, with_pair = followup_counts(con, f, measure)
    return with_pair / with_baseline if with_baseline else None


def followup_counts(con: Con, f: Filters, measure: str) -> tuple[int, int]:
    """(People reached with a baseline on or before the period's end, those of them with a pair in the period)."""
    return fetch_rows(
        con,
        f"""WITH reached AS ({REACHED_SQL}),
            based AS (SELECT DISTINCT participant_id FROM wellbeing
                      WHERE measure = $measure AND score IS NOT NULL AND date <= $end
                        AND participant_id IN (SELECT * FROM reached)),
            paired AS ({PAIRS_SQL})
        SELECT count(*), count(*) FILTER (WHERE participant_id IN (SELECT participant_id FROM paired)) FROM based""",
        sql_params(f, measure=measure),
    )[0]


def outcomes_by_quarter(con: Con, f: Filters, measure: str) -> pd.DataFrame:
    """Mean change (with CI) and the share improved for pairs followed up in each quarter of the period."""
    rows = []
    for q in quarters(f.period):
        result = outcome(con, f.with_period(q), measure)
        ci = result["ci95"] or [None, None]
        share = result["improved"] / result["pairs"] if result["pairs"] and result["improved"] is not None else None
        rows.append(
            {
                "quarter": quarter_label(q.start),
                "quarter_start": q.start,
                "pairs": result["pairs"],
                "mean_change": result["mean_change"],
                "ci_low": ci[0],
                "ci_high": ci[1],
                "share_improved": share,
            }
        )
    return pd.DataFrame(rows)


# Money --------------------------------------------------------------------------------------------

_SPREAD_SQL = f"""
    SELECT funder, income_type, restricted,
        amount * (datediff('day', greatest(start_date, $start), least(end_date, $end)) + 1)
            / (datediff('day', start_date, end_date) + 1) AS income
    FROM funding
    WHERE status = 'secured' AND start_date <= $end AND end_date >= $start AND {ACTIVITY_MATCH}
"""


def income_lines(con: Con, f: Filters) -> pd.DataFrame:
    """Each secured line's income in the period, its amount spread evenly by day over its dates."""
    return fetch_frame(con, _SPREAD_SQL, sql_params(f))


def income(con: Con, f: Filters) -> float:
    return float(fetch_rows(con, f"SELECT coalesce(sum(income), 0) FROM ({_SPREAD_SQL})", sql_params(f))[0][0])


def secured_next_12_months(con: Con, f: Filters) -> float:
    after = f.period.end + dt.timedelta(days=1)
    return income(con, f.with_period(Period(after, add_months(after, 12) - dt.timedelta(days=1))))


def largest_funder_share(con: Con, f: Filters) -> float | None:
    row = fetch_rows(
        con,
        f"SELECT max(s) / nullif(sum(s), 0) FROM (SELECT sum(income) AS s FROM ({_SPREAD_SQL}) GROUP BY funder)",
        sql_params(f),
    )[0]
    return row[0]


def expenditure(con: Con, f: Filters) -> float:
    """Expenditure whose month or quarter starts in the period (all of it, or the chosen activities' costs)."""
    return spent(con, f) or 0.0


def spent(con: Con, f: Filters) -> float | None:
    """Expenditure as above, or None when no expenditure line falls in the period (a cost cannot be computed)."""
    found = fetch_rows(
        con,
        f"SELECT sum(amount) FROM expenditure WHERE period_start BETWEEN $start AND $end AND {ACTIVITY_MATCH}",
        sql_params(f),
    )[0][0]
    return None if found is None else float(found)


def runway_months(con: Con, f: Filters) -> float | None:
    """Latest free reserves on or before the period's end ÷ mean monthly expenditure over the 12 months to it."""
    year = Period(add_months(f.period.end, -12) + dt.timedelta(days=1), f.period.end)
    monthly = expenditure(con, Filters(year)) / 12
    reserves = fetch_rows(
        con, "SELECT free_reserves FROM reserves WHERE date <= $end ORDER BY date DESC LIMIT 1", {"end": f.period.end}
    )
    return reserves[0][0] / monthly if reserves and monthly > 0 else None


def cost_per_participant(con: Con, f: Filters) -> float | None:
    return _per(spent(con, f), reach(con, f)["reached"])


def cost_per_improvement(con: Con, f: Filters, measure: str) -> float | None:
    return _per(spent(con, f), outcome(con, f, measure)["improved"])


def _per(cost: float | None, count: int | None) -> float | None:
    return cost / count if cost is not None and count else None


# The summary ------------------------------------------------------------------------------------


def summary(con: Con, f: Filters) -> dict:
    """The headline figures, shaped as docs/cli.md#summary gives them (exact, unsuppressed: for staff)."""
    outcomes = {m: outcome(con, f, m) for m in measures_with_data(con)}
    return {
        "period": {"from": f.period.start.isoformat(), "to": f.period.end.isoformat()},
        "activities": list(f.activities),
        "reach": {
            **reach(con, f),
            "by": {
                d: dict(reach_by(con, f, d).itertuples(index=False, name=None))
                for d in ("ethnicity_group", "age_band", "gender", "disability", "imd_quintile")
            },
        },
        "outcomes": outcomes,
        "funding": {
            "income": income(con, f),
            "expenditure": expenditure(con, f),
            "secured_next_12_months": secured_next_12_months(con, f),
            "largest_funder_share": largest_funder_share(con, f),
            "runway_months": runway_months(con, f),
            "cost_per_participant": cost_per_participant(con, f),
            "cost_per_improvement": {
                m: _per(spent(con, f), o["improved"]) for m, o in outcomes.items() if o["improved"] is not None
            },
        },
    }
