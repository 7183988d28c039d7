"""Volunteer time (docs/metrics.md#volunteering): hours by activity and month, their value as in-kind support, and
the volunteers with lived experience.

An hour is valued at the rate set in Settings, else at the UK National Living Wage in force on the first day of its
month (pipelines/reference/national_living_wage.csv). A row without an activity is the whole organisation's: in the
totals, in no one activity, and left out when activities are chosen, as core funding is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from pipelines import settings
from pipelines.disclosure import Disclosure
from pipelines.periods import Period
from pipelines.query import ACTIVITY_MATCH, Con, Filters, fetch_frame, sql_params

RATES_FILE = Path(__file__).resolve().parent / "reference" / "national_living_wage.csv"
NLW_SOURCE = (
    'UK National Living Wage in force each month (GOV.UK, "National Minimum Wage and National Living Wage rates"; '
    "Low Pay Commission)"
)
WHOLE_ORGANISATION = "Whole organisation"  # a row recorded without an activity
MATCH_FUNDING = "Funders often accept volunteer time as match funding."
VOLUNTEERING_SQL = f"SELECT * FROM volunteering WHERE month BETWEEN $start AND $end AND {ACTIVITY_MATCH}"


@cache
def living_wage() -> pd.DataFrame:
    """The National Living Wage with the day each rate took effect, oldest first."""
    rates = pd.read_csv(RATES_FILE, parse_dates=["effective_from"])
    return rates.assign(effective_from=rates["effective_from"].dt.date)


def living_wage_on(day: dt.date) -> float | None:
    """The National Living Wage in force on ``day``; None before it began (1 April 2016)."""
    rates = living_wage()
    found = rates[rates["effective_from"] <= day]
    return None if found.empty else float(found["hourly_rate"].iloc[-1])


@dataclass(frozen=True)
class RateBasis:
    """How an hour of volunteer time is valued: the rate set in Settings, or the National Living Wage."""

    set_rate: float | None  # from Settings; None: the National Living Wage each month

    @property
    def kind(self) -> str:
        return "settings" if self.set_rate is not None else "national living wage"

    def describe(self, months: list[dt.date]) -> str:
        """'£12.50 an hour, the rate set in Settings' or '£11.44 an hour to Mar 2025, £12.21 from Apr 2025: the UK
        National Living Wage in force each month (…)'."""
        if self.set_rate is not None:
            return f"£{self.set_rate:,.2f} an hour, the rate set in Settings"
        used = {}
        for month in sorted(months):
            used.setdefault(living_wage_on(month), month)
        if not used:
            return f"the {NLW_SOURCE}"
        rates = [
            f"£{rate:,.2f} from {first:%b %Y}" if rate else f"no rate before Apr 2016 ({first:%b %Y})"
            for rate, first in used.items()
        ]
        return f"{', '.join(rates)}: the {NLW_SOURCE}"


def rate_basis(con: Con) -> RateBasis:
    return RateBasis(settings.volunteer_rate(con))


def _rates_sql(basis: RateBasis) -> str:
    """A table of (effective_from, rate): the one set in Settings from the beginning, or the National Living Wage."""
    if basis.set_rate is not None:
        return f"(VALUES (DATE '1900-01-01', {basis.set_rate:f})) r(effective_from, rate)"
    rows = ", ".join(f"(DATE '{d}', {rate:f})" for d, rate in living_wage()[["effective_from", "hourly_rate"]].values)
    return f"(VALUES {rows}) r(effective_from, rate)"


def rows(con: Con, f: Filters) -> pd.DataFrame:
    """Each month and activity in the period (the whole organisation's rows named so), with its volunteers, those
    with lived experience, hours, the hourly rate and the value of the hours (blank without a rate)."""
    return fetch_frame(
        con,
        f"""SELECT v.month, coalesce(v.activity, '{WHOLE_ORGANISATION}') AS activity, v.volunteers,
            v.lived_experience, v.hours, r.rate, v.hours * r.rate AS value
        FROM ({VOLUNTEERING_SQL}) v ASOF LEFT JOIN {_rates_sql(rate_basis(con))} ON v.month >= r.effective_from
        ORDER BY v.month, v.activity NULLS FIRST""",
        sql_params(f),
    ).assign(month=lambda t: [m.date() for m in t["month"]])


