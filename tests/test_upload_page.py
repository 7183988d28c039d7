"""The Upload data page run headless with AppTest on a copy of the sample: check, load, problems, mapping, rollback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import BASE_TABLES, workbook
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from pipelines import metrics, store
from pipelines.metrics import Filters
from tests.apphelpers import ROOT, assert_ran, open_page, sample_banner, widget

pytestmark = pytest.mark.usefixtures("app_runtime")


REGISTER = ["participant_id", "session_date", "activity", "attended"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE_UPLOADS = 8
PERSON = "10124"  # a participant of the sample, profiled in its last upload (2025-26 Q4), recorded there as a man


# Fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def before(sample_db: Path) -> dict[str, int]:
    """The sample's reach in the period the app opens on (financial year 2025-26)."""
    con = store.connect(sample_db, read_only=True)
    try:
        return metrics.reach(con, Filters(metrics.default_period(con)))
    finally:
        con.close()


# Helpers ------------------------------------------------------------------------------------------


@contextmanager
def database(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The app's database, opened as the app opens it (so both share it within this process)."""
    con = store.connect(path)
    try:
        yield con
    finally:
        con.close()


def written(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], str]:
    """Row counts of every table, and the data version, to show nothing was written.

    (Not conftest.snapshot, whose figures differ in the last decimal place between runs on data this size.)
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


def labels(elements) -> list[str]:
    return [e.label for e in elements]


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The one st.dataframe with this column: 'recognised as' (what was found), 'problem', or 'status' (history)."""
    [found] = [d.value for d in at.dataframe if column in d.value.columns]
    return found


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def overview(at: AppTest) -> dict[str, str]:
    at.switch_page("pages/overview.py").run()
    assert_ran(at)
    figures = {m.label: m.value for m in at.metric}
    at.switch_page("pages/upload.py").run()
    assert_ran(at)
    return figures


def new_people(count: int = 12, day: dt.date = dt.date(2025, 6, 3)) -> bytes:
    """A register of ``count`` people new to the service, each at one session; the first two come back a week on."""
    rows = [REGISTER] + [[f"N{i:02}", day, "Peer group", "yes"] for i in range(1, count + 1)]
    rows += [[f"N{i:02}", day + dt.timedelta(days=7), "Peer group", "yes"] for i in (1, 2)]
    return workbook({"Register": rows})


def bad_register() -> bytes:
    """Rows 5-9 and 12 the same impossible date, row 13 an unknown attended word, the other rows good."""
    rows = [REGISTER]
    for row in range(2, 14):
        day = "31/02/2026" if row in (5, 6, 7, 8, 9, 12) else "2026-02-03"
        rows.append([f"B{row}", day, "Peer group", "maybe" if row == 13 else "yes"])
    return workbook({"Register": rows})


# The page before any upload -----------------------------------------------------------------------


def test_empty_state_lists_the_sample_uploads(sample_app: Path) -> None:
    at = open_upload_page()

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
        "12 funding lines added; 39 expenditure lines added; 1 reserves figure added"
    )
    assert "Remove the sample data…" not in labels(at.button), "nothing of the charity's own is loaded yet"
    assert len(widget(at.selectbox, "Roll back an upload").options) == SAMPLE_UPLOADS


# A good upload ------------------------------------------------------------------------------------


def test_good_workbook_preview_load_history_and_overview(sample_app: Path, before: dict[str, int]) -> None:
    at = open_upload_page()
    upload(at, ("june.xlsx", new_people()))

    found = table(at, "recognised as")
    assert found.to_dict("records") == [
        {"file": "june.xlsx", "sheet": "Register", "recognised as": "attendance", "rows": 14,
         "from": dt.date(2025, 6, 3), "to": dt.date(2025, 6, 10), "people": 12},
    ]  # fmt: skip
    assert "What will change" in texts(at.subheader)
    assert "**june.xlsx**: 14 attendances added." in texts(at.markdown)
    assert not at.error
    with database(sample_app) as con:
        assert con.execute("SELECT count(*) FROM uploads").fetchone() == (SAMPLE_UPLOADS,), "nothing written yet"

    press(at, "Load")

    assert texts(at.success) == ["Loaded june.xlsx: 14 attendances added."]
    assert "What will change" not in texts(at.subheader), "the uploader starts empty again"
    history = table(at, "status")
    assert len(history) == SAMPLE_UPLOADS + 1
    assert history.iloc[0][["upload", "file", "what changed", "status"]].tolist() == [
        9,
        "june.xlsx",
        "14 attendances added",
        "active",
    ]
    with database(sample_app) as con:
        rows = con.execute(
            "SELECT count(*), count(DISTINCT participant_id) FROM attendance_history WHERE upload_id = 9"
        )
        assert rows.fetchone() == (14, 12)
    assert "Remove the sample data…" in labels(at.button)

    figures = overview(at)
    assert figures["People reached"] == f"{before['reached'] + 12:,}"
    assert figures["Attendances"] == f"{before['attendances'] + 14:,}"


def sample_profile(person: str) -> tuple[list, list]:
    """The header and the row of one participant in the sample's last 'New participants' sheet, as uploaded."""
    book = load_workbook(ROOT / "data" / "sample" / "2025-26_Q4_returns.xlsx", read_only=True)
    try:
        rows = list(book["New participants"].iter_rows(values_only=True))
    finally:
        book.close()
    header = rows[2]
    [row] = [list(r) for r in rows[3:] if r[0] == person]
    return list(header), row


