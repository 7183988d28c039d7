"""Funding charts: income, dependence on one funder, grants over time, secured against needed, reserves."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from pipelines.charts.base import ACCENT, NEW, chart_title, finish, plain, quarter_axis

MONEY = alt.Axis(format="~s", labelExpr="'£' + datum.label")
STATUS_COLOURS = alt.Scale(domain=["secured", "applied"], range=[NEW, "#f2b134"])


def income_stacked(frame: pd.DataFrame, split: str, note: str) -> alt.Chart:
    """Secured income per quarter, stacked by funder, type of income or restricted."""
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=quarter_axis("Financial quarter"),
            y=alt.Y("sum(income):Q", title="Income (£)", axis=MONEY),
            color=alt.Color("group:N", title=split.capitalize(), legend=alt.Legend(orient="right", labelLimit=240)),
            order=alt.Order("income:Q", sort="descending"),
            tooltip=[
                "quarter",
                alt.Tooltip("group:N", title=split),
                alt.Tooltip("income:Q", title="income", format=",.0f"),
            ],
        )
    )
    subtitle = "Each grant's amount spread evenly by day over its dates; secured income only."
    return finish(bars.properties(title=chart_title(f"Income each quarter, by {split}", note, subtitle)))


def concentration(frame: pd.DataFrame, warn_share: float, note: str) -> alt.Chart:
    """The largest funder's share of income, and the Herfindahl index, per quarter."""
    data = frame.melt(
        id_vars=["quarter", "largest_funder"],
        value_vars=["largest_share", "herfindahl"],
        var_name="what",
        value_name="value",
    )
    data["what"] = data["what"].map(
        {"largest_share": "Largest funder's share", "herfindahl": "Concentration (Herfindahl)"}
    )
    lines = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=quarter_axis("Financial quarter"),
            y=alt.Y("value:Q", title="Share of income", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "what:N",
                title=None,
                legend=alt.Legend(orient="top", labelLimit=260),
                scale=alt.Scale(range=[NEW, "#7a8a96"]),
            ),
            tooltip=[
                "quarter",
                "what",
                alt.Tooltip("value:Q", format=".0%"),
                alt.Tooltip("largest_funder:N", title="largest funder"),
            ],
        )
    )
    rule = alt.Chart(pd.DataFrame({"y": [warn_share]})).mark_rule(color=ACCENT, strokeDash=[5, 3]).encode(y="y:Q")
    subtitle = f"Red dashed line: {warn_share:.0%}, above which one funder is a risk. Herfindahl 1 = one funder only."
    return finish(
        alt.layer(lines, rule).properties(
            title=chart_title("How dependent the charity is on one funder", note, subtitle)
        )
    )


def grant_timeline(frame: pd.DataFrame, today: dt.date) -> alt.Chart:
    """Each funding line from its start to its end date, coloured by status, with today marked."""
    data = frame.assign(line=frame["funder"] + ": " + frame["title"])
    bars = (
        alt.Chart(data)
        .mark_bar(height=14, cornerRadius=2)
        .encode(
            y=alt.Y("line:N", title=None, sort=None, axis=alt.Axis(labelLimit=360, labelOverlap=False)),
            x=alt.X("start_date:T", title=None, axis=alt.Axis(format="%b %Y")),
            x2="end_date:T",
            color=alt.Color("status:N", title=None, scale=STATUS_COLOURS, legend=alt.Legend(orient="top")),
            tooltip=[
                "funder",
                "title",
                "status",
                alt.Tooltip("amount:Q", format=",.0f"),
                alt.Tooltip("annual_value:Q", format=",.0f", title="a year"),
                alt.Tooltip("start_date:T", format="%d %b %Y"),
                alt.Tooltip("end_date:T", format="%d %b %Y"),
            ],
        )
    )
    now = pd.DataFrame({"today": [pd.Timestamp(today)]})
    rule = alt.Chart(now).mark_rule(color=ACCENT, strokeWidth=2).encode(x="today:T")
    label = (
        alt.Chart(now)
        .mark_text(color=ACCENT, align="left", dx=4, dy=-6, y=0)
        .encode(x="today:T", text=alt.value("today"))
    )
    title = chart_title("When each grant and contract runs", f"Today: {today:%-d %B %Y}. Declined bids are left out.")
    return plain(alt.layer(bars, rule, label).properties(title=title), 120 + 22 * len(data))


def secured_against_needed(frame: pd.DataFrame) -> alt.Chart:
    """Secured income against expected spending for the quarters ahead, the gap shaded; applied-for apart."""
    base = alt.Chart(frame.assign(applied_top=frame["secured"] + frame["applied"])).encode(
        x=quarter_axis("Financial quarter")
    )
    gap = base.mark_area(color=ACCENT, opacity=0.15).encode(
        y=alt.Y("secured:Q", title="£ per quarter", axis=MONEY), y2="needed:Q"
    )
    secured = base.mark_bar(color=NEW, width=26).encode(
        y="secured:Q", tooltip=["quarter", alt.Tooltip("secured:Q", format=",.0f")]
    )
    applied = base.mark_tick(color="#f2b134", thickness=3, size=30).encode(
        y="applied_top:Q", tooltip=["quarter", alt.Tooltip("applied:Q", format=",.0f", title="applied for")]
    )
    needed = base.mark_line(color=ACCENT, point=alt.OverlayMarkDef(color=ACCENT)).encode(
        y="needed:Q", tooltip=["quarter", alt.Tooltip("needed:Q", format=",.0f", title="expected spending"), "basis"]
    )
    layers = alt.layer(gap, secured, applied, needed)
    subtitle = [
        "Blue bars: secured income. Red line: expected spending (budget where recorded, else the last 12 months' rate).",
        "Shaded: the gap still to find. Yellow marks: secured plus applied-for, if every bid succeeded.",
    ]
    return finish(layers.properties(title=chart_title("Secured income against what the service needs", *subtitle)))


def reserves(frame: pd.DataFrame, policy: tuple[float, float]) -> alt.Chart:
    """Free reserves over time against the reserves policy range (months of spending, in pounds)."""
    base = alt.Chart(frame).encode(x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y")))
    band = base.mark_area(color="#2a9d8f", opacity=0.15).encode(
        y=alt.Y("policy_low:Q", title="£", axis=MONEY), y2="policy_high:Q"
    )
    line = base.mark_line(point=True, color=NEW).encode(
        y="free_reserves:Q",
        tooltip=[
            alt.Tooltip("date:T", format="%d %b %Y"),
            alt.Tooltip("free_reserves:Q", format=",.0f", title="free reserves"),
            alt.Tooltip("runway_months:Q", format=".1f", title="runway (months)"),
        ],
    )
    subtitle = f"Green band: the reserves policy, {policy[0]:g} to {policy[1]:g} months of spending (average of the last 12 months)."
    return finish(alt.layer(band, line).properties(title=chart_title("Free reserves", subtitle)))
