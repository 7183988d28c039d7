"""Problems as a manager fixes them: grouped, listed in a workbook, and marked on their own spreadsheet."""

from __future__ import annotations

import io
from collections.abc import Iterable
from itertools import groupby
from pathlib import PurePath

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from pipelines.problems import Problem
from pipelines.spreadsheet import safe, xlsx_bytes
from pipelines.workbook import csv_rows

PROBLEM_FILL = PatternFill("solid", fgColor="F4B6B6")


def row_ranges(rows: Iterable[int]) -> str:
    """'5–9, 12' for rows 5, 6, 7, 8, 9 and 12."""
    ordered = sorted(set(rows))
    runs = [[row for _, row in run] for _, run in groupby(enumerate(ordered), key=lambda pair: pair[1] - pair[0])]
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)


def grouped(problems: list[Problem]) -> pd.DataFrame:
    """One line per kind of problem (same file, sheet, column and expectation), with its rows and example values."""
    table = pd.DataFrame([p.as_dict() for p in problems], columns=list(Problem.__dataclass_fields__))
    if table.empty:
        return pd.DataFrame(columns=["file", "sheet", "column", "problem", "rows", "count", "examples"])
    keys = ["file", "sheet", "column", "expected"]
    lines = []
    for (file, sheet, column, expected), group in table.groupby(keys, sort=False, dropna=False):
        values = [v for v in dict.fromkeys(group["value"]) if v]
        rows = [int(r) for r in group["row"].dropna()]
        lines.append(
            {"file": file, "sheet": sheet, "column": column, "problem": expected, "rows": row_ranges(rows),
             "count": len(group), "examples": ", ".join(repr(v) for v in values[:3]) + (" …" if len(values) > 3 else "")}
        )  # fmt: skip
    return pd.DataFrame(lines)


def problems_workbook(problems: list[Problem]) -> bytes:
    """Every problem, one per row, as an .xlsx to work through."""
    frame = pd.DataFrame([p.as_dict() for p in problems], columns=list(Problem.__dataclass_fields__))
    frame = frame.rename(columns={"row": "row (as Excel numbers it)", "expected": "what is expected"})
    frame = frame.drop(columns=["column_index"], errors="ignore").astype(object)
    book = Workbook()
    book.active.title = "Problems"
    for row in [list(frame.columns), *frame.where(frame.notna(), None).itertuples(index=False)]:
        book.active.append([safe(value) for value in row])
    return xlsx_bytes(book)


def marked_workbook(name: str, data: bytes, problems: list[Problem]) -> bytes:
    """The uploaded file back as .xlsx, each problem cell filled red with a comment saying what is expected."""
    book = _as_workbook(name, data)
    for problem in problems:
        if problem.file != name or problem.row is None or not problem.column_index:
            continue
        sheet = book[problem.sheet] if problem.sheet in book.sheetnames else book.worksheets[0]
        cell = sheet.cell(problem.row, problem.column_index)
        cell.fill = PROBLEM_FILL
        previous = cell.comment.text + "\n" if cell.comment else ""
        cell.comment = Comment(previous + problem.expected, "Impact dashboard", width=320, height=120)
    return xlsx_bytes(book)


def _as_workbook(name: str, data: bytes) -> Workbook:
    if PurePath(name).suffix.lower() != ".csv":
        return load_workbook(io.BytesIO(data), data_only=True)  # the values the dashboard read, never their formulas
    book = Workbook()
    for row in csv_rows(data):
        book.active.append([safe(cell) for cell in row])
    return book


def marked_name(name: str) -> str:
    return f"{PurePath(name).stem} - problems marked.xlsx"
