"""Altair charts shared by the pages: titled, labelled, with period and suppression noted in the subtitle."""

from __future__ import annotations

import datetime as dt

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


def group_bars(frame: pd.DataFrame, value: str, title: str, note: str, limit: int, unit: str = "People") -> alt.Chart:
    """Horizontal bars per group; counts of people under the threshold are hidden and labelled '<N'."""
    data = frame.copy()
    small = data[value].between(1, limit - 1) if unit == "People" else pd.Series(False, index=data.index)
    data["label"] = [f"<{limit}" if s else f"{v:,}" for v, s in zip(data[value], small, strict=True)]
    data.loc[small, value] = None
    base = alt.Chart(data).encode(
        y=alt.Y("group:N", title=None, sort=None, axis=alt.Axis(labelLimit=320, labelOverlap=False)),
        x=alt.X(f"{value}:Q", title=unit),
    )
    bars = base.mark_bar(color=NEW).encode(tooltip=["group", alt.Tooltip("label:N", title=unit.lower())])
    labels = base.mark_text(align="left", dx=4, color="#333").encode(x=alt.X(f"{value}:Q", impute=None), text="label:N")
    hidden = f"Counts of 1–{limit - 1} people are shown as <{limit}." if small.any() else ""
    return _plain(alt.layer(bars, labels).properties(title=_title(title, note, hidden)), 110 + 26 * len(data))


def representation_plot(frame: pd.DataFrame, label: str, area: str, note: str, limit: int) -> alt.Chart:
    """Representation ratio per group with its 95% CI, around 1 (reached in the same share as the population)."""
    data = frame[frame["compared"]].copy()
    data["label"] = [
        f"{g} ({p if s else f'<{limit}'} people)"
        for g, p, s in zip(data["group"], data["people"], data["shown"], strict=True)
    ]
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=320, labelOverlap=False))
    )
    x = alt.X(
        "ratio_low:Q",
        title=f"Representation ratio (share reached ÷ share of {area})",
        scale=alt.Scale(type="log", domain=[0.1, 10]),
    )
    tooltip = [
        "group",
        "people:Q",
        alt.Tooltip("share:Q", format=".1%", title="share reached"),
        alt.Tooltip("benchmark:Q", format=".1%", title="share of population"),
        alt.Tooltip("ratio:Q", format=".2f"),
        alt.Tooltip("ratio_low:Q", format=".2f", title="95% CI from"),
        alt.Tooltip("ratio_high:Q", format=".2f", title="95% CI to"),
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
        base.transform_filter("!datum.shown")
        .mark_text(align="left", color="#777", fontStyle="italic")
        .encode(x=alt.value(6), text=alt.value("withheld: too few people")),
    ]
    subtitle = "1 = reached in the same share as the population; below 1, fewer than expected. Lines: 95% CI."
    key = "Red: under-represented; grey: in line with the population; green: over-represented."
    title = _title(f"Who the service reaches by {label}, against {area}", note, subtitle, key)
    return _plain(alt.layer(*layers).properties(title=title), 150 + 40 * len(data))


def share_over_quarters(
    frame: pd.DataFrame, title: str, y_title: str, note: str, limit: int, target: float | None = None
) -> alt.Chart:
    """A share per quarter as a line, with an optional reference line (e.g. 20% for Core20)."""
    hidden = frame["share"].isna() & (frame["known"] > 0)
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
    small = f"Quarters with fewer than {limit} people are not shown." if hidden.any() else ""
    return _finish(alt.layer(*layers).properties(title=_title(title, note, reference, small)))


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
    return _finish(bars.properties(title=_title(f"Income each quarter, by {split}", note, subtitle)))


def concentration(frame: pd.DataFrame, limit: float, note: str) -> alt.Chart:
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
    rule = alt.Chart(pd.DataFrame({"y": [limit]})).mark_rule(color=ACCENT, strokeDash=[5, 3]).encode(y="y:Q")
    subtitle = f"Red dashed line: {limit:.0%}, above which one funder is a risk. Herfindahl 1 = one funder only."
    return _finish(
        alt.layer(lines, rule).properties(title=_title("How dependent the charity is on one funder", note, subtitle))
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
    title = _title("When each grant and contract runs", f"Today: {today:%-d %B %Y}. Declined bids are left out.")
    return _plain(alt.layer(bars, rule, label).properties(title=title), 120 + 22 * len(data))


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
    return _finish(layers.properties(title=_title("Secured income against what the service needs", *subtitle)))


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
    return _finish(alt.layer(band, line).properties(title=_title("Free reserves", subtitle)))
