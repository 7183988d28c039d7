"""A person's rights (docs/privacy.md#a-persons-rights): finding, exporting and erasing one person's records, erasure
winning over rollback and reloading, and the retention period."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from pipelines import audit, ingest, rights, settings, store
from pipelines.__main__ import main
from pipelines.audit import Actor, NotAllowed
from tests.apphelpers import app_with_own_data, assert_ran, open_page, successes_after, widget
from tests.helpers import BASE_TABLES, DB_NAME, Templates, load, own_copy, workbook

LATER = ("2024-09-01", "2024-06-01")  # the second questionnaire of P7 to P11, and of P2 to P6
ERASED = "CASE-7731"  # the person asking for erasure: in every kind about people, in both uploads
OTHERS = [f"P{n}" for n in range(2, 12)]
ADMIN, MANAGER, VIEWER = Actor("ada", "administrator"), Actor("mo", "manager"), Actor("vic", "viewer")

Q1 = {
    "People": [
        ["participant_id", "gender", "age_band"],
        [ERASED, "woman", "25-34"],
        *[[p, "man", "35-44"] for p in OTHERS],
    ],
    "Register": [
        ["participant_id", "session_date", "activity", "attended"],
        [ERASED, "2024-05-01", "Peer group", "yes"],
        [ERASED, "2024-05-08", "Peer group", "yes"],
        *[[p, "2024-05-01", "Peer group", "yes"] for p in OTHERS],
    ],
    "Scores": [
        ["participant_id", "date", "WEMWBS total"],
        [ERASED, "2024-05-01", 30],
        [ERASED, "2024-09-01", 60],
        *[[p, d, s] for n, p in enumerate(OTHERS) for d, s in (("2024-05-01", 40), (LATER[n < 5], 42 + n))],
    ],
    "Goals": [["participant_id", "goal_number", "date", "rating"], [ERASED, 1, "2024-05-01", 3]],
    "Feedback": [["date", "activity", "answer", "participant_id"], ["2024-05-01", "Peer group", "Good", ERASED]],
}
Q2 = {
    "Register": [
        ["participant_id", "session_date", "activity", "attended"],
        [ERASED, "2024-05-08", "Peer group", "DNA"],  # corrects upload 1's row: that one stays in the history
        [ERASED, "2024-07-03", "Peer group", "yes"],
        *[[p, "2024-07-03", "Peer group", "yes"] for p in OTHERS[:5]],
    ],
}
ROWS_ABOUT_THEM = {"participants": 1, "attendance": 4, "wellbeing": 2, "goals": 1, "feedback": 1}  # counted above


def without_them(sheets: dict[str, list[list]]) -> dict[str, list[list]]:
    return {name: [row for row in rows if ERASED not in row] for name, rows in sheets.items()}


def two_quarters(con: duckdb.DuckDBPyConnection) -> None:
    load(con, ("q1.xlsx", workbook(Q1)))
    load(con, ("q2.xlsx", workbook(Q2)))


def two_quarters_without_them(con: duckdb.DuckDBPyConnection) -> None:
    load(con, ("q1.xlsx", workbook(without_them(Q1))))
    load(con, ("q2.xlsx", workbook(without_them(Q2))))


def database(templates: Templates, fill, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own closed copy of a database ``fill`` made, with its key file."""
    folder.mkdir(exist_ok=True)
    with own_copy(templates.made_by(fill), folder, monkeypatch):
        pass
    return folder / DB_NAME


