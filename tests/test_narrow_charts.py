"""Charts on narrow filters (one quarter, one small activity) read whole on a wide screen and on a phone: every
chart the pages draw for them, drawn to SVG at the width the page gives it, has no text cut short ('…'), no axis
written '0.000000', and no two labels printed over each other."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import duckdb
import pytest
import vl_convert

from pipelines.disclosure import Disclosure
from pipelines.exhibits import Exhibit, on
from pipelines.exhibits import funding as funding_charts
from pipelines.exhibits import outcomes as outcome_charts
from pipelines.exhibits import reach as reach_charts
from pipelines.periods import Period, trailing_quarters
from pipelines.query import Filters

Q4 = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))  # the sample's latest quarter
SMALL = ("Young people's online group",)  # its smallest activity: 12 people that quarter
WIDTHS = {"wide": 980, "phone": 340}  # a chart's width at 1440 px, and on a 390 px phone
SVG = "{http://www.w3.org/2000/svg}"
TRANSLATE = re.compile(r"translate\(([-\d.e]+),\s*([-\d.e]+)\)")


def exhibits() -> list[Exhibit]:
    f = Filters(Q4, SMALL)
    trend = f.with_period(trailing_quarters(Q4, dt.date(2024, 4, 1)))
    return [
        reach_charts.reached_by_quarter(trend),
        reach_charts.reached_by_quarter(f),
        outcome_charts.change_by_quarter(trend, "WEMWBS"),
        reach_charts.people_by(f, "activity"),
        reach_charts.sessions_attended(f),
        reach_charts.referral_routes(f),
        funding_charts.income_by(f, "funder"),
        funding_charts.dependence(f, 0.4),
        outcome_charts.improved_or_not(f, "WEMWBS"),
    ]


def texts(svg: str) -> list[tuple[list[str], float, float, float, str]]:
    """Each text of the marks: its lines, where it stands (x, y), its font size and its anchor."""
    found = []

    def walk(node: ET.Element, x: float, y: float, in_marks: bool) -> None:
        if (move := TRANSLATE.search(node.get("transform", ""))) is not None:
            x, y = x + float(move[1]), y + float(move[2])
        in_marks = in_marks or "role-mark" in node.get("class", "")
        if node.tag == f"{SVG}text" and in_marks:
            lines = ["".join(t.itertext()) for t in node.iter(f"{SVG}tspan")] or ["".join(node.itertext())]
            size = float(node.get("font-size", "11px").removesuffix("px"))
            found.append((lines, x, y, size, node.get("text-anchor", "start")))
            return
        for child in node:
            walk(child, x, y, in_marks)

    walk(ET.fromstring(svg), 0, 0, False)
    return found


def every_text(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def box(text: tuple[list[str], float, float, float, str]) -> tuple[float, float, float, float]:
    """Roughly where a text's lines stand: each character half its font size wide, the lines growing downwards."""
    lines, x, y, size, anchor = text
    width = max(len(line) for line in lines) * size * 0.5
    left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return left, y - size, left + width, y + size * (len(lines) - 1)


def overlap(a: tuple, b: tuple) -> bool:
    (l1, t1, r1, b1), (l2, t2, r2, b2) = box(a), box(b)
    return l1 < r2 - 1 and l2 < r1 - 1 and t1 < b2 - 1 and t2 < b1 - 1


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_charts_on_narrow_filters_read_whole(sample: duckdb.DuckDBPyConnection, width: int) -> None:
    screen = Disclosure.screen()
    for exhibit in exhibits():
        spec = exhibit.chart(exhibit.figures(on(sample), screen), screen).to_dict()
        svg = vl_convert.vegalite_to_svg({**spec, "width": width})
        written = every_text(svg)
        assert not [t for t in written if t.endswith("…")], (exhibit.what, "cut short")
        assert not [t for t in written if re.fullmatch(r"-?0\.0{4,}", t)], (exhibit.what, "an axis of zeros")
        marks = [t for t in texts(svg) if "".join(t[0]).strip()]
        clashes = [(a[0], b[0]) for i, a in enumerate(marks) for b in marks[i + 1 :] if overlap(a, b)]
        assert not clashes, (exhibit.what, clashes)
