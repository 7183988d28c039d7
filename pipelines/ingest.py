"""Checking a set of uploaded files and loading them, all or nothing, one upload per file."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import audit, cells, limits, privacy, rights, store
from pipelines.audit import OPERATOR, Actor
from pipelines.problem_report import row_ranges
from pipelines.problems import Problem, UploadRefused
from pipelines.rows import Record, Sheet
from pipelines.settings import SAMPLE_CHARITY
from pipelines.sheets import KINDS
from pipelines.validate import Aliases, read_sheet
from pipelines.vocab import norm_key
from pipelines.words import counted
from pipelines.workbook import read_grids

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"


@dataclass
class PreparedFile:
    name: str
    sha256: str
    sheets: list[Sheet]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    is_sample: bool = False


@dataclass
class Check:
    """The outcome of checking files: what would be loaded, and every problem found."""

    files: list[PreparedFile]
    problems: list[Problem]
    already_in: list[str] = field(default_factory=list)  # a sentence per file left out because it is loaded already
    sample_to_remove: list[int] = field(default_factory=list)  # the sample's uploads that loading these takes out

    @property
    def ok(self) -> bool:
        return not self.problems


def check(con: duckdb.DuckDBPyConnection, files: Sequence[tuple[str, bytes]], mappings: Aliases | None = None) -> Check:
    """Read and validate every file against the database's current rows; nothing is written.

    ``mappings`` (kind -> header -> what it holds) add to the column mappings remembered from earlier uploads.
    A file loaded already is left out (``Check.already_in``), not a problem. Files of the charity's own replace the
    bundled sample, so they are compared with the data as it will be without it (``Check.sample_to_remove``).
    """
    key = participant_key(con)
    aliases = store.remembered_mappings(con)
    for kind, chosen in (mappings or {}).items():
        aliases.setdefault(kind, {}).update({norm_key(h): target for h, target in chosen.items()})
    too_large = limits.upload_problems(files)
    if too_large:  # refused before any file is opened
        return Check([], too_large)
    result = Check([], [])
    samples = sample_hashes()
    digests = [hashlib.sha256(data).hexdigest() for _, data in files]
    own_in_batch = any(d not in samples for d in digests)
    result.sample_to_remove = store.active_sample(con) if own_in_batch else []
    sample_refused = own_in_batch or store.has_own_data(con)
    seen: dict[str, str] = {}
    budget = limits.UploadBudget()
    for (name, data), digest in zip(files, digests, strict=True):
        if already := _already_loaded(con, name, digest, seen):
            result.already_in.append(already)
            continue
        seen[digest] = name
        is_sample = digest in samples
        file_problems = [Problem(name, expected=SAMPLE_BESIDE_OWN)] if is_sample and sample_refused else []
        grids, read_problems = read_grids(name, data)
        read_problems = read_problems or budget.spend(name, grids)
        grids = [] if read_problems else grids
        sheets = [read_sheet(g, aliases) for g in grids]
        file_problems += read_problems + [p for s in sheets for p in s.problems]
        item = PreparedFile(name, digest, sheets, is_sample=is_sample)
        item.notes = [n for s in sheets for n in s.notes] + _ignored_notes(sheets)
        if not read_problems and not any(s.kind for s in sheets):
            file_problems.append(Problem(name, expected=NOTHING_RECOGNISED))
        elif grids and not file_problems and not any(s.records for s in sheets):
            file_problems.append(Problem(name, expected=NO_ROWS))
        if not file_problems:
            item.tables, duplicate_problems = _tables(name, sheets, key)
            item.notes += rights.without_erased(con, key, item.tables)
            file_problems += duplicate_problems
        if not file_problems:
            item.changes = _changes(con, item, bool(result.sample_to_remove))
        result.problems += file_problems
        result.files.append(item)
    if result.ok and len(result.files) > 1:
        _changes_as_loaded(con, result)
    return result


def _changes_as_loaded(con: duckdb.DuckDBPyConnection, result: Check) -> None:
    """Each file's changes as the load will count them, after the batch's earlier files (a row of the second file
    that the first one added is a correction, not an addition): the load tried out and undone."""
    with store.rehearsal(con):
        if any(not item.is_sample for item in result.files):
            store.mark_rolled_back(con, store.active_sample(con))
        for item in result.files:
            _load_file(con, item, OPERATOR.name)


def _changes(con: duckdb.DuckDBPyConnection, item: PreparedFile, without_sample: bool) -> dict[str, dict[str, int]]:
    return {kind: store.compare_with_current(con, kind, t, without_sample) for kind, t in item.tables.items()}


NOTHING_RECOGNISED = (
    "No data sheet was recognised in this file. Each sheet needs a header row naming its columns, e.g. "
    "'participant_id, session_date, activity, attended' for an attendance register "
    "(download the blank template to see every sheet's columns)."
)


NO_ROWS = "The file's sheets have their headers but no rows of data below them. Fill them in and upload again."

SAMPLE_BESIDE_OWN = (
    f"This is a workbook of the bundled sample of {SAMPLE_CHARITY}, a made-up charity. It is never loaded beside "
    "your own data, so every figure stays yours alone."
)

SAMPLE_REMOVAL = (
    f"Loading this will remove the sample data of {SAMPLE_CHARITY}, the made-up charity shown until now, so that "
    "every figure is your own."
)


def sample_removed(upload_ids: list[int]) -> str:
    """What a load that took the sample out says, e.g. 'The sample data … was removed (uploads 1–8 rolled back).'"""
    uploads = "upload" if len(upload_ids) == 1 else "uploads"
    return f"The sample data of {SAMPLE_CHARITY} was removed ({uploads} {row_ranges(upload_ids)} rolled back)."


def load(con: duckdb.DuckDBPyConnection, result: Check, by: Actor = OPERATOR) -> list[int]:
    """Write a checked set of files in one transaction; returns the new upload ids.

    The first files of the charity's own roll the bundled sample back in the same transaction, so the two are never
    mixed, and a load that fails leaves the sample as it was. Only a manager or above may load (NotAllowed).
    """
    audit.require(con, by, "load", {"files": [item.name for item in result.files]})
    if not result.ok:
        raise UploadRefused(result.problems)
    if not result.files:
        return []  # every file was loaded already: nothing to do
    with store.transaction(con):
        if any(not item.is_sample for item in result.files):
            store.mark_rolled_back(con, store.active_sample(con))
        ids = [_load_file(con, item, by.name) for item in result.files]
        audit.record(con, by.name, "load", {"uploads": dict(zip(ids, (i.name for i in result.files), strict=True))})
        if store.meta(con, "key_fingerprint") is None:
            store.set_meta(con, "key_fingerprint", privacy.key_fingerprint(participant_key(con)))
    return ids


def load_paths(con: duckdb.DuckDBPyConnection, paths: Iterable[str | Path]) -> list[int]:
    """Check and load files from disk; raises UploadRefused listing every problem."""
    return load(con, check(con, [(Path(p).name, Path(p).read_bytes()) for p in paths]))


def load_sample(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Load the bundled sample; into an empty database from its checked sheets, saved beside it, when they match.

    Reading the eight workbooks takes most of a full check; an empty database has nothing to compare them with.
    """
    from pipelines import sample

    paths = sorted(SAMPLE_DIR.glob("*.xlsx"))
    checked = None if store.has_data(con) else sample.checked_sheets(paths, SAMPLE_DIR / sample.CHECKED)
    if checked is None:
        return load_paths(con, paths)
    key, files = participant_key(con), []
    for path, sheets in zip(paths, checked, strict=True):
        item = PreparedFile(path.name, hashlib.sha256(path.read_bytes()).hexdigest(), sheets, is_sample=True)
        item.notes = [n for s in sheets for n in s.notes] + _ignored_notes(sheets)
        item.tables, _ = _tables(path.name, sheets, key)
        item.notes += rights.without_erased(con, key, item.tables)
        files.append(item)
    return load(con, Check(files, []))


