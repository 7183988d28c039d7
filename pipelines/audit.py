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
    "erase": "administrator",  # a person's records, on request or past the retention period
    "settings": "administrator",
    "users": "administrator",
    "disclosure": "administrator",  # lowering the on-screen threshold below 8
}
DEMO_MAY = ("export",)  # all a visitor to the open sample demo may do: download what the sample shows

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
    """Whether the actor's role may do ``action``; a demo visitor only looks at the sample and downloads from it."""
    if actor.demo:
        return action in DEMO_MAY
    return ROLES.index(actor.role) >= ROLES.index(NEEDS[action])


def require(con: duckdb.DuckDBPyConnection, actor: Actor, action: str, details: dict | None = None) -> None:
    """Raise NotAllowed (and record the refusal) unless the actor's role may do ``action``."""
    if may(actor, action):
        return
    record(con, actor.name, f"{action} refused", {"role": actor.role, **(details or {})})
    if actor.demo:
        raise NotAllowed(f"The demo only shows the sample: set up the dashboard for your charity to {action}.")
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
    """The audit trail, newest first: when, who, action, and its details in words."""
    found = con.execute(
        'SELECT happened_at AS "when", who, action, details FROM audit ORDER BY happened_at DESC, rowid DESC'
    ).df()
    return found.assign(details=found["details"].map(details_in_words))


def details_in_words(details: str | None) -> str:
    """An entry's details as a person reads them: 'document: report pack; covers: financial year 2024-25'."""
    found = json.loads(details) if details else {}
    return "; ".join(f"{key.replace('_', ' ')}: {_value_in_words(value)}" for key, value in found.items())


def _value_in_words(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{key} {item}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def csv_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    """The audit trail as CSV, every cell safe to open in a spreadsheet (user names are typed by anyone)."""
    return spreadsheet.csv_bytes(rows(con))
