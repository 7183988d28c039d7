"""Turning one sheet's grid of cells into clean records of its kind, with every problem found."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TypeVar

import numpy as np
from openpyxl.utils import get_column_letter

from pipelines import cells, privacy, vocab
from pipelines.cells import CellError
from pipelines.dimensions import BY_KEY
from pipelines.measures import INSTRUMENTS, Questionnaire, score, score_total, scores
from pipelines.periods import add_months
from pipelines.problems import Problem
from pipelines.sheets import KINDS, WELLBEING, Field, SheetKind, item_column, long_item_column
from pipelines.vocab import norm_key
from pipelines.workbook import Grid

HEADER_SEARCH_ROWS = 30
T = TypeVar("T")
Record = dict[str, object]


@dataclass
class Sheet:
    """A recognised sheet, read: its records and what the load report says about it."""

    file: str
    sheet: str
    kind: SheetKind | None
    header_row: int = 0
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)  # header -> the header it stands for, as a manager chose

    def problem(self, row: int | None, expected: str, column: Column | None = None, value: object = None) -> None:
        label, index = (column.label, column.index + 1) if column else ("", None)
        self.problems.append(Problem(self.file, self.sheet, row, label, _shown(value), expected, index))


@dataclass
class Column:
    index: int
    header: str
    field: Field | None = None
    item: tuple[str, int | None] | None = None  # wide questionnaire column: (instrument key, item or None=total)
    long_item: int | None = None
    mapped_to: str | None = None  # the header a manager said this column stands for

    @property
    def label(self) -> str:
        return f'{get_column_letter(self.index + 1)} "{self.header}"'


Aliases = dict[str, dict[str, str]]  # kind -> normalised header -> the header it stands for


def read_sheet(grid: Grid, aliases: Aliases | None = None) -> Sheet:
    """Recognise and read one sheet; ``aliases`` are the column mappings managers chose."""
    header_index, kind, columns = _find_header(grid.rows, aliases or {})
    name = grid.sheet or grid.file
    if kind is None:
        sheet = Sheet(grid.file, grid.sheet, None)
        sheet.notes.append(f"Sheet {name!r} does not look like any of the data sheets and was skipped.")
        return sheet
    sheet = Sheet(grid.file, grid.sheet, kind, header_row=header_index + 1)
    sheet.mapped = {c.header: c.mapped_to for c in columns if c.mapped_to and (c.field or c.item)}
    # Listed before any refusal, so a manager can say what a column holds even when a required one seems missing.
    sheet.ignored_columns = _unrecognised(kind, columns)
    missing = _missing_required(kind, columns)
    if missing:
        sheet.problem(
            header_index + 1,
            f"This looks like {'an' if kind.name[0] in 'aeiou' else 'a'} {kind.name} sheet, but it has no column "
            f"for {missing}. "
            "Add that column (or rename its header, or choose what an unrecognised column holds) and upload again.",
        )
        return sheet
    rows = _data_rows(grid.rows, header_index)
    if kind.about_people and _refuse_personal_data(sheet, columns, rows):
        return sheet
    _check_duplicated_columns(sheet, columns)
    if sheet.problems:
        return sheet
    _ROW_READERS[kind.reader](sheet, columns, rows)
    return sheet


# Finding the header and the kind -----------------------------------------------------------------


def _columns(header_row: list[object], kind: SheetKind, aliases: dict[str, str]) -> list[Column]:
    headers = [cells.text(raw) or "" for raw in header_row]
    meant = [aliases.get(norm_key(h), h) if h else "" for h in headers]
    long_layout = kind is WELLBEING and any(WELLBEING.field_for(h) is WELLBEING.fields[3] for h in meant)
    found = []
    for index, (header, target) in enumerate(zip(headers, meant, strict=True)):
        column = Column(index, header, kind.field_for(target) if target else None)
        column.mapped_to = target if target != header else None
        if kind is WELLBEING and target and column.field is None:
            if long_layout:
                column.long_item = long_item_column(target)
            else:
                column.item = item_column(target)
        found.append(column)
    return found


def _unrecognised(kind: SheetKind, columns: list[Column]) -> list[str]:
    """Headers of columns the kind does not use; on a sheet about people, never one naming personal data (refused)."""
    unused = [c.header for c in columns if c.header and not (c.field or c.item or c.long_item)]
    return [h for h in unused if not (kind.about_people and privacy.pii_header(h))]


def _kind_score(kind: SheetKind, columns: list[Column]) -> int:
    return sum(1 for c in columns if c.field or c.item or c.long_item)


def _find_header(rows: list[list[object]], aliases: Aliases) -> tuple[int, SheetKind | None, list[Column]]:
    """The row and kind matching the most columns; a kind with all its required columns wins a tie."""
    best: tuple[int, int, SheetKind | None, list[Column]] = (2, -1, None, [])
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for kind in KINDS.values():
            columns = _columns(row, kind, aliases.get(kind.name, {}))
            points = 2 * _kind_score(kind, columns) + (1 if not _missing_required(kind, columns) else 0)
            if kind is WELLBEING and not any(c.item or c.field is WELLBEING.fields[3] for c in columns):
                points = min(points, 2)
            if points > best[0]:
                best = (points, index, kind, columns)
    return best[1], best[2], best[3]


def _missing_required(kind: SheetKind, columns: list[Column]) -> str | None:
    present = {c.field.name for c in columns if c.field}
    if kind.name == "funding":
        present |= {"start_date"} if "award_date" in present else set()
        present |= {"end_date"}  # an end date can come from the duration or the start (docs/data-contract.md#funding)
    missing = [f.name.replace("_", " ") for f in kind.required if f.name not in present]
    if kind is WELLBEING and not any(c.item or c.field is WELLBEING.fields[3] for c in columns):
        missing.append("questionnaire answers (columns such as 'WEMWBS Q1' or 'CORE-10 total')")
    return " or ".join(missing) or None


class Rows(list):
    """The data rows below the header as (Excel row number, cells), whose columns are cut out once when first asked."""

    def column(self, index: int) -> tuple[object, ...]:
        """One column's cells, top to bottom (None where a row is shorter)."""
        return self._columns[index] if index < len(self._columns) else (None,) * len(self)

    def distinct(self, index: int) -> tuple[np.ndarray, list[object]]:
        """Each row's place among the column's distinct values, and those values (cells.distinct_codes), kept."""
        if index not in self._distinct:
            self._distinct[index] = cells.distinct_codes(self.column(index))
        return self._distinct[index]

    def read_column(self, index: int, read: Callable[[object], T]) -> list[T]:
        """``read`` of each cell of a column, worked out once per distinct value."""
        codes, distinct = self.distinct(index)
        found = [read(value) for value in distinct]
        return list(map(found.__getitem__, codes.tolist()))

    @cached_property
    def _distinct(self) -> dict[int, tuple[np.ndarray, list[object]]]:
        return {}

    @cached_property
    def _columns(self) -> list[tuple[object, ...]]:
        width = max((len(row) for _, row in self), default=0)
        return list(
            zip(*(row if len(row) == width else [*row, *[None] * (width - len(row))] for _, row in self), strict=True)
        )


