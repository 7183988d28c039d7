"""A person's rights over their records (docs/privacy.md#a-persons-rights): finding them from the ID the charity
knows the person by, exporting them, erasing them for good, and removing everyone past the retention period.

Erasing deletes the person's rows from every table, keeps only a keyed hash of their pseudonym on the list of erased
people (so that rolling back or loading again never brings them back), and then rewrites the database file, because
DuckDB keeps deleted rows' bytes in the file's free blocks (store.rewrite)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines import audit, cells, export, privacy, settings, store
from pipelines.audit import OPERATOR, Actor
from pipelines.periods import add_months
from pipelines.sheets import KINDS


class NotHeld(ValueError):
    """No records are held about the ID given; the message says so plainly."""


@dataclass(frozen=True)
class Held:
    """The rows held about one person, per sheet kind: current and history, each with the upload it came from."""

    reference: str
    rows: dict[str, pd.DataFrame]
    erased_at: dt.datetime | None = None  # when their records were erased, if they were

    @property
    def total(self) -> int:
        return sum(len(frame) for frame in self.rows.values())


@dataclass(frozen=True)
class Erased:
    """What an erasure removed: people and rows per sheet kind."""

    people: int
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def participant_key(con: duckdb.DuckDBPyConnection) -> bytes | None:
    """The installation's key, or None while nothing has ever been loaded (then no one is held)."""
    fingerprint = store.meta(con, "key_fingerprint")
    return None if fingerprint is None else privacy.load_secret(store.database_file(con), fingerprint)


def pseudonym_of(key: bytes, reference: str) -> str:
    """The pseudonym the loader gives this ID, read as a spreadsheet cell is read (trimmed; 1234.0 is 1234)."""
    try:
        return privacy.pseudonym(key, cells.participant_id(reference))
    except cells.CellError:
        raise NotHeld("Give the participant ID as your spreadsheets write it, e.g. P0123.") from None


def erased_at(con: duckdb.DuckDBPyConnection, key: bytes, pseudonym: str) -> dt.datetime | None:
    found = store.one(con, "SELECT erased_at FROM erasures WHERE token = ?", [privacy.erasure_token(key, pseudonym)])
    return found[0] if found else None


def find(con: duckdb.DuckDBPyConnection, reference: str) -> Held:
    """Every row held about the person the charity knows as ``reference``; none for an unknown or erased ID."""
    key = participant_key(con)
    if key is None:
        return Held(reference, {})
    pseudonym = pseudonym_of(key, reference)
    rows = {kind: _rows_of(con, kind, pseudonym) for kind in store.PEOPLE_KINDS}
    return Held(reference, {k: r for k, r in rows.items() if not r.empty}, erased_at(con, key, pseudonym))


def _rows_of(con: duckdb.DuckDBPyConnection, kind: str, pseudonym: str) -> pd.DataFrame:
    """A kind's rows about one person, oldest upload first: whether each is current, its upload, file and row."""
    key_of = f"concat_ws('|', {store.key_sql(kind, 'h')})"
    frame = con.execute(
        f"""SELECT CASE WHEN c.upload_id IS NOT NULL THEN 'current'
                WHEN u.rolled_back_at IS NOT NULL THEN 'rolled back' ELSE 'replaced by a later upload' END AS status,
            h.upload_id AS upload, u.file_name AS file, strftime(u.loaded_at, '%d/%m/%Y %H:%M') AS loaded,
            h.source_row AS sheet_row, h.* EXCLUDE (upload_id, source_row, participant_id)
        FROM {kind}_history h JOIN uploads u USING (upload_id)
        LEFT JOIN (SELECT upload_id, concat_ws('|', {store.key_sql(kind)}) AS k FROM {kind}_current
                   WHERE participant_id = $p) c ON c.upload_id = h.upload_id AND c.k = {key_of}
        WHERE h.participant_id = $p ORDER BY h.upload_id, h.source_row""",
        {"p": pseudonym},
    ).df()
    return frame.map(_plain_value)


