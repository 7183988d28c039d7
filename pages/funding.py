"""Funding: where the money comes from, when it stops, whether the service is covered, and what an outcome costs."""

import datetime as dt

import pandas as pd
import streamlit as st

from pipelines import charts, funding, metrics, volunteering
from pipelines.charts.volunteering import hours_by_month
from ui import figures, show
from ui.data import cached
from ui.figures import fact
from ui.sidebar import current_filters, page_header

today = dt.date.today()
end = current_filters().period.end
f, note = page_header(
    "Funding", f"Forecasts run from the end of the chosen period, {end:%-d %B %Y}, not from today's date."
)
with st.expander("Settings for this page"):
    left, middle, right = st.columns(3)
    warn_at = (
        left.slider(
            "Warn when one funder gives more than", 10, 90, int(funding.DEPENDENCE_WARNING * 100), 5, format="%d%%"
        )
        / 100
    )
    policy = (
        middle.number_input("Reserves policy: at least (months)", 0.0, 24.0, funding.RESERVES_POLICY[0], 0.5),
        right.number_input("Reserves policy: at most (months)", 0.0, 36.0, funding.RESERVES_POLICY[1], 0.5),
    )

year = cached(metrics.secured_next_year, f)
runway = cached(metrics.runway_months, f)
covered = funding.within_policy(runway, policy)
ending = cached(funding.cliff, f, 12)
largest = cached(funding.dependence, f, warn_at)
paid_by = cached(funding.funders_in_words, f)
given = cached(volunteering.totals, f)


def in_short() -> list[str]:
    """The page's figures in plain words, for someone who reads no charts."""
    lines = [
        f"**{year.sentence}** Secured means promised in a signed grant or contract"
        + (f"; bids still awaiting a decision ({show.money(year.applied)}) are not counted." if year.applied else ".")
    ]
    if runway is not None:
        lines.append(
            f"**Reserves:** the free reserves held at {end:%-d %B %Y} would pay for {show.months(runway)} of spending "
            f"if no other money came in (the policy is {policy[0]:g} to {policy[1]:g} months)."
        )
    lines.append(
        f"**Ending soon:** {show.money(ending['annual_value'])} a year of secured income ends in the 12 months after "
        f"{end:%-d %B %Y} ({len(ending['lines'])} grant(s) or contract(s))."
    )
    if largest["funder"]:
        lines.append(
            f"**Biggest funder:** {largest['funder']} gave {show.share(largest['share'])} of the whole charity's "
            "income in the period."
        )
    if paid_by:
        lines.append(f"**Who pays for this work:** {paid_by}")
    return lines


st.markdown("\n".join(f"- {line}" for line in in_short()))
cols = [*st.columns(3), *st.columns(3)]
fact(
    cols[0],
    year.heading,
    show.money(year.secured),
    None if year.needed is None else f"of {show.money(year.needed)} needed; gap {show.money(year.gap)}",
    help=f"{year.dates}: income secured for the financial year after the chosen period, against the spending "
    f"expected in it ({year.basis or 'none recorded'}). Applied-for funding is not counted.",
)
cols[1].metric("Income in the period", show.money(cached(metrics.income, f)), border=True)
cols[2].metric(
    "Reserves runway",
    show.months(runway),
    None if covered is None else f"{'within' if covered else 'outside'} policy ({policy[0]:g}–{policy[1]:g} months)",
    delta_color="off" if covered is not False else "inverse",
    delta_arrow="off",
    help="Latest free reserves on or before the period's end ÷ average monthly spending over the 12 months to it.",
    border=True,
)
fact(
    cols[3],
    "Yearly income ending soon",
    show.money(ending["annual_value"]),
    f"{len(ending['lines'])} line(s) end within a year",
    help="The yearly value of secured grants and contracts that end in the 12 months after the chosen period.",
)
fact(
    cols[4],
    "Share from the biggest funder",
    show.share(largest["share"]),
    largest["funder"],
    help="Of the whole charity's income in the period, whichever activities are chosen.",
)
fact(
    cols[5],
    "Volunteer time, in kind",
    show.money(given["value"]) if given["months"] else "–",
    f"{given['hours']:,.0f} hours" if given["months"] else "none recorded",
    help=f"Hours given by volunteers in the period, valued at {given['rate']}. Not counted in income.",
)
if largest["over_warn_share"]:
    st.warning(
        f"{largest['funder']} gave {largest['share']:.0%} of the charity's income in this period, more than "
        f"{warn_at:.0%}. Losing it would put the service at risk.",
        icon=":material/warning:",
    )


def money_table(lines: pd.DataFrame) -> pd.DataFrame:
    """Funding lines as read: dates written out, amounts in pounds."""
    return lines.assign(
        end_date=lines["end_date"].map(lambda d: f"{d:%-d %b %Y}"),
        amount=lines["amount"].map(show.money),
        annual_value=lines["annual_value"].map(show.money),
    ).rename(columns={"end_date": "ends", "annual_value": "a year"})


