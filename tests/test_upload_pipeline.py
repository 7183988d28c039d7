"""What the Upload data page is built on: grouped problems, the problem list and the marked workbook, the blank
template, corrections, remembered column mappings, rollback, removing the sample, and the change summaries."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pipelines import ingest, measures, problem_report, store, template
from pipelines.__main__ import main
from pipelines.problems import Problem, UploadRefused
from pipelines.sheets import KINDS
from tests.apphelpers import TEMPLATE_DAY, drop_down_words, fill_template
from tests.helpers import checked, csv_bytes, current, load, snapshot, workbook

D = dt.date
REGISTER = ["participant_id", "session_date", "activity", "attended"]
DATE_PROBLEM = "The date 31/02/2025 does not exist: February has no 31st."
ATTENDED_PROBLEM = "Expected one of: attended, did not attend, cancelled."


def bad_register() -> list[list]:
    """Rows 2-4 good, 5-9 and 12 the same bad date, 10-11 good, 13 an unknown attended word."""
    rows = {row: [f"P{row}", "2025-05-01", "Peer group", "yes"] for row in range(2, 14)}
    for row in (5, 6, 7, 8, 9, 12):
        rows[row][1] = "31/02/2025"
    rows[13][3] = "maybe"
    return [REGISTER, *rows.values()]


# Grouping problems ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([5, 6, 7, 8, 9, 12], "5–9, 12"),
        ([12, 9, 5, 8, 6, 7, 5], "5–9, 12"),  # any order; a repeat counts once
        ([2, 3, 5, 6, 8], "2–3, 5–6, 8"),
        ([41], "41"),
        ([], ""),
    ],
)
def test_row_ranges(rows, expected):
    assert problem_report.row_ranges(rows) == expected


def test_300_rows_with_the_same_bad_date_are_one_problem(con):
    rows = [REGISTER] + [[f"P{i}", "31/02/2025", "Peer group", "yes"] for i in range(300)]
    rows.append(["P999", "2025-05-01", "Peer group", "maybe"])  # Excel row 302
    result = checked(con, ("q1.xlsx", workbook({"Register": rows})))
    assert len(result.problems) == 301

    table = problem_report.grouped(result.problems)

    assert table.to_dict("records") == [
        {
            "file": "q1.xlsx",
            "sheet": "Register",
            "column": 'B "session_date"',
            "problem": DATE_PROBLEM,
            "rows": "2–301",
            "count": 300,
            "examples": "'31/02/2025'",
        },
        {
            "file": "q1.xlsx",
            "sheet": "Register",
            "column": 'D "attended"',
            "problem": ATTENDED_PROBLEM,
            "rows": "302",
            "count": 1,
            "examples": "'maybe'",
        },
    ]


def test_grouped_row_lists_examples_and_file_problems(con):
    rows = [REGISTER] + [[f"P{i}", bad, "Peer", "yes"] for i, bad in enumerate(["x", "y", "x", "z", "w", ""], 2)]
    result = checked(con, ("a.xlsx", workbook({"Register": bad_register()})), ("b.xlsx", workbook({"R": rows})))
    result.problems.append(Problem("old.xls", expected="This is an old-style Excel file (.xls)."))

    table = problem_report.grouped(result.problems)

    assert table[["file", "column", "rows", "count", "examples"]].to_dict("records") == [
        {"file": "a.xlsx", "column": 'B "session_date"', "rows": "5–9, 12", "count": 6, "examples": "'31/02/2025'"},
        {"file": "a.xlsx", "column": 'D "attended"', "rows": "13", "count": 1, "examples": "'maybe'"},
        # four different bad dates: the first three are shown; the blank row 7 is a missing date, a separate problem
        {"file": "b.xlsx", "column": 'B "session_date"', "rows": "2–6", "count": 5, "examples": "'x', 'y', 'z' …"},
        {"file": "b.xlsx", "column": 'B "session_date"', "rows": "7", "count": 1, "examples": ""},
        {"file": "old.xls", "column": "", "rows": "", "count": 1, "examples": ""},
    ]
    assert table["problem"].iloc[-1] == "This is an old-style Excel file (.xls)."


def test_no_problems_is_an_empty_table():
    table = problem_report.grouped([])
    assert table.empty
    assert list(table.columns) == ["file", "sheet", "column", "problem", "rows", "count", "examples"]


# The problem list and the marked workbook ----------------------------------------------------------


def test_problems_workbook_lists_every_problem(con):
    result = checked(con, ("q1.xlsx", workbook({"Register": bad_register()})))

    book = load_workbook(io.BytesIO(problem_report.problems_workbook(result.problems)))

    assert book.sheetnames == ["Problems"]
    rows = list(book["Problems"].iter_rows(values_only=True))
    assert rows[0] == ("file", "sheet", "row (as Excel numbers it)", "column", "value", "what is expected")
    assert [r[2] for r in rows[1:]] == [5, 6, 7, 8, 9, 12, 13]
    assert rows[1] == ("q1.xlsx", "Register", 5, 'B "session_date"', "31/02/2025", DATE_PROBLEM)
    assert rows[7] == ("q1.xlsx", "Register", 13, 'D "attended"', "maybe", ATTENDED_PROBLEM)


def marks(sheet) -> dict[str, str]:
    """Cell -> comment text for every cell filled as a problem."""
    return {
        cell.coordinate: cell.comment.text if cell.comment else ""
        for row in sheet.iter_rows()
        for cell in row
        if cell.fill.fgColor.rgb.endswith(problem_report.PROBLEM_FILL.fgColor.rgb)
    }


def test_marked_workbook_fills_and_comments_the_problem_cells(con):
    data = workbook({"Notes": [["Quarter 1"]], "Register": bad_register()})
    result = checked(con, ("q1.xlsx", data))

    book = load_workbook(io.BytesIO(problem_report.marked_workbook("q1.xlsx", data, result.problems)))

    assert book.sheetnames == ["Notes", "Register"]
    found = marks(book["Register"])
    assert sorted(found) == ["B12", "B5", "B6", "B7", "B8", "B9", "D13"]
    assert all(text == DATE_PROBLEM for cell, text in found.items() if cell.startswith("B"))
    assert found["D13"] == ATTENDED_PROBLEM
    assert book["Register"]["B5"].value == "31/02/2025" and book["Register"]["A13"].value == "P13"  # data unchanged
    assert marks(book["Notes"]) == {}
    assert problem_report.marked_name("q1.xlsx") == "q1 - problems marked.xlsx"


def test_two_problems_in_one_cell_share_its_comment():
    data = workbook({"Register": [REGISTER, ["P1", "2025-05-01", "Peer", "yes"]]})
    problems = [
        Problem("q1.xlsx", "Register", 2, 'A "participant_id"', "P1", "First.", 1),
        Problem("q1.xlsx", "Register", 2, 'A "participant_id"', "P1", "Second.", 1),
        Problem("other.xlsx", "Register", 2, 'B "session_date"', "x", "Another file's problem.", 2),
    ]
    book = load_workbook(io.BytesIO(problem_report.marked_workbook("q1.xlsx", data, problems)))
    assert marks(book["Register"]) == {"A2": "First.\nSecond."}


def test_marked_workbook_from_a_csv(con):
    data = csv_bytes([REGISTER, ["P1", "01/05/2025", "Peer", "yes"], [], ["P2", "31/02/2025", "Peer", "yes"]])
    result = checked(con, ("may.csv", data))
    [problem] = result.problems
    assert (problem.row, problem.column) == (4, 'B "session_date"')  # the blank line 3 still counts

    book = load_workbook(io.BytesIO(problem_report.marked_workbook("may.csv", data, result.problems)))

    sheet = book.worksheets[0]
    assert marks(sheet) == {"B4": DATE_PROBLEM}
    assert [c.value for c in sheet[1]] == REGISTER and sheet["A4"].value == "P2"
    assert problem_report.marked_name("may.csv") == "may - problems marked.xlsx"


# The blank template --------------------------------------------------------------------------------

QUESTIONNAIRES = list(measures.QUESTIONNAIRES)  # a sheet each, in the registry's order
NEW_SHEETS = ["Goals", "Activities", "Feedback", "Volunteering"]
DATA_SHEETS = [
    "Participants",
    "Attendance",
    *QUESTIONNAIRES,
    *NEW_SHEETS,
    "Funding",
    "Expenditure",
    "Reserves",
    "Population",
]


@pytest.fixture(scope="module")
def blank() -> bytes:
    return template.blank_template()


def header(book, sheet: str) -> list[str]:
    return [c.value for c in book[sheet][1]]


def column_of(book, sheet: str, title: str) -> int:
    return header(book, sheet).index(title) + 1


def test_template_has_instructions_and_a_sheet_per_kind_and_questionnaire(blank):
    book = load_workbook(io.BytesIO(blank))
    assert book.sheetnames == ["Instructions", "Lists", *DATA_SHEETS]
    assert book["Lists"].sheet_state == "hidden"
    assert all(book[name].sheet_state == "visible" for name in ["Instructions", *DATA_SHEETS])
    assert book["Instructions"]["A1"].value == "How to fill in this workbook"
    said = " ".join(str(c.value) for (c,) in book["Instructions"].iter_rows())
    assert "Never enter names" in said
    assert all(name in said for name in NEW_SHEETS)
    assert "Never write what the goal is" in said and "Comments are not stored" in said
    lines = [str(c.value) for (c,) in book["Instructions"].iter_rows()]
    assert lines == template.instructions()
    assert all(kind.instructions in "\n".join(lines) for kind in KINDS.values() if kind.in_template)
    for q in measures.QUESTIONNAIRES.values():  # what each questionnaire asks, and its answers
        assert f"{q.name} ({q.title}): {q.help}" in said and ", ".join(q.words) in said


def test_template_header_rows(blank):
    book = load_workbook(io.BytesIO(blank))
    assert header(book, "Attendance") == [
        "Participant ID", "Session date", "Activity", "Activity type", "Delivery", "Venue", "Minutes", "Attended",
        "Five ways",
    ]  # fmt: skip
    assert header(book, "Goals") == ["Participant ID", "Goal number", "Date", "Rating", "Goal area", "Activity"]
    assert header(book, "Activities") == ["Activity", "Activity type", "Five ways", "Peer led", "Delivery"]
    assert header(book, "Feedback") == ["Date", "Activity", "Answer", "Participant ID"]
    assert header(book, "Volunteering") == ["Month", "Activity", "Volunteers", "Hours", "Lived experience"]
    assert header(book, "Participants")[:4] == ["Participant ID", "Age band", "Gender", "Ethnicity"]
    assert header(book, "WEMWBS") == ["Participant ID", "Date", "Activity", *(f"WEMWBS Q{i}" for i in range(1, 15))]
    assert header(book, "ONS4")[3:] == ["ONS4 life satisfaction", "ONS4 worthwhile", "ONS4 happy", "ONS4 anxious"]
    assert header(book, "Reserves") == ["Date", "Free reserves"]
    for name in DATA_SHEETS:
        assert book[name]["A1"].font.b and book[name].freeze_panes == "A2", name


def test_template_drop_downs_for_the_fixed_vocabularies(blank):
    book = load_workbook(io.BytesIO(blank))

    def words(sheet: str, title: str) -> list[str] | None:
        return drop_down_words(book, book[sheet], column_of(book, sheet, title))

    assert words("Attendance", "Attended") == ["attended", "did not attend", "cancelled"]
    assert words("Participants", "Gender") == ["Woman", "Man", "Non-binary", "Other", "Prefer not to say"]
    assert words("Participants", "Age band") == [
        "16-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "Prefer not to say",
    ]  # fmt: skip
    ethnicity = words("Participants", "Ethnicity")
    assert len(ethnicity) == 20 and {"White: Roma", "Other: Arab", "Prefer not to say"} <= set(ethnicity)
    assert len(",".join(ethnicity)) > 255, "too long for an inline list: the reason lists live on a sheet"
    assert words("Funding", "Status") == ["secured", "applied", "declined"]
    wemwbs = ["none of the time", "rarely", "some of the time", "often", "all of the time"]
    assert all(words("WEMWBS", f"WEMWBS Q{i}") == wemwbs for i in range(1, 15))
    assert words("SWEMWBS", "SWEMWBS Q7") == wemwbs
    assert words("Attendance", "Session date") is None and words("ONS4", "ONS4 happy") is None


@pytest.mark.parametrize(
    ("sheet", "title", "expected"),
    [
        ("Goals", "Goal area", ["Relationships", "Work or learning", "Managing mood", "Daily living",
                                "Physical health", "Housing or money", "Other"]),
        ("Feedback", "Answer", ["Very good", "Good", "Neither good nor poor", "Poor", "Very poor", "Don't know"]),
        ("Activities", "Peer led", ["yes", "no"]),
        ("Activities", "Activity type", ["peer support", "course", "one-to-one", "drop-in", "social", "other"]),
        ("Activities", "Delivery", ["in person", "online", "phone"]),
        ("Activities", "Five ways", None),  # several ways in one cell: a message says what to type instead
        ("Volunteering", "Month", None),
        ("Goals", "Rating", None),
    ],
)  # fmt: skip
def test_template_drop_downs_on_the_new_sheets(blank, sheet, title, expected):
    book = load_workbook(io.BytesIO(blank))
    assert drop_down_words(book, book[sheet], column_of(book, sheet, title)) == expected


@pytest.mark.parametrize("sheet", ["Activities", "Attendance"])
def test_template_five_ways_cells_say_what_to_type(blank, sheet):
    book = load_workbook(io.BytesIO(blank))
    letter = get_column_letter(column_of(book, sheet, "Five ways"))
    [rule] = [r for r in book[sheet].data_validations.dataValidation if f"{letter}2" in r.sqref]
    assert rule.type is None and rule.showInputMessage and rule.promptTitle == "Five Ways to Wellbeing"
    assert "Connect, Be active, Take notice, Keep learning, Give" in rule.prompt and len(rule.prompt) <= 255
    assert str(rule.sqref) == f"{letter}2:{letter}2000"


def test_template_fft_answers_may_be_typed_as_their_numbers(blank):
    book = load_workbook(io.BytesIO(blank))
    [rule] = book["Feedback"].data_validations.dataValidation
    assert rule.errorStyle == "warning" and "type its number" in rule.error


def test_template_drop_downs_are_ranges_on_the_lists_sheet_down_2000_rows(blank):
    book = load_workbook(io.BytesIO(blank))
    every = [(name, rule) for name in DATA_SHEETS for rule in book[name].data_validations.dataValidation]
    rules = [(name, rule) for name, rule in every if rule.type is not None]  # not the Five Ways' input messages
    assert len(rules) > 60 and len(every) - len(rules) == 2
    for name, rule in rules:
        assert rule.type == "list" and rule.formula1.startswith("=Lists!$"), (name, rule.formula1)
        [cells] = str(rule.sqref).split()
        assert cells.endswith("2000") and cells.split(":")[0].endswith("2"), (name, cells)
    wemwbs_rule = book["WEMWBS"].data_validations.dataValidation[0]
    assert wemwbs_rule.errorStyle == "warning", "questionnaire answers may be typed as numbers too"
    attended_rule = book["Attendance"].data_validations.dataValidation[-2]
    assert attended_rule.errorStyle in (None, "stop")


def test_the_blank_template_alone_is_refused_with_no_rows_of_data(con, blank):
    result = checked(con, ("template.xlsx", blank))
    assert [p.expected for p in result.problems] == [ingest.NO_ROWS]
    assert "no rows of data" in ingest.NO_ROWS
    overview = ingest.sheet_overview(result)
    assert dict(zip(overview["sheet"], overview["recognised as"], strict=True)) == {
        "Instructions": "skipped",
        "Lists": "skipped",
        "Participants": "participants",
        "Attendance": "attendance",
        **dict.fromkeys(QUESTIONNAIRES, "wellbeing"),
        **{name: name.lower() for name in NEW_SHEETS},
        "Funding": "funding",
        "Expenditure": "expenditure",
        "Reserves": "reserves",
        "Population": "population",
    }
    assert overview["rows"].sum() == 0


def test_a_filled_template_loads_without_a_problem(con, blank):
    filled = fill_template(blank)
    result = checked(con, ("filled.xlsx", filled))
    assert result.ok, "\n".join(str(p) for p in result.problems)
    assert {kind: len(table) for kind, table in result.files[0].tables.items()} == {
        "participants": 1,
        "attendance": 1,
        "wellbeing": len(measures.MEASURES),  # each score once: WEMWBS's own SWEMWBS gives way to the sheet's
        "goals": 1,
        "activities": 1,
        "feedback": 1,
        "volunteering": 1,
        "funding": 1,
        "expenditure": 1,
        "reserves": 1,
        "population": 1,
    }
    assert result.files[0].notes == [
        "Sheet 'Instructions' does not look like any of the data sheets and was skipped.",
        "Sheet 'Lists' does not look like any of the data sheets and was skipped.",
    ]

    ingest.load(con, result)

    # Every answer is the drop-down's first word: WEMWBS 'none of the time' = 1 (x14); SWEMWBS raw 7 = metric 7.00;
    # CORE-10 'not at all' = 0, but items 2 and 3 are worded positively so score 4 each; PHQ-9 and GAD-7 'not at
    # all' = 0; UCLA-3 'hardly ever' = 1 (x3); ONS4 as typed.
    scores = {"CORE-10": 8.0, "GAD-7": 0.0, "ONS4 anxious": 3.0, "ONS4 happy": 6.0, "ONS4 life satisfaction": 7.0,
              "ONS4 worthwhile": 8.0, "PHQ-9": 0.0, "SWEMWBS": 7.0, "UCLA-3": 3.0, "WEMWBS": 14.0}  # fmt: skip
    found = current(con, "SELECT measure, score, derived FROM wellbeing ORDER BY measure")
    assert [measure for measure, _, _ in found] == sorted(measures.MEASURES), "one score of every measure"
    assert [(m, score, derived) for m, score, derived in found if m in scores] == [
        (measure, score, False) for measure, score in scores.items()
    ]
    assert current(
        con, "SELECT session_date, activity, activity_type, delivery, minutes, attended, ways FROM attendance"
    ) == [(TEMPLATE_DAY, "Template group", "peer support", "in person", 90.0, "attended", ["Connect", "Take notice"])]
    assert current(con, "SELECT goal_number, date, rating, goal_area, activity FROM goals") == [
        (1, TEMPLATE_DAY, 4, "Relationships", "Template group")
    ]
    assert current(con, "SELECT * EXCLUDE (upload_id) FROM activities") == [
        ("Template group", "peer support", ["Connect", "Take notice"], True, "in person")
    ]
    assert current(con, "SELECT date, activity, answer, response_number FROM feedback") == [
        (TEMPLATE_DAY, "Template group", "Very good", 1)
    ]
    assert current(con, "SELECT * EXCLUDE (upload_id) FROM volunteering") == [
        (dt.date(2025, 6, 1), "Template group", 6, 27.5, 4)
    ]
    person = current(con, "SELECT participant_id FROM participants")
    assert (
        current(con, "SELECT participant_id FROM goals")
        == current(con, "SELECT participant_id FROM feedback")
        == person
    )
    assert current(con, "SELECT age_band, gender, ethnicity, ethnicity_group, disability FROM participants") == [
        ("16-17", "Woman", "Asian: Bangladeshi", "Asian", "Yes")
    ]
    assert current(con, "SELECT funder, amount, status, restricted, income_type FROM funding") == [
        ("Template Trust", 12000.0, "secured", True, "grant")
    ]


def test_conflicting_ons4_answers_for_the_same_day_are_refused(loaded):
    """Found while testing the template: ONS4's scores were stored as 'derived', so a conflict vanished silently."""
    header = ["participant_id", "date", "ONS4 life satisfaction", "ONS4 worthwhile", "ONS4 happy", "ONS4 anxious"]
    rows = [header, ["P1", "2024-06-01", 7, 8, 6, 3], ["P1", "2024-06-01", 7, 8, 6, 9]]
    problems = checked(loaded, ("ons4.xlsx", workbook({"ONS4": rows}))).problems
    assert [(p.row, p.value) for p in problems] == [
        (3, f"P1, 2024-06-01, ONS4 {question}") for question in ("life satisfaction", "worthwhile", "happy", "anxious")
    ]
    assert all("as row 2" in p.expected and "values differ" in p.expected for p in problems)
    [line] = problem_report.grouped(problems).to_dict("records")  # one row's four scores read as one problem
    assert (line["rows"], line["count"]) == ("3", 4)


