"""Overview: the three questions answered in words, then the headline figures against the period before, and the
trend by quarter."""

import datetime as dt

import streamlit as st

from pipelines import funding, inventory, outcomes, overview, published, verdict, words
from pipelines.disclosure import MIN_COUNT
from pipelines.exhibits import outcomes as outcome_charts
from pipelines.exhibits import reach as reach_charts
from pipelines.measures import MEASURES
from pipelines.periods import trailing_quarters
from ui import figures
from ui.data import cached
from ui.sidebar import current_filters, page_header

before = current_filters().period.previous()
f = page_header("Overview", f"Changes are against the previous period ({before.label}).")
first_day = (cached(inventory.data_range) or (f.period.start,))[0]
figures.publish(published.kept_site, f)
safe = figures.screen()
measure = cached(inventory.main_measure)
if cached(inventory.data_range) is None:
    st.info(
        "No sessions or questionnaires are loaded yet, so there is nothing to say about reach or wellbeing. "
        "Upload your spreadsheets on the Upload data page.",
        icon=":material/upload_file:",
    )

if note := cached(overview.coverage_note, f):
    st.info(note, icon=":material/date_range:")

answers = (
    [cached(verdict.does_it_work, f, measure, safe), cached(verdict.for_whom, f, measure, safe)] if measure else []
)
answers.append(cached(verdict.will_it_be_funded, f, dt.date.today()))
for column, answer in zip(st.columns(len(answers)), answers, strict=True):
    figures.answer(column, answer)


def compared_metric(
    column, label: str, figure: overview.Compared, value: str, kind: str = "count", colour: str = "normal"
) -> None:
    """A figure with its change from the previous period, coloured only when the change is beyond noise."""
    change = words.change(figure.value, figure.before, kind)
    column.metric(label, value, change, delta_color=colour if figure.clear else "off", border=True)


st.subheader("Reach")
found = cached(overview.reach, f, safe)
for column, (key, label) in zip(st.columns(4), overview.REACH.items(), strict=True):
    compared_metric(column, label, found[key], found[key].label)

if measure:
    m = MEASURES[measure]
    st.subheader(f"Wellbeing: {m.full_name}")
    result = cached(outcomes.headline, f, measure, safe)
    compared = cached(overview.wellbeing, f, measure, safe)
    pairs, improved, rate = compared["pairs"], compared["improved"], compared["followup_rate"]
    ci = result["ci95"]
    better = "higher is better" if m.higher_better else "lower is better"
    cols = st.columns(4)
    compared_metric(cols[0], "People with two scores", pairs, pairs.label)
    figures.fact(
        cols[1],
        "Mean change (points)",
        words.signed(result["mean_change"]),
        f"likely range {ci[0]:+.1f} to {ci[1]:+.1f}; {better}" if ci else better,
    )
    compared_metric(cols[2], "Improved reliably", improved, words.share(improved.value), "share")
    compared_metric(cols[3], "Follow-up rate", rate, words.share(rate.value), "share")
    for warning in result["warnings"]:
        st.warning(warning, icon=":material/warning:")

st.subheader("Money")
money = cached(overview.money, f, safe)
year = cached(funding.secured_next_year, f)
dates = year.period.dates
cols = st.columns(4)
compared_metric(cols[0], "Income in the period", money["income"], words.money(money["income"].value), "money")
figures.fact(
    cols[1],
    year.heading,
    words.money(year.secured),
    dates if year.needed is None else f"of {words.money(year.needed)} expected spending; {dates}",
)
compared_metric(cols[2], "Reserves runway", money["runway"], words.months(money["runway"].value), "decimal")
cost = money["cost_per_person"]
compared_metric(cols[3], "Cost per person reached", cost, words.money(cost.value), "money", colour="inverse")

st.subheader("Trend")
trend = f.with_period(trailing_quarters(f.period, first_day))
left, right = st.columns(2)
with left:
    figures.show(reach_charts.reached_by_quarter(trend))
if measure:
    with right:
        figures.show(outcome_charts.change_by_quarter(trend, measure))

with st.expander("How these figures are worked out"):
    st.markdown(
        f"""
- **People reached**: different people with at least one attended session in the period. **New**: reached for the first time ever in this period.
- **People with two scores**: people whose latest questionnaire after their first one falls in the period. **Mean change** is latest minus first, with its likely range: the 95% confidence interval (paired t), within which the true average change for people like these probably lies; when every person changed by the same amount there is no range, and no judgement against chance. **Improved reliably**: a change of at least the measure's threshold ({outcomes.reliable_change_in_words()}).
- **Follow-up rate**: of the people reached who had a first questionnaire, the share with a second one in the period.
- **Income**: each secured grant or contract spread evenly by day over its dates. **Runway**: latest free reserves ÷ average monthly spending over the last 12 months.
- **Secured for the next financial year**: the first financial year that starts after the chosen period ends, so the forecast runs from the period's end, not from today. Expected spending is the budget where one is recorded, otherwise the last 12 months' rate. "Will it still be funded?" is marked good when secured income covers all of it, and a concern below half.
- **Colours**: a change against the previous period is green or red only when it is beyond chance; otherwise it is grey. Counts are compared as two Poisson counts with the exact conditional test, shares (improved, follow-up rate) with Fisher's exact test when a group is small and a two-proportion z-test otherwise, all at the 5% level. Income and reserves are records, not samples, so any change in them is coloured; cost per person is coloured only when the change in people reached is beyond chance. The first period with data shows no change.
- **For whom**: a group stands out when the likely range of its mean change leaves out everyone's mean. With many groups compared, one may stand out by chance now and then, so read it as a pointer to look closer.
- Counts of fewer than {MIN_COUNT} people are shown as "<{MIN_COUNT}" so no one can be identified (threshold in Display settings), and no change against the previous period is given where either count is hidden.
"""
    )
