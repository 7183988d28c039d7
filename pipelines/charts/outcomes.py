"""Outcome charts: first and latest scores, how much they changed, who improved, and change by group."""

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
    nothing_drawn,
    plain,
    withheld_text,
)

CATEGORY_COLOURS = {"improved": "#2a9d8f", "no reliable change": "#b8c4cc", "deteriorated": "#d1495b", "change": NEW}


def categories(present: pd.Series) -> alt.Scale:
    """Colours for the categories of change that are there (in a fixed order)."""
    domain = [c for c in CATEGORY_COLOURS if c in set(present)]
    return alt.Scale(domain=domain, range=[CATEGORY_COLOURS[c] for c in domain])


def slopes(frame: pd.DataFrame, measure: str, note: str) -> alt.Chart:
    """First and latest score joined by a line: per person, or per band of first score when there are many."""
    per_person = frame["line"].str.startswith("person").all()
    detail = (
        ["Each line is one person."]
        if per_person
        else [
            "Each line joins the mean scores of people whose first score was in one band;",
            "thicker lines stand for more people.",
        ]
    )
    base = alt.Chart(frame).encode(
        x=alt.X(
            "when:N",
            title=None,
            sort=["first", "latest"],
            axis=alt.Axis(labelAngle=0, labelExpr="upper(slice(datum.label, 0, 1)) + slice(datum.label, 1)"),
        ),
        y=alt.Y("score:Q", title=f"{measure} score", scale=alt.Scale(zero=False)),
        detail="line:N",
        tooltip=["line", alt.Tooltip("people:Q", format=","), "when", alt.Tooltip("score:Q", format=".1f")],
    )
    lines = base.mark_line(color=NEW, opacity=0.35 if per_person else 0.8, point=True).encode(
        strokeWidth=alt.StrokeWidth("people:Q", legend=None, scale=alt.Scale(range=[1, 6]))
    )
    return finish(lines.properties(title=chart_title(f"{measure}: first and latest score", note, *detail)))