def _data_rows(rows: list[list[object]], header_index: int) -> Rows:
    """(Excel row number, cells) below the header, skipping blank rows and a trailing totals row."""
    body = [(i + 1, row) for i, row in enumerate(rows[header_index + 1 :], header_index + 1) if not _blank_row(row)]
    if body and _is_totals_row(body[-1][1]):
        body.pop()
    return Rows(body)


def _blank_row(row: list[object]) -> bool:
    """Whether every cell is empty (this runs on every row, so it avoids a call per cell)."""
    return all(cell is None or (cell.__class__ is str and not cell.strip()) for cell in row)


def _is_totals_row(row: list[object]) -> bool:
    first = next((c for c in row if not cells.is_blank(c)), "")
    return isinstance(first, str) and norm_key(first) in ("total", "totals", "grandtotal", "sum")


def _check_duplicated_columns(sheet: Sheet, columns: list[Column]) -> None:
    seen: dict[object, Column] = {}
    for column in columns:
        key = (column.field and column.field.name) or column.item or column.long_item
        if not key:
            continue
        if key in seen:
            sheet.problem(
                sheet.header_row,
                f"This column means the same as column {seen[key].label}. Keep only one of them.",
                column,
            )
        seen[key] = column


ABOUT_THE_SERVICE = {"activity", "activity_type", "delivery", "venue"}  # a venue's address is not personal data