# Changes and corrections ---------------------------------------------------------------------------


def test_changed_rows_shows_each_corrected_value(loaded):
    people = [
        ["participant_id", "gender", "age_band"],
        ["P1", "woman", "25-34"],
        ["P2", "woman", "45-54"],
        ["P3", "man"],
    ]
    result = checked(loaded, ("people.xlsx", workbook({"People": people})))
    item = result.files[0]
    assert item.changes == {"participants": {"rows": 3, "new": 1, "replaced": 2, "changed": 1}}
    assert ingest.describe_changes(item.changes) == "1 participant profile added, 1 corrected, 1 unchanged"

    changed = store.changed_rows(loaded, "participants", item.tables["participants"])

    assert changed.to_dict("records") == [
        {"sheet row": 3, "column": "age band", "now": "35-44", "after loading": "45-54"},
        {"sheet row": 3, "column": "gender", "now": "Man", "after loading": "Woman"},
    ]


def test_changed_rows_keeps_to_its_limit(loaded):
    # both of the base's attendances corrected
    register = [REGISTER, ["P1", "2024-05-01", "Peer group", "no"], ["P2", "2024-05-01", "Peer group", "cancelled"]]
    table = checked(loaded, ("fix.xlsx", workbook({"Register": register}))).files[0].tables["attendance"]
    assert len(store.changed_rows(loaded, "attendance", table)) == 2
    assert store.changed_rows(loaded, "attendance", table, max_rows=1).to_dict("records") == [
        {"sheet row": 2, "column": "attended", "now": "attended", "after loading": "did not attend"}
    ]


