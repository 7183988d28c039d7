"""The Upload data page run headless with AppTest on a copy of the sample: check, load, problems, mapping, rollback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from pipelines import store
from tests.apphelpers import SamplePages, assert_ran, open_page, sample_banner, widget
from tests.helpers import BASE_TABLES, workbook

pytestmark = pytest.mark.usefixtures("app_runtime")


REGISTER = ["participant_id", "session_date", "activity", "attended"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE_UPLOADS = 8


# Helpers ------------------------------------------------------------------------------------------


@contextmanager
def database(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The app's database, opened as the app opens it (so both share it within this process)."""
    with store.connect(path) as con:
        yield con


def written(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], str]:
    """Row counts of every table, and the data version, to show nothing was written.

    (Not helpers.snapshot, whose figures differ in the last decimal place between runs on data this size.)
    """
    tables = [t for (t,) in con.execute(BASE_TABLES).fetchall()]
    return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}, store.data_version(con)


def open_upload_page() -> AppTest:
    return open_page("pages/upload.py", "Upload data")


def upload(at: AppTest, *files: tuple[str, bytes]) -> None:
    at.file_uploader[0].set_value([(name, data, XLSX) for name, data in files]).run()
    assert_ran(at)


def press(at: AppTest, label: str) -> None:
    widget(at.button, label).click().run()
    assert_ran(at)


def load_files(at: AppTest, *files: tuple[str, bytes]) -> None:
    """Check these files on the page and load them."""
    upload(at, *files)
    press(at, "Load")


def page_after_loading(*files: tuple[str, bytes]) -> AppTest:
    """The Upload data page opened, with these files checked and loaded on it."""
    at = open_upload_page()
    load_files(at, *files)
    return at


