"""Reading uploaded files into grids of cells, refusing what is not a usable spreadsheet.

Nothing in a file is ever run or fetched: a formula cell gives the value Excel saved with it (calamine reads the
cached result and never evaluates; a formula saved without one reads as empty), and external links, macros and
data connections are never followed. Every file is checked against pipelines/limits.py before and while it is read.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from functools import cached_property
from pathlib import PurePath

import numpy as np
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from pipelines import cells, limits
from pipelines.limits import RESAVE, Refused
from pipelines.problems import Problem

Cell = object
Coded = tuple[np.ndarray, list[Cell]]  # a column as cells.distinct_codes gives it: each row's place, distinct cells


class Grid:
    """One sheet's cells; ``row(i)`` is the row Excel numbers ``i + 1``.

    A sheet comes as rows (a CSV or a 360Giving file, whose rows may differ in length) or, read from a workbook, as
    columns, each its distinct cells once and each row's place among them: a register repeats its dates, activities
    and answers thousands of times, so the reading process hands over a fraction of the cells, and the checks read
    each distinct cell once. Rows of a grid read as columns are put together only where asked for.
    """

    def __init__(
        self, file: str, sheet: str, rows: list[list[Cell]] | None = None, *, columns: list[Coded] | None = None
    ) -> None:
        self.file, self.sheet = file, sheet
        self._rows = rows
        self._columns = columns
        self.height = len(rows) if rows is not None else len(columns[0][0]) if columns else 0

    @cached_property
    def columns(self) -> list[Coded]:
        """Each column, rows shorter than the widest padded with None."""
        if self._columns is not None:
            return self._columns
        width = max(map(len, self._rows), default=0)
        padded = (row if len(row) == width else [*row, *[None] * (width - len(row))] for row in self._rows)
        return [cells.distinct_codes(column) for column in zip(*padded, strict=True)]

    def head(self, count: int) -> list[list[Cell]]:
        """The first ``count`` rows (or all, if fewer)."""
        return [self.row(i) for i in range(min(self.height, count))]

    def row(self, index: int) -> list[Cell]:
        if self._rows is not None:
            return self._rows[index]
        return [values[codes[index]] for codes, values in self._columns]

    @cached_property
    def rows(self) -> list[list[Cell]]:
        if self._rows is not None:
            return self._rows
        cells_by_column = [[values[i] for i in codes.tolist()] for codes, values in self._columns]
        return [list(row) for row in zip(*cells_by_column, strict=True)]

    def size(self) -> tuple[int, int]:
        """The cells and the characters of text the sheet holds, as an upload's budget counts them."""
        if self._rows is not None:
            return sum(map(len, self._rows)), sum(len(c) for row in self._rows for c in row if isinstance(c, str))
        chars = 0
        for codes, values in self._columns:
            lengths = np.array([len(v) if isinstance(v, str) else 0 for v in values], dtype=np.int64)
            chars += int(lengths[codes].sum())
        return self.height * len(self._columns), chars

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Grid):
            return NotImplemented
        return (self.file, self.sheet, self.rows) == (other.file, other.sheet, other.rows)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Grid({self.file!r}, {self.sheet!r}, {self.height} rows)"


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


def read_grids(name: str, data: bytes) -> tuple[list[Grid], list[Problem]]:
    """Every sheet of an .xlsx, .csv or 360Giving .json file, or the reasons it cannot be read.

    The file is checked first, then read in a child process with a memory and time budget (limits.run_guarded).
    """
    suffix = PurePath(name).suffix.lower()
    refusal = _refusal(suffix, data)
    if refusal:
        return [], [Problem(name, expected=refusal)]
    try:
        packed, problems = limits.run_guarded(_read_packed, name, suffix, data)
    except Refused as refused:
        return [], [Problem(name, expected=str(refused))]
    return [_unpacked(grid) for grid in packed], problems


Packed = Grid | tuple[str, str, list[Coded]]


def _read_packed(name: str, suffix: str, data: bytes) -> tuple[list[Packed], list[Problem]]:
    """``_read``, with each rectangular sheet sent back from the reading process as coded columns (``Grid``): a
    column's distinct cells and its rows' places among them pass between processes many times faster than the
    cells themselves."""
    grids, problems = _read(name, suffix, data)
    return [_packed(grid) for grid in grids], problems


def _packed(grid: Grid) -> Packed:
    widths = {len(row) for row in grid.rows}
    if len(widths) != 1 or widths == {0}:
        return grid
    return grid.file, grid.sheet, grid.columns


def _unpacked(packed: Packed) -> Grid:
    if isinstance(packed, Grid):
        return packed
    file, sheet, columns = packed
    return Grid(file, sheet, columns=columns)


