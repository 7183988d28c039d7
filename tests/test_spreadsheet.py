"""Every spreadsheet the app writes, fed hostile text, holds no formula when read back (pipelines/spreadsheet.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator

import duckdb
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from pipelines import audit, export, pack, problem_report, report, spreadsheet, users
from pipelines.periods import financial_year
from pipelines.settings import Brand
from pipelines.users import SignInRefused
from tests.helpers import REGISTER_HEADER, checked, csv_bytes, saved

CALC = "=cmd|' /C calc'!A0"  # typed as a user name at sign-in
LINK = '=HYPERLINK("http://example.invalid/","Click")'
STARTS = ("=", "+", "-", "@", "\t", "\r")


def workbook_cells(data: bytes) -> Iterator[tuple[str, object, str]]:
    """(sheet!cell, value, type) of every cell of every sheet."""
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                yield f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type


def assert_no_formula_in_workbook(data: bytes) -> None:
    for where, value, kind in workbook_cells(data):
        assert kind != "f", (where, value)
        assert not (isinstance(value, str) and value.startswith(STARTS)), (where, value)


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def assert_no_formula_in_csv(data: bytes) -> None:
    for cell in csv_cells(data):
        assert not cell.startswith(STARTS), cell


def test_the_writer_stores_a_formula_given_to_a_workbook_as_neutralised_text() -> None:
    book = Workbook()
    book.active["A1"] = "=1+1"  # openpyxl would store this as a live formula
    book.active["A2"] = 3
    book.active["A3"] = "-note"
    book.active["A4"] = "Peer support"
    back = load_workbook(io.BytesIO(spreadsheet.xlsx_bytes(book))).active
    assert [(c.value, c.data_type) for c in back["A"]] == [
        ("'=1+1", "s"), (3, "n"), ("'-note", "s"), ("Peer support", "s")
    ]  # fmt: skip


def test_the_audit_csv_holds_a_hostile_user_name_as_text(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(SignInRefused):
        users.sign_in(con, CALC, "guess")
    data = audit.csv_bytes(con)
    assert_no_formula_in_csv(data)
    assert "'" + CALC in csv_cells(data)


def test_the_problems_and_marked_workbooks_hold_no_formula(con: duckdb.DuckDBPyConnection) -> None:
    hostile = csv_bytes([REGISTER_HEADER, ["P1", LINK, "+Art", "@yes"], ["P2", "2024-06-05", "-Peer", "yes"]])
    result = checked(con, ("=bad.csv", hostile))
    assert result.problems, "the hostile date is a problem to report"
    listed = problem_report.problems_workbook(result.problems)
    assert_no_formula_in_workbook(listed)
    assert "'=bad.csv" in [value for _, value, _ in workbook_cells(listed)]
    marked = problem_report.marked_workbook("=bad.csv", hostile, result.problems)
    assert_no_formula_in_workbook(marked)
    assert "'" + LINK in [value for _, value, _ in workbook_cells(marked)]


def test_the_marked_copy_of_a_workbook_keeps_values_not_formulas(con: duckdb.DuckDBPyConnection) -> None:
    book = Workbook()
    book.active.title = "Register"
    for row in [REGISTER_HEADER, ["P1", "31/02/2025", "Art", "yes"], ["P2", "2024-06-05", "Art", "yes"]]:
        book.active.append(row)
    book.active["E2"] = '=WEBSERVICE("http://example.invalid/")'
    data = saved(book)
    result = checked(con, ("q1.xlsx", data))
    assert_no_formula_in_workbook(problem_report.marked_workbook("q1.xlsx", data, result.problems))


def test_chart_data_and_the_report_zip_hold_no_formula(sample: duckdb.DuckDBPyConnection) -> None:
    frame = pd.DataFrame({"activity": [LINK, "+44 121"], "people": [10, 20], CALC: ["\x01=1+1", "-"]})
    files = export.table_files(frame, sheet_title=LINK, notes=[CALC, "Donate at http://example.invalid"])
    assert_no_formula_in_csv(files["csv"])
    assert_no_formula_in_workbook(files["xlsx"])

    brand = Brand(LINK, footnote=CALC)
    built = pack.report_pack(sample, report.scope(sample), ("reach",), brand)
    archive = zipfile.ZipFile(io.BytesIO(built.zip()))
    spreadsheets = [name for name in archive.namelist() if name.endswith((".xlsx", ".csv"))]
    assert spreadsheets
    for name in spreadsheets:
        assert_no_formula_in_workbook(archive.read(name))
        assert "'" + CALC in [value for _, value, _ in workbook_cells(archive.read(name))]  # the footnote


def test_a_download_names_its_data_file_without_a_formula() -> None:
    download = export.Download(
        "People", {}, pd.DataFrame({"a": [LINK]}), financial_year(dt.date(2025, 6, 1)), Brand(CALC)
    )
    assert_no_formula_in_csv(download.render("csv"))
    assert not download.file_name("csv").startswith(STARTS)
