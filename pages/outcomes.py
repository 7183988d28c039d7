"""Outcomes: did people's wellbeing change, how sure can we be, and for whom and where did it change most."""

import streamlit as st

from pipelines import charts, metrics, outcomes, verdict
from pipelines.measures import MEASURES
from pipelines.outcomes import BREAKDOWNS
from ui import figures, show
from ui.data import cached
from ui.figures import fact, hidden_note, listed
from ui.sidebar import page_header

f, note = page_header("Outcomes", "People count when their latest questionnaire after their first falls in the period.")
available = cached(metrics.measures_with_data)
if not available:
    st.info("No questionnaires have been loaded yet. Upload wellbeing questionnaires on the Upload data page.")
    st.stop()
main = cached(metrics.main_measure)
measure = st.selectbox("Measure", available, index=available.index(main), help="Measures with data are listed.")
m = MEASURES[measure]
safe = figures.screen()
result = cached(outcomes.headline, f, measure, safe)

if not result["shown"]:
    st.warning(
        f"Fewer than {safe.min_count} people have two {measure} scores in this period, so no figures are shown: "
        "too few to be meaningful, and they could identify someone. Choose a longer period or more activities."
    )
    st.stop()

figures.answer(st, cached(verdict.does_it_work, f, measure, safe))
sentence = outcomes.summary_sentence(measure, result, f.period.label)
with st.expander("Copy a sentence for a bid"):
    st.code(sentence, language=None, wrap_lines=True)
for warning in result["warnings"]:
    st.warning(warning, icon=":material/warning:")

ci, effect = result["ci95"], result["effect_size"]
means = f"{result['baseline_mean']:.1f} → {result['followup_mean']:.1f}"
cols = st.columns(4)
cols[0].metric("People with two scores", result["pairs_label"], border=True)
fact(
    cols[1],
    "Follow-up rate",
    show.share(result["followup_rate"]),
    help="Of the people reached who completed a first questionnaire, the share with a second one in the period.",
)
fact(
    cols[2],
    "Mean score, first → latest",
    means,
    help=f"{measure} scores run from {m.low:g} to {m.high:g}; {'higher' if m.higher_better else 'lower'} is better.",
)
fact(
    cols[3],
    "Mean change (points)",
    f"{result['mean_change']:+.1f}",
    f"95% CI {ci[0]:+.1f} to {ci[1]:+.1f}" if ci else None,
)
cols = st.columns(4)
fact(
    cols[0],
    "Effect size (how big the change is)",
    show.number(effect["d"], 2),
    None
    if effect["d"] is None
    else f"{outcomes.effect_size_words(effect['d'])}; 95% CI {effect['ci_low']:.2f} to {effect['ci_high']:.2f}",
    help="The mean change divided by how much people's changes vary, so it compares across measures: about 0.2 is "
    "small, 0.5 medium, 0.8 large. Where lower scores are better (CORE-10, PHQ-9, GAD-7, UCLA-3, ONS4 anxious), "
    "a negative value is an improvement.",
)
changes = result["changes"]
for column, row in zip(cols[1:], changes.itertuples(), strict=False):
    shown = not row.hidden
    fact(
        column,
        row.category.capitalize(),
        show.share(row.share) if shown else row.label,
        f"{row.label} people" if shown else None,
    )


def breakdown_chart(what: str, by: str, label: str) -> None:
    """A forest plot of change per group, with everyone's mean change as a red line."""
    figures.chart(
        what,
        f.period,
        lambda d: cached(outcomes.breakdown, f, measure, by, d),
        lambda t, d: charts.forest(t, measure, label, note, result["mean_change"], hidden_note(t, d)),
        description=lambda t: (
            f"Mean change in {measure} with its 95% CI for each {label}: "
            f"{listed(t['group'], t['mean_change'].map(show.number) + ' points (n=' + t['label'] + ')')}."
        ),
        citation=m.citation,
    )


