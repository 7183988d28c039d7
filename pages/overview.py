"""Overview: the headline figures for the period, each against the period before, and the trend by quarter."""

import streamlit as st

from pipelines import metrics, outcomes
from pipelines.periods import trailing_quarters
from ui import charts, show
from ui.data import metric
from ui.sidebar import current_filters, period_note, threshold

f = current_filters()
before = f.with_period(f.period.previous())
limit = threshold()
note = period_note(f)

st.title("Overview")
st.caption(f"{note}. Changes are against the previous period ({before.period.label}).")

st.subheader("Reach")
now, then = metric(metrics.reach, f), metric(metrics.reach, before)
for column, key, label in zip(
    st.columns(4),
    ("reached", "new", "attendances", "sessions_delivered"),
    ("People reached", "New to the service", "Attendances", "Sessions delivered"),
    strict=True,
):
    people = key in ("reached", "new")
    small = people and not (show.shown(now[key], limit) and show.shown(then[key], limit))
    value = show.count(now[key], limit) if people else f"{now[key]:,}"
    column.metric(label, value, None if small else show.change(now[key], then[key]), border=True)

measure = metric(metrics.main_measure)
if measure:
    st.subheader(f"Wellbeing ({measure})")
    result, earlier = metric(outcomes.headline, f, measure, limit), metric(outcomes.headline, before, measure, limit)
    pairs = result["pairs"]
    enough = result["shown"]
    ci = result["ci95"]
    cols = st.columns(4)
    cols[0].metric(
        "People with two scores",
        show.count(pairs, limit),
        show.change(pairs, earlier["pairs"]) if enough else None,
        border=True,
    )
    cols[1].metric(
        "Mean change (points)",
        show.number(result["mean_change"], unit="") if enough else "–",
        f"95% CI {ci[0]:+.1f} to {ci[1]:+.1f}" if enough and ci else None,
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    improved = result["shares"]["improved"] if enough else None
    cols[2].metric(
        "Improved reliably",
        show.share(improved),
        show.change(improved, earlier["shares"]["improved"] if earlier["shown"] else None, "share"),
        border=True,
    )
    rate = result["followup_rate"] if show.shown(result["with_baseline"], limit) else None
    cols[3].metric(
        "Follow-up rate",
        show.share(rate),
        show.change(rate, earlier["followup_rate"], "share"),
        border=True,
    )
    for warning in result["warnings"]:
        st.warning(warning, icon=":material/warning:")

st.subheader("Money")
cols = st.columns(4)
income, income_before = metric(metrics.income, f), metric(metrics.income, before)
cols[0].metric("Income in the period", show.money(income), show.change(income, income_before, "money"), border=True)
secured, secured_before = metric(metrics.secured_next_12_months, f), metric(metrics.secured_next_12_months, before)
cols[1].metric(
    "Secured for the next 12 months", show.money(secured), show.change(secured, secured_before, "money"), border=True
)
runway, runway_before = metric(metrics.runway_months, f), metric(metrics.runway_months, before)
cols[2].metric("Reserves runway", show.months(runway), show.change(runway, runway_before, "decimal"), border=True)
cost, cost_before = metric(metrics.cost_per_participant, f), metric(metrics.cost_per_participant, before)
cols[3].metric(
    "Cost per person reached",
    show.money(cost),
    show.change(cost, cost_before, "money"),
    delta_color="inverse",
    border=True,
)

st.subheader("Trend")
first = metric(metrics.data_range)[0]
trend = f.with_period(trailing_quarters(f.period, first))
trend_note = period_note(trend)
left, right = st.columns(2)
left.altair_chart(
    charts.reach_over_quarters(metric(metrics.reach_by_quarter, trend), trend_note, limit), width="stretch"
)
if measure:
    right.altair_chart(
        charts.change_over_quarters(metric(metrics.outcomes_by_quarter, trend, measure), measure, trend_note, limit),
        width="stretch",
    )

with st.expander("How these figures are worked out"):
    st.markdown(
        """
- **People reached**: different people with at least one attended session in the period. **New**: reached for the first time ever in this period.
- **People with two scores**: people whose latest questionnaire after their first one falls in the period. **Mean change** is latest minus first, with a 95% confidence interval (paired t). **Improved reliably**: a change of at least the measure's threshold (3 points for WEMWBS and SWEMWBS, 6 for CORE-10).
- **Follow-up rate**: of the people reached who had a first questionnaire, the share with a second one in the period.
- **Income**: each secured grant or contract spread evenly by day over its dates. **Runway**: latest free reserves ÷ average monthly spending over the last 12 months.
- Counts of fewer than 8 people are shown as "<8" so no one can be identified (threshold in Display settings).
"""
    )
