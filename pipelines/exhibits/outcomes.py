"""The Outcomes charts: first and latest scores, how much they changed, who improved, change by group, by quarter
and by the Five Ways, and progress towards people's own goals."""

from __future__ import annotations

import pandas as pd

from pipelines import charts, goals, outcomes, ways, words
from pipelines.charts.goals import goal_forest, goal_progress
from pipelines.exhibits import Exhibit
from pipelines.measures import MEASURES
from pipelines.query import Filters


def first_and_latest(f: Filters, measure: str) -> Exhibit:
    """First and latest scores joined by a line: one per person, so it never leaves the app."""
    return Exhibit(
        f"{measure} first and latest scores",
        f,
        outcomes.slopes,
        (f, measure),
        describe=lambda t: f"Slope chart of the first and latest {measure} scores: {_means(t)}.",
        draw=lambda t, d: charts.slopes(t, measure, f.description),
        downloads=False,
    )


def _means(lines: pd.DataFrame) -> str:
    """'mean 44.2 → 48.6': the first and latest scores over the people drawn."""
    if lines.empty:
        return "nothing to draw"
    mean = {when: (rows["score"] * rows["people"]).sum() / rows["people"].sum() for when, rows in lines.groupby("when")}
    return f"mean {mean['first']:.1f} → {mean['latest']:.1f}"


def change_distribution(f: Filters, measure: str) -> Exhibit:
    m = MEASURES[measure]
    return Exhibit(
        f"{measure} change distribution",
        f,
        outcomes.change_distribution,
        (f, measure),
        describe=lambda t: (
            f"Histogram of people by how much their {measure} score changed, in bands of points: "
            f"{words.listed(t['band_start'].map('{:+g}'.format), t['label'])}."
        ),
        draw=lambda t, d: charts.change_histogram(t, measure, m.reliable_change, f.description, d.hidden_note(t)),
        citation=m.citation,
    )


def improved_or_not(f: Filters, measure: str) -> Exhibit:
    """The share of people who improved reliably, did not change reliably, or deteriorated."""
    return _change_shares(
        f"{measure} improved or not",
        f,
        outcomes.headline,
        (f, measure),
        f"people whose {measure} improved, did not change reliably or deteriorated",
        lambda t, d: charts.change_shares(t, measure, f.description, d.hidden_note(t)),
        MEASURES[measure].citation,
    )


def _change_shares(what: str, f: Filters, source, args: tuple, of: str, draw, citation: str) -> Exhibit:
    """Bars of the share in each category of change, from the ``changes`` part of a headline ``source``; ``of`` says
    whose shares they are and what the categories are."""

    def described(changes: pd.DataFrame) -> str:
        return f"Bars of the share of {of}: {_shares(changes)}."

    return Exhibit(what, f, source, args, part="changes", describe=described, draw=draw, citation=citation)


def _shares(changes: pd.DataFrame) -> str:
    """'improved 61%; no reliable change 30%; deteriorated <8': each category's share, or its label where hidden."""
    shown = [
        label if hidden else words.share(share)
        for share, label, hidden in changes[["share", "label", "hidden"]].itertuples(index=False)
    ]
    return words.listed(changes["category"], shown)


def means_against_norms(f: Filters, measure: str) -> Exhibit:
    m = MEASURES[measure]
    return Exhibit(
        f"{measure} mean scores against norms",
        f,
        outcomes.means_with_ci,
        (f, measure),
        describe=lambda t: (
            f"Mean {measure} score, first and latest, with 95% CIs: "
            f"{words.listed(t['when'], t['mean'].map(words.number))}, beside England's average."
        ),
        draw=lambda t, d: charts.means_against_norms(t, m.norms, measure, f.description),
        citation=m.citation,
    )


def change_by(f: Filters, measure: str, by: str, overall: float | None) -> Exhibit:
    """Mean change with its 95% CI per group of ``by`` (a breakdown, or 'dose': sessions attended between the two
    questionnaires), against everyone's mean change ``overall``; as a table, each group's figures."""
    label = outcomes.BREAKDOWNS.get(by, "sessions attended between the two questionnaires")
    return _forest(
        f"{measure} change by {outcomes.BREAKDOWNS.get(by, 'sessions attended')}",
        f,
        outcomes.breakdown,
        (f, measure, by),
        measure,
        label,
        lambda t, d: charts.forest(t, measure, label, f.description, overall, d.hidden_note(t)),
        MEASURES[measure].citation,
    )


