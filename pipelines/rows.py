"""What a kind of sheet is (its fields, its key and its row reader), and what every row reader shares: a recognised
sheet, its columns and data rows, and the reading of cells into typed records, a column at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TypeVar

import numpy as np
from openpyxl.utils import get_column_letter

from pipelines import cells
from pipelines.cells import CellError
from pipelines.fields import Field
from pipelines.problems import Problem
from pipelines.vocab import norm_key
from pipelines.workbook import Grid

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


class Rows:
    """The data rows below the header: their Excel row numbers, and their cells a column at a time as the grid holds
    them. A row's cells are put together only where a message or a reader needs them."""

    def __init__(self, grid: Grid, places: np.ndarray) -> None:
        self.grid, self.places = grid, places  # each data row's index in the grid
        self.numbers: list[int] = (places + 1).tolist()

    def __len__(self) -> int:
        return len(self.numbers)

    def row(self, index: int) -> list[object]:
        """The cells of the ``index``-th data row."""
        return self.grid.row(int(self.places[index]))

    def cell(self, index: int, column: Column) -> object:
        return cell(self.row(index), column)

    def distinct(self, index: int) -> tuple[np.ndarray, list[object]]:
        """Each data row's place among the column's distinct cells in these rows, and those cells in the order they
        first appear (as cells.distinct_codes gives them), kept."""
        if index not in self._distinct:
            self._distinct[index] = self._distinct_here(index)
        return self._distinct[index]

    def read_column(self, index: int, read: Callable[[object], T]) -> list[T]:
        """``read`` of each cell of a column, worked out once per distinct value."""
        codes, distinct = self.distinct(index)
        found = [read(value) for value in distinct]
        return list(map(found.__getitem__, codes.tolist()))

    def _distinct_here(self, index: int) -> tuple[np.ndarray, list[object]]:
        if index >= len(self.grid.columns):
            return np.zeros(len(self), dtype=np.intp), [None] if len(self) else []
        codes, values = self.grid.columns[index]
        present, first, inverse = np.unique(codes[self.places], return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return rank[inverse.reshape(-1)].astype(np.intp), [values[present[k]] for k in order.tolist()]

    @cached_property
    def _distinct(self) -> dict[int, tuple[np.ndarray, list[object]]]:
        return {}


def cell(row: list[object], column: Column) -> object:
    return row[column.index] if column.index < len(row) else None


def _parsed(f: Field, value: object) -> Record | CellError:
    try:
        return _parse(f, value)
    except CellError as error:
        return error


def read_fields(sheet: Sheet, columns: list[Column], rows: Rows) -> Iterator[Record | None]:
    """Each row's contract fields as typed values (None for a row with a problem, which is recorded).

    Parsed a column at a time; the problems are recorded row by row as the rows are taken, in the sheet's order.
    """
    fields = [c for c in columns if c.field]
    parsed = [rows.read_column(c.index, partial(_parsed, c.field)) for c in fields]
    by_row = zip(*parsed, strict=True) if parsed else ((),) * len(rows)
    for index, (number, found) in enumerate(zip(rows.numbers, by_row, strict=True)):
        record: Record | None = {}
        for column, value in zip(fields, found, strict=True):
            if isinstance(value, CellError):
                sheet.problem(number, value.sentence(), column, rows.cell(index, column))
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
    "dates": cells.dates,
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


def clean_records(
    sheet: Sheet, columns: list[Column], rows: Rows, required: tuple[str, ...] = ()
) -> Iterator[tuple[int, int, Record]]:
    """(row number, place among the data rows, record) of each row whose cells are as expected and whose
    ``required`` are filled in."""
    for index, (number, record) in enumerate(zip(rows.numbers, read_fields(sheet, columns, rows), strict=True)):
        if record is not None and require(sheet, columns, number, record, required):
            yield number, index, record


def require(sheet: Sheet, columns: list[Column], number: int, record: Record, names: tuple[str, ...]) -> bool:
    """Whether the record has each of ``names`` filled in; a problem for each that is not."""
    ok = True
    for name in names:
        if record.get(name) is None:
            column = next(c for c in columns if c.field and c.field.name == name)
            sheet.problem(number, "This cell must be filled in.", column)
            ok = False
    return ok


def read_required(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    """Rows of a kind that needs nothing but its required fields filled in."""
    required = tuple(f.name for f in sheet.kind.required)
    sheet.records += [{"source_row": n, **record} for n, _, record in clean_records(sheet, columns, rows, required)]


RowReader = Callable[[Sheet, list[Column], Rows], None]


@dataclass(frozen=True)
class SheetKind:
    """Everything about one kind of sheet: its fields, natural key, row reader and template instructions.

    The kinds are the entries of pipelines/sheets.py, each with its row reader beside it; adding a kind or a column
    means editing only its entry there (and its section in docs/data-contract.md).
    """

    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # natural key: latest upload wins per key
    noun: str  # one row, as messages say it: 'funding line' (many: 'funding lines')
    reader: RowReader = read_required  # turns the sheet's data rows into records, with every problem found
    worked_out: tuple[tuple[str, str], ...] = ()  # stored columns the reader works out, with their DuckDB types
    in_template: bool = True
    instructions: str = ""  # how to fill in its sheet, for the template's Instructions sheet (one or more lines)
    plural: str = ""  # many rows, where not the noun with an 's'

    def field_for(self, header: object) -> Field | None:
        key = norm_key(header)
        return next((f for f in self.fields if key in f.spellings), None)

    @property
    def nouns(self) -> tuple[str, str]:
        return self.noun, self.plural or f"{self.noun}s"

    @property
    def about_people(self) -> bool:
        """Whether rows are about participants, so that personal data in them is refused."""
        return any(f.name == "participant_id" for f in self.fields)

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)

    @property
    def columns(self) -> dict[str, str]:
        """Stored columns with their DuckDB types, after validation ("participant_id" holds the keyed hash)."""
        return {name: sql for f in self.fields for name, sql in f.columns.items()} | dict(self.worked_out)

    @property
    def date_field(self) -> str | None:
        """The date a sheet's rows are told by (its first date field), e.g. the session date of an attendance."""
        return next((f.name for f in self.fields if f.parse == "date"), None)
