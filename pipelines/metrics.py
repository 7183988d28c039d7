"""The headline figures (docs/metrics.md), one function per metric, computed in DuckDB over the current rows.

Every page, the command line and the tests call these, so a figure means the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from pipelines.dimensions import BENCHMARKED, BY_KEY
from pipelines.disclosure import Disclosure
from pipelines.measures import MEASURE_ORDER, MEASURES
from pipelines.periods import (
    Period,
    add_months,
    financial_year,
    fy_label,
    fy_quarter,
    latest_complete_financial_year,
    quarter_label,
    quarters,
)
from pipelines.query import (
    ACTIVITY_MATCH,
    ATTENDED,
    CHANGE_COLUMNS,
    EXPENDITURE_SQL,
    FIRST_SEEN_SQL,
    PAIRS_SQL,
    REACHED_SQL,
    REGISTER_SQL,
    SCORED_SQL,
    Con,
    Filters,
    activity_params,
    change_params,
    fetch_frame,
    fetch_rows,
    mean_ci,
    pairs_by_quarter_sql,
    periods_table,
    spread_sql,
    sql_params,
    with_profile,
)

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


def _reach_sql(since: str) -> str:
    """Reach counts per value of ``since``, the day from which a person's first session makes them new."""
    return f"""
        SELECT since,
            count(DISTINCT participant_id) FILTER (WHERE {ATTENDED}) AS reached,
            count(DISTINCT participant_id) FILTER (WHERE {ATTENDED} AND first_day >= since) AS new,
            count(*) FILTER (WHERE {ATTENDED}) AS attendances,
            count(*) FILTER (WHERE attended = 'did not attend') AS did_not_attend,
            count(DISTINCT (activity, session_date)) FILTER (WHERE {ATTENDED}) AS sessions_delivered
        FROM (SELECT *, {since} AS since FROM ({REGISTER_SQL})) LEFT JOIN ({FIRST_SEEN_SQL}) USING (participant_id)
        GROUP BY since
    """  # a person attending in the period first came on or before its end, so first_day >= since means new


REACH_COUNTS = ("reached", "new", "attendances", "did_not_attend", "sessions_delivered")


def reach(con: Con, f: Filters) -> dict[str, int]:
    """Reached, new, attendances, did not attend and sessions delivered in the period."""
    found = fetch_rows(con, _reach_sql("CAST($start AS DATE)"), sql_params(f))
    return dict(zip(REACH_COUNTS, found[0][1:] if found else [0] * len(REACH_COUNTS), strict=True))


def require(choice: str, options: Iterable[str], kind: str) -> None:
    """Refuse a grouping the code does not know (it is written into SQL)."""
    if choice not in options:
        raise ValueError(f"Unknown {kind} {choice!r}; expected one of {', '.join(options)}.")


def reach_by(con: Con, f: Filters, dimension: str) -> pd.DataFrame:
    """People reached in the period per group of one dimension ("Not known" counted, never dropped)."""
    require(dimension, BY_KEY, "dimension")
    return fetch_frame(
        con,
        f"""SELECT "{dimension}" AS "group", count(*) AS people FROM ({with_profile(REACHED_SQL)})
        GROUP BY 1 ORDER BY 2 DESC, 1""",
        sql_params(f),
    )


def reach_by_quarter(con: Con, f: Filters) -> pd.DataFrame:
    """Reached, new, returning, attendances, did-not-attend rate and sessions in each financial quarter."""
    found = fetch_frame(con, _reach_sql("date_trunc('quarter', session_date)"), sql_params(f))
    found = found.rename(columns={"since": "quarter_start"})
    found["quarter_start"] = [t.date() for t in found["quarter_start"]]
    starts = pd.DataFrame({"quarter_start": [q.start for q in quarters(f.period)]})
    frame = starts.merge(found, on="quarter_start", how="left").fillna(0).astype(dict.fromkeys(REACH_COUNTS, "int64"))
    frame.insert(0, "quarter", [quarter_label(d) for d in frame["quarter_start"]])
    rates = [dna_rate(a, d) for a, d in zip(frame["attendances"], frame["did_not_attend"], strict=True)]
    return frame.assign(returning=frame["reached"] - frame["new"], dna_rate=pd.Series(rates, dtype="float64"))


