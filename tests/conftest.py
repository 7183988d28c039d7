"""Shared fixtures: a fresh database per test, and builders for the messy workbooks and CSVs people upload."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from openpyxl import Workbook
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test

from pipelines import ingest, store, summary
from pipelines.periods import Period
from pipelines.query import Filters
from pipelines.template import xlsx_bytes
from tests.apphelpers import add_test_accounts, copy_database, sample_database

EXTERNAL = Path(__file__).resolve().parents[2] / "shared" / "external"
FY24 = Period(dt.date(2024, 4, 1), dt.date(2025, 3, 31))  # financial year 2024-25
BASE_TABLES = "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"


def needs_external(path: Path) -> pytest.MarkDecorator:
    """Mark a test that reads a real public file under ../shared/external: skipped where the file is absent, except
    in CI (CI set, e.g. CI=true), where the test runs and fails on the missing file, as tests/test_browser.py does."""
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false")
    return pytest.mark.skipif(not path.exists() and not in_ci, reason=f"the real public test file {path} is absent")


def workbook(sheets: dict[str, list[list]], merge: dict[str, list[str]] | None = None) -> bytes:
    """An .xlsx file whose sheets hold exactly these rows (row 1 first); ``merge`` merges cell ranges per sheet."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
        for cell_range in (merge or {}).get(title, []):
            sheet.merge_cells(cell_range)
    return xlsx_bytes(book)


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    """A CSV file in ``encoding`` ("utf-8-sig" writes a byte order mark, "cp1252" is Excel's Windows default)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def con(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[duckdb.DuckDBPyConnection]:
    """A new database for this test; its key file is created beside it as t.duckdb.key."""
    monkeypatch.delenv("IMPACT_SECRET_FILE", raising=False)
    monkeypatch.delenv("IMPACT_DB", raising=False)
    connection = store.connect(tmp_path / "t.duckdb")
    yield connection
    connection.close()


def load(con: duckdb.DuckDBPyConnection, *files: tuple[str, bytes]) -> list[int]:
    """Check and load files, failing the test with every problem if any is refused."""
    result = ingest.check(con, list(files))
    assert result.ok, "\n".join(str(p) for p in result.problems)
    return ingest.load(con, result)


def checked(con: duckdb.DuckDBPyConnection, *files: tuple[str, bytes]) -> ingest.Check:
    return ingest.check(con, list(files))


def current(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def snapshot(con: duckdb.DuckDBPyConnection, period: Period = FY24) -> dict:
    """Everything a refused upload must leave as it was: row counts of every table, and the headline figures."""
    tables = [t for (t,) in con.execute(BASE_TABLES).fetchall()]
    assert {"uploads", "meta", *(f"{kind}_history" for kind in store.COLUMNS)} <= set(tables)
    counts = {table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
    return {"counts": counts, "summary": summary.summary(con, Filters(period))}


# A small, valid workbook that refusal tests load first, so "unchanged" is checked against real data.
BASE_SHEETS = {
    "People": [["participant_id", "gender", "age_band"], ["P1", "woman", "25-34"], ["P2", "man", "35-44"]],
    "Register": [
        ["participant_id", "session_date", "activity", "attended"],
        ["P1", "2024-05-01", "Peer group", "yes"],
        ["P2", "2024-05-01", "Peer group", "DNA"],
    ],
    "Scores": [["participant_id", "date", "WEMWBS total"], ["P1", "2024-05-01", 40], ["P1", "2024-09-01", 47]],
}


def database_with(file_name: str, sheets: dict[str, list[list]]) -> Callable[..., duckdb.DuckDBPyConnection]:
    """A fixture: a new database already holding one upload, a workbook of these sheets."""

    @pytest.fixture
    def database(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        load(con, (file_name, workbook(sheets)))
        return con

    return database


loaded = database_with("base.xlsx", BASE_SHEETS)  # a database already holding one valid upload


# The app: one sample database per session, copied for each test that opens it -------------------


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_database(tmp_path_factory)


@pytest.fixture(scope="session")
def sample(sample_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the session's sample, for working out the expected figures."""
    con = store.connect(sample_db, read_only=True)
    yield con
    con.close()


class ServerPagesManager(PagesManager):
    """Routes every AppTest run through st.navigation in dashboard.py, as a running server does.

    Streamlit keeps "this app uses a pages/ folder (multipage apps v1)" in a process-wide flag, set when the first
    session starts (our pages live in pages/) and cleared for good by the first st.navigation call. A server
    therefore runs pages/x.py on its own only for the very first request (ui.shell.require_shell handles
    that; tests/test_browser.py checks it). AppTest, though, resets the flag before every run, so each rerun
    after the first would execute the page alone, without the entry point's sidebar and banner.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture
def app_runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """AppTest as on a server, with the app's per-process caches empty before and after the test."""
    monkeypatch.setattr(app_test, "PagesManager", ServerPagesManager)
    monkeypatch.delenv("IMPACT_SECRET_FILE", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def app_with_own_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sheets: dict[str, list[list]]) -> Path:
    """A database holding one upload of the charity's own (not the sample), which the app will open."""
    db = tmp_path / "own.duckdb"
    con = store.connect(db)
    try:
        load(con, ("own.xlsx", workbook(sheets)))
        add_test_accounts(con)
    finally:
        con.close()
    monkeypatch.setenv("IMPACT_DB", str(db))
    return db


@pytest.fixture
def sample_app(app_runtime: None, sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own copy of the sample, which the app will open."""
    db = copy_database(sample_db, tmp_path / "app")
    monkeypatch.setenv("IMPACT_DB", str(db))
    return db