def labels(elements) -> list[str]:
    return [e.label for e in elements]


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The one table with this column: 'recognised as' (what was found), 'problem', or 'status' (history)."""
    [found] = [d.value for d in [*at.dataframe, *at.table] if column in d.value.columns]
    return found


def warnings(at: AppTest) -> list[str]:
    return texts(at.warning)


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def overview(at: AppTest) -> dict[str, str]:
    at.switch_page("pages/overview.py").run()
    assert_ran(at)
    figures = {m.label: m.value for m in at.metric}
    at.switch_page("pages/upload.py").run()
    assert_ran(at)
    return figures


def new_people_rows(count: int = 12, day: dt.date = dt.date(2025, 6, 3)) -> list[list]:
    """A register of ``count`` people new to the service, each at one session; the first two come back a week on."""
    rows = [REGISTER] + [[f"N{i:02}", day, "Peer group", "yes"] for i in range(1, count + 1)]
    return rows + [[f"N{i:02}", day + dt.timedelta(days=7), "Peer group", "yes"] for i in (1, 2)]


def new_people(count: int = 12, day: dt.date = dt.date(2025, 6, 3)) -> bytes:
    return workbook({"Register": new_people_rows(count, day)})


def bad_register(first_id: str = "B") -> bytes:
    """Rows 5-9 and 12 the same impossible date, row 13 an unknown attended word, the other rows good."""
    rows = [REGISTER]
    for row in range(2, 14):
        day = "31/02/2026" if row in (5, 6, 7, 8, 9, 12) else "2026-02-03"
        rows.append([f"{first_id}{row}", day, "Peer group", "maybe" if row == 13 else "yes"])
    return workbook({"Register": rows})


# The page before any upload -----------------------------------------------------------------------


def test_empty_state_lists_the_sample_uploads(sample_pages: SamplePages) -> None:
    at = sample_pages.opened("pages/upload.py").at

    assert sample_banner(at)
    assert labels(at.file_uploader) == ["Spreadsheets to check"] and at.file_uploader[0].accept_multiple_files
    assert "Download blank template" in labels(at.get("download_button"))
    assert not any(h in texts(at.subheader) for h in ("What was found", "What will change"))
    history = table(at, "status")
    assert len(history) == SAMPLE_UPLOADS
    assert history["upload"].tolist() == list(range(SAMPLE_UPLOADS, 0, -1))  # latest first
    assert history["file"].iloc[-1] == "2024-25_Q1_returns.xlsx (sample)"
    assert history["file"].str.endswith(" (sample)").all() and (history["status"] == "active").all()
    assert history["what changed"].iloc[-1] == (
        "188 participant profiles added; 1,502 attendances added; 665 questionnaire scores added; "
        "12 activities added; 164 goal ratings added; 88 feedback responses added; 24 volunteering months added; "
        "12 funding lines added; 39 expenditure lines added; 1 reserves figure added"
    )
    assert "Remove the sample data…" not in labels(at.button), "nothing of the charity's own is loaded yet"
    assert len(widget(at.selectbox, "Roll back an upload").options) == SAMPLE_UPLOADS


# A good upload ------------------------------------------------------------------------------------


def test_good_workbook_preview_load_history_and_overview(sample_app: Path) -> None:
    at = open_upload_page()
    upload(at, ("june.xlsx", new_people()))

    found = table(at, "recognised as")
    assert found.to_dict("records") == [
        {"file": "june.xlsx", "sheet": "Register", "recognised as": "attendance", "rows": 14,
         "from": "03/06/2025", "to": "10/06/2025", "people": "12"},
    ]  # fmt: skip
    assert "What will change" in texts(at.subheader)
    assert warnings(at)[0] == (
        "Loading this will remove the sample data of Brightside Mind, the made-up charity shown until now, so that "
        "every figure is your own."
    )
    assert "**june.xlsx**: 14 attendances added." in texts(at.markdown)
    assert not at.error
    assert sample_banner(at), "nothing has changed yet"
    with database(sample_app) as con:
        assert con.execute("SELECT count(*) FROM uploads").fetchone() == (SAMPLE_UPLOADS,), "nothing written yet"

    press(at, "Load")

    assert texts(at.success) == [
        "Loaded june.xlsx: 14 attendances added. The sample data of Brightside Mind was removed (uploads 1–8 "
        "rolled back)."
    ]
    assert not sample_banner(at)
    assert "What will change" not in texts(at.subheader), "the uploader starts empty again"
    history = table(at, "status")
    assert len(history) == SAMPLE_UPLOADS + 1
    assert history.iloc[0][["upload", "file", "what changed", "status"]].tolist() == [
        9,
        "june.xlsx",
        "14 attendances added",
        "active",
    ]
    assert history["status"].iloc[1:].str.startswith("rolled back ").all()
    with database(sample_app) as con:
        rows = con.execute(
            "SELECT count(*), count(DISTINCT participant_id) FROM attendance_history WHERE upload_id = 9"
        )
        assert rows.fetchone() == (14, 12)
        assert not store.showing_sample(con)
    assert "Remove the sample data…" not in labels(at.button)

    figures = overview(at)
    assert not sample_banner(at)
    assert (figures["People reached"], figures["Attendances"]) == ("12", "14"), "the charity's own figures alone"


def test_a_correction_is_counted_and_shown(sample_app: Path) -> None:
    at = page_after_loading(("june.xlsx", new_people()))
    rows = [REGISTER, ["N03", dt.date(2025, 6, 3), "Peer group", "DNA"]]

    upload(at, ("correction.xlsx", workbook({"Register": rows})))

    assert "**correction.xlsx**: 0 attendances added, 1 corrected." in texts(at.markdown)
    assert not any(w.startswith("Loading this will remove the sample") for w in warnings(at)), "gone already"
    [expander] = at.main.expander
    assert expander.label == "1 attendance will be corrected: examples"
    assert expander.dataframe[0].value.to_dict("records") == [
        {"sheet row": 2, "column": "attended", "now": "attended", "after loading": "did not attend"}
    ]

    press(at, "Load")

    assert texts(at.success) == ["Loaded correction.xlsx: 0 attendances added, 1 corrected."]
    assert table(at, "status")["what changed"].iloc[0] == "0 attendances added, 1 corrected"
    with database(sample_app) as con:
        now = con.execute("SELECT attended, count(*) FROM attendance GROUP BY 1 ORDER BY 1").fetchall()
    assert now == [("attended", 13), ("did not attend", 1)]


# Problems -----------------------------------------------------------------------------------------


def test_a_bad_workbook_shows_grouped_problems_and_loads_nothing(sample_app: Path) -> None:
    with database(sample_app) as con:
        unchanged = written(con)
    at = open_upload_page()

    upload(at, ("bad.xlsx", bad_register()))

    [error] = texts(at.error)
    assert "7 problems found. Nothing has been loaded." in error
    problems = table(at, "problem")
    assert problems[["column", "rows", "count", "examples"]].to_dict("records") == [
        {"column": 'B "session_date"', "rows": "5–9, 12", "count": 6, "examples": "'31/02/2026'"},
        {"column": 'D "attended"', "rows": "13", "count": 1, "examples": "'maybe'"},
    ]
    assert problems["problem"].iloc[0] == "The date 31/02/2026 does not exist: February has no 31st."
    assert problems["problem"].iloc[1].startswith("Expected one of: attended")
    assert not any("problem" in d.value.columns for d in at.dataframe), "in a table that wraps, never cut off"
    assert labels(at.get("download_button")) == [
        "Download blank template",
        "Problems as a spreadsheet",
        "bad.xlsx with problems marked",
    ]
    assert "Load" not in labels(at.button) and "What will change" not in texts(at.subheader)
    with database(sample_app) as con:
        assert written(con) == unchanged


LOCKED = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200) + "EncryptedPackage".encode("utf-16-le") + bytes(200)
RESAVE = "Open it in Excel and use File › Save As › Excel Workbook (.xlsx), then upload that file."
REFUSED = {  # file -> (contents, the message, to the end of what to do)
    "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), f"This is an old-style Excel file (.xls). {RESAVE}"),
    "macros.xlsm": (
        workbook({"Register": [REGISTER]}),
        f"The workbook contains macros, which are not accepted for safety. {RESAVE}",
    ),
    "locked.xlsx": (
        LOCKED,
        "The workbook is password-protected. Remove the password in Excel (File › Info › Protect Workbook) and "
        "upload it again.",
    ),
    "empty.csv": (b"", "The file is empty. Upload the workbook or CSV that holds the data."),
    "report.pdf": (b"%PDF-1.7\n", "Only .xlsx workbooks"),
    "broken.xlsx": (b"PK\x03\x04 cut short", f"The file is damaged or is not really an Excel workbook. {RESAVE}"),
}


def test_refused_files_each_get_a_plain_message(sample_app: Path) -> None:
    at = open_upload_page()

    upload(at, *((name, data) for name, (data, _) in REFUSED.items()))

    assert f"{len(REFUSED)} problems found. Nothing has been loaded." in at.error[0].value
    messages = [m for m in texts(at.markdown) if m.startswith("- **")]  # whole, not cut short in a table cell
    assert len(messages) == len(REFUSED)
    for message, (name, (_, said)) in zip(messages, REFUSED.items(), strict=True):
        assert message.startswith(f"- **{name}**: {said}")
    assert not any("problem" in d.value.columns for d in at.dataframe), "no table of cell problems"
    assert "What was found" in texts(at.subheader) and "No sheet could be read." in texts(at.caption)
    assert labels(at.get("download_button")) == ["Download blank template", "Problems as a spreadsheet"]
    assert "Load" not in labels(at.button)


# Column mapping -----------------------------------------------------------------------------------


def attnd_register(day: dt.date, first: int) -> bytes:
    """Ten people at one session, under a header the dashboard does not know; the first three did not attend."""
    rows = [["participant_id", "session_date", "activity", "Attnd"]]
    rows += [[f"M{i:02}", day, "Peer group", "DNA" if i < first + 3 else "yes"] for i in range(first, first + 10)]
    return workbook({"Register": rows})


def no_attended_note(at: AppTest) -> bool:
    return any("has no 'Attended' column" in w.value for w in at.warning)


def test_mapping_an_unrecognised_column_is_used_and_remembered(sample_app: Path) -> None:
    at = open_upload_page()
    upload(at, ("june.xlsx", attnd_register(dt.date(2025, 6, 3), 1)))

    assert no_attended_note(at)
    box = widget(at.selectbox, "“Attnd” holds")
    assert box.value == "Not used" and "Attended" in box.options
    box.set_value("Attended").run()
    assert_ran(at)
    assert not no_attended_note(at)
    assert "**june.xlsx**: 10 attendances added." in texts(at.markdown)

    press(at, "Load")

    history = table(at, "status")
    assert history.iloc[0][["file", "column mappings"]].tolist() == ["june.xlsx", "Attnd → Attended"]
    assert overview(at)["People reached"] == "<8", "7 attended (10 if the DNAs counted), shown as <8"

    # Next quarter's register has the same header: recognised without asking
    upload(at, ("september.xlsx", attnd_register(dt.date(2025, 9, 2), 11)))
    assert "“Attnd” holds" not in labels(at.selectbox) and not no_attended_note(at)
    press(at, "Load")

    assert table(at, "status").iloc[0][["file", "column mappings"]].tolist() == ["september.xlsx", "Attnd → Attended"]
    with database(sample_app) as con:
        counts = con.execute(
            "SELECT upload_id, attended, count(*) FROM attendance_history WHERE upload_id > 8 GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    assert counts == [(9, "attended", 7), (9, "did not attend", 3), (10, "attended", 7), (10, "did not attend", 3)]


def test_one_choice_maps_the_header_in_every_file(sample_app: Path) -> None:
    """Two files with the same unknown header: choosing for the first must not be undone by the second's box."""
    at = open_upload_page()
    upload(
        at,
        ("june.xlsx", attnd_register(dt.date(2025, 6, 3), 1)),
        ("july.xlsx", attnd_register(dt.date(2025, 7, 1), 11)),
    )
    first, second = (b for b in at.selectbox if b.label == "“Attnd” holds")

    first.set_value("Attended").run()
    assert_ran(at)

    assert second.value == "Not used"
    assert not no_attended_note(at)


