"""Altair charts shared by the pages and the exported files: titled, labelled, with period and suppression noted.

They only draw. Counts of people arrive made safe (pipelines/disclosure.py): nullable, with a ``label`` column
('<8', '–', '1,234'); a group whose count is hidden stays on its axis with that label in place of a bar or dot."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

FONT = "Source Sans Pro, Arial, sans-serif"
NEW, RETURNING, ACCENT = "#1f6f8b", "#99c1de", "#d1495b"


def _title(text: str, *subtitle: str) -> alt.Title:
    return alt.Title(text, subtitle=[s for s in subtitle if s], anchor="start", fontSize=16, subtitleColor="#555")


GROUP_TIPS = ["group", alt.Tooltip("label:N", title="people")]  # a group and its people as shown ('<8')


def _interval(value: str, title: str, low: str = "ci_low", high: str = "ci_high", fmt: str = ".1f") -> list:
    """Tooltip lines for a figure and its 95% confidence interval."""
    return [
        alt.Tooltip(f"{value}:Q", title=title, format=fmt),
        alt.Tooltip(f"{low}:Q", title="95% CI from", format=fmt),
        alt.Tooltip(f"{high}:Q", title="95% CI to", format=fmt),
    ]


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


def reach_over_quarters(frame: pd.DataFrame, note: str, hidden: str) -> alt.Chart:
    """People reached per quarter, split into those new to the service and those returning; a hidden part is
    written above its quarter's bar ('<8 new')."""
    who = {"new": "New to the service", "returning": "Returning"}
    data = pd.concat(
        [
            pd.DataFrame(
                {"quarter": frame["quarter"], "who": name, "people": frame[key], "label": frame[f"{key}_label"]}
            )
            for key, name in who.items()
        ]
    )
    tops = frame[["new", "returning"]].fillna(0).sum(axis=1)
    withheld = [
        ", ".join(f"{frame.at[i, f'{key}_label']} {key}" for key in who if pd.isna(frame.at[i, key]))
        for i in frame.index
    ]
    notes = pd.DataFrame({"quarter": frame["quarter"], "top": tops, "text": withheld})
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=quarter_axis("Financial quarter"),
            y=alt.Y("sum(people):Q", title="People reached", stack="zero"),
            color=alt.Color(
                "who:N",
                title=None,
                scale=alt.Scale(domain=list(who.values()), range=[NEW, RETURNING]),
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("who:N", sort="ascending"),
            tooltip=["quarter", "who", alt.Tooltip("label:N", title="people")],
        )
    )
    text = (
        alt.Chart(notes[notes["text"] != ""])
        .mark_text(dy=-8, color="#333", fontSize=11)
        .encode(x=quarter_axis("Financial quarter"), y="top:Q", text="text:N")
    )
    return _finish(alt.layer(bars, text).properties(title=_title("People reached each quarter", note, hidden)))


