"""Shared by the app tests (AppTest and the real browser): one sample database per test session, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines import ingest, store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_NAME = "sample.duckdb"


def key_file(db: Path) -> Path:
    """The participant key the app creates beside a database (``<db>.key``)."""
    return db.with_name(db.name + ".key")


def sample_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample loaded into a database, built once per test session (about 6 s) and reused after.

    Tests must not open it for writing: copy it with ``copy_database`` first.
    """
    folder = tmp_path_factory.getbasetemp() / "sample-database"
    db = folder / SAMPLE_NAME
    done = folder / "complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        con = store.connect(db)
        try:
            ingest.load_sample(con)
        finally:
            con.close()
        done.touch()
    return db


def copy_database(db: Path, folder: Path) -> Path:
    """Copy a database and its key file into ``folder``; returns the copy's path."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / db.name
    shutil.copyfile(db, copy)
    shutil.copyfile(key_file(db), key_file(copy))
    return copy