def dna_rate(attendances: int, did_not_attend: int) -> float | None:
    """Did-not-attend rows as a share of attended and did-not-attend rows (cancellations count as neither)."""
    booked = attendances + did_not_attend
    return did_not_attend / booked if booked else None


# Outcomes -----------------------------------------------------------------------------------------


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


def parts(disclosure: Disclosure, counts: dict[str, int], keep: Iterable[str] = ()) -> pd.DataFrame:
    """Parts of a published whole (new and returning of those reached, improved or not…) made safe together, indexed
    by part: ``people`` (nullable), ``label``, ``hidden`` and ``share`` of the whole, so that no small part can be
    worked out from the whole and the others."""
    frame = pd.DataFrame({"part": list(counts), "people": pd.Series(list(counts.values()), dtype="int64")})
    return disclosure.groups(frame, "people", group_col="part", keep=keep, share_col="share").set_index("part")


def part_of(disclosure: Disclosure, n: int, whole: int) -> dict:
    """n people of a whole, as a page may show them: n's count and label, the whole's label, and n's share; n and
    the rest of the whole are hidden together when either is small (the other would give it away)."""
    safe = parts(disclosure, {"part": n, "rest": whole - n}).loc["part"]
    return {
        "people": None if pd.isna(safe["people"]) else int(safe["people"]),
        "label": safe["label"],
        "of": disclosure.label(whole),
        "share": None if safe["hidden"] else disclosure.share(n, whole),
    }


# Money --------------------------------------------------------------------------------------------


def income(con: Con, f: Filters) -> float:
    """Secured income in the period, each line's amount spread evenly by day over its dates."""
    found = fetch_rows(con, f"SELECT coalesce(sum(income), 0) FROM ({spread_sql([f.period])})", activity_params(f))
    return float(found[0][0])


def latest_monthly_spending(con: Con, as_at: dt.date, f: Filters | None = None) -> tuple[float | None, dt.date | None]:
    """Mean monthly expenditure over the 12 months to the latest month recorded on or before ``as_at``, and that
    month."""
    last = fetch_rows(
        con,
        f"SELECT max(period_start) FROM expenditure WHERE period_start <= $as_at AND {ACTIVITY_MATCH}",
        activity_params(f, as_at=as_at),
    )[0][0]
    return (None, None) if last is None else (monthly_spending(con, last, f), last)


def quarters_from(day: dt.date, count: int) -> list[Period]:
    """``count`` financial quarters, the first holding ``day``."""
    start = fy_quarter(day).start
    return quarters(Period(start, add_months(start, 3 * count) - dt.timedelta(days=1)))


def secured_and_needed(con: Con, f: Filters, ahead: list[Period]) -> pd.DataFrame:
    """For each quarter in ``ahead``: secured and applied-for income, and expected spending — the expenditure
    recorded for it after the period's end (a budget) where there is some, otherwise the run-rate of the 12 months
    to the period's end (so a month already spent is not taken for a quarter's budget)."""
    as_at = f.period.end
    table = pd.DataFrame({"quarter": [quarter_label(q.start) for q in ahead], "q_start": [q.start for q in ahead]})
    for status in ("secured", "applied"):
        money = fetch_frame(
            con,
            f"SELECT quarter, sum(income) AS {status} FROM ({spread_sql(ahead, status)}) GROUP BY 1",
            activity_params(f),
        )
        table = table.merge(money, on="quarter", how="left")
    budget = fetch_frame(
        con,
        f"""SELECT quarter, sum(amount) AS budget FROM expenditure JOIN {periods_table(ahead)}
            ON period_start BETWEEN q_start AND q_end
        WHERE {ACTIVITY_MATCH} GROUP BY 1 HAVING max(period_start) > $as_at""",
        activity_params(f, as_at=as_at),
    )
    table = table.merge(budget, on="quarter", how="left").fillna({"secured": 0.0, "applied": 0.0})
    monthly, _ = latest_monthly_spending(con, as_at, f)
    table["needed"] = table["budget"].fillna(float("nan") if monthly is None else monthly * 3)
    table["basis"] = ["budget" if pd.notna(b) else "run-rate" for b in table["budget"]]
    table["gap"] = (table["needed"] - table["secured"]).clip(lower=0)
    return table.drop(columns="budget")


