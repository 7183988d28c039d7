"""Outcomes: did people's wellbeing change, how sure can we be, and for whom and where did it change most."""

import streamlit as st

from pipelines import metrics, outcomes
from pipelines.measures import MEASURES
from pipelines.outcomes import BREAKDOWNS
from pipelines.privacy import hidden_parts
from ui import charts, show
from ui.data import metric
from ui.sidebar import current_filters, period_note, threshold

f = current_filters()
limit = threshold()
note = period_note(f)

st.title("Outcomes")
st.caption(f"{note}. People count when their latest questionnaire after their first falls in the period.")
available = metric(metrics.measures_with_data)
if not available:
    st.info("No questionnaires have been loaded yet. Upload wellbeing questionnaires on the Upload data page.")
    st.stop()
main = metric(metrics.main_measure)
measure = st.selectbox("Measure", available, index=available.index(main), help="Measures with data are listed.")
m = MEASURES[measure]
result = metric(outcomes.headline, f, measure, limit)

if not result["shown"]:
    st.warning(
        f"Fewer than {limit} people have two {measure} scores in this period, so no figures are shown: "
        "too few to be meaningful, and they could identify someone. Choose a longer period or more activities."
    )
    st.stop()

sentence = outcomes.summary_sentence(measure, result, f.period.label)
st.success(sentence, icon=":material/format_quote:")
for warning in result["warnings"]:
    st.warning(warning, icon=":material/warning:")

ci, effect = result["ci95"], result["effect_size"]
cols = st.columns(4)
cols[0].metric("People with two scores", show.count(result["pairs"], limit), border=True)
rate = result["followup_rate"] if show.shown(result["with_baseline"], limit) else None
cols[1].metric(
    "Follow-up rate",
    show.share(rate),
    help="Of the people reached who completed a first questionnaire, the share with a second one in the period.",
    border=True,
)
cols[2].metric(
    "Mean score, first → latest",
    f"{result['baseline_mean']:.1f} → {result['followup_mean']:.1f}",
    help=f"{measure} scores run from {m.low:g} to {m.high:g}; {'higher' if m.higher_better else 'lower'} is better.",
    border=True,
)
cols[3].metric(
    "Mean change (points)",
    f"{result['mean_change']:+.1f}",
    f"95% CI {ci[0]:+.1f} to {ci[1]:+.1f}" if ci else None,
    delta_color="off",
    delta_arrow="off",
    border=True,
)
cols = st.columns(4)
cols[0].metric(
    "Effect size",
    show.number(effect["d"], 2),
    f"95% CI {effect['ci_low']:.2f} to {effect['ci_high']:.2f}" if effect["d"] is not None else None,
    delta_color="off",
    delta_arrow="off",
    help="Mean change ÷ standard deviation of change: about 0.2 is small, 0.5 medium, 0.8 large. "
    "Where lower scores are better (CORE-10, PHQ-9, GAD-7, UCLA-3, ONS4 anxious), a negative value is an improvement.",
    border=True,
)
categories = {"improved": "Improved", "no_reliable_change": "No reliable change", "deteriorated": "Deteriorated"}
counts = {k: result[k] for k in categories if result[k] is not None}
hidden = hidden_parts(counts, limit, keep=("improved",))
for column, (key, count) in zip(cols[1:], counts.items(), strict=False):
    value = (
        f"<{limit} people"
        if key in hidden and count < limit
        else "–"
        if key in hidden
        else f"{count / result['pairs']:.0%}"
    )
    column.metric(
        categories[key],
        value,
        None if key in hidden else f"{count:,} people",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )

change, whom, time, dose, clinical, completeness = st.tabs(
    ["Change", "For whom", "Over time", "Sessions attended", "Clinical measures", "Data completeness"]
)
with change:
    left, right = st.columns(2)
    left.altair_chart(charts.slopes(metric(outcomes.slopes, f, measure, limit), measure, note), width="stretch")
    right.altair_chart(
        charts.change_histogram(
            metric(outcomes.change_distribution, f, measure, limit), measure, m.threshold, note, limit
        ),
        width="stretch",
    )
    if m.threshold is not None:
        shown = {k: v for k, v in counts.items() if k not in hidden}
        st.altair_chart(charts.change_shares(shown, result["pairs"], measure, note, hidden), width="stretch")
    st.altair_chart(
        charts.means_against_norms(metric(outcomes.means_with_ci, f, measure, limit), m.norms, measure, note),
        width="stretch",
    )

