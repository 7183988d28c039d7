"""Funder-ready exports: charts to PNG, SVG and PDF with their footnote, data to CSV and XLSX, safe file names."""

from __future__ import annotations

import io
import json
import re
import struct

import altair as alt
import openpyxl
import pandas as pd
import pypdf
import pytest

from pipelines import export, spreadsheet

QUARTERS = pd.DataFrame(
    {"quarter": ["2025-26 Q1", "2025-26 Q2", "2025-26 Q3"], "people": [40, 55, 35], "mean_change": [2.5, 3.1, -0.4]}
)
FOOTNOTE = export.footnote("2025-26", "Brightside Mind attendance registers", None, "Counts under 8 suppressed")
INJECTION = '=HYPERLINK("http://x","y")'


def bar_chart(title: str = "People reached each quarter", width: int | str = 400, height: int = 250) -> alt.Chart:
    return (
        alt.Chart(QUARTERS, title=title)
        .mark_bar()
        .encode(x=alt.X("quarter:N", title="Financial quarter"), y=alt.Y("people:Q", title="People reached"))
        .properties(width=width, height=height)
    )


def layered_chart() -> alt.LayerChart:
    base = alt.Chart(QUARTERS, title="Mean change by quarter").encode(x="quarter:N", y="mean_change:Q")
    return (base.mark_line() + base.mark_point(filled=True)).properties(width=360, height=200).interactive()


def container_chart() -> alt.Chart:
    """A chart as the app draws it on screen: as wide as its container."""
    return bar_chart("Stretched on screen", width="container", height=220)


def concatenated_chart() -> alt.HConcatChart:
    left = alt.Chart(QUARTERS).mark_bar().encode(x="quarter:N", y="people:Q").properties(width=200, height=150)
    right = alt.Chart(QUARTERS).mark_point().encode(x="quarter:N", y="mean_change:Q").properties(width=200, height=150)
    return alt.hconcat(left, right, title="Reach and change side by side")


CHARTS = {
    "bar": (bar_chart, "People reached each quarter"),
    "layered": (layered_chart, "Mean change by quarter"),
    "container": (container_chart, "Stretched on screen"),
    "concatenated": (concatenated_chart, "Reach and change side by side"),
}


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, bytes]]:
    """Every chart rendered once (rendering takes about a second)."""
    return {name: export.chart_files(make().to_dict(), footnote_lines=FOOTNOTE) for name, (make, _) in CHARTS.items()}


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def svg_size(svg: str) -> tuple[float, float]:
    root = re.match(r"<svg[^>]*>", svg).group(0)
    return float(re.search(r'width="([\d.]+)"', root).group(1)), float(re.search(r'height="([\d.]+)"', root).group(1))


@pytest.mark.parametrize("name", CHARTS)
def test_the_png_is_drawn_at_twice_the_charts_size(rendered, name):
    width, height = svg_size(rendered[name]["svg"].decode())
    assert png_size(rendered[name]["png"]) == (round(2 * width), round(2 * height))


@pytest.mark.parametrize("name", CHARTS)
def test_the_svg_holds_the_title_and_every_footnote_line(rendered, name):
    svg = rendered[name]["svg"].decode()
    assert svg.startswith("<svg")
    for text in (CHARTS[name][1], *FOOTNOTE):
        assert f">{text}<" in svg


@pytest.mark.parametrize("name", CHARTS)
def test_the_pdf_text_holds_the_title_and_footnote(rendered, name):
    pdf = rendered[name]["pdf"]
    assert pdf.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert CHARTS[name][1] in text
    assert "Period: 2025-26" in text


def test_the_chart_keeps_its_size_and_the_footnote_goes_underneath(rendered):
    width, height = svg_size(rendered["bar"]["svg"].decode())
    assert 400 < width < 520  # the 400-pixel plot and its axis
    svg = rendered["bar"]["svg"].decode()
    assert svg.index("Counts under 8 suppressed") > svg.index("Financial quarter")


def test_a_chart_sized_to_the_page_gets_the_print_width(rendered):
    width, _ = svg_size(rendered["container"]["svg"].decode())
    assert export.PRINT_WIDTH <= width < export.PRINT_WIDTH + 80


def test_a_chart_with_no_width_of_its_own_gets_the_print_width():
    spec = alt.Chart(QUARTERS).mark_bar().encode(x="quarter:N", y="people:Q").to_dict()
    width, _ = svg_size(export.chart_files(spec, footnote_lines=[], formats=["svg"])["svg"].decode())
    assert export.PRINT_WIDTH <= width < export.PRINT_WIDTH + 80


