"""Outcomes: did people's wellbeing change, how sure can we be, and for whom and where did it change most."""

import streamlit as st

from pipelines import goals, inventory, outcomes, published, verdict, ways, words
from pipelines.exhibits import outcomes as shown
from pipelines.measures import LOWER_BETTER, MEASURES
from pipelines.outcomes import BREAKDOWNS
from pipelines.stats import size_in_words
from ui import figures, sections
from ui.data import cached
from ui.feedback import show_feedback
from ui.figures import fact
from ui.sidebar import page_header

f = page_header("Outcomes", "People count when their latest questionnaire after their first falls in the period.")
available = cached(inventory.measures_with_data) + ([goals.NAME] if cached(goals.has_goals) else [])
if not available:
    st.info(
        "No questionnaires or goals have been loaded yet. Upload wellbeing questionnaires or goal ratings on the "
        "Upload data page."
    )
    st.stop()
main = cached(inventory.main_measure) or goals.NAME
measure = st.selectbox(
    "Measure",
    available,
    index=available.index(main),
    format_func=lambda k: f"{goals.FULL_NAME} ({k})" if k == goals.NAME else k,
    help="Measures with data are listed, and people's progress towards their own goals when goals are recorded.",
)
figures.publish(published.kept_site, f)
safe = figures.screen()


def overlap_caution(frame) -> None:
    """Say so when no group's interval stands apart from another's."""
    if outcomes.cis_overlap(frame):
        st.info(
            "Every group's confidence interval overlaps every other's, so these figures cannot show that any group "
            "did better or worse than another.",
            icon=":material/info:",
        )


def five_ways(measure: str, overall: float | None) -> None:
    """Change by way to wellbeing and for peer-led against staff-led activities, each with the overlap caution."""
    if not cached(ways.recorded):
        st.info(ways.NONE_RECORDED, icon=":material/info:")
        return
    st.markdown(
        "**By the Five Ways to Wellbeing** (Connect, Be active, Take notice, Keep learning, Give): the change of the "
        f"people who took part in activities of each way. {ways.OVERLAP} These describe people who chose different "
        "activities; they do not show that one way causes more change."
    )
    for by in ways.BY:
        figures.show(shown.change_by_way(f, measure, by, overall))
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
        words.share(result["share_improved"]),
        "3 points or more",
        help="A rise of at least 2.45 points on the 0–10 scale, the reliable change CORC publishes for goals: with "
        "whole ratings, 3 points or more.",
    )
    fact(
        cols[2],
        "People with reliable progress on a goal",
        words.share(people["share"]),
        f"95% CI {interval[0]:.0%} to {interval[1]:.0%}" if interval else f"{people['label']} of {people['of']}",
    )
    fact(
        cols[3],
        "Mean change (points)",
        words.signed(result["mean_change"]),
        f"95% CI {ci[0]:+.1f} to {ci[1]:+.1f}" if ci else None,
        help="Latest rating minus first, over the goals; ratings run from 0 (no progress) to 10 (goal reached).",
    )
    section = sections.chosen(["Progress", "By goal area", "For whom", "Five Ways"], "goals-section")
    if section == "Progress":
        figures.show(shown.goal_progress_shares(f))
        cols = st.columns(2)
        fact(
            cols[0],
            "Follow-up rate",
            words.share(result["followup_rate"]),
            help="Of the goals of people reached that had a first rating, the share rated again in the period.",
        )
        fact(
            cols[1],
            "Goals with only one rating so far",
            result["only_one_rating"],
            help="Goals rated in the period for the first time and not yet again: left out of the change figures.",
        )
    if section == "By goal area":
        goal_breakdown("goal_area", result["mean_change"])
    if section == "For whom":
        by = st.radio(
            "Break down goals by",
            [k for k in goals.BREAKDOWNS if k != "goal_area"],
            format_func=lambda k: goals.BREAKDOWNS[k][0].upper() + goals.BREAKDOWNS[k][1:],
            horizontal=True,
        )
        goal_breakdown(by, result["mean_change"])
    if section == "Five Ways":
        five_ways(goals.NAME, result["mean_change"])


def goal_breakdown(by: str, overall: float | None) -> None:
    """A forest plot of the change in goal ratings per group, with the cautions that go with it."""
    figures.show(shown.goal_change_by(f, by, overall))
    if by in goals.OVERLAPPING:
        st.caption("One person's goals can fall in several groups, so the groups add up to more people.")
    overlap_caution(cached(goals.breakdown, f, by, safe))


if measure == goals.NAME:
    goal_based_outcomes()
    show_feedback(f)
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

