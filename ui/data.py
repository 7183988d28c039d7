"""One DuckDB connection per process, a cursor per query, and cached pipeline results keyed by the data's version."""

from __future__ import annotations

import importlib
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from pipelines import ingest, inventory, published, store, template
from pipelines.query import Filters

LOGGER = logging.getLogger(__name__)


@st.cache_resource(show_spinner="Opening the database (on the very first start, loading the bundled sample too)…")
def connection() -> duckdb.DuckDBPyConnection:
    """The process's connection; an empty database is filled with the bundled sample first."""
    con = store.connect()
    if not store.has_data(con):
        ingest.load_sample(con)
    return con


def cursor() -> duckdb.DuckDBPyConnection:
    return connection().cursor()


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(module: str, name: str, version: str, *args: Any) -> Any:
    return getattr(importlib.import_module(module), name)(cursor(), *args)


def cached(function: Callable[..., Any], *args: Any) -> Any:
    """``function(con, *args)`` from pipelines, cached until an upload or rollback changes the data."""
    return _cached_at(data_version(), function, *args)


def _cached_at(version: str, function: Callable[..., Any], *args: Any) -> Any:
    return _cached(function.__module__, function.__name__, version, *args)


_RUN_VERSION = "_impact_data_version"  # on the run's context: (the run's cursors, the data version read in it)


def data_version() -> str:
    """``store.data_version``, read once per run of the page script rather than once per figure: Streamlit gives
    every run a new ``cursors`` dict, so a version remembered beside this run's is this run's."""
    ctx = get_script_run_ctx(suppress_warning=True)
    remembered = getattr(ctx, _RUN_VERSION, None)
    if ctx is not None and remembered is not None and remembered[0] is ctx.cursors:
        return remembered[1]
    version = store.data_version(cursor())
    if ctx is not None:
        setattr(ctx, _RUN_VERSION, (ctx.cursors, version))
    _prepare_once(version)
    return version


# Figures worked out before anyone asks -------------------------------------------------------------------------

_prepared: set[str] = set()  # data versions whose shared figures are worked out, or being worked out
_preparing = threading.Lock()  # held while they are; closing the database waits for it


def prepare_shared_figures(version: str) -> None:
    """Work out what every page's first run needs whoever opens it: the site's published set (pipelines/published.py,
    most of a page's first run) for the default period, under each way staff and viewers see counts. Cached like any
    figure, so the first person to open a page after a start, a load or a rollback finds it ready, and twenty people
    opening the same link at once wait for it once, not twenty times."""
    with _preparing:
        f = Filters(_cached_at(version, inventory.default_period))
        for disclosure in published.SHARED_DISCLOSURES:
            _cached_at(version, published.kept_site, f, disclosure)


def _prepare_once(version: str) -> None:
    """``prepare_shared_figures`` in the background, once per data version, on a running server: not under AppTest,
    which puts a stand-in in the server's place (tests open and close databases, one after another, in one process)."""
    if version in _prepared or not (Runtime.exists() and type(Runtime.instance()) is Runtime):
        return
    _prepared.add(version)
    threading.Thread(target=_prepare_quietly, args=(version,), name="prepare-shared-figures", daemon=True).start()


def _prepare_quietly(version: str) -> None:
    try:
        prepare_shared_figures(version)
    except Exception:  # the page works them out itself when asked; the log says why this did not
        LOGGER.exception("Working out the shared figures ahead of time failed")


@st.cache_data(show_spinner=False, max_entries=64)
def _showing_sample(version: str) -> bool:
    return store.showing_sample(cursor())


def showing_sample() -> bool:
    return _showing_sample(data_version())


def data_changed() -> None:
    """Call after a load or rollback so every page shows the new figures at once."""
    st.cache_data.clear()
    _prepared.clear()
    if (ctx := get_script_run_ctx(suppress_warning=True)) is not None:
        setattr(ctx, _RUN_VERSION, None)


T = TypeVar("T")


def with_database_closed(work: Callable[[Path], T]) -> T:
    """``work(path)`` with this process's connection closed, for what rewrites the database file (an erasure); the
    next query opens the new file."""
    with _preparing:
        connection().close()
        connection.clear()
    try:
        return work(store.db_path())
    finally:
        data_changed()


@st.cache_data(show_spinner="Checking the files…", max_entries=16)
def _checked(files: tuple[tuple[str, bytes], ...], mappings: str, version: str) -> ingest.Check:
    return ingest.check(cursor(), files, json.loads(mappings))


def check_upload(files: tuple[tuple[str, bytes], ...], mappings: dict[str, dict[str, str]]) -> ingest.Check:
    """ingest.check, cached while the files, the column mappings and the data stay the same."""
    return _checked(files, json.dumps(mappings, sort_keys=True), data_version())


@st.cache_data(show_spinner=False)
def blank_template() -> bytes:
    return template.blank_template()