def test_describe_changes():
    assert ingest.describe_changes({"attendance": {"rows": 317, "new": 312, "replaced": 5, "changed": 5}}) == (
        "312 attendances added, 5 corrected"
    )
    assert ingest.describe_changes(
        {
            "participants": {"rows": 1, "new": 1, "replaced": 0, "changed": 0},
            "wellbeing": {"rows": 1500, "new": 1234, "replaced": 266, "changed": 0},
        }
    ) == ("1 participant profile added; 1,234 questionnaire scores added, 266 unchanged")
    assert ingest.describe_changes({"reserves": {"rows": 1, "new": 0, "replaced": 1, "changed": 1}}) == (
        "0 reserves figures added, 1 corrected"
    )
    assert ingest.describe_changes({}) == "nothing to load"


def test_total_changes_adds_up_the_files():
    a = ingest.PreparedFile(
        "a.xlsx", "", [], changes={"attendance": {"rows": 10, "new": 8, "replaced": 2, "changed": 1}}
    )
    b = ingest.PreparedFile(
        "b.xlsx",
        "",
        [],
        changes={
            "attendance": {"rows": 5, "new": 5, "replaced": 0, "changed": 0},
            "reserves": {"rows": 1, "new": 1, "replaced": 0, "changed": 0},
        },
    )
    assert ingest.total_changes([a, b]) == {
        "attendance": {"rows": 15, "new": 13, "replaced": 2, "changed": 1},
        "reserves": {"rows": 1, "new": 1, "replaced": 0, "changed": 0},
    }
    assert ingest.total_changes([]) == {}