def _refuse_personal_data(sheet: Sheet, columns: list[Column], rows: Rows) -> bool:
    for column in columns:
        what = None if column.field or column.item else privacy.pii_header(column.header)
        first_row = sheet.header_row
        if what is None and column.field and column.field.name in ABOUT_THE_SERVICE:
            continue
        if what is None:
            hit = privacy.first_pii(*rows.distinct(column.index))
            if hit is None:
                continue
            first_row, what = rows[hit[0]][0], hit[1]
        sheet.problem(first_row, f"This column holds {what}. {privacy.SEND_INSTEAD}", column)
        if column.header in sheet.ignored_columns:  # refused, so never offered for mapping
            sheet.ignored_columns.remove(column.header)
    return bool(sheet.problems)


# Reading rows ------------------------------------------------------------------------------------


def _cell(row: list[object], column: Column) -> object:
    return row[column.index] if column.index < len(row) else None


def _parsed(f: Field, value: object) -> Record | CellError:
    try:
        return _parse(f, value)
    except CellError as error:
        return error


def _read_fields(sheet: Sheet, columns: list[Column], rows: Rows) -> Iterator[Record | None]:
    """Each row's contract fields as typed values (None for a row with a problem, which is recorded).

    Parsed a column at a time; the problems are recorded row by row as the rows are taken, in the sheet's order.
    """
    fields = [c for c in columns if c.field]
    parsed = [rows.read_column(c.index, partial(_parsed, c.field)) for c in fields]
    for (number, row), found in zip(rows, zip(*parsed, strict=True) if parsed else ((),) * len(rows), strict=True):
        record: Record | None = {}
        for column, value in zip(fields, found, strict=True):
            if isinstance(value, CellError):
                sheet.problem(number, value.sentence(), column, _cell(row, column))
                record = None
            elif record is not None:
                record.update(value)
        yield record


