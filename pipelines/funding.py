"""The Funding page's figures: where income comes from, when it stops, what is secured against what is needed,
reserves and runway, and what a participant and an improvement cost.

Income is each secured line's amount spread evenly by day over its dates (docs/metrics.md); applied-for funding is
shown apart and never counted as secured. Forecasts (cliff, secured against needed) run from the end of the chosen
period, never from today's date, so that figures are reproducible.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipelines.disclosure import Disclosure
from pipelines.measures import MEASURES
from pipelines.metrics import (
    concentration,
    cost_per,
    expenditure,
    largest_funder,
    measures_with_data,
    monthly_spending,
    outcome,
    quarters_from,
    reach,
    secured_and_needed,
)
from pipelines.outcomes import change_by
from pipelines.periods import add_months, fy_label, quarters
from pipelines.query import (
    ACTIVITY_MATCH,
    ANNUAL_VALUE,
    ATTENDED_SQL,
    EXPENDITURE_SQL,
    Con,
    Filters,
    activity_params,
    fetch_frame,
    fetch_rows,
    spread_sql,
    sql_params,
)

SPLITS = {"funder": "funder", "income_type": "type of income", "restricted": "restricted or unrestricted"}
DEPENDENCE_WARNING = 0.4  # one funder giving more than this share of income is a risk to name
RESERVES_POLICY = (3.0, 6.0)  # months of spending, Charity Commission CC19 practice; trustees may set their own


def income_by_quarter(con: Con, f: Filters, split: str = "funder") -> pd.DataFrame:
    """Secured income per financial quarter of the period, split by funder, income type or restricted."""
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}; expected one of {', '.join(SPLITS)}.")
    column = "CASE WHEN restricted THEN 'restricted' ELSE 'unrestricted' END" if split == "restricted" else split
    return fetch_frame(
        con,
        f"""SELECT quarter, q_start, {column} AS "group", sum(income) AS income
        FROM ({spread_sql(quarters(f.period))}) GROUP BY ALL ORDER BY q_start, income DESC""",
        activity_params(f),
    )


def concentration_by_quarter(con: Con, f: Filters) -> pd.DataFrame:
    """Per quarter: the biggest funder's share of the whole organisation's income (chosen activities aside)."""
    return concentration(con, Filters(f.period), quarters(f.period))


def dependence(con: Con, f: Filters, warn_share: float = DEPENDENCE_WARNING) -> dict:
    """The biggest funder of the whole organisation over the period, its share, and whether it passes the warning
    share; chosen activities do not change it (``metrics.largest_funder``)."""
    funder, share = largest_funder(con, f)
    return {
        "funder": funder,
        "share": share,
        "over_warn_share": share is not None and share > warn_share,
        "warn_share": warn_share,
    }


def funders_of(con: Con, f: Filters) -> pd.DataFrame:
    """Who pays for the chosen activities in the period: each funder's secured income and share, biggest first."""
    return fetch_frame(
        con,
        f"""SELECT funder, sum(income) AS income, sum(income) / sum(sum(income)) OVER () AS share
        FROM ({spread_sql([f.period])}) GROUP BY 1 ORDER BY 2 DESC, 1""",
        activity_params(f),
    )


def funders_in_words(con: Con, f: Filters) -> str | None:
    """Who pays for the chosen activities, in neutral words; None when no activity is chosen."""
    if not f.activities:
        return None
    which = ", ".join(f.activities)
    found = funders_of(con, f)
    if found.empty:
        return f"No secured funding is recorded against {which} in this period."
    if len(found) == 1:
        return f"{which} is paid for by {found['funder'][0]} in this period."
    named = "; ".join(f"{r.funder} {r.share:.0%}" for r in found.itertuples(index=False))
    return f"{which} is paid for by {len(found)} funders in this period: {named}."


