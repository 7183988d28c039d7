"""Shared fixtures: each test's own database, copied from one made once per session, and the app's sample.

The helpers the tests share are in tests/helpers.py and tests/apphelpers.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import streamlit.logger
from hypothesis import settings

from pipelines import store
from tests.apphelpers import copy_database, sample_database
from tests.helpers import BASE_SHEETS, Templates, database_with, own_copy

# The app's modules, imported outside a running app, make Streamlit warn that it has no runtime; pytest-xdist's
# workers would print those warnings after the tests' summary.
streamlit.logger.set_log_level("error")
from tests.apphelpers import SamplePages, app_as_on_a_server  # noqa: E402

# Property-based tests try 25 examples each by default; HYPOTHESIS_PROFILE=thorough tries 3,000 (docs/testing.md).
settings.register_profile("quick", max_examples=25, deadline=None, database=None)
settings.register_profile("thorough", max_examples=3_000, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def con(templates: Templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[duckdb.DuckDBPyConnection]:
    """A new database for this test; its key file is created beside it as t.duckdb.key."""
    with own_copy(templates.empty(), tmp_path, monkeypatch) as connection:
        yield connection


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


@pytest.fixture
def app_runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """AppTest as on a server, its cached figures keyed on the database's content and shared between tests."""
    with app_as_on_a_server(monkeypatch):
        yield


@pytest.fixture
def app_runtime_own_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """AppTest as on a server, the app's caches empty before and after the test and keyed as in the app."""
    with app_as_on_a_server(monkeypatch, shared_figures=False):
        yield


@pytest.fixture(scope="session")
def sample_pages(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> SamplePages:
    """The app's pages opened once each on the sample, for the tests that only read them."""
    return SamplePages(sample_db, tmp_path_factory.mktemp("sample-pages"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With pytest-xdist's --dist loadgroup (as dev.py runs it), the tests that read the pages opened on the sample
    go to one worker, which then opens each page once."""
    for item in items:
        if "sample_pages" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("sample_pages"))


@pytest.fixture
def sample_app(app_runtime: None, sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own copy of the sample, which the app will open."""
    db = copy_database(sample_db, tmp_path / "app")
    monkeypatch.setenv("IMPACT_DB", str(db))
    return db