def test_sheet_overview(con):
    register = [REGISTER, ["P1", "03/06/2025", "Peer", "yes"], ["P2", "10/06/2025", "Peer", "yes"],
                ["P1", "17/06/2025", "Peer", "no"]]  # fmt: skip
    scores = [["participant_id", "date", *(f"WEMWBS Q{i}" for i in range(1, 15))], ["P1", "2025-06-03", *[3] * 14]]
    grants = [
        ["funder", "title", "amount", "start_date", "end_date"],
        ["Trust", "Core", 1000, "2025-04-01", "2026-03-31"],
    ]
    data = workbook({"Cover": [["Returns for Q1"]], "Register": register, "Scores": scores, "Grants": grants})

    overview = ingest.sheet_overview(checked(con, ("q1.xlsx", data)))

    # In words, blank where there is nothing to say: never a raw None
    assert overview.to_dict("records") == [
        {"file": "q1.xlsx", "sheet": "Cover", "recognised as": "skipped", "rows": 0, "from": "", "to": "",
         "people": ""},
        {"file": "q1.xlsx", "sheet": "Register", "recognised as": "attendance", "rows": 3, "from": "03/06/2025",
         "to": "17/06/2025", "people": "2"},
        # one questionnaire row gives two scores (WEMWBS and its SWEMWBS): still one row
        {"file": "q1.xlsx", "sheet": "Scores", "recognised as": "wellbeing", "rows": 1, "from": "03/06/2025",
         "to": "03/06/2025", "people": "1"},
        {"file": "q1.xlsx", "sheet": "Grants", "recognised as": "funding", "rows": 1, "from": "01/04/2025",
         "to": "01/04/2025", "people": ""},
    ]  # fmt: skip
    assert "None" not in overview.astype(str).to_numpy()


