"""Local accounts: argon2id password hashes in the database, roles, and sign-in with limits on guessing: per
account, per network address and in all, counted before the slow password check."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import uuid

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from pipelines import audit, store
from pipelines.audit import ROLES, Actor

MAX_FAILURES = 5  # guesses at one account's password checked in any LOCK window; later ones are refused unchecked
CLIENT_GUESSES = 20  # guesses checked from one network address in a LOCK window, whatever the accounts
ALL_GUESSES = 100  # guesses checked in all in a LOCK window
LOCK = dt.timedelta(minutes=15)
CHECKS_AT_ONCE = 2  # password checks running at once (each takes a core for a fraction of a second)
CHECK_WAIT_SECONDS = 10  # how long an attempt waits for a free check before it is refused
MIN_PASSWORD = 10
MAX_NAME = 254  # the longest e-mail address
SLOWER = (0, 1, 2, 4)  # seconds to wait after the 1st, 2nd, 3rd, 4th failure in a row

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("a password no account has")  # checked for unknown names so they take as long
_checking = threading.BoundedSemaphore(CHECKS_AT_ONCE)
WRITING = threading.Lock()  # one process writes the database: its count-then-write steps take turns under this


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


def checked_account(name: str, password: str | None) -> tuple[str, str | None]:
    """The name as stored and the password's argon2id hash (None: the identity provider signs it in); ValueError
    with a message to act on for a name or password that will not do."""
    return _clean_name(name), None if password is None else _hasher.hash(_checked_password(password))


def add(con: duckdb.DuckDBPyConnection, name: str, role: str, password: str | None, by: Actor) -> None:
    """Add an account; without a password it can only sign in through the identity provider (its e-mail address)."""
    name, role = _clean_name(name), _checked_role(role)
    audit.require(con, by, "users", {"add": name})
    name, digest = checked_account(name, password)
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


def _window(con: duckdb.DuckDBPyConnection, column: str, value: str | None, now: dt.datetime) -> list[dt.datetime]:
    """When the guesses in the lock window were made (failed, or reserved and being checked), oldest first; for
    one account or client (``column``), or for every account (``value`` None)."""
    where = "" if value is None else f"AND {column} = ?"
    rows = con.execute(
        # No upper bound: an attempt reserved by another thread a moment "after" this one's clock counts too.
        f"SELECT tried_at FROM sign_in_attempts WHERE outcome IN ('pending', 'failed') AND tried_at > ? {where} "
        "ORDER BY tried_at",
        [now - LOCK, *([] if value is None else [value])],
    ).fetchall()
    return [r[0] for r in rows]


def failures(con: duckdb.DuckDBPyConnection, name: str, now: dt.datetime) -> list[dt.datetime]:
    """Guesses at ``name``'s password in the lock window, oldest first, whatever came after them."""
    return _window(con, "account", name, now)


def _free_again(guesses: list[dt.datetime], limit: int) -> dt.datetime | None:
    """When a guess may be checked again, if ``limit`` guesses were made in the window already."""
    return guesses[len(guesses) - limit] + LOCK if len(guesses) >= limit else None


def locked_until(con: duckdb.DuckDBPyConnection, name: str, now: dt.datetime) -> dt.datetime | None:
    return _free_again(failures(con, name, now), MAX_FAILURES)


def retry_delay(con: duckdb.DuckDBPyConnection, name: str, now: dt.datetime | None = None) -> int:
    """Seconds to wait before answering the next attempt: longer after each failure in the window."""
    failed = len(failures(con, _safe_name(name), now or dt.datetime.now()))
    return SLOWER[min(failed, len(SLOWER) - 1)]


def _safe_name(name: str) -> str:
    """The name as stored, or as typed (cut short) when it could not be a name, so odd input is recorded too."""
    try:
        return _clean_name(name)
    except ValueError:
        return (name or "").strip()[:MAX_NAME] or "(blank)"


def client_key(address: str | None) -> str:
    """What the attempts table keeps of a browser's network address: a hash, enough to count its guesses."""
    return hashlib.sha256((address or "unknown").encode()).hexdigest()[:16]


def sign_in(
    con: duckdb.DuckDBPyConnection, name: str, password: str, now: dt.datetime | None = None, client: str = ""
) -> Actor:
    """The account's Actor when the password is right; else SignInRefused. Every attempt is recorded.

    The attempt is reserved in the database before the slow password check, under a lock, so attempts sent at
    once count one after another: past a limit they are refused without being checked. ``client`` is the
    browser's network address."""
    now, name = now or dt.datetime.now(), _safe_name(name)
    attempt = _reserve(con, name, client_key(client), now)
    if not _checking.acquire(timeout=CHECK_WAIT_SECONDS):
        _settle(con, attempt, "unchecked")
        audit.record(con, name, "sign-in refused", {"why": "busy"}, at=now)
        raise SignInRefused("The dashboard is busy checking other sign-ins. Try again in a minute.")
    try:
        row = store.one(con, "SELECT role, password_hash FROM users WHERE name = ?", [name])
        right = row is not None and row[1] is not None and _verified(row[1], password)
        if row is None or row[1] is None:
            _verified(_DUMMY_HASH, password)  # as slow as a real check, so names cannot be told apart
    finally:
        _checking.release()
    _settle(con, attempt, "succeeded" if right else "failed")
    if not right:
        audit.record(con, name, "sign-in failed", at=now)
        raise SignInRefused("That user name and password do not match an account.")
    audit.record(con, name, "sign-in", {"via": "password"}, at=now)
    return Actor(name, row[0])


def _reserve(con: duckdb.DuckDBPyConnection, name: str, client: str, now: dt.datetime) -> str:
    """Count the guesses in the window and, below every limit, reserve this one; else refuse it unchecked."""
    with WRITING:
        con.execute("DELETE FROM sign_in_attempts WHERE tried_at <= ?", [now - 2 * LOCK])  # no longer counted
        refusal = _over_a_limit(con, name, client, now)
        if refusal:
            audit.record(con, name, "sign-in locked", at=now)
            raise SignInRefused(refusal)
        attempt = uuid.uuid4().hex
        con.execute("INSERT INTO sign_in_attempts VALUES (?, ?, ?, ?, 'pending')", [attempt, now, name, client])
    return attempt


def _over_a_limit(con: duckdb.DuckDBPyConnection, name: str, client: str, now: dt.datetime) -> str | None:
    if until := locked_until(con, name, now):
        return f"Too many failed sign-ins: this account is locked until {until:%H:%M}."
    if until := _free_again(_window(con, "client", client, now), CLIENT_GUESSES):
        return f"Too many failed sign-ins from this computer: try again after {until:%H:%M}."
    if until := _free_again(_window(con, "account", None, now), ALL_GUESSES):
        return (
            f"Too many failed sign-ins to this dashboard: try again after {until:%H:%M}. If you did not expect this, "
            "tell the dashboard's administrator: someone may be guessing passwords."
        )
    return None


def _settle(con: duckdb.DuckDBPyConnection, attempt: str, outcome: str) -> None:
    con.execute("UPDATE sign_in_attempts SET outcome = ? WHERE attempt_id = ?", [outcome, attempt])


def _verified(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password or "")
    except (VerifyMismatchError, InvalidHashError):
        return False
