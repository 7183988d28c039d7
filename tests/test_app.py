"""The Streamlit app run headless with AppTest: every page runs, and Overview shows the figures the pipeline computes."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from openpyxl import Workbook
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

from pipelines import ingest, metrics, store
from pipelines.metrics import Filters
from pipelines.periods import Period, quarters
from tests.apphelpers import ROOT, copy_database, sample_database

# Every page of the app: (script as st.navigation in dashboard.py names it, its title). Add a page here.
PAGES = [
    ("pages/overview.py", "Overview"),
    ("pages/outcomes.py", "Outcomes"),
    ("pages/reach.py", "Reach"),
    ("pages/funding.py", "Funding"),
    ("pages/upload.py", "Upload data"),
]

ACTIVITY = "Tuesday peer support group"  # one of the sample's activities, with income and enough people
REACH_LABELS = {
    "reached": "People reached",
    "new": "New to the service",
    "attendances": "Attendances",
    "sessions_delivered": "Sessions delivered",
}


# Fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_database(tmp_path_factory)


@pytest.fixture(scope="session")
def sample(sample_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the session's sample, for working out the expected figures."""
    con = store.connect(sample_db, read_only=True)
    yield con
    con.close()


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    """The app's connection and metric results are cached per process: start and end each test without them."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


class ServerPagesManager(PagesManager):
    """Routes every AppTest run through st.navigation in dashboard.py, as a running server does.

    Streamlit keeps "this app uses a pages/ folder (multipage apps v1)" in a process-wide flag, set when the first
    session starts (our pages live in pages/) and cleared for good by the first st.navigation call. A server
    therefore runs pages/x.py on its own only for the very first request (ui.sidebar.current_filters handles
    that; tests/test_browser.py checks it). AppTest, though, resets the flag before every run, so each rerun
    after the first would execute the page alone, without the entry point's sidebar and banner.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def navigation_as_on_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_test, "PagesManager", ServerPagesManager)


@pytest.fixture
def sample_app(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own copy of the sample, which the app will open."""
    monkeypatch.delenv("IMPACT_SECRET_FILE", raising=False)
    db = copy_database(sample_db, tmp_path / "app")
    monkeypatch.setenv("IMPACT_DB", str(db))
    return db


@pytest.fixture
def small_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database holding one small upload of the charity's own (not the sample): three people, four attendances."""
    monkeypatch.delenv("IMPACT_SECRET_FILE", raising=False)
    db = tmp_path / "small.duckdb"
    rows = [
        ["participant_id", "session_date", "activity", "attended"],
        ["P1", dt.date(2025, 5, 6), "Peer group", "yes"],
        ["P2", dt.date(2025, 5, 6), "Peer group", "yes"],
        ["P3", dt.date(2025, 5, 13), "Peer group", "yes"],
        ["P1", dt.date(2025, 5, 13), "Peer group", "yes"],
    ]
    con = store.connect(db)
    try:
        result = ingest.check(con, [("register.xlsx", xlsx({"Register": rows}))])
        assert result.ok, "\n".join(str(p) for p in result.problems)
        ingest.load(con, result)
    finally:
        con.close()
    monkeypatch.setenv("IMPACT_DB", str(db))
    return db


# Helpers ------------------------------------------------------------------------------------------


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert_ran(at)
    return at


def assert_ran(at: AppTest) -> None:
    assert not at.exception, "\n\n".join(f"{e.message}\n{''.join(e.stack_trace)}" for e in at.exception)


def shown(at: AppTest) -> dict[str, str]:
    """Each st.metric's label and displayed value."""
    return {m.label: m.value for m in at.metric}


def deltas(at: AppTest) -> dict[str, str | None]:
    return {m.label: m.delta for m in at.metric}


def sample_banner(at: AppTest) -> bool:
    return any("Sample data" in i.value for i in at.info)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def widget(elements, label: str):
    found = [e for e in elements if e.label == label]
    assert len(found) == 1, f"expected one widget labelled {label!r}, found {[e.label for e in elements]}"
    return found[0]


def reach_strings(figures: dict[str, int]) -> dict[str, str]:
    """The four reach figures as the page should write them (at least 8 people, so none is suppressed)."""
    assert figures["reached"] >= 8 and figures["new"] >= 8
    return {REACH_LABELS[k]: f"{figures[k]:,}" for k in REACH_LABELS}


# Every page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("script", "title"), PAGES, ids=[title for _, title in PAGES])
def test_page_runs_with_the_shell(sample_app: Path, script: str, title: str) -> None:
    at = run_app()
    at.switch_page(script).run()
    assert_ran(at)
    assert [t.value for t in at.title] == [title]
    assert "Filters" in [h.value for h in at.sidebar.header]
    assert sample_banner(at)
    assert not at.error


def test_every_page_is_listed() -> None:
    """PAGES above names each script in pages/, so a new page cannot go untested."""
    assert sorted(s for s, _ in PAGES) == sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))


