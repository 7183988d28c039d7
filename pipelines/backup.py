"""Backing up and restoring the database (its history, settings, accounts and audit trail) with its key file.

A backup is a folder: the database as one checkpointed file, taken consistently even while the dashboard runs
(pipelines/snapshot.py), the key file that links participants across uploads, and ``manifest.json`` with each file's
SHA-256 checksum, the key's fingerprint and the data's version. A restore checks all of that before it writes
anything, and refuses a damaged or mismatched backup in words (docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from pathlib import Path

import duckdb

from pipelines import privacy, snapshot, store
from pipelines.files import copy_private, private_folder, write_private

MANIFEST = "manifest.json"
DATABASE = "impact.duckdb"
KEY = "impact.duckdb.key"
FORMAT = 1


class BackupRefused(ValueError):
    """The backup cannot be made or restored; the message says why and what to do."""


def backup(db: Path, out: Path) -> list[Path]:
    """Write a backup of ``db`` and its key file into the new or empty folder ``out``; the files written."""
    if not db.exists():
        raise BackupRefused(f"There is no database at {db} to back up.")
    if out.exists() and any(out.iterdir()):
        raise BackupRefused(
            f"The folder {out} is not empty. Give a new folder for each backup, e.g. one named by date."
        )
    with tempfile.TemporaryDirectory(prefix="impact-backup-") as folder:
        copy = _checkpointed_copy(db, Path(folder))
        fingerprint, version = _identity(copy)
        private_folder(out)
        written = [copy_private(copy, out / DATABASE)]
    key = privacy.secret_path(db)
    if key.exists():
        written.append(write_private(out / KEY, key.read_bytes()))
    elif fingerprint is not None:
        raise BackupRefused(f"The key file {key} is missing, so the backup would be of no use. {_KEY_LOST}")
    manifest = {
        "format": FORMAT,
        "made_at": dt.datetime.now().isoformat(timespec="seconds"),
        "database": str(db),
        "key_fingerprint": fingerprint,
        "data_version": version,
        "files": {path.name: _sha256(path) for path in written},
    }
    written.append(write_private(out / MANIFEST, json.dumps(manifest, indent=2).encode()))
    return written


def restore(backup_dir: Path, db: Path, replace: bool = False) -> list[Path]:
    """Check the backup in ``backup_dir`` and put its database and key file at ``db``; the files written.

    An existing database is replaced only with ``replace``, and is then kept beside it (``.before-restore-<time>``)."""
    manifest = _checked_manifest(backup_dir)
    key = backup_dir / KEY if KEY in manifest["files"] else None
    _check_key(manifest, key)
    with tempfile.TemporaryDirectory(prefix="impact-restore-") as folder:
        copy = copy_private(backup_dir / DATABASE, Path(folder) / DATABASE)
        if _identity(copy) != (manifest["key_fingerprint"], manifest["data_version"]):
            raise BackupRefused(f"The database in {backup_dir} is not the one its manifest describes. {_ANOTHER}")
    _make_room(db, replace)
    private_folder(db.parent)
    written = [copy_private(backup_dir / DATABASE, db)]
    if key is not None:
        written.append(write_private(privacy.secret_path(db), key.read_bytes()))
    con = store.connect(db)
    try:
        if store.data_version(con) != manifest["data_version"]:
            raise BackupRefused(f"The restored database at {db} does not read back as backed up. {_ANOTHER}")
    finally:
        con.close()
    return written


_ANOTHER = "Nothing was changed by the check; use another backup."
_KEY_LOST = "Without the key, new uploads cannot be matched to the people already in the database (docs/operations.md)."


def _checkpointed_copy(db: Path, folder: Path) -> Path:
    """A consistent copy of the database with its log written into it: one file."""
    try:
        guard = duckdb.connect(str(db), read_only=True)  # while held, nothing else can write the file
    except duckdb.IOException:
        guard = None  # the dashboard has it open: copy at a moment it does not write (snapshot.py)
    try:
        copy = snapshot.copy_consistent(db, folder)
    finally:
        if guard is not None:
            guard.close()
    con = duckdb.connect(str(copy))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return copy


def _identity(db: Path) -> tuple[str | None, str]:
    """The key fingerprint the database records, and its data version."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as error:
        raise BackupRefused(f"The database in the backup cannot be opened ({_first_line(error)}). {_ANOTHER}") from None
    try:
        return store.meta(con, "key_fingerprint"), store.data_version(con)
    except duckdb.Error as error:
        raise BackupRefused(f"The database in the backup cannot be read ({_first_line(error)}). {_ANOTHER}") from None
    finally:
        con.close()


def _checked_manifest(backup_dir: Path) -> dict:
    """The manifest, once every file it lists is there with its checksum."""
    try:
        manifest = json.loads((backup_dir / MANIFEST).read_text(encoding="utf-8"))
        files = dict(manifest["files"])
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupRefused(
            f"{backup_dir} is not a backup made by `python -m pipelines backup`: it has no readable {MANIFEST}."
        ) from None
    if DATABASE not in files:
        raise BackupRefused(f"The backup in {backup_dir} lists no database. {_ANOTHER}")
    for name, checksum in files.items():
        path = backup_dir / Path(name).name
        if not path.is_file():
            raise BackupRefused(f"The backup in {backup_dir} is missing {name}. {_ANOTHER}")
        if _sha256(path) != checksum:
            raise BackupRefused(
                f"The backup in {backup_dir} is damaged: {name} has changed since the backup was made. {_ANOTHER}"
            )
    return manifest


def _check_key(manifest: dict, key: Path | None) -> None:
    fingerprint = manifest.get("key_fingerprint")
    if fingerprint is None:
        return
    if key is None:
        raise BackupRefused(f"The backup has no key file, but its data needs one. {_KEY_LOST} {_ANOTHER}")
    if privacy.key_fingerprint(key.read_bytes()) != fingerprint:
        raise BackupRefused(f"The key file in the backup is not the one its data was loaded with. {_ANOTHER}")


def _make_room(db: Path, replace: bool) -> None:
    """Move an existing database, its log and its key aside (with ``replace``), or refuse."""
    files = (db, store.wal_path(db), privacy.secret_path(db))
    if not any(p.exists() for p in files):
        return
    if not replace:
        raise BackupRefused(
            f"There is already a database at {db}. To replace it with the backup, run restore again with --replace "
            "(the current files are kept beside it, their names ending in .before-restore and the time)."
        )
    if db.exists():
        _not_busy(db)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in (p for p in files if p.exists()):
        path.replace(path.with_name(f"{path.name}.before-restore-{stamp}"))


def _not_busy(db: Path) -> None:
    """DatabaseBusy while the dashboard has the database open: it must be stopped before a restore."""
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise store.DatabaseBusy(db) from None  # a damaged database, though, may be replaced


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__
