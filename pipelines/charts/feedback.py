"""What participants say: the Friends and Family Test's share positive, with its 95% interval, by quarter and by
activity. Figures arrive made safe (pipelines/feedback.py): a share is blank where it could identify someone."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipelines.charts.base import NEW, chart_title, finish, plain, quarter_axis, wrapped

SHARE = alt.Scale(domain=[0, 1])
NOT_SHOWN = "not shown"
WHAT = "Good or very good, of all answers (Don't know included); black line: 95% interval."
NAME_WRAP = 24
HALO_AND_LINE = (("white", 4), ("#111", 1.5))  # the interval over a white halo, so that it shows on any bar


def share_text(share: float | None) -> str:
    return NOT_SHOWN if share is None or pd.isna(share) else f"{share:.0%}"


def _with_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        text=[share_text(s) for s in frame["share_positive"]],
        at=frame["high"].fillna(0),
        answers=frame["label"],
    )


def _gaps(frame: pd.DataFrame) -> str:
    if (frame["share_positive"].isna() & (frame["label"] != "0")).any():
        return "A share is not shown where too few answered, or where it could give away a small number of answers."
    return ""


def _intervals(base: alt.Chart, along: str) -> list[alt.Chart]:
    """Each interval (``low`` to ``high``, where given) as a line ``along`` the share's axis, over a white halo."""
    shown = base.transform_filter("isValid(datum.low)")
    return [
        shown.mark_rule(color=colour, strokeWidth=width).encode(**{along: "low:Q", f"{along}2": "high:Q"})
        for colour, width in HALO_AND_LINE
    ]


def share_positive_by_quarter(frame: pd.DataFrame, note: str) -> alt.Chart:
    """Share positive per quarter as bars with the interval as a black line and the share written above it; a
    quarter whose share is withheld keeps its place, marked 'not shown'."""
    data = _with_text(frame)
    base = alt.Chart(data).encode(x=quarter_axis("Financial quarter", list(frame["quarter"])))
    tips = ["quarter", alt.Tooltip("share_positive:Q", title="share positive", format=".0%"), "answers"]
    layers = [
        base.mark_bar(color=NEW, width=alt.RelativeBandSize(0.6)).encode(
            y=alt.Y("share_positive:Q", title="Share positive", axis=alt.Axis(format="%"), scale=SHARE), tooltip=tips
        ),
        *_intervals(base, "y"),
        base.mark_text(dy=-8, color="#222", fontSize=12).encode(y="at:Q", text="text:N"),
    ]
    title = chart_title("What participants say, each quarter", note, WHAT, _gaps(frame))
    return finish(alt.layer(*layers).properties(title=title))


def share_positive_by_activity(frame: pd.DataFrame, note: str) -> alt.Chart:
    """Share positive per activity as horizontal bars with the interval, the share and the answers written beyond
    each; an activity whose share is withheld keeps its row, marked 'not shown'."""
    names = wrapped(frame["activity"], NAME_WRAP)
    data = _with_text(frame).assign(
        name=names, words=lambda t: [f"{s} ({a} answers)" for s, a in zip(t["text"], t["answers"], strict=True)]
    )
    y = alt.Y("name:N", title=None, sort=names, axis=alt.Axis(labelLimit=200, labelExpr="split(datum.label, '|')"))
    x = alt.X(
        "share_positive:Q",
        title="Share positive",
        axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
        scale=alt.Scale(domain=[0, 1.45]),  # room beyond 100% for the words
    )
    base = alt.Chart(data).encode(y=y)
    tips = ["activity", alt.Tooltip("share_positive:Q", title="share positive", format=".0%"), "answers"]
    layers = [
        base.mark_bar(color=NEW, height=alt.RelativeBandSize(0.7)).encode(x=x, tooltip=tips),
        *_intervals(base, "x"),
        base.mark_text(align="left", dx=4, color="#222").encode(x="at:Q", text="words:N"),
    ]
    title = chart_title("What participants say, by activity", note, WHAT, _gaps(frame))
    rows = 34 * max(len(names), 2) + 12 * sum(n.count("|") for n in names)
    return plain(alt.layer(*layers).properties(title=title), 80 + 18 * len(title.subtitle) + rows)