def change_histogram(
    frame: pd.DataFrame, measure: str, reliable_change: float | None, note: str, hidden: str
) -> alt.Chart:
    """People by how much their score changed, coloured by improved / no reliable change / deteriorated; a band
    whose count is hidden keeps its place, labelled."""
    marked = (
        f"Dashed lines: ±{reliable_change:g} points, the change that counts as reliable." if reliable_change else ""
    )
    title = chart_title(f"How much {measure} scores changed", note, marked, hidden)
    if frame.empty or frame["hidden"].all():
        return nothing_drawn(
            title, "Every band of change has too few people to draw without risking that someone is recognised."
        )
    data = frame.assign(middle=(frame["band_start"] + frame["band_end"]) / 2, y=0.0)
    edges = sorted(set(frame["band_start"]) | set(frame["band_end"]))
    edges = edges[:: -(-len(edges) // 12)]  # on the bands' edges, at most about 12 of them
    bars = (
        alt.Chart(data)
        .mark_bar(binSpacing=1)
        .encode(
            x=alt.X(
                "band_start:Q",
                bin="binned",
                title=f"Change in {measure} (points, latest minus first)",
                axis=alt.Axis(values=edges, labelExpr="datum.value > 0 ? '+' + datum.label : datum.label"),
            ),
            x2="band_end:Q",
            y=alt.Y("people:Q", title="People"),
            color=alt.Color(
                "category:N", title=None, scale=categories(frame["category"]), legend=alt.Legend(orient="top")
            ),
            tooltip=[
                alt.Tooltip("band_start:Q", title="from"),
                alt.Tooltip("band_end:Q", title="to"),
                alt.Tooltip("label:N", title="people"),
                "category",
            ],
        )
    )
    labels = (
        alt.Chart(data[data["hidden"]]).mark_text(dy=-8, color="#333").encode(x="middle:Q", y="y:Q", text="label:N")
    )
    layers = [bars, labels]
    if reliable_change:
        rules = pd.DataFrame({"x": [-reliable_change, reliable_change]})
        layers.append(alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#444").encode(x="x:Q"))
    return finish(alt.layer(*layers).properties(title=title))


def change_shares(frame: pd.DataFrame, measure: str, note: str, hidden: str) -> alt.Chart:
    """One bar per category (improved / no reliable change / deteriorated): its share of the people with two scores,
    or its label ('<8', '–') where the count is hidden."""
    title = chart_title(
        f"Who improved on {measure}", note, "Reliable change: at least the measure's threshold.", hidden
    )
    return share_bars(frame, title, counted="people", axis="Share of people with two scores")


def share_bars(frame: pd.DataFrame, title: alt.Title, *, counted: str, axis: str, room: float = 1.2) -> alt.Chart:
    """Bars of each category's share of ``counted`` (people or goals), labelled with the share and the count,
    or with the count's label alone where it is hidden; ``room`` leaves space for a label beside a full bar."""
    if frame.empty or frame["hidden"].all():
        return nothing_drawn(
            title,
            f"Too few {counted} improved, or did not, to show the shares without risking that someone is recognised.",
        )
    unit = "" if counted == "people" else f" {counted}"
    data = frame.assign(
        at=frame["share"].fillna(0.0),
        text=[
            label if hide else f"{share:.0%} ({label}{unit})"
            for share, label, hide in zip(frame["share"], frame["label"], frame["hidden"], strict=True)
        ],
    )
    base = alt.Chart(data).encode(
        y=alt.Y("category:N", title=None, sort=None),
        x=alt.X(
            "at:Q",
            title=axis,
            axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
            scale=alt.Scale(domain=[0, room]),
        ),
    )
    bar = base.mark_bar(size=26).encode(
        color=alt.Color("category:N", title=None, scale=categories(data["category"]), legend=None),
        tooltip=["category", alt.Tooltip("share:Q", format=".0%"), alt.Tooltip("label:N", title=counted)],
    )
    labels = base.mark_text(align="left", dx=4, color="#333").encode(text="text:N")
    return plain(alt.layer(bar, labels).properties(title=title), 150 + 36 * len(data))  # the title is inside


def means_against_norms(frame: pd.DataFrame, norms: tuple, measure: str, note: str) -> alt.Chart:
    """Mean first and latest scores with 95% CIs, beside published population norms where there are any."""
    base = alt.Chart(frame).encode(y=alt.Y("when:N", title=None, sort=None, axis=alt.Axis(labelLimit=200)))
    x = alt.X("ci_low:Q", title=f"Mean {measure} score", scale=alt.Scale(zero=False), axis=alt.Axis(tickMinStep=1))
    tooltip = ["when", *interval_tips("mean", "mean"), "people:Q"]
    layers = [
        base.mark_rule(strokeWidth=3, color=NEW).encode(x=x, x2="ci_high:Q"),
        base.mark_point(filled=True, size=120, color=NEW).encode(x="mean:Q", tooltip=tooltip),
    ]
    norm_note = ""
    if norms:
        norm_frame = pd.DataFrame([{"group": g, "mean": v, "source": s} for g, v, s in norms])
        layers.append(
            alt.Chart(norm_frame)
            .mark_rule(color=ACCENT, strokeDash=[5, 3])
            .encode(x="mean:Q", tooltip=["group", "mean", "source"])
        )
        values = ", ".join(f"{g.lower()} {v:g}" for g, v, _ in norms)
        norm_note = f"Red dashed lines: the average in England ({values}; {norms[0][2]})."
    title = chart_title(f"Mean {measure} score, first and latest", note, "Lines: 95% confidence intervals.", norm_note)
    return plain(alt.layer(*layers).properties(title=title), 240)


def forest(frame: pd.DataFrame, measure: str, label: str, note: str, overall: float | None, hidden: str) -> alt.Chart:
    """Mean change with its 95% CI per group; a group whose figures are withheld is listed with its count."""
    data = frame.assign(row=[f"{g} (n={n})" for g, n in zip(frame["group"], frame["label"], strict=True)])
    base = alt.Chart(data).encode(
        y=alt.Y("row:N", title=None, sort=list(data["row"]), axis=alt.Axis(labelLimit=320, labelOverlap=False))
    )
    layers = [
        base.mark_rule(strokeWidth=2, color=NEW).encode(
            x=alt.X("ci_low:Q", title=f"Mean change in {measure} (points)"), x2="ci_high:Q"
        ),
        base.mark_point(filled=True, size=80, color=NEW).encode(
            x="mean_change:Q",
            tooltip=[
                *GROUP_TIPS,
                *interval_tips("mean_change", "mean change"),
                alt.Tooltip("share_improved:Q", format=".0%", title="improved"),
            ],
        ),
        alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#888", strokeDash=[4, 4]).encode(x="x:Q"),
        withheld_text(base, "not shown: too few people"),  # last, so that the rows keep the data's order
    ]
    overall_note = ""
    if overall is not None:
        layers.append(alt.Chart(pd.DataFrame({"x": [overall]})).mark_rule(color=ACCENT).encode(x="x:Q"))
        overall_note = f"Red line: everyone ({overall:+.1f})."
    title = chart_title(
        f"Change in {measure} by {label}",
        note,
        "Dots: mean change; lines: 95% confidence interval.",
        overall_note,
        "Groups with too few people are listed without figures." if (~data["shown"]).any() else "",
        hidden,
    )
    return plain(alt.layer(*layers).properties(title=title), 190 + 34 * len(data))