def forecast_year(period: Period) -> Period:
    """The financial year a forecast from the period covers: the first one starting after the period's last day
    (after 31 Mar 2026, 2026-27; after 30 Jun 2025, also 2026-27, the next year, not the rest of this one)."""
    return financial_year(financial_year(period.end).end + dt.timedelta(days=1))


@dataclass(frozen=True)
class SecuredYear:
    """Income secured for one financial year against the spending expected in it."""

    label: str  # '2026-27'
    start: dt.date
    end: dt.date
    secured: float
    applied: float  # bids awaiting a decision: never in ``secured``
    needed: float | None  # None when no spending is recorded to compare with
    basis: str | None  # 'budget', 'run-rate' or 'budget and run-rate'; None without ``needed``

    @property
    def gap(self) -> float | None:
        """Expected spending not yet covered by secured income, never below 0."""
        return None if self.needed is None else max(self.needed - self.secured, 0.0)

    @property
    def dates(self) -> str:
        return f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"

    @property
    def heading(self) -> str:
        return f"Secured for {self.label}"

    @property
    def sentence(self) -> str:
        """'Secured for 2026-27 (1 Apr 2026 – 31 Mar 2027): £X of £Y expected spending (gap £Z).'"""
        figure = f"{self.heading} ({self.dates}): £{self.secured:,.0f}"
        if self.needed is None:
            return f"{figure}; no spending is recorded to compare it with."
        return f"{figure} of £{self.needed:,.0f} expected spending (gap £{self.gap:,.0f})."


def secured_next_year(con: Con, f: Filters) -> SecuredYear:
    """Secured and applied-for income and expected spending in the financial year after the period (forecast_year),
    summed over its quarters as ``secured_and_needed`` works them out."""
    year = forecast_year(f.period)
    table = secured_and_needed(con, f, quarters(year))
    known = table["needed"].notna().all()
    bases = set(table["basis"])
    return SecuredYear(
        label=fy_label(year.start),
        start=year.start,
        end=year.end,
        secured=float(table["secured"].sum()),
        applied=float(table["applied"].sum()),
        needed=float(table["needed"].sum()) if known else None,
        basis=(bases.pop() if len(bases) == 1 else "budget and run-rate") if known else None,
    )


def concentration(con: Con, f: Filters, periods: list[Period]) -> pd.DataFrame:
    """Per period with income: the biggest funder, its share of income and the number of funders."""
    return fetch_frame(
        con,
        f"""WITH by_funder AS (SELECT quarter, q_start, funder, sum(income) AS income FROM ({spread_sql(periods)})
                GROUP BY ALL)
        SELECT quarter, arg_max(funder, income) AS largest_funder, max(income) / nullif(sum(income), 0) AS largest_share,
            count(*) AS funders
        FROM by_funder GROUP BY quarter, q_start ORDER BY q_start""",
        activity_params(f),
    )


def largest_funder(con: Con, f: Filters) -> tuple[str | None, float | None]:
    """The funder giving the largest share of the whole organisation's income in the period, and that share (None
    without income). Chosen activities do not change it: one activity paid for by one grant is no risk in itself."""
    found = concentration(con, Filters(f.period), [f.period])
    return (None, None) if found.empty else (found["largest_funder"][0], _number(found["largest_share"][0]))


def _number(value: object) -> float | None:
    return None if pd.isna(value) else float(value)


def largest_funder_share(con: Con, f: Filters) -> float | None:
    return largest_funder(con, f)[1]


