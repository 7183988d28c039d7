"""Funding: where the money comes from, when it stops, whether the service is covered, and what an outcome costs."""

import datetime as dt

import streamlit as st

from pipelines import funding, inventory, published, settings, social_value, volunteering, words
from pipelines.exhibits import funding as shown
from ui import figures, sections
from ui.data import cached, cursor
from ui.figures import fact
from ui.sidebar import current_filters, page_header

today = dt.date.today()
end = current_filters().period.end
f = page_header("Funding", f"Forecasts run from the end of the chosen period, {end:%-d %B %Y}, not from today's date.")
figures.publish(published.kept_site, f)
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

year = cached(funding.secured_next_year, f)
runway = cached(funding.runway_months, f)
covered = funding.within_policy(runway, policy)
ending = cached(funding.cliff, f, 12)
largest = cached(funding.dependence, f, warn_at)
paid_by = cached(funding.funders_in_words, f)
given = cached(volunteering.totals, f)
spent = cached(funding.expenditure, f)
assumptions = settings.social_value_assumptions(cursor())  # read each run: an administrator may just have set them
worth, worth_said = cached(social_value.headline, f, assumptions, spent, figures.screen())


def in_short() -> list[str]:
    """The page's figures in plain words, for someone who reads no charts."""
    lines = [
        f"**{year.sentence}** Secured means promised in a signed grant or contract"
        + (f"; bids still awaiting a decision ({words.money(year.applied)}) are not counted." if year.applied else ".")
    ]
    if runway is not None:
        lines.append(
            f"**Reserves:** the free reserves held at {end:%-d %B %Y} would pay for {words.months(runway)} of spending "
            f"if no other money came in (the policy is {policy[0]:g} to {policy[1]:g} months)."
        )
    lines.append(
        f"**Ending soon:** {words.money(ending['annual_value'])} a year of secured income ends in the 12 months after "
        f"{end:%-d %B %Y} ({words.counted(len(ending['lines']), 'grant or contract', 'grants or contracts')})."
    )
    if largest["funder"]:
        lines.append(
            f"**Biggest funder:** {largest['funder']} gave {words.share(largest['share'])} of the whole charity's "
            "income in the period."
        )
    if paid_by:
        lines.append(f"**Who pays for this work:** {paid_by}")
    lines.append(f"**Social value:** {worth_said}")
    return lines


st.markdown("\n".join(f"- {line}" for line in in_short()))
cols = [*st.columns(3), *st.columns(3)]
fact(
    cols[0],
    year.heading,
    words.money(year.secured),
    None if year.needed is None else f"of {words.money(year.needed)} needed; gap {words.money(year.gap)}",
    help=f"{year.period.dates}: income secured for the financial year after the chosen period, against the spending "
    f"expected in it ({year.basis or 'none recorded'}). Applied-for funding is not counted.",
)
cols[1].metric("Income in the period", words.money(cached(funding.income, f)), border=True)
cols[2].metric(
    "Reserves runway",
    words.months(runway),
    None if covered is None else f"{'within' if covered else 'outside'} policy ({policy[0]:g}–{policy[1]:g} months)",
    delta_color="off" if covered is not False else "inverse",
    delta_arrow="off",
    help="Latest free reserves on or before the period's end ÷ average monthly spending over the 12 months to it.",
    border=True,
)
fact(
    cols[3],
    "Yearly income ending soon",
    words.money(ending["annual_value"]),
    f"{words.counted(len(ending['lines']), 'line')} {'ends' if len(ending['lines']) == 1 else 'end'} within a year",
    help="The yearly value of secured grants and contracts that end in the 12 months after the chosen period.",
)
fact(
    cols[4],
    "Share from the biggest funder",
    words.share(largest["share"]),
    largest["funder"],
    help="Of the whole charity's income in the period, whichever activities are chosen.",
)
fact(
    cols[5],
    "Volunteer time, in kind",
    words.money(given["value"] if given["months"] else None),
    f"{given['hours']:,.0f} hours" if given["months"] else "none recorded",
    help=f"Hours given by volunteers in the period, valued at {given['rate']}. Not counted in income.",
)
if largest["over_warn_share"]:
    st.warning(
        f"{largest['funder']} gave {largest['share']:.0%} of the charity's income in this period, more than "
        f"{warn_at:.0%}. Losing it would put the service at risk.",
        icon=":material/warning:",
    )


