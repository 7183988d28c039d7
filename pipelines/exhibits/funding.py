"""Funding's charts and tables: income, dependence on one funder, volunteer time, grants and the cliff, secured
against needed, reserves and value for money. Money and hours are not counts of people, so their figures take no
disclosure."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipelines import charts, funding, volunteering, words
from pipelines.charts.funding import year_total
from pipelines.charts.volunteering import hours_by_month
from pipelines.exhibits import Exhibit
from pipelines.query import Filters


def income_by(f: Filters, split: str) -> Exhibit:
    """Secured income each quarter, stacked by funder, type of income or restricted."""
    label = funding.SPLITS[split]
    return Exhibit(
        f"Income by {label}",
        f,
        funding.income_by_quarter,
        (f, split),
        describe=lambda t: (
            f"Stacked bars of secured income in each quarter by {label}; {words.money(t['income'].sum())} in all."
        ),
        draw=lambda t, d: charts.income_stacked(t, label, f.description),
        people=False,
    )


def dependence(f: Filters, warn_share: float) -> Exhibit:
    """The share of the whole charity's income from its biggest funder, each quarter."""
    return Exhibit(
        "Dependence on one funder",
        f,
        funding.concentration_by_quarter,
        (f,),
        describe=lambda t: (
            "Bars of the share of the whole charity's income from its biggest funder, by quarter: "
            f"{words.listed(t['quarter'], _biggest(t))}."
        ),
        draw=lambda t, d: charts.concentration(t, warn_share, f.description),
        people=False,
    )


def _biggest(shares: pd.DataFrame) -> list[str]:
    """'45% (Dudley Council)' for each quarter."""
    return [
        f"{words.share(s)} ({funder})"
        for s, funder in zip(shares["largest_share"], shares["largest_funder"], strict=True)
    ]


def volunteer_hours(f: Filters) -> Exhibit:
    return Exhibit(
        "Volunteer hours",
        f,
        volunteering.by_month,
        (f,),
        describe=lambda t: (
            f"Stacked bars of volunteer hours each month by activity; {t['hours'].sum():,.0f} hours in all."
        ),
        draw=lambda t, d: hours_by_month(t, f.description, volunteering.filter_note(f)),
        citation=volunteering.NLW_SOURCE,
        people=False,
    )


def grant_timeline(f: Filters, today: dt.date) -> Exhibit:
    return Exhibit(
        "Grant timeline",
        f,
        funding.timeline,
        (f,),
        describe=lambda t: f"Timeline of {len(t)} secured and applied-for funding lines from start to end date.",
        draw=lambda t, d: charts.grant_timeline(t, f.period.end, today),
        people=False,
    )


def ending_within(f: Filters, months: int) -> Exhibit:
    """The secured lines ending in the ``months`` after the period, as a table."""
    return Exhibit(
        f"Funding ending within {months} months",
        f,
        funding.cliff,
        (f, months),
        part="lines",
        shape=lambda lines: lines.assign(
            end_date=lines["end_date"].map(lambda d: f"{d:%-d %b %Y}"),
            amount=lines["amount"].map(words.money),
            annual_value=lines["annual_value"].map(words.money),
        ).rename(columns={"end_date": "ends", "annual_value": "a year"}),
        people=False,
    )


def secured_against_needed(f: Filters) -> Exhibit:
    return Exhibit(
        "Secured against needed",
        f,
        funding.secured_against_needed,
        (f,),
        describe=lambda t: (
            f"Bars of secured income against a line of expected spending for the eight quarters after "
            f"{f.period.end:%-d %b %Y}: " + " ".join(year_total(r) for r in funding.yearly_totals(t).itertuples())
        ),
        draw=lambda t, d: charts.secured_against_needed(t, funding.yearly_totals(t)),
        people=False,
    )


def free_reserves(f: Filters, policy: tuple[float, float]) -> Exhibit:
    return Exhibit(
        "Free reserves",
        f,
        funding.reserves_over_time,
        (policy,),
        describe=lambda t: (
            "Line of free reserves at each recorded date against the reserves policy band; latest "
            f"{words.money(t['free_reserves'].iloc[-1] if len(t) else None)}."
        ),
        draw=lambda t, d: charts.reserves(t, policy),
        people=False,
    )


def value_for_money(f: Filters, measure: str | None) -> Exhibit:
    """Cost per person reached and per improvement on ``measure``, for everything and for each activity."""

    def shaped(costs: pd.DataFrame) -> pd.DataFrame:
        table = {
            "activity": costs["activity"],
            "expenditure": costs["expenditure"].map(words.money),
            "people reached": costs["reached label"],
            "cost per person": costs["cost_per_participant"].map(words.money),
        }
        if measure:
            table[f"improved ({measure})"] = costs[f"improved {measure} label"]
            table["cost per improvement"] = costs[f"cost per improvement {measure}"].map(words.money)
        return pd.DataFrame(table)

    return Exhibit("Value for money", f, funding.costs, (f,), shape=shaped)
