"""Reach charts: people per group, each group's share of the people reached beside its share of the population,
and a share over quarters."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipelines.charts.base import ACCENT, GROUP_TIPS, NEW, chart_title, finish, plain, quarter_axis, wrapped

# Each tone of a group's comparison with the population: the colour of its bar, and of its words (darker, to read)
TONES = {
    "short": (ACCENT, "#b3263a"),
    "in line": ("#9aa7b2", "#4a5660"),
    "more": ("#4a90b8", "#1f6f8b"),
    "aim": ("#3d9970", "#1e6b4c"),
    "neutral": ("#9aa7b2", "#4a5660"),
    "neutral more": ("#9aa7b2", "#4a5660"),
    "withheld": ("#bbbbbb", "#666666"),
    "name": ("#222222", "#222222"),
    "population": ("#e3e7ea", "#e3e7ea"),
}
SLOTS = ["name", "reading", "reached", "population", "gap"]  # a group's lines: name, how it compares, two bars
SLOT_HEIGHT = 17
NAME_WRAP = 22  # characters of a group's name on one line of a bar chart's axis


PEOPLE_AXIS = alt.Axis(format="d", tickMinStep=1)  # whole people only


def group_bars(frame: pd.DataFrame, title: str, note: str, hidden: str, caveat: str = "") -> alt.Chart:
    """Horizontal bars of people per group, the count written beyond each bar with room left for it; a group whose
    count is hidden keeps its row, labelled ('<8', '–'). Long names wrap onto more lines; ``caveat`` is a subtitle
    line (that one person may be in several groups)."""
    names = wrapped(frame["group"], NAME_WRAP)
    data = frame.assign(at=frame["people"].fillna(0), name=names)
    top = max(float(data["at"].max() if len(data) else 0), 1.0)
    base = alt.Chart(data).encode(
        y=alt.Y(
            "name:N",
            title=None,
            sort=names,
            axis=alt.Axis(labelLimit=200, labelOverlap=False, labelExpr="split(datum.label, '|')"),
        ),
        x=alt.X("at:Q", title="People", scale=alt.Scale(domain=[0, top * 1.3], nice=False), axis=PEOPLE_AXIS),
    )
    bars = base.mark_bar(color=NEW).encode(x=alt.X("people:Q", title="People", axis=PEOPLE_AXIS), tooltip=GROUP_TIPS)
    labels = base.mark_text(align="left", dx=4, color="#333").encode(text="label:N")
    heading = chart_title(title, note, caveat, hidden)
    rows = 30 * max(len(names), 3) + 12 * sum(n.count("|") for n in names)
    return plain(alt.layer(bars, labels).properties(title=heading), 90 + 20 * len(heading.subtitle) + rows)


def representation_plot(
    frame: pd.DataFrame, label: str, area: str, note: str, hidden: str, explain: str = ""
) -> alt.Chart:
    """For each group with a population figure: its name and people, how it compares in words with a marker (▼ ● ▲),
    then a coloured bar of its share of the people reached with the 95% interval as a black line, over a grey bar of
    its share of the population. A hidden group keeps its name, count label and population bar; ``explain`` is a
    subtitle line (what Core20 is)."""
    data = frame[frame["compared"]]
    bars, words = _representation_rows(data)
    top = max(float(bars["end"].max()), 0.05)
    rows = [f"{name}|{slot}" for name in data["name"] for slot in SLOTS]
    y = alt.Y("row:N", title=None, sort=rows, axis=None, scale=alt.Scale(domain=rows, paddingInner=0.12))
    fill, ink = (
        alt.Color("colour:N", legend=None, scale=alt.Scale(domain=list(TONES), range=[t[i] for t in TONES.values()]))
        for i in (0, 1)
    )
    x = alt.X(
        "value:Q",
        title=None,
        scale=alt.Scale(domain=[0, top / 0.58], nice=False),
        axis=alt.Axis(format="%", values=_ticks(top), grid=True),
    )
    tips = ["name", "people", "reached", "interval", "population", "match", "reading"]
    base = alt.Chart(bars).encode(y=y)
    interval = base.transform_filter("isValid(datum.low)").encode(x="low:Q", x2="high:Q")
    layers = [
        base.mark_bar(stroke="#8a949c", strokeWidth=0.8).encode(x=x, color=fill, tooltip=tips),
        interval.mark_rule(color="white", strokeWidth=4),  # a halo, so that the line shows on any bar
        interval.mark_rule(color="#111", strokeWidth=1.5),
        base.mark_text(align="left", dx=5, color="#222", fontSize=11).encode(x="end:Q", text="text:N"),
        *(
            alt.Chart(words[words["slot"] == slot])
            .mark_text(align="left", baseline="middle", fontSize=12, fontWeight=weight)
            .encode(y=y, x=alt.value(0), text="text:N", color=ink)
            for slot, weight in (("name", "bold"), ("reading", "normal"))
        ),
    ]
    left_out = frame[~frame["compared"]]
    left_out = ", ".join(f"{g} {n}" for g, n in zip(left_out["group"], left_out["label"], strict=True))
    title = chart_title(
        f"Who the service reaches by {label}, against {area}",
        note,
        f"Coloured bar: the group's share of the people reached; black line: its 95% interval. Grey bar: the group's "
        f"share of {area}.",
        "▼ fewer / ▲ more than their share: the whole interval is below / above the population's share.",
        explain,
        f"Left out (no population figure): {left_out}." if left_out else "",
        hidden,
    )
    chart = alt.layer(*layers).resolve_scale(color="independent").properties(title=title)
    return plain(chart, 60 + 17 * len(title.subtitle) + len(rows) * SLOT_HEIGHT)


def _ticks(top: float) -> list[float]:
    """At most five gridlines from 0 up to the largest share shown, none beyond it (the rest is room for labels)."""
    step = next(s for s in (0.02, 0.05, 0.1, 0.2, 0.25) if top / s <= 5)
    return [round(i * step, 2) for i in range(int(top / step + 1e-9) + 1)]


def _representation_rows(data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two bars per group (people reached, population) with their tooltips, and the two lines of words above."""
    tips = pd.DataFrame(
        {
            "name": data["name"],
            "people": data["label"],
            "reached": [_percent(s) for s in data["share"]],
            "interval": [_interval(lo, hi) for lo, hi in zip(data["share_low"], data["share_high"], strict=True)],
            "population": [_percent(s) for s in data["benchmark"]],
            "match": data["match"],
            "reading": data["reading"],
        }
    )
    reached = tips.assign(
        slot="reached",
        value=data["share"].to_numpy(),
        low=data["share_low"].to_numpy(),
        high=data["share_high"].to_numpy(),
        end=data["share_high"].fillna(0).to_numpy(),
        colour=data["tone"].to_numpy(),
        text=[f"{p} reached" if p else "" for p in tips["reached"]],
    )
    population = tips.assign(
        slot="population",
        value=data["benchmark"].to_numpy(),
        end=data["benchmark"].to_numpy(),
        colour="population",
        text=[f"{p} of population" for p in tips["population"]],
    )
    readings = [
        f"{marker} {reading}".strip() + _match_short(row)
        for marker, reading, (_, row) in zip(data["marker"], data["reading"], data.iterrows(), strict=True)
    ]
    words = pd.concat(
        [
            pd.DataFrame(
                {
                    "name": data["name"],
                    "slot": "name",
                    "colour": "name",
                    "text": [f"{n} · {p} people" for n, p in zip(data["name"], data["label"], strict=True)],
                }
            ),
            pd.DataFrame({"name": data["name"], "slot": "reading", "colour": data["tone"], "text": readings}),
        ]
    )
    bars = pd.concat([reached, population])
    for frame in (bars, words):
        frame["row"] = frame["name"] + "|" + frame["slot"]
    return bars, words