def funder_order(con: Con) -> list[str]:
    """Every funder of secured income, biggest in total first: a fixed order, so that a funder keeps its colour."""
    return [
        r[0]
        for r in fetch_rows(
            con, "SELECT funder FROM funding WHERE status = 'secured' GROUP BY 1 ORDER BY sum(amount) DESC, 1"
        )
    ]


def timeline(con: Con, f: Filters) -> pd.DataFrame:
    """Every secured or applied-for line, with its annual value (amount ÷ years it runs)."""
    return fetch_frame(
        con,
        f"""SELECT funder, title, status, amount, start_date, end_date, income_type, restricted,
            {ANNUAL_VALUE} AS annual_value
        FROM funding WHERE status IN ('secured', 'applied') AND {ACTIVITY_MATCH}
        ORDER BY end_date, funder""",
        activity_params(f),
    )


def forecast_start(f: Filters) -> dt.date:
    """Forecasts run from the day after the chosen period ends, not from today."""
    return f.period.end + dt.timedelta(days=1)


def cliff(con: Con, f: Filters, months: int) -> dict:
    """Secured lines ending in the ``months`` after the period, and the annual income that ends with them."""
    start = forecast_start(f)
    lines = fetch_frame(
        con,
        f"""SELECT funder, title, end_date, amount, {ANNUAL_VALUE} AS annual_value
        FROM funding WHERE status = 'secured' AND end_date >= $start AND end_date < $horizon AND {ACTIVITY_MATCH}
        ORDER BY end_date""",
        activity_params(f, start=start, horizon=add_months(start, months)),
    )
    return {"months": months, "lines": lines, "annual_value": float(lines["annual_value"].sum())}


def secured_against_needed(con: Con, f: Filters, count: int = 8) -> pd.DataFrame:
    """For ``count`` quarters from the one holding the day after the period: secured and applied-for income and
    expected spending (``metrics.secured_and_needed``), with each quarter's financial year for yearly totals."""
    table = secured_and_needed(con, f, quarters_from(forecast_start(f), count))
    return table.assign(year=[fy_label(d) for d in table["q_start"]])


def yearly_totals(ahead: pd.DataFrame) -> pd.DataFrame:
    """``secured_against_needed`` summed per financial year (needed and gap blank where a quarter's is unknown)."""
    sums = ahead.groupby("year", sort=False).agg(
        quarters=("quarter", "count"),
        secured=("secured", "sum"),
        applied=("applied", "sum"),
        needed=("needed", lambda s: s.sum() if s.notna().all() else float("nan")),
    )
    return sums.assign(gap=(sums["needed"] - sums["secured"]).clip(lower=0)).reset_index()


def within_policy(runway: float | None, policy: tuple[float, float] = RESERVES_POLICY) -> bool | None:
    """Whether a runway in months lies in the trustees' reserves policy range (None without a runway)."""
    return None if runway is None else policy[0] <= runway <= policy[1]


def reserves_over_time(con: Con, policy: tuple[float, float] = RESERVES_POLICY) -> pd.DataFrame:
    """Free reserves at each recorded date, the runway they give (months of the mean monthly spending over the 12
    months to that date), and the trustees' policy range in pounds. Runway is left blank until 12 months of
    spending are recorded, so that a short history does not flatter it."""
    frame = fetch_frame(con, "SELECT date, free_reserves FROM reserves ORDER BY date")
    first = fetch_rows(con, "SELECT min(period_start) FROM expenditure")[0][0]
    days = [t.date() for t in frame["date"]]
    full_year = [first is not None and first <= add_months(day, -11) for day in days]
    monthly = pd.Series([monthly_spending(con, day) for day in days], index=frame.index, dtype="float64")
    spending = monthly.where(pd.Series(full_year, index=frame.index, dtype=bool) & (monthly > 0))
    return frame.assign(
        monthly_spending=spending,
        runway_months=frame["free_reserves"] / spending,
        policy_low=policy[0] * spending,
        policy_high=policy[1] * spending,
    )