def test_a_missing_required_column_can_be_mapped(sample_app: Path) -> None:
    rows = [["participant_id", "Sess dt", "activity", "attended"], ["Z1", dt.date(2025, 6, 3), "Peer group", "yes"]]
    at = open_upload_page()
    upload(at, ("odd.xlsx", workbook({"Register": rows})))
    assert "has no column for session date" in table(at, "problem")["problem"].iloc[0]

    widget(at.selectbox, "“Sess dt” holds").set_value("Session date").run()
    assert_ran(at)

    assert not at.error
    assert "**odd.xlsx**: 1 attendance added." in texts(at.markdown)


# Rollback and the sample --------------------------------------------------------------------------


def loaded_at(db: Path, upload_id: int) -> str:
    with database(db) as con:
        return con.execute(
            "SELECT strftime(loaded_at, '%d/%m/%Y %H:%M') FROM uploads WHERE upload_id = ?", [upload_id]
        ).fetchone()[0]


def test_rollback_behind_a_confirmation_says_what_it_takes_out(sample_app: Path) -> None:
    at = page_after_loading(("june.xlsx", new_people()))
    load_files(at, ("july.xlsx", new_people(3, dt.date(2025, 7, 1))))
    assert overview(at)["People reached"] == "12"
    choice = widget(at.selectbox, "Roll back an upload")
    assert choice.value.startswith("10: july.xlsx (")
    taken_out = f"- july.xlsx (upload 10, loaded {loaded_at(sample_app, 10)}): 5 attendances (sheet 'Register')"

    press(at, "Roll back…")
    assert f"Nothing is deleted: you can load the file again later. Taken out:\n\n{taken_out}" in warnings(at)[0]
    assert warnings(at)[0].startswith("Roll back upload 10?")
    press(at, "Cancel")
    assert not any(w.startswith("Roll back upload") for w in warnings(at))
    assert "Yes, roll it back" not in labels(at.button)
    assert table(at, "status")["status"].iloc[0] == "active"

    press(at, "Roll back…")
    press(at, "Yes, roll it back")

    assert texts(at.success) == [
        f"Upload 10 was rolled back; the rows it replaced are current again. Taken out:\n\n{taken_out}"
    ]
    history = table(at, "status").set_index("upload")["status"]
    assert history[10].startswith("rolled back ") and history[9] == "active"
    assert not any(o.startswith("10: ") for o in widget(at.selectbox, "Roll back an upload").options)
    assert overview(at)["People reached"] == "12"
    with database(sample_app) as con:
        assert con.execute("SELECT count(*) FROM attendance_history WHERE upload_id = 10").fetchone() == (5,), (
            "nothing is deleted"
        )


