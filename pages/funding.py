"""Funding: where the money comes from, when it stops, whether the service is covered, and what an outcome costs."""

import datetime as dt

import streamlit as st

from pipelines import funding, metrics
from ui import charts, show
from ui.data import metric
from ui.sidebar import current_filters, period_note, threshold

f = current_filters()
limit = threshold()
note = period_note(f)
today = dt.date.today()

st.title("Funding")
st.caption(f"{note}. Forecasts run from today, {today:%-d %B %Y}.")
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

reserves = metric(funding.reserves_over_time, policy)
runway = metric(metrics.runway_months, f)
covered = funding.within_policy(runway, policy)
ending = metric(funding.cliff, f, today, 12)
cols = st.columns(4)
cols[0].metric("Income in the period", show.money(metric(metrics.income, f)), border=True)
cols[1].metric(
    "Reserves runway",
    show.months(runway),
    None if covered is None else f"{'within' if covered else 'outside'} policy ({policy[0]:g}–{policy[1]:g} months)",
    delta_color="off" if covered is not False else "inverse",
    delta_arrow="off",
    help="Latest free reserves on or before the period's end ÷ average monthly spending over the 12 months to it.",
    border=True,
)
cols[2].metric(
    "Yearly income ending soon",
    show.money(ending["annual_value"]),
    f"{len(ending['lines'])} line(s) end within a year",
    delta_color="off",
    delta_arrow="off",
    help="The yearly value of secured grants and contracts that end in the next 12 months.",
    border=True,
)
largest = metric(funding.dependence, f, warn_at)
cols[3].metric(
    "Largest funder's share",
    show.share(largest["share"]),
    largest["funder"],
    delta_color="off",
    delta_arrow="off",
    border=True,
)
if largest["over_limit"]:
    st.warning(
        f"{largest['funder']} gave {largest['share']:.0%} of income in this period, more than {warn_at:.0%}. "
        "Losing it would put the service at risk.",
        icon=":material/warning:",
    )

income, timeline, ahead, reserve, value = st.tabs(
    ["Income", "Grants and the cliff", "Secured against needed", "Reserves", "Value"]
)
with income:
    split = st.radio("Split income by", list(funding.SPLITS), format_func=funding.SPLITS.get, horizontal=True)
    st.altair_chart(
        charts.income_stacked(metric(funding.income_by_quarter, f, split), funding.SPLITS[split], note), width="stretch"
    )
    st.altair_chart(charts.concentration(metric(funding.concentration_by_quarter, f), warn_at, note), width="stretch")

with timeline:
    lines = metric(funding.timeline, f)
    if lines.empty:
        st.info("No funding lines have been loaded. Upload a funding sheet, or your funders' 360Giving files.")
    else:
        st.altair_chart(charts.grant_timeline(lines, today), width="stretch")
    for months in (6, 12):
        found = metric(funding.cliff, f, today, months)
        st.markdown(
            f"**Ending in the next {months} months:** {len(found['lines'])} secured line(s), "
            f"{show.money(found['annual_value'])} a year of income."
        )
        if not found["lines"].empty:
            table = found["lines"].assign(
                end_date=found["lines"]["end_date"].map(lambda d: f"{d:%-d %b %Y}"),
                amount=found["lines"]["amount"].map(show.money),
                annual_value=found["lines"]["annual_value"].map(show.money),
            )
            st.dataframe(
                table.rename(columns={"end_date": "ends", "annual_value": "a year"}), hide_index=True, width="stretch"
            )

with ahead:
    st.altair_chart(charts.secured_against_needed(metric(funding.secured_against_needed, f, today)), width="stretch")
    st.caption("Applied-for funding is never counted as secured.")

with reserve:
    st.altair_chart(charts.reserves(reserves, policy), width="stretch")
    st.caption(
        "Free reserves are unrestricted funds freely available (Charity Commission CC19). Runway is shown once "
        "12 months of spending have been recorded."
    )

with value:
    table = metric(funding.value_for_money, f)
    measures = [c.removeprefix("cost per improvement ") for c in table.columns if c.startswith("cost per improvement ")]
    measure = (
        st.selectbox(
            "Improvement on",
            measures,
            index=measures.index(metric(metrics.main_measure)) if metric(metrics.main_measure) in measures else 0,
        )
        if measures
        else None
    )
    st.dataframe(show.value_table(table, measure, limit), hide_index=True, width="stretch")
    st.caption(funding.VALUE_CAVEAT)
