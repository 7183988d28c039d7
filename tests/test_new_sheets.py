"""The goals, activities, feedback and volunteering sheets: how they are recognised, what is refused and why, what
is never stored, and how feedback responses without a participant ID are kept."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines import ingest, privacy
from pipelines.validate import read_sheet
from pipelines.workbook import Grid
from tests.helpers import checked, current, load, workbook

D = dt.date
GOALS = ["Participant ID", "Goal number", "Date", "Rating", "Goal area"]
FEEDBACK = ["Date", "Activity", "FFT answer", "Participant ID"]
VOLUNTEERING = ["Month", "Activity", "Volunteers", "Hours", "Lived experience"]
ACTIVITIES = ["Activity", "Type", "Five ways", "Peer led", "Delivery"]
FIVE_WAYS = "Connect, Be active, Take notice, Keep learning, Give"


def kind_of(rows: list[list]) -> str | None:
    sheet = read_sheet(Grid("f.xlsx", "Sheet1", rows))
    return sheet.kind.name if sheet.kind else None


# Recognising each sheet -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (["Activity", "Type", "Five ways", "Peer led", "Delivery"], "activities"),  # not attendance: no people
        (["Activity name", "Five Ways to Wellbeing", "Peer-led?"], "activities"),
        (["Group", "Session type", "Ways to wellbeing", "Led by peers", "Mode"], "activities"),
        (["Month", "Activity", "Volunteers", "Hours"], "volunteering"),  # not expenditure
        (["Month starting", "Project", "Number of volunteers", "Volunteer hours", "With lived experience"],
         "volunteering"),
        (["Month", "Activity", "Amount"], "expenditure"),  # spending still is
        (["Month", "Cost centre", "Spend"], "expenditure"),
        (["Client ID", "Goal no", "Goal", "Review date", "Rating", "Goal area"], "goals"),
        (["Service user ID", "Goal number", "Date rated", "Progress rating", "Service"], "goals"),
        (["Participant ID", "Goal ID", "Session date", "GBO score"], "goals"),  # not attendance
        (["Date", "Group", "FFT response", "Comments"], "feedback"),
        (["Response date", "Service", "Overall, how was your experience of our service?"], "feedback"),
        (["Date", "Activity", "Friends and Family Test", "Client ref"], "feedback"),  # not attendance
        (["Participant ID", "Session date", "Activity", "Attended", "Five ways"], "attendance"),
        (["Participant ID", "Date", "WEMWBS total"], "wellbeing"),
    ],
)  # fmt: skip
def test_each_sheet_is_recognised_from_the_headers_people_use(header, kind):
    assert kind_of([header]) == kind


# Refusals: sheet, Excel row, column and what to do ----------------------------------------------------

REFUSED = [
    ("goal number 4", GOALS, ["P1", 4, "2025-05-01", 5, "Mood"], 'B "Goal number"', "4",
     "Expected a whole number from 1 to 3."),
    ("rating 11", GOALS, ["P1", 1, "2025-05-01", 11, "Mood"], 'D "Rating"', "11",
     "Expected a whole number from 0 to 10."),
    ("rating 7.5", GOALS, ["P1", 1, "2025-05-01", 7.5, "Mood"], 'D "Rating"', "7.5",
     "Expected a whole number from 0 to 10."),
    ("unknown goal area", GOALS, ["P1", 1, "2025-05-01", 5, "Hobbies"], 'E "Goal area"', "Hobbies",
     "Expected one of: Relationships, Work or learning, Managing mood, Daily living, Physical health, "
     "Housing or money, Other."),
    ("goal without a date", GOALS, ["P1", 1, None, 5, "Mood"], 'C "Date"', "", "This cell must be filled in."),
    ("unknown FFT answer", FEEDBACK, ["2025-05-01", "Peer group", "Brilliant", None], 'C "FFT answer"', "Brilliant",
     "Expected one of: Very good, Good, Neither good nor poor, Poor, Very poor, Don't know."),
    ("FFT code 7", FEEDBACK, ["2025-05-01", "Peer group", 7, None], 'C "FFT answer"', "7",
     "Expected one of: Very good, Good, Neither good nor poor, Poor, Very poor, Don't know."),
    ("response without an answer", FEEDBACK, ["2025-05-01", "Peer group", None, None], 'C "FFT answer"', "",
     "This cell must be filled in."),
    ("month Smarch 2025", VOLUNTEERING, ["Smarch 2025", "Peer group", 3, 10, 1], 'A "Month"', "Smarch 2025",
     "Expected a month, such as April 2025, Apr-25, 2025-04, 04/2025 or any date in the month."),
    ("month 13/2025", VOLUNTEERING, ["13/2025", "Peer group", 3, 10, 1], 'A "Month"', "13/2025",
     "Expected a month, such as April 2025, Apr-25, 2025-04, 04/2025 or any date in the month."),
    ("negative hours", VOLUNTEERING, ["April 2025", "Peer group", 3, -5, 1], 'D "Hours"', "-5",
     "Expected a number from 0 to 10,000,000."),
    ("half a volunteer", VOLUNTEERING, ["April 2025", "Peer group", 2.5, 5, 1], 'C "Volunteers"', "2.5",
     "Expected a whole number from 0 to 100,000."),
    ("lived experience over volunteers", VOLUNTEERING, ["April 2025", "Peer group", 3, 10, 4],
     'E "Lived experience"', "4", "Expected at most the number of volunteers (3) to have lived experience."),
    ("volunteering without hours", VOLUNTEERING, ["April 2025", "Peer group", 3, None, 1], 'D "Hours"', "",
     "This cell must be filled in."),
    ("ways Connect, Dance", ACTIVITIES, ["Peer group", "peer support", "Connect, Dance", "yes", "in person"],
     'C "Five ways"', "Connect, Dance",
     f"Expected one or more of the Five Ways to Wellbeing ({FIVE_WAYS}), separated by commas."),
    ("peer led maybe", ACTIVITIES, ["Peer group", "peer support", "Connect", "maybe", "in person"], 'D "Peer led"',
     "maybe", "Expected one of: yes, no."),
    ("activity without a name", ACTIVITIES, [None, "peer support", "Connect", "yes", "in person"], 'A "Activity"',
     "", "This cell must be filled in."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "bad", "column", "value", "expected"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_a_bad_value_is_refused_with_its_sheet_row_column_and_what_to_write(con, header, bad, column, value, expected):
    good = {
        "Participant ID": "P1", "Goal number": 2, "Date": "2025-05-01", "Rating": 4, "Goal area": "Mood",
        "Activity": "Peer group", "FFT answer": "Good", "Month": "May 2025", "Volunteers": 3, "Hours": 10,
        "Lived experience": 1, "Type": "course", "Five ways": "Connect", "Peer led": "no", "Delivery": "online",
    }  # fmt: skip
    rows = [header, [good[h] for h in header], bad]  # row 2 good, row 3 bad
    result = checked(con, ("return.xlsx", workbook({"June": rows})))
    assert [(p.file, p.sheet, p.row, p.column, p.value, p.expected) for p in result.problems] == [
        ("return.xlsx", "June", 3, column, value, expected)
    ]


def test_a_refused_sheet_loads_nothing(con):
    rows = [VOLUNTEERING, ["April 2025", "Peer group", 3, 10, 1], ["May 2025", "Peer group", 3, 10, 4]]
    assert not checked(con, ("v.xlsx", workbook({"V": rows}))).ok
    assert current(con, "SELECT count(*) FROM volunteering_history") == [(0,)]


# Words that are never stored ------------------------------------------------------------------------

GOAL_WORDS = "Walk to my sister's house on my own"
COMMENT = "Jo on reception was lovely"


def stored_text(con) -> str:
    """Every value of every column of every table in the database, as text."""
    columns = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_name IN "
        "(SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE')"
    ).fetchall()
    return " ".join(
        str(value)
        for table, column in columns
        for (value,) in con.execute(f'SELECT CAST("{column}" AS VARCHAR) FROM "{table}"').fetchall()
    )


@pytest.mark.parametrize(
    ("kind", "rows", "words", "note"),
    [
        (
            "goals",
            [["Client ID", "Goal no", "Goal", "Date", "Rating"], ["P1", 1, GOAL_WORDS, "2025-05-01", 2]],
            GOAL_WORDS,
            "In sheet 'Sheet', 'Goal' holds what a goal is in words, which is never stored (it may identify the "
            "person); the ratings were read.",
        ),
        (
            "feedback",
            [["Date", "FFT answer", "Comments"], ["2025-05-01", "Very good", COMMENT]],
            COMMENT,
            "In sheet 'Sheet', 'Comments' holds comments in words, which are never stored (they often name people); "
            "the answers were read.",
        ),
    ],
)
def test_words_beside_ratings_and_answers_are_read_past_with_a_note_and_never_stored(con, kind, rows, words, note):
    result = checked(con, ("words.xlsx", workbook({"Sheet": rows})))
    assert result.ok, result.problems
    assert note in result.files[0].notes
    ingest.load(con, result)
    assert current(con, f"SELECT count(*) FROM {kind}") == [(1,)]
    text = stored_text(con)
    assert "'Sheet'" in text and words not in text  # the upload's notes name the sheet, but no table holds the words


# Header aliases people really use -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "rows", "sql", "expected"),
    [
        (
            "goals",
            [["Service user ID", "Goal #", "Goal no.", "Date rated", "GBO score", "Life area", "Service"],
             ["P1", "Sleep better", 1, "03/04/2025", 3, "sleep", "1:1 support"]],
            "SELECT goal_number, date, rating, goal_area, activity FROM goals",
            [(1, D(2025, 4, 3), 3, "Physical health", "1:1 support")],
        ),
        (
            "activities",
            [["Activity name", "Type of activity", "5 ways", "Lived experience led", "Format"],
             ["Allotment", "social group", "connect; be active & giving", "Y", "face to face"]],
            "SELECT activity, activity_type, ways, peer_led, delivery FROM activities",
            [("Allotment", "social", ["Connect", "Be active", "Give"], True, "in person")],
        ),
        (
            "feedback",
            [["Survey date", "Programme", "Overall, how was your experience of our service?"],
             ["03/04/2025", "Drop-in", 1], ["03/04/2025", "Drop-in", "dont know"]],
            "SELECT date, activity, answer, participant_id FROM feedback ORDER BY response_number",
            [(D(2025, 4, 3), "Drop-in", "Very good", None), (D(2025, 4, 3), "Drop-in", "Don't know", None)],
        ),
        (
            "volunteering",
            [["Month of", "Project", "Active volunteers", "Hours given", "Volunteers with lived experience"],
             ["Apr-25", "Allotment", 4, "12.5", 2], [D(2025, 5, 17), None, 9, 30, 3],  # blank: the whole organisation
             ["2025-06", "Allotment", 5, 14, 2]],
            "SELECT month, activity, volunteers, hours, lived_experience FROM volunteering ORDER BY month",
            [(D(2025, 4, 1), "Allotment", 4, 12.5, 2), (D(2025, 5, 1), None, 9, 30.0, 3),
             (D(2025, 6, 1), "Allotment", 5, 14.0, 2)],
        ),
    ],
)  # fmt: skip
def test_header_aliases_people_use(con, kind, rows, sql, expected):
    result = checked(con, ("aliases.xlsx", workbook({"Sheet": rows})))
    assert result.ok, result.problems
    assert [s.kind.name for s in result.files[0].sheets] == [kind]
    ingest.load(con, result)
    assert current(con, sql) == expected


# Feedback with and without participant IDs ------------------------------------------------------------

RESPONSES = [
    FEEDBACK,
    ["2025-05-06", "Peer group", "Very good", None],
    ["2025-05-06", "Peer group", "Very good", None],  # three people gave the same answer the same day, anonymously
    ["2025-05-06", "Peer group", "Very good", None],
    ["2025-05-06", "Peer group", "Good", "P1"],
    ["2025-05-06", "Drop-in", "Very good", None],
]


def test_identical_anonymous_responses_on_one_day_are_all_kept_and_a_named_one_is_pseudonymised(con):
    load(
        con,
        ("people.xlsx", workbook({"People": [["participant_id"], ["P1"]]})),
        ("fft.xlsx", workbook({"F": RESPONSES})),
    )
    person = privacy.pseudonym(ingest.participant_key(con), "P1")
    assert current(con, "SELECT participant_id FROM participants") == [(person,)]
    in_order = "ORDER BY activity, participant_id NULLS FIRST, response_number"
    assert current(con, f"SELECT activity, answer, participant_id, response_number FROM feedback {in_order}") == [
        ("Drop-in", "Very good", None, 1),
        ("Peer group", "Very good", None, 1),
        ("Peer group", "Very good", None, 2),
        ("Peer group", "Very good", None, 3),
        ("Peer group", "Good", person, 1),
    ]
    assert "P1" not in stored_text(con).split()


def test_feedback_without_a_participant_id_column(con):
    rows = [["Date", "Activity", "FFT answer"], ["2025-05-06", "Peer group", "Poor"], ["2025-05-06", "Peer group", 4]]
    load(con, ("fft.xlsx", workbook({"F": rows})))
    assert current(con, "SELECT answer, participant_id, response_number FROM feedback ORDER BY response_number") == [
        ("Poor", None, 1),
        ("Poor", None, 2),
    ]


def test_a_goal_rating_is_linked_to_the_person_by_the_same_pseudonym_as_their_other_sheets(con):
    sheets = {
        "People": [["Client ID"], ["BM-001"]],
        "Goals": [GOALS, ["BM-001", 1, "2025-05-01", 2, "Work"], ["BM-001", 1, "2025-07-01", 6, "Work"]],
    }
    load(con, ("goals.xlsx", workbook(sheets)))
    person = privacy.pseudonym(ingest.participant_key(con), "BM-001")
    assert current(con, "SELECT DISTINCT participant_id FROM goals") == [(person,)]
    assert current(con, "SELECT participant_id FROM participants") == [(person,)]
    assert "BM-001" not in stored_text(con)


def test_a_corrected_feedback_file_replaces_the_responses_it_repeats(con):
    load(con, ("may.xlsx", workbook({"F": RESPONSES})))
    corrected = [row[:] for row in RESPONSES]
    corrected[3][2] = "Neither good nor poor"  # the second card was misread
    result = checked(con, ("may corrected.xlsx", workbook({"F": corrected})))
    assert ingest.total_changes(result.files)["feedback"] == {"rows": 5, "new": 0, "replaced": 5, "changed": 1}
    ingest.load(con, result)
    assert current(con, "SELECT answer, count(*) FROM feedback GROUP BY answer ORDER BY answer") == [
        ("Good", 1),
        ("Neither good nor poor", 1),
        ("Very good", 3),
    ]
    assert current(con, "SELECT count(*) FROM feedback_history") == [(10,)]  # history kept, the current view replaced
