"""The Funding page's figures: where income comes from, when it stops, what is secured against what is needed,
reserves and runway, and what a participant and an improvement cost.

Income is each secured line's amount spread evenly by day over its dates (docs/metrics.md); applied-for funding is
shown apart and never counted as secured. 'Today' is a parameter so that figures are reproducible.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipelines.measures import MEASURES
from pipelines.metrics import (
    ACTIVITY_MATCH,
    Con,
    Filters,
    activity_params,
    fetch_frame,
    fetch_rows,
    measures_with_data,
    outcome,
    reach,
    sql_params,
)
from pipelines.periods import Period, add_months, fy_quarter, quarter_label, quarters

SPLITS = {"funder": "funder", "income_type": "type of income", "restricted": "restricted or unrestricted"}
DEPENDENCE_WARNING = 0.4  # one funder giving more than this share of income is a risk to name
RESERVES_POLICY = (3.0, 6.0)  # months of spending, Charity Commission CC19 practice; trustees may set their own


def _quarter_table(periods: list[Period]) -> str:
    """A VALUES list of (quarter label, start, end) for joining funding lines to quarters."""
    return ", ".join(f"('{quarter_label(q.start)}', DATE '{q.start}', DATE '{q.end}')" for q in periods)


def _spread_sql(periods: list[Period], status: str = "secured") -> str:
    return f"""
        SELECT q.quarter, q.q_start, f.*,
            f.amount * (datediff('day', greatest(f.start_date, q.q_start), least(f.end_date, q.q_end)) + 1)
                / (datediff('day', f.start_date, f.end_date) + 1) AS income
        FROM funding f JOIN (VALUES {_quarter_table(periods)}) q(quarter, q_start, q_end)
            ON f.start_date <= q.q_end AND f.end_date >= q.q_start
        WHERE f.status = '{status}' AND {ACTIVITY_MATCH.replace("activity", "f.activity")}
    """


def income_by_quarter(con: Con, f: Filters, split: str = "funder") -> pd.DataFrame:
    """Secured income per financial quarter of the period, split by funder, income type or restricted."""
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}; expected one of {', '.join(SPLITS)}.")
    column = "CASE WHEN restricted THEN 'restricted' ELSE 'unrestricted' END" if split == "restricted" else split
    return fetch_frame(
        con,
        f"""SELECT quarter, q_start, {column} AS "group", sum(income) AS income
        FROM ({_spread_sql(quarters(f.period))}) GROUP BY ALL ORDER BY q_start, income DESC""",
        activity_params(f),
    )


def concentration_by_quarter(con: Con, f: Filters) -> pd.DataFrame:
    """Per quarter: the largest funder's share of income and the Herfindahl index (sum of squared shares, 0–1)."""
    return fetch_frame(
        con,
        f"""WITH by_funder AS (
                SELECT quarter, q_start, funder, sum(income) AS income FROM ({_spread_sql(quarters(f.period))})
                GROUP BY ALL),
            shares AS (SELECT *, income / sum(income) OVER (PARTITION BY quarter) AS share FROM by_funder)
        SELECT quarter, arg_max(funder, share) AS largest_funder, max(share) AS largest_share,
            sum(share * share) AS herfindahl, count(*) AS funders
        FROM shares GROUP BY quarter, q_start ORDER BY q_start""",
        activity_params(f),
    )


def dependence(con: Con, f: Filters, limit: float = DEPENDENCE_WARNING) -> dict:
    """The largest funder over the whole period, its share, and whether it passes the warning share."""
    row = fetch_rows(
        con,
        f"""SELECT funder, sum(income) / sum(sum(income)) OVER () AS share
        FROM ({_spread_sql([f.period])}) GROUP BY funder ORDER BY share DESC LIMIT 1""",
        activity_params(f),
    )
    if not row:
        return {"funder": None, "share": None, "over_limit": False, "limit": limit}
    funder, share = row[0]
    return {"funder": funder, "share": share, "over_limit": share > limit, "limit": limit}


def timeline(con: Con, f: Filters) -> pd.DataFrame:
    """Every secured or applied-for line, with its annual value (amount ÷ years it runs)."""
    return fetch_frame(
        con,
        f"""SELECT funder, title, status, amount, start_date, end_date, income_type, restricted,
            amount * 365.25 / (datediff('day', start_date, end_date) + 1) AS annual_value
        FROM funding WHERE status IN ('secured', 'applied') AND {ACTIVITY_MATCH}
        ORDER BY end_date, funder""",
        activity_params(f),
    )


def cliff(con: Con, f: Filters, today: dt.date, months: int) -> dict:
    """Secured lines ending between today and ``months`` from now, and the annual income that ends with them."""
    horizon = add_months(today, months)
    lines = fetch_frame(
        con,
        f"""SELECT funder, title, end_date, amount, amount * 365.25 / (datediff('day', start_date, end_date) + 1)
                AS annual_value
        FROM funding WHERE status = 'secured' AND end_date >= $today AND end_date < $horizon AND {ACTIVITY_MATCH}
        ORDER BY end_date""",
        activity_params(f, today=today, horizon=horizon),
    )
    return {"months": months, "lines": lines, "annual_value": float(lines["annual_value"].sum())}


def monthly_spending(con: Con, today: dt.date, f: Filters | None = None) -> tuple[float | None, dt.date | None]:
    """Mean monthly expenditure over the 12 months to the latest month recorded on or before today, and that month."""
    last = fetch_rows(
        con,
        f"SELECT max(period_start) FROM expenditure WHERE period_start <= $today AND {ACTIVITY_MATCH}",
        activity_params(f, today=today),
    )[0][0]
    if last is None:
        return None, None
    total = fetch_rows(
        con,
        f"SELECT sum(amount) FROM expenditure WHERE period_start > $from AND period_start <= $last AND {ACTIVITY_MATCH}",
        activity_params(f, **{"from": add_months(last, -12), "last": last}),
    )[0][0]
    return total / 12, last


