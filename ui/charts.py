"""Altair charts shared by the pages: titled, labelled, with period and suppression noted in the subtitle."""

from __future__ import annotations

import altair as alt
import pandas as pd

FONT = "Source Sans Pro, Arial, sans-serif"
NEW, RETURNING, ACCENT = "#1f6f8b", "#99c1de", "#d1495b"


def _title(text: str, *subtitle: str) -> alt.Title:
    return alt.Title(text, subtitle=[s for s in subtitle if s], anchor="start", fontSize=16, subtitleColor="#555")


def quarter_axis(title: str) -> alt.X:
    """Financial quarters in order, each label on two lines ('2025-26' over 'Q1') so none is dropped."""
    return alt.X(
        "quarter:N",
        title=title,
        sort=None,
        axis=alt.Axis(labelAngle=0, labelOverlap=False, labelFontSize=10, labelExpr="split(datum.label, ' ')"),
    )


def _finish(chart: alt.Chart) -> alt.Chart:
    return chart.properties(height=400).configure(font=FONT).configure_view(stroke=None)


def reach_over_quarters(frame: pd.DataFrame, note: str, threshold: int) -> alt.Chart:
    """People reached per quarter, split into those new to the service and those returning."""
    data = frame.assign(returning=frame["reached"] - frame["new"])[["quarter", "new", "returning"]].melt(
        id_vars=["quarter"], value_vars=["new", "returning"], var_name="who", value_name="people"
    )
    data["who"] = data["who"].map({"new": "New to the service", "returning": "Returning"})
    hidden = data["people"].between(1, threshold - 1)
    data.loc[hidden, "people"] = None
    suppressed = f"Counts of 1–{threshold - 1} people are hidden." if hidden.any() else ""
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=quarter_axis("Financial quarter"),
            y=alt.Y("sum(people):Q", title="People reached", stack="zero"),
            color=alt.Color(
                "who:N",
                title=None,
                scale=alt.Scale(domain=["New to the service", "Returning"], range=[NEW, RETURNING]),
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("who:N", sort="ascending"),
            tooltip=["quarter", "who", alt.Tooltip("people:Q", title="people", format=",")],
        )
    )
    return _finish(bars.properties(title=_title("People reached each quarter", note, suppressed)))


def change_over_quarters(frame: pd.DataFrame, measure: str, note: str, threshold: int) -> alt.Chart:
    """Mean change in a measure for people followed up in each quarter, with its 95% confidence interval."""
    data = frame[["quarter", "pairs", "mean_change", "ci_low", "ci_high"]].copy()
    small = data["pairs"] < threshold
    data.loc[small, ["mean_change", "ci_low", "ci_high"]] = None
    suppressed = (
        f"Quarters with fewer than {threshold} people are not shown." if (small & (data["pairs"] > 0)).any() else ""
    )
    base = alt.Chart(data).encode(x=quarter_axis("Quarter of follow-up"))
    y_title = "Mean change (points)"
    interval = base.mark_rule(strokeWidth=2, color=NEW).encode(y=alt.Y("ci_low:Q", title=y_title), y2="ci_high:Q")
    points = base.mark_point(filled=True, size=90, color=NEW).encode(
        y="mean_change:Q",
        tooltip=[
            "quarter",
            alt.Tooltip("pairs:Q", title="people with two scores"),
            alt.Tooltip("mean_change:Q", title="mean change", format=".1f"),
            alt.Tooltip("ci_low:Q", title="95% CI from", format=".1f"),
            alt.Tooltip("ci_high:Q", title="95% CI to", format=".1f"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#888", strokeDash=[4, 4]).encode(y="y:Q")
    title = _title(
        f"Change in {measure}, by quarter of follow-up",
        note,
        "Latest minus first score. Dots: mean change; lines: 95% confidence interval.",
        suppressed,
    )
    return _finish(alt.layer(zero, interval, points).properties(title=title))
