"""Funding: where the money comes from, when it stops, whether the service is covered, and what an outcome costs."""

import datetime as dt

import pandas as pd
import streamlit as st

from pipelines import charts, funding, metrics
from ui import figures, show
from ui.data import cached
from ui.figures import fact
from ui.sidebar import page_header

today = dt.date.today()
f, note = page_header("Funding", f"Forecasts run from today, {today:%-d %B %Y}.")
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

runway = cached(metrics.runway_months, f)
covered = funding.within_policy(runway, policy)
ending = cached(funding.cliff, f, today, 12)
cols = st.columns(4)
cols[0].metric("Income in the period", show.money(cached(metrics.income, f)), border=True)
cols[1].metric(
    "Reserves runway",
    show.months(runway),
    None if covered is None else f"{'within' if covered else 'outside'} policy ({policy[0]:g}–{policy[1]:g} months)",
    delta_color="off" if covered is not False else "inverse",
    delta_arrow="off",
    help="Latest free reserves on or before the period's end ÷ average monthly spending over the 12 months to it.",
    border=True,
)
fact(
    cols[2],
    "Yearly income ending soon",
    show.money(ending["annual_value"]),
    f"{len(ending['lines'])} line(s) end within a year",
    help="The yearly value of secured grants and contracts that end in the next 12 months.",
)
largest = cached(funding.dependence, f, warn_at)
dependence_words = f"over the period {largest['funder'] or 'no funder'} gave {show.share(largest['share'])}"
fact(cols[3], "Largest funder's share", show.share(largest["share"]), largest["funder"])
if largest["over_warn_share"]:
    st.warning(
        f"{largest['funder']} gave {largest['share']:.0%} of income in this period, more than {warn_at:.0%}. "
        "Losing it would put the service at risk.",
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
        lambda t, d: charts.income_stacked(t, funding.SPLITS[split], note),
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
        description=f"Lines of the largest funder's share of income by quarter; {dependence_words}.",
    )

with timeline:
    if lines := len(cached(funding.timeline, f)):
        figures.chart(
            "Grant timeline",
            f.period,
            lambda d: cached(funding.timeline, f),
            lambda t, d: charts.grant_timeline(t, today),
            description=f"Timeline of {lines} secured and applied-for funding lines from start to end date.",
        )
    else:
        st.info("No funding lines have been loaded. Upload a funding sheet, or your funders' 360Giving files.")
    for months in (6, 12):
        found = cached(funding.cliff, f, today, months)
        st.markdown(
            f"**Ending in the next {months} months:** {len(found['lines'])} secured line(s), "
            f"{show.money(found['annual_value'])} a year of income."
        )
        if not found["lines"].empty:
            figures.table(
                f"Funding ending within {months} months",
                f.period,
                lambda d, months=months: cached(funding.cliff, f, today, months)["lines"],
                money_table,
            )

with ahead:
    figures.chart(
        "Secured against needed",
        f.period,
        lambda d: cached(funding.secured_against_needed, f, today),
        lambda t, d: charts.secured_against_needed(t),
        description=lambda t: (
            "Bars of secured income against a line of expected spending for the next eight quarters; "
            f"{show.money(t['gap'].sum())} still to find."
        ),
    )
    st.caption("Applied-for funding is never counted as secured.")

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
