"""The blank upload template: one sheet per kind (one per questionnaire), drop-downs for every fixed vocabulary."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipelines import vocab
from pipelines.measures import INSTRUMENTS, ONS4_QUESTIONS, Instrument
from pipelines.sheets import KINDS, WELLBEING, Field

HEADER_FILL = PatternFill("solid", fgColor="1F6F8B")
ROWS_WITH_CHOICES = 2000

INSTRUCTIONS = """How to fill in this workbook
Fill in the sheets you have data for and leave the others empty; delete nothing. Each sheet's first row names its columns.
Never enter names, email addresses, phone numbers, addresses, full postcodes, NHS numbers or dates of birth: the upload is refused if you do. Use your own reference for each person (Participant ID), an age band, and a postcode district (e.g. DY1) or IMD decile.
Dates: day first, e.g. 03/04/2025, or an Excel date.
Cells with a drop-down take one of its words; questionnaire answers may also be typed as numbers.
Participants: one row per person. Age band, or put an 'Age' column with age in years instead. Blank means not known.
Attendance: one row per person per session. Attended: attended, did not attend, or cancelled.
Questionnaire sheets (WEMWBS, SWEMWBS, CORE-10, PHQ-9, GAD-7, ONS4, UCLA-3): one row per completed questionnaire. Leave an answer blank if it was not given.
Funding: one row per grant, contract or income line. Status: secured, applied or declined (only secured income is counted).
Expenditure: one row per month (or quarter) and activity; leave Activity blank for core costs.
Reserves: free reserves (unrestricted funds freely available) on a date, e.g. each quarter end.
Population: optional local benchmark, e.g. Census 2021 figures for your area: a count or a share for each group."""


def _choices(f: Field) -> tuple[str, ...] | None:
    if f.parse == "ethnicity":
        return (*vocab.ETHNICITY_DETAILED, vocab.PREFER_NOT)
    return tuple(f.choices.values) if f.choices else None


def _questionnaire_columns(instrument: Instrument) -> list[tuple[str, tuple[str, ...] | None]]:
    if instrument.name == "ONS4":
        return [(f"ONS4 {q}", None) for q in ONS4_QUESTIONS]
    return [(f"{instrument.name} Q{i}", instrument.words or None) for i in range(1, instrument.items + 1)]


def _sheets() -> dict[str, list[tuple[str, tuple[str, ...] | None]]]:
    """Sheet name -> (header, drop-down choices) per column."""
    sheets = {}
    for kind in (k for k in KINDS.values() if k.in_template):
        fields = [(f.title, _choices(f)) for f in kind.fields if f.in_template]
        if kind is not WELLBEING:
            sheets[kind.name.capitalize()] = fields
            continue
        for instrument in INSTRUMENTS.values():
            sheets[instrument.name] = fields + _questionnaire_columns(instrument)
    return sheets


def blank_template() -> bytes:
    book = Workbook()
    _instructions(book.active)
    lists = book.create_sheet("Lists")
    lists.sheet_state = "hidden"
    known: dict[tuple[str, ...], str] = {}
    for name, columns in _sheets().items():
        sheet = book.create_sheet(name)
        for index, (header, choices) in enumerate(columns, 1):
            _header(sheet, index, header)
            if choices:
                _drop_down(sheet, index, _list_range(lists, choices, known), numbers_allowed=name in INSTRUMENT_SHEETS)
    return xlsx_bytes(book)


def xlsx_bytes(book: Workbook) -> bytes:
    """A workbook as the bytes of its .xlsx file."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


INSTRUMENT_SHEETS = {i.name for i in INSTRUMENTS.values()}


def _instructions(sheet: Worksheet) -> None:
    sheet.title = "Instructions"
    sheet.column_dimensions["A"].width = 120
    for row, line in enumerate(INSTRUCTIONS.splitlines(), 1):
        cell = sheet.cell(row, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(bold=row == 1, size=14 if row == 1 else 11)


def _header(sheet: Worksheet, index: int, header: str) -> None:
    cell = sheet.cell(1, index, header)
    cell.font = Font(bold=True, color="FFFFFF")
    cell.fill = HEADER_FILL
    sheet.column_dimensions[get_column_letter(index)].width = max(14, len(header) + 4)
    sheet.freeze_panes = "A2"


def _list_range(lists: Worksheet, choices: tuple[str, ...], known: dict[tuple[str, ...], str]) -> str:
    """A range on the hidden Lists sheet holding the choices (Excel limits inline lists to 255 characters)."""
    if choices not in known:
        column = len(known) + 1
        lists.cell(1, column, "List")
        for row, choice in enumerate(choices, 2):
            lists.cell(row, column, choice)
        letter = get_column_letter(column)
        known[choices] = f"Lists!${letter}$2:${letter}${len(choices) + 1}"
    return known[choices]


def _drop_down(sheet: Worksheet, index: int, source: str, numbers_allowed: bool) -> None:
    rule = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
    if numbers_allowed:
        rule.errorStyle = "warning"
        rule.error = "Choose an answer from the list, or type its number."
    else:
        rule.error = "Choose one of the values in the list."
    letter = get_column_letter(index)
    rule.add(f"{letter}2:{letter}{ROWS_WITH_CHOICES}")
    sheet.add_data_validation(rule)
