"""Reading a sheet a column at a time gives exactly what reading it cell by cell gives: records, problems, notes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pipelines import cells, wellbeing, workbook
from pipelines.privacy import first_pii
from pipelines.rows import Column, Rows, Sheet
from pipelines.validate import read_sheet
from pipelines.workbook import Grid

ANSWERS = [1, 2, 3, 4, 5, 1.0, 5.0, 2.5, 0, 6, -1, "3", " 4 ", "Often", "often", "All of the time", "Rarely", "rarely ",
           "sometimes", "Not at all", "x", "", None, True, "5 - All of the time", float("nan")]  # fmt: skip
TOTALS = [None, "", 14, 28, 42, 70, 71, 13, "42", "forty", 25.5]
IDS = ["P1", "P2", "P1", 101, 101.0, "", None, "jo@example.org", "P3"]
DATES = [dt.date(2025, 4, 1), dt.datetime(2025, 5, 2, 10, 30), "03/06/2025", "31/02/2025", 45800, "", None, "soon"]
HEADERS = ["Client ID", "Date completed", *[f"WEMWBS Q{i}" for i in range(1, 15)], "WEMWBS total"]
HEADERS += [*[f"SWEMWBS Q{i}" for i in range(1, 8)], *[f"CORE-10 Q{i}" for i in range(1, 11)], "ONS4 happy"]


def row_strategy(width: int) -> st.SearchStrategy[list[object]]:
    """Rows of any cells, and rows of answers all in range whose total is right, one off or missing."""
    messy = st.tuples(
        st.sampled_from(IDS),
        st.sampled_from(DATES),
        st.lists(st.sampled_from(ANSWERS), min_size=width, max_size=width),
        st.sampled_from(TOTALS),
    ).map(lambda parts: [parts[0], parts[1], *parts[2][:14], parts[3], *parts[2][14:]])
    answered = st.tuples(
        st.lists(st.integers(1, 5), min_size=14, max_size=14),
        st.sampled_from([0, 1, None]),
        st.lists(st.sampled_from([1, 2, 3, 4, 5, "Often", None, 2.5]), min_size=width - 14, max_size=width - 14),
    ).map(lambda parts: ["P1", dt.date(2025, 4, 1), *parts[0], _total(parts[0], parts[1]), *parts[2]])
    return st.one_of(messy, answered)


def _total(answers: list[int], off: int | None) -> int | None:
    return None if off is None else sum(answers) + off


def every_cell_distinct(values):
    return np.arange(len(values)), list(values)


def read_both_ways(grid: Grid, monkeypatch: pytest.MonkeyPatch) -> tuple[Sheet, Sheet]:
    """The sheet read as a check reads it (a rectangular one as the reading process sends it, coded columns), and
    read cell by cell, every row on its own."""
    by_columns = read_sheet(workbook._unpacked(workbook._packed(grid)))
    with monkeypatch.context() as patched:
        patched.setattr(cells, "distinct_codes", every_cell_distinct)
        patched.setattr(wellbeing, "_wide_scores", lambda columns, rows: {})  # every row explained on its own
        by_cells = read_sheet(Grid(grid.file, grid.sheet, grid.rows))  # a grid of its own: its columns coded anew
    return by_columns, by_cells


@given(rows=st.lists(row_strategy(len(HEADERS) - 3), min_size=1, max_size=30), ragged=st.booleans())
@example(  # every SWEMWBS answer not one, and no SWEMWBS total: said, never scored from a missing total
    rows=[["P1", dt.date(2025, 4, 1), *[1] * 14, None, *[2.5] * 3, *["sometimes"] * 4, *[1] * 11]], ragged=False
)
def test_a_wide_questionnaire_sheet_reads_the_same_by_columns_as_by_cells(rows, ragged):
    body = [row[: len(row) - (i % 3)] if ragged else row for i, row in enumerate(rows)]
    grid = Grid("q.xlsx", "Scores", [HEADERS, *body])
    with pytest.MonkeyPatch.context() as monkeypatch:
        by_columns, by_cells = read_both_ways(grid, monkeypatch)
    assert by_columns.problems == by_cells.problems
    assert by_columns.notes == by_cells.notes
    assert _comparable(by_columns.records) == _comparable(by_cells.records)


def _comparable(records: list[dict]) -> list[dict]:
    """NaN is never equal to itself; as text it is."""
    return [{k: repr(v) for k, v in r.items()} for r in records]


REGISTER = ["ID", "Session date", "Activity", "Attended", "Delivery", "Minutes"]
REGISTER_CELLS = st.tuples(
    st.sampled_from(IDS),
    st.sampled_from(DATES),
    st.sampled_from(["Walk and talk", "", None, 7, "x" * 250]),
    st.sampled_from(["Yes", "DNA", "", "maybe", 1, True, 1.0]),
    st.sampled_from(["Online", "face to face", "", "by pigeon"]),
    st.sampled_from([60, "90", "", -5, "an hour", 1e12]),
).map(list)


@given(rows=st.lists(REGISTER_CELLS, min_size=1, max_size=30))
def test_a_register_reads_the_same_by_columns_as_by_cells(rows):
    grid = Grid("r.xlsx", "Register", [REGISTER, *rows])
    with pytest.MonkeyPatch.context() as monkeypatch:
        by_columns, by_cells = read_both_ways(grid, monkeypatch)
    assert (by_columns.problems, by_columns.notes, by_columns.records) == (
        by_cells.problems,
        by_cells.notes,
        by_cells.records,
    )


def test_each_distinct_cell_is_read_once_and_one_is_not_true():
    seen = []

    def read(value):
        seen.append(value)
        return repr(value)

    assert cells.distinct_once(read, [1, 1.0, True, 1, "1", True]) == ["1", "1.0", "True", "1", "'1'", "True"]
    assert seen == [1, 1.0, True, "1"]


def test_a_column_of_ragged_rows_is_filled_with_none():
    grid = Grid("r.csv", "", [["h1", "h2", "h3"], ["a", "b", "c"], ["d"], [], ["e", "f"]])
    rows = Rows(grid, np.array([1, 2, 4]))
    assert rows.numbers == [2, 3, 5]
    assert rows.read_column(1, str) == ["b", "None", "f"]
    assert rows.read_column(7, str) == ["None", "None", "None"]
    assert (rows.row(1), rows.cell(1, Column(1, "h2"))) == (["d"], None)


def test_a_column_is_coded_among_the_data_rows_alone_in_the_order_its_cells_first_appear():
    grid = Grid("r.xlsx", "R", columns=[(np.array([0, 1, 2, 1, 3, 2]), ["Title", "x", "y", "z"])])
    codes, values = Rows(grid, np.array([2, 3, 5])).distinct(0)
    assert (codes.tolist(), values) == ([0, 1, 0], ["y", "x"])
    assert grid.rows == [["Title"], ["x"], ["y"], ["x"], ["z"], ["y"]]
    assert grid == Grid("r.xlsx", "R", grid.rows)


@pytest.mark.parametrize(
    "values, expected",
    [
        (["P1", "P2", 12.0, None], None),
        (["a@b.org", "P1", "a@b.org", "DY1 4AB"], (0, "an email address")),
        (["P1", "DY1 4AB", "P2", "a@b.org", "DY1 4AB"], (1, "a full postcode")),
        (["P1", "call 07700 900123", "x"], (1, "a phone number")),
        (["P1", 9434765919.0], (1, "an NHS number")),
        (["P1", "DY1 4AB", "a@b.org"], (1, "a full postcode")),
        ([None, "a@b.org"], (1, "an email address")),
        ([dt.date(2025, 1, 1), "943 476 5919"], (1, "an NHS number")),
    ],
)
def test_the_first_cell_that_looks_like_personal_data(values, expected):
    assert first_pii(*cells.distinct_codes(values)) == expected
