"""The one writer of every CSV and XLSX file the app hands over, so no text in them can run as a formula.

Text that a spreadsheet would read as a formula (it starts with = + - @, a tab or a carriage return: OWASP's list)
gets a leading apostrophe, after the control characters a workbook cannot hold are dropped, so that none can hide a
formula. Numbers and dates pass unchanged. In a workbook, a cell that holds a formula (one the app was given, e.g. in
an uploaded sheet) is written as its text, neutralised the same way. PDF and Word documents are not spreadsheets and
do not use this module.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list of what makes a spreadsheet cell a formula


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP); numbers and the rest pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe(value: object) -> object:
    """Control characters a workbook cannot hold are dropped first, so that none can hide a formula."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)) if isinstance(value, str) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with blanks as None and every text value and column name made safe."""
    cells = frame.astype(object).where(frame.notna(), None).map(safe)
    cells.columns = [safe(str(name)) for name in frame.columns]
    return cells


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV (UTF-8 with a BOM, so that Excel reads it), every cell safe."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(book: Workbook) -> bytes:
    """The workbook as the bytes of its .xlsx file, after every cell of every sheet is made safe."""
    for sheet in book.worksheets:
        for cell in list(sheet._cells.values()):  # the cells that exist (iter_rows would add every empty one)
            value = _formula_text(cell.value) if cell.data_type == "f" else cell.value
            if isinstance(value, str) and (cell.data_type == "f" or safe(value) != value):
                cell.value = safe(value)  # text not starting with '=' is stored as text, never as a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _formula_text(value: object) -> object:
    """A formula cell's text: openpyxl holds an array formula as an object with its text."""
    return getattr(value, "text", value)
