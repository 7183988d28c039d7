"""What every chart shares: fonts, colours, titles, the quarter axis and the finish.

The charts are shared by the pages and the exported files: titled, labelled, with period and suppression noted.

They only draw. Counts of people arrive made safe (pipelines/disclosure.py): nullable, with a ``label`` column
('<8', '–', '1,234'); a group whose count is hidden stays on its axis with that label in place of a bar or dot."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import altair as alt
import pandas as pd

FONT = "Source Sans Pro, Arial, sans-serif"
NEW, RETURNING, ACCENT = "#1f6f8b", "#99c1de", "#d1495b"


TITLE_WIDTH, SUBTITLE_WIDTH = 36, 54  # characters per line that fit a phone's width (390 px), measured


def chart_title(text: str, *subtitle: str) -> alt.Title:
    """A title and subtitle lines, wrapped so that a narrow screen shows them whole instead of cutting them short."""
    lines = textwrap.wrap(text, TITLE_WIDTH, break_on_hyphens=False)
    below = [line for s in subtitle if s for line in textwrap.wrap(s, SUBTITLE_WIDTH, break_on_hyphens=False)]
    return alt.Title(
        lines[0] if len(lines) == 1 else lines, subtitle=below, anchor="start", fontSize=16, subtitleColor="#555"
    )


GROUP_TIPS = ["group", alt.Tooltip("label:N", title="people")]  # a group and its people as shown ('<8')


def interval_tips(value: str, title: str, low: str = "ci_low", high: str = "ci_high", fmt: str = ".1f") -> list:
    """Tooltip lines for a figure and its 95% confidence interval."""
    return [
        alt.Tooltip(f"{value}:Q", title=title, format=fmt),
        alt.Tooltip(f"{low}:Q", title="95% CI from", format=fmt),
        alt.Tooltip(f"{high}:Q", title="95% CI to", format=fmt),
    ]


def quarter_axis(title: str, quarters: Sequence[str] | None = None) -> alt.X:
    """Financial quarters in order, labelled 'Q1', 'Q2'… with the year under the first quarter shown and each Q1,
    so that eight quarters fit a phone without labels overlapping.

    Given ``quarters``, the axis holds them all in that order, even those a layer leaves empty (a withheld figure),
    and with fewer than four the outer padding grows, so that one quarter is a bar, not a wall."""
    count = 8 if quarters is None else len(quarters)
    return alt.X(
        "quarter:N",
        title=title,
        sort=None if quarters is None else list(quarters),
        scale=alt.Scale(paddingInner=0.2, paddingOuter=min(1, max(0.1, (4 - count) / 2))),
        axis=year_under(unit=1, first="Q1"),
    )


def year_under(unit: int, first: str) -> alt.Axis:
    """Labels such as '2025-26 Q1' or 'Apr 2025' written as their ``unit`` word (the first word or the second), with
    the year under the first label and under each ``first`` of a year ('Q1', 'Jan')."""
    years = f"datum.index == 0 || split(datum.label, ' ')[{unit}] == '{first}'"
    return alt.Axis(
        labelAngle=0,
        labelOverlap=False,
        labelFontSize=10,
        labelExpr=f"[split(datum.label, ' ')[{unit}], {years} ? split(datum.label, ' ')[{1 - unit}] : '']",
    )


# Fitted to the page's width only: the plot keeps its height and the title its lines above it. Fitted both ways (as
# a page would by default), a title of several lines is pushed up out of the chart and cut off.
WIDTH_ONLY = alt.AutoSizeParams(type="fit-x", contains="padding")


def wrapped(names: Iterable[object], width: int) -> list[str]:
    """Each name in lines of at most ``width`` characters joined by '|', for an axis that splits its labels there
    (``labelExpr="split(datum.label, '|')"``); a blank name as one space."""
    return ["|".join(textwrap.wrap(str(name), width)) or " " for name in names]


def colour_key(title: str, scale: alt.Scale) -> alt.Color:
    """Each group's colour (the data's ``colour``), keyed in a list under the chart, which a phone has room for."""
    return alt.Color(
        "colour:N", title=title, scale=scale, legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400)
    )


def finish(chart: alt.Chart) -> alt.Chart:
    return plain(chart, 400)


def plain(chart: alt.Chart, height: int) -> alt.Chart:
    return chart.properties(height=height, autosize=WIDTH_ONLY).configure(font=FONT).configure_view(stroke=None)


def nothing_drawn(title: alt.Title, text: str) -> alt.Chart:
    """A chart that keeps its title and says in words why it has nothing to draw, instead of empty axes."""
    lines = "\n".join(textwrap.wrap(text, SUBTITLE_WIDTH))
    note = alt.Chart(pd.DataFrame({"text": [lines]})).mark_text(
        fontSize=13, color="#555", align="left", baseline="top", x=0, y=10, lineBreak="\n"
    )
    return plain(note.encode(text="text:N").properties(title=title), 70)


def withheld_text(base: alt.Chart, text: str) -> alt.Chart:
    """Words in place of the marks of the rows whose figures are not shown."""
    return (
        base.transform_filter("!datum.shown")
        .mark_text(align="left", color="#777", fontStyle="italic")
        .encode(x=alt.value(6), text=alt.value(text))
    )
