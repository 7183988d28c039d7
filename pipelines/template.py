"""The blank upload template: one sheet per kind (one per questionnaire), drop-downs for every fixed vocabulary."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipelines import vocab
from pipelines.fields import Field
from pipelines.measures import QUESTIONNAIRES, Questionnaire
from pipelines.sheets import KINDS, WELLBEING
from pipelines.spreadsheet import xlsx_bytes

HEADER_FILL = PatternFill("solid", fgColor="1F6F8B")
ROWS_WITH_CHOICES = 2000

GENERAL_INSTRUCTIONS = (
    "How to fill in this workbook",
    "Fill in the sheets you have data for and leave the others empty; delete nothing. Each sheet's first row names "
    "its columns.",
    "Never enter names, email addresses, phone numbers, addresses, full postcodes, NHS numbers or dates of birth: the "
    "upload is refused if you do. Use your own reference for each person (Participant ID), an age band, and a "
    "postcode district (e.g. DY1) or IMD decile.",
    "Dates: day first, e.g. 03/04/2025, or an Excel date.",
    "Cells with a drop-down take one of its words; questionnaire answers may also be typed as numbers.",
)  # then each sheet kind's own instructions


def instructions() -> list[str]:
    """The Instructions sheet's lines: the general ones, then each sheet's, in the order of the sheets."""
    kinds = [kind.instructions for kind in KINDS.values() if kind.in_template]
    return [*GENERAL_INSTRUCTIONS, *(line for text in kinds for line in text.splitlines())]


WAYS_PROMPT = (
    "One or more of: Connect, Be active, Take notice, Keep learning, Give. Separate them with commas, "
    "e.g. Connect, Take notice."
)  # a cell naming several ways cannot be a one-value drop-down, so it says what to type as it is chosen


@dataclass(frozen=True)
class TemplateColumn:
    header: str
    choices: tuple[str, ...] | None = None
    numbers_allowed: bool = False  # the drop-down warns rather than refuses, so an answer's number may be typed
    prompt: tuple[str, str] | None = None  # (title, message) shown when the cell is chosen, for cells without a list


def _column(f: Field) -> TemplateColumn:
    if f.parse == "ethnicity":
        return TemplateColumn(f.title, (*vocab.ETHNICITY_DETAILED, vocab.PREFER_NOT))
    if f.parse == "ways":
        return TemplateColumn(f.title, prompt=("Five Ways to Wellbeing", WAYS_PROMPT))
    choices = tuple(f.choices.values) if f.choices else None
    return TemplateColumn(f.title, choices, numbers_allowed=f.choices is vocab.FFT)


def _questionnaire_columns(questionnaire: Questionnaire) -> list[TemplateColumn]:
    return [
        TemplateColumn(header, questionnaire.words or None, numbers_allowed=True) for header in questionnaire.headers
    ]


def _sheets() -> dict[str, list[TemplateColumn]]:
    """Sheet name -> its columns."""
    sheets = {}
    for kind in (k for k in KINDS.values() if k.in_template):
        fields = [_column(f) for f in kind.fields if f.in_template]
        if kind is not WELLBEING:
            sheets[kind.name.capitalize()] = fields
            continue
        for questionnaire in QUESTIONNAIRES.values():
            sheets[questionnaire.name] = fields + _questionnaire_columns(questionnaire)
    return sheets


def blank_template() -> bytes:
    book = Workbook()
    _instructions(book.active)
    lists = book.create_sheet("Lists")
    lists.sheet_state = "hidden"
    known: dict[tuple[str, ...], str] = {}
    for name, columns in _sheets().items():
        sheet = book.create_sheet(name)
        for index, column in enumerate(columns, 1):
            _header(sheet, index, column.header)
            if column.choices:
                _drop_down(sheet, index, _list_range(lists, column.choices, known), column.numbers_allowed)
            elif column.prompt:
                _input_message(sheet, index, *column.prompt)
    return xlsx_bytes(book)


def _instructions(sheet: Worksheet) -> None:
    sheet.title = "Instructions"
    sheet.column_dimensions["A"].width = 120
    for row, line in enumerate(instructions(), 1):
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
    _down_the_column(sheet, index, rule)


def _input_message(sheet: Worksheet, index: int, title: str, message: str) -> None:
    """A note shown beside a cell as it is chosen, checking nothing (the upload check reads what was typed)."""
    _down_the_column(sheet, index, DataValidation(showInputMessage=True, promptTitle=title, prompt=message))


def _down_the_column(sheet: Worksheet, index: int, rule: DataValidation) -> None:
    letter = get_column_letter(index)
    rule.add(f"{letter}2:{letter}{ROWS_WITH_CHOICES}")
    sheet.add_data_validation(rule)
