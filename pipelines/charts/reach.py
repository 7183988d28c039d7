"""Reach charts: people per group, representation against the population, and a share over quarters."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipelines.charts.base import (
    ACCENT,
    GROUP_TIPS,
    NEW,
    chart_title,
    finish,
    interval_tips,
    plain,
    quarter_axis,
    withheld_text,
)


def group_bars(frame: pd.DataFrame, title: str, note: str, hidden: str) -> alt.Chart:
    """Horizontal bars of people per group; a group whose count is hidden keeps its row, labelled ('<8', '–')."""
    data = frame.assign(at=frame["people"].fillna(0))
    base = alt.Chart(data).encode(
        y=alt.Y("group:N", title=None, sort=list(data["group"]), axis=alt.Axis(labelLimit=320, labelOverlap=False)),
        x=alt.X("at:Q", title="People"),
    )
    bars = base.mark_bar(color=NEW).encode(x=alt.X("people:Q", title="People"), tooltip=GROUP_TIPS)
    labels = base.mark_text(align="left", dx=4, color="#333").encode(text="label:N")
    return plain(alt.layer(bars, labels).properties(title=chart_title(title, note, hidden)), 130 + 26 * len(data))


def representation_plot(frame: pd.DataFrame, label: str, area: str, note: str, hidden: str) -> alt.Chart:
    """Representation ratio per group with its 95% CI, around 1 (reached in the same share as the population)."""
    data = frame[frame["compared"]].assign(
        row=lambda t: [f"{g} ({n} people)" for g, n in zip(t["group"], t["label"], strict=True)]
    )
    base = alt.Chart(data).encode(
        y=alt.Y("row:N", title=None, sort=list(data["row"]), axis=alt.Axis(labelLimit=320, labelOverlap=False))
    )
    x = alt.X(
        "ratio_low:Q",
        title=f"Representation ratio (share reached ÷ share of {area})",
        scale=alt.Scale(type="log", domain=[0.1, 10]),
    )
    tooltip = [
        *GROUP_TIPS,
        alt.Tooltip("share:Q", format=".1%", title="share reached"),
        alt.Tooltip("benchmark:Q", format=".1%", title="share of population"),
        *interval_tips("ratio", "ratio", "ratio_low", "ratio_high", ".2f"),
    ]
    colour = alt.Color(
        "verdict:N",
        legend=None,
        scale=alt.Scale(domain=["under", "in line", "over"], range=[ACCENT, "#7a8a96", "#2a9d8f"]),
    )
    layers = [
        alt.Chart(pd.DataFrame({"x": [1]})).mark_rule(color="#444", strokeDash=[4, 4]).encode(x="x:Q"),
        base.mark_rule(strokeWidth=2).encode(x=x, x2="ratio_high:Q", color=colour),
        base.mark_point(filled=True, size=90).encode(x="ratio:Q", color=colour, tooltip=tooltip),
        withheld_text(base, "withheld"),
    ]
    subtitle = "1 = reached in the same share as the population; below 1, fewer than expected. Lines: 95% CI."
    key = "Red: under-represented; grey: in line with the population; green: over-represented."
    title = chart_title(f"Who the service reaches by {label}, against {area}", note, subtitle, key, hidden)
    return plain(alt.layer(*layers).properties(title=title), 150 + 40 * len(data))


def share_over_quarters(
    frame: pd.DataFrame, title: str, y_title: str, note: str, target: float | None = None
) -> alt.Chart:
    """A share per quarter as a line, with an optional reference line (e.g. 20% for Core20); quarters whose share
    is withheld are left as gaps."""
    layers = [
        alt.Chart(frame)
        .mark_line(point=True, color=NEW)
        .encode(
            x=quarter_axis("Financial quarter"),
            y=alt.Y("share:Q", title=y_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                "quarter",
                alt.Tooltip("share:Q", format=".0%"),
                alt.Tooltip("known:Q", title="people with a known decile"),
            ],
        )
    ]
    reference = ""
    if target is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"y": [target]})).mark_rule(color=ACCENT, strokeDash=[5, 3]).encode(y="y:Q")
        )
        reference = f"Red dashed line: {target:.0%}, the share if the service reached every area equally."
    withheld = frame["share"].isna() & (frame["known"].isna() | (frame["known"] > 0))
    gaps = "Quarters where the share could identify someone are not shown." if withheld.any() else ""
    return finish(alt.layer(*layers).properties(title=chart_title(title, note, reference, gaps)))