def expenditure(con: Con, f: Filters) -> float | None:
    """Expenditure whose month or quarter starts in the period (all of it, or the chosen activities' costs);
    None when no expenditure line falls in the period (a cost cannot be computed)."""
    found = fetch_rows(
        con,
        f"SELECT sum(amount) FROM ({EXPENDITURE_SQL})",
        sql_params(f),
    )[0][0]
    return None if found is None else float(found)


def monthly_spending(con: Con, end: dt.date, f: Filters | None = None) -> float | None:
    """Mean monthly expenditure over the 12 months to ``end`` (lines whose month or quarter starts in them)."""
    year = Period(add_months(end, -12) + dt.timedelta(days=1), end)
    total = expenditure(con, Filters(year, f.activities if f else ()))
    return None if total is None else total / 12


def runway_months(con: Con, f: Filters) -> float | None:
    """Latest free reserves on or before the period's end ÷ mean monthly expenditure over the 12 months to it."""
    monthly = monthly_spending(con, f.period.end)
    reserves = fetch_rows(
        con, "SELECT free_reserves FROM reserves WHERE date <= $end ORDER BY date DESC LIMIT 1", {"end": f.period.end}
    )
    return reserves[0][0] / monthly if reserves and monthly and monthly > 0 else None


def runway_in_words(months: float | None) -> str:
    """A runway as written everywhere: rounded down to a tenth (2.98 months is not yet 3), '–' when unknown."""
    return "–" if months is None else f"{math.floor(months * 10) / 10:,.1f} months"


def cost_per_participant(con: Con, f: Filters) -> float | None:
    return cost_per(expenditure(con, f), reach(con, f)["reached"])


def cost_per_improvement(con: Con, f: Filters, measure: str) -> float | None:
    return cost_per(expenditure(con, f), outcome(con, f, measure)["improved"])


def cost_per(cost: float | None, count: int | None) -> float | None:
    """Cost per person counted; None without a recorded cost or without anyone counted."""
    return cost / count if cost is not None and count else None


# The summary ------------------------------------------------------------------------------------


def _secured_summary(year: SecuredYear) -> dict:
    return {
        "year": year.label,
        "from": year.start.isoformat(),
        "to": year.end.isoformat(),
        "secured": year.secured,
        "expected_spending": year.needed,
        "gap": year.gap,
    }


def _goal_outcomes(con: Con, f: Filters) -> dict:
    """Goal-Based Outcomes as the summary's "GBO" measure, when goals are recorded (not in cost per improvement:
    they count goals, not people)."""
    from pipelines import goals  # goals builds on this module

    return {goals.NAME: goals.outcome(con, f)} if goals.has_goals(con) else {}


def _voice_and_volunteers(con: Con, f: Filters) -> dict:
    """The Friends and Family Test (responses, shares, interval) and volunteer time (hours, value, rate basis)."""
    from pipelines import feedback, volunteering  # both build on this module

    return {"feedback": feedback.summary(con, f), "volunteering": volunteering.summary(con, f)}


def summary(con: Con, f: Filters) -> dict:
    """The headline figures, shaped as docs/cli.md#summary gives them (exact, unsuppressed: for staff)."""
    outcomes = {m: outcome(con, f, m) for m in measures_with_data(con)}
    return {
        "period": {"from": f.period.start.isoformat(), "to": f.period.end.isoformat()},
        "activities": list(f.activities),
        "reach": {
            **reach(con, f),
            "by": {d: dict(reach_by(con, f, d).itertuples(index=False, name=None)) for d in BENCHMARKED},
        },
        "outcomes": {**outcomes, **_goal_outcomes(con, f)},
        "funding": {
            "income": income(con, f),
            "expenditure": expenditure(con, f) or 0.0,
            "secured_next_year": _secured_summary(secured_next_year(con, f)),
            "largest_funder_share": largest_funder_share(con, f),
            "runway_months": runway_months(con, f),
            "cost_per_participant": cost_per_participant(con, f),
            "cost_per_improvement": {
                m: cost_per(expenditure(con, f), o["improved"])
                for m, o in outcomes.items()
                if o["improved"] is not None
            },
        },
        **_voice_and_volunteers(con, f),
    }
