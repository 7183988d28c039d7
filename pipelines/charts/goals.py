"""Charts of Goal-Based Outcomes: progress towards goals, and change in goal ratings by group."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipelines.charts.base import chart_title
from pipelines.charts.outcomes import forest, share_bars

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
