"""Files only their owner can read: the database, its write-ahead log, the key, temporary files and every output.

``owner_only()`` sets the process's umask so that whatever is created from then on (by DuckDB, Python or a library)
is 0600 for a file and 0700 for a folder; it is called when ``pipelines`` is imported, so the app and the command
line both run with it. ``write_private`` and ``private_folder`` also set the modes themselves, so a file written over
an older, more open one is tightened too. Windows has no such modes: there a file takes the permissions of its
folder, so keep the data folder inside the account of the person who runs the app.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

OWNER_ONLY_UMASK = 0o077
FILE_MODE, FOLDER_MODE = 0o600, 0o700
POSIX = os.name == "posix"


def owner_only() -> None:
    """From now on this process creates files and folders only its owner can read (POSIX)."""
    if POSIX:
        os.umask(OWNER_ONLY_UMASK)


def tighten(*paths: Path) -> None:
    """Make existing files owner-only (a file made before this version may be readable by others)."""
    for path in paths:
        if POSIX and path.is_file():
            path.chmod(FILE_MODE)


def private_folder(path: Path) -> Path:
    """Make ``path`` (and any missing parent) as folders only the owner may open; an existing folder is left as it
    is, as it may be the person's own."""
    if not path.is_dir():
        path.mkdir(mode=FOLDER_MODE, parents=True)
        if POSIX:
            path.chmod(FOLDER_MODE)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path``, owner-only from the first byte, replacing any file there."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), FILE_MODE)
    with os.fdopen(descriptor, "wb") as out:
        if POSIX:
            os.fchmod(out.fileno(), FILE_MODE)
        out.write(data)
    return path


def copy_private(source: Path, target: Path) -> Path:
    """Copy ``source`` to ``target`` owner-only; ``target`` is replaced in one step, once the copy is whole."""
    part = target.with_name(target.name + ".part")
    shutil.copyfile(source, part)
    if POSIX:
        part.chmod(FILE_MODE)
    part.replace(target)
    return target
