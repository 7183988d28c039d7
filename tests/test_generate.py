"""The benchmark's generator: deterministic, of the stated shape, and loadable through the loader."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from benchmarks import generate
from pipelines import ingest, store

ROWS = 200


def rows_of(data: bytes, sheet: int = 0) -> list[list[object]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(sheet).to_python()


@pytest.mark.parametrize("build", [generate.register_workbook, generate.wellbeing_workbook])
def test_the_same_call_gives_the_same_bytes(build) -> None:
    assert build(ROWS) == build(ROWS)


@pytest.mark.parametrize(
    ("build", "headers", "people"),
    [
        (
            generate.register_workbook,
            ["Participant ID", "Session date", "Activity", "Attended", "Delivery"],
            20,  # ten sessions each
        ),
        (
            generate.wellbeing_workbook,
            ["Participant ID", "Date", *(f"WEMWBS Q{i}" for i in range(1, 15))],
            80,  # two and a half questionnaires each
        ),
    ],
)
def test_a_workbook_has_its_rows_columns_and_people(build, headers: list[str], people: int) -> None:
    header, *rows = rows_of(build(ROWS))
    assert header == headers
    assert len(rows) == ROWS
    assert len({row[0] for row in rows}) == people
    assert all(isinstance(row[1], dt.date) for row in rows)


def test_answers_mix_numbers_and_likert_words() -> None:
    _, *rows = rows_of(generate.wellbeing_workbook(ROWS))
    answers = {answer for row in rows for answer in row[2:]}
    assert {1.0, 5.0, "Often", "Some of the time", "None of the time"} <= answers


def test_attended_is_in_words() -> None:
    _, *rows = rows_of(generate.register_workbook(ROWS))
    assert {row[3] for row in rows} == set(generate.ATTENDED_WORDS)


def test_parts_continue_the_same_register() -> None:
    """Two files of 100 rows hold the people and dates of one register of 200 rows, so no two share a key."""
    whole = rows_of(generate.register_workbook(ROWS, 20))[1:]
    halves = [rows_of(generate.register_workbook(ROWS // 2, 20, part))[1:] for part in (0, 1)]
    assert [row[:2] for row in halves[0] + halves[1]] == [row[:2] for row in whole]


def test_small_workbooks_load_through_the_loader(tmp_path) -> None:
    con = store.connect(tmp_path / "generated.duckdb")
    files = [("register.xlsx", generate.register_workbook(ROWS)), ("wemwbs.xlsx", generate.wellbeing_workbook(ROWS))]
    checked = ingest.check(con, files)
    assert checked.problems == []
    ingest.load(con, checked)
    assert generate.row_counts(con) | {"wellbeing": None} == {
        "participants": 0,
        "attendance": ROWS,
        "wellbeing": None,  # each WEMWBS questionnaire also gives a SWEMWBS score
        "funding": 0,
        "expenditure": 0,
        "reserves": 0,
        "wemwbs_questionnaires": ROWS,
        "people_attending": 20,
    }


def test_a_small_network_loads_with_every_kind_and_the_same_counts_twice(tmp_path) -> None:
    scale = generate.Scale().shrunk(1_000)  # 1,000 attendances, 100 people, 200 questionnaires, 1 funding line
    databases = [store.connect(tmp_path / f"network{run}.duckdb") for run in (1, 2)]
    counts = [generate.large(con, scale, say=lambda _: None)["rows"] for con in databases]
    assert (
        counts[0]
        == counts[1]
        == {
            "participants": 100,
            "attendance": 1_000,
            "wellbeing": 400,
            "funding": 1,
            "expenditure": 720,  # 36 months of 20 activities
            "reserves": 12,  # quarterly over three years
            "wemwbs_questionnaires": 200,
            "people_attending": 100,
        }
    )