# Remembered column mappings ------------------------------------------------------------------------


def test_remember_mappings_latest_wins_by_normalised_header(loaded):
    assert store.remembered_mappings(loaded) == {}
    store.remember_mappings(loaded, 1, {"attendance": {"Attnd": "Attended", "Mins": "Minutes"}})
    store.remember_mappings(loaded, 1, {})
    assert store.remembered_mappings(loaded) == {"attendance": {"attnd": "Attended", "mins": "Minutes"}}

    [second] = load(loaded, ("q2.xlsx", workbook({"Register": [REGISTER, ["P9", "2024-06-01", "Peer", "yes"]]})))
    store.remember_mappings(
        loaded, second, {"attendance": {"ATTND ": "Venue"}, "participants": {"Sex at birth": "Gender"}}
    )

    assert store.remembered_mappings(loaded) == {
        "attendance": {"attnd": "Venue", "mins": "Minutes"},
        "participants": {"sexatbirth": "Gender"},
    }
    uploads = store.uploads(loaded).set_index("upload_id")["mappings"]
    assert uploads[1] == "Attnd → Attended, Mins → Minutes" and uploads[second] in (
        "ATTND  → Venue, Sex at birth → Gender",
        "Sex at birth → Gender, ATTND  → Venue",
    )


def test_a_mapping_chosen_once_is_used_next_quarter_and_forgotten_with_its_upload(con):
    def register(day: str) -> bytes:
        rows = [
            ["participant_id", "session_date", "activity", "Attnd"],
            ["P1", day, "Peer", "yes"],
            ["P2", day, "Peer", "DNA"],
        ]
        return workbook({"Register": rows})

    first = ingest.check(con, [("q1.xlsx", register("2024-05-01"))], {"attendance": {"Attnd": "Attended"}})
    assert first.files[0].notes == []
    [q1] = ingest.load(con, first)
    assert store.remembered_mappings(con) == {"attendance": {"attnd": "Attended"}}

    second = checked(con, ("q2.xlsx", register("2024-08-01")))  # no mapping given: remembered
    assert second.files[0].sheets[0].ignored_columns == [] and second.files[0].notes == []
    [q2] = ingest.load(con, second)
    assert current(con, "SELECT session_date, attended FROM attendance ORDER BY 1, 2") == [
        (D(2024, 5, 1), "attended"), (D(2024, 5, 1), "did not attend"),
        (D(2024, 8, 1), "attended"), (D(2024, 8, 1), "did not attend"),
    ]  # fmt: skip
    assert store.uploads(con).set_index("upload_id")["mappings"].to_dict() == {
        q1: "Attnd → Attended",
        q2: "Attnd → Attended",
    }

    store.rollback(con, q1, q2)

    assert store.remembered_mappings(con) == {}, "a rolled-back upload's mapping is forgotten, so it can be chosen anew"
    assert checked(con, ("q1.xlsx", register("2024-05-01"))).files[0].sheets[0].ignored_columns == ["Attnd"]


