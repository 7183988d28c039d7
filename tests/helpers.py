"""Shared by the tests (their fixtures are in conftest.py): workbooks and CSVs built from rows, loading files and
reading a database back, databases made once per session and copied for each test, and the parts that hostile files
are made of."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from pipelines import ingest, store, summary
from pipelines.__main__ import main
from pipelines.periods import Period
from pipelines.query import Filters

EXTERNAL = Path(__file__).resolve().parents[2] / "shared" / "external"
FY24 = Period(dt.date(2024, 4, 1), dt.date(2025, 3, 31))  # financial year 2024-25
BASE_TABLES = (  # every table of the charity's data and settings; not sessions, which signing a test account in starts
    "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_name != 'sessions' "
    "ORDER BY 1"
)
DB_NAME = "t.duckdb"  # every test's own database; its key file, once made, is t.duckdb.key beside it


def needs_external(path: Path) -> pytest.MarkDecorator:
    """Mark a test that reads a real public file under ../shared/external: skipped where the file is absent, except
    in CI (CI set, e.g. CI=true), where the test runs and fails on the missing file, as tests/test_browser.py does."""
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false")
    return pytest.mark.skipif(not path.exists() and not in_ci, reason=f"the real public test file {path} is absent")


# Files built from rows ----------------------------------------------------------------------------


def saved(book: Workbook) -> bytes:
    """A workbook's .xlsx bytes exactly as built (an input to the app, so nothing in it is neutralised)."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
    return saved(book)


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    """A CSV file in ``encoding`` ("utf-8-sig" writes a byte order mark, "cp1252" is Excel's Windows default)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


# Loading and reading back -------------------------------------------------------------------------


def load(con: duckdb.DuckDBPyConnection, *files: tuple[str, bytes]) -> list[int]:
    """Check and load files, failing the test with every problem if any is refused."""
    result = ingest.check(con, list(files))
    assert result.ok, "\n".join(str(p) for p in result.problems)
    return ingest.load(con, result)


def checked(con: duckdb.DuckDBPyConnection, *files: tuple[str, bytes]) -> ingest.Check:
    return ingest.check(con, list(files))


def current(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The rows of every table, the uploads table among them: what a refused upload must leave as it was."""
    tables = [table for (table,) in con.execute(BASE_TABLES).fetchall()]
    return {table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def snapshot(con: duckdb.DuckDBPyConnection, period: Period = FY24) -> dict:
    """Everything a refused upload must leave as it was: row counts of every table, and the headline figures."""
    found = counts(con)
    assert {"uploads", "meta", *(f"{kind}_history" for kind in store.COLUMNS)} <= set(found)
    return {"counts": found, "summary": summary.summary(con, Filters(period))}


# Databases made once per session, copied for each test ---------------------------------------------

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


def key_file(db: Path) -> Path:
    """The participant key made beside a database when data is first checked (``<db>.key``)."""
    return db.with_name(db.name + ".key")


Fill = Callable[[duckdb.DuckDBPyConnection], object]  # writes what a template database holds


class Templates:
    """Databases made once per test session, each copied whole for every test that asks for one.

    Making the schema and loading a workbook cost far more than copying the closed file, and a copy is the test's
    own: nothing it writes reaches the template or another test.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[Fill | None, Path] = {}

    def empty(self) -> Path:
        """A database as store.connect first makes it: the schema, nothing loaded, no key file yet."""
        return self.made_by(None)

    def made_by(self, fill: Fill | None) -> Path:
        """A new database that ``fill`` has written to (its key file beside it once a file is checked)."""
        if fill not in self.made:
            db = self.folder / str(len(self.made)) / DB_NAME
            with pytest.MonkeyPatch.context() as patch:
                patch.delenv("IMPACT_SECRET_FILE", raising=False)
                with store.connect(db) as con:
                    if fill:
                        fill(con)
            assert not Path(f"{db}.wal").exists(), "closing the database writes everything into its one file"
            self.made[fill] = db
        return self.made[fill]


@contextmanager
def own_copy(template: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to this test's own copy of ``template`` in ``folder`` (with its key file, if it has one yet),
    closed after the test; the environment names no other database or key file."""
    monkeypatch.delenv("IMPACT_SECRET_FILE", raising=False)
    monkeypatch.delenv("IMPACT_DB", raising=False)
    db = folder / template.name
    assert not db.exists(), "a test has one database fixture"
    shutil.copy(template, db)  # with its owner-only mode, as store.connect made it
    if key_file(template).exists():
        shutil.copy(key_file(template), key_file(db))
    with store.connect(db) as connection:
        yield connection


def database_made_by(fill: Fill) -> Callable[..., duckdb.DuckDBPyConnection]:
    """A fixture: a new database that ``fill`` has written to, made once per session and copied for each test."""

    @pytest.fixture
    def database(
        templates: Templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        with own_copy(templates.made_by(fill), tmp_path, monkeypatch) as connection:
            yield connection

    return database


def upload_of(file_name: str, sheets: dict[str, list[list]]) -> Fill:
    """Loads one upload, a workbook of these sheets."""

    def upload(con: duckdb.DuckDBPyConnection) -> None:
        load(con, (file_name, workbook(sheets)))

    return upload


def database_with(file_name: str, sheets: dict[str, list[list]]) -> Callable[..., duckdb.DuckDBPyConnection]:
    """A fixture: a new database already holding one upload, a workbook of these sheets."""
    return database_made_by(upload_of(file_name, sheets))


# The parts of hostile files -------------------------------------------------------------------------

REGISTER_HEADER = ["participant_id", "session_date", "activity", "attended"]
REGISTER = [REGISTER_HEADER, ["P3", "2024-06-05", "Art group", "yes"], ["P4", "2024-06-05", "Art group", "no"]]
SHEET = "xl/worksheets/sheet1.xml"


def parts(data: bytes) -> dict[str, bytes]:
    """The files inside a zip (an .xlsx), by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def register_csv(rows: list[list] | None = None, newline: str = "\r\n") -> bytes:
    return csv_bytes(rows or REGISTER).replace(b"\r\n", newline.encode())


def grants_package(grants: list[dict]) -> bytes:
    """A 360Giving JSON package of these grants."""
    return json.dumps({"grants": grants}).encode()


def grant(amount: object = 12000, **more: object) -> dict:
    return {
        "id": "360G-test-1",
        "title": "Peer support",
        "amountAwarded": amount,
        "awardDate": "2024-04-01",
        "plannedDates": [{"startDate": "2024-04-01", "endDate": "2025-03-31"}],
        "fundingOrganization": [{"name": "Emile Foundation"}],
    } | more


# The command line ---------------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *args: str, stdin: str = "") -> tuple[int, str, str]:
    """``python -m pipelines ARGS`` run in this process with ``stdin`` to read: its exit code, output and errors."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
