"""The funder report's document model rendered to PDF and Word: content, structure, page furniture, hostile text."""

from __future__ import annotations

import io
import re

import altair as alt
import docx
import pandas as pd
import pypdf
import pytest

from pipelines import document, export
from pipelines.document import Bullets, Document, Figure, Heading, PageBreak, Paragraph, Table
from pipelines.settings import Brand

PARAGRAPH = "Grants of £12,500 funded 14 peer-support groups in 2025–26; 62% of people scored ≥ 3 points higher."
ALT_TEXT = "Bar chart: people reached rose from 40 in Q1 to 55 in Q2, then fell to 35 in Q3."
INJECTION = '=HYPERLINK("http://x","y")'
HEADINGS = [("What changed for people", 1), ("Who took part", 2), ("Reach by group", 1)]


def chart_png() -> bytes:
    frame = pd.DataFrame({"quarter": ["Q1", "Q2", "Q3"], "people": [40, 55, 35]})
    chart = alt.Chart(frame).mark_bar().encode(x="quarter:N", y="people:Q").properties(width=300, height=160)
    return export.chart_files(chart.to_dict(), footnote_lines=[], formats=("png",))["png"]


def groups_table(rows: int = 60) -> Table:
    frame = pd.DataFrame(
        {
            "group_name": [f"Group {n:02d} meeting weekly in the community centre" for n in range(1, rows + 1)],
            "people_reached": [25 * n for n in range(1, rows + 1)],
            "mean_change": [round(0.05 * n, 2) for n in range(1, rows + 1)],
            "share_improved": [f"{n % 100}%" for n in range(1, rows + 1)],
        }
    )
    return Table(frame, caption="Table 1. People reached by group", notes=["Counts under 8 are shown as <8."])


def report(brand: Brand | None = None) -> Document:
    blocks = [
        Heading(HEADINGS[0][0], 1),
        Paragraph(PARAGRAPH),
        Paragraph("Every figure below counts people, not sessions.", emphasis=True),
        Bullets(["Wellbeing rose for most people.", "Fewer people left early than last year."]),
        Figure(chart_png(), caption="Figure 1. People reached each quarter", alt_text=ALT_TEXT),
        Heading(HEADINGS[1][0], 2),
        Paragraph("Groups met in libraries, community centres and online."),
        PageBreak(),
        Heading(HEADINGS[2][0], 1),
        groups_table(),
    ]
    brand = brand or Brand("Brightside Mind", logo_png=chart_png(), footnote="Registered charity no. 1234567")
    return Document("Impact report 2025–26", "For the Community Wellbeing Fund", blocks, brand)


@pytest.fixture(scope="module")
def pdf_pages() -> list[str]:
    pdf = document.to_pdf(report())
    assert pdf.startswith(b"%PDF")
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def word() -> docx.document.Document:
    return docx.Document(io.BytesIO(document.to_docx(report())))


def squashed(text: str) -> str:
    """Extracted PDF text with line breaks and spacing removed, so wrapped sentences compare whole."""
    return re.sub(r"\s+", "", text)


def test_pdf_pages_are_numbered_page_n_of_m(pdf_pages):
    total = len(pdf_pages)
    assert total >= 3  # the first page, then the page break, then a 60-row table that needs more than one page
    for number, text in enumerate(pdf_pages, 1):
        assert f"Page {number} of {total}" in text


@pytest.mark.parametrize(
    "text", ["Impact report 2025–26", "Brightside Mind", PARAGRAPH, "Registered charity no. 1234567"]
)
def test_pdf_first_page_holds(pdf_pages, text):
    assert squashed(text) in squashed(pdf_pages[0])


def test_pdf_table_header_repeats_on_every_page_it_spans(pdf_pages):
    spanned = [squashed(text) for text in pdf_pages if "meeting weekly" in text]
    assert len(spanned) >= 2
    for text in spanned:
        assert "GroupnamePeoplereachedMeanchangeShareimproved" in text
    assert "Group01" in spanned[0] and "Group60" in spanned[-1]
    assert "Countsunder8areshownas<8." in spanned[-1]


def test_pdf_table_numbers_are_formatted(pdf_pages):
    text = "\n".join(pdf_pages)
    assert "Group 60 meeting" in text
    assert "1,000 2.00 40%" in text and "1,500 3.00 60%" in text  # 25 * 40, 0.05 * 40: places alike in a column


