"""Signed-in sessions kept on the server: a random token in the browser's cookie, only its hash in the database, and
an idle limit and an absolute limit an administrator sets. Ending a session (signing out, or a limit) is final."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import duckdb

from pipelines import audit, settings, store
from pipelines.audit import Actor

COOKIE = "impact_session"  # the browser cookie holding the token
IDLE_KEY = "session_idle_minutes"
ABSOLUTE_KEY = "session_absolute_hours"
DEFAULT_IDLE_MINUTES = 30
DEFAULT_ABSOLUTE_HOURS = 12
IDLE_RANGE = (5, 480)  # minutes an administrator may choose between
ABSOLUTE_RANGE = (1, 72)  # hours
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen is written at most this often, not on every click


@dataclass(frozen=True)
class Limits:
    idle_minutes: int = DEFAULT_IDLE_MINUTES
    absolute_hours: int = DEFAULT_ABSOLUTE_HOURS

    @property
    def idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.idle_minutes)

    @property
    def absolute(self) -> dt.timedelta:
        return dt.timedelta(hours=self.absolute_hours)


def limits(con: duckdb.DuckDBPyConnection) -> Limits:
    """The limits in force: the latest an administrator saved, else 30 minutes idle and 12 hours in all."""
    found = settings.texts(con)
    return Limits(
        int(found.get(IDLE_KEY) or DEFAULT_IDLE_MINUTES), int(found.get(ABSOLUTE_KEY) or DEFAULT_ABSOLUTE_HOURS)
    )


def save_limits(con: duckdb.DuckDBPyConnection, idle_minutes: int, absolute_hours: int, by: Actor) -> Limits:
    """Set both limits (administrators); a value out of range saves nothing. Live sessions follow them at once."""
    audit.require(con, by, "settings", {"saving": "session limits"})
    chosen = Limits(_within(idle_minutes, IDLE_RANGE, "minutes"), _within(absolute_hours, ABSOLUTE_RANGE, "hours"))
    if chosen.idle > chosen.absolute:
        raise settings.SettingRefused("The idle limit cannot be longer than the absolute limit.")
    settings.save_texts(con, {IDLE_KEY: str(chosen.idle_minutes), ABSOLUTE_KEY: str(chosen.absolute_hours)}, by)
    return chosen


def _within(value: int, bounds: tuple[int, int], unit: str) -> int:
    if not bounds[0] <= int(value) <= bounds[1]:
        raise settings.SettingRefused(f"Choose between {bounds[0]} and {bounds[1]} {unit}.")
    return int(value)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(con: duckdb.DuckDBPyConnection, account: str, now: dt.datetime | None = None) -> str:
    """A new session for ``account``; returns its token, which only the browser keeps."""
    now = now or dt.datetime.now()
    token = secrets.token_urlsafe(32)
    con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, NULL, NULL)", [_hash(token), account, now, now])
    return token


def resume(con: duckdb.DuckDBPyConnection, token: str | None, now: dt.datetime | None = None) -> str | None:
    """The account of a live session, which counts as active now; None for an unknown, ended or expired token (an
    expired one is ended here, for good)."""
    if not token:
        return None
    now = now or dt.datetime.now()
    row = store.one(
        con,
        "SELECT account, started_at, last_seen FROM sessions WHERE token_hash = ? AND ended_at IS NULL",
        [_hash(token)],
    )
    if row is None:
        return None
    account, started, seen = row
    found = limits(con)
    if now - seen > found.idle or now - started > found.absolute:
        end(con, token, "idle limit" if now - seen > found.idle else "absolute limit", now)
        return None
    if now - seen >= TOUCH_EVERY:
        con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", [now, _hash(token)])
    return account


def end(con: duckdb.DuckDBPyConnection, token: str | None, why: str, now: dt.datetime | None = None) -> None:
    """End the session for good (signed out, or over a limit) and record it; an unknown token changes nothing."""
    if not token:
        return
    now = now or dt.datetime.now()
    row = store.one(con, "SELECT account FROM sessions WHERE token_hash = ? AND ended_at IS NULL", [_hash(token)])
    if row is None:
        return
    con.execute("UPDATE sessions SET ended_at = ?, ended_why = ? WHERE token_hash = ?", [now, why, _hash(token)])
    audit.record(con, row[0], "session ended", {"why": why}, at=now)