def _shown(value: object) -> str:
    """The cell as a message shows it: a long one cut short."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    shown = "" if value is None else str(value)
    return shown if len(shown) <= SHOWN_CHARS else shown[:SHOWN_CHARS] + "…"


SHOWN_CHARS = 100


CELL_READERS = {
    "id": cells.participant_id,
    "date": cells.date,
    "month": cells.month,
    "ways": cells.ways,
    "lsoa": cells.lsoa,
    "district": cells.postcode_district,
}  # parse rules that give the field's own value; any other rule not below reads text


def _parse(f: Field, value: object) -> Record:
    match f.parse:
        case "choice":
            return {f.name: cells.choice(value, f.choices)}
        case "age":
            return {"age_from_years": cells.age_band(value)}
        case "imd":
            return {f.name: cells.whole(value, 1, 10, "an IMD decile")}
        case "ethnicity":
            detailed, group = cells.ethnicity(value)
            return {"ethnicity": detailed, "ethnicity_group": group}
        case "number":
            return {f.name: cells.number(value, f.within)}
        case "whole":
            low, high = f.within
            return {f.name: cells.count(value, int(low), int(high))}
        case "id" if not f.required:
            return {f.name: None if cells.is_blank(value) else cells.participant_id(value)}
        case "text":
            return {f.name: cells.bounded_text(value, f.most_chars)}
    return {f.name: CELL_READERS.get(f.parse, cells.text)(value)}


RowReader = Callable[[Sheet, list[Column], Rows], None]
# A kind names its row reader (SheetKind.reader) rather than holding it: the readers need this module, which needs
# the registry. Each registers itself under its name less "_read_", so the registry stays the one table to edit.
_ROW_READERS: dict[str, RowReader] = {}


def _row_reader(read: RowReader) -> RowReader:
    _ROW_READERS[read.__name__.removeprefix("_read_")] = read
    return read


def _clean_records(
    sheet: Sheet, columns: list[Column], rows: Rows, required: tuple[str, ...] = ()
) -> Iterator[tuple[int, list[object], Record]]:
    """(row number, cells, record) of each row whose cells are as expected and whose ``required`` are filled in."""
    for (number, row), record in zip(rows, _read_fields(sheet, columns, rows), strict=True):
        if record is not None and _require(sheet, columns, number, record, required):
            yield number, row, record


@_row_reader
def _read_required(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    """Rows of a kind that needs nothing but its required fields filled in."""
    required = tuple(f.name for f in sheet.kind.required)
    sheet.records += [{"source_row": n, **record} for n, _, record in _clean_records(sheet, columns, rows, required)]


@_row_reader
def _read_participants(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    for number, _, record in _clean_records(sheet, columns, rows):
        band = record.pop("age_from_years", None)
        record["age_band"] = record.get("age_band") if record.get("age_band") not in (None, vocab.NOT_KNOWN) else None
        record["age_band"] = record["age_band"] or band or vocab.NOT_KNOWN
        for name in ("gender", "disability", "sexual_orientation", "ethnicity", "ethnicity_group", "referral_source"):
            record[name] = record.get(name) or vocab.NOT_KNOWN
        sheet.records.append({"source_row": number, **record})


@_row_reader
def _read_attendance(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    has_attended = any(c.field and c.field.name == "attended" for c in columns)
    required = ("session_date", "activity", "attended") if has_attended else ("session_date", "activity")
    for number, _, record in _clean_records(sheet, columns, rows, required):
        if not has_attended:
            record["attended"] = "attended"
        sheet.records.append({"source_row": number, **record})
    if not has_attended and sheet.records:
        sheet.notes.append(
            f"Sheet {sheet.sheet or sheet.file!r} has no 'Attended' column, so every row counts as an attended "
            "session. If a column says who attended, choose it as 'Attended'."
        )


FREE_TEXT_NOTES = {
    "goals": "what a goal is in words, which is never stored (it may identify the person); the ratings were read",
    "feedback": "comments in words, which are never stored (they often name people); the answers were read",
}


def _note_free_text(sheet: Sheet) -> None:
    """Say that the columns of words beside ratings or answers were left out on purpose."""
    if sheet.ignored_columns and sheet.kind.name in FREE_TEXT_NOTES:
        names = ", ".join(repr(h) for h in sheet.ignored_columns)
        hold = "holds" if len(sheet.ignored_columns) == 1 else "hold"
        sheet.notes.append(
            f"In sheet {sheet.sheet or sheet.file!r}, {names} {hold} {FREE_TEXT_NOTES[sheet.kind.name]}."
        )


@_row_reader
def _read_goals(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    _read_required(sheet, columns, rows)
    _note_free_text(sheet)


@_row_reader
def _read_feedback(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    """Each response is kept: several people can give the same answer about the same activity on one day."""
    _read_required(sheet, columns, rows)
    seen: Counter[tuple] = Counter()
    for record in sheet.records:
        same = (record["date"], record.get("activity"), record.get("participant_id"))
        seen[same] += 1
        record["response_number"] = seen[same]
    _note_free_text(sheet)


@_row_reader
def _read_volunteering(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    _read_required(sheet, columns, rows)
    column = next((c for c in columns if c.field and c.field.name == "lived_experience"), None)
    for record in list(sheet.records):
        lived, volunteers = record.get("lived_experience"), record.get("volunteers")
        if lived is not None and volunteers is not None and lived > volunteers:
            sheet.problem(
                record["source_row"],
                f"Expected at most the number of volunteers ({volunteers}) to have lived experience.",
                column,
                lived,
            )
            sheet.records.remove(record)


def _require(sheet: Sheet, columns: list[Column], number: int, record: Record, names: tuple[str, ...]) -> bool:
    ok = True
    for name in names:
        if record.get(name) is None:
            column = next(c for c in columns if c.field and c.field.name == name)
            sheet.problem(number, "This cell must be filled in.", column)
            ok = False
    return ok


@_row_reader
def _read_wellbeing(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    missing_item_rows = 0
    long_layout = any(c.field and c.field.name == "measure" for c in columns)
    wide = {} if long_layout else _wide_scores(columns, rows)
    for number, row, record in _clean_records(sheet, columns, rows, ("date",)):
        found = wide.get(number)
        if found is None:  # the long layout, or a row with something to explain
            answers = _long_answers(sheet, columns, number, row, record) if long_layout else _wide_answers(columns, row)
            found = None if answers is None else _score_row(sheet, columns, number, answers)
        if found is None:
            continue
        missing_item_rows += any(s["score"] is None for s in found)
        base = {
            "source_row": number,
            "participant_id": record["participant_id"],
            "date": record["date"],
            "activity": record.get("activity"),
        }
        sheet.records.extend({**base, **s} for s in found)
    if missing_item_rows:
        sheet.notes.append(
            f"{missing_item_rows} questionnaire(s) in sheet {sheet.sheet or sheet.file!r} have a missing answer, so "
            "that measure has no score for them (CORE-10 allows one missing answer, prorated)."
        )


Answers = dict[str, tuple[dict[int, tuple[object, Column]], tuple[object, Column] | None]]


def _wide_scores(columns: list[Column], rows: Rows) -> dict[int, list[Record]]:
    """Row number -> score records of each wide-layout row, worked out a column at a time.

    A row with an answer out of range, a total that is not one or that disagrees with the answers is left out:
    _score_row looks at it alone and says what is wrong.
    """
    found: dict[int, list[Record]] = {number: [] for number, _ in rows}
    for key, (items, total_column) in _wide_columns(columns).items():
        instrument = INSTRUMENTS[key]
        answers, blank, wrong = _answer_matrix(instrument, items, rows)
        total, total_blank, total_wrong = _column_array(partial(_total_cell, instrument), total_column, rows)
        missing = blank.sum(axis=1)
        whole = np.all(np.isnan(answers) | (answers == np.round(answers)), axis=1)  # so sums are exact
        adds_up = (missing > 0) | total_blank | (whole & (np.nansum(answers, axis=1) == total))
        explain = wrong.any(axis=1) | total_wrong | ~adds_up
        skipped = blank.all(axis=1) & total_blank
        scored = {m: s.tolist() for m, s in scores(instrument, answers).items()}
        derived = {m: instrument.derives(m) for m in scored}
        given = answers.tolist()
        for i, (number, _) in enumerate(rows):
            if number not in found or skipped[i]:
                continue
            if explain[i]:
                del found[number]
            elif missing[i] == instrument.items:
                found[number] += [
                    _score_record(m, v, [], instrument.items, instrument.derives(m))
                    for m, v in score_total(instrument, float(total[i])).items()
                ]
            else:
                items_given = [None if v != v else v for v in given[i]] if missing[i] else given[i]
                found[number] += [
                    _score_record(m, None if v[i] != v[i] else v[i], items_given, int(missing[i]), derived[m])
                    for m, v in scored.items()
                ]
    return {number: _without_derived_twice(records) for number, records in found.items()}


def _wide_columns(columns: list[Column]) -> dict[str, tuple[dict[int, Column], Column | None]]:
    """Instrument key -> (item number -> column, total column), in the order the sheet first names each."""
    found: dict[str, tuple[dict[int, Column], Column | None]] = {}
    for column in columns:
        if column.item is None:
            continue
        key, item = column.item
        items, total = found.setdefault(key, ({}, None))
        found[key] = (items, column) if item is None else ({**items, item: column}, total)
    return found


def _answer_matrix(
    instrument: Questionnaire, items: dict[int, Column], rows: Rows
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(answers, blank, wrong): one row per sheet row, one column per item; NaN where blank or not understood."""
    parts = [
        _column_array(partial(_answer_cell, instrument, n), items.get(n), rows) for n in range(1, instrument.items + 1)
    ]
    return tuple(np.column_stack([part[k] for part in parts]) for k in range(3))