change, whom, time, dose, clinical, completeness = st.tabs(
    ["Change", "For whom", "Over time", "Sessions attended", "Clinical measures", "Data completeness"]
)
with change:
    left, right = st.columns(2)
    with left:
        figures.chart(
            f"{measure} first and latest scores",
            f.period,
            lambda d: cached(outcomes.slopes, f, measure, d),
            lambda t, d: charts.slopes(t, measure, note),
            description=f"Slope chart of the first and latest {measure} scores: means {means}.",
            downloads=False,  # one line per person: never leaves the app
        )
    with right:
        figures.chart(
            f"{measure} change distribution",
            f.period,
            lambda d: cached(outcomes.change_distribution, f, measure, d),
            lambda t, d: charts.change_histogram(t, measure, m.reliable_change, note, hidden_note(t, d)),
            description=(
                f"Histogram of people by how much their {measure} score changed; mean change "
                f"{result['mean_change']:+.1f} points."
            ),
            citation=m.citation,
        )
    if m.reliable_change is not None:
        figures.chart(
            f"{measure} improved or not",
            f.period,
            lambda d: cached(outcomes.headline, f, measure, d)["changes"],
            lambda t, d: charts.change_shares(t, measure, note, hidden_note(t, d)),
            description=lambda t: (
                f"Bars of the share of people whose {measure} improved, did not change reliably or deteriorated: "
                + "; ".join(
                    f"{c} {show.share(s) if not h else lab}"
                    for c, s, lab, h in zip(t["category"], t["share"], t["label"], t["hidden"], strict=True)
                )
                + "."
            ),
            citation=m.citation,
        )
    figures.chart(
        f"{measure} mean scores against norms",
        f.period,
        lambda d: cached(outcomes.means_with_ci, f, measure, d),
        lambda t, d: charts.means_against_norms(t, m.norms, measure, note),
        description=f"Mean {measure} score, first and latest, with 95% CIs: {means}, beside England's average.",
        citation=m.citation,
    )

with whom:
    by = st.radio(
        "Break down by",
        list(BREAKDOWNS),
        format_func=lambda k: BREAKDOWNS[k][0].upper() + BREAKDOWNS[k][1:],
        horizontal=True,
    )
    breakdown_chart(f"{measure} change by {BREAKDOWNS[by]}", by, BREAKDOWNS[by])
    if outcomes.cis_overlap(cached(outcomes.breakdown, f, measure, by, safe)):
        st.info(
            "Every group's confidence interval overlaps every other's, so these figures cannot show that any group "
            "did better or worse than another.",
            icon=":material/info:",
        )

with time:
    figures.chart(
        f"{measure} change by quarter",
        f.period,
        lambda d: cached(outcomes.by_quarter, f, measure, d),
        lambda t, d: charts.change_over_quarters(t, measure, note, hidden_note(t, d)),
        description=lambda t: (
            f"Mean change in {measure} by quarter: {listed(t['quarter'], t['mean_change'].map(show.number))}."
        ),
        citation=m.citation,
    )

with dose:
    breakdown_chart(
        f"{measure} change by sessions attended", "dose", "sessions attended between the two questionnaires"
    )

with clinical:
    found = cached(outcomes.clinical_figures, f, measure, safe)
    if m.cutoff is not None:
        st.markdown(
            f"**Above the clinical cut-off**: a {measure} score of {m.cutoff:g} or more, the level at which "
            "services treat someone's difficulties as clinically significant. **Recovery**: above the cut-off at "
            "the first questionnaire and below it at the latest (rates are shares of those who started above it). "
            f"**Reliable change**: {m.reliable_change:g} points or more, as NHS Talking Therapies reports it."
        )
    elif m.low_band is not None:
        low, high = m.low_band
        st.markdown(f"**Low wellbeing band** for {measure}: scores {low:g} to {high:g} (ONS thresholds).")
    else:
        st.info(f"{measure} has no clinical cut-off or low band; see the mean change above.")
    columns = [c for _ in range(0, len(found), 3) for c in st.columns(3)]
    for column, row in zip(columns, found.itertuples(), strict=False):
        fact(column, row.figure, show.share(row.share), f"{row.label} of {row.of}")

with completeness:
    gaps = cached(outcomes.completeness_figures, f, measure, safe)
    cols = st.columns(3)
    fact(
        cols[0],
        "Questionnaires with a missing answer",
        f"{gaps['missing_answer']} of {gaps['questionnaires']}",
        help="A missing answer leaves that questionnaire without a score (CORE-10 allows one, prorated).",
    )
    fact(
        cols[1],
        "People with only a first score",
        gaps["only_first_score"],
        help="People with a questionnaire in the period who have not yet completed a second one.",
    )
    median, quartiles = gaps["gap_days_median"], gaps["gap_days_quartiles"]
    fact(
        cols[2],
        "Typical time between first and latest",
        "–" if median is None else f"{median / 7:.0f} weeks",
        None if quartiles is None else f"half between {quartiles[0] / 7:.0f} and {quartiles[1] / 7:.0f} weeks",
    )