ci, srm = result["ci95"], result["srm"]
means = f"{result['baseline_mean']:.1f} → {result['followup_mean']:.1f}"
cols = st.columns(4)
cols[0].metric("People with two scores", result["pairs_label"], border=True)
fact(
    cols[1],
    "Follow-up rate",
    words.share(result["followup_rate"]),
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
    "Standardised change (how big it is)",
    words.number(srm["srm"], 2),
    None if srm["srm"] is None else f"{size_in_words(srm['srm'])}; roughly {srm['ci_low']:.2f} to {srm['ci_high']:.2f}",
    help="The standardised response mean: the mean change divided by how much people's changes vary (sometimes "
    "written dz), so it compares across measures. By Cohen's rough guide for standardised differences, about 0.2 is "
    "small, 0.5 medium, 0.8 large. Its likely range (95%) is approximate, from a large-sample formula. Where lower "
    f"scores are better ({words.joined(LOWER_BETTER)}), a negative value is an improvement.",
)
changes = result["changes"]
for column, row in zip(cols[1:], changes.itertuples(), strict=False):
    fact(
        column,
        row.category.capitalize(),
        words.share(row.share) if not row.hidden else row.label,
        f"{row.label} people" if not row.hidden else None,
    )


section = sections.chosen(
    ["Change", "For whom", "Over time", "Sessions attended", "Clinical measures", "Data completeness", "Five Ways"],
    "outcomes-section",
)
if section == "Change":
    left, right = st.columns(2)
    with left:
        figures.show(shown.first_and_latest(f, measure))
    with right:
        figures.show(shown.change_distribution(f, measure))
    if m.reliable_change is not None:
        figures.show(shown.improved_or_not(f, measure))
    figures.show(shown.means_against_norms(f, measure))

if section == "For whom":
    by = st.radio(
        "Break down by",
        list(BREAKDOWNS),
        format_func=lambda k: BREAKDOWNS[k][0].upper() + BREAKDOWNS[k][1:],
        horizontal=True,
    )
    figures.show(shown.change_by(f, measure, by, result["mean_change"]))
    overlap_caution(cached(outcomes.breakdown, f, measure, by, safe))

if section == "Over time":
    figures.show(shown.change_by_quarter(f, measure))

if section == "Sessions attended":
    figures.show(shown.change_by(f, measure, "dose", result["mean_change"]))


def figure_cards(found) -> None:
    """Each clinical figure as its share, with 'n of whole' under it, three to a row."""
    columns = [c for _ in range(0, len(found), 3) for c in st.columns(3)]
    for column, row in zip(columns, found.itertuples(), strict=False):
        fact(column, row.figure, words.share(row.share), f"{row.label} of {row.of}")


if section == "Clinical measures":
    if (
        measure in outcomes.TALKING_THERAPIES
        and not (joint := cached(outcomes.talking_therapies_figures, f, safe)).empty
    ):
        st.markdown(
            "**NHS Talking Therapies: PHQ-9 and GAD-7 together**, for the people with both at their first and latest "
            "time. A **case** has either score at or above its cut-off (PHQ-9 10, GAD-7 8) at the first; "
            "**recovery** is a case whose two latest scores are both below; **reliable improvement** is a fall of "
            "the reliable change on one (PHQ-9 6, GAD-7 4) with neither rising by its own; **reliable "
            "deterioration** is a rise of the reliable change on either."
        )
        figure_cards(joint)
        st.markdown(f"**{measure} alone**, for everyone with two {measure} scores:")
    found = cached(outcomes.clinical_figures, f, measure, safe)
    if m.cutoff is not None:
        st.markdown(
            f"**Above the clinical cut-off**: a {measure} score of {m.cutoff:g} or more, the level at which "
            "services treat someone's difficulties as clinically significant. **Recovery**: above the cut-off at "
            "the first questionnaire and below it at the latest (rates are shares of those who started above it). "
            f"**Reliable change**: {m.reliable_change:g} points or more."
        )
    elif m.low_band is not None:
        low, high = m.low_band
        st.markdown(f"**In {m.concern}** of {measure}: scores {low:g} to {high:g} ({m.bands_source}).")
    else:
        st.info(f"{measure} has no clinical cut-off or published bands; see the mean change above.")
    figure_cards(found)

if section == "Data completeness":
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
        words.number(None if median is None else median / 7, 0, " weeks"),
        None if quartiles is None else f"half between {quartiles[0] / 7:.0f} and {quartiles[1] / 7:.0f} weeks",
    )

if section == "Five Ways":
    five_ways(measure, result["mean_change"])

show_feedback(f)