section = sections.chosen(
    ["Income", "Grants and the cliff", "Secured against needed", "Reserves", "Value"], "funding-section"
)
if section == "Income":
    split = st.radio("Split income by", list(funding.SPLITS), format_func=funding.SPLITS.get, horizontal=True)
    figures.show(shown.income_by(f, split))
    figures.show(shown.dependence(f, warn_at))
    st.subheader("Volunteer time: in-kind support")
    st.markdown("\n".join(f"- {line}" for line in cached(volunteering.in_words, f, figures.screen())))
    if given["months"]:
        figures.show(shown.volunteer_hours(f))

if section == "Grants and the cliff":
    if cached(funding.timeline, f).empty:
        st.info("No funding lines have been loaded. Upload a funding sheet, or your funders' 360Giving files.")
    else:
        figures.show(shown.grant_timeline(f, today))
    for months in (6, 12):
        found = cached(funding.cliff, f, months)
        st.markdown(
            f"**Ending in the {months} months after {end:%-d %B %Y}:** {words.counted(len(found['lines']), 'secured line')}, "
            f"{words.money(found['annual_value'])} a year of income."
        )
        if not found["lines"].empty:
            figures.show(shown.ending_within(f, months))

if section == "Secured against needed":
    figures.show(shown.secured_against_needed(f))
    st.caption(
        f"The quarters start after the chosen period ends ({end:%-d %B %Y}), not at today's date. Expected spending "
        "is the spending recorded for a quarter (a budget) where there is some, otherwise the average of the 12 "
        "months to the period's end. Applied-for funding is never counted as secured."
    )

if section == "Reserves":
    figures.show(shown.free_reserves(f, policy))
    st.caption(
        "Free reserves are unrestricted funds freely available (Charity Commission CC19). Runway is shown once "
        "12 months of spending have been recorded."
    )

if section == "Value":
    main = cached(inventory.main_measure)
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
    figures.show(shown.value_for_money(f, measure))
    st.caption(funding.VALUE_CAVEAT)
    st.subheader("Social value in WELLBYs")
    per_person = cached(funding.cost_per_person, f, figures.screen())
    value_cols = st.columns(3)
    fact(value_cols[0], "Cost per person reached", words.money(per_person), help="Spending ÷ people reached.")
    improvement = cached(funding.costs, f, figures.screen())
    per_improvement = improvement[f"cost per improvement {measure}"].iloc[0] if measure else None
    fact(
        value_cols[1],
        f"Cost per improvement on {measure}" if measure else "Cost per improvement",
        words.money(per_improvement),
        help="Spending ÷ people whose latest questionnaire showed a reliable improvement.",
    )
    fact(
        value_cols[2],
        "Social value per £1 spent",
        social_value.pounds(worth.per_pound(worth.value) if worth else None),
        None
        if worth is None or worth.per_pound(worth.value) is None
        else f"{social_value.pounds(worth.per_pound(worth.value_low))} to "
        f"{social_value.pounds(worth.per_pound(worth.value_high))}, {assumptions.prices}",
        help="The WELLBYs of the rise in ONS4 life satisfaction, valued as HM Treasury's guidance does, ÷ spending.",
    )
    st.markdown(worth_said)
    if where := cached(social_value.recorded_in, f):
        st.info(where, icon=":material/filter_alt:")
    st.caption(
        f"{social_value.METHOD} Here: {assumptions.in_words}, in {assumptions.prices}. An administrator sets these in "
        "Settings."
    )