def _match_short(row: pd.Series) -> str:
    """'; to match: 23 people, 9 more' where a group is reached less than its share, or its share is not shown."""
    if row["tone"] not in ("short", "withheld") or pd.isna(row["to_match"]):
        return ""
    gap = "" if pd.isna(row["gap"]) else f", {int(row['gap']):,} more"
    n = int(row["to_match"])
    return f"; to match: {n:,} {'person' if n == 1 else 'people'} in all{gap}"


def _percent(share: float) -> str:
    return "" if pd.isna(share) else f"{share:.0%}"


def _interval(low: float, high: float) -> str:
    return "" if pd.isna(low) else f"{low:.0%} to {high:.0%}"


def share_over_quarters(
    frame: pd.DataFrame, title: str, y_title: str, note: str, target: float | None = None, where: str = "England"
) -> alt.Chart:
    """A share per quarter as bars with the share written above each, and an optional reference line (e.g. 20% for
    Core20); a quarter whose share is withheld keeps its place, marked 'not shown'. With few quarters the bars keep
    the width they would have among four."""
    data = frame.assign(
        text=[f"{s:.0%}" if pd.notna(s) else "not shown" for s in frame["share"]],
        at=frame["share"].fillna(0),
    )
    x = quarter_axis("Financial quarter")
    width = alt.RelativeBandSize(0.7 * min(len(data), 4) / 4)  # a lone quarter's bar as wide as one of four
    y = alt.Y("share:Q", title=y_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]))
    tips = ["quarter", alt.Tooltip("share:Q", format=".0%"), alt.Tooltip("known:Q", title="people with a known decile")]
    base = alt.Chart(data).encode(x=x)
    layers = [
        base.mark_bar(color=NEW, width=width).encode(y=y, tooltip=tips),
        base.mark_text(dy=-7, color="#222", fontSize=12).encode(y="at:Q", text="text:N"),
    ]
    reference = ""
    if target is not None:
        line = pd.DataFrame({"y": [target]})
        layers.append(alt.Chart(line).mark_rule(color=ACCENT, strokeDash=[5, 3], strokeWidth=2).encode(y="y:Q"))
        reference = f"Red dashed line: {target:.0%}, the share of {where}'s residents living in these areas."
    withheld = frame["share"].isna() & (frame["known"].isna() | (frame["known"] > 0))
    gaps = "Quarters where the share could identify someone are not shown." if withheld.any() else ""
    return finish(alt.layer(*layers).properties(title=chart_title(title, note, reference, gaps)))
