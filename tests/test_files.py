"""Owner-only files: whatever the app or the command line creates only its owner can read (pipelines/files.py)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import files
from tests.apphelpers import copy_database
from tests.helpers import key_file, register_csv

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

# Run as a careless shell would leave it (umask 022: files 0644), with a connection open throughout, as the app
# holds one, so the write-ahead log is there when the modes are read.
WHILE_OPEN = """
import os, sys
os.umask(0o022)
from pipelines import audit, store
from pipelines.__main__ import main
db, out, register = sys.argv[1:4]
con = store.connect(db)
assert main(["load", "--db", db, register]) == 0
assert main(["report", "--db", db, "--out", out + "/report", "--sections", "methods"]) == 0
assert main(["audit", "--db", db, "--out", out + "/audit.csv"]) == 0
con.execute("CHECKPOINT")  # the log is made anew by the next change, after every connect
audit.record(con, "test", "still open")
for folder in (os.path.dirname(db), out):
    for root, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = os.path.join(root, name)
            print("mode", oct(os.stat(path).st_mode & 0o777), path)
"""


def test_a_load_a_report_and_an_audit_export_are_owner_only(sample_db: Path, tmp_path: Path) -> None:
    db = copy_database(sample_db, tmp_path / "data")
    for old in (db, key_file(db)):
        old.chmod(0o644)  # as a database made by an earlier version was
    register = tmp_path / "register.csv"
    register.write_bytes(register_csv())
    out = tmp_path / "out"
    ran = subprocess.run(
        [sys.executable, "-c", WHILE_OPEN, str(db), str(out), str(register)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    modes = {
        line.split(" ", 2)[2]: line.split(" ", 2)[1] for line in ran.stdout.splitlines() if line.startswith("mode ")
    }
    assert str(db) + ".wal" in modes and str(key_file(db)) in modes
    assert len([p for p in modes if p.endswith((".pdf", ".docx", ".zip"))]) == 3
    wrong = {path: mode for path, mode in modes.items() if mode != ("0o700" if Path(path).is_dir() else "0o600")}
    assert wrong == {}


def test_writing_over_an_open_file_makes_it_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "audit.csv"
    path.write_bytes(b"old")
    path.chmod(0o644)
    files.write_private(path, b"new")
    assert path.read_bytes() == b"new" and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_new_output_folder_is_owner_only_and_an_existing_one_is_left_alone(tmp_path: Path) -> None:
    made = files.private_folder(tmp_path / "a" / "b")
    assert stat.S_IMODE(made.stat().st_mode) == stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    tmp_path.chmod(0o755)
    files.private_folder(tmp_path)
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
