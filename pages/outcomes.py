"""Outcomes: did people's wellbeing change, how sure can we be, and for whom and where did it change most."""

import streamlit as st

from pipelines import charts, goals, metrics, outcomes, verdict, ways
from pipelines.charts.goals import goal_forest, goal_progress
from pipelines.measures import LOWER_BETTER, MEASURES
from pipelines.outcomes import BREAKDOWNS
from ui import figures, show
from ui.data import cached
from ui.figures import fact, hidden_note, listed
from ui.sidebar import page_header
from ui.voice import show_feedback

f, note = page_header("Outcomes", "People count when their latest questionnaire after their first falls in the period.")
available = cached(metrics.measures_with_data) + ([goals.NAME] if cached(goals.has_goals) else [])
if not available:
    st.info(
        "No questionnaires or goals have been loaded yet. Upload wellbeing questionnaires or goal ratings on the "
        "Upload data page."
    )
    st.stop()
main = cached(metrics.main_measure) or goals.NAME
measure = st.selectbox(
    "Measure",
    available,
    index=available.index(main),
    format_func=lambda k: f"{goals.FULL_NAME} ({k})" if k == goals.NAME else k,
    help="Measures with data are listed, and people's progress towards their own goals when goals are recorded.",
)
safe = figures.screen()


def overlap_caution(frame) -> None:
    """Say so when no group's interval stands apart from another's."""
    if outcomes.cis_overlap(frame):
        st.info(
            "Every group's confidence interval overlaps every other's, so these figures cannot show that any group "
            "did better or worse than another.",
            icon=":material/info:",
        )


def five_ways(measure: str, overall: float | None, citation: str | None) -> None:
    """Change by way to wellbeing and for peer-led against staff-led activities, each with the overlap caution."""
    if not cached(ways.recorded):
        st.info(
            "No activity has its Five Ways to Wellbeing recorded yet: add a 'ways' column to the attendance sheet, "
            "or an activities sheet, on the Upload data page.",
            icon=":material/info:",
        )
        return
    gbo = measure == goals.NAME
    described = "goal rating" if gbo else measure

    def forest(t, label, *rest):
        return goal_forest(t, label, *rest) if gbo else charts.forest(t, measure, label, *rest)

    st.markdown(
        "**By the Five Ways to Wellbeing** (Connect, Be active, Take notice, Keep learning, Give): the change of the "
        f"people who took part in activities of each way. {ways.OVERLAP} These describe people who chose different "
        "activities; they do not show that one way causes more change."
    )
    for by in ways.BY:
        figures.chart(
            f"{measure} change by {ways.BY[by]}",
            f.period,
            lambda d, by=by: cached(ways.breakdown, f, measure, by, d),
            lambda t, d, by=by: forest(t, ways.BY[by], note, overall, hidden_note(t, d)),
            description=lambda t, by=by: (
                f"Mean change in {described} with its 95% CI by {ways.BY[by]}: "
                f"{listed(t['group'], t['mean_change'].map(show.number) + ' points (n=' + t['label'] + ')')}."
            ),
            citation=citation,
        )
        overlap_caution(cached(ways.breakdown, f, measure, by, safe))


