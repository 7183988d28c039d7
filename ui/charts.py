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


CATEGORY_COLOURS = {"improved": "#2a9d8f", "no reliable change": "#b8c4cc", "deteriorated": "#d1495b", "change": NEW}


def _categories(present: pd.Series) -> alt.Scale:
    """Colours for the categories of change that are there (in a fixed order)."""
    domain = [c for c in CATEGORY_COLOURS if c in set(present)]
    return alt.Scale(domain=domain, range=[CATEGORY_COLOURS[c] for c in domain])


def _plain(chart: alt.Chart, height: int) -> alt.Chart:
    return chart.properties(height=height).configure(font=FONT).configure_view(stroke=None)


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
    return _finish(lines.properties(title=_title(f"{measure}: first and latest score", note, *detail)))


def change_histogram(frame: pd.DataFrame, measure: str, threshold: float | None, note: str, limit: int) -> alt.Chart:
    """People by how much their score changed, coloured by improved / no reliable change / deteriorated."""
    hidden = frame["people"].isna().any()
    bars = (
        alt.Chart(frame)
        .mark_bar(binSpacing=1)
        .encode(
            x=alt.X("band_start:Q", bin="binned", title=f"Change in {measure} (points, latest minus first)"),
            x2="band_end:Q",
            y=alt.Y("people:Q", title="People"),
            color=alt.Color(
                "category:N", title=None, scale=_categories(frame["category"]), legend=alt.Legend(orient="top")
            ),
            tooltip=[
                alt.Tooltip("band_start:Q", title="from"),
                alt.Tooltip("band_end:Q", title="to"),
                "people:Q",
                "category",
            ],
        )
    )
    layers = [bars]
    if threshold:
        rules = pd.DataFrame({"x": [-threshold, threshold]})
        layers.append(alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#444").encode(x="x:Q"))
    marked = f"Dashed lines: ±{threshold:g} points, the change that counts as reliable." if threshold else ""
    small = f"Bands with fewer than {limit} people are not shown." if hidden else ""
    return _finish(
        alt.layer(*layers).properties(title=_title(f"How much {measure} scores changed", note, marked, small))
    )


def change_shares(counts: dict[str, int], total: int, measure: str, note: str, hidden: set[str]) -> alt.Chart:
    """One bar split into improved / no reliable change / deteriorated, without the parts hidden for privacy."""
    data = pd.DataFrame(
        [
            {"category": k.replace("_", " "), "people": v, "share": v / total, "order": i}
            for i, (k, v) in enumerate(counts.items())
        ]
    )
    base = alt.Chart(data).encode(
        x=alt.X(
            "share:Q",
            title="Share of people with two scores",
            axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
            stack="zero",
            scale=alt.Scale(domain=[0, 1]),
        ),
        order="order:Q",
    )
    bar = base.mark_bar(size=40).encode(
        color=alt.Color("category:N", title=None, scale=_categories(data["category"]), legend=alt.Legend(orient="top")),
        tooltip=["category", alt.Tooltip("share:Q", format=".0%"), "people:Q"],
    )
    labels = base.mark_text(dx=-6, align="right", color="white", fontWeight="bold").encode(
        x=alt.X("share:Q", stack="zero"), text=alt.Text("share:Q", format=".0%")
    )
    left_out = "Some parts are left out so that small groups of people cannot be worked out." if hidden else ""
    title = _title(f"Who improved on {measure}", note, "Reliable change: at least the measure's threshold.", left_out)
    return _plain(alt.layer(bar, labels).properties(title=title), 190)


def means_against_norms(frame: pd.DataFrame, norms: tuple, measure: str, note: str) -> alt.Chart:
    """Mean first and latest scores with 95% CIs, beside published population norms where there are any."""
    base = alt.Chart(frame).encode(y=alt.Y("when:N", title=None, sort=None, axis=alt.Axis(labelLimit=200)))
    x = alt.X("ci_low:Q", title=f"Mean {measure} score", scale=alt.Scale(zero=False), axis=alt.Axis(tickMinStep=1))
    tooltip = [
        "when",
        alt.Tooltip("mean:Q", format=".1f"),
        alt.Tooltip("ci_low:Q", format=".1f"),
        alt.Tooltip("ci_high:Q", format=".1f"),
        "people:Q",
    ]
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
    title = _title(f"Mean {measure} score, first and latest", note, "Lines: 95% confidence intervals.", norm_note)
    return _plain(alt.layer(*layers).properties(title=title), 240)


def forest(frame: pd.DataFrame, measure: str, label: str, note: str, limit: int, overall: float | None) -> alt.Chart:
    """Mean change with its 95% CI per group, groups under the threshold listed as not shown."""
    data = frame.assign(
        label=[
            f"{g} (n={p if p >= limit else f'<{limit}'})" for g, p in zip(frame["group"], frame["pairs"], strict=True)
        ]
    )
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=320, labelOverlap=False))
    )
    layers = [
        base.transform_filter("!datum.shown")
        .mark_text(align="left", color="#777", fontStyle="italic")
        .encode(x=alt.value(6), text=alt.value("not shown: too few people")),
        base.mark_rule(strokeWidth=2, color=NEW).encode(
            x=alt.X("ci_low:Q", title=f"Mean change in {measure} (points)"), x2="ci_high:Q"
        ),
        base.mark_point(filled=True, size=80, color=NEW).encode(
            x="mean_change:Q",
            tooltip=[
                "group",
                alt.Tooltip("pairs:Q", title="people"),
                alt.Tooltip("mean_change:Q", format=".1f"),
                alt.Tooltip("ci_low:Q", format=".1f"),
                alt.Tooltip("ci_high:Q", format=".1f"),
                alt.Tooltip("share_improved:Q", format=".0%", title="improved"),
            ],
        ),
        alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#888", strokeDash=[4, 4]).encode(x="x:Q"),
    ]
    overall_note = ""
    if overall is not None:
        layers.append(alt.Chart(pd.DataFrame({"x": [overall]})).mark_rule(color=ACCENT).encode(x="x:Q"))
        overall_note = f"Red line: everyone ({overall:+.1f})."
    small = f"Groups of fewer than {limit} people are listed without figures." if (~data["shown"]).any() else ""
    title = _title(
        f"Change in {measure} by {label}",
        note,
        "Dots: mean change; lines: 95% confidence interval.",
        overall_note,
        small,
    )
    return _plain(alt.layer(*layers).properties(title=title), 150 + 34 * len(data))
