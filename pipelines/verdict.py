"""The Overview's answers in plain words, before any figure: does it work, for whom, and will it still be funded.

Each answer is a sentence a trustee can read in seconds, with the measure named in full, the sign of the change,
which direction is better and whether the change is beyond chance. Figures arrive made safe (the headline and
breakdowns from pipelines/outcomes.py), so a sentence never gives away a hidden count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from pipelines import words
from pipelines.disclosure import Disclosure
from pipelines.funding import largest_funder, runway_months, secured_next_year
from pipelines.measures import MEASURES, Measure
from pipelines.outcomes import BREAKDOWNS, SMALL_SAMPLE, breakdowns, headline
from pipelines.query import Con, Filters
from pipelines.reporting import next_due_in_words


@dataclass(frozen=True)
class Answer:
    """One question answered in words, and its tone: 'good', 'bad' or 'neutral' (the words carry it too)."""

    question: str
    text: str
    tone: str = "neutral"


def _better(m: Measure, change: float) -> bool:
    return change > 0 if m.higher_better else change < 0


def _points(x: float) -> str:
    return f"{x:.1f} point" + ("" if abs(x) == 1 else "s")


def _beyond_chance(ci: list[float] | None) -> bool:
    return bool(ci) and (ci[0] > 0 or ci[1] < 0)


def _interval(ci: list[float] | None) -> str:
    """The likely range (the 95% confidence interval) in the sentence's own direction when it lies on one side of
    zero (a fall of 2.0 to 4.2); said plainly when there is none because every change was the same."""
    if ci is None:
        return SAME_CHANGE
    if _beyond_chance(ci):
        near, far = sorted((abs(ci[0]), abs(ci[1])))
        return f"likely range {near:.1f} to {far:.1f}"
    return f"likely range {ci[0]:+.1f} to {ci[1]:+.1f}"


SAME_CHANGE = "every person's score changed by the same amount, too little variation to judge against chance"


def does_it_work(con: Con, f: Filters, measure: str, disclosure: Disclosure) -> Answer:
    """Of the people with two scores, the share who improved reliably and the mean change, judged against chance."""
    m, result = MEASURES[measure], headline(con, f, measure, disclosure)
    question = "Does it work?"
    if result["pairs"] == 0:
        return Answer(
            question, f"No one completed the {m.full_name} twice in this period, so there is no change to report yet."
        )
    if not result["shown"] or result["mean_change"] is None:
        return Answer(
            question,
            f"Fewer than {disclosure.min_count} people completed the {m.full_name} twice in this period: too few to "
            "report change without risking that someone is recognised.",
        )
    n, mean, ci = result["pairs"], result["mean_change"], result["ci95"]
    improved = result["shares"]["improved"]
    direction = "rose" if mean > 0 else "fell" if mean < 0 else "did not change"
    moved = f" {_points(abs(mean))}" if mean else ""
    better = "higher is better" if m.higher_better else "lower is better"
    if ci is None:
        judged, tone = "which cannot be judged against chance", "neutral"
    elif not _beyond_chance(ci):
        judged, tone = "a change that could be chance", "neutral"
    elif _better(m, mean):
        judged, tone = "an improvement unlikely to be chance", "good"
    else:
        judged, tone = "a worsening unlikely to be chance", "bad"
    change = f"{m.construct} {direction}{moved} ({_interval(ci)}; {better}), {judged}."
    people = f"the {n:,} {'person' if n == 1 else 'people'} who completed the {m.full_name} twice"
    if m.reliable_change is not None and improved is not None:
        text = f"Of {people}, {improved:.0%} improved by at least {m.reliable_change:g} points; on average {change}"
    else:
        text = f"For {people}, on average {change}"
    if n < SMALL_SAMPLE:
        text += f" With fewer than {SMALL_SAMPLE} people, treat this as a first sign rather than a finding."
    return Answer(question, text, tone)


def standouts(con: Con, f: Filters, measure: str, disclosure: Disclosure, overall: float) -> pd.DataFrame:
    """Every group (by activity, type and each demographic) whose figures may be shown, with ``dimension``,
    ``apart`` (its 95% CI of mean change leaves out everyone's mean) and ``better`` (more improvement than the
    average, given the measure's direction)."""
    m = MEASURES[measure]
    found = breakdowns(con, f, measure, tuple(BREAKDOWNS), disclosure)
    frames = [found[by].assign(dimension=label.split(" (")[0]) for by, label in BREAKDOWNS.items()]
    groups = pd.concat(frames, ignore_index=True)
    groups = groups[groups["shown"] & groups["ci_low"].notna()].reset_index(drop=True)
    groups["apart"] = (groups["ci_low"] > overall) | (groups["ci_high"] < overall)
    groups["better"] = [_better(m, c - overall) for c in groups["mean_change"]]
    return groups[["dimension", "group", "mean_change", "ci_low", "ci_high", "apart", "better"]]


def _listed(rows: pd.DataFrame) -> str:
    return "; ".join(
        f"{r.group} ({r.dimension}, {r.mean_change:+.1f}, likely range {r.ci_low:+.1f} to {r.ci_high:+.1f})"
        for r in rows.itertuples()
    )


def for_whom(con: Con, f: Filters, measure: str, disclosure: Disclosure) -> Answer:
    """The groups whose change was clearly better or worse than everyone's, or a sentence saying none differs."""
    question = "For whom?"
    result = headline(con, f, measure, disclosure)
    if not result["shown"] or result["mean_change"] is None:
        return Answer(question, "Too few people have two scores in this period to compare groups.")
    overall = result["mean_change"]
    groups = standouts(con, f, measure, disclosure, overall)
    found = groups[groups["apart"]]
    if not (groups["dimension"].value_counts() >= 2).any():
        return Answer(
            question, f"Too few groups have at least {disclosure.min_count} people with two scores to compare."
        )
    if found.empty:
        return Answer(
            question,
            f"No group's change differs clearly from the average ({overall:+.1f} points): for each of the "
            f"{len(groups)} groups with at least {disclosure.min_count} people (by activity, age, gender, ethnicity, "
            "disability and deprivation), the likely range of its mean change includes the average.",
        )
    parts = []
    if (better := found[found["better"]]).size:
        parts.append(f"Change was clearly better than the average ({overall:+.1f} points) for {_listed(better)}.")
    if (worse := found[~found["better"]]).size:
        parts.append(f"It was clearly worse than the average for {_listed(worse)}.")
    return Answer(question, " ".join(parts), "bad" if worse.size else "good")


def will_it_be_funded(con: Con, f: Filters, today: dt.date | None = None) -> Answer:
    """The next financial year's secured income against expected spending, the reserves runway, the biggest
    funder's share of the whole organisation's income, and (given ``today``) the next report a funder expects."""
    question = "Will it still be funded?"
    year = secured_next_year(con, f)
    said = [year.sentence]
    tone = "neutral"
    if year.needed:
        covered = year.secured / year.needed
        tone = "good" if covered >= 1 else "bad" if covered < 0.5 else "neutral"
        said.append(f"That covers {min(covered, 1):.0%} of it." if covered < 1 else "That covers all of it.")
        if year.applied:
            said.append(f"A further £{year.applied:,.0f} has been applied for.")
    if (runway := runway_months(con, f)) is not None:
        said.append(f"Free reserves would cover {words.months(runway)} of spending at the last 12 months' rate.")
    funder, share = largest_funder(con, f)
    if funder is not None and share is not None:
        said.append(f"The biggest funder, {funder}, gave {share:.0%} of the charity's income in the period.")
    if today is not None and (report := next_due_in_words(con, today)):
        said.append(report)
    return Answer(question, " ".join(said), tone)