def totals(con: Con, f: Filters) -> dict:
    """Hours and their value in the period, and the rate basis (value None where a month has no rate)."""
    found = rows(con, f)
    basis = rate_basis(con)
    return {
        "hours": float(found["hours"].sum()),
        "value": None if found["value"].isna().any() else float(found["value"].sum()),
        "months": found["month"].nunique(),
        "basis": basis.kind,
        "rate": basis.describe(list(found["month"].unique())),
    }


def by_month(con: Con, f: Filters) -> pd.DataFrame:
    """Hours and value per month and activity, with each month's label ('Apr 2025') for a chart."""
    found = rows(con, f)
    return found.assign(label=[f"{m:%b %Y}" for m in found["month"]])[
        ["month", "label", "activity", "hours", "rate", "value"]
    ]


def by_activity(con: Con, f: Filters) -> pd.DataFrame:
    """Hours and value per activity over the period, most hours first (the whole organisation's rows together)."""
    found = rows(con, f)
    sums = found.groupby("activity", sort=False).agg(
        hours=("hours", "sum"), value=("value", lambda s: s.sum() if s.notna().all() else None)
    )
    return sums.reset_index().sort_values(["hours", "activity"], ascending=[False, True], ignore_index=True)


def latest_volunteers(con: Con, f: Filters) -> dict:
    """The latest month in the period with volunteers counted: its volunteers and those with lived experience, summed
    over the rows that count both (one person helping in two activities counts in each)."""
    found = rows(con, f).dropna(subset=["volunteers", "lived_experience"])
    if found.empty:
        return {"month": None, "volunteers": 0, "lived_experience": 0}
    last = found[found["month"] == found["month"].max()]
    return {
        "month": last["month"].iloc[0],
        "volunteers": int(last["volunteers"].sum()),
        "lived_experience": int(last["lived_experience"].sum()),
    }


def lived_experience(con: Con, f: Filters, disclosure: Disclosure) -> dict:
    """``latest_volunteers`` as a page may show them: counts labelled, the share with lived experience only when
    neither they nor the others are 1–7 (``Disclosure.part_of``)."""
    found = latest_volunteers(con, f)
    month = f.with_period(Period(found["month"], found["month"])) if found["month"] else f
    shown = disclosure.part_of(
        found["lived_experience"],
        found["volunteers"],
        key=month.key("volunteers with lived experience"),
        whole=month.key("volunteers"),
    )
    return {"month": found["month"], **shown}


def filter_note(f: Filters) -> str:
    """What the figures include: with activities chosen, the whole organisation's volunteer time is left out."""
    if not f.activities:
        return "All volunteer time, including time recorded for the whole organisation rather than one activity."
    return (
        f"Volunteer time recorded against {', '.join(f.activities)} only; time recorded for the whole organisation "
        "(no activity) is left out."
    )


def in_kind(found: dict, f: Filters) -> str:
    """'230 hours in financial year 2025-26, worth £2,716 as in-kind support at £12.21 from Apr 2025: …' (``totals``)."""
    value = "not valued (a month has no rate)" if found["value"] is None else f"worth £{found['value']:,.0f}"
    return f"{found['hours']:,.0f} hours in {f.period.label}, {value} as in-kind support at {found['rate']}."


def in_words(con: Con, f: Filters, disclosure: Disclosure) -> list[str]:
    """The page's lines on volunteer time, in plain words."""
    found = totals(con, f)
    if not found["months"]:
        return [f"No volunteer time is recorded for {f.period.label}. {filter_note(f)}"]
    lines = [f"**Volunteer time:** {in_kind(found, f)} {MATCH_FUNDING}", filter_note(f)]
    lived = lived_experience(con, f, disclosure)
    if lived["month"] is not None:
        share = f" ({lived['share']:.0%})" if lived["share"] is not None else ""
        lines.append(
            f"**Lived experience:** in {lived['month']:%B %Y}, {lived['label']} of {lived['of']} volunteers{share} "
            "had lived experience."
        )
    return lines


def summary(con: Con, f: Filters) -> dict:
    """For the summary: hours, value and the rate basis (exact)."""
    found = totals(con, f)
    return {"hours": found["hours"], "value": found["value"], "rate_basis": found["basis"], "rate": found["rate"]}