def _plain_value(value: object) -> object:
    """A list of questionnaire answers as text ('4, 3, 5'), so that a spreadsheet cell can hold it."""
    if isinstance(value, list | np.ndarray):
        return ", ".join("" if pd.isna(v) else f"{v:g}" for v in value)
    return value


def describe(held: Held) -> list[str]:
    """What ``person`` prints: one line per sheet kind, then its rows; or why nothing is held."""
    if held.erased_at is not None and not held.rows:
        return [f"The records of participant ID {held.reference} were erased on {held.erased_at:%d/%m/%Y %H:%M}."]
    if not held.rows:
        return [NOTHING_HELD.format(reference=held.reference)]
    lines = []
    for kind, frame in held.rows.items():
        current = int((frame["status"] == "current").sum())
        lines.append(f"{kind}: {len(frame)} row(s), {current} current")
        lines += [f"  {line}" for line in frame.to_string(index=False).splitlines()]
    return lines


NOTHING_HELD = (
    "No records are held about participant ID {reference}. Check the ID as your spreadsheets write it: it is "
    "matched exactly, after spaces at either end are trimmed."
)


def workbook(held: Held, today: dt.date) -> bytes:
    """A person's records as a spreadsheet for a subject access request: a sheet per kind, then notes."""
    notes = [
        f"Records held about participant ID {held.reference} on {today:%d/%m/%Y}, one sheet per kind of record.",
        "Status: 'current' rows are the ones the figures use; 'replaced by a later upload' and 'rolled back' rows "
        "are kept in the upload history.",
        "Upload, file and loaded: the upload each row came from; sheet row: its row in that file.",
    ]
    return export.workbook_file(dict(held.rows), title="Records held", notes=notes)


def erase(con: duckdb.DuckDBPyConnection, reference: str, by: Actor = OPERATOR) -> Erased:
    """Delete every row about one person and add them to the list of erased people, in one transaction.

    Administrators only. The audit records that an erasure happened, by whom and how many rows went, never the ID or
    the pseudonym. The rows' bytes stay in the file until ``store.rewrite``: use ``erase_in_file``.
    """
    audit.require(con, by, "erase", {"people": 1})
    held = find(con, reference)
    if not held.rows:
        raise NotHeld(describe(held)[0] + " Nothing was erased.")
    key = participant_key(con)
    pseudonym = pseudonym_of(key, reference)
    return _remove(con, [pseudonym], by, "on request", remember=privacy.erasure_token(key, pseudonym))


def _remove(
    con: duckdb.DuckDBPyConnection, pseudonyms: list[str], by: Actor, why: str, remember: str | None = None
) -> Erased:
    """Delete these people's rows in one transaction, recorded in the audit; ``remember``: the erasure token that
    keeps the person out of later loads."""
    with store.transaction(con):
        rows = store.delete_people(con, pseudonyms)
        if remember:
            con.execute("INSERT INTO erasures (token) VALUES (?)", [remember])
        erased = Erased(len(pseudonyms), rows)
        details = {"reason": why, "people": erased.people, "rows": erased.total, "rows by kind": rows}
        audit.record(con, by.name, "erasure", details)
    return erased


def erase_in_file(path: str | Path, reference: str, by: Actor = OPERATOR) -> Erased:
    """``erase``, then the database file rewritten so the person's pseudonym is nowhere in its bytes. No other
    connection to the file may be open."""
    return _in_file(path, lambda con: erase(con, reference, by))


def _in_file(path: str | Path, remove: Callable[[duckdb.DuckDBPyConnection], Erased]) -> Erased:
    """``remove`` on a connection of its own, then the file rewritten where anyone went, so that nothing of them is
    left in its bytes."""
    con = store.connect(path)
    try:
        erased = remove(con)
    finally:
        con.close()
    if erased.people:
        store.rewrite(path)
    return erased


# Retention ------------------------------------------------------------------------------------------