def participant_key(con: duckdb.DuckDBPyConnection) -> bytes:
    return privacy.load_secret(store.database_file(con), store.meta(con, "key_fingerprint"))


def sample_hashes() -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in SAMPLE_DIR.glob("*.xlsx")}


def _load_file(con: duckdb.DuckDBPyConnection, item: PreparedFile, loaded_by: str) -> int:
    # Compared again here: earlier files of the same batch are now in the database (and the sample out of it).
    item.changes = _changes(con, item, without_sample=False)
    sheets: dict[str, list[str]] = {}
    for sheet in item.sheets:
        if sheet.kind and sheet.records:
            sheets.setdefault(sheet.kind.name, []).append(sheet.sheet)
    upload_id = store.add_upload(
        con, item.name, item.sha256, item.is_sample, item.changes, item.notes, sheets, loaded_by=loaded_by
    )
    store.remember_mappings(con, upload_id, {s.kind.name: s.mapped for s in item.sheets if s.kind and s.mapped})
    for kind, frame in item.tables.items():
        store.insert(con, kind, upload_id, frame)
    return upload_id


def _already_loaded(con: duckdb.DuckDBPyConnection, name: str, digest: str, seen: dict[str, str]) -> str | None:
    """Why the file is left out, if it is loaded already or chosen twice: nothing needs doing about it."""
    if digest in seen:
        return f"{name} is the same file as {seen[digest]}, chosen twice: it is loaded once. Nothing needs doing."
    loaded = store.active_upload_with(con, digest)
    if loaded:
        return f"{name} is already in: it was loaded on {loaded[1]} (upload {loaded[0]}). Nothing needs doing."
    return None