def test_docx_headings_use_word_heading_styles(word):
    headings = [(p.text, p.style.name) for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [(text, f"Heading {level}") for text, level in HEADINGS]
    assert [p.style.name for p in word.paragraphs[:2]] == ["Title", "Subtitle"]


def test_docx_table_is_a_word_table_with_a_repeating_header_row(word):
    (table,) = word.tables
    assert len(table.rows) == 61
    assert [cell.text for cell in table.rows[0].cells] == [
        "Group name",
        "People reached",
        "Mean change",
        "Share improved",
    ]
    assert [cell.text for cell in table.rows[10].cells] == ["Group 10 meeting weekly in the community centre", "250", "0.50", "10%"]  # fmt: skip
    assert table.rows[0]._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None


def test_docx_has_one_inline_picture_described_by_its_alt_text(word):
    (picture,) = word.inline_shapes
    assert picture._inline.docPr.get("descr") == ALT_TEXT
    assert picture.width == word.sections[0].page_width - word.sections[0].left_margin - word.sections[0].right_margin


@pytest.mark.parametrize("footer", ["first_page_footer", "footer"])
def test_docx_footer_has_page_field(word, footer):
    xml = getattr(word.sections[0], footer)._element.xml
    assert 'w:instr=" PAGE "' in xml and 'w:instr=" NUMPAGES "' in xml
    assert "Registered charity no. 1234567" in xml


def test_docx_first_page_header_has_logo_and_name(word):
    header = word.sections[0].first_page_header
    assert "Brightside Mind" in header.paragraphs[0].text
    assert "pic:pic" in header._element.xml


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234, "1,234"),
        (2.5, "2.5"),
        (2.125, "2.12"),
        (3.0, "3"),
        (None, ""),
        (float("nan"), ""),
        (True, "Yes"),
        (pd.Timestamp("2025-04-01"), "1 Apr 2025"),
        ("<8", "<8"),
        ("-0.4", "-0.4"),
        (INJECTION, INJECTION),  # a document is not a spreadsheet: no apostrophe
        ("a\x00b\x1bc\r\nd\te", "abc\nd e"),
    ],
)
def test_cell_text(value, expected):
    assert document.cell_text(value) == expected


@pytest.mark.parametrize(
    ("values", "places"),
    [([1.0, 2.0, None], 0), ([1.0, 2.5], 1), ([0.05, 1.5, 3.0], 2), ([1 / 3], 2), ([float("nan"), 4], 0)],
)
def test_decimal_places_are_shared_by_a_column(values, places):
    assert document.decimal_places(values) == places


def test_numbers_and_number_like_text_are_right_aligned():
    frame = pd.DataFrame({"name": ["A", "B"], "count": [12, None], "shown": ["<8", "£1,200"], "mixed": ["3", "n/a"]})
    assert document.table_text(Table(frame, "t")).numeric == [False, True, True, False]


def hostile_document() -> Document:
    long_word = "x" * 5000
    frame = pd.DataFrame({"name": [INJECTION, long_word, "{nb} <b>bold</b> **md**"], "count": [1, 2, 3]})
    blocks = [
        Heading(long_word, 1),
        Paragraph(long_word + " \x07bell " + INJECTION),
        Bullets([long_word]),
        Table(frame, caption=long_word, notes=[long_word]),
    ]
    brand = Brand("Brightside\x00 Mind " + long_word, footnote=long_word)
    return Document(INJECTION, long_word, blocks, brand)


def test_hostile_text_renders_to_pdf_as_plain_text():
    pdf = document.to_pdf(hostile_document())
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "=HYPERLINK" in text and "'=HYPERLINK" not in text  # a document is not a spreadsheet: printed as it is
    assert "{nb} <b>bold</b> **md**" in text  # no page-count alias, no HTML, no markdown
    assert "\x07" not in text and "\x00" not in text


def test_hostile_text_renders_to_docx_as_plain_text():
    word = docx.Document(io.BytesIO(document.to_docx(hostile_document())))
    assert word.tables[0].rows[1].cells[0].text == INJECTION  # no apostrophe in a document
    assert word.tables[0].rows[2].cells[0].text == "x" * 5000  # Word splits long rows across pages itself
    assert "fldSimple" not in word.element.body.xml  # no text became a field


def test_brand_colour_is_checked():
    with pytest.raises(ValueError, match="#1f6f8b"):
        Brand("Brightside Mind", colour="teal")
