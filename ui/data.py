"""One DuckDB connection per process, a cursor per query, and cached pipeline results keyed by the data's version."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from pipelines import ingest, store, template


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
    return _cached(function.__module__, function.__name__, data_version(), *args)


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
    return version


@st.cache_data(show_spinner=False, max_entries=64)
def _showing_sample(version: str) -> bool:
    return store.showing_sample(cursor())


def showing_sample() -> bool:
    return _showing_sample(data_version())


def data_changed() -> None:
    """Call after a load or rollback so every page shows the new figures at once."""
    st.cache_data.clear()
    if (ctx := get_script_run_ctx(suppress_warning=True)) is not None:
        setattr(ctx, _RUN_VERSION, None)


T = TypeVar("T")


def with_database_closed(work: Callable[[Path], T]) -> T:
    """``work(path)`` with this process's connection closed, for what rewrites the database file (an erasure); the
    next query opens the new file."""
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