def test_rolling_back_the_first_own_upload_leaves_nothing_and_says_so(sample_app: Path) -> None:
    at = page_after_loading(("june.xlsx", new_people()))

    press(at, "Roll back…")
    press(at, "Yes, roll it back")

    [done] = texts(at.success)
    assert done.startswith("Upload 9 was rolled back")
    assert done.endswith(
        "Nothing is loaded now, so the pages are empty until you load your spreadsheets. (A database with nothing "
        "loaded shows the bundled sample again the next time the dashboard starts.)"
    )
    assert not sample_banner(at), "the sample does not come back beside the charity's own rolled-back data"
    assert "Roll back an upload" not in labels(at.selectbox)
    with database(sample_app) as con:
        assert not store.has_data(con)


def test_rolling_back_a_chosen_sample_upload(sample_app: Path) -> None:
    at = open_upload_page()
    choice = widget(at.selectbox, "Roll back an upload")
    [q1] = [o for o in choice.options if o.startswith("1: 2024-25_Q1_returns.xlsx")]
    choice.set_value(q1).run()

    press(at, "Roll back…")
    assert warnings(at)[0].startswith("Roll back upload 1?")
    press(at, "Yes, roll it back")

    assert texts(at.success) == [
        "Upload 1 was rolled back; the rows it replaced are current again. Taken out:\n\n"
        f"- 2024-25_Q1_returns.xlsx (upload 1, loaded {loaded_at(sample_app, 1)}): 188 participant profiles "
        "(sheet 'Participants'); 1,502 attendances (sheet 'Attendance'); 665 questionnaire scores "
        "(sheet 'Wellbeing'); 12 activities (sheet 'Activities'); 164 goal ratings (sheet 'Goals'); 88 feedback "
        "responses (sheet 'Feedback'); 24 volunteering months (sheet 'Volunteering'); 12 funding lines (sheet "
        "'Funding'); 39 expenditure lines (sheet 'Expenditure'); "
        "1 reserves figure (sheet 'Reserves')"
    ]
    assert sample_banner(at), "the other sample uploads are still active"


