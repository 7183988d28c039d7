"""Reading uploaded files into grids of cells, refusing what is not a usable spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from python_calamine import CalamineWorkbook

from pipelines.problems import Problem

Cell = object


@dataclass(frozen=True)
class Grid:
    """One sheet's cells; ``rows[i]`` is the row Excel numbers ``i + 1``."""

    file: str
    sheet: str
    rows: list[list[Cell]]


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


def read_grids(name: str, data: bytes) -> tuple[list[Grid], list[Problem]]:
    """Every sheet of an .xlsx or .csv file, or the reason it cannot be read."""
    suffix = PurePath(name).suffix.lower()
    refusal = _refusal(suffix, data)
    if refusal:
        return [], [Problem(name, expected=refusal)]
    if suffix == ".csv":
        return [Grid(name, "", csv_rows(data))], []
    if suffix == ".json":
        return _grants_package(name, data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = [
            Grid(name, sheet, book.get_sheet_by_name(sheet).to_python(skip_empty_area=False))
            for sheet in book.sheet_names
        ]
    except Exception as error:  # calamine raises several error types for damaged files
        return [], [Problem(name, expected=f"The file could not be read as a workbook ({error}). {RESAVE}")]
    return grids, []


RESAVE = "Open it in Excel and use File › Save As › Excel Workbook (.xlsx), then upload that file."


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
    if suffix == ".xlsm" or (zipfile.is_zipfile(io.BytesIO(data)) and _has_macros(data)):
        return f"The workbook contains macros, which are not accepted for safety. {RESAVE}"
    if suffix != ".xlsx":
        return "Only .xlsx workbooks, .csv files and 360Giving .json packages can be uploaded."
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return f"The file is damaged or is not really an Excel workbook. {RESAVE}"
    return None


def _has_macros(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(n.lower().endswith("vbaproject.bin") for n in archive.namelist())


def csv_rows(data: bytes) -> list[list[Cell]]:
    """A CSV file's rows, read as UTF-8 (with or without BOM) or else Windows-1252."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return [list(row) for row in csv.reader(io.StringIO(text))]


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


def _grants_package(name: str, data: bytes) -> tuple[list[Grid], list[Problem]]:
    try:
        package = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [], [Problem(name, expected=f"The file is not valid JSON ({error}). Download it again from the funder.")]
    grants = package.get("grants") if isinstance(package, dict) else None
    if not isinstance(grants, list) or not all(isinstance(g, dict) for g in grants):
        return [], [Problem(name, expected='Expected a 360Giving data package: {"grants": [ ... ]}.')]
    rows = [list(GRANT_COLUMNS), *([read(g) for read in GRANT_COLUMNS.values()] for g in grants)]
    return [Grid(name, "grants", rows)], []
