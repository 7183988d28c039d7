"""Local accounts: argon2id password hashes in the database, roles, sign-in with slowing and lock-out."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from pipelines import audit, store
from pipelines.audit import ROLES, Actor

MAX_FAILURES = 5  # failed sign-ins in a row before the account is locked
LOCK = dt.timedelta(minutes=15)
MIN_PASSWORD = 10
MAX_NAME = 254  # the longest e-mail address
SLOWER = (0, 1, 2, 4)  # seconds to wait after the 1st, 2nd, 3rd, 4th failure in a row

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("a password no account has")  # checked for unknown names so they take as long


class SignInRefused(Exception):
    """Wrong name or password, or a locked account; the message says which without telling names apart."""


def _clean_name(name: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned or len(cleaned) > MAX_NAME or any(not c.isprintable() or c.isspace() for c in cleaned):
        raise ValueError(f"A user name must be 1 to {MAX_NAME} printable characters without spaces.")
    return cleaned.lower() if "@" in cleaned else cleaned  # e-mail addresses compare without case


def _checked_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    return role


def _checked_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"A password must be at least {MIN_PASSWORD} characters long.")
    return password


def role_of(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    row = store.one(con, "SELECT role FROM users WHERE name = ?", [_clean_name(name)])
    return row[0] if row else None


def add(con: duckdb.DuckDBPyConnection, name: str, role: str, password: str | None, by: Actor) -> None:
    """Add an account; without a password it can only sign in through the identity provider (its e-mail address)."""
    name, role = _clean_name(name), _checked_role(role)
    audit.require(con, by, "users", {"add": name})
    digest = None if password is None else _hasher.hash(_checked_password(password))
    if role_of(con, name) is not None:
        raise ValueError(f"There is already an account {name}.")
    with store.transaction(con):
        con.execute("INSERT INTO users (name, role, password_hash) VALUES (?, ?, ?)", [name, role, digest])
        audit.record(con, by.name, "user added", {"name": name, "role": role, "password": password is not None})


def remove(con: duckdb.DuckDBPyConnection, name: str, by: Actor) -> None:
    name = _clean_name(name)
    audit.require(con, by, "users", {"remove": name})
    _must_exist(con, name)
    with store.transaction(con):
        con.execute("DELETE FROM users WHERE name = ?", [name])
        audit.record(con, by.name, "user removed", {"name": name})


def set_role(con: duckdb.DuckDBPyConnection, name: str, role: str, by: Actor) -> None:
    name, role = _clean_name(name), _checked_role(role)
    audit.require(con, by, "users", {"set role": name})
    _must_exist(con, name)
    with store.transaction(con):
        con.execute("UPDATE users SET role = ? WHERE name = ?", [role, name])
        audit.record(con, by.name, "role changed", {"name": name, "role": role})


def _must_exist(con: duckdb.DuckDBPyConnection, name: str) -> None:
    if role_of(con, name) is None:
        raise ValueError(f"There is no account {name}.")


def listing(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every account: name, role, how it signs in and when it was added (never the hash)."""
    return con.execute(
        "SELECT name, role, CASE WHEN password_hash IS NULL THEN 'identity provider' ELSE 'password' END AS sign_in, "
        "created_at FROM users ORDER BY name"
    ).df()


def has_accounts(con: duckdb.DuckDBPyConnection) -> bool:
    return store.one(con, "SELECT count(*) FROM users")[0] > 0


def failures(con: duckdb.DuckDBPyConnection, name: str, now: dt.datetime) -> list[dt.datetime]:
    """Failed sign-ins for ``name`` in the lock window, since its last successful one, oldest first."""
    rows = con.execute(
        "SELECT happened_at FROM audit WHERE who = ? AND action = 'sign-in failed' AND happened_at > ? "
        "AND happened_at > coalesce("
        "(SELECT max(happened_at) FROM audit WHERE who = ? AND action = 'sign-in'), TIMESTAMP '1900-01-01') "
        "ORDER BY happened_at",
        [name, now - LOCK, name],
    ).fetchall()
    return [r[0] for r in rows]


def locked_until(con: duckdb.DuckDBPyConnection, name: str, now: dt.datetime) -> dt.datetime | None:
    failed = failures(con, name, now)
    return failed[-1] + LOCK if len(failed) >= MAX_FAILURES else None


def retry_delay(con: duckdb.DuckDBPyConnection, name: str, now: dt.datetime | None = None) -> int:
    """Seconds to wait before answering the next attempt: longer after each failure in a row."""
    failed = len(failures(con, _safe_name(name), now or dt.datetime.now()))
    return SLOWER[min(failed, len(SLOWER) - 1)]


def _safe_name(name: str) -> str:
    """The name as stored, or as typed (cut short) when it could not be a name, so odd input is recorded too."""
    try:
        return _clean_name(name)
    except ValueError:
        return (name or "").strip()[:MAX_NAME] or "(blank)"


def sign_in(con: duckdb.DuckDBPyConnection, name: str, password: str, now: dt.datetime | None = None) -> Actor:
    """The account's Actor when the password is right; else SignInRefused. Every attempt is recorded."""
    now, name = now or dt.datetime.now(), _safe_name(name)
    if until := locked_until(con, name, now):
        audit.record(con, name, "sign-in locked", at=now)
        raise SignInRefused(f"Too many failed sign-ins: this account is locked until {until:%H:%M}.")
    row = store.one(con, "SELECT role, password_hash FROM users WHERE name = ?", [name])
    if row is None or row[1] is None or not _verified(row[1], password):
        if row is None or row[1] is None:
            _verified(_DUMMY_HASH, password)  # as slow as a real check, so names cannot be told apart
        audit.record(con, name, "sign-in failed", at=now)
        raise SignInRefused("That user name and password do not match an account.")
    audit.record(con, name, "sign-in", {"via": "password"}, at=now)
    return Actor(name, row[0])


def _verified(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password or "")
    except (VerifyMismatchError, InvalidHashError):
        return False
