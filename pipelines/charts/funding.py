"""Funding charts: income, dependence on one funder, grants over time, secured against needed, reserves."""

from __future__ import annotations

import datetime as dt
import textwrap

import altair as alt
import pandas as pd

from pipelines.charts.base import ACCENT, NEW, chart_title, colour_key, finish, plain, quarter_axis

MONEY = alt.Axis(format="~s", labelExpr="'£' + datum.label")
APPLIED = "#f2b134"
STATUS_COLOURS = alt.Scale(domain=["secured", "applied"], range=[NEW, APPLIED])
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]  # colour-blind safe
OTHER, OTHER_COLOUR = "Other funders", "#a0a0a0"
PLOT_HEIGHT = 360  # pixels of a chart's plot, not counting the legend below it
TIMELINE_ROW = 48  # pixels per funding line: its name (up to two lines) over its bar
NAME_WIDTH = 46  # characters of a funding line's name per line of text, so that it fits a phone's width


def quarter_x(title: str, count: int) -> alt.X:
    """Financial quarters with wide margins when there are only one or two, so that a bar is not a slab."""
    return quarter_axis(title).scale(paddingInner=0.3, paddingOuter=1 if count <= 2 else 0.2)


def bar_width(count: int) -> alt.RelativeBandSize:
    """Bars about as wide for one quarter as for four (with ``quarter_x``)."""
    return alt.RelativeBandSize(0.5 if count == 1 else 0.7)


def group_colours(groups: list[str], rank: dict[str, int] | None = None) -> tuple[dict[str, str], alt.Scale]:
    """Each group's colour key and the colour scale: the groups ranked first (a fixed rank, so that a funder keeps
    its colour from chart to chart and filter to filter) in the Okabe-Ito palette; a later one takes a colour no
    group shown has, while any is free (the only funder of one activity is named, not "Other funders"); the rest
    together in grey. Without a rank, the groups in alphabetical order."""
    rank = rank or {g: i for i, g in enumerate(sorted(groups))}
    named = {g: rank[g] for g in groups if rank.get(g, len(OKABE_ITO)) < len(OKABE_ITO)}
    free = [i for i in range(len(OKABE_ITO)) if i not in named.values()]
    later = sorted((g for g in groups if g not in named), key=lambda g: (rank.get(g, len(rank)), g))
    named |= dict(zip(later, free, strict=False))
    colours = {g: g if g in named else OTHER for g in groups}
    domain = sorted(named, key=named.__getitem__)
    palette = [OKABE_ITO[named[g]] for g in domain]
    if OTHER in colours.values():
        domain, palette = [*domain, OTHER], [*palette, OTHER_COLOUR]
    return colours, alt.Scale(domain=domain, range=palette)


def income_stacked(frame: pd.DataFrame, split: str, note: str) -> alt.Chart:
    """Secured income per quarter, stacked by funder, type of income or restricted; a ``rank`` column (each funder's
    place among all funders) fixes the colours."""
    ranked = frame.dropna(subset=["rank"]) if "rank" in frame else frame.iloc[:0]
    rank = dict(zip(ranked["group"], ranked["rank"].astype(int), strict=True)) if len(ranked) else None
    colours, scale = group_colours(list(dict.fromkeys(frame["group"])), rank)
    data = frame.assign(colour=frame["group"].map(colours))
    bars = (
        alt.Chart(data)
        .mark_bar(stroke="white", strokeWidth=0.5, width=bar_width(frame["quarter"].nunique()))
        .encode(
            x=quarter_x("Financial quarter", frame["quarter"].nunique()),
            y=alt.Y("sum(income):Q", title="Income (£)", axis=MONEY),
            color=colour_key(split.capitalize(), scale),
            order=alt.Order("income:Q", sort="descending"),
            tooltip=[
                "quarter",
                alt.Tooltip("group:N", title=split),
                alt.Tooltip("income:Q", title="income", format=",.0f"),
            ],
        )
    )
    subtitle = "Each grant's amount spread evenly by day over its dates; secured income only."
    chart = finish(bars.properties(title=chart_title(f"Income each quarter, by {split}", note, subtitle)))
    return chart.properties(  # only the width fits the page: the legend below takes room of its own
        height=PLOT_HEIGHT, autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    )