def secured_against_needed(con: Con, f: Filters, today: dt.date, count: int = 8) -> pd.DataFrame:
    """For the next ``count`` quarters from today's: secured and applied-for income, and expected spending —
    the budget where expenditure has rows after today in that quarter, otherwise the run-rate of the last 12
    months (so a month of actual spending already recorded is not taken for the current quarter's budget)."""
    start = fy_quarter(today).start
    ahead = quarters(Period(start, add_months(start, 3 * count) - dt.timedelta(days=1)))
    table = pd.DataFrame({"quarter": [quarter_label(q.start) for q in ahead], "q_start": [q.start for q in ahead]})
    for status in ("secured", "applied"):
        income = fetch_frame(
            con,
            f"SELECT quarter, sum(income) AS {status} FROM ({_spread_sql(ahead, status)}) GROUP BY 1",
            activity_params(f),
        )
        table = table.merge(income, on="quarter", how="left")
    budget = fetch_frame(
        con,
        f"""SELECT q.quarter, sum(e.amount) AS budget FROM expenditure e
        JOIN (VALUES {_quarter_table(ahead)}) q(quarter, q_start, q_end) ON e.period_start BETWEEN q.q_start AND q.q_end
        WHERE {ACTIVITY_MATCH.replace("activity", "e.activity")} GROUP BY 1 HAVING max(e.period_start) > $today""",
        activity_params(f, today=today),
    )
    table = table.merge(budget, on="quarter", how="left").fillna({"secured": 0.0, "applied": 0.0})
    monthly, _ = monthly_spending(con, today, f)
    run_rate = None if monthly is None else monthly * 3
    table["needed"] = table["budget"].fillna(run_rate if run_rate is not None else float("nan"))
    table["basis"] = ["budget" if pd.notna(b) else "run-rate" for b in table["budget"]]
    table["gap"] = (table["needed"] - table["secured"]).clip(lower=0)
    return table.drop(columns="budget")


def within_policy(runway: float | None, policy: tuple[float, float] = RESERVES_POLICY) -> bool | None:
    """Whether a runway in months lies in the trustees' reserves policy range (None without a runway)."""
    return None if runway is None else policy[0] <= runway <= policy[1]


def reserves_over_time(con: Con, policy: tuple[float, float] = RESERVES_POLICY) -> pd.DataFrame:
    """Free reserves at each recorded date, the runway they give (months of the mean monthly spending over the 12
    months to that date), and the trustees' policy range in pounds. Runway is left blank until 12 months of
    spending are recorded, so that a short history does not flatter it."""
    frame = fetch_frame(
        con,
        """SELECT r.date, r.free_reserves,
            (SELECT sum(e.amount) / 12 FROM expenditure e
             WHERE e.period_start > r.date - INTERVAL 12 MONTH AND e.period_start <= r.date) AS monthly_spending,
            (SELECT min(period_start) FROM expenditure) <= r.date - INTERVAL 11 MONTH AS full_year
        FROM reserves r ORDER BY r.date""",
    )
    spending = frame["monthly_spending"].where(frame["full_year"].fillna(False) & (frame["monthly_spending"] > 0))
    return frame.assign(
        monthly_spending=spending,
        runway_months=frame["free_reserves"] / spending,
        policy_low=policy[0] * spending,
        policy_high=policy[1] * spending,
    ).drop(columns="full_year")


def value_for_money(con: Con, f: Filters) -> pd.DataFrame:
    """Cost per participant and per improvement on each measure, for everything and for each activity whose
    expenditure is recorded."""
    activities = [
        r[0]
        for r in fetch_rows(
            con,
            f"""SELECT DISTINCT activity FROM expenditure WHERE activity IS NOT NULL
            AND period_start BETWEEN $start AND $end AND {ACTIVITY_MATCH} ORDER BY 1""",
            sql_params(f),
        )
    ]
    rows = [_value_row(con, f, "All activities (including core costs)")]
    rows += [_value_row(con, Filters(f.period, (a,)), a) for a in activities]
    return pd.DataFrame(rows)


def _value_row(con: Con, f: Filters, label: str) -> dict:
    spent = fetch_rows(
        con,
        f"SELECT sum(amount) FROM expenditure WHERE period_start BETWEEN $start AND $end AND {ACTIVITY_MATCH}",
        sql_params(f),
    )[0][0]
    reached = reach(con, f)["reached"]
    row = {
        "activity": label,
        "expenditure": spent,
        "reached": reached,
        "cost_per_participant": spent / reached if spent and reached else None,
    }
    for measure in measures_with_data(con):
        if MEASURES[measure].threshold is not None:
            improved = outcome(con, f, measure)["improved"]
            row[f"improved {measure}"] = improved
            row[f"cost per improvement {measure}"] = spent / improved if spent and improved else None
    return row


VALUE_CAVEAT = (
    "Cost per participant is the expenditure recorded for the period (months or quarters starting in it) divided "
    "by the people who attended at least once. Cost per improvement divides the same expenditure by the people "
    "whose latest questionnaire in the period showed a reliable improvement; it counts only people with two "
    "questionnaires, so it overstates the cost where follow-up is low, and it says nothing about what would have "
    "happened without the service. Per activity, only costs recorded against that activity are counted."
)