def change_over_quarters(frame: pd.DataFrame, measure: str, note: str, hidden: str) -> alt.Chart:
    """Mean change in a measure for people followed up in each quarter, with its 95% confidence interval; a quarter
    whose figures are withheld shows its count ('<8') on the zero line."""
    data = frame[["quarter", "pairs", "label", "mean_change", "ci_low", "ci_high"]]
    base = alt.Chart(data).encode(x=quarter_axis("Quarter of follow-up"))
    y_title = "Mean change (points)"
    interval = base.mark_rule(strokeWidth=2, color=NEW).encode(y=alt.Y("ci_low:Q", title=y_title), y2="ci_high:Q")
    points = base.mark_point(filled=True, size=90, color=NEW).encode(
        y="mean_change:Q",
        tooltip=[
            "quarter",
            alt.Tooltip("label:N", title="people with two scores"),
            *_interval("mean_change", "mean change"),
        ],
    )
    withheld = data[data["mean_change"].isna() & (data["label"] != "0")].assign(y=0.0)
    counts = (
        alt.Chart(withheld)
        .mark_text(dy=-10, color="#777")
        .encode(x=quarter_axis("Quarter of follow-up"), y="y:Q", text="label:N")
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#888", strokeDash=[4, 4]).encode(y="y:Q")
    title = _title(
        f"Change in {measure}, by quarter of follow-up",
        note,
        "Latest minus first score. Dots: mean change; lines: 95% confidence interval.",
        "Quarters with too few people show their count, without figures." if len(withheld) else "",
        hidden,
    )
    return _finish(alt.layer(zero, interval, points, counts).properties(title=title))


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


def change_histogram(
    frame: pd.DataFrame, measure: str, reliable_change: float | None, note: str, hidden: str
) -> alt.Chart:
    """People by how much their score changed, coloured by improved / no reliable change / deteriorated; a band
    whose count is hidden keeps its place, labelled."""
    data = frame.assign(middle=(frame["band_start"] + frame["band_end"]) / 2, y=0.0)
    bars = (
        alt.Chart(data)
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
    marked = (
        f"Dashed lines: ±{reliable_change:g} points, the change that counts as reliable." if reliable_change else ""
    )
    return _finish(
        alt.layer(*layers).properties(title=_title(f"How much {measure} scores changed", note, marked, hidden))
    )


def change_shares(frame: pd.DataFrame, measure: str, note: str, hidden: str) -> alt.Chart:
    """One bar per category (improved / no reliable change / deteriorated): its share of the people with two scores,
    or its label ('<8', '–') where the count is hidden."""
    data = frame.assign(
        at=frame["share"].fillna(0.0),
        text=[
            label if hide else f"{share:.0%} ({label})"
            for share, label, hide in zip(frame["share"], frame["label"], frame["hidden"], strict=True)
        ],
    )
    base = alt.Chart(data).encode(
        y=alt.Y("category:N", title=None, sort=None),
        x=alt.X(
            "at:Q",
            title="Share of people with two scores",
            axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
            scale=alt.Scale(domain=[0, 1]),
        ),
    )
    bar = base.mark_bar(size=26).encode(
        color=alt.Color("category:N", title=None, scale=_categories(data["category"]), legend=None),
        tooltip=["category", alt.Tooltip("share:Q", format=".0%"), alt.Tooltip("label:N", title="people")],
    )
    labels = base.mark_text(align="left", dx=4, color="#333").encode(text="text:N")
    title = _title(f"Who improved on {measure}", note, "Reliable change: at least the measure's threshold.", hidden)
    return _plain(alt.layer(bar, labels).properties(title=title), 150 + 36 * len(data))  # the title is inside


def means_against_norms(frame: pd.DataFrame, norms: tuple, measure: str, note: str) -> alt.Chart:
    """Mean first and latest scores with 95% CIs, beside published population norms where there are any."""
    base = alt.Chart(frame).encode(y=alt.Y("when:N", title=None, sort=None, axis=alt.Axis(labelLimit=200)))
    x = alt.X("ci_low:Q", title=f"Mean {measure} score", scale=alt.Scale(zero=False), axis=alt.Axis(tickMinStep=1))
    tooltip = ["when", *_interval("mean", "mean"), "people:Q"]
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


def _withheld(base: alt.Chart, text: str) -> alt.Chart:
    """Words in place of the marks of the rows whose figures are not shown."""
    return (
        base.transform_filter("!datum.shown")
        .mark_text(align="left", color="#777", fontStyle="italic")
        .encode(x=alt.value(6), text=alt.value(text))
    )


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
                *_interval("mean_change", "mean change"),
                alt.Tooltip("share_improved:Q", format=".0%", title="improved"),
            ],
        ),
        alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#888", strokeDash=[4, 4]).encode(x="x:Q"),
        _withheld(base, "not shown: too few people"),  # last, so that the rows keep the data's order
    ]
    overall_note = ""
    if overall is not None:
        layers.append(alt.Chart(pd.DataFrame({"x": [overall]})).mark_rule(color=ACCENT).encode(x="x:Q"))
        overall_note = f"Red line: everyone ({overall:+.1f})."
    title = _title(
        f"Change in {measure} by {label}",
        note,
        "Dots: mean change; lines: 95% confidence interval.",
        overall_note,
        "Groups with too few people are listed without figures." if (~data["shown"]).any() else "",
        hidden,
    )
    return _plain(alt.layer(*layers).properties(title=title), 190 + 34 * len(data))


def group_bars(frame: pd.DataFrame, title: str, note: str, hidden: str) -> alt.Chart:
    """Horizontal bars of people per group; a group whose count is hidden keeps its row, labelled ('<8', '–')."""
    data = frame.assign(at=frame["people"].fillna(0))
    base = alt.Chart(data).encode(
        y=alt.Y("group:N", title=None, sort=list(data["group"]), axis=alt.Axis(labelLimit=320, labelOverlap=False)),
        x=alt.X("at:Q", title="People"),
    )
    bars = base.mark_bar(color=NEW).encode(x=alt.X("people:Q", title="People"), tooltip=GROUP_TIPS)
    labels = base.mark_text(align="left", dx=4, color="#333").encode(text="label:N")
    return _plain(alt.layer(bars, labels).properties(title=_title(title, note, hidden)), 130 + 26 * len(data))


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
        *_interval("ratio", "ratio", "ratio_low", "ratio_high", ".2f"),
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
        _withheld(base, "withheld"),
    ]
    subtitle = "1 = reached in the same share as the population; below 1, fewer than expected. Lines: 95% CI."
    key = "Red: under-represented; grey: in line with the population; green: over-represented."
    title = _title(f"Who the service reaches by {label}, against {area}", note, subtitle, key, hidden)
    return _plain(alt.layer(*layers).properties(title=title), 150 + 40 * len(data))


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
    return _finish(alt.layer(*layers).properties(title=_title(title, note, reference, gaps)))


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
