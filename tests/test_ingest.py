"""Loading the messy spreadsheets people really send, and refusing what must not be loaded, leaving nothing behind."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest

from pipelines import cells, funding, ingest, reach, store
from pipelines.problems import Problem, UploadRefused
from pipelines.query import Filters
from tests.helpers import EXTERNAL, FY24, checked, csv_bytes, current, load, needs_external, snapshot, workbook

D = dt.date
REGISTER_HEADER = ["participant_id", "session_date", "activity", "attended"]
GRANTS_HEADER = ["funder", "title", "amount", "start_date", "end_date"]


def _attendance(con) -> list[tuple]:
    """Stored attendance rows as (Excel row, date, activity, attended), in upload then row order."""
    return current(
        con,
        "SELECT source_row, session_date, activity, attended FROM attendance_history ORDER BY upload_id, source_row",
    )


def _count(con, table: str) -> int:
    return current(con, f"SELECT count(*) FROM {table}")[0][0]


# Messy but valid workbooks -------------------------------------------------------------------------


def test_title_rows_merged_title_and_blank_row_above_the_header(con):
    rows = [
        ["Hope Street Mind: attendance register"],  # merged across A1:D1
        ["Quarter 1, 2024-25", None, None, "Printed 02/07/2024"],
        [],
        REGISTER_HEADER,
        ["P1", "2024-05-01", "Peer group", "yes"],
        ["P2", "2024-05-02", "Peer group", "no"],
    ]
    load(con, ("register.xlsx", workbook({"Register": rows}, merge={"Register": ["A1:D1"]})))
    assert _attendance(con) == [
        (5, D(2024, 5, 1), "Peer group", "attended"),  # Excel row 5: the header is row 4
        (6, D(2024, 5, 2), "Peer group", "did not attend"),
    ]


def test_blank_rows_in_the_middle_are_skipped(con):
    rows = [
        REGISTER_HEADER,
        ["P1", "2024-05-01", "Peer", "yes"],
        [],
        [None, "  ", "", None],
        ["P2", "2024-05-08", "Peer", "yes"],
    ]
    load(con, ("register.xlsx", workbook({"Register": rows})))
    assert [r[0] for r in _attendance(con)] == [2, 5]  # rows 3 and 4 are blank
    assert reach.reach(con, Filters(FY24))["attendances"] == 2


def test_a_trailing_totals_row_is_skipped(con):
    rows = [
        GRANTS_HEADER,
        ["Lottery", "Core", 36500, "2024-04-01", "2025-03-31"],
        ["Council", "Contract", 7300, "2024-04-01", "2025-03-31"],
        ["Total", None, 43800],
    ]
    load(con, ("funding.xlsx", workbook({"Funding": rows})))
    assert _count(con, "funding") == 2
    assert funding.income(con, Filters(FY24)) == pytest.approx(43800)  # 36,500 + 7,300, the total not counted again


def test_header_aliases_and_odd_spellings(con):
    register = [
        ["Client ID", "Date of session", "Group", "Attended?", "Type of activity", "Mode", "Duration"],
        ["P1", "01/05/2024", "Walk and talk", "Y", "Peer support group", "Face to face", 90],
        ["P2", "01/05/2024", "Walk and talk", "DNA", "peer", "zoom", 90],
    ]
    scores = [["Service user ID", "Date completed", "wemwbs total"], ["P1", "01/05/2024", 50]]
    result = checked(con, ("q1.xlsx", workbook({"Register": register, "Scores": scores})))
    assert result.ok, result.problems
    assert [s.kind.name for s in result.files[0].sheets] == ["attendance", "wellbeing"]
    ingest.load(con, result)
    rows = current(con, "SELECT activity, attended, activity_type, delivery, minutes FROM attendance ORDER BY 2")
    assert rows == [
        ("Walk and talk", "attended", "peer support", "in person", 90),
        ("Walk and talk", "did not attend", "peer support", "online", 90),
    ]
    assert current(con, "SELECT measure, score FROM wellbeing") == [("WEMWBS", 50)]


def test_every_way_of_writing_a_date_gives_the_same_date(con):
    rows = [
        REGISTER_HEADER,
        ["P1", "03/04/2025", "Peer", "yes"],  # UK text: day first, so 3 April
        ["P2", "2025-04-03", "Peer", "yes"],  # ISO
        ["P3", dt.datetime(2025, 4, 3), "Peer", "yes"],  # a real Excel date
        ["P4", 45750, "Peer", "yes"],  # Excel serial: 3 Apr 2025 is 45,750 days after 30 Dec 1899
        ["P5", "3 April 2025", "Peer", "yes"],
        ["P6", "03/04/2025 00:00", "Peer", "yes"],
    ]
    load(con, ("dates.xlsx", workbook({"Register": rows})))
    assert current(con, "SELECT DISTINCT session_date FROM attendance") == [(D(2025, 4, 3),)]
    assert _count(con, "attendance") == 6


def test_dates_in_a_csv_are_day_first(con):
    rows = [REGISTER_HEADER, ["P1", "03/04/2025", "Peer", "yes"], ["P2", "45750", "Peer", "yes"]]
    load(con, ("register.csv", csv_bytes(rows)))
    assert current(con, "SELECT DISTINCT session_date FROM attendance") == [(D(2025, 4, 3),)]


def test_participant_ids_stored_as_numbers_link_to_the_same_reference(con):
    people = [["participant_id", "gender"], [1234.0, "woman"], [" 5678 ", "man"]]
    register = [REGISTER_HEADER, ["1234", "2024-05-01", "Peer", "yes"], [5678, "2024-05-01", "Peer", "yes"]]
    load(con, ("q1.xlsx", workbook({"People": people, "Register": register})))
    # a later upload written by another program: the float as text
    load(con, ("q2.csv", csv_bytes([REGISTER_HEADER, ["1234.0", "2024-06-01", "Peer", "yes"]])))
    assert reach.reach(con, Filters(FY24))["reached"] == 2  # 1234 and 5678, each once
    by_gender = dict(reach.reach_by(con, Filters(FY24), "gender").itertuples(index=False, name=None))
    assert by_gender == {"Woman": 1, "Man": 1}  # nobody unlinked ("Not known")
    assert current(con, "SELECT count(DISTINCT participant_id) FROM attendance_history") == [(2,)]


def test_text_likert_answers(con):
    header = ["participant_id", "date", "UCLA-3 Q1", "UCLA-3 Q2", "UCLA-3 Q3", *(f"GAD-7 Q{i}" for i in range(1, 8))]
    row = ["P1", "2024-05-01", "Hardly ever", "SOME OF THE TIME", "3 - Often"]
    row += ["not at all", "Several days", "More than half the days", "Nearly every day", 0, "1", "2 - more than half"]
    load(con, ("pack.csv", csv_bytes([header, row])))
    found = dict(current(con, "SELECT measure, score FROM wellbeing"))
    assert found == {"UCLA-3": 6, "GAD-7": 9}  # 1 + 2 + 3; 0 + 1 + 2 + 3 + 0 + 1 + 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings(con, encoding):
    rows = [REGISTER_HEADER, ["P1", "2024-05-01", "Café group", "yes"], ["P2", "2024-05-01", "Café group", "no"]]
    data = csv_bytes(rows, encoding)
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    assert (b"Caf\xe9" in data) == (encoding == "cp1252")
    load(con, ("register.csv", data))
    # the header's first column is recognised even behind a byte order mark, and é survives every encoding
    assert current(con, "SELECT DISTINCT activity FROM attendance") == [("Café group",)]
    assert _count(con, "attendance") == 2


def test_wellbeing_long_layout(con):
    rows = [
        ["participant_id", "date", "measure", *(f"item_{i}" for i in range(1, 15)), "total"],
        ["P1", "2024-05-01", "CORE-10", *(["Often"] * 10), None, None, None, None, None],
        ["P1", "2024-05-01", "WEMWBS", *([4] * 14), 56],
        ["P2", "2024-05-01", "UCLA 3", *([None] * 14), 5],
        ["P2", "2024-05-01", "PHQ-9", 3, 3, 3, 3, 3, 3, 3, 3, 3, None, None, None, None, None, None],
    ]
    load(con, ("long.xlsx", workbook({"Questionnaires": rows})))
    found = dict(current(con, "SELECT measure, score FROM wellbeing WHERE score IS NOT NULL"))
    assert found == {
        "CORE-10": 26,  # 8 x 3 + items 2 and 3 reversed to 1 each
        "WEMWBS": 56,  # 14 x 4, agreeing with the total
        "SWEMWBS": 25.03,  # derived from the WEMWBS row: short form 7 x 4 = raw 28 -> 25.03
        "UCLA-3": 5,
        "PHQ-9": 27,  # 9 x 3
    }


def test_sheet_kinds_are_recognised_from_headers_not_names_or_order(con):
    book = workbook(
        {
            "Funding": [["participant_id", "date", "WEMWBS total"], ["P1", "2024-05-01", 40]],
            "Attendance": [["participant_id", "gender", "age"], ["P1", "woman", 30]],
            "Sheet3": [REGISTER_HEADER, ["P1", "2024-05-01", "Peer", "yes"]],
            "Participants": [GRANTS_HEADER, ["F", "T", 1, "2024-04-01", ""]],
        }
    )
    result = checked(con, ("odd.xlsx", book))
    assert [s.kind.name for s in result.files[0].sheets] == ["wellbeing", "participants", "attendance", "funding"]
    ingest.load(con, result)
    assert [_count(con, t) for t in ("wellbeing", "participants", "attendance", "funding")] == [1, 1, 1, 1]
    assert current(con, "SELECT age_band FROM participants") == [("25-34",)]  # age 30 banded on load


def test_an_extra_non_data_sheet_is_skipped_with_a_note(con):
    book = workbook(
        {
            "Instructions": [["How to fill in this workbook"], ["Write one row per session."]],
            "Register": [REGISTER_HEADER, ["P1", "2024-05-01", "Peer", "yes"]],
        }
    )
    result = checked(con, ("q1.xlsx", book))
    assert result.ok
    assert "Sheet 'Instructions' does not look like any of the data sheets and was skipped." in result.files[0].notes
    ingest.load(con, result)
    assert "Instructions" in current(con, "SELECT notes FROM uploads")[0][0]
    assert _count(con, "attendance") == 1


def test_extra_columns_are_ignored_and_listed(con):
    rows = [REGISTER_HEADER + ["Facilitator", "Comments"], ["P1", "2024-05-01", "Peer", "yes", "Sam", "Good session"]]
    result = checked(con, ("q1.xlsx", workbook({"Register": rows})))
    assert result.ok
    notes = " ".join(result.files[0].notes)
    assert "'Facilitator', 'Comments'" in notes and "not stored" in notes
    ingest.load(con, result)
    stored = {c for (c,) in current(con, "SELECT column_name FROM information_schema.columns")}
    assert not stored & {"Facilitator", "Comments", "facilitator", "comments"}
    cells = current(con, "SELECT * FROM attendance_history")[0]
    assert "Sam" not in cells and "Good session" not in cells


def test_identical_duplicate_rows_count_once(con):
    rows = [REGISTER_HEADER, ["P1", "2024-05-01", "Peer", "yes"], ["P1", "01/05/2024", "Peer", "Attended"]]
    load(con, ("q1.xlsx", workbook({"Register": rows})))
    assert _count(con, "attendance_history") == 1  # the same row written two ways
    assert reach.reach(con, Filters(FY24))["attendances"] == 1


def test_a_second_upload_replaces_rows_and_a_rollback_restores_them(con):
    first = [REGISTER_HEADER, ["P1", "2024-05-01", "Peer", "yes"], ["P2", "2024-05-01", "Peer", "yes"]]
    [first_id] = load(con, ("q1.xlsx", workbook({"Register": first})))
    second = [REGISTER_HEADER, ["P1", "2024-05-01", "Peer", "DNA"], ["P3", "2024-05-01", "Peer", "yes"]]
    result = checked(con, ("q1 corrected.xlsx", workbook({"Register": second})))
    # P1's row replaces the first upload's with a different value; P3 is new
    assert result.files[0].changes == {"attendance": {"rows": 2, "new": 1, "replaced": 1, "changed": 1}}
    [second_id] = ingest.load(con, result)
    f = Filters(FY24)
    assert reach.reach(con, f) == {
        "reached": 2,  # P2 and P3; P1 is now a DNA
        "new": 2,
        "attendances": 2,
        "did_not_attend": 1,
        "sessions_delivered": 1,
    }
    store.rollback(con, second_id)
    assert reach.reach(con, f)["reached"] == 2  # P1 and P2 again
    assert reach.reach(con, f)["did_not_attend"] == 0  # P1's "yes" is current again
    assert _count(con, "attendance") == 2 and _count(con, "attendance_history") == 4  # nothing deleted
    with pytest.raises(ValueError, match="already rolled back"):
        store.rollback(con, second_id)
    store.rollback(con, first_id)
    assert _count(con, "attendance") == 0
    assert not store.has_data(con)


def test_a_file_already_loaded_is_not_a_problem_and_loads_nothing_until_rolled_back(con):
    data = workbook({"Register": [REGISTER_HEADER, ["P1", "2024-05-01", "Peer", "yes"]]})
    assert load(con, ("q1.xlsx", data)) == [1]
    when = current(con, "SELECT strftime(loaded_at, '%d/%m/%Y %H:%M') FROM uploads")[0][0]
    before = snapshot(con)
    result = checked(con, ("q1 again.xlsx", data))
    assert result.ok and result.files == []
    assert result.already_in == [
        f"q1 again.xlsx is already in: it was loaded on {when} (upload 1). Nothing needs doing."
    ]
    assert ingest.load(con, result) == []
    assert snapshot(con) == before
    store.rollback(con, 1)
    assert load(con, ("q1 again.xlsx", data)) == [2]
    assert _count(con, "attendance") == 1


def test_the_same_file_twice_in_one_batch_is_loaded_once(con):
    data = workbook({"Register": [REGISTER_HEADER, ["P1", "2024-05-01", "Peer", "yes"]]})
    result = checked(con, ("a.xlsx", data), ("copy of a.xlsx", data))
    assert result.ok and [f.name for f in result.files] == ["a.xlsx"]
    assert result.already_in == ["copy of a.xlsx is the same file as a.xlsx, chosen twice: it is loaded once. "
                                 "Nothing needs doing."]  # fmt: skip
    assert ingest.load(con, result) == [1]


def test_a_new_file_beside_one_already_loaded_loads_alone(con):
    old = workbook({"Register": [REGISTER_HEADER, ["P1", "2024-05-01", "Peer", "yes"]]})
    new = workbook({"Register": [REGISTER_HEADER, ["P2", "2024-05-01", "Peer", "yes"]]})
    load(con, ("old.xlsx", old))
    result = checked(con, ("old.xlsx", old), ("new.xlsx", new))
    assert result.ok and [f.name for f in result.files] == ["new.xlsx"] and len(result.already_in) == 1
    assert ingest.load(con, result) == [2]
    assert _count(con, "attendance") == 2


def test_each_file_of_a_batch_is_its_own_upload(con):
    a = workbook({"Register": [REGISTER_HEADER, ["P1", "2024-05-01", "Peer", "yes"]]})
    b = csv_bytes([REGISTER_HEADER, ["P2", "2024-05-01", "Peer", "yes"]])
    assert load(con, ("a.xlsx", a), ("b.csv", b)) == [1, 2]
    listed = store.uploads(con)
    assert list(listed["file_name"]) == ["b.csv", "a.xlsx"]  # newest first
    store.rollback(con, 2)
    assert current(con, "SELECT count(*) FROM attendance") == [(1,)]  # only b.csv's row is hidden


# Refusals: every problem named, nothing written ----------------------------------------------------


def assert_refused(con, *files: tuple[str, bytes]) -> list[Problem]:
    """Check that the files are refused and that the database is exactly as it was; returns the problems."""
    before = snapshot(con)
    result = ingest.check(con, list(files))
    assert result.problems, "expected the upload to be refused"
    with pytest.raises(UploadRefused) as refused:
        ingest.load(con, result)
    assert refused.value.problems == result.problems
    assert snapshot(con) == before
    return result.problems


def assert_at(problem: Problem, sheet: str, row: int, column: str) -> None:
    """The problem names the sheet, the Excel row and the column, and says so when printed."""
    assert (problem.sheet, problem.row, problem.column) == (sheet, row, column)
    shown = str(problem)
    assert f"sheet {sheet!r}" in shown and f"row {row}" in shown and column in shown


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("31/02/2025", "The date 31/02/2025 does not exist: February has no 31st."),
        ("30/02/2024", "The date 30/02/2024 does not exist: February has no 30th."),
        ("29/02/2025", "The date 29/02/2025 does not exist: 2025 is not a leap year, so February has 28 days."),
        ("29/02/23", "The date 29/02/23 does not exist: 2023 is not a leap year, so February has 28 days."),
        ("31/04/2025", "The date 31/04/2025 does not exist: April has no 31st."),
        ("31.06.2025", "The date 31.06.2025 does not exist: June has no 31st."),
        ("31 September 2025", "The date 31 September 2025 does not exist: September has no 31st."),
        ("29-Feb-2025", "The date 29-Feb-2025 does not exist: 2025 is not a leap year, so February has 28 days."),
        ("2025-02-29", "The date 2025-02-29 does not exist: 2025 is not a leap year, so February has 28 days."),
        ("31/02/2025 09:30", "The date 31/02/2025 does not exist: February has no 31st."),
        ("32/01/2025", "The date 32/01/2025 does not exist: no month has more than 31 days."),
        ("00/01/2025", "The date 00/01/2025 does not exist: there is no day 0."),
        ("13/13/2025", "The date 13/13/2025 does not exist: there is no month 13."),
        (
            "12/31/2025",
            "The date 12/31/2025 does not exist: there is no month 31; dates are read day first, so for "
            "31 December 2025 write 31/12/2025.",
        ),
        ("next Tuesday", "Expected a date, written day first like 03/04/2025, or 2025-04-03, or an Excel date."),
    ],
)
def test_an_impossible_date_says_why_it_does_not_exist(written, said):
    with pytest.raises(cells.CellError) as refused:
        cells.date(written)
    assert refused.value.sentence() == said


@pytest.mark.parametrize(
    ("written", "day"),
    [("29/02/2024", D(2024, 2, 29)), ("29/02/2000", D(2000, 2, 29)), ("31/12/2025", D(2025, 12, 31))],
)
def test_a_real_date_is_accepted(written, day):
    assert cells.date(written) == day


def test_an_impossible_date_in_a_sheet_is_one_problem_saying_why(loaded):
    rows = [REGISTER_HEADER, ["P1", "2024-05-01", "Peer", "yes"], ["P2", "29/02/2025", "Peer", "yes"]]
    [problem] = assert_refused(loaded, ("q2.xlsx", workbook({"Register": rows})))
    assert_at(problem, "Register", 3, 'B "session_date"')
    assert problem.expected == "The date 29/02/2025 does not exist: 2025 is not a leap year, so February has 28 days."


@pytest.mark.parametrize("bad", ["31/02/2025", "next Tuesday", "2025-13-01", "1066-10-14"])
def test_refused_bad_date(loaded, bad):
    rows = [REGISTER_HEADER, ["P1", "2024-05-01", "Peer", "yes"], ["P2", bad, "Peer", "yes"]]
    [problem] = assert_refused(loaded, ("q2.xlsx", workbook({"Register": rows})))
    assert_at(problem, "Register", 3, 'B "session_date"')
    assert problem.value == bad
    assert "date" in problem.expected


def test_refused_unknown_answer_word(loaded):
    header = ["participant_id", "date", *(f"WEMWBS Q{i}" for i in range(1, 15))]
    rows = [header, ["P3", "2024-05-01", *(["Often"] * 4), "Sometimes", *(["Often"] * 9)]]
    [problem] = assert_refused(loaded, ("scores.xlsx", workbook({"WEMWBS": rows})))
    assert_at(problem, "WEMWBS", 2, 'G "WEMWBS Q5"')
    assert problem.value == "Sometimes"
    assert "none of the time, rarely, some of the time, often, all of the time" in problem.expected


def test_refused_answer_out_of_range(loaded):
    header = ["participant_id", "date", *(f"WEMWBS Q{i}" for i in range(1, 15))]
    rows = [header, ["P3", "2024-05-01", *([3] * 13), 6]]
    [problem] = assert_refused(loaded, ("scores.xlsx", workbook({"WEMWBS": rows})))
    assert_at(problem, "WEMWBS", 2, 'P "WEMWBS Q14"')
    assert problem.value == "6" and "from 1 to 5" in problem.expected


@pytest.mark.parametrize(
    ("header", "total", "expected"), [("WEMWBS total", 71, "14 to 70"), ("CORE-10 total", -1, "0 to 40")]
)
def test_refused_total_out_of_range(loaded, header, total, expected):
    rows = [["participant_id", "date", header], ["P3", "2024-05-01", 40], ["P3", "2024-06-01", total]]
    [problem] = assert_refused(loaded, ("scores.xlsx", workbook({"Totals": rows})))
    assert_at(problem, "Totals", 3, f'C "{header}"')
    assert expected in problem.expected


def test_refused_items_that_disagree_with_the_total(loaded):
    header = ["participant_id", "date", *(f"PHQ-9 Q{i}" for i in range(1, 10)), "PHQ-9 total"]
    rows = [header, ["P3", "2024-05-01", *([1] * 9), 10]]
    [problem] = assert_refused(loaded, ("scores.xlsx", workbook({"PHQ": rows})))
    assert_at(problem, "PHQ", 2, 'L "PHQ-9 total"')
    assert "add up to 9, not 10" in problem.expected  # 9 x 1


def test_refused_conflicting_duplicate_rows_names_both(loaded):
    rows = [REGISTER_HEADER, ["P3", "2024-05-01", "Peer", "yes"], ["P4", "2024-05-01", "Peer", "yes"]]
    rows.append(["P3", "01/05/2024", "Peer", "no"])  # row 2's person and session again, not attended this time
    [problem] = assert_refused(loaded, ("q2.xlsx", workbook({"Register": rows})))
    assert (problem.sheet, problem.row) == ("Register", 4)
    assert "as row 2" in problem.expected and "values differ" in problem.expected


def test_refused_conflicting_duplicates_across_sheets(loaded):
    a = [REGISTER_HEADER, ["P3", "2024-05-01", "Peer", "yes"]]
    b = [REGISTER_HEADER, ["P9", "2024-05-02", "Peer", "yes"], ["P3", "2024-05-01", "Peer", "no"]]
    [problem] = assert_refused(loaded, ("q2.xlsx", workbook({"May": a, "June": b})))
    assert (problem.sheet, problem.row) == ("June", 3)
    assert "as row 2 of sheet 'May'" in problem.expected


def test_refused_unknown_ethnicity_lists_the_accepted_groups(loaded):
    rows = [["participant_id", "ethnicity"], ["P3", "Asian: Pakistani"], ["P4", "Martian"], ["P5", "Martian"]]
    problems = assert_refused(loaded, ("people.xlsx", workbook({"People": rows})))
    assert [(p.sheet, p.row, p.column, p.value) for p in problems] == [
        ("People", 3, 'B "ethnicity"', "Martian"),
        ("People", 4, 'B "ethnicity"', "Martian"),
    ]
    for group in ("Asian: Bangladeshi", "Black: Caribbean", "Mixed: White and Asian", "White: Roma", "Other: Arab"):
        assert group in problems[0].expected


@pytest.mark.parametrize("measure", ["Wellbeing scale", None])
def test_refused_long_layout_row_without_a_known_measure(loaded, measure):
    rows = [
        ["participant_id", "date", "measure", "item_1", "item_2", "item_3"],
        ["P3", "2024-05-01", "UCLA-3", 1, 2, 3],
        ["P4", "2024-05-01", measure, 1, 2, 3],  # answers that belong to no measure must not vanish
        ["P5", "2024-05-01", None, None, None, None],  # nothing answered: skipped, not refused
    ]
    [problem] = assert_refused(loaded, ("long.xlsx", workbook({"Long": rows})))
    assert_at(problem, "Long", 3, 'C "measure"')
    assert "Expected one of the measures: WEMWBS, SWEMWBS, CORE-10" in problem.expected


def test_refused_unknown_attended_value(loaded):
    rows = [REGISTER_HEADER, ["P3", "2024-05-01", "Peer", "maybe"]]
    [problem] = assert_refused(loaded, ("q2.xlsx", workbook({"Register": rows})))
    assert_at(problem, "Register", 2, 'D "attended"')
    assert "attended" in problem.expected and "cancelled" in problem.expected


def test_refused_missing_participant_id(loaded):
    rows = [REGISTER_HEADER, ["P3", "2024-05-01", "Peer", "yes"], [None, "2024-05-01", "Peer", "yes"]]
    [problem] = assert_refused(loaded, ("q2.xlsx", workbook({"Register": rows})))
    assert_at(problem, "Register", 3, 'A "participant_id"')


@pytest.mark.parametrize(
    ("header", "what"),
    [
        ("Name", "a name"),
        ("Email", "an email address"),
        ("Date of birth", "a date of birth"),
        ("NHS number", "an NHS number"),
        ("Postcode", "a full postcode"),
        ("Mobile", "a phone number"),
        ("Home address", "an address"),
    ],
)
def test_refused_personal_data_by_header(loaded, header, what):
    rows = [["Register, May"], REGISTER_HEADER + [header], ["P3", "2024-05-01", "Peer", "yes", None]]
    [problem] = assert_refused(loaded, ("q2.xlsx", workbook({"Register": rows})))
    assert_at(problem, "Register", 2, f'E "{header}"')  # the header row
    assert f"holds {what}" in problem.expected
    assert "postcode district" in problem.expected and "age band" in problem.expected  # what to send instead


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("call back: jo.bloggs@example.org", "an email address"),
        ("moved to DY1 4AB", "a full postcode"),
        (9434765919, "an NHS number"),  # 10 digits with a valid modulus 11 check digit
        ("943 476 5919", "an NHS number"),
        ("07700 900123", "a phone number"),
        ("+44 1384 123456", "a phone number"),
    ],
)
def test_refused_personal_data_by_value(loaded, value, what):
    rows = [
        REGISTER_HEADER + ["Notes"],
        ["P3", "2024-05-01", "Peer", "yes", "first visit"],
        ["P4", "2024-05-01", "Peer", "yes", None],
        ["P5", "2024-05-01", "Peer", "yes", value],  # the first offending row
        ["P6", "2024-05-01", "Peer", "yes", value],
    ]
    [problem] = assert_refused(loaded, ("q2.xlsx", workbook({"Register": rows})))
    assert_at(problem, "Register", 4, 'E "Notes"')
    assert f"holds {what}" in problem.expected


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Email", None),
        ("Date of birth", "01/02/1990"),
        ("Notes", "call jo.bloggs@example.org"),
        ("Contact", "07700 900123"),
    ],
)
def test_a_column_refused_as_personal_data_is_never_offered_for_mapping(con, header, value):
    rows = [REGISTER_HEADER + [header, "Venue notes"], ["P3", "2024-05-01", "Peer", "yes", value, "side door"]]
    [sheet] = checked(con, ("q2.xlsx", workbook({"Register": rows}))).files[0].sheets
    assert [p.column for p in sheet.problems] == [f'E "{header}"']
    assert sheet.ignored_columns == ["Venue notes"]


def test_personal_data_in_a_people_sheet_is_refused_in_a_csv_too(loaded):
    rows = [["participant_id", "gender", "Email"], ["P3", "woman", "a@b.org"]]
    [problem] = assert_refused(loaded, ("people.csv", csv_bytes(rows)))
    assert (problem.file, problem.row, problem.column) == ("people.csv", 1, 'C "Email"')


def test_a_ten_digit_number_failing_the_nhs_check_is_not_personal_data(con):
    rows = [REGISTER_HEADER + ["Booking ref"], ["P1", "2024-05-01", "Peer", "yes", 9434765918]]
    load(con, ("q1.xlsx", workbook({"Register": rows})))  # check digit would be 9, not 8
    assert _count(con, "attendance") == 1


def _file_problem(problems: list[Problem], name: str) -> Problem:
    [problem] = problems
    assert (problem.file, problem.sheet, problem.row) == (name, "", None)
    return problem


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the start of every old-style Office file


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("q2.xlsx", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n", ["not really an Excel workbook"]),
        ("q2.csv", b"", ["empty"]),
        ("old.xls", OLE + bytes(504), [".xls", "Save As"]),
        ("old.xlsx", OLE + bytes(504), [".xls", "Save As"]),
        ("locked.xlsx", OLE + bytes(200) + "EncryptedPackage".encode("utf-16-le") + bytes(200), ["password"]),
        ("q2.ods", b"PK\x03\x04 not really", [".ods"]),
    ],
    ids=["not a spreadsheet", "empty", "old xls", "old xls named xlsx", "password-protected", "other file type"],
)
def test_refused_a_file_that_cannot_be_read(loaded, name, data, expected):
    problem = _file_problem(assert_refused(loaded, (name, data)), name)
    assert [words for words in expected if words not in problem.expected] == []


def _with_macros(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr("xl/vbaProject.bin", b"Attribute VB_Name")
    return out.getvalue()


@pytest.mark.parametrize(("name", "macros"), [("q2.xlsm", False), ("q2.xlsx", True)])
def test_refused_a_workbook_with_macros(loaded, name, macros):
    data = workbook({"Register": [REGISTER_HEADER, ["P3", "2024-05-01", "Peer", "yes"]]})
    problem = _file_problem(assert_refused(loaded, (name, _with_macros(data) if macros else data)), name)
    assert "macros" in problem.expected


def test_refused_when_no_sheet_is_recognised(loaded):
    book = workbook({"Notes": [["Minutes of the trustees' meeting"], ["Apologies", "none"]], "Sheet2": []})
    problems = assert_refused(loaded, ("notes.xlsx", book))
    problem = _file_problem(problems, "notes.xlsx")
    assert "No data sheet was recognised" in problem.expected and "session_date" in problem.expected


@pytest.mark.parametrize(
    "header",
    [
        ["Client ID", "Group", "Attended?"],
        ["participant_id", "activity", "attended", "venue", "minutes"],
    ],
)
def test_refused_attendance_without_a_session_date_column(loaded, header):
    rows = [["Register"], header, ["P3", "Peer", "yes", "Hall", 60][: len(header)]]
    [problem] = assert_refused(loaded, ("q2.xlsx", workbook({"Register": rows})))
    assert (problem.sheet, problem.row) == ("Register", 2)  # the header row
    assert "attendance sheet" in problem.expected
    assert "session date" in problem.expected


def test_refused_funding_that_ends_before_it_starts(loaded):
    rows = [GRANTS_HEADER, ["Lottery", "Core", 1000, "2025-04-01", "2025-03-31"]]
    [problem] = assert_refused(loaded, ("money.xlsx", workbook({"Grants": rows})))
    assert (problem.sheet, problem.row) == ("Grants", 2)
    assert "end date on or after the start date" in problem.expected


def test_refused_batch_loads_nothing_from_the_good_file_either(loaded):
    good = workbook({"Register": [REGISTER_HEADER, ["P7", "2024-06-01", "Peer", "yes"]]})
    bad = workbook({"Register": [REGISTER_HEADER, ["P8", "31/02/2025", "Peer", "yes"]]})
    problems = assert_refused(loaded, ("good.xlsx", good), ("bad.xlsx", bad))
    assert [(p.file, p.row) for p in problems] == [("bad.xlsx", 2)]
    assert current(loaded, "SELECT file_name FROM uploads") == [("base.xlsx",)]


def test_every_problem_of_every_file_is_reported(loaded):
    a = workbook({"Register": [REGISTER_HEADER, ["P7", "next Tuesday", "Peer", "yes"], ["P8", "2024-06-01", "", "y"]]})
    b = csv_bytes([["participant_id", "gender"], ["P7", "sometimes"]])
    problems = assert_refused(loaded, ("a.xlsx", a), ("b.csv", b))
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("a.xlsx", 2, 'B "session_date"'),
        ("a.xlsx", 3, 'C "activity"'),  # a required cell left blank
        ("b.csv", 2, 'B "gender"'),
    ]


# The real public files in ../shared/external --------------------------------------------------------

WEMWBS_CSV = EXTERNAL / "wemwbs_real" / "db_wemwbs_slo.csv"


def _real_wemwbs() -> list[dict[str, str]]:
    with WEMWBS_CSV.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@needs_external(WEMWBS_CSV)
@pytest.mark.parametrize("with_totals", [False, True])
def test_real_wemwbs_questionnaires(con, with_totals):
    source = _real_wemwbs()
    assert len(source) == 470
    header = ["participant_id", "date", *(f"WEMWBS Q{i}" for i in range(1, 15))]
    header += ["WEMWBS total"] if with_totals else []
    rows = [header]
    for n, answers in enumerate(source, 1):
        items = [None if answers[f"WEMWBS{c}"] == "-1" else int(answers[f"WEMWBS{c}"]) for c in "abcdefghijklmn"]
        total = [float(answers["WEMWBS_total"]) if answers["WEMWBS_total"] else None] if with_totals else []
        rows.append([f"SLO-{n:03d}", "2024-05-01", *items, *total])
    load(con, ("slovene.xlsx", workbook({"WEMWBS": rows})))
    scored = dict(current(con, "SELECT source_row, score FROM wellbeing_history WHERE measure = 'WEMWBS'"))
    authors = {n + 1: answers["WEMWBS_total"] for n, answers in enumerate(source, 1)}  # Excel row = n + 1
    same = [row for row, total in authors.items() if total and scored.get(row) == float(total)]
    unscored = [row for row in authors if scored.get(row) is None]
    assert len(same) == 464
    assert len(unscored) == 6  # 4 with a missing answer, 2 with none at all
    assert all(authors[row] == "" for row in unscored)  # the authors gave no total for exactly these
    notes = current(con, "SELECT notes FROM uploads")[0][0]
    assert "4 questionnaires" in notes  # the 2 blank questionnaires are not counted as having a missing answer


GRANT_FILES = [
    "fundingproviders_grants_2_grants.csv",  # UTF-8
    "fundingproviders-grants_2_grants_cp1252.csv",  # Windows-1252, with € in the identifiers
    "fundingproviders-grants_2_grants.xlsx",  # cells padded with trailing spaces
]


@needs_external(EXTERNAL / "360giving")
@pytest.mark.parametrize("name", GRANT_FILES)
def test_real_360giving_grants(con, name):
    data = (EXTERNAL / "360giving" / name).read_bytes()
    result = checked(con, (name, data))
    assert result.ok, [str(p) for p in result.problems]  # applicant names are ignored, not refused
    notes = " ".join(result.files[0].notes)
    assert "'Full name of applicant'" in notes and "'Surname of applicant'" in notes
    assert "no end date" in notes  # the end comes from Planned Dates:Duration (months)
    ingest.load(con, result)
    grants = current(con, "SELECT funder, title, amount, start_date, end_date, status FROM funding ORDER BY amount")
    assert [(g[0], g[1].rstrip("."), g[2:]) for g in grants] == [
        # Award Date 24/07/2014 is day first; 30 months on is 24 Jan 2017, so the last day is 23 Jan 2017
        ("Funding Providers UK", "Title A", (152505, D(2014, 7, 24), D(2017, 1, 23), "secured")),
        # 25 months on from 24 Jul 2014 is 24 Aug 2016
        ("Funding Providers UK", "Title B", (178990, D(2014, 7, 24), D(2016, 8, 23), "secured")),
    ]
    assert current(con, "SELECT sum(amount) FROM funding") == [(152505 + 178990,)]  # 331,495
    if "cp1252" in name:
        assert current(con, "SELECT count(*) FROM funding WHERE identifier LIKE '%€%'") == [(2,)]
    stored = " ".join(str(v) for row in current(con, "SELECT * FROM funding_history") for v in row)
    assert "Jane Roe" not in stored and "Roe" not in stored


def test_blank_optional_cells_mean_not_recorded(con):
    register = [
        ["participant_id", "session_date", "activity", "activity_type", "delivery", "attended"],
        ["P1", "2024-05-01", "Peer", "peer support", "online", "yes"],
        ["P2", "2024-05-01", "Peer", None, "", "yes"],  # type and delivery left blank
    ]
    grants = [
        ["funder", "title", "amount", "start_date", "end_date", "restricted", "status"],
        ["Lottery", "Core", 1200, "2024-04-01", "2025-03-31", None, None],
    ]
    load(con, ("q1.xlsx", workbook({"Register": register, "Grants": grants})))
    found = con.execute("SELECT activity_type, delivery FROM attendance ORDER BY activity_type NULLS LAST").fetchall()
    assert found == [("peer support", "online"), (None, None)]
    # a blank 'restricted' is unrestricted; a blank status is secured (docs/data-contract.md#funding)
    assert con.execute("SELECT restricted, status FROM funding").fetchall() == [(False, "secured")]


def test_refused_a_blank_attended_cell(loaded):
    rows = [["participant_id", "session_date", "activity", "attended"], ["P9", "2024-05-01", "Peer", None]]
    [problem] = assert_refused(loaded, ("q2.xlsx", workbook({"Register": rows})))
    assert (problem.sheet, problem.row, problem.column) == ("Register", 2, 'D "attended"')
    assert "must be filled in" in problem.expected


@pytest.mark.parametrize(
    ("row", "column", "value", "expected"),
    [
        (["A", "Core", 1000, "2025-04-01", "2025-03-01"], 'E "end"', "2025-03-01", "an end date on or after the start"),
        (["B", "Core", -500, "2025-04-01", "2026-03-31"], 'C "amount"', "-500", "an amount of 0 or more"),
        (["C", "Core", 1000, None, "2026-03-31"], 'D "start"', "", "a start date (or an award date)"),
    ],
)
def test_a_funding_line_that_cannot_be_right_names_its_column(con, row, column, value, expected) -> None:
    sheet = [["funder", "title", "amount", "start", "end"], row]
    (problem,) = ingest.check(con, [("grants.xlsx", workbook({"Funding": sheet}))]).problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("Funding", 2, column, value)
    assert expected in problem.expected


def test_the_preview_counts_a_batch_as_its_load_will(con) -> None:
    # b.xlsx corrects 5 rows that a.xlsx, earlier in the same batch, adds: the preview says so, as the history will
    header = ["participant_id", "session_date", "activity", "attended"]
    first = [header, *([f"P{i}", "2025-05-01", "Peer", "yes"] for i in range(10))]
    second = [header, *([f"P{i}", "2025-05-01", "Peer", "no"] for i in range(5)), ["Q", "2025-05-01", "Peer", "yes"]]
    before = snapshot(con)
    result = ingest.check(con, [("a.xlsx", workbook({"Register": first})), ("b.xlsx", workbook({"Register": second}))])
    said = [ingest.describe_changes(item.changes) for item in result.files]
    assert said == ["10 attendances added", "1 attendance added, 5 corrected"]
    assert snapshot(con) == before, "working the counts out changes nothing"
    ingest.load(con, result)
    counts = con.execute("SELECT row_counts FROM uploads ORDER BY upload_id").fetchall()
    assert [ingest.describe_changes(json.loads(c)) for (c,) in counts] == said