def goal_based_outcomes() -> None:
    """Goal-Based Outcomes: the lead in words, the headline figures, progress and change by goal area, for whom and
    by the Five Ways."""
    result = cached(goals.headline, f, safe)
    if not result["shown"]:
        st.warning(
            f"Fewer than {safe.min_count} people have a goal rated twice in this period, so no figures are shown: "
            "too few to be meaningful, and they could identify someone. Choose a longer period or more activities."
        )
        return
    st.markdown(goals.in_words(result, f.period.label))
    ci, people, interval = result["ci95"], result["people_improved"], result["people_improved_ci95"]
    cols = st.columns(4)
    fact(cols[0], "Goals rated twice", result["goals_label"], f"of {result['people_label']} people")
    fact(
        cols[1],
        "Goals with reliable progress",
        show.share(result["share_improved"]),
        "3 points or more",
        help="A rise of at least 2.45 points on the 0–10 scale, the reliable change CORC publishes for goals: with "
        "whole ratings, 3 points or more.",
    )
    fact(
        cols[2],
        "People with reliable progress on a goal",
        show.share(people["share"]),
        f"95% CI {interval[0]:.0%} to {interval[1]:.0%}" if interval else f"{people['label']} of {people['of']}",
    )
    fact(
        cols[3],
        "Mean change (points)",
        show.signed(result["mean_change"]),
        f"95% CI {ci[0]:+.1f} to {ci[1]:+.1f}" if ci else None,
        help="Latest rating minus first, over the goals; ratings run from 0 (no progress) to 10 (goal reached).",
    )
    progress, areas, whom, five = st.tabs(["Progress", "By goal area", "For whom", "Five Ways"])
    with progress:
        figures.chart(
            "Progress towards goals",
            f.period,
            lambda d: cached(goals.headline, f, d)["changes"],
            lambda t, d: goal_progress(t, note, hidden_note(t, d)),
            description=lambda t: (
                "Bars of the share of goals with reliable progress, no reliable change or "
                "reliable deterioration: "
                + "; ".join(
                    f"{c} {show.share(s) if not h else lab}"
                    for c, s, lab, h in zip(t["category"], t["share"], t["label"], t["hidden"], strict=True)
                )
                + "."
            ),
            citation=goals.CITATION,
        )
        cols = st.columns(2)
        fact(
            cols[0],
            "Follow-up rate",
            show.share(result["followup_rate"]),
            help="Of the goals of people reached that had a first rating, the share rated again in the period.",
        )
        fact(
            cols[1],
            "Goals with only one rating so far",
            result["only_one_rating"],
            help="Goals rated in the period for the first time and not yet again: left out of the change figures.",
        )
    with areas:
        goal_breakdown("goal_area", result["mean_change"])
    with whom:
        by = st.radio(
            "Break down goals by",
            [k for k in goals.BREAKDOWNS if k != "goal_area"],
            format_func=lambda k: goals.BREAKDOWNS[k][0].upper() + goals.BREAKDOWNS[k][1:],
            horizontal=True,
        )
        goal_breakdown(by, result["mean_change"])
    with five:
        five_ways(goals.NAME, result["mean_change"], goals.CITATION)


def goal_breakdown(by: str, overall: float | None) -> None:
    """A forest plot of the change in goal ratings per group, with the cautions that go with it."""
    label = goals.BREAKDOWNS[by]
    figures.chart(
        f"Goal progress by {label}",
        f.period,
        lambda d: cached(goals.breakdown, f, by, d),
        lambda t, d: goal_forest(t, label, note, overall, hidden_note(t, d)),
        description=lambda t: (
            f"Mean change in goal rating with its 95% CI by {label}: "
            f"{listed(t['group'], t['mean_change'].map(show.number) + ' points (n=' + t['label'] + ')')}."
        ),
        citation=goals.CITATION,
    )
    if by in goals.OVERLAPPING:
        st.caption("One person's goals can fall in several groups, so the groups add up to more people.")
    overlap_caution(cached(goals.breakdown, f, by, safe))


if measure == goals.NAME:
    goal_based_outcomes()
    show_feedback(f, note)
    st.stop()
m = MEASURES[measure]
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
    f"small, 0.5 medium, 0.8 large. Where lower scores are better ({', '.join(LOWER_BETTER)}), a negative value is "
    "an improvement.",
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


change, whom, time, dose, clinical, completeness, five = st.tabs(
    ["Change", "For whom", "Over time", "Sessions attended", "Clinical measures", "Data completeness", "Five Ways"]
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
    overlap_caution(cached(outcomes.breakdown, f, measure, by, safe))

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
        st.markdown(f"**In {m.concern}** of {measure}: scores {low:g} to {high:g} ({m.bands_source}).")
    else:
        st.info(f"{measure} has no clinical cut-off or published bands; see the mean change above.")
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

with five:
    five_ways(measure, result["mean_change"], m.citation)

show_feedback(f, note)