def _read(name: str, suffix: str, data: bytes) -> tuple[list[Grid], list[Problem]]:
    try:
        if suffix == ".csv":
            grids = [Grid(name, "", csv_rows(data))]
        elif suffix == ".json":
            grids = [Grid(name, "grants", _grants_rows(data))]
        else:
            grids = _workbook_grids(name, data)
    except Refused as refused:
        return [], [Problem(name, expected=str(refused))]
    return grids, _long_cells(grids)


def _workbook_grids(name: str, data: bytes) -> list[Grid]:
    """Each sheet's cells as calamine reads them (cached values of formulas); its size is checked before they
    become Python objects."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [(sheet, book.get_sheet_by_name(sheet)) for sheet in book.sheet_names]
    except Exception as error:  # calamine raises several error types for damaged files
        raise Refused(f"The file could not be read as a workbook ({str(error)[:200]}). {RESAVE}") from None
    if not sheets:
        raise Refused(f"The workbook has no sheets. {RESAVE}")
    cells = 0
    for sheet, found in sheets:
        rows, columns = (found.total_height + 1, found.total_width + 1) if found.height else (0, 0)
        cells += rows * columns
        _check_size(sheet, rows, columns, cells)
    try:
        return [Grid(name, sheet, found.to_python(skip_empty_area=False)) for sheet, found in sheets]
    except Exception as error:  # calamine raises several error types for damaged files
        raise Refused(f"The file could not be read as a workbook ({str(error)[:200]}). {RESAVE}") from None


def _check_size(sheet: str, rows: int, columns: int, cells: int) -> None:
    where = f"Sheet {sheet!r}" if sheet else "The file"
    if rows > limits.MAX_ROWS or columns > limits.MAX_COLUMNS or cells > limits.MAX_CELLS:
        raise Refused(
            f"{where} has {rows:,} rows and {columns:,} columns ({cells:,} cells in the file so far); at most "
            f"{limits.MAX_ROWS:,} rows, {limits.MAX_COLUMNS} columns and {limits.MAX_CELLS:,} cells can be read. "
            "Delete any empty rows below the data and columns to its right (Excel may keep them as used), "
            f"and columns the dashboard does not need. {limits.SMALLER}"
        )


MAX_LONG_CELLS_LISTED = 20


def _long_cells(grids: list[Grid]) -> list[Problem]:
    """A problem for each cell longer than Excel allows (the first few): no real spreadsheet holds one."""
    problems = []
    for grid in grids:
        for number, row in enumerate(grid.rows, 1):
            for index, cell in enumerate(row):
                if isinstance(cell, str) and len(cell) > limits.MAX_CELL_CHARS:
                    problems.append(_long_cell(grid, number, index, cell))
                    if len(problems) == MAX_LONG_CELLS_LISTED:
                        return problems
    return problems


def _long_cell(grid: Grid, number: int, index: int, cell: str) -> Problem:
    return Problem(
        grid.file,
        grid.sheet,
        number,
        get_column_letter(index + 1),
        cell[:50] + "…",
        f"A cell may hold at most {limits.MAX_CELL_CHARS:,} characters (Excel's own limit); this one has "
        f"{len(cell):,}. Shorten it, or delete the column if the dashboard does not use it.",
        index + 1,
    )


def _refusal(suffix: str, data: bytes) -> str | None:
    if not data.strip():
        return "The file is empty. Upload the workbook or CSV that holds the data."
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data:
            return "The workbook is password-protected. Remove the password in Excel (File › Info › Protect Workbook) and upload it again."
        return f"This is an old-style Excel file (.xls). {RESAVE}"
    if suffix in (".csv", ".json"):
        return None if b"\x00" not in data[:4096] else f"This file is not a {suffix[1:].upper()} text file."
    if suffix in (".xls", ".xlsb", ".ods", ".numbers"):
        return f"Files of type {suffix} are not accepted. {RESAVE}"
    is_zip = zipfile.is_zipfile(io.BytesIO(data))
    damaged = limits.zip_refusal(data) if is_zip else None
    if suffix == ".xlsm" or (is_zip and not damaged and _has_macros(data)):
        return f"The workbook contains macros, which are not accepted for safety. {RESAVE}"
    if suffix != ".xlsx":
        return "Only .xlsx workbooks, .csv files and 360Giving .json packages can be uploaded."
    if not is_zip:
        return limits.DAMAGED
    return damaged


def _has_macros(data: bytes) -> bool:
    """Whether the zip (already checked by limits.zip_refusal) holds a VBA project."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(n.lower().endswith("vbaproject.bin") for n in archive.namelist())


