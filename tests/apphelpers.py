"""Shared by the app tests (AppTest and the real browser): one sample database per test session, copied per test;
the pages opened once on it for the tests that only read them; and the blank upload template filled in."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
import streamlit as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

import ui.data
from pipelines import ingest, inventory, published, sessions, store, users
from pipelines.audit import OPERATOR, ROLES
from pipelines.disclosure import Disclosure
from pipelines.query import Filters
from tests.helpers import counts, key_file, load, saved, workbook
from ui import sections
from ui.auth import SESSION_KEY
from ui.shell import PAGES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_NAME = "sample.duckdb"


def sample_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample loaded into a database, built once per test session (about 6 s) and reused after. Under
    pytest-xdist each worker has a temporary folder of its own, so each builds its own and none reads one half made.

    Tests must not open it for writing: copy it with ``copy_database`` first.
    """
    folder = tmp_path_factory.getbasetemp() / "sample-database"
    db = folder / SAMPLE_NAME
    done = folder / "complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        with store.connect(db) as con:
            ingest.load_sample(con)
            for disclosure in published.SHARED_DISCLOSURES:  # kept, as a server does on its first start
                published.kept_site(con, Filters(inventory.default_period(con)), disclosure)
            add_test_accounts(con)
        done.touch()
    return db


def copy_database(db: Path, folder: Path) -> Path:
    """Copy a database and its key file into ``folder``; returns the copy's path."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / db.name
    shutil.copyfile(db, copy)
    shutil.copyfile(key_file(db), key_file(copy))
    return copy


# The blank template, filled in as a manager would: one row on every data sheet, drop-downs answered from their lists.

TEMPLATE_DAY = dt.date(2025, 6, 3)  # in financial year 2025-26, the sample's latest
TEMPLATE_VALUES: dict[str, object] = {
    "Participant ID": "T-001",
    "Referral source": "GP",
    "First contact": TEMPLATE_DAY,
    "IMD decile": 3,
    "LSOA code": "E01012345",
    "Postcode district": "DY1",
    "Session date": TEMPLATE_DAY,
    "Date": TEMPLATE_DAY,
    "Activity": "Template group",
    "Venue": "Church hall",
    "Minutes": 90,
    "Five ways": "Connect, Take notice",
    "Goal number": 1,
    "Rating": 4,
    "Month": "June 2025",
    "Volunteers": 6,
    "Hours": 27.5,
    "Lived experience": 4,
    "ONS4 life satisfaction": 7,
    "ONS4 worthwhile": 8,
    "ONS4 happy": 6,
    "ONS4 anxious": 3,
    "Funder": "Template Trust",
    "Title": "Core grant",
    "Amount": 12000,
    "Start date": dt.date(2025, 4, 1),
    "End date": dt.date(2026, 3, 31),
    "Reports due": "31/10/2025; 30/04/2026",
    "First report due": dt.date(2025, 6, 30),
    "Period start": dt.date(2025, 4, 1),
    "Free reserves": 50000,
    "Area": "Dudley",
    "Group": "Asian",
    "Count": 1000,
    "Share": 0.1,
}


def drop_down_words(book: Workbook, sheet: Worksheet, column: int) -> list[str] | None:
    """The words a cell's drop-down offers (from its range on the hidden Lists sheet), or None without one."""
    cell = f"{get_column_letter(column)}2"
    for rule in sheet.data_validations.dataValidation:
        if rule.type == "list" and cell in rule.sqref:
            title, cells = rule.formula1.lstrip("=").split("!")
            return [c.value for (c,) in book[title][cells.replace("$", "")]]
    return None


def fill_template(data: bytes) -> bytes:
    """Row 2 of every data sheet filled: the first word of each drop-down, TEMPLATE_VALUES for the other columns."""
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        if sheet.title in ("Instructions", "Lists"):
            continue
        for header in sheet[1]:
            words = drop_down_words(book, sheet, header.column)
            sheet.cell(2, header.column, words[0] if words else TEMPLATE_VALUES[header.value])
    return saved(book)


# Driving the app with AppTest ---------------------------------------------------------------------


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