# Rollback and the sample ---------------------------------------------------------------------------


def test_rollback_of_several_uploads_at_once_restores_what_they_replaced(loaded):
    before = snapshot(loaded)
    a = workbook(
        {"Register": [REGISTER, ["P1", "2024-05-01", "Peer group", "no"], ["P7", "2024-05-08", "Peer", "yes"]]}
    )
    b = workbook({"People": [["participant_id", "gender"], ["P2", "woman"]]})
    a_id, b_id = load(loaded, ("a.xlsx", a), ("b.xlsx", b))
    assert current(loaded, "SELECT count(*) FROM attendance") == [(3,)]

    store.rollback(loaded, a_id, b_id)

    after = snapshot(loaded)
    assert after["summary"] == before["summary"]
    assert current(loaded, "SELECT count(*), count(*) FILTER (attended = 'attended') FROM attendance") == [(2, 1)]
    assert current(loaded, "SELECT gender FROM participants ORDER BY 1") == [("Man",), ("Woman",)]
    statuses = current(loaded, "SELECT upload_id, rolled_back_at IS NOT NULL FROM uploads ORDER BY 1")
    assert statuses == [(1, False), (a_id, True), (b_id, True)]


def test_rollback_checks_every_upload_before_changing_any(loaded):
    [own] = load(loaded, ("a.xlsx", workbook({"Register": [REGISTER, ["P7", "2024-05-08", "Peer", "yes"]]})))
    with pytest.raises(ValueError, match="There is no upload 99"):
        store.rollback(loaded, own, 99)
    store.rollback(loaded, 1)
    with pytest.raises(ValueError, match="Upload 1 was already rolled back"):
        store.rollback(loaded, own, 1)
    assert current(loaded, "SELECT upload_id FROM uploads WHERE rolled_back_at IS NULL") == [(own,)]


SAMPLE = workbook(
    {
        "People": [["participant_id", "gender"], ["S1", "woman"], ["S2", "man"]],
        "Register": [REGISTER, ["S1", "2024-05-01", "Peer", "yes"], ["S2", "2024-05-01", "Peer", "yes"]],
    }
)  # a stand-in for the bundled sample
OWN = workbook({"Register": [REGISTER, ["S1", "2024-05-01", "Peer", "DNA"], ["P2", "2024-05-08", "Art", "yes"]]})
# The charity's own register: its first person has the same reference, day and activity as one in the sample