def csv_rows(data: bytes) -> list[list[Cell]]:
    """A CSV file's rows, read as UTF-8 (with or without BOM) or else Windows-1252, with any newlines (\\r\\n, \\n,
    or old Mac Excel's \\r, even mixed); empty cells at the end of a row are dropped. Raises Refused with the line
    of a value left open by an unmatched quote or too long to be a cell, or once the file is larger than can be read.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[Cell]] = []
    cells, line = 0, 0
    try:
        for row in reader:
            while row and row[-1] == "":
                row.pop()
            cells += len(row)
            _check_size("", len(rows) + 1, len(row), cells)
            rows.append(row)
            line = reader.line_num
    except csv.Error as error:
        raise Refused(_csv_problem(str(error), line + 1)) from None
    return rows


def _csv_problem(error: str, line: int) -> str:
    if "field limit" in error:
        return (
            f"Line {line} holds a value longer than {csv.field_size_limit():,} characters; a cell may hold at most "
            f'{limits.MAX_CELL_CHARS:,}. Often a quote mark (") opens a value and is never closed, so the rest of '
            "the file reads as one value: check that line, or open the file in Excel and save it again as CSV."
        )
    if "end of data" in error:
        return (
            f'A quote mark (") on line {line} opens a value that is never closed, so the rest of the file would '
            "read as one value. Close or delete that quote mark, or open the file in Excel and save it again as CSV."
        )
    return (
        f"Line {line} could not be read as CSV ({error}). Open the file in Excel and save it again as "
        "'CSV UTF-8 (Comma delimited)'."
    )


# 360Giving JSON packages ({"grants": [...]}) become one grid with the standard's spreadsheet column titles.
GRANT_COLUMNS = {
    "Identifier": lambda g: g.get("id"),
    "Title": lambda g: g.get("title"),
    "Amount Awarded": lambda g: g.get("amountAwarded"),
    "Award Date": lambda g: g.get("awardDate"),
    "Planned Dates:Start Date": lambda g: _first(g, "plannedDates").get("startDate"),
    "Planned Dates:End Date": lambda g: _first(g, "plannedDates").get("endDate"),
    "Planned Dates:Duration (months)": lambda g: _first(g, "plannedDates").get("duration"),
    "Funding Org:Name": lambda g: _first(g, "fundingOrganization").get("name"),
}


def _first(grant: dict, key: str) -> dict:
    found = grant.get(key) or [{}]
    return found[0] if isinstance(found, list) and found and isinstance(found[0], dict) else {}


def _grants_rows(data: bytes) -> list[list[Cell]]:
    """A 360Giving package's grants as rows under the standard's spreadsheet column titles."""
    package = _json(data)
    grants = package.get("grants") if isinstance(package, dict) else None
    if not isinstance(grants, list) or not all(isinstance(g, dict) for g in grants):
        raise Refused('Expected a 360Giving data package: {"grants": [ ... ]}.')
    _check_size("grants", len(grants) + 1, len(GRANT_COLUMNS), (len(grants) + 1) * len(GRANT_COLUMNS))
    return [list(GRANT_COLUMNS), *(_grant_row(number, g) for number, g in enumerate(grants, 1))]


def _json(data: bytes) -> object:
    """The parsed JSON, refusing nesting deeper than a 360Giving package has, and NaN or Infinity as numbers."""
    download_again = "Download it again from the funder."
    too_deep = (
        f"The file nests values more than {limits.MAX_JSON_DEPTH} levels deep, which a 360Giving package never "
        f"does. {download_again}"
    )
    try:
        package = json.loads(data.decode("utf-8-sig"), parse_constant=_refuse_constant)
    except RecursionError:
        raise Refused(too_deep) from None
    except ValueError as error:  # not UTF-8, not JSON, a refused constant, or a number too long to convert
        raise Refused(f"The file is not valid JSON ({str(error)[:200]}). {download_again}") from None
    if _json_depth(package) > limits.MAX_JSON_DEPTH:
        raise Refused(too_deep)
    return package


def _refuse_constant(word: str) -> float:
    raise ValueError(f"{word} is not a number JSON allows; amounts must be written as numbers")


def _json_depth(value: object) -> int:
    """How deeply arrays and objects nest, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((inner, depth + 1) for inner in (item.values() if isinstance(item, dict) else item))
    return deepest


def _grant_row(number: int, grant: dict) -> list[Cell]:
    row = [read(grant) for read in GRANT_COLUMNS.values()]
    for title, value in zip(GRANT_COLUMNS, row, strict=True):
        if isinstance(value, dict | list):
            raise Refused(
                f"Grant {number} ({str(grant.get('id'))[:64]!r}) has a list or an object as its {title!r}, where the "
                "360Giving standard has text, a number or a date. Download the package again from the funder."
            )
    return row