def test_a_correction_is_counted_and_shown(sample_app: Path) -> None:
    header, row = sample_profile(PERSON)
    gender = header.index("Gender identity")
    assert row[gender] == "M"
    row[gender] = "Woman"
    with database(sample_app) as con:
        genders = dict(con.execute("SELECT gender, count(*) FROM participants GROUP BY 1").fetchall())

    at = open_upload_page()
    upload(at, ("correction.xlsx", workbook({"Profiles": [header, row]})))

    assert "**correction.xlsx**: 0 participant profiles added, 1 corrected." in texts(at.markdown)
    [expander] = at.main.expander
    assert expander.label == "1 participant profile will be corrected: examples"
    assert expander.dataframe[0].value.to_dict("records") == [
        {"sheet row": 2, "column": "gender", "now": "Man", "after loading": "Woman"}
    ]

    press(at, "Load")

    assert texts(at.success) == ["Loaded correction.xlsx: 0 participant profiles added, 1 corrected."]
    assert table(at, "status")["what changed"].iloc[0] == "0 participant profiles added, 1 corrected"
    with database(sample_app) as con:
        now = dict(con.execute("SELECT gender, count(*) FROM participants GROUP BY 1").fetchall())
    assert now == {**genders, "Man": genders["Man"] - 1, "Woman": genders["Woman"] + 1}


# Problems -----------------------------------------------------------------------------------------


def test_a_bad_workbook_shows_grouped_problems_and_loads_nothing(sample_app: Path) -> None:
    with database(sample_app) as con:
        unchanged = written(con)
    at = open_upload_page()

    upload(at, ("bad.xlsx", bad_register()))

    [error] = texts(at.error)
    assert "7 problem(s) found. Nothing has been loaded." in error
    problems = table(at, "problem")
    assert problems[["column", "rows", "count", "examples"]].to_dict("records") == [
        {"column": 'B "session_date"', "rows": "5–9, 12", "count": 6, "examples": "'31/02/2026'"},
        {"column": 'D "attended"', "rows": "13", "count": 1, "examples": "'maybe'"},
    ]
    assert problems["problem"].str.startswith("Expected").all()
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

    assert f"{len(REFUSED)} problem(s) found. Nothing has been loaded." in at.error[0].value
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


def test_mapping_an_unrecognised_column_is_used_and_remembered(sample_app: Path, before: dict[str, int]) -> None:
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
    assert overview(at)["People reached"] == f"{before['reached'] + 7:,}"

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


def test_rollback_behind_a_confirmation(sample_app: Path, before: dict[str, int]) -> None:
    at = open_upload_page()
    upload(at, ("june.xlsx", new_people()))
    press(at, "Load")
    assert overview(at)["People reached"] == f"{before['reached'] + 12:,}"
    choice = widget(at.selectbox, "Roll back an upload")
    assert choice.value.startswith("9: june.xlsx (")

    press(at, "Roll back…")
    assert any(w.value.startswith("Roll back upload 9?") for w in at.warning)
    press(at, "Cancel")
    assert not any(w.value.startswith("Roll back upload") for w in at.warning)
    assert "Yes, roll it back" not in labels(at.button)
    assert table(at, "status")["status"].iloc[0] == "active"

    press(at, "Roll back…")
    press(at, "Yes, roll it back")

    assert texts(at.success) == ["Upload 9 was rolled back."]
    history = table(at, "status").set_index("upload")["status"]
    assert history[9].startswith("rolled back ") and (history.drop(9) == "active").all()
    assert not any(o.startswith("9: ") for o in widget(at.selectbox, "Roll back an upload").options)
    assert overview(at)["People reached"] == f"{before['reached']:,}"
    with database(sample_app) as con:
        assert con.execute("SELECT count(*) FROM attendance_history WHERE upload_id = 9").fetchone() == (14,), (
            "nothing is deleted"
        )


def test_rolling_back_a_chosen_sample_upload(sample_app: Path) -> None:
    at = open_upload_page()
    choice = widget(at.selectbox, "Roll back an upload")
    [q1] = [o for o in choice.options if o.startswith("1: 2024-25_Q1_returns.xlsx")]
    choice.set_value(q1).run()

    press(at, "Roll back…")
    assert any(w.value.startswith("Roll back upload 1?") for w in at.warning)
    press(at, "Yes, roll it back")

    assert texts(at.success) == ["Upload 1 was rolled back."]
    assert sample_banner(at), "the other sample uploads are still active"


def test_remove_the_sample_once_own_data_is_loaded(sample_app: Path) -> None:
    at = open_upload_page()
    assert "Remove the sample data…" not in labels(at.button)
    upload(at, ("june.xlsx", new_people()))
    press(at, "Load")
    assert sample_banner(at), "the banner stays while any sample upload is active"
    assert any("so is the bundled sample" in w.value for w in at.warning)

    press(at, "Remove the sample data…")
    assert any("Remove the sample?" in w.value for w in at.warning), "asked before anything is rolled back"
    assert sample_banner(at)
    press(at, "Yes, roll it back")

    assert texts(at.success) == [f"The sample data was removed ({SAMPLE_UPLOADS} uploads rolled back)."]
    history = table(at, "status").set_index("upload")["status"]
    assert history[9] == "active"
    assert history.drop(9).str.startswith("rolled back ").all() and len(history) == SAMPLE_UPLOADS + 1
    assert not sample_banner(at)
    assert "Remove the sample data…" not in labels(at.button)
    figures = overview(at)
    assert not sample_banner(at)
    assert (figures["People reached"], figures["Attendances"]) == ("12", "14")
    with database(sample_app) as con:
        assert con.execute("SELECT count(*) FROM attendance").fetchone() == (14,)