def value_for_money(con: Con, f: Filters) -> pd.DataFrame:
    """Cost per participant and per improvement on each measure, for everything and for each activity whose
    expenditure is recorded."""
    measures = [m for m in measures_with_data(con) if MEASURES[m].reliable_change is not None]
    spent = fetch_rows(
        con,
        f"SELECT activity, sum(amount) FROM ({EXPENDITURE_SQL}) WHERE activity IS NOT NULL GROUP BY 1 ORDER BY 1",
        sql_params(f),
    )
    reached = dict(
        fetch_rows(
            con, f"SELECT activity, count(DISTINCT participant_id) FROM ({ATTENDED_SQL}) GROUP BY 1", sql_params(f)
        )
    )
    improved = {m: _improved_by_activity(con, f, m) for m in measures}
    rows = [_value_row(con, f, "All activities (including core costs)", measures)]
    for activity, cost in spent:
        counts = {m: improved[m].get(activity, 0) for m in measures}
        rows.append(_value_figures(activity, cost, reached.get(activity, 0), counts))
    return pd.DataFrame(rows)


def _improved_by_activity(con: Con, f: Filters, measure: str) -> dict[str, int]:
    """People improved reliably per activity they took part in (each activity as if it alone were chosen)."""
    found = change_by(con, f, measure, "activity")
    return {group: int(n) for group, n in zip(found["group"], found["improved"], strict=True)}


def costs(con: Con, f: Filters, disclosure: Disclosure) -> pd.DataFrame:
    """``value_for_money`` as a page may show it: people reached and improved as safe counts with ``label`` columns
    (``reached_label``, ``improved {measure} label``), and a cost per person only over at least the threshold's
    people, worked out from the published count."""
    exact = value_for_money(con, f)
    safe = exact[["activity", "expenditure"]].copy()
    for count, cost in _counted_costs(exact):
        safe[count], safe[f"{count} label"] = disclosure.counts(exact[count]), disclosure.labels(exact[count])
        safe[cost] = [_cost(spent, n, disclosure) for spent, n in zip(exact["expenditure"], exact[count], strict=True)]
    return safe


def _counted_costs(frame: pd.DataFrame) -> list[tuple[str, str]]:
    improved = [c.removeprefix("improved ") for c in frame.columns if c.startswith("improved ")]
    return [("reached", "cost_per_participant"), *((f"improved {m}", f"cost per improvement {m}") for m in improved)]


def _cost(spent: float | None, people: object, disclosure: Disclosure) -> float | None:
    return cost_per(spent, disclosure.count(people)) if disclosure.may_show(people) else None


def cost_per_person(con: Con, f: Filters, disclosure: Disclosure, reached: int | None = None) -> float | None:
    """Cost per person reached, as a page may show it: only for at least the threshold's people (``reached``, when
    the caller has counted them already)."""
    return _cost(expenditure(con, f), reach(con, f)["reached"] if reached is None else reached, disclosure)


def _value_row(con: Con, f: Filters, label: str, measures: list[str]) -> dict:
    improved = {m: outcome(con, f, m)["improved"] for m in measures}
    return _value_figures(label, expenditure(con, f), reach(con, f)["reached"], improved)


def _value_figures(label: str, spent: float | None, reached: int, improved: dict[str, int]) -> dict:
    row = {
        "activity": label,
        "expenditure": spent,
        "reached": reached,
        "cost_per_participant": cost_per(spent, reached),
    }
    for measure, count in improved.items():
        row[f"improved {measure}"] = count
        row[f"cost per improvement {measure}"] = cost_per(spent, count)
    return row


VALUE_CAVEAT = (
    "Cost per participant is the expenditure recorded for the period (months or quarters starting in it) divided "
    "by the people who attended at least once. Cost per improvement divides the same expenditure by the people "
    "whose latest questionnaire in the period showed a reliable improvement; it counts only people with two "
    "questionnaires, so it overstates the cost where follow-up is low, and it says nothing about what would have "
    "happened without the service. Per activity, only costs recorded against that activity are counted."
)