def test_a_faceted_chart_keeps_its_panel_widths():
    spec = alt.Chart(QUARTERS).mark_bar().encode(x="quarter:N", y="people:Q", column="quarter:N").to_dict()
    width, _ = svg_size(export.chart_files(spec, footnote_lines=FOOTNOTE, formats=["svg"])["svg"].decode())
    assert width < 400  # three narrow panels, not three of the print width


def test_the_callers_spec_is_left_as_it_was():
    spec = container_chart().to_dict()
    before = repr(spec)
    export.chart_files(spec, footnote_lines=FOOTNOTE, formats=["svg"])
    assert repr(spec) == before


def test_long_footnote_lines_wrap():
    citation = (
        "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS) © University of Warwick 2006, all rights reserved. " * 2
    )
    svg = export.chart_files(bar_chart().to_dict(), footnote_lines=[citation], formats=["svg"])["svg"].decode()
    assert (
        ">Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS) © University of Warwick 2006, all rights reserved." in svg
    )
    assert svg.count("Warwick-Edinburgh") == 2  # two lines, not one of 200 characters


def test_data_is_never_fetched():
    spec = {"data": {"url": "https://example.org/people.csv"}, "mark": "bar", "encoding": {"x": {"field": "a"}}}
    with pytest.raises(ValueError, match="not allowed"):
        export.chart_files(spec, footnote_lines=FOOTNOTE, formats=["svg"])


@pytest.mark.parametrize(
    ("period", "source", "citation", "suppression", "expected"),
    [
        (
            "2025-26",
            "Attendance registers",
            "WEMWBS © University of Warwick 2006",
            "Counts under 8 suppressed; others rounded to 5",
            [
                "Period: 2025-26",
                "Source: Attendance registers",
                "WEMWBS © University of Warwick 2006",
                "Counts under 8 suppressed; others rounded to 5",
            ],
        ),
        ("Q1 2025-26", "Funding lines", None, "", ["Period: Q1 2025-26", "Source: Funding lines"]),
    ],
)
def test_footnote_lines(period, source, citation, suppression, expected):
    assert export.footnote(period, source, citation, suppression) == expected


def test_branding_colours_the_marks_and_names_the_charity():
    spec = export.branded(bar_chart().to_dict(), colour="#6a1b9a", charity="Brightside Mind")
    assert spec["config"]["mark"]["color"] == "#6a1b9a"
    assert spec["config"]["range"]["category"][0] == "#6a1b9a"
    assert spec["title"] == "Brightside Mind: People reached each quarter"
    svg = export.chart_files(spec, footnote_lines=[], formats=["svg"])["svg"].decode()
    assert 'fill="#6a1b9a"' in svg
    assert ">Brightside Mind: People reached each quarter<" in svg


def test_branding_recolours_what_the_charts_draw_in_the_dashboard_colour():
    chart = (
        alt.Chart(pd.DataFrame({"x": ["a"], "y": [10]})).mark_bar(color=export.DASHBOARD_COLOUR).encode(x="x", y="y")
    )
    spec = export.branded(chart.to_dict(), colour="#aa3377", charity=None)
    assert export.DASHBOARD_COLOUR not in json.dumps(spec) and spec["mark"]["color"] == "#aa3377"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (None, "Brightside Mind"),
        ("Reach", "Brightside Mind: Reach"),
        (["Reach", "by quarter"], ["Brightside Mind: Reach", "by quarter"]),
        ({"text": "Reach", "subtitle": "2025-26"}, {"text": "Brightside Mind: Reach", "subtitle": "2025-26"}),
    ],
)
def test_branding_puts_the_charity_before_any_kind_of_title(title, expected):
    spec = {"mark": "bar"} | ({"title": title} if title is not None else {})
    assert export.branded(spec, colour=None, charity="Brightside Mind")["title"] == expected


