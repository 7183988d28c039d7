"""The Five Ways to Wellbeing chart: people and sessions per way."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipelines.charts.base import GROUP_TIPS, NEW, chart_title, plain
from pipelines.charts.reach import PEOPLE_AXIS


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