def _column_array(
    read: Callable[[object], tuple[float, bool, bool]], column: Column | None, rows: Rows
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, blank, wrong) of a column's cells as arrays, each distinct cell read once; all blank if no column."""
    if column is None:
        return np.full(len(rows), np.nan), np.ones(len(rows), bool), np.zeros(len(rows), bool)
    codes, distinct = rows.distinct(column.index)
    found = np.array([read(value) for value in distinct], dtype=float).reshape(-1, 3)[codes]
    return found[:, 0], found[:, 1] == 1, found[:, 2] == 1


def _answer_cell(instrument: Questionnaire, item: int, raw: object) -> tuple[float, bool, bool]:
    if cells.is_blank(raw):
        return np.nan, True, False
    value = instrument.answer(item, raw)
    if value is None or not instrument.low <= value <= instrument.high:
        return np.nan, False, True
    return value, False, False


def _total_cell(instrument: Questionnaire, raw: object) -> tuple[float, bool, bool]:
    if cells.is_blank(raw):
        return np.nan, True, False
    low, high = instrument.total_range
    try:
        total = cells.number(raw)
    except CellError:
        return np.nan, False, True
    return (total, False, False) if low <= total <= high else (np.nan, False, True)


def _without_derived_twice(records: list[Record]) -> list[Record]:
    """A score worked out from another questionnaire gives way to the same measure given directly in the row."""
    direct = {r["measure"] for r in records if not r["derived"]}
    return [r for r in records if not (r["derived"] and r["measure"] in direct)]