@contextmanager
def app_as_on_a_server(monkeypatch: pytest.MonkeyPatch, *, shared_figures: bool = True) -> Iterator[None]:
    """AppTest as on a server, the app's connection (a per-process resource) opened afresh for the test's database.

    With ``shared_figures`` the app's cached figures and charts are keyed on what the database holds as well as on
    its data version (``content_version``) and kept from test to test; without, they are emptied before and after
    the test, and keyed on the data version alone, as in the app: for the tests of the cache itself."""
    monkeypatch.setattr(app_test, "PagesManager", ServerPagesManager)
    monkeypatch.setattr(published, "site", site_once_per_content)
    monkeypatch.delenv("IMPACT_SECRET_FILE", raising=False)
    if shared_figures:
        monkeypatch.setattr(ui.data, "store", SimpleNamespace(**{**vars(store), "data_version": content_version}))
    clear = (st.cache_resource.clear,) if shared_figures else (st.cache_resource.clear, st.cache_data.clear)
    for empty in clear:
        empty()
    try:
        yield
    finally:
        for empty in clear:
            empty()


def content_version(con: duckdb.DuckDBPyConnection) -> str:
    """The app's data version with a digest of every row the figures read (``store.content_digest``).

    The app's version tells one state of its own database from the next. The tests open many databases in one
    process, two of which may hold as many uploads and differ: keyed on what each holds too, the figures and charts
    a test's pages draw are those of its own rows, and the many tests that open a copy of the sample share them, as
    a server's sessions do."""
    return f"{store.data_version(con)} {store.content_digest(con)}"


_SITE = published.site
_SITE_SETS: dict[tuple, frozenset[str]] = {}


@functools.wraps(_SITE)  # the app's cache knows it by the name of what it stands in for
def site_once_per_content(con: duckdb.DuckDBPyConnection, f: Filters, disclosure: Disclosure) -> frozenset[str]:
    """``published.site``, worked out once per test session for each content of the database, filters and disclosure.

    The site's published set is most of a page's first run, and a pure function of the rows it reads: the many tests
    that open a page on their own copy of the sample share it, as a server's sessions do. A database whose rows differ
    in any way (a load, a rollback, an erasure, a setting) has its own."""
    key = (store.content_digest(con), f, disclosure)
    if key not in _SITE_SETS:
        _SITE_SETS[key] = _SITE(con, f, disclosure)
    return _SITE_SETS[key]


def run_app(role: str | None = "administrator") -> AppTest:
    """The app run once, signed in with an account of ``role`` (None: nobody signed in)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if role:
        sign_in(at, role)
    at.run()
    assert_ran(at)
    return at


def app_with_own_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sheets: dict[str, list[list]]) -> Path:
    """A database holding one upload of the charity's own (not the sample), which the app will open."""
    db = tmp_path / "own.duckdb"
    with store.connect(db) as con:
        load(con, ("own.xlsx", workbook(sheets)))
        add_test_accounts(con)
    monkeypatch.setenv("IMPACT_DB", str(db))
    return db


def add_test_accounts(con: duckdb.DuckDBPyConnection) -> None:
    """One account per role, test-viewer, test-manager and test-administrator, which ``sign_in`` uses."""
    for role in ROLES:
        users.add(con, f"test-{role}", role, None, by=OPERATOR)


def sign_in(at: AppTest, role: str) -> None:
    """Give the app's session the test account of ``role``, as signing in does: a session started on the server,
    held on this connection (AppTest's has no handshake key, hence None)."""
    with store.connect() as con:  # the database the app opens (IMPACT_DB)
        token = sessions.start(con, f"test-{role}")
    at.session_state[SESSION_KEY] = (token, None)


def assert_ran(at: AppTest) -> None:
    assert not at.exception, "\n\n".join(f"{e.message}\n{''.join(e.stack_trace)}" for e in at.exception)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def widget(elements, label: str):
    found = [e for e in elements if e.label == label]
    assert len(found) == 1, f"expected one widget labelled {label!r}, found {[e.label for e in elements]}"
    return found[0]


def sample_banner(at: AppTest) -> bool:
    return any("Sample data" in i.value for i in at.info)


def open_page(script: str, title: str, role: str = "administrator") -> AppTest:
    """The app on one page (``pages/x.py``) as ``role``, checked to have run and to be titled ``title``."""
    at = run_app(role)
    at.switch_page(script).run()
    assert_ran(at)
    assert [t.value for t in at.title] == [title]
    return at