def _forest(
    what: str,
    f: Filters,
    source,
    args: tuple,
    measure: str,
    label: str,
    draw,
    citation: str,
    counted: str = "People with two scores",
    improved: str = "Improved reliably",
) -> Exhibit:
    """Change per group as a forest plot, and as a table of each group's count, mean change, interval and share
    improved; ``counted`` names the count (people with two scores, or goals rated twice), ``improved`` the share."""
    return Exhibit(
        what,
        f,
        source,
        args,
        describe=lambda t: (
            f"Mean change in {measure} with its 95% CI by {label}: "
            f"{words.listed(t['group'], _with_n(t['mean_change'], t['label'], words.number, ' points'))}."
        ),
        draw=draw,
        shape=lambda t: pd.DataFrame(
            {
                label[0].upper() + label[1:]: t["group"],
                counted: t["label"],
                "Mean change (points)": t["mean_change"].map(words.signed),
                "95% CI": [words.interval(lo, hi) for lo, hi in zip(t["ci_low"], t["ci_high"], strict=True)],
                improved: t["share_improved"].map(words.share),
            }
        ),
        citation=citation,
    )


def _with_n(changes: pd.Series, labels: pd.Series, written, unit: str = "") -> list[str]:
    """'+4.3 points (n=24)' for each group: its mean change as written, and its count's label."""
    return [f"{written(c)}{unit} (n={n})" for c, n in zip(changes, labels, strict=True)]


def change_by_quarter(f: Filters, measure: str) -> Exhibit:
    return Exhibit(
        f"{measure} change by quarter",
        f,
        outcomes.by_quarter,
        (f, measure),
        describe=lambda t: (
            f"Dots with 95% confidence intervals: the mean change in {measure} of the people followed up in each "
            f"quarter: {words.listed(t['quarter'], _with_n(t['mean_change'], t['label'], words.signed))}."
        ),
        draw=lambda t, d: charts.change_over_quarters(t, measure, f.description, d.hidden_note(t)),
        citation=MEASURES[measure].citation,
    )


def change_by_way(f: Filters, measure: str, by: str, overall: float | None) -> Exhibit:
    """Change per way to wellbeing (``by`` 'way') or for peer-led against staff-led activities ('led'), for a
    questionnaire measure or for goals (``goals.NAME``)."""
    label = ways.BY[by]
    if measure == goals.NAME:
        draw = lambda t, d: goal_forest(t, label, f.description, overall, d.hidden_note(t))  # noqa: E731
        described, citation = "goal rating", goals.CITATION
    else:
        draw = lambda t, d: charts.forest(t, measure, label, f.description, overall, d.hidden_note(t))  # noqa: E731
        described, citation = measure, MEASURES[measure].citation
    return _forest(
        f"{measure} change by {label}", f, ways.breakdown, (f, measure, by), described, label, draw, citation
    )


def goal_progress_shares(f: Filters) -> Exhibit:
    """The share of goals with reliable progress, no reliable change or reliable deterioration."""
    return _change_shares(
        "Progress towards goals",
        f,
        goals.headline,
        (f,),
        "goals with reliable progress, no reliable change or reliable deterioration",
        lambda t, d: goal_progress(t, f.description, d.hidden_note(t)),
        goals.CITATION,
    )


def goal_change_by(f: Filters, by: str, overall: float | None) -> Exhibit:
    """Change in goal ratings per goal area, activity or group of people."""
    label = goals.BREAKDOWNS[by]
    return _forest(
        f"Goal progress by {label}",
        f,
        goals.breakdown,
        (f, by),
        "goal rating",
        label,
        lambda t, d: goal_forest(t, label, f.description, overall, d.hidden_note(t)),
        goals.CITATION,
        "Goals rated twice",
        "Reliable progress",
    )