def _wide_answers(columns: list[Column], row: list[object]) -> Answers:
    answers: Answers = {}
    for column in columns:
        if column.item is None:
            continue
        instrument, item = column.item
        items, total = answers.setdefault(instrument, ({}, None))
        if item is None:
            answers[instrument] = (items, (_cell(row, column), column))
        else:
            items[item] = (_cell(row, column), column)
    return answers


def _long_answers(
    sheet: Sheet, columns: list[Column], number: int, row: list[object], record: Record
) -> Answers | None:
    key = norm_key(record.get("measure") or "")
    measure_column = next(c for c in columns if c.field and c.field.name == "measure")
    items = {c.long_item: (_cell(row, c), c) for c in columns if c.long_item}
    total_column = next((c for c in columns if c.field and c.field.name == "total"), None)
    total = (_cell(row, total_column), total_column) if total_column else None
    if key in INSTRUMENTS:
        return {key: (items, total)}
    if not key and all(cells.is_blank(v) for v, _ in [*items.values(), *([total] if total else [])]):
        return {}  # nothing answered: skipped, as a blank questionnaire is in the wide layout
    sheet.problem(
        number,
        f"Expected one of the measures: {', '.join(i.name for i in INSTRUMENTS.values())}.",
        measure_column,
        record.get("measure"),
    )
    return None


def _score_row(sheet: Sheet, columns: list[Column], number: int, answers: Answers) -> list[Record] | None:
    records: list[Record] = []
    ok = True
    for key, (items, total_cell) in answers.items():
        instrument = INSTRUMENTS[key]
        given = {n: v for n, v in items.items() if n <= instrument.items}
        if all(cells.is_blank(v) for v, _ in given.values()) and (total_cell is None or cells.is_blank(total_cell[0])):
            continue
        values: list[float | None] = []
        for n in range(1, instrument.items + 1):
            raw, column = given.get(n, (None, None))
            value = None if cells.is_blank(raw) else instrument.answer(n, raw)
            if not cells.is_blank(raw) and (value is None or not instrument.low <= value <= instrument.high):
                words = f" or the words: {', '.join(instrument.words)}" if instrument.words else ""
                sheet.problem(
                    number, f"Expected an answer from {instrument.low} to {instrument.high}{words}.", column, raw
                )
                ok = False
            values.append(value)
        total = _read_total(sheet, number, instrument, total_cell)
        if total is False:
            ok = False
            continue
        scored = _scores(sheet, number, instrument, values, given, total, total_cell)
        if scored is None:
            ok = False
            continue
        records.extend(scored)
    return _without_derived_twice(records) if ok else None


def _read_total(sheet: Sheet, number: int, instrument, total_cell) -> float | None | bool:
    if total_cell is None or cells.is_blank(total_cell[0]):
        return None
    raw, column = total_cell
    low, high = instrument.total_range
    try:
        total = cells.number(raw)
    except CellError:
        total = None
    if total is None or not low <= total <= high:
        sheet.problem(number, f"Expected a {instrument.name} total from {low:g} to {high:g}.", column, raw)
        return False
    return total


