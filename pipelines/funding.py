"""The Funding page's figures: where income comes from, when it stops, what is secured against what is needed,
reserves and runway, and what a participant and an improvement cost.

Income is each secured line's amount spread evenly by day over its dates (docs/metrics.md); applied-for funding is
shown apart and never counted as secured. Forecasts (cliff, secured against needed) run from the end of the chosen
period, never from today's date, so that figures are reproducible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from pipelines.disclosure import Disclosure
from pipelines.inventory import measures_with_data
from pipelines.measures import MEASURES
from pipelines.outcomes import change_by, outcome
from pipelines.periods import Period, add_months, financial_year, fy_label, fy_quarter, quarter_label, quarters
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
    periods_table,
    spread_sql,
    sql_params,
)
from pipelines.reach import reach
from pipelines.words import tenths_down

SPLITS = {"funder": "funder", "income_type": "type of income", "restricted": "restricted or unrestricted"}
DEPENDENCE_WARNING = 0.4  # one funder giving more than this share of income is a risk to name
RESERVES_POLICY = (3.0, 6.0)  # months of spending, Charity Commission CC19 practice; trustees may set their own


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

    period: Period  # the financial year
    secured: float
    applied: float  # bids awaiting a decision: never in ``secured``
    needed: float | None  # None when no spending is recorded to compare with
    basis: str | None  # 'budget', 'run-rate' or 'budget and run-rate'; None without ``needed``

    @property
    def gap(self) -> float | None:
        """Expected spending not yet covered by secured income, never below 0."""
        return None if self.needed is None else max(self.needed - self.secured, 0.0)

    @property
    def label(self) -> str:
        """'2026-27'."""
        return fy_label(self.period.start)

    @property
    def heading(self) -> str:
        return f"Secured for {self.label}"

    @property
    def sentence(self) -> str:
        """'Secured for 2026-27 (1 Apr 2026 – 31 Mar 2027): £X of £Y expected spending (gap £Z).'"""
        figure = f"{self.heading} ({self.period.dates}): £{self.secured:,.0f}"
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
        period=year,
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


def cost_per_participant(con: Con, f: Filters) -> float | None:
    return cost_per(expenditure(con, f), reach(con, f)["reached"])


def cost_per_improvement(con: Con, f: Filters, measure: str) -> float | None:
    return cost_per(expenditure(con, f), outcome(con, f, measure)["improved"])


def cost_per(cost: float | None, count: int | None) -> float | None:
    """Cost per person counted; None without a recorded cost or without anyone counted."""
    return cost / count if cost is not None and count else None


def income_by_quarter(con: Con, f: Filters, split: str = "funder") -> pd.DataFrame:
    """Secured income per financial quarter of the period, split by funder (with each funder's ``rank`` among all
    funders, ``funder_order``), income type or restricted."""
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}; expected one of {', '.join(SPLITS)}.")
    column = "CASE WHEN restricted THEN 'restricted' ELSE 'unrestricted' END" if split == "restricted" else split
    found = fetch_frame(
        con,
        f"""SELECT quarter, q_start, {column} AS "group", sum(income) AS income
        FROM ({spread_sql(quarters(f.period))}) GROUP BY ALL ORDER BY q_start, income DESC""",
        activity_params(f),
    )
    if split != "funder":
        return found
    rank = {funder: i for i, funder in enumerate(funder_order(con))}  # so that a funder keeps its colour
    return found.assign(rank=found["group"].map(rank).astype("Int64"))


def concentration_by_quarter(con: Con, f: Filters) -> pd.DataFrame:
    """Per quarter: the biggest funder's share of the whole organisation's income (chosen activities aside)."""
    return concentration(con, Filters(f.period), quarters(f.period))


def dependence(con: Con, f: Filters, warn_share: float = DEPENDENCE_WARNING) -> dict:
    """The biggest funder of the whole organisation over the period, its share, and whether it passes the warning
    share; chosen activities do not change it (``largest_funder``)."""
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
    expected spending (``secured_and_needed``), with each quarter's financial year for yearly totals."""
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
    """Whether a runway in months, as it is written (rounded down to a tenth), lies in the trustees' reserves policy
    range, both ends inside it: 6.04 months is written 6.0 and is within 3 to 6 (None without a runway)."""
    return None if runway is None else policy[0] <= tenths_down(runway) <= policy[1]


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
        keys = [_cost_key(f, count, None if row == 0 else a) for row, a in enumerate(exact["activity"])]
        counted = list(zip(exact[count], keys, strict=True))
        safe[count] = pd.array([disclosure.count(n, k) for n, k in counted], "Int64")
        safe[f"{count} label"] = [disclosure.label(n, k) for n, k in counted]
        safe[cost] = [
            _cost(spent, n, disclosure, k) for spent, (n, k) in zip(exact["expenditure"], counted, strict=True)
        ]
    return safe


def _cost_key(f: Filters, count: str, activity: str | None) -> str:
    """The published set's key of a count in the value-for-money table: everyone (``activity`` None: the people
    reached, or those improved on the measure's headline), or one activity (as Reach and the breakdown by activity
    count them)."""
    measure = count.removeprefix("improved ")
    if activity is None:
        return f.key("reached") if count == "reached" else f"{f.key(f'{measure} change')}:improved"
    if count == "reached":
        return f"{f.key('activity')}:{activity}"
    return f"{f.key(f'{measure} by activity')}:{activity} improved:part"


def _counted_costs(frame: pd.DataFrame) -> list[tuple[str, str]]:
    improved = [c.removeprefix("improved ") for c in frame.columns if c.startswith("improved ")]
    return [("reached", "cost_per_participant"), *((f"improved {m}", f"cost per improvement {m}") for m in improved)]


def _cost(spent: float | None, people: object, disclosure: Disclosure, key: str | None = None) -> float | None:
    published = disclosure.count(people, key)
    return cost_per(spent, published) if disclosure.may_show(people) and published is not None else None


def cost_per_person(con: Con, f: Filters, disclosure: Disclosure, reached: int | None = None) -> float | None:
    """Cost per person reached, as a page may show it: only for at least the threshold's people (``reached``, when
    the caller has counted them already)."""
    people = reach(con, f)["reached"] if reached is None else reached
    return _cost(expenditure(con, f), people, disclosure, f.key("reached"))


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