def test_a_database_mixing_sample_and_own_data_can_remove_the_sample(sample_app: Path) -> None:
    """Databases loaded before the first own upload removed the sample may hold both: the page offers to fix it."""
    at = page_after_loading(("june.xlsx", new_people()))
    with database(sample_app) as con:
        con.execute("UPDATE uploads SET rolled_back_at = NULL")
    at.run()
    assert sample_banner(at)
    assert any("so is the bundled sample" in w for w in warnings(at))

    press(at, "Remove the sample data…")
    question = next(w for w in warnings(at) if w.startswith("Remove the sample?"))
    assert question.count("\n- ") == SAMPLE_UPLOADS and "- 2024-25_Q1_returns.xlsx (upload 1, loaded " in question
    assert sample_banner(at), "asked before anything is rolled back"
    press(at, "Yes, roll it back")

    [done] = texts(at.success)
    assert done.startswith(f"The sample data was removed ({SAMPLE_UPLOADS} uploads rolled back). Taken out:")
    history = table(at, "status").set_index("upload")["status"]
    assert history[9] == "active"
    assert history.drop(9).str.startswith("rolled back ").all() and len(history) == SAMPLE_UPLOADS + 1
    assert not sample_banner(at)
    assert "Remove the sample data…" not in labels(at.button)
    figures = overview(at)
    assert (figures["People reached"], figures["Attendances"]) == ("12", "14")


