"""Volunteering charts: hours given each month, by activity."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipelines.charts.base import chart_title, colour_key, finish, year_under
from pipelines.charts.funding import OTHER, PLOT_HEIGHT, group_colours

OTHER_ACTIVITIES = "Other activities"


def month_axis(months: list[str]) -> alt.X:
    """Months in order, labelled 'Apr', 'May'… with the year under the first month and each January."""
    return alt.X(
        "label:N", title="Month", sort=months, scale=alt.Scale(paddingInner=0.2), axis=year_under(unit=0, first="Jan")
    )


def hours_by_month(frame: pd.DataFrame, note: str, caveat: str = "") -> alt.Chart:
    """Volunteer hours each month, stacked by activity (time for the whole organisation as its own colour)."""
    by_hours = frame.groupby("activity")["hours"].sum().sort_values(ascending=False, kind="stable")
    colours, scale = group_colours(
        list(by_hours.index), {g: i for i, g in enumerate(by_hours.index)}
    )  # most hours first
    scale.domain = [OTHER_ACTIVITIES if g == OTHER else g for g in scale.domain]
    data = frame.assign(colour=frame["activity"].map(colours).replace(OTHER, OTHER_ACTIVITIES))
    months = list(dict.fromkeys(frame["label"]))
    bars = (
        alt.Chart(data)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=month_axis(months),
            y=alt.Y("sum(hours):Q", title="Volunteer hours", axis=alt.Axis(format=",.0f")),
            color=colour_key("Activity", scale),
            order=alt.Order("hours:Q", sort="descending"),
            tooltip=[
                alt.Tooltip("label:N", title="month"),
                "activity",
                alt.Tooltip("hours:Q", title="hours", format=",.1f"),
                alt.Tooltip("value:Q", title="value (£)", format=",.0f"),
            ],
        )
    )
    chart = finish(bars.properties(title=chart_title("Volunteer hours each month, by activity", note, caveat)))
    return chart.properties(height=PLOT_HEIGHT, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