@pytest.fixture
def with_sample(con, monkeypatch):
    """A database showing the sample (its one upload, id 1), as the app fills an empty one."""
    monkeypatch.setattr(ingest, "sample_hashes", lambda: {ingest.hashlib.sha256(SAMPLE).hexdigest()})
    assert load(con, ("sample.xlsx", SAMPLE)) == [1]
    assert store.showing_sample(con)
    return con


def test_the_first_own_upload_removes_the_sample_in_the_same_transaction(with_sample):
    con = with_sample
    result = checked(con, ("own.xlsx", OWN))
    assert result.sample_to_remove == [1]
    assert result.files[0].changes == {"attendance": {"rows": 2, "new": 2, "replaced": 0, "changed": 0}}, (
        "compared with the data as it will be: S1's row is new, not a correction of the sample's"
    )

    assert ingest.load(con, result) == [2]

    assert not store.showing_sample(con)
    [(sample_out, own_in)] = current(
        con, "SELECT max(rolled_back_at) FILTER (is_sample), max(loaded_at) FILTER (NOT is_sample) FROM uploads"
    )
    assert sample_out == own_in, "one transaction: the sample went at the moment the charity's data came"
    assert current(con, "SELECT activity, attended FROM attendance ORDER BY 1") == [
        ("Art", "attended"),
        ("Peer", "did not attend"),
    ]
    assert current(con, "SELECT count(*) FROM participants") == [(0,)]
    assert current(con, "SELECT upload_id, count(*) FROM attendance_history GROUP BY 1 ORDER BY 1") == [(1, 2), (2, 2)]
    assert current(con, "SELECT count(*) FROM participants_history") == [(2,)], "nothing is deleted"
    assert store.uploads(con)["row_counts"].map(json.loads).tolist()[0]["attendance"]["new"] == 2
    assert store.sample_only_where_real(con) == []


def test_later_own_uploads_remove_nothing(with_sample):
    load(with_sample, ("own.xlsx", OWN))
    result = checked(with_sample, ("more.xlsx", workbook({"Register": [REGISTER, ["P9", "2024-06-01", "Art", "yes"]]})))
    assert result.sample_to_remove == []
    load(with_sample, ("more.xlsx", workbook({"Register": [REGISTER, ["P9", "2024-06-01", "Art", "yes"]]})))
    assert current(with_sample, "SELECT count(*) FROM attendance") == [(3,)]


