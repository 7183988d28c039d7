"""Turning one sheet's grid of cells into clean records of its kind, with every problem found: the kind is recognised
from the header, personal data refused, and the rows read by the kind's own reader (pipelines/sheets.py)."""

from __future__ import annotations

import numpy as np

from pipelines import cells, privacy
from pipelines.rows import Column, Rows, Sheet, SheetKind
from pipelines.sheets import KINDS, WELLBEING
from pipelines.vocab import norm_key
from pipelines.wellbeing import item_column, long_item_column
from pipelines.workbook import Grid

HEADER_SEARCH_ROWS = 30


Aliases = dict[str, dict[str, str]]  # kind -> normalised header -> the header it stands for


def read_sheet(grid: Grid, aliases: Aliases | None = None) -> Sheet:
    """Recognise and read one sheet; ``aliases`` are the column mappings managers chose."""
    header_index, kind, columns = _find_header(grid.head(HEADER_SEARCH_ROWS), aliases or {})
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
    rows = _data_rows(grid, header_index)
    if kind.about_people and _refuse_personal_data(sheet, columns, rows):
        return sheet
    _check_duplicated_columns(sheet, columns)
    if sheet.problems:
        return sheet
    kind.reader(sheet, columns, rows)
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


def _data_rows(grid: Grid, header_index: int) -> Rows:
    """The rows below the header, skipping blank rows and a trailing totals row."""
    filled = ~_blank_rows(grid)
    filled[: header_index + 1] = False
    places = np.flatnonzero(filled)
    if len(places) and _is_totals_row(grid.row(int(places[-1]))):
        places = places[:-1]
    return Rows(grid, places)


def _blank_rows(grid: Grid) -> np.ndarray:
    """Whether each row's every cell is empty, worked out once per distinct cell of each column."""
    blank = np.ones(grid.height, dtype=bool)
    for codes, values in grid.columns:
        blank &= np.array([cells.is_blank(value) for value in values], dtype=bool)[codes]
    return blank


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
            first_row, what = rows.numbers[hit[0]], hit[1]
        sheet.problem(first_row, f"This column holds {what}. {privacy.SEND_INSTEAD}", column)
        if column.header in sheet.ignored_columns:  # refused, so never offered for mapping
            sheet.ignored_columns.remove(column.header)
    return bool(sheet.problems)