def concentration(frame: pd.DataFrame, warn_share: float, note: str) -> alt.Chart:
    """The share of the whole charity's income from its biggest funder, per quarter, against the warning share."""
    base = alt.Chart(frame).encode(
        x=quarter_x("Financial quarter", len(frame)),
        y=alt.Y(
            "largest_share:Q",
            title="Share from the biggest funder",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
    )
    bars = base.mark_bar(color=NEW, width=bar_width(len(frame))).encode(
        tooltip=[
            "quarter",
            alt.Tooltip("largest_funder:N", title="biggest funder"),
            alt.Tooltip("largest_share:Q", title="share of income", format=".0%"),
        ]
    )
    shares = base.mark_text(baseline="bottom", dy=-3).encode(text=alt.Text("largest_share:Q", format=".0%"))
    rule = alt.Chart(pd.DataFrame({"y": [warn_share]})).mark_rule(color=ACCENT, strokeDash=[5, 3]).encode(y="y:Q")
    subtitle = [
        "Of the whole charity's income, whichever activities are chosen.",
        f"Red dashed line: {warn_share:.0%}, above which depending on one funder is a risk.",
    ]
    return finish(
        alt.layer(bars, shares, rule).properties(
            title=chart_title("How dependent the charity is on one funder", note, *subtitle)
        )
    )


def _line_name(funder: str, title: str, status: str) -> str:
    """A funding line's full name, wrapped onto lines of text; applied-for lines say so in words."""
    name = f"{funder}: {title}" + (" (applied for)" if status == "applied" else "")
    return "\n".join(textwrap.wrap(name, NAME_WIDTH))


def grant_timeline(frame: pd.DataFrame, period_end: dt.date, today: dt.date) -> alt.Chart:
    """Each funding line from its start to its end date, its full name written above its bar, coloured by status,
    with the end of the chosen period (where forecasts start) and today marked."""
    data = frame.assign(
        line=frame["funder"] + ": " + frame["title"],
        name=[_line_name(*r) for r in frame[["funder", "title", "status"]].itertuples(index=False)],
    )
    rows = alt.Scale(paddingInner=0, paddingOuter=0)
    base = alt.Chart(data).encode(y=alt.Y("line:N", title=None, sort=None, axis=None, scale=rows))
    bars = base.mark_bar(height=12, yOffset=TIMELINE_ROW / 2 - 10, cornerRadius=2).encode(
        x=alt.X("start_date:T", title=None, axis=alt.Axis(format="%b %Y", labelOverlap=True)),
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
    names = base.mark_text(align="left", baseline="top", dy=2 - TIMELINE_ROW / 2, lineBreak="\n", fontSize=11).encode(
        x=alt.value(0), text="name:N"
    )
    marks = pd.DataFrame({"day": [pd.Timestamp(period_end), pd.Timestamp(today)], "what": ["end of period", "today"]})
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeWidth=2)
        .encode(
            x="day:T",
            color=alt.Color(
                "what:N", title=None, scale=alt.Scale(range=[ACCENT, "#555"]), legend=alt.Legend(orient="top")
            ),
            strokeDash=alt.StrokeDash("what:N", scale=alt.Scale(range=[[1, 0], [4, 3]]), legend=None),
        )
    )
    title = chart_title(
        "When each grant and contract runs",
        f"Red line: the end of the chosen period, {period_end:%-d %B %Y}, where forecasts start. "
        f"Grey dashed line: today, {today:%-d %B %Y}.",
        "Declined bids are left out.",
    )
    layers = alt.layer(bars, names, rules).resolve_scale(color="independent")
    return plain(layers.properties(title=title), TIMELINE_ROW * len(data))


def secured_against_needed(frame: pd.DataFrame, totals: pd.DataFrame) -> alt.Chart:
    """Secured income against expected spending for the quarters ahead, each quarter's secured total written on its
    bar and each financial year's sums in the subtitle; the gap shaded; applied-for apart."""
    data = frame.assign(applied_top=frame["secured"] + frame["applied"])
    top = pd.concat([data["needed"], data["applied_top"]]).max()
    domain = [0, float(top) * 1.1 if pd.notna(top) and top > 0 else 1]
    base = alt.Chart(data).encode(x=quarter_x("Financial quarter", len(data)))
    y = alt.Y("secured:Q", title="£ per quarter", axis=MONEY, scale=alt.Scale(domain=domain))
    gap = base.mark_area(color=ACCENT, opacity=0.15).encode(y=y, y2="needed:Q")
    secured = base.mark_bar(color=NEW, width=bar_width(len(data))).encode(
        y="secured:Q", tooltip=["quarter", alt.Tooltip("secured:Q", format=",.0f")]
    )
    labels = (
        base.transform_calculate(words="'£' + format(datum.secured, '.2~s')")
        .mark_text(baseline="top", dy=4, color="white", fontSize=10)
        .encode(y="secured:Q", text="words:N")
    )
    applied = base.mark_tick(color=APPLIED, thickness=3, size=30).encode(
        y="applied_top:Q", tooltip=["quarter", alt.Tooltip("applied:Q", format=",.0f", title="applied for")]
    )
    needed = base.mark_line(color=ACCENT, point=alt.OverlayMarkDef(color=ACCENT)).encode(
        y="needed:Q", tooltip=["quarter", alt.Tooltip("needed:Q", format=",.0f", title="expected spending"), "basis"]
    )
    layers = alt.layer(gap, secured, labels, applied, needed)
    subtitle = [
        *(year_total(row) for row in totals.itertuples(index=False)),
        "Blue bars: secured income. Red line: expected spending (budget where recorded, else the last 12 months' rate).",
        "Shaded: the gap still to find. Yellow marks: secured plus applied-for, if every bid succeeded.",
    ]
    return finish(layers.properties(title=chart_title("Secured income against what the service needs", *subtitle)))


def year_total(row) -> str:
    """'2026-27 (4 quarters): £X secured of £Y expected spending, gap £Z.'"""
    head = f"{row.year} ({row.quarters} quarter{'s' if row.quarters != 1 else ''} shown): £{row.secured:,.0f} secured"
    if pd.isna(row.needed):
        return f"{head}; no spending recorded to compare with."
    return f"{head} of £{row.needed:,.0f} expected spending, gap £{row.gap:,.0f}."


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