def _ignored_notes(sheets: list[Sheet]) -> list[str]:
    return [
        f"Sheet {s.sheet or s.file!r}: {'column' if len(s.ignored_columns) == 1 else 'columns'} "
        f"{', '.join(repr(c) for c in s.ignored_columns)} {'is' if len(s.ignored_columns) == 1 else 'are'} not part "
        f"of the data the dashboard uses and {'was' if len(s.ignored_columns) == 1 else 'were'} not stored."
        for s in sheets
        if s.ignored_columns
    ]


def _tables(name: str, sheets: list[Sheet], key: bytes) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """One table per kind, pseudonymised, with identical duplicate rows dropped and conflicting ones refused."""
    by_kind: dict[str, list[Sheet]] = {}
    for sheet in sheets:
        if sheet.kind:
            by_kind.setdefault(sheet.kind.name, []).append(sheet)
    tables, problems = {}, []
    for kind, kind_sheets in by_kind.items():
        records = [r for s in kind_sheets for r in s.records]
        if _keys_repeat(kind, records):
            kept, kind_problems = _without_duplicates(name, kind, [(s, r) for s in kind_sheets for r in s.records])
            records = [r for _, r in kept]
            problems += kind_problems
        values = {column: [r.get(column) for r in records] for column in ["source_row", *store.COLUMNS[kind]]}
        if "participant_id" in values:
            values["participant_id"] = cells.distinct_once(partial(_pseudonym, key), values["participant_id"])
        tables[kind] = pd.DataFrame(values)
    return tables, problems


def _pseudonym(key: bytes, reference: str | None) -> str | None:
    """The keyed hash of a reference; none for a row that gives none (an anonymous feedback response)."""
    return None if reference is None else privacy.pseudonym(key, reference)


def _keys_repeat(kind: str, records: list[Record]) -> bool:
    """Whether two rows share a natural key, found a whole column at a time (only then are rows compared one by one)."""
    keys = pd.DataFrame({k: [r.get(k) for r in records] for k in KINDS[kind].key}, dtype=object)
    return bool(keys.duplicated().any())


def _without_duplicates(name: str, kind: str, rows: list[tuple[Sheet, Record]]) -> tuple[list, list[Problem]]:
    """Identical repeats count once; a SWEMWBS derived from WEMWBS gives way to one completed the same day."""
    first: dict[tuple, tuple[Sheet, Record]] = {}
    kept, problems = [], []
    for sheet, record in sorted(rows, key=lambda pair: bool(pair[1].get("derived"))):
        natural_key = tuple(record.get(k) for k in KINDS[kind].key)
        if natural_key not in first:
            first[natural_key] = (sheet, record)
            kept.append((sheet, record))
            continue
        earlier_sheet, earlier = first[natural_key]
        if _values(earlier) != _values(record) and not record.get("derived"):
            problems.append(
                Problem(
                    name,
                    sheet.sheet,
                    record["source_row"],
                    "",
                    ", ".join(str(v) for v in natural_key),
                    f"This row is for the same {' / '.join(KINDS[kind].key).replace('_', ' ')} as row "
                    f"{earlier['source_row']}{_other_sheet(earlier_sheet, sheet)} but its values differ. "
                    "Keep the right one and delete the other.",
                )
            )
    return kept, problems