@pytest.fixture
def db(templates: Templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return database(templates, two_quarters, tmp_path / "with", monkeypatch)


@pytest.fixture
def con(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = store.connect(db)
    yield connection
    connection.close()


def pseudonym(con: duckdb.DuckDBPyConnection) -> str:
    return rights.pseudonym_of(rights.participant_key(con), ERASED)


def every_value(con: duckdb.DuckDBPyConnection) -> str:
    """Every value of every table as text."""
    tables = [t for (t,) in con.execute(BASE_TABLES).fetchall()]
    return "\n".join(con.execute(f'SELECT * FROM "{t}"').df().to_csv() for t in tables)


def rounded(found: object) -> object:
    """Figures to 9 decimal places: rows stored in another order are added in another order, which moves a mean's
    last binary digit, not its value."""
    if isinstance(found, dict):
        return {key: rounded(value) for key, value in found.items()}
    if isinstance(found, list):
        return [rounded(value) for value in found]
    return round(found, 9) if isinstance(found, float) else found


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# Erasure --------------------------------------------------------------------------------------------


def test_erasure_removes_them_from_every_table_and_from_the_file_s_bytes(db: Path, capsys) -> None:
    con = store.connect(db)
    them = pseudonym(con)
    assert them in every_value(con)
    con.close()
    assert them.encode() in db.read_bytes(), "the pseudonym is in the file before"

    code, out, _ = run(capsys, "erase", f" {ERASED} ", "--db", str(db))  # spaces trimmed, as a cell's are

    assert code == 0
    assert out == (
        f"Erased participant ID {ERASED}: 9 row(s) (participants 1, attendance 4, wellbeing 2, goals 1, "
        "feedback 1). The database file was rewritten without them.\n"
    )
    assert them.encode() not in db.read_bytes()
    assert not Path(f"{db}.wal").exists() and not Path(f"{db}.rewrite").exists()
    assert db.stat().st_mode & 0o777 == 0o600, "the new file is the owner's only, as the old one was"
    con = store.connect(db)
    assert them not in every_value(con)
    assert [kind for kind in store.PEOPLE_KINDS if con.execute(f"SELECT count(*) FROM {kind}").fetchone()[0] == 0] == [
        "goals",
        "feedback",
    ], "only they had goals and feedback"
    con.close()


def test_the_figures_equal_a_load_without_them(
    db: Path, templates: Templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    never = database(templates, two_quarters_without_them, tmp_path / "never", monkeypatch)
    _, with_them, _ = run(capsys, "summary", "--json", "--db", str(db))
    rights.erase_in_file(db, ERASED)

    _, erased, _ = run(capsys, "summary", "--json", "--db", str(db))
    _, loaded_without, _ = run(capsys, "summary", "--json", "--db", str(never))

    assert rounded(json.loads(erased)) == rounded(json.loads(loaded_without))
    assert json.loads(with_them)["reach"]["reached"] == 11 and json.loads(erased)["reach"]["reached"] == 10


def test_rolling_back_or_loading_again_does_not_bring_them_back(db: Path) -> None:
    rights.erase_in_file(db, ERASED)
    con = store.connect(db)
    store.rollback(con, 2)  # upload 2 replaced one of their rows of upload 1
    assert rights.find(con, ERASED).rows == {}
    store.rollback(con, 1)
    result = ingest.check(con, [("q1.xlsx", workbook(Q1)), ("q2.xlsx", workbook(Q2))])
    ingest.load(con, result)

    assert rights.find(con, ERASED).rows == {}
    assert con.execute("SELECT count(DISTINCT participant_id) FROM participants").fetchone()[0] == 10
    assert result.files[0].notes == [
        "This file holds 1 person whose records were erased, so their rows were left out (1 participant profile, "
        "2 attendances, 2 questionnaire scores, 1 goal rating, 1 feedback response). Delete them from your own "
        "spreadsheets too, so they are not sent again."
    ]
    con.close()


def test_a_new_file_holding_them_is_loaded_without_them_and_the_manager_is_told(db: Path, tmp_path: Path, capsys):
    rights.erase_in_file(db, ERASED)
    q3 = tmp_path / "q3.xlsx"
    q3.write_bytes(
        workbook(
            {
                "Register": [
                    ["participant_id", "session_date", "activity", "attended"],
                    [ERASED, "2024-10-02", "Peer group", "yes"],
                    ["P2", "2024-10-02", "Peer group", "yes"],
                ]
            }
        )
    )

    code, out, _ = run(capsys, "load", str(q3), "--db", str(db))

    assert code == 0
    assert out.splitlines() == [
        "Upload 3: q3.xlsx: attendance 1 new, 0 corrected",
        "  note: This file holds 1 person whose records were erased, so their rows were left out (1 attendance). "
        "Delete them from your own spreadsheets too, so they are not sent again.",
    ]
    con = store.connect(db)
    assert rights.find(con, ERASED).rows == {}
    assert con.execute("SELECT count(*) FROM attendance WHERE session_date = '2024-10-02'").fetchone()[0] == 1
    con.close()


def test_the_upload_history_says_how_many_of_an_upload_s_rows_were_erased(db: Path) -> None:
    rights.erase_in_file(db, ERASED)
    con = store.connect(db)
    counts = json.loads(con.execute("SELECT row_counts FROM uploads WHERE upload_id = 2").fetchone()[0])
    assert counts["attendance"] == {"rows": 5, "new": 6, "replaced": 1, "changed": 1, "erased": 2}
    assert ingest.describe_changes(counts) == "6 attendances added, 1 corrected, 2 since erased"
    assert ingest.describe_uploads(con, [2])[0].endswith(": 5 attendances (sheet 'Register')")
    con.close()


def test_the_audit_records_the_erasure_but_never_who_was_erased(con: duckdb.DuckDBPyConnection) -> None:
    them = pseudonym(con)
    rights.erase(con, ERASED, by=ADMIN)

    when, who, action, details = con.execute(
        "SELECT happened_at, who, action, details FROM audit ORDER BY happened_at DESC LIMIT 1"
    ).fetchone()
    assert (who, action) == ("ada", "erasure")
    assert json.loads(details) == {"reason": "on request", "people": 1, "rows": 9, "rows by kind": ROWS_ABOUT_THEM}
    assert abs(dt.datetime.now() - when) < dt.timedelta(minutes=1)
    trail = audit.csv_bytes(con).decode()
    assert ERASED not in trail and them not in trail


@pytest.mark.parametrize("by", [MANAGER, VIEWER, Actor("demo visitor", "administrator", demo=True)])
def test_only_a_signed_in_administrator_may_erase(con: duckdb.DuckDBPyConnection, by: Actor) -> None:
    with pytest.raises(NotAllowed):
        rights.erase(con, ERASED, by=by)
    with pytest.raises(NotAllowed):
        rights.apply_retention(con, dt.date(2030, 1, 1), by=by)
    assert sum(len(f) for f in rights.find(con, ERASED).rows.values()) == 9, "nothing was erased"
    refused = con.execute("SELECT who, action, details FROM audit WHERE action = 'erase refused'").fetchall()
    assert [(who, json.loads(d)["role"]) for who, _, d in refused] == [(by.name, by.role)] * 2
    assert ERASED not in audit.csv_bytes(con).decode()


# Finding and exporting a person ---------------------------------------------------------------------


def test_person_lists_their_rows_current_and_history_with_their_uploads(db: Path, tmp_path: Path, capsys) -> None:
    out_file = tmp_path / "sar.xlsx"
    code, out, _ = run(capsys, "person", ERASED, "--out", str(out_file), "--db", str(db))

    assert code == 0
    heads = [line for line in out.splitlines() if not line.startswith(" ")]
    assert heads == [
        "participants: 1 row(s), 1 current",
        "attendance: 4 row(s), 3 current",
        "wellbeing: 2 row(s), 2 current",
        "goals: 1 row(s), 1 current",
        "feedback: 1 row(s), 1 current",
        f"Written to {out_file}.",
    ]
    book = load_workbook(io.BytesIO(out_file.read_bytes()))
    assert book.sheetnames == [*ROWS_ABOUT_THEM, "Notes"]
    register = list(book["attendance"].values)
    assert register[0][:6] == ("Status", "Upload", "File", "Loaded", "Sheet row", "Session date")
    assert [(r[0], r[1], r[2], r[4], r[11]) for r in register[1:]] == [
        ("current", 1, "q1.xlsx", 2, "attended"),
        ("replaced by a later upload", 1, "q1.xlsx", 3, "attended"),
        ("current", 2, "q2.xlsx", 2, "did not attend"),
        ("current", 2, "q2.xlsx", 3, "attended"),
    ]
    assert f"participant ID {ERASED}" in book["Notes"]["A2"].value


def test_the_exported_records_cannot_run_as_formulas() -> None:
    held = rights.Held("=P1", {"attendance": pd.DataFrame({"activity": ['=HYPERLINK("http://x")', "Art"]})})
    book = load_workbook(io.BytesIO(rights.workbook(held, dt.date(2025, 6, 30))))
    assert [c.value for c in book["attendance"]["A"]] == ["Activity", '\'=HYPERLINK("http://x")', "Art"]
    assert book["Notes"]["A2"].value.startswith("Records held about participant ID =P1 on 30/06/2025")


def test_person_for_an_unknown_id_says_nothing_is_held(db: Path, capsys) -> None:
    code, out, _ = run(capsys, "person", "CASE-0000", "--db", str(db))
    assert code == 0
    assert out.startswith("No records are held about participant ID CASE-0000.")


def test_person_for_an_erased_id_says_when_they_were_erased(db: Path, tmp_path: Path, capsys) -> None:
    rights.erase_in_file(db, ERASED)
    out_file = tmp_path / "sar.xlsx"
    code, out, _ = run(capsys, "person", ERASED, "--out", str(out_file), "--db", str(db))
    assert code == 0
    assert out.startswith(f"The records of participant ID {ERASED} were erased on {dt.date.today():%d/%m/%Y} ")
    assert not out_file.exists(), "nothing to write"
    code, _, err = run(capsys, "erase", ERASED, "--db", str(db))
    assert code == 1 and err.endswith("Nothing was erased.\n")


def test_erasing_an_unknown_id_erases_nothing(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(rights.NotHeld, match="No records are held about participant ID CASE-0000"):
        rights.erase(con, "CASE-0000")
    assert con.execute("SELECT count(*) FROM erasures").fetchone()[0] == 0


# Retention ------------------------------------------------------------------------------------------

TODAY = dt.date(2027, 7, 4)  # with three years' retention, the limit is 4 July 2024


def test_retention_is_off_by_default(con: duckdb.DuckDBPyConnection, capsys) -> None:
    assert settings.retention_years(con) is None
    assert rights.past_retention(con, TODAY).empty
    assert rights.retention_reminder(con, TODAY) is None
    assert rights.apply_retention(con, TODAY) == rights.Erased(0)


def test_retention_removes_only_people_whose_last_activity_is_before_the_limit(con: duckdb.DuckDBPyConnection):
    # last activity: P2 to P6 on 3 July 2024 (a session of upload 2, after their questionnaires of 1 June); P7 to
    # P11 and CASE-7731 on 1 September 2024 (a questionnaire).
    settings.save_retention(con, "3", by=ADMIN)
    assert rights.past_retention(con, dt.date(2027, 7, 3)).empty, "3 July 2024 is not before the limit, it is on it"
    past = rights.past_retention(con, TODAY)
    assert past["last_activity"].dt.date.tolist() == [dt.date(2024, 7, 3)] * 5

    erased = rights.apply_retention(con, TODAY, by=ADMIN)

    assert erased == rights.Erased(5, {"participants": 5, "attendance": 10, "wellbeing": 10})
    left = con.execute("SELECT count(*) FROM participants").fetchone()[0]
    assert left == 6
    details = json.loads(con.execute("SELECT details FROM audit WHERE action = 'erasure'").fetchone()[0])
    assert details == {
        "reason": "past the retention period of 3 years",
        "people": 5,
        "rows": 25,
        "rows by kind": {"participants": 5, "attendance": 10, "wellbeing": 10},
    }


def test_someone_removed_as_past_the_period_who_comes_back_is_loaded_again(con: duckdb.DuckDBPyConnection) -> None:
    settings.save_retention(con, 3, by=ADMIN)
    version = store.data_version(con)
    rights.apply_retention(con, TODAY, by=ADMIN)
    assert store.data_version(con) != version, "cached figures are worked out again"
    back = {
        "Register": [["participant_id", "session_date", "activity", "attended"], ["P2", "2027-06-01", "Art", "yes"]]
    }
    result = ingest.check(con, [("back.xlsx", workbook(back))])
    ingest.load(con, result)
    assert result.files[0].notes == []
    assert len(rights.find(con, "P2").rows["attendance"]) == 1


def test_the_reminder_counts_the_people_past_the_period(con: duckdb.DuckDBPyConnection) -> None:
    settings.save_retention(con, 3, by=ADMIN)
    assert rights.retention_reminder(con, TODAY) == (
        "5 people's last activity was more than 3 years ago, before 04/07/2024: past the retention period. Remove "
        "their records in Settings, or with python -m pipelines retention --apply."
    )


def test_retention_on_the_command_line_lists_then_removes(db: Path, capsys) -> None:
    con = store.connect(db)
    settings.save_retention(con, 1, by=ADMIN)
    con.close()
    code, out, _ = run(capsys, "retention", "--db", str(db))  # a year before today: everyone, last seen in 2024
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("11 people's last activity was before ")
    assert lines[-1] == "Nothing was removed: run again with --apply to remove them."
    code, out, _ = run(capsys, "retention", "--apply", "--db", str(db))
    assert out.splitlines()[-1] == (
        "Removed 11 people: 54 row(s) (participants 11, attendance 19, wellbeing 22, goals 1, feedback 1). "
        "The database file was rewritten without them."
    )
    con = store.connect(db)
    assert [con.execute(f"SELECT count(*) FROM {kind}_history").fetchone()[0] for kind in store.PEOPLE_KINDS] == [0] * 5
    con.close()


def test_the_retention_period_is_a_whole_number_of_years(con: duckdb.DuckDBPyConnection) -> None:
    for bad in ("0", "2.5", "seven", "101"):
        with pytest.raises(settings.SettingRefused):
            settings.save_retention(con, bad, by=ADMIN)
    with pytest.raises(NotAllowed):
        settings.save_retention(con, 7, by=MANAGER)
    assert settings.retention_years(con) is None
    settings.save_retention(con, 7, by=ADMIN)
    assert settings.retention_years(con) == 7
    settings.save_retention(con, "", by=ADMIN)
    assert settings.retention_years(con) is None, "blank turns it off"


# The Settings and Upload pages ----------------------------------------------------------------------


@pytest.fixture
def app_db(app_runtime: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app opens a database holding the two quarters, with an account per role."""
    db = app_with_own_data(tmp_path, monkeypatch, Q1)
    con = store.connect(db)
    load(con, ("q2.xlsx", workbook(Q2)))
    con.close()
    return db


def find_on_settings(reference: str):
    at = open_page("pages/settings.py", "Settings")
    widget(at.text_input, "Participant ID, as in your spreadsheets").set_value(reference)
    widget(at.button, "Find their records").click().run()
    assert_ran(at)
    return at


def test_an_administrator_finds_and_erases_a_person_after_confirming(app_db: Path) -> None:
    con = store.connect(app_db)
    them = pseudonym(con)
    con.close()
    at = find_on_settings(ERASED)
    assert f"**9 records** are held about participant ID {ERASED}, from its uploads:" in [m.value for m in at.markdown]
    assert [e.label for e in at.expander if e.label.startswith("attendance")] == ["attendance: 4 rows, 3 current"]

    widget(at.button, "Erase their records…").click().run()
    assert any(w.value.startswith("Erase all 9 records about participant ID CASE-7731?") for w in at.warning)
    assert them.encode() in app_db.read_bytes(), "nothing is erased before the confirmation"

    assert f"Erased participant ID {ERASED}: 9 records." in successes_after(at, "Yes, erase them for good")
    assert them.encode() not in app_db.read_bytes()
    at.switch_page("pages/overview.py").run()
    assert_ran(at)
    assert widget(at.metric, "People reached").value == "10", "the app reads the rewritten file"


def test_cancelling_erases_nothing(app_db: Path) -> None:
    at = find_on_settings(ERASED)
    widget(at.button, "Erase their records…").click().run()
    widget(at.button, "Cancel").click().run()
    assert_ran(at)
    assert not [b for b in at.button if b.label == "Yes, erase them for good"]
    con = store.connect(app_db)  # the app's own database instance
    assert sum(len(f) for f in rights.find(con, ERASED).rows.values()) == 9
    con.close()


def test_an_unknown_id_on_the_settings_page_gets_a_plain_message(app_db: Path) -> None:
    at = find_on_settings("CASE-0000")
    assert [i.value for i in at.info][-1].startswith("No records are held about participant ID CASE-0000.")
    assert not [b for b in at.button if b.label == "Erase their records…"]


def test_the_upload_page_reminds_an_administrator_when_people_are_past_the_period(app_db: Path) -> None:
    con = store.connect(app_db)
    settings.save_retention(con, 1, by=ADMIN)  # a year: everyone, last seen in 2024, is past it
    con.close()
    reminders = {}
    for role in ("administrator", "manager"):
        at = open_page("pages/upload.py", "Upload data", role)
        reminders[role] = [w.value for w in at.warning if "past the retention period" in w.value]
    assert [r[:40] for r in reminders["administrator"]] == ["11 people's last activity was more than "]
    assert reminders["manager"] == [], "only an administrator may remove them"


def test_the_settings_page_saves_the_retention_period_and_says_it_is_off_by_default(app_db: Path) -> None:
    at = open_page("pages/settings.py", "Settings")
    period = widget(at.number_input, "Retention period (years after the last activity)")
    assert period.value is None
    assert any("Off by default: records are kept until erased." in m.value for m in at.markdown)
    period.set_value(7)
    said = successes_after(at, "Save the retention period")
    assert "Saved. Records are kept 7 years after a person's last activity." in said
    con = store.connect(app_db)  # the app's own database instance
    assert settings.retention_years(con) == 7
    con.close()