# Overview -----------------------------------------------------------------------------------------


def test_overview_is_the_default_page_with_the_sample(sample_app: Path) -> None:
    at = run_app()
    assert [t.value for t in at.title] == ["Overview"]
    assert sample_banner(at)
    assert widget(at.sidebar.radio, "Period").value == "Financial year"


def test_headline_figures_match_the_pipeline(sample_app: Path, sample: duckdb.DuckDBPyConnection) -> None:
    period = metrics.default_period(sample)
    f, before = Filters(period), Filters(period.previous())
    now, then = metrics.reach(sample, f), metrics.reach(sample, before)
    measure = metrics.main_measure(sample)
    assert measure is not None
    expected = {
        **reach_strings(now),
        "People with two scores": f"{metrics.outcome(sample, f, measure)['pairs']:,}",
        "Income in the period": f"£{metrics.income(sample, f):,.0f}",
        "Cost per person reached": f"£{metrics.cost_per_participant(sample, f):,.0f}",
    }

    at = run_app()

    assert period == Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31)), "the sample ends in March 2026"
    assert widget(at.sidebar.selectbox, "Financial year").value == "2025-26 (Apr–Mar)"
    figures = shown(at)
    assert {k: figures.get(k) for k in expected} == expected
    assert len(figures) == 12, figures
    assert deltas(at)["People reached"] == f"{now['reached'] - then['reached']:+,}"


def test_two_titled_charts(sample_app: Path) -> None:
    at = run_app()
    specs = charts(at)
    assert len(specs) == 2
    titles = [spec.get("title", {}).get("text") for spec in specs]
    assert titles[0] == "People reached each quarter"
    assert titles[1].startswith("Change in ")
    for spec in specs:
        assert spec["title"]["subtitle"], "each chart says what period and activities it covers"


def test_choosing_a_quarter(sample_app: Path, sample: duckdb.DuckDBPyConnection) -> None:
    period = metrics.default_period(sample)
    last_quarter = quarters(period)[-1]
    year_reached = metrics.reach(sample, Filters(period))["reached"]
    quarter = metrics.reach(sample, Filters(last_quarter))

    at = run_app()
    widget(at.sidebar.radio, "Period").set_value("Quarter").run()
    assert_ran(at)

    assert widget(at.sidebar.selectbox, "Quarter").value.startswith("2025-26 Q4")
    assert quarter["reached"] != year_reached
    figures = shown(at)
    assert {k: figures[k] for k in REACH_LABELS.values()} == reach_strings(quarter)


def test_choosing_an_activity(sample_app: Path, sample: duckdb.DuckDBPyConnection) -> None:
    assert ACTIVITY in metrics.activities(sample)
    period = metrics.default_period(sample)
    everyone = metrics.reach(sample, Filters(period))
    f = Filters(period, (ACTIVITY,))
    one = metrics.reach(sample, f)
    income = metrics.income(sample, f)

    at = run_app()
    widget(at.sidebar.multiselect, "Activity").set_value([ACTIVITY]).run()
    assert_ran(at)

    assert one["reached"] < everyone["reached"]
    figures = shown(at)
    assert {k: figures[k] for k in REACH_LABELS.values()} == reach_strings(one)
    assert figures["Income in the period"] == f"£{income:,.0f}"
    assert all(ACTIVITY in " ".join(spec["title"]["subtitle"]) for spec in charts(at))


def test_own_small_data_is_suppressed_without_the_sample_banner(small_app: Path) -> None:
    con = store.connect(small_app, read_only=True)
    try:
        figures = metrics.reach(con, Filters(metrics.default_period(con)))
    finally:
        con.close()
    assert figures["reached"] == 3 and figures["attendances"] == 4

    at = run_app()

    assert not sample_banner(at)
    assert shown(at)["People reached"] == "<8"
    assert shown(at)["New to the service"] == "<8"
    assert shown(at)["Attendances"] == "4"
    assert not deltas(at)["People reached"], "a change would give the small count away"

    at.number_input(key="threshold").set_value(1).run()
    assert_ran(at)
    assert shown(at)["People reached"] == "3"
    assert shown(at)["New to the service"] == "3"
