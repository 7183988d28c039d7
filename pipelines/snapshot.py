"""Reading the database while the dashboard has it open: a consistent copy, read in a private temporary folder.

DuckDB lets one process write a database file, and while it does, no other process may open it, not even to read.
The dashboard keeps its connection open, so the command line reads a copy instead: the database file and its
write-ahead log, copied while neither changes (their sizes and modification times are the same before and after the
copy, else it is taken again). DuckDB writes a checkpoint so that the file is consistent at every moment (the old
blocks stay until the new header points past them), and a copy taken while nothing is written is such a moment;
opening the copy replays its log, as after a power cut.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines import store

COPY_TRIES = 20
COPY_PAUSE_SECONDS = 0.25


class SnapshotFailed(RuntimeError):
    """The database kept changing while it was copied."""


@contextmanager
def reading(path: Path | None = None) -> Iterator[tuple[duckdb.DuckDBPyConnection, bool]]:
    """(connection, from_copy): the database itself, or while another process has it open, a consistent copy of it
    (deleted afterwards). Changes made through a copy's connection are lost with it."""
    path = Path(path or store.db_path())
    try:
        con = store.connect(path)
    except store.DatabaseBusy:
        con = None
    if con is not None:
        try:
            yield con, False
        finally:
            con.close()
        return
    with tempfile.TemporaryDirectory(prefix="impact-snapshot-") as folder:  # 0700, and its files 0600 (files.py)
        copy = store.connect(copy_consistent(path, Path(folder)))
        try:
            yield copy, True
        finally:
            copy.close()


def copy_consistent(path: Path, folder: Path) -> Path:
    """Copy the database and its write-ahead log into ``folder`` at a moment neither changes; the copy's path."""
    wal, copy = store.wal_path(path), folder / path.name
    for _ in range(COPY_TRIES):
        before = _state(path, wal)
        try:
            shutil.copyfile(path, copy)
            store.wal_path(copy).unlink(missing_ok=True)
            if wal.exists():
                shutil.copyfile(wal, store.wal_path(copy))
        except FileNotFoundError:  # the log was checkpointed away mid-copy
            before = None
        except PermissionError:  # a system where the dashboard's open file cannot be read by another program
            raise SnapshotFailed(
                f"The database {path} cannot be read while the dashboard has it open: stop the dashboard, run the "
                "command again and start the dashboard again."
            ) from None
        if before is not None and _state(path, wal) == before:
            return copy
        time.sleep(COPY_PAUSE_SECONDS)
    raise SnapshotFailed(
        f"The database {path} kept changing while it was copied (a large load may be running). Try again in a minute."
    )


def _state(*paths: Path) -> tuple[tuple[int, int] | None, ...]:
    """Size and modification time of each file (None when absent)."""
    return tuple(_size_and_time(path) for path in paths)


def _size_and_time(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_size, found.st_mtime_ns
