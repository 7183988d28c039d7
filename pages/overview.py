"""Overview: the three questions answered in words, then the headline figures against the period before, and the
trend by quarter."""

import streamlit as st

from pipelines import charts, metrics, outcomes, overview, reach, verdict
from pipelines.measures import MEASURES
from pipelines.periods import trailing_quarters
from ui import figures, show
from ui.data import cached
from ui.sidebar import current_filters, page_header, period_note

before = current_filters().period.previous()
f, _ = page_header("Overview", f"Changes are against the previous period ({before.label}).")
safe = figures.screen()
measure = cached(metrics.main_measure)
if cached(metrics.data_range) is None:
    st.info(
        "No sessions or questionnaires are loaded yet, so there is nothing to say about reach or wellbeing. "
        "Upload your spreadsheets on the Upload data page.",
        icon=":material/upload_file:",
    )

answers = (
    [cached(verdict.does_it_work, f, measure, safe), cached(verdict.for_whom, f, measure, safe)] if measure else []
)
answers.append(cached(verdict.will_it_be_funded, f))
for column, answer in zip(st.columns(len(answers)), answers, strict=True):
    figures.answer(column, answer)


def compared_metric(
    column, label: str, figure: overview.Compared, value: str, kind: str = "count", colour: str = "normal"
) -> None:
    """A figure with its change from the previous period, coloured only when the change is beyond noise."""
    change = show.change(figure.value, figure.before, kind)
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
        show.signed(result["mean_change"]),
        f"95% CI {ci[0]:+.1f} to {ci[1]:+.1f}; {better}" if ci else better,
    )
    compared_metric(cols[2], "Improved reliably", improved, show.share(improved.value), "share")
    compared_metric(cols[3], "Follow-up rate", rate, show.share(rate.value), "share")
    for warning in result["warnings"]:
        st.warning(warning, icon=":material/warning:")

st.subheader("Money")
money = cached(overview.money, f, safe)
year = cached(metrics.secured_next_year, f)
cols = st.columns(4)
compared_metric(cols[0], "Income in the period", money["income"], show.money(money["income"].value), "money")
figures.fact(
    cols[1],
    year.heading,
    show.money(year.secured),
    year.dates if year.needed is None else f"of {show.money(year.needed)} expected spending; {year.dates}",
)
compared_metric(cols[2], "Reserves runway", money["runway"], show.months(money["runway"].value), "decimal")
cost = money["cost_per_person"]
compared_metric(cols[3], "Cost per person reached", cost, show.money(cost.value), "money", colour="inverse")

st.subheader("Trend")
first_day = (cached(metrics.data_range) or (f.period.start,))[0]
trend = f.with_period(trailing_quarters(f.period, first_day))
trend_note = period_note(trend)
left, right = st.columns(2)
with left:
    figures.chart(
        "People reached by quarter",
        trend.period,
        lambda d: cached(reach.quarterly, trend, d),
        lambda t, d: charts.reach_over_quarters(t, trend_note, figures.hidden_note(t, d)),
        description=lambda t: (
            f"Stacked bars of the people reached in each quarter, new and returning; in {t['quarter'].iloc[-1]}, "
            f"{t['reached_label'].iloc[-1]} people."
        ),
    )
if measure:
    with right:
        figures.chart(
            f"{measure} change by quarter",
            trend.period,
            lambda d: cached(outcomes.by_quarter, trend, measure, d),
            lambda t, d: charts.change_over_quarters(t, measure, trend_note, figures.hidden_note(t, d)),
            description=lambda t: (
                f"Dots with 95% confidence intervals: the mean change in {measure} of the people followed up in each "
                f"quarter; in {t['quarter'].iloc[-1]}, {show.number(t['mean_change'].iloc[-1])} points "
                f"for {t['label'].iloc[-1]} people."
            ),
            citation=MEASURES[measure].citation,
        )

with st.expander("How these figures are worked out"):
    st.markdown(
        """
- **People reached**: different people with at least one attended session in the period. **New**: reached for the first time ever in this period.
- **People with two scores**: people whose latest questionnaire after their first one falls in the period. **Mean change** is latest minus first, with a 95% confidence interval (paired t). **Improved reliably**: a change of at least the measure's threshold (3 points for WEMWBS and SWEMWBS, 6 for CORE-10).
- **Follow-up rate**: of the people reached who had a first questionnaire, the share with a second one in the period.
- **Income**: each secured grant or contract spread evenly by day over its dates. **Runway**: latest free reserves ÷ average monthly spending over the last 12 months.
- **Secured for the next financial year**: the first financial year that starts after the chosen period ends, so the forecast runs from the period's end, not from today. Expected spending is the budget where one is recorded, otherwise the last 12 months' rate. "Will it still be funded?" is marked good when secured income covers all of it, and a concern below half.
- **Colours**: a change against the previous period is green or red only when it is beyond chance; otherwise it is grey. Counts are compared as two Poisson counts, shares (improved, follow-up rate) with a two-proportion z-test, both at the 5% level. Income and reserves are records, not samples, so any change in them is coloured; cost per person is coloured only when the change in people reached is beyond chance. The first period with data shows no change.
- **For whom**: a group stands out when the 95% confidence interval of its mean change leaves out everyone's mean. With many groups compared, one may stand out by chance now and then, so read it as a pointer to look closer.
- Counts of fewer than 8 people are shown as "<8" so no one can be identified (threshold in Display settings), and no change against the previous period is given where either count is hidden.
"""
    )