def _values(record: Record) -> dict[str, object]:
    return {k: v for k, v in record.items() if k != "source_row"}


def _other_sheet(earlier: Sheet, sheet: Sheet) -> str:
    return f" of sheet {earlier.sheet!r}" if earlier.sheet != sheet.sheet else ""


NOUNS = {name: kind.nouns for name, kind in KINDS.items()}  # one row and many, as messages say them


def describe_changes(changes: dict[str, dict[str, int]]) -> str:
    """'312 attendances added, 5 corrected; 40 questionnaire scores added' for a file's or batch's changes."""
    parts = []
    for kind, counts in changes.items():
        text = f"{counted(counts['new'], *NOUNS[kind])} added"
        if counts["changed"]:
            text += f", {counts['changed']:,} corrected"
        if counts["replaced"] - counts["changed"]:
            text += f", {counts['replaced'] - counts['changed']:,} unchanged"
        if counts.get("erased"):
            text += f", {counts['erased']:,} since erased"
        parts.append(text)
    return "; ".join(parts) or "nothing to load"


def total_changes(files: list[PreparedFile]) -> dict[str, dict[str, int]]:
    total: dict[str, dict[str, int]] = {}
    for item in files:
        for kind, counts in item.changes.items():
            into = total.setdefault(kind, dict.fromkeys(counts, 0))
            for name, value in counts.items():
                into[name] += value
    return total


def sheet_overview(result: Check) -> pd.DataFrame:
    """Per file and sheet: what it was recognised as, its rows, dates and people, in words (blank where none)."""
    lines = []
    for item in result.files:
        for sheet in item.sheets:
            records = sheet.records
            date_field = sheet.kind.date_field if sheet.kind else None
            dates = [r[date_field] for r in records if date_field and r.get(date_field)]
            people = {r["participant_id"] for r in records if "participant_id" in r}
            lines.append(
                {
                    "file": item.name,
                    "sheet": sheet.sheet or "(CSV)",
                    "recognised as": sheet.kind.name if sheet.kind else "skipped",
                    "rows": len({r["source_row"] for r in records}),
                    "from": f"{min(dates):%d/%m/%Y}" if dates else "",
                    "to": f"{max(dates):%d/%m/%Y}" if dates else "",
                    "people": f"{len(people):,}" if people else "",
                }
            )
    return pd.DataFrame(lines)


def describe_contents(row_counts: dict[str, dict[str, int]], sheets: dict[str, list[str]]) -> str:
    """The rows an upload brought, e.g. 14 attendances (sheet 'Register'); 40 questionnaire scores (the CSV file)."""
    parts = []
    for kind, counts in row_counts.items():
        text = counted(counts["rows"], *NOUNS[kind])
        if kind in sheets:
            text += f" ({_sheet_words(sheets[kind])})"
        parts.append(text)
    return "; ".join(parts) or "no rows"


def _sheet_words(names: list[str]) -> str:
    if names == [""]:
        return "the CSV file"
    return ("sheet " if len(names) == 1 else "sheets ") + ", ".join(f"'{n}'" for n in names)


def describe_uploads(con: duckdb.DuckDBPyConnection, upload_ids: Iterable[int]) -> list[str]:
    """One line per upload, e.g. june.xlsx (upload 9, loaded 03/06/2025 10:00): 14 attendances (sheet 'Register')."""
    table = store.uploads(con).set_index("upload_id")
    lines = []
    for upload_id in upload_ids:
        row = table.loc[upload_id]
        contents = describe_contents(json.loads(row["row_counts"]), json.loads(row["sheets"] or "{}"))
        lines.append(f"{row['file_name']} (upload {upload_id}, loaded {row['loaded_at']:%d/%m/%Y %H:%M}): {contents}")
    return lines