def test_branding_refuses_what_is_not_a_colour():
    with pytest.raises(ValueError, match="Colour"):
        export.branded({"mark": "bar"}, colour="red; stroke:url(x)", charity=None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (INJECTION, "'" + INJECTION),
        ("+44 121 496 0000", "'+44 121 496 0000"),
        ("-note", "'-note"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Peer support", "Peer support"),
        ("", ""),
        (-5, -5),
        (-2.5, -2.5),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert spreadsheet.neutralise(value) == expected


@pytest.fixture(scope="module")
def risky_tables() -> dict[str, bytes]:
    frame = pd.DataFrame(
        {
            "activity": [INJECTION, "+44 121 496 0000", "\tTab", "\rReturn", "Peer support"],
            "mean_change": [-5, 3, 0, 2, 1],
            "share": [0.25, None, 0.5, -0.75, 1.0],
            INJECTION: ["a", "b", "c", "d", "\x01=1+1"],
        }
    )
    return export.table_files(
        frame, sheet_title="Change by activity: 2025/26", notes=["Counts under 8 suppressed", "=cmd|' /C calc'!A0"]
    )


def test_csv_is_utf8_with_bom_plain_names_and_neutralised_text(risky_tables):
    raw = risky_tables["csv"]
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header == 'Activity,Mean change,Share,"\'=HYPERLINK(""http://x"",""y"")"'
    assert first == '"\'=HYPERLINK(""http://x"",""y"")",-5,0.25,a'
    assert "'+44 121 496 0000" in text
    assert "'\tTab" in text and "'\rReturn" in text
    assert "'=1+1" in text and "\x01" not in text  # a control character cannot hide a formula


def test_csv_reads_back_with_numbers_as_numbers(risky_tables):
    back = pd.read_csv(io.BytesIO(risky_tables["csv"]), encoding="utf-8-sig")
    assert back["Mean change"].tolist() == [-5, 3, 0, 2, 1]
    assert back["Share"].iloc[3] == -0.75
    assert pd.isna(back["Share"].iloc[1])


def test_xlsx_cells_are_neutralised_strings_and_numbers_stay_numbers(risky_tables):
    book = openpyxl.load_workbook(io.BytesIO(risky_tables["xlsx"]))
    data = book.worksheets[0]
    assert data.title == "Change by activity  2025 26"  # ':' and '/' are not allowed in sheet names
    header = [cell.value for cell in data[1]]
    assert header == ["Activity", "Mean change", "Share", "'" + INJECTION]
    assert all(cell.font.bold for cell in data[1])
    for cell in (data["A2"], data["D1"]):
        assert cell.data_type == "s"
        assert cell.value.startswith("'=")
    # openpyxl writes with lxml (a python-docx dependency), which keeps a carriage return as written
    assert [data[f"A{row}"].value for row in (3, 4, 5)] == ["'+44 121 496 0000", "'\tTab", "'\rReturn"]
    assert data["B2"].value == -5 and data["B2"].data_type == "n"
    assert data["C5"].value == -0.75
    assert data["C3"].value is None
    assert data["D6"].value == "'=1+1"
    assert data.freeze_panes == "A2"


def test_xlsx_notes_sheet_and_fitted_widths(risky_tables):
    book = openpyxl.load_workbook(io.BytesIO(risky_tables["xlsx"]))
    notes = book["Notes"]
    assert [row[0] for row in notes.iter_rows(values_only=True)] == [
        "Change by activity: 2025/26",
        "Counts under 8 suppressed",
        "'=cmd|' /C calc'!A0",
    ]
    assert notes["A3"].data_type == "s"
    widths = {letter: book.worksheets[0].column_dimensions[letter].width for letter in "ABCD"}
    assert widths == {"A": 29, "B": 13, "C": 8, "D": 29}  # longest value + 2, at least 8


def test_labels_name_columns_and_the_rest_come_from_snake_case():
    frame = pd.DataFrame(
        {"mean_change": [1.5], "ci_low": [0.2], "quarter": ["2025-26 Q1"], "dna_rate": [0.1], "new_label": ["<8"]}
    )
    files = export.table_files(frame, sheet_title="Change", notes=[], labels={"mean_change": "Mean change (points)"})
    header = files["csv"].decode("utf-8-sig").splitlines()[0]
    # internal names in words: no 'Ci low', 'Dna rate' or 'New label' in a funder's spreadsheet
    assert header == "Mean change (points),Likely range from (95%),Quarter,Did-not-attend rate,New as shown"


@pytest.mark.parametrize(
    ("charity", "what", "period", "ext", "expected"),
    [
        ("Brightside Mind", "WEMWBS change", "2025-26", "png", "brightside-mind_wemwbs-change_2025-26.png"),
        ("Brightside Mind", "Reach", "2025-26 Q1", "xlsx", "brightside-mind_reach_2025-26-q1.xlsx"),
        ("Café & Co.", "Income / funder", "April to June 2025", "csv", "cafe-co_income-funder_april-to-june-2025.csv"),
        ("../../etc", "passwd\x00", "..", "sh", "etc_passwd.sh"),
        ("C:\\Users\\x", "a<b>c|d?*", "", ".PDF", "c-users-x_a-b-c-d.pdf"),
        ("", "", "", "", "export.bin"),
        ("Ü" * 5 + "x" * 100, "y", "z", "png", "uuuuu" + "x" * 35 + "_y_z.png"),
    ],
)  # fmt: skip
def test_file_name(charity, what, period, ext, expected):
    assert export.file_name(charity, what, period, ext) == expected