with whom:
    by = st.radio(
        "Break down by",
        list(BREAKDOWNS),
        format_func=lambda k: BREAKDOWNS[k][0].upper() + BREAKDOWNS[k][1:],
        horizontal=True,
    )
    table = metric(outcomes.breakdown, f, measure, by, limit)
    st.altair_chart(charts.forest(table, measure, BREAKDOWNS[by], note, limit, result["mean_change"]), width="stretch")
    if outcomes.cis_overlap(table):
        st.info(
            "Every group's confidence interval overlaps every other's, so these figures cannot show that any group "
            "did better or worse than another.",
            icon=":material/info:",
        )

with time:
    quarterly = metric(metrics.outcomes_by_quarter, f, measure)
    st.altair_chart(charts.change_over_quarters(quarterly, measure, note, limit), width="stretch")

with dose:
    sessions = metric(outcomes.breakdown, f, measure, "dose", limit)
    st.altair_chart(
        charts.forest(
            sessions, measure, "sessions attended between the two questionnaires", note, limit, result["mean_change"]
        ),
        width="stretch",
    )

with clinical:
    found = metric(outcomes.clinical, f, measure)
    band = metric(outcomes.low_band, f, measure)
    if found:
        st.markdown(
            f"**Caseness**: {measure} of {found['cutoff']:g} or more. Recovery: at or above it at the first "
            "questionnaire and below it at the latest (rates are shares of those who started at or above it). "
            f"Reliable change: {m.threshold:g} points or more, as NHS Talking Therapies reports it."
        )
        n, cases = found["pairs"], found["cases_baseline"]
        shares = (
            ("Above cut-off, first", found["cases_baseline"], n),
            ("Above cut-off, latest", found["cases_followup"], n),
            ("Recovery", found["recovered"], cases),
            ("Reliable improvement", found["reliably_improved"], n),
            ("Reliable recovery", found["reliably_recovered"], cases),
            ("Reliable deterioration", found["reliably_deteriorated"], n),
        )
        for column, (label, count, total) in zip(st.columns(3) + st.columns(3), shares, strict=True):
            column.metric(
                label,
                show.share_of(count, total, limit),
                f"{show.count(count, limit)} of {total}",
                delta_color="off",
                delta_arrow="off",
                border=True,
            )
    elif band:
        low, high = band["band"]
        st.markdown(f"**Low wellbeing band** for {measure}: scores {low:g} to {high:g} (ONS thresholds).")
        cols = st.columns(2)
        cols[0].metric("In the band, first", show.share_of(band["baseline"], band["pairs"], limit), border=True)
        cols[1].metric("In the band, latest", show.share_of(band["followup"], band["pairs"], limit), border=True)
    else:
        st.info(f"{measure} has no clinical cut-off or low band; see the mean change above.")

with completeness:
    gaps = metric(outcomes.completeness, f, measure)
    cols = st.columns(3)
    cols[0].metric(
        "Questionnaires with a missing answer",
        f"{gaps['missing_answer']:,} of {gaps['questionnaires']:,}",
        help="A missing answer leaves that questionnaire without a score (CORE-10 allows one, prorated).",
        border=True,
    )
    cols[1].metric(
        "People with only a first score",
        show.count(gaps["only_first_score"], limit),
        help="People with a questionnaire in the period who have not yet completed a second one.",
        border=True,
    )
    median = gaps["gap_days_median"]
    cols[2].metric(
        "Typical time between first and latest",
        "–" if median is None else f"{median / 7:.0f} weeks",
        None
        if median is None
        else f"half between {gaps['gap_days_quartiles'][0] / 7:.0f} and {gaps['gap_days_quartiles'][1] / 7:.0f} weeks",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