def _scores(sheet, number, instrument, values, given, total, total_cell) -> list[Record] | None:
    answered = sum(v is not None for v in values)
    missing = instrument.items - answered
    if answered == 0:
        return [
            _score_record(m, s, [], instrument.items, instrument.derives(m))
            for m, s in score_total(instrument, total).items()
        ]
    if total is not None and missing == 0 and sum(values) != total:
        sheet.problem(
            number,
            f"The answers in this row add up to {sum(values):g}, not {total:g}. Check the answers or the total.",
            total_cell[1],
            total_cell[0],
        )
        return None
    return [_score_record(m, s, values, missing, instrument.derives(m)) for m, s in score(instrument, values).items()]


def _score_record(measure: str, value: float | None, items: list[float | None], missing: int, derived: bool) -> Record:
    return {"measure": measure, "score": value, "items": items or None, "missing_items": missing, "derived": derived}


FUNDING_NOTES = {
    "award_as_start": "had no start date, so the award date was taken as the start.",
    "default_end": "had no end date: each ends after its duration in months, or 12 months after the start where no "
    "duration is given.",
    "published_end_before_start": "are published grants whose end date is before their start date: the end date "
    "was ignored and worked out from the duration (or 12 months) instead.",
}


@_row_reader
def _read_funding(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    noted: Counter[str] = Counter()
    for number, _, record in _clean_records(sheet, columns, rows, ("funder", "title", "amount")):
        dates = _grant_dates(record)
        if dates is None or record["amount"] < 0:
            sheet.problem(
                number,
                "Expected a start date (or an award date), an end date on or after the start date, and an amount of 0 "
                "or more.",
                value=f"{record.get('start_date') or record.get('award_date')} to {record.get('end_date')}, "
                f"£{record['amount']:,.0f}",
            )
            continue
        start, end, how = dates
        noted.update(how)
        for name in ("award_date", "duration_months"):
            record.pop(name, None)
        record |= {
            "start_date": start,
            "end_date": end,
            "status": record.get("status") or "secured",
            "income_type": record.get("income_type") or "grant",
            "restricted": record.get("restricted") == "yes",
        }
        sheet.records.append({"source_row": number, **record})
    sheet.notes += [f"{count} funding line(s) {FUNDING_NOTES[key]}" for key, count in noted.items()]


def _grant_dates(record: Record) -> tuple[dt.date, dt.date, list[str]] | None:
    """Start and end as docs/data-contract.md#funding says (with the FUNDING_NOTES keys applied), or None if impossible.

    A published 360Giving grant (identifier '360G-…') whose end is before its start is the publisher's slip,
    which a charity cannot correct: its end is worked out as if missing. A charity's own sheet must be fixed.
    """
    how = []
    start = record.get("start_date")
    if start is None:
        start = record.get("award_date")
        how.append("award_as_start")
    if start is None:
        return None
    end = record.get("end_date")
    if end is not None and end < start and str(record.get("identifier") or "").startswith("360G-"):
        end = None
        how.append("published_end_before_start")
    if end is None:
        end = add_months(start, int(record.get("duration_months") or 12)) - dt.timedelta(days=1)
        how.append("default_end")
    return (start, end, how) if end >= start else None


def population_group(dimension: str, raw: object) -> str | None:
    """A benchmark group in the labels the dashboard uses (e.g. 'Female' is 'Woman'), or None if unknown."""
    vocabulary = BY_KEY[dimension].vocabulary
    if vocabulary is None:  # the IMD quintile, a number
        text = cells.text(raw)
        return text if text in BY_KEY[dimension].ordered else None
    return None if cells.is_blank(raw) else vocabulary.match(raw)


def _groups_accepted(dimension: str) -> str:
    vocabulary = BY_KEY[dimension].vocabulary
    return vocabulary.accepted if vocabulary else "1 (most deprived) to 5"


@_row_reader
def _read_population(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    _read_required(sheet, columns, rows)
    for record in sheet.records:
        group = population_group(record["dimension"], record["group"])
        if group is None:
            sheet.problem(
                record["source_row"],
                f"Expected one of the groups for {record['dimension']}: {_groups_accepted(record['dimension'])}.",
                value=record["group"],
            )
        record["group"] = group
        if record.get("count") is None and record.get("share") is None:
            sheet.problem(record["source_row"], "Expected a count or a share for each group.")