# Messages that read as one story ------------------------------------------------------------------


def test_a_file_already_loaded_is_said_to_be_in_not_a_problem(sample_app: Path) -> None:
    june = new_people()  # the same bytes twice (a workbook made again may differ in its saved time)
    at = page_after_loading(("june.xlsx", june))
    when = loaded_at(sample_app, 9)

    upload(at, ("june.xlsx", june))

    assert texts(at.info) == [f"june.xlsx is already in: it was loaded on {when} (upload 9). Nothing needs doing."]
    assert not at.error and "Load" not in labels(at.button)
    assert not any("problem" in t.lower() for t in [*texts(at.markdown), *texts(at.caption)])
    assert "No sheet could be read." not in texts(at.caption)


def test_a_file_already_loaded_beside_a_bad_one_is_not_counted_as_a_problem(sample_app: Path) -> None:
    june = new_people()
    at = page_after_loading(("june.xlsx", june))

    upload(at, ("june.xlsx", june), ("bad.xlsx", bad_register()))

    assert texts(at.info)[0].startswith("june.xlsx is already in")
    assert "7 problems found" in at.error[0].value
    assert set(table(at, "problem")["file"]) == {"bad.xlsx"}


def test_a_column_refused_as_personal_data_is_not_offered_for_mapping(sample_app: Path) -> None:
    rows = [
        [*REGISTER, "Email", "Notes", "Room"],
        ["E1", dt.date(2025, 6, 3), "Peer group", "yes", "a@b.org", "ring jo.bloggs@example.org", "Hall"],
    ]
    at = open_upload_page()
    upload(at, ("june.xlsx", workbook({"Register": rows})))

    problems = table(at, "problem")
    assert problems["column"].tolist() == ['E "Email"', 'F "Notes"']
    assert labels(at.selectbox) == ["“Room” holds", "Roll back an upload"]


def test_what_was_found_never_says_none(sample_app: Path) -> None:
    cover = [["Returns for June"]]
    grants = [["funder", "title", "amount", "start_date"], ["Trust", "Core", 1000, dt.date(2025, 4, 1)]]
    at = open_upload_page()
    upload(at, ("june.xlsx", workbook({"Cover": cover, "Grants": grants, "Register": [*new_people_rows()]})))

    found = table(at, "recognised as")
    assert found[["sheet", "recognised as", "from", "people"]].to_dict("records") == [
        {"sheet": "Cover", "recognised as": "skipped", "from": "", "people": ""},
        {"sheet": "Grants", "recognised as": "funding", "from": "01/04/2025", "people": ""},
        {"sheet": "Register", "recognised as": "attendance", "from": "03/06/2025", "people": "12"},
    ]
    assert "None" not in found.astype(str).to_numpy()


def test_each_marked_workbook_is_offered_on_its_own_line_with_its_name(sample_app: Path) -> None:
    at = open_upload_page()
    upload(at, ("bad.xlsx", bad_register()), ("worse.xlsx", bad_register(first_id="W")))

    buttons = [b for b in at.get("download_button") if b.label != "Download blank template"]
    assert labels(buttons) == [
        "Problems as a spreadsheet",
        "bad.xlsx with problems marked",
        "worse.xlsx with problems marked",
    ]
    in_columns = [b.label for column in at.columns for b in column.get("download_button")]
    assert in_columns == ["Download blank template"], "one a line, not squeezed side by side"
