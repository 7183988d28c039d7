"""Charts by financial quarter shared by several pages: people reached, and change in wellbeing."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipelines.charts.base import NEW, RETURNING, chart_title, finish, interval_tips, quarter_axis

UNSPLIT = "New and returning together"


def reach_over_quarters(frame: pd.DataFrame, note: str, hidden: str, rounded: bool = False) -> alt.Chart:
    """People reached per quarter, split into those new to the service and those returning; a quarter whose split
    is hidden (a part under 8) has one grey bar, its parts in its tooltip, and a quarter of fewer than 8 people has
    '<8' written where its bar would be: short enough for eight quarters on a phone. Counts rounded apart (for
    viewers and in files) would not stack to the people reached, so they stand side by side."""
    if rounded:
        return _reach_side_by_side(frame, note, hidden)
    who = {"new": "New to the service", "returning": "Returning"}
    unsplit = frame["new"].isna() & frame["returning"].isna() & frame["reached"].notna()
    parts = [
        pd.DataFrame({"quarter": frame["quarter"], "who": name, "people": frame[key], "label": frame[f"{key}_label"]})
        for key, name in who.items()
    ]
    whole = frame[unsplit]  # the split is hidden but the people reached are not: a bar without the split
    parts.append(
        pd.DataFrame(
            {"quarter": whole["quarter"], "who": UNSPLIT, "people": whole["reached"], "label": whole["reached_label"]}
        )
    )
    split = dict(
        zip(frame["quarter"], "new " + frame["new_label"] + ", returning " + frame["returning_label"], strict=True)
    )
    data = pd.concat(parts).assign(split=lambda d: d["quarter"].map(split))
    names = [*who.values(), *([UNSPLIT] if unsplit.any() else [])]
    tops = frame[["new", "returning"]].fillna(0).sum(axis=1).where(~unsplit, frame["reached"])
    small = frame["reached"].isna() & frame["reached_label"].str.startswith("<")
    withheld = frame["reached_label"].where(small, "")
    notes = pd.DataFrame({"quarter": frame["quarter"], "top": tops, "text": withheld})
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=quarter_axis("Financial quarter", frame["quarter"]),
            y=alt.Y("sum(people):Q", title="People reached", stack="zero"),
            color=alt.Color(
                "who:N",
                title=None,
                scale=alt.Scale(domain=names, range=[NEW, RETURNING, "#b8c4cc"][: len(names)]),
                legend=alt.Legend(orient="top", columns=2, labelLimit=0),
            ),
            order=alt.Order("who:N", sort="ascending"),
            tooltip=["quarter", "who", alt.Tooltip("label:N", title="people"), alt.Tooltip("split:N", title="of whom")],
        )
    )
    text = (
        alt.Chart(notes[notes["text"] != ""])
        .mark_text(dy=-4, baseline="bottom", color="#333", fontSize=10)
        .encode(x=quarter_axis("Financial quarter", frame["quarter"]), y="top:Q", text="text:N")
    )
    grey = "Grey: new and returning together where either is under 8 (each in the tooltip)." if unsplit.any() else ""
    return finish(
        alt.layer(bars, text).properties(title=chart_title("People reached each quarter", note, grey, hidden))
    )


def change_over_quarters(frame: pd.DataFrame, measure: str, note: str, hidden: str) -> alt.Chart:
    """Mean change in a measure for people followed up in each quarter, with its 95% confidence interval; a quarter
    whose figures are withheld shows its count ('<8') on the zero line."""
    data = frame[["quarter", "pairs", "label", "mean_change", "ci_low", "ci_high"]]
    base = alt.Chart(data).encode(x=quarter_axis("Quarter of follow-up", frame["quarter"]))
    y_title = "Mean change (points)"
    y = alt.Y("ci_low:Q", title=y_title, axis=alt.Axis(format=".1~f"))  # '0', not '0.000000', when all is withheld
    interval = base.mark_rule(strokeWidth=2, color=NEW).encode(y=y, y2="ci_high:Q")
    points = base.mark_point(filled=True, size=90, color=NEW).encode(
        y="mean_change:Q",
        tooltip=[
            "quarter",
            alt.Tooltip("label:N", title="people with two scores"),
            *interval_tips("mean_change", "mean change"),
        ],
    )
    withheld = data[data["mean_change"].isna() & (data["label"] != "0")].assign(y=0.0)
    counts = (
        alt.Chart(withheld)
        .mark_text(dy=-10, color="#777")
        .encode(x=quarter_axis("Quarter of follow-up", frame["quarter"]), y="y:Q", text="label:N")
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#888", strokeDash=[4, 4]).encode(y="y:Q")
    title = chart_title(
        f"Change in {measure}, by quarter of follow-up",
        note,
        "Latest minus first score. Dots: mean change; lines: 95% confidence interval.",
        "Quarters with too few people show their count, without figures." if len(withheld) else "",
        hidden,
    )
    return finish(alt.layer(zero, interval, points, counts).properties(title=title))


def _reach_side_by_side(frame: pd.DataFrame, note: str, hidden: str) -> alt.Chart:
    """People reached, new and returning each quarter as three bars side by side, each with its count written
    above it as published ('25', '<8', '–')."""
    who = {"reached": "People reached", "new": "New to the service", "returning": "Returning"}
    data = pd.concat(
        pd.DataFrame(
            {"quarter": frame["quarter"], "who": name, "people": frame[key].fillna(0), "label": frame[f"{key}_label"]}
        )
        for key, name in who.items()
    )
    x = quarter_axis("Financial quarter", frame["quarter"])
    offset = alt.XOffset("who:N", sort=list(who.values()))
    colour = alt.Color(
        "who:N",
        title=None,
        sort=list(who.values()),
        scale=alt.Scale(domain=list(who.values()), range=["#b8c4cc", NEW, RETURNING]),
        legend=alt.Legend(orient="top", columns=3, labelLimit=0),
    )
    y = alt.Y("people:Q", title="People (rounded to 5)")
    base = alt.Chart(data).encode(x=x, xOffset=offset)
    bars = base.mark_bar().encode(y=y, color=colour, tooltip=["quarter", "who", alt.Tooltip("label:N", title="people")])
    labels = base.mark_text(dy=-3, baseline="bottom", color="#333", fontSize=9).encode(y="people:Q", text="label:N")
    rounding = "Each count is rounded to 5 on its own, so new and returning may not add up to the people reached."
    return finish(
        alt.layer(bars, labels).properties(title=chart_title("People reached each quarter", note, rounding, hidden))
    )