def test_a_failing_own_upload_leaves_the_sample_untouched(with_sample, monkeypatch):
    before = snapshot(with_sample)
    result = checked(with_sample, ("own.xlsx", OWN))

    def disk_full(*_args, **_kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(store, "insert", disk_full)
    with pytest.raises(OSError):
        ingest.load(with_sample, result)

    assert snapshot(with_sample) == before
    assert store.showing_sample(with_sample)
    assert current(with_sample, "SELECT upload_id, rolled_back_at FROM uploads") == [(1, None)]


def test_a_refused_own_upload_leaves_the_sample_untouched(with_sample):
    before = snapshot(with_sample)
    bad = workbook({"Register": [REGISTER, ["P1", "31/02/2025", "Peer", "yes"]]})
    with pytest.raises(UploadRefused):
        ingest.load(with_sample, checked(with_sample, ("bad.xlsx", bad)))
    assert snapshot(with_sample) == before and store.showing_sample(with_sample)


def test_a_sample_workbook_is_never_loaded_beside_own_data(with_sample):
    with_sample.execute("UPDATE uploads SET rolled_back_at = now()")  # no upload of the sample is active
    [problem] = checked(with_sample, ("sample.xlsx", SAMPLE), ("own.xlsx", OWN)).problems
    assert (problem.file, problem.expected) == ("sample.xlsx", ingest.SAMPLE_BESIDE_OWN)
    load(with_sample, ("own.xlsx", OWN))
    [problem] = checked(with_sample, ("sample.xlsx", SAMPLE)).problems
    assert problem.expected.startswith(
        "This is a workbook of the bundled sample of Brightside Mind, a made-up charity."
    )


def test_rolling_back_the_first_own_upload_leaves_nothing_and_the_sample_may_load_again(with_sample):
    """Documented in docs/data-contract.md#the-bundled-sample: the app shows the sample again when it next starts."""
    [own] = load(with_sample, ("own.xlsx", OWN))
    store.rollback(with_sample, own)
    assert not store.has_data(with_sample) and not store.showing_sample(with_sample)
    assert current(with_sample, "SELECT count(*) FROM attendance") == [(0,)]
    assert load(with_sample, ("sample.xlsx", SAMPLE)) == [3]  # as the app does on an empty database
    assert store.showing_sample(with_sample)


def test_a_database_mixing_sample_and_own_data_offers_to_remove_the_sample(with_sample):
    """Databases loaded before the sample was removed automatically may hold both."""
    load(with_sample, ("own.xlsx", OWN))
    with_sample.execute("UPDATE uploads SET rolled_back_at = NULL")
    assert store.sample_only_where_real(with_sample) == [1]
    store.rollback(with_sample, *store.sample_only_where_real(with_sample))
    assert store.sample_only_where_real(with_sample) == [] and not store.showing_sample(with_sample)


def test_the_command_line_removes_the_sample_the_same_way(with_sample, tmp_path, capsys):
    path = store.database_file(with_sample)
    with_sample.close()
    own = tmp_path / "own.xlsx"
    own.write_bytes(OWN)

    assert main(["load", str(own), "--db", str(path)]) == 0
    assert main(["load", str(own), "--db", str(path)]) == 0, "a file loaded already is no error"
    assert main(["rollback", "2", "--db", str(path)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "The sample data of Brightside Mind was removed (upload 1 rolled back)."
    assert lines[1] == "Upload 2: own.xlsx: attendance 2 new, 0 corrected"
    assert lines[2].startswith("own.xlsx is already in: it was loaded on ") and lines[2].endswith(
        "Nothing needs doing."
    )
    assert lines[3:5] == ["Upload 2 rolled back; the rows it replaced are current again. Taken out:", lines[4]]
    assert lines[4].startswith("own.xlsx (upload 2, loaded ") and lines[4].endswith(
        "): 2 attendances (sheet 'Register')"
    )
    with store.connect(path) as con:
        assert not store.showing_sample(con) and not store.has_data(con)


@pytest.mark.parametrize(
    ("files", "upload_id", "line"),
    [
        (
            [("june.xlsx", workbook({"Register": [REGISTER, ["P1", "2024-05-01", "Peer", "yes"]]}))],
            1,
            "june.xlsx (upload 1, loaded {when}): 1 attendance (sheet 'Register')",
        ),
        (
            [("q1.xlsx", SAMPLE)],
            1,
            "q1.xlsx (upload 1, loaded {when}): 2 participant profiles (sheet 'People'); 2 attendances "
            "(sheet 'Register')",
        ),
        (
            [
                (
                    "two.xlsx",
                    workbook(
                        {
                            "May": [REGISTER, ["P1", "2024-05-01", "Peer", "yes"]],
                            "June": [REGISTER, ["P1", "2024-06-05", "Peer", "yes"]],
                        }
                    ),
                )
            ],
            1,
            "two.xlsx (upload 1, loaded {when}): 2 attendances (sheets 'May', 'June')",
        ),  # fmt: skip
        (
            [("a.csv", csv_bytes([REGISTER, ["P1", "2024-05-01", "Peer", "yes"]]))],
            1,
            "a.csv (upload 1, loaded {when}): 1 attendance (the CSV file)",
        ),
    ],
)
def test_what_a_rollback_takes_out_is_said_in_words(con, files, upload_id, line):
    load(con, *files)
    [when] = current(con, "SELECT strftime(loaded_at, '%d/%m/%Y %H:%M') FROM uploads")[0]
    assert ingest.describe_uploads(con, [upload_id]) == [line.format(when=when)]


def test_a_rollback_of_an_upload_from_before_sheets_were_recorded_names_the_rows_only(con):
    load(con, ("june.xlsx", workbook({"Register": [REGISTER, ["P1", "2024-05-01", "Peer", "yes"]]})))
    con.execute("UPDATE uploads SET sheets = NULL")
    assert ingest.describe_uploads(con, [1])[0].endswith("): 1 attendance")


# Refusals the ingest tests leave out: a damaged workbook and files in disguise ---------------------


def _damaged() -> bytes:
    data = workbook({"Register": [REGISTER, ["P1", "2024-05-01", "Peer", "yes"]]})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, b"<worksheet" if name.endswith("sheet1.xml") else source.read(name))
    return out.getvalue()


def _zip_of_photos() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("holiday.jpg", b"\xff\xd8\xff")
    return out.getvalue()


GOOD = workbook({"Register": [REGISTER, ["P1", "2024-05-01", "Peer", "yes"]]})


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("cut short.xlsx", GOOD[: len(GOOD) // 2], "damaged or is not really an Excel workbook"),
        ("broken sheet.xlsx", _damaged(), "could not be read as a workbook"),
        ("photos.xlsx", _zip_of_photos(), "could not be read as a workbook"),
        ("renamed.xls", GOOD, "Files of type .xls are not accepted"),
        ("SHOUTING.XLSM", GOOD, "contains macros"),
        ("notes.txt", b"Minutes of the meeting", "Only .xlsx workbooks"),
        ("binary.csv", b"\x00\x01\x02 not text", "not a CSV text file"),
    ],
)
def test_refused_damaged_and_disguised_files(loaded, name, data, said):
    before = snapshot(loaded)
    result = checked(loaded, (name, data))
    [problem] = result.problems
    assert (problem.file, problem.sheet, problem.row) == (name, "", None)
    assert said in problem.expected
    if "CSV" not in said and "Only" not in said:
        assert "Save As › Excel Workbook (.xlsx)" in problem.expected, "says what to do"
    with pytest.raises(UploadRefused):
        ingest.load(loaded, result)
    assert snapshot(loaded) == before
