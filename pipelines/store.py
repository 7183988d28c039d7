"""The DuckDB database: append-only history per sheet kind, the current rows kept beside it, uploads and rollback.

Each kind's history is never changed, only appended to. Its current rows (latest active upload wins per natural key)
are worked out once per load or rollback into ``<kind>_current``, inside the same transaction, so that queries read
them rather than rank every history row again; the view ``<kind>`` reads that table.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import audit, files
from pipelines.audit import AUDIT, OPERATOR, Actor
from pipelines.files import private_folder
from pipelines.sheets import KINDS
from pipelines.vocab import norm_key

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "impact.duckdb"

COLUMNS = {name: kind.columns for name, kind in KINDS.items()}  # stored columns and DuckDB types per kind

UPLOADS = """
CREATE TABLE IF NOT EXISTS uploads (
    upload_id INTEGER PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    loaded_by VARCHAR,
    is_sample BOOLEAN NOT NULL DEFAULT false,
    row_counts JSON,
    notes JSON,
    rolled_back_at TIMESTAMP,
    sheets JSON  -- kind -> the sheets its rows came from ('' for a CSV file)
);
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS column_mappings (
    kind VARCHAR NOT NULL,
    header VARCHAR NOT NULL,  -- as the sheet has it
    target VARCHAR NOT NULL,  -- a field name, or a questionnaire column such as wemwbs_1
    upload_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS settings_history (
    key VARCHAR NOT NULL,
    text_value VARCHAR,
    blob_value BLOB,
    changed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    changed_by VARCHAR
);
CREATE TABLE IF NOT EXISTS erasures (
    token VARCHAR PRIMARY KEY,  -- privacy.erasure_token of an erased person's pseudonym, never the pseudonym itself
    erased_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE TABLE IF NOT EXISTS users (
    name VARCHAR PRIMARY KEY,  -- a local user name, or an e-mail address signed in by the identity provider
    role VARCHAR NOT NULL,
    password_hash VARCHAR,  -- argon2id; NULL for an account that signs in with the identity provider only
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
CREATE TABLE IF NOT EXISTS sign_in_attempts (  -- reserved before the password check; kept for the lock window only
    attempt_id VARCHAR PRIMARY KEY,
    tried_at TIMESTAMP NOT NULL,
    account VARCHAR NOT NULL,
    client VARCHAR NOT NULL,  -- a hash of the browser's network address, never the address itself
    outcome VARCHAR NOT NULL  -- 'pending' while checked, then 'failed', 'succeeded' or 'unchecked'
);
CREATE TABLE IF NOT EXISTS published_sets (  -- the sets published.kept_site worked out, for the rows they came from
    fingerprint VARCHAR NOT NULL,  -- of the figures' code and the rows they read (published.fingerprint)
    choice VARCHAR NOT NULL,  -- the filters and the disclosure
    hidden JSON NOT NULL,  -- the counts to hide
    kept_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    PRIMARY KEY (fingerprint, choice)
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash VARCHAR PRIMARY KEY,  -- SHA-256 of the browser's session cookie; the cookie itself is never stored
    account VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    ended_why VARCHAR
);
"""


def db_path() -> Path:
    return Path(os.environ.get("IMPACT_DB") or DEFAULT_DB)


class DatabaseBusy(RuntimeError):
    """Another process, most often the running dashboard, has the database open for writing."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"The dashboard (or another program) has the database {path} open.")
        self.path = path


def connect(path: str | Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and on first use create) the database; DatabaseBusy while another process has it open to write."""
    path = Path(path or db_path())
    try:
        if read_only and path.exists():
            con = duckdb.connect(str(path), read_only=True)
            if not _kept_tables_missing(con):
                return con
            con.close()  # made by an earlier version: its kept tables are worked out once, then it is read
            connect(path).close()
            return duckdb.connect(str(path), read_only=True)
        private_folder(path.parent)
        con = duckdb.connect(str(path))
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise DatabaseBusy(path) from None
        raise
    files.tighten(path, wal_path(path))  # they hold the password hashes and the audit trail: owner only
    create_schema(con)
    return con


def wal_path(path: Path) -> Path:
    """DuckDB's write-ahead log beside the database, there while a connection has changes not yet checkpointed."""
    return path.with_name(path.name + ".wal")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Make or bring up to date the tables and views; one lookup when the database already has this schema."""
    con.execute(UPLOADS)
    con.execute(AUDIT)
    if meta(con, SCHEMA_KEY) == schema_digest() and meta(con, CURRENT_VERSION) == data_version(con):
        return
    con.execute("ALTER TABLE uploads ADD COLUMN IF NOT EXISTS sheets JSON")  # absent from databases made before it
    for kind, columns in COLUMNS.items():
        body = ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns.items())
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {kind}_history (upload_id INTEGER NOT NULL, source_row INTEGER, {body})"
        )
        for name, sql_type in columns.items():  # a column added to the contract since the database was made
            con.execute(f'ALTER TABLE {kind}_history ADD COLUMN IF NOT EXISTS "{name}" {sql_type}')
    stale = [kind for kind in COLUMNS if not _has_table(con, f"{kind}_current") or _lacks_columns(con, kind)]
    if _kept_tables_missing(con):
        stale.append("attendance")
    if meta(con, CURRENT_VERSION) != data_version(con):
        stale = list(COLUMNS)  # uploads changed without the current rows (a database made before they were kept)
    if stale:
        with transaction(con):
            _refresh(con, stale)
    for kind in COLUMNS:
        con.execute(f"CREATE OR REPLACE VIEW {kind} AS SELECT * FROM {kind}_current")
    con.execute(PROFILES_VIEW)
    set_meta(con, SCHEMA_KEY, schema_digest())


SCHEMA_KEY = "schema"  # meta: the digest of the schema create_schema last made or checked in full


@functools.cache
def schema_digest() -> str:
    """What the database's tables and views are made from: a new column, table or view changes it."""
    made = [UPLOADS, AUDIT, json.dumps(COLUMNS, sort_keys=True), PROFILES_VIEW, FIRST_ATTENDED, BY_QUARTER]
    return hashlib.sha256("\n".join(made).encode()).hexdigest()


KEPT_TABLES = ("attended_first", "attendance_by_quarter")  # worked out with the register's current rows (_refresh)


def _kept_tables_missing(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a database lacks a table the figures read, as one made by an earlier version may (its uploads table
    is there: an empty file is created as a database, not read)."""
    return _has_table(con, "uploads") and not all(_has_table(con, name) for name in KEPT_TABLES)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = one(
        con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND database_name = current_database()", [name]
    )
    return found[0] > 0


def _lacks_columns(con: duckdb.DuckDBPyConnection, kind: str) -> bool:
    """Whether a kind's current rows were worked out before a column was added to the contract."""
    found = one(
        con,
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database()",
        [f"{kind}_current"],
    )
    return found[0] < len(COLUMNS[kind]) + 1  # and the upload's id


PROFILES_VIEW = """
CREATE OR REPLACE VIEW participant_profiles AS
SELECT p.* REPLACE (coalesce(p.imd_decile, l.imd_decile) AS imd_decile)
FROM participants p LEFT JOIN imd_lookup l ON l.lsoa_code = p.lsoa_code
"""  # a decile given in the sheet wins; otherwise the person's LSOA is looked up in the loaded IMD file


def key_sql(kind: str, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"coalesce(CAST({prefix}\"{k}\" AS VARCHAR), '')" for k in KINDS[kind].key)


def current_rows_sql(kind: str, without_sample: bool = False) -> str:
    """Latest active upload wins per natural key, so rolling an upload back restores what it replaced.

    ``without_sample``: as they will be once the charity's own first upload has removed the sample.
    """
    return f"""
        SELECT h.* EXCLUDE (source_row) FROM {kind}_history h
        JOIN uploads u USING (upload_id) WHERE u.rolled_back_at IS NULL {"AND NOT u.is_sample" if without_sample else ""}
        QUALIFY row_number() OVER (PARTITION BY {key_sql(kind, "h")} ORDER BY h.upload_id DESC, h.source_row DESC) = 1
    """


CURRENT_VERSION = "current_rows_version"  # meta: the data_version the current rows were last worked out at
_changed_in_transaction: ContextVar[set[str] | None] = ContextVar("changed_in_transaction", default=None)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All of the block's writes or none: commits at its end, rolls back on any exception (an interrupt too).

    The current rows of every kind the block changed are worked out again just before the commit, so a reader sees
    the history and its current rows of before the block or of after it, never a mix."""
    with _writes(con, keep=True):
        yield


@contextmanager
def rehearsal(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The block's writes, seen by the block alone and then undone: a load tried out to count what it will change."""
    with _writes(con, keep=False):
        yield


@contextmanager
def _writes(con: duckdb.DuckDBPyConnection, keep: bool) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    changed = _changed_in_transaction.set(set())
    try:
        yield
        if keep:
            _refresh(con, sorted(_changed_in_transaction.get()))
            con.execute("COMMIT")
        else:
            con.execute("ROLLBACK")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        _changed_in_transaction.reset(changed)


def _changed(con: duckdb.DuckDBPyConnection, kinds: list[str]) -> None:
    """Note kinds whose current rows changed: worked out at the transaction's end, or now outside one."""
    pending = _changed_in_transaction.get()
    if pending is None:
        _refresh(con, kinds)
    else:
        pending.update(kinds)


CURRENT_ORDER = {"attendance": "session_date", "wellbeing": "measure, date"}  # so a period's query skips the rest
FIRST_ATTENDED = """
    CREATE OR REPLACE TABLE attended_first AS
    SELECT participant_id, activity, min(session_date) AS first_day FROM attendance_current
    WHERE attended = 'attended' GROUP BY ALL ORDER BY first_day
"""  # each person's first attended session in each activity: a tenth of the rows of the register, and enough to
# tell who had come by a day (query.FIRST_SEEN_SQL, MEMBERSHIP_SQL)


QUARTER_COUNTS = """count(DISTINCT participant_id) FILTER (WHERE attended = 'attended') AS reached,
    count(DISTINCT participant_id) FILTER (WHERE attended = 'attended' AND first_day >= quarter_start) AS new,
    count(*) FILTER (WHERE attended = 'attended') AS attendances,
    count(*) FILTER (WHERE attended = 'did not attend') AS did_not_attend,
    count(DISTINCT (activity, session_date)) FILTER (WHERE attended = 'attended') AS sessions_delivered"""
BY_QUARTER = f"""
    CREATE OR REPLACE TABLE attendance_by_quarter AS
    WITH register AS (
        SELECT CAST(date_trunc('quarter', session_date) AS DATE) AS quarter_start, * FROM attendance_current),
    firsts AS (SELECT participant_id, min(first_day) AS first_day FROM attended_first GROUP BY 1)
    SELECT quarter_start, false AS every_activity, activity, {QUARTER_COUNTS}
    FROM register LEFT JOIN attended_first USING (participant_id, activity) GROUP BY quarter_start, activity
    UNION ALL
    SELECT quarter_start, true, NULL, {QUARTER_COUNTS}
    FROM register LEFT JOIN firsts USING (participant_id) GROUP BY quarter_start
    ORDER BY quarter_start
"""  # each quarter's reach, each activity's and every activity's together (reach.reach_by_quarter reads it): a person
# counts as new in a quarter holding their first attended session (in the activity, or in any)


def _refresh(con: duckdb.DuckDBPyConnection, kinds: list[str]) -> None:
    """Work out the current rows of ``kinds`` from their history, and the figures kept beside them, and record the
    data version they match."""
    for kind in kinds:
        order = f"ORDER BY {CURRENT_ORDER[kind]}" if kind in CURRENT_ORDER else ""
        con.execute(f"CREATE OR REPLACE TABLE {kind}_current AS {current_rows_sql(kind)} {order}")
    if "attendance" in kinds:
        con.execute(FIRST_ATTENDED)
        con.execute(BY_QUARTER)
    set_meta(con, CURRENT_VERSION, data_version(con))


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query (the result is read to the end, so the connection is free again)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = one(con, "SELECT value FROM meta WHERE key = ?", [key])
    return row[0] if row else None


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def database_file(con: duckdb.DuckDBPyConnection) -> Path:
    return Path(one(con, "SELECT file FROM pragma_database_list WHERE name = current_database()")[0])


def _typed_incoming(kind: str, *extra: str) -> str:
    """The registered frame ``incoming`` with the kind's columns (and ``extra`` integer ones) cast to stored types."""
    columns = {**dict.fromkeys(extra, "INTEGER"), **COLUMNS[kind]}
    return "SELECT " + ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in columns.items()) + " FROM incoming"


def _value_columns(kind: str) -> list[str]:
    return [c for c in COLUMNS[kind] if c not in KINDS[kind].key]


@contextmanager
def _against_current(
    con: duckdb.DuckDBPyConnection, kind: str, frame: pd.DataFrame, without_sample: bool
) -> Iterator[tuple[str, str]]:
    """SQL for ``frame``'s rows (n) beside the current row with the same natural key (c, NULL for a new row), and a
    condition true where the two differ. Within a transaction that changed the kind, its current rows are worked out
    from the history, as the transaction will leave them."""
    differs = " OR ".join(f'n."{c}" IS DISTINCT FROM c."{c}"' for c in _value_columns(kind)) or "false"
    pending = _changed_in_transaction.get() or set()
    current = f"({current_rows_sql(kind, without_sample)})" if without_sample or kind in pending else kind
    con.register("incoming", frame)
    try:
        yield (
            f"""(SELECT *, concat_ws('|', {key_sql(kind)}) AS k FROM ({_typed_incoming(kind, "source_row")})) n
            LEFT JOIN (SELECT *, concat_ws('|', {key_sql(kind)}) AS k FROM {current}) c USING (k)""",
            f"c.k IS NOT NULL AND ({differs})",
        )
    finally:
        con.unregister("incoming")


def compare_with_current(
    con: duckdb.DuckDBPyConnection, kind: str, frame: pd.DataFrame, without_sample: bool = False
) -> dict[str, int]:
    """How many of ``frame``'s rows are new, and how many replace current rows with different values."""
    with _against_current(con, kind, frame, without_sample) as (joined, differs):
        new, changed = one(
            con, f"SELECT count(*) FILTER (WHERE c.k IS NULL), count(*) FILTER (WHERE {differs}) FROM {joined}"
        )
    return {"rows": len(frame), "new": new, "replaced": len(frame) - new, "changed": changed}


def insert(con: duckdb.DuckDBPyConnection, kind: str, upload_id: int, frame: pd.DataFrame) -> None:
    con.register("incoming", frame.assign(upload_id=upload_id))
    try:
        con.execute(f"INSERT INTO {kind}_history BY NAME {_typed_incoming(kind, 'upload_id', 'source_row')}")
    finally:
        con.unregister("incoming")
    _changed(con, [kind])


def add_upload(
    con,
    file_name: str,
    sha256: str,
    is_sample: bool,
    row_counts: dict,
    notes: list[str],
    sheets: dict | None = None,
    *,
    loaded_by: str,
) -> int:
    upload_id = one(con, "SELECT coalesce(max(upload_id), 0) + 1 FROM uploads")[0]
    con.execute(
        "INSERT INTO uploads (upload_id, file_name, sha256, loaded_by, is_sample, row_counts, notes, sheets) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            upload_id,
            file_name,
            sha256,
            loaded_by,
            is_sample,
            json.dumps(row_counts),
            json.dumps(notes),
            json.dumps(sheets or {}),
        ],
    )
    return upload_id


def active_upload_with(con: duckdb.DuckDBPyConnection, sha256: str) -> tuple[int, str] | None:
    return one(
        con,
        "SELECT upload_id, strftime(loaded_at, '%d/%m/%Y %H:%M') FROM uploads "
        "WHERE sha256 = ? AND rolled_back_at IS NULL",
        [sha256],
    )


def uploads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT upload_id, loaded_at, loaded_by, file_name, is_sample, row_counts, sheets, notes, rolled_back_at, "
        "sha256, (SELECT string_agg(m.header || ' → ' || m.target, ', ') FROM column_mappings m "
        " WHERE m.upload_id = u.upload_id) AS mappings "
        "FROM uploads u ORDER BY upload_id DESC"
    ).df()


def remembered_mappings(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Column mappings chosen for active uploads (the latest wins): kind -> normalised header -> target.

    Rolling an upload back forgets the mappings chosen for it, so a wrong choice can be undone and made again.
    """
    found: dict[str, dict[str, str]] = {}
    for kind, header, target in con.execute(
        "SELECT kind, header, target FROM column_mappings JOIN uploads USING (upload_id) "
        "WHERE rolled_back_at IS NULL ORDER BY upload_id"
    ).fetchall():
        found.setdefault(kind, {})[norm_key(header)] = target
    return found


def remember_mappings(con: duckdb.DuckDBPyConnection, upload_id: int, mappings: dict[str, dict[str, str]]) -> None:
    rows = [(kind, header, target, upload_id) for kind, pairs in mappings.items() for header, target in pairs.items()]
    if rows:
        con.executemany("INSERT INTO column_mappings VALUES (?, ?, ?, ?)", rows)


def changed_rows(
    con: duckdb.DuckDBPyConnection, kind: str, frame: pd.DataFrame, without_sample: bool = False, max_rows: int = 5
) -> pd.DataFrame:
    """Up to ``max_rows`` incoming rows that would change a current row: sheet row, column, current and new value."""
    values = _value_columns(kind)
    pairs = ", ".join(f'c."{c}" AS "current {c}", n."{c}" AS "new {c}"' for c in values)
    with _against_current(con, kind, frame, without_sample) as (joined, differs):
        found = con.execute(
            f"SELECT n.source_row, {pairs} FROM {joined} WHERE {differs} ORDER BY n.source_row LIMIT {int(max_rows)}"
        ).df()
    return pd.DataFrame(
        [
            {
                "sheet row": row["source_row"],
                "column": c.replace("_", " "),
                "now": row[f"current {c}"],
                "after loading": row[f"new {c}"],
            }
            for _, row in found.iterrows()
            for c in values
            if str(row[f"current {c}"]) != str(row[f"new {c}"])
        ]
    )


def sample_only_where_real(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Active sample uploads, when the charity's own data has been loaded beside them."""
    rows = con.execute(
        "SELECT upload_id FROM uploads WHERE rolled_back_at IS NULL AND is_sample "
        "AND EXISTS (SELECT 1 FROM uploads WHERE rolled_back_at IS NULL AND NOT is_sample) ORDER BY upload_id"
    ).fetchall()
    return [r[0] for r in rows]


def active_sample(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The bundled sample's active uploads."""
    rows = con.execute("SELECT upload_id FROM uploads WHERE rolled_back_at IS NULL AND is_sample ORDER BY 1")
    return [r[0] for r in rows.fetchall()]


def has_own_data(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any upload of the charity's own (not the sample) is active."""
    return one(con, "SELECT count(*) FROM uploads WHERE rolled_back_at IS NULL AND NOT is_sample")[0] > 0


def rollback(con: duckdb.DuckDBPyConnection, *upload_ids: int, by: Actor = OPERATOR) -> None:
    """Hide uploads' rows; the rows they replaced become current again. Nothing is deleted. Manager or above."""
    audit.require(con, by, "rollback", {"uploads": list(upload_ids)})
    with transaction(con):
        for upload_id in upload_ids:
            found = one(con, "SELECT rolled_back_at FROM uploads WHERE upload_id = ?", [upload_id])
            if found is None:
                raise ValueError(f"There is no upload {upload_id}.")
            if found[0] is not None:
                raise ValueError(f"Upload {upload_id} was already rolled back on {found[0]:%d/%m/%Y %H:%M}.")
        mark_rolled_back(con, list(upload_ids))
        audit.record(con, by.name, "rollback", {"uploads": list(upload_ids)})


def mark_rolled_back(con: duckdb.DuckDBPyConnection, upload_ids: list[int]) -> None:
    """Within the caller's transaction, mark active uploads rolled back now."""
    con.execute(
        "UPDATE uploads SET rolled_back_at = current_localtimestamp() WHERE upload_id IN (SELECT unnest(?))",
        [upload_ids],
    )
    _changed(con, [kind for kind in COLUMNS if _holds_rows_of(con, kind, upload_ids)])


def _holds_rows_of(con: duckdb.DuckDBPyConnection, kind: str, upload_ids: list[int]) -> bool:
    return one(con, f"SELECT count(*) > 0 FROM {kind}_history WHERE upload_id IN (SELECT unnest(?))", [upload_ids])[0]


def showing_sample(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any upload of the bundled sample is active (the app then says so on every page)."""
    return bool(one(con, "SELECT bool_or(is_sample) FROM uploads WHERE rolled_back_at IS NULL")[0])


def has_data(con: duckdb.DuckDBPyConnection) -> bool:
    return one(con, "SELECT count(*) FROM uploads WHERE rolled_back_at IS NULL")[0] > 0


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever an upload is loaded or rolled back, or people are erased (each erasure is in the audit): the
    key for cached query results."""
    return str(
        one(
            con,
            "SELECT count(*), max(upload_id), count(rolled_back_at), "
            "(SELECT count(*) FROM audit WHERE action = 'erasure') FROM uploads",
        )
    )


NOT_FIGURES = ("audit", "sessions", "sign_in_attempts", "users", "published_sets")  # tables no figure reads


def content_digest(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of every row the figures can read (each kind's current rows, the settings, the reference tables,
    the uploads): equal for two databases whose figures are equal, and changed by any load, rollback, erasure or
    setting. Each table's row count and the sum of its rows' hashes, in one scan."""
    skipped = {*NOT_FIGURES, *(f"{kind}_history" for kind in COLUMNS)}
    tables = [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY table_name"
        ).fetchall()
        if name not in skipped
    ]
    counted = " UNION ALL ".join(f"SELECT '{t}', count(*), sum(hash(r)) FROM \"{t}\" r" for t in tables)
    return hashlib.sha256(repr(con.execute(counted).fetchall()).encode()).hexdigest()


def rewrite(path: str | Path) -> None:
    """Copy the database's live rows into a new file and put it in the old one's place, atomically.

    DuckDB leaves deleted rows' bytes in the file's free blocks after DELETE, CHECKPOINT and even VACUUM; only a
    new file holds nothing but what is still there. No connection to ``path`` may be open.
    """
    path = Path(path)
    fresh = path.with_name(f"{path.name}.rewrite")
    fresh.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_quoted(path)}' AS old (READ_ONLY)")
        con.execute(f"ATTACH '{_quoted(fresh)}' AS fresh")
        con.execute("COPY FROM DATABASE old TO fresh")
        con.execute("DETACH old")
        con.execute("DETACH fresh")
    except BaseException:
        fresh.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    fresh.chmod(0o600)
    os.replace(fresh, path)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


PEOPLE_KINDS = tuple(kind for kind, columns in COLUMNS.items() if "participant_id" in columns)  # rows about a person


def delete_people(con: duckdb.DuckDBPyConnection, pseudonyms: list[str]) -> dict[str, int]:
    """Within the caller's transaction, delete every history row about these people (their current rows follow at
    its end); returns the rows deleted per kind. Each upload's row counts say how many of its rows were erased."""
    deleted: dict[str, int] = {}
    erased_by_upload: dict[int, dict[str, int]] = {}
    for kind in PEOPLE_KINDS:
        found = con.execute(
            f"SELECT upload_id, count(*) FROM {kind}_history WHERE participant_id IN (SELECT unnest(?)) GROUP BY 1",
            [pseudonyms],
        ).fetchall()
        if found:
            con.execute(f"DELETE FROM {kind}_history WHERE participant_id IN (SELECT unnest(?))", [pseudonyms])
            deleted[kind] = sum(n for _, n in found)
            for upload_id, n in found:
                erased_by_upload.setdefault(upload_id, {})[kind] = n
    for upload_id, by_kind in erased_by_upload.items():
        _count_erased(con, upload_id, by_kind)
    _changed(con, list(deleted))
    return deleted


def _count_erased(con: duckdb.DuckDBPyConnection, upload_id: int, by_kind: dict[str, int]) -> None:
    counts = json.loads(one(con, "SELECT row_counts FROM uploads WHERE upload_id = ?", [upload_id])[0])
    for kind, n in by_kind.items():
        counts[kind]["rows"] -= n
        counts[kind]["erased"] = counts[kind].get("erased", 0) + n
    con.execute("UPDATE uploads SET row_counts = ? WHERE upload_id = ?", [json.dumps(counts), upload_id])
