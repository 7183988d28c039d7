"""Who did what and when: the acting user, the roles that may act, and the append-only audit table."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import duckdb
import pandas as pd

from pipelines import spreadsheet

ROLES = ("viewer", "manager", "administrator")  # each may do everything the one before it may

# The least role each action needs; every pipeline function that changes something checks it where it happens.
NEEDS = {
    "export": "viewer",
    "load": "manager",
    "rollback": "manager",
    "settings": "administrator",
    "users": "administrator",
    "disclosure": "administrator",  # lowering the on-screen threshold below 8
}
DEMO_NEVER = ("users", "disclosure")  # what a visitor to the open sample demo may never do

AUDIT = """
CREATE TABLE IF NOT EXISTS audit (
    happened_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    who VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    details JSON
)
"""


@dataclass(frozen=True)
class Actor:
    name: str
    role: str
    demo: bool = False  # a visitor to the bundled-sample demo, not signed in


OPERATOR = Actor("local operator", "administrator")  # whoever runs the command line on the server


class NotAllowed(PermissionError):
    """The acting user's role may not do this; the attempt is recorded in the audit."""


def may(actor: Actor, action: str) -> bool:
    """Whether the actor's role may do ``action`` (a demo visitor never manages accounts or lowers suppression)."""
    return ROLES.index(actor.role) >= ROLES.index(NEEDS[action]) and not (actor.demo and action in DEMO_NEVER)


def require(con: duckdb.DuckDBPyConnection, actor: Actor, action: str, details: dict | None = None) -> None:
    """Raise NotAllowed (and record the refusal) unless the actor's role may do ``action``."""
    if may(actor, action):
        return
    record(con, actor.name, f"{action} refused", {"role": actor.role, **(details or {})})
    raise NotAllowed(f"{actor.name} is a {actor.role}: only a {NEEDS[action]} or above may do this ({action}).")


def record(
    con: duckdb.DuckDBPyConnection, who: str, action: str, details: dict | None = None, at: dt.datetime | None = None
) -> None:
    """Append one row; rows are never changed or deleted."""
    con.execute(
        "INSERT INTO audit (happened_at, who, action, details) VALUES (?, ?, ?, ?)",
        [at or dt.datetime.now(), who, action, json.dumps(details or {}, default=str)],
    )


def rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The audit trail, newest first: when, who, action, details."""
    return con.execute(
        'SELECT happened_at AS "when", who, action, details FROM audit ORDER BY happened_at DESC, rowid DESC'
    ).df()


def csv_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    """The audit trail as CSV, every cell safe to open in a spreadsheet (user names are typed by anyone)."""
    return spreadsheet.csv_bytes(rows(con))