income, timeline, ahead, reserve, value = st.tabs(
    ["Income", "Grants and the cliff", "Secured against needed", "Reserves", "Value"]
)
with income:
    split = st.radio("Split income by", list(funding.SPLITS), format_func=funding.SPLITS.get, horizontal=True)
    figures.chart(
        f"Income by {funding.SPLITS[split]}",
        f.period,
        lambda d: cached(funding.income_by_quarter, f, split),
        lambda t, d: charts.income_stacked(
            t, funding.SPLITS[split], note, cached(funding.funder_order) if split == "funder" else None
        ),
        description=lambda t: (
            f"Stacked bars of secured income in each quarter by {funding.SPLITS[split]}; "
            f"{show.money(t['income'].sum())} in all."
        ),
    )
    figures.chart(
        "Dependence on one funder",
        f.period,
        lambda d: cached(funding.concentration_by_quarter, f),
        lambda t, d: charts.concentration(t, warn_at, note),
        description=(
            "Bars of the share of the whole charity's income from its biggest funder, by quarter; over the period "
            f"{largest['funder'] or 'no funder'} gave {show.share(largest['share'])}."
        ),
    )
    st.subheader("Volunteer time: in-kind support")
    st.markdown("\n".join(f"- {line}" for line in cached(volunteering.in_words, f, figures.screen())))
    if given["months"]:
        figures.chart(
            "Volunteer hours",
            f.period,
            lambda d: cached(volunteering.by_month, f),
            lambda t, d: hours_by_month(t, note, volunteering.filter_note(f)),
            description=lambda t: (
                f"Stacked bars of volunteer hours each month by activity; {t['hours'].sum():,.0f} hours in all."
            ),
        )

with timeline:
    if lines := len(cached(funding.timeline, f)):
        figures.chart(
            "Grant timeline",
            f.period,
            lambda d: cached(funding.timeline, f),
            lambda t, d: charts.grant_timeline(t, f.period.end, today),
            description=f"Timeline of {lines} secured and applied-for funding lines from start to end date.",
        )
    else:
        st.info("No funding lines have been loaded. Upload a funding sheet, or your funders' 360Giving files.")
    for months in (6, 12):
        found = cached(funding.cliff, f, months)
        st.markdown(
            f"**Ending in the {months} months after {end:%-d %B %Y}:** {len(found['lines'])} secured line(s), "
            f"{show.money(found['annual_value'])} a year of income."
        )
        if not found["lines"].empty:
            figures.table(
                f"Funding ending within {months} months",
                f.period,
                lambda d, months=months: cached(funding.cliff, f, months)["lines"],
                money_table,
            )

with ahead:
    figures.chart(
        "Secured against needed",
        f.period,
        lambda d: cached(funding.secured_against_needed, f),
        lambda t, d: charts.secured_against_needed(t, funding.yearly_totals(t)),
        description=lambda t: (
            f"Bars of secured income against a line of expected spending for the eight quarters after {end:%-d %B %Y}; "
            f"{year.sentence}"
        ),
    )
    st.caption(
        f"The quarters start after the chosen period ends ({end:%-d %B %Y}), not at today's date. Expected spending "
        "is the spending recorded for a quarter (a budget) where there is some, otherwise the average of the 12 "
        "months to the period's end. Applied-for funding is never counted as secured."
    )

with reserve:
    figures.chart(
        "Free reserves",
        f.period,
        lambda d: cached(funding.reserves_over_time, policy),
        lambda t, d: charts.reserves(t, policy),
        description=lambda t: (
            "Line of free reserves at each recorded date against the reserves policy band; latest "
            f"{show.money(t['free_reserves'].iloc[-1] if len(t) else None)}."
        ),
    )
    st.caption(
        "Free reserves are unrestricted funds freely available (Charity Commission CC19). Runway is shown once "
        "12 months of spending have been recorded."
    )

with value:
    main = cached(metrics.main_measure)
    measures = [
        c.removeprefix("cost per improvement ")
        for c in cached(funding.costs, f, figures.screen()).columns
        if c.startswith("cost per improvement ")
    ]
    measure = (
        st.selectbox("Improvement on", measures, index=measures.index(main) if main in measures else 0)
        if measures
        else None
    )

    def value_table(costs: pd.DataFrame) -> pd.DataFrame:
        """Cost per person and per improvement on the chosen measure, as read."""
        table = {
            "activity": costs["activity"],
            "expenditure": costs["expenditure"].map(show.money),
            "people reached": costs["reached label"],
            "cost per person": costs["cost_per_participant"].map(show.money),
        }
        if measure:
            table[f"improved ({measure})"] = costs[f"improved {measure} label"]
            table["cost per improvement"] = costs[f"cost per improvement {measure}"].map(show.money)
        return pd.DataFrame(table)

    figures.table("Value for money", f.period, lambda d: cached(funding.costs, f, d), value_table)
    st.caption(funding.VALUE_CAVEAT)
