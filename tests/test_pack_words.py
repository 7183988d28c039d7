"""Every sentence a funder reads in a report pack reads well when figures are withheld: no withheld mark ('–')
inside a sentence, no spreadsheet apostrophe in front of any text, in the PDF's and the Word file's words."""

from __future__ import annotations

import io
import re

import docx
import duckdb
import pytest
from pypdf import PdfReader

from pipelines import pack, report
from pipelines.disclosure import Disclosure
from pipelines.document import Bullets, Paragraph, Table, table_text, to_docx, to_pdf
from pipelines.query import Filters
from pipelines.settings import Brand
from tests.helpers import FY24, load, workbook

# 11 people: 9 new and 2 returning (a small part, so both parts are hidden), 9 WEMWBS pairs of whom 5 improved
# (small, hidden with the rest), 2 with a first score only, a grant and spending: most figures are withheld.
PEOPLE = [f"P{n:02}" for n in range(11)]
REGISTER = [
    ["participant_id", "session_date", "activity", "attended"],
    *[["P00", "2023-06-01", "Peer", "yes"], ["P01", "2023-06-01", "Peer", "yes"]],
    *[[p, "2024-06-03", "Peer", "yes"] for p in PEOPLE],
]
SCORES = [
    ["participant_id", "date", "WEMWBS total"],
    *[[p, "2024-05-01", 40] for p in PEOPLE],
    *[[p, "2024-11-01", 45 if i < 5 else 41] for i, p in enumerate(PEOPLE[:9])],
]
GRANTS = [
    ["funder", "title", "amount", "start_date", "end_date", "status", "activity"],
    ["Dudley Council", "Peer support", 12000, "2024-04-01", "2025-03-31", "secured", "Peer"],
]
SPEND = [["period_start", "amount", "activity"], *[[f"2024-{m:02}-01", 1000, "Peer"] for m in range(4, 13)]]


@pytest.fixture
def small(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    load(con, ("small.xlsx", workbook({"Register": REGISTER, "Scores": SCORES, "Grants": GRANTS, "Spend": SPEND})))
    return con


def sentences(blocks: list) -> list[str]:
    found = []
    for block in blocks:
        if isinstance(block, Paragraph):
            found.append(block.text)
        elif isinstance(block, Bullets):
            found += block.items
        elif isinstance(block, Table):
            found += [block.caption, *block.notes]
    return found


def packs(con: duckdb.DuckDBPyConnection) -> list[pack.Pack]:
    brand = Brand("Small charity")
    return [
        pack.report_pack(con, report.scope(con, period=FY24), report.SECTIONS, brand),
        pack.report_pack(con, report.scope(con, funder="Dudley Council"), report.SECTIONS, brand),
        pack.one_page(con, Filters(FY24), brand),
    ]


def test_no_withheld_mark_inside_a_sentence(small: duckdb.DuckDBPyConnection) -> None:
    built = packs(small)
    said = [s for p in built for s in sentences(p.document.blocks)]
    assert any("fewer than 8" in s for s in said), "the dataset withholds figures, and the words say so"
    key = Disclosure.export().note  # the footnote that explains the marks in the tables names them
    for sentence in said:
        sentence = sentence.replace(key, "").replace(key[0].lower() + key[1:], "")
        # a withheld mark stands where a figure would, before a word or a stop; a range's dash joins two figures
        assert not re.search(r"(^|[\s(])–(\s+[a-z%£]|\s*[.,;:)]|\s*$)", sentence), sentence
        assert "<8" not in sentence, sentence  # in words: 'fewer than 8'


def test_no_apostrophe_in_front_of_any_document_text(small: duckdb.DuckDBPyConnection) -> None:
    for built in packs(small):
        for block in built.document.blocks:
            if isinstance(block, Table):
                text = table_text(block)
                for cell in [*text.headers, *(c for row in text.rows for c in row)]:
                    assert not cell.startswith("'"), (block.caption, cell)
        pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf(built.document))).pages)
        assert not re.search(r"(^|\s)'[+\-=@]", pdf), "a spreadsheet's apostrophe in the PDF"
        word = docx.Document(io.BytesIO(to_docx(built.document)))
        cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
        assert not [c for c in cells if c.startswith("'")], "a spreadsheet's apostrophe in the Word file"
