"""Charts of Goal-Based Outcomes and the Five Ways to Wellbeing: progress towards goals, change in goal ratings by
group, and people and sessions per way."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipelines.charts.base import GROUP_TIPS, NEW, chart_title, plain
from pipelines.charts.outcomes import forest, share_bars
from pipelines.charts.reach import PEOPLE_AXIS

GOAL_RATING = "goal rating"  # the measure's name in the forest plots' titles: 'Change in goal rating by goal area'
RELIABLE = "Reliable progress: a rise of 3 points or more on the 0–10 scale (2.45, CORC)."
COUNTED = "n: goals rated twice (people, where too few to show)."


def goal_forest(frame: pd.DataFrame, label: str, note: str, overall: float | None, hidden: str) -> alt.Chart:
    """Mean change in goal ratings with its 95% CI per group (``charts.forest``), n counting goals."""
    return forest(frame, GOAL_RATING, label, note, overall, " ".join(filter(None, [COUNTED, hidden])))


def goal_progress(frame: pd.DataFrame, note: str, hidden: str) -> alt.Chart:
    """One bar per category of change (improved / no reliable change / deteriorated): its share of the goals rated
    twice, or its label ('<8', '–') where the count is hidden."""
    title = chart_title("Progress towards people's own goals", note, RELIABLE, hidden)
    return share_bars(frame, title, counted="goals", axis="Share of goals rated twice", room=1.35)


def people_by_way(frame: pd.DataFrame, note: str, hidden: str) -> alt.Chart:
    """Horizontal bars of people per way to wellbeing, each with its people and sessions (``words``) written beyond
    the bar; a way whose people are hidden keeps its row, labelled."""
    data = frame.assign(at=frame["people"].fillna(0))
    top = max(float(data["at"].max() if len(data) else 0), 1.0)
    base = alt.Chart(data).encode(
        y=alt.Y("group:N", title=None, sort=list(data["group"]), axis=alt.Axis(labelLimit=200)),
        x=alt.X("at:Q", title="People", scale=alt.Scale(domain=[0, top * 1.9], nice=False), axis=PEOPLE_AXIS),
    )
    bars = base.mark_bar(color=NEW).encode(
        tooltip=[*GROUP_TIPS, alt.Tooltip("sessions:Q", title="sessions", format=",")]
    )
    labels = base.mark_text(align="left", dx=4, color="#333").encode(text="words:N")
    title = chart_title(
        "People reached by way to wellbeing",
        note,
        "One person counts under each way of each activity they attended, so the bars add up to more than the "
        "people reached.",
        hidden,
    )
    return plain(alt.layer(bars, labels).properties(title=title), 110 + 20 * len(title.subtitle) + 30 * len(data))