def _activity_sql() -> str:
    """Each person's last activity: the latest date in any of their rows, or, for someone whose rows give no date,
    the day their rows were last loaded."""
    dated = " UNION ALL ".join(
        f"SELECT participant_id, {KINDS[kind].date_field} AS day, upload_id FROM {kind}_history"
        for kind in store.PEOPLE_KINDS
    )
    return f"""SELECT participant_id, coalesce(max(day), max(CAST(u.loaded_at AS DATE))) AS last_activity,
        count(*) AS rows FROM ({dated}) JOIN uploads u USING (upload_id)
        WHERE participant_id IS NOT NULL GROUP BY 1"""


def retention_limit(con: duckdb.DuckDBPyConnection, today: dt.date) -> dt.date | None:
    """The day before which a person's last activity puts them past the retention period; None while it is off."""
    years = settings.retention_years(con)
    return None if years is None else add_months(today, -12 * years)


def past_retention(con: duckdb.DuckDBPyConnection, today: dt.date) -> pd.DataFrame:
    """The people past the retention period, oldest activity first: their last activity and rows held (never who
    they are); empty while the period is off."""
    limit = retention_limit(con, today)
    if limit is None:
        return pd.DataFrame(columns=["participant_id", "last_activity", "rows"])
    return con.execute(
        f"SELECT * FROM ({_activity_sql()}) WHERE last_activity < ? ORDER BY last_activity, rows", [limit]
    ).df()


def retention_reminder(con: duckdb.DuckDBPyConnection, today: dt.date) -> str | None:
    """What the Upload page tells an administrator when people are past the retention period."""
    past = past_retention(con, today)
    if past.empty:
        return None
    people = "person's" if len(past) == 1 else "people's"
    return (
        f"{len(past):,} {people} last activity was more than {settings.retention_years(con)} years ago, before "
        f"{retention_limit(con, today):%d/%m/%Y}: past the retention period. Remove their records in Settings, or "
        "with python -m pipelines retention --apply."
    )


def apply_retention(con: duckdb.DuckDBPyConnection, today: dt.date, by: Actor = OPERATOR) -> Erased:
    """Remove everyone past the retention period as an erasure removes a person, but without putting them on the
    list of erased people: someone who comes back to the service later is loaded again. Administrators only."""
    audit.require(con, by, "erase", {"reason": "retention period"})
    past = past_retention(con, today)
    if past.empty:
        return Erased(0)
    reason = f"past the retention period of {settings.retention_years(con)} years"
    return _remove(con, past["participant_id"].tolist(), by, reason)


def apply_retention_in_file(path: str | Path, today: dt.date, by: Actor = OPERATOR) -> Erased:
    """``apply_retention``, then the file rewritten (when anyone was removed). No other connection may be open."""
    return _in_file(path, lambda con: apply_retention(con, today, by))


# Loading: erased people stay out --------------------------------------------------------------------


def without_erased(con: duckdb.DuckDBPyConnection, key: bytes, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Take the rows of erased people out of an upload's tables (in place); the note that says so, if any did."""
    erased = {token for (token,) in con.execute("SELECT token FROM erasures").fetchall()}
    if not erased:
        return []
    people: set[str] = set()
    left_out: dict[str, int] = {}
    for kind, frame in tables.items():
        if "participant_id" not in frame:
            continue
        found = [p for p in frame["participant_id"].dropna().unique() if privacy.erasure_token(key, p) in erased]
        gone = frame["participant_id"].isin(found)
        if gone.any():
            people.update(frame.loc[gone, "participant_id"])
            left_out[kind] = int(gone.sum())
            tables[kind] = frame.loc[~gone].reset_index(drop=True)
    return [erased_note(len(people), left_out)] if people else []


def erased_note(people: int, left_out: dict[str, int]) -> str:
    rows = ", ".join(f"{n:,} {KINDS[kind].nouns[n != 1]}" for kind, n in left_out.items())
    who = "1 person whose records were erased" if people == 1 else f"{people} people whose records were erased"
    return (
        f"This file holds {who}, so their rows were left out ({rows}). Delete them from your own spreadsheets too, "
        "so they are not sent again."
    )