def section_names(at: AppTest) -> list[str]:
    """The sections the page offers, one open at a time (ui/sections.py); none on a page without them."""
    return next((c.options for c in at.button_group if c.label == sections.LABEL), [])


def open_section(at: AppTest, name: str) -> AppTest:
    """The page run again with its section ``name`` open."""
    assert name in section_names(at), f"no section {name!r} in {section_names(at)}"
    next(c for c in at.button_group if c.label == sections.LABEL).set_value(name).run()
    assert_ran(at)
    return at


def title_text(spec: dict) -> str:
    """A chart's title as one line, however it is wrapped."""
    text = spec.get("title", {}).get("text", "")
    return " ".join(text) if isinstance(text, list) else text


def chart_titles(at: AppTest) -> list[str]:
    return [title_text(spec) for spec in charts(at)]


def rerun_with(element, value: object) -> list[str]:
    """Set a widget, run the app again, and return the titles of the charts it then draws."""
    at = element.set_value(value).run()
    assert_ran(at)
    return chart_titles(at)


def successes_after(at: AppTest, button: str) -> list[str]:
    """Click the button labelled ``button``, check the page ran again, and return its success messages."""
    widget(at.button, button).click().run()
    assert_ran(at)
    return [s.value for s in at.success]


def app_with(sheets: dict[str, list[list]]) -> Callable[..., Path]:
    """A fixture: the app opening a database that holds one upload of these sheets, the charity's own (not the
    sample); the fixture's value is the database's path."""

    @pytest.fixture
    def own_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        return app_with_own_data(tmp_path, monkeypatch, sheets)

    return own_app


# Pages opened once on the sample, shared by the tests that only read them -----------------------


@dataclass(frozen=True)
class PageRun:
    at: AppTest  # the app as it was drawn: read it, never set a widget or run it again
    downloads: dict[str, object]  # file name -> the bytes offered, or the function that makes them on a click


class SamplePages:
    """The app opened once per page, as an administrator, for every test that only reads the page. A test that sets
    a widget, runs the app again or changes the data opens its own with ``sample_app``. A page with sections is opened
    once per section, as only the open one is drawn.

    The runs share one copy of the sample, ``db``, which opening a page must leave as it was; a test working out a
    page's downloads sets IMPACT_DB to it."""

    def __init__(self, sample_db: Path, folder: Path) -> None:
        self.db = copy_database(sample_db, folder)
        self.runs: dict[tuple[str | None, str | None], PageRun] = {}

    def landing(self) -> PageRun:
        """The app as it first opens, on its default page."""
        return self.run(None)

    def opened(self, script: str, section: str | None = None) -> PageRun:
        """The app switched to one page (``pages/x.py``), checked to be titled as ui.shell.PAGES says, with its first
        section open, or ``section``."""
        return self.run(script, section)

    def sections(self, script: str) -> list[PageRun]:
        """The page with each of its sections open in turn (just the page, for a page without sections)."""
        names = section_names(self.opened(script).at)
        return [self.opened(script), *(self.opened(script, name) for name in names[1:])]

    def run(self, script: str | None, section: str | None = None) -> PageRun:
        if (script, section) not in self.runs:
            before = self.stored()
            downloads: dict[str, object] = {}
            with pytest.MonkeyPatch.context() as patch, app_as_on_a_server(patch):
                patch.setenv("IMPACT_DB", str(self.db))
                record_downloads(patch, downloads)
                at = run_app() if script is None else open_page(script, page_title(script))
                if section is not None:
                    downloads.clear()  # the first section's, offered before this one was opened
                    open_section(at, section)
            assert self.stored() == before, f"opening {script or 'the app'} changed the database"
            self.runs[script, section] = PageRun(at, downloads)
        return self.runs[script, section]

    def stored(self) -> dict[str, int]:
        con = store.connect(self.db)  # as the app opens it: DuckDB refuses one file opened two ways
        try:
            return counts(con)
        finally:
            con.close()


def page_title(script: str) -> str:
    return next(p.title for p in PAGES if p.script == script)


def record_downloads(monkeypatch: pytest.MonkeyPatch, found: dict[str, object]) -> None:
    """Record in ``found`` every file the app offers for download, by file name."""
    real = st.download_button

    def recording(label: str, data: object, file_name: str | None = None, *args: object, **kwargs: object) -> bool:
        found[file_name] = data
        return real(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
