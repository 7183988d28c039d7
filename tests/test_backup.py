"""The command line while the dashboard runs, and the backup drill: back up, destroy, restore, the same figures."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from pipelines import backup, privacy, snapshot
from pipelines.__main__ import main
from tests.apphelpers import copy_database
from tests.helpers import key_file, register_csv

ROOT = Path(__file__).resolve().parents[1]
HOLD = """
import sys
from pipelines import audit, store
con = store.connect(sys.argv[1])
audit.record(con, "app", "still running")  # a change in the write-ahead log, not yet in the file
print("open", flush=True)
sys.stdin.read()
"""  # as the dashboard does: one read-write connection, kept open


def cli(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """``python -m pipelines ARGS --db DB`` in this process (its own process is the app's holder), as it would exit."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main([*args, "--db", str(db)])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


@contextmanager
def app_running(db: Path) -> Iterator[None]:
    """Another process holds a read-write connection to ``db`` until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        yield
    finally:
        holder.stdin.close()
        holder.wait(60)


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> Path:
    return copy_database(sample_db, tmp_path / "data")


def summary(db: Path) -> object:
    """`summary --json`, floats to 12 significant digits: DuckDB adds in parallel, so the last bit of a sum may
    differ between two runs of one query on the same data."""
    ran = cli(db, "summary", "--json")
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout, parse_float=lambda text: float(f"{float(text):.12g}"))


def assert_plain(ran: subprocess.CompletedProcess, *words: str) -> None:
    """Refused with one plain sentence on standard error, never a traceback."""
    assert ran.returncode == 1
    assert "Traceback" not in ran.stderr and "IO Error" not in ran.stderr and "Conflicting lock" not in ran.stderr
    assert len(ran.stderr.strip().splitlines()) == 1, ran.stderr
    for word in words:
        assert word in ran.stderr


def test_read_commands_work_and_write_commands_say_what_to_do_while_the_app_runs(db: Path, tmp_path: Path) -> None:
    expected = summary(db)
    register = tmp_path / "register.csv"
    register.write_bytes(register_csv())
    with app_running(db):
        assert summary(db) == expected
        trail = cli(db, "audit")
        assert trail.returncode == 0 and ",app,still running," in trail.stdout  # the log's change is read too
        assert cli(db, "uploads").stdout.count("active") == 8
        assert cli(db, "users", "list").returncode == 0
        made = cli(db, "report", "--out", str(tmp_path / "out"), "--sections", "methods")
        assert made.returncode == 0 and len(list((tmp_path / "out").iterdir())) == 3
        assert "not in the audit trail" in made.stderr
        assert_plain(cli(db, "load", str(register)), "stop the dashboard", "`load`")
        assert_plain(cli(db, "rollback", "1"), "stop the dashboard")
        assert_plain(cli(db, "users", "add", "amira", "--role", "viewer", "--password-stdin", stdin="pw\n"), "Settings")
        assert_plain(cli(db, "restore", str(tmp_path), "--replace"), "not a backup")
    assert "local operator,load" in cli(db, "audit").stdout and "amira" not in cli(db, "users", "list").stdout


def test_a_damaged_database_is_reported_in_a_sentence(tmp_path: Path) -> None:
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 1000)
    assert_plain(cli(broken, "summary", "--json"), "could not be read", "restore")


def test_the_backup_drill(db: Path, tmp_path: Path) -> None:
    expected = summary(db)
    with app_running(db):
        made = cli(db, "backup", str(tmp_path / "backup"))
        assert made.returncode == 0, made.stderr
        assert_plain(cli(db, "restore", str(tmp_path / "backup"), "--replace"), "stop the dashboard", "`restore`")
    assert sorted(p.name for p in (tmp_path / "backup").iterdir()) == [backup.DATABASE, backup.KEY, backup.MANIFEST]
    key = key_file(db).read_bytes()
    for path in db.parent.iterdir():
        path.unlink()  # the server's disk is lost
    restored = cli(db, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert summary(db) == expected
    assert key_file(db).read_bytes() == key
    assert ",app,still running," in cli(db, "audit").stdout  # the history of changes came too


@pytest.fixture
def made_backup(db: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "backup"
    backup.backup(db, folder)
    return folder


def manifest(folder: Path) -> dict:
    return json.loads((folder / backup.MANIFEST).read_text())


def rewrite_manifest(folder: Path, **changes: object) -> None:
    (folder / backup.MANIFEST).write_text(json.dumps({**manifest(folder), **changes}))


def test_restore_refuses_a_damaged_database(made_backup: Path, tmp_path: Path) -> None:
    data = bytearray((made_backup / backup.DATABASE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (made_backup / backup.DATABASE).write_bytes(bytes(data))
    with pytest.raises(backup.BackupRefused, match=r"damaged: impact.duckdb has changed"):
        backup.restore(made_backup, tmp_path / "new" / "impact.duckdb")
    assert not (tmp_path / "new").exists()


def test_restore_refuses_a_backup_without_its_key(made_backup: Path, tmp_path: Path) -> None:
    (made_backup / backup.KEY).unlink()
    with pytest.raises(backup.BackupRefused, match="missing impact.duckdb.key"):
        backup.restore(made_backup, tmp_path / "new.duckdb")
    files = manifest(made_backup)["files"]
    del files[backup.KEY]
    rewrite_manifest(made_backup, files=files)
    with pytest.raises(backup.BackupRefused, match="has no key file, but its data needs one"):
        backup.restore(made_backup, tmp_path / "new.duckdb")
    assert not (tmp_path / "new.duckdb").exists()


def test_restore_refuses_a_key_that_is_not_the_datas(made_backup: Path, tmp_path: Path) -> None:
    other = b"k" * 32
    (made_backup / backup.KEY).write_bytes(other)
    files = manifest(made_backup)["files"]
    rewrite_manifest(made_backup, files={**files, backup.KEY: backup._sha256(made_backup / backup.KEY)})
    with pytest.raises(backup.BackupRefused, match="not the one its data was loaded with"):
        backup.restore(made_backup, tmp_path / "new.duckdb")
    rewrite_manifest(made_backup, key_fingerprint=privacy.key_fingerprint(other))  # and a manifest made to match
    with pytest.raises(backup.BackupRefused, match="not the one its manifest describes"):
        backup.restore(made_backup, tmp_path / "new.duckdb")


def test_restore_keeps_an_existing_database_unless_told_and_then_beside_it(
    made_backup: Path, db: Path, tmp_path: Path
) -> None:
    with pytest.raises(backup.BackupRefused, match="--replace"):
        backup.restore(made_backup, db)
    before = db.read_bytes()
    backup.restore(made_backup, db, replace=True)
    [kept] = [p for p in db.parent.iterdir() if p.name.startswith(f"{db.name}.before-restore-")]
    assert kept.read_bytes() == before


def test_a_backup_goes_into_a_new_or_empty_folder(db: Path, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.txt").write_text("x")
    with pytest.raises(backup.BackupRefused, match="not empty"):
        backup.backup(db, tmp_path / "full")


def database_to_copy(tmp_path: Path, data: bytes) -> tuple[Path, Path]:
    """A database file holding ``data``, and an empty folder to copy it into."""
    db, folder = tmp_path / "a.duckdb", tmp_path / "copy"
    db.write_bytes(data)
    folder.mkdir()
    return db, folder


def copying_with(monkeypatch: pytest.MonkeyPatch, copyfile: Callable[[str, str], None]) -> None:
    """Snapshots copy through ``copyfile`` and try again without pausing."""
    monkeypatch.setattr(snapshot.shutil, "copyfile", copyfile)
    monkeypatch.setattr(snapshot, "COPY_PAUSE_SECONDS", 0)


def test_a_copy_taken_while_the_database_was_written_is_taken_again(tmp_path: Path, monkeypatch) -> None:
    db, folder = database_to_copy(tmp_path, b"before")
    copied: list[str] = []
    copy = shutil.copyfile

    def written_during_the_first_copy(source: str, target: str) -> None:
        copy(source, target)
        copied.append(source)
        if len(copied) == 1:
            Path(source).write_bytes(b"after, longer")

    copying_with(monkeypatch, written_during_the_first_copy)
    assert snapshot.copy_consistent(db, folder).read_bytes() == b"after, longer" and len(copied) == 2


def test_a_database_that_never_stops_changing_is_not_copied(tmp_path: Path, monkeypatch) -> None:
    db, folder = database_to_copy(tmp_path, b"x")
    copy = shutil.copyfile

    def always_written(source: str, target: str) -> None:
        copy(source, target)
        with Path(source).open("ab") as data:
            data.write(b"x")

    copying_with(monkeypatch, always_written)
    with pytest.raises(snapshot.SnapshotFailed, match="kept changing"):
        snapshot.copy_consistent(db, folder)
