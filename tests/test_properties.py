"""Property-based tests: thousands of broken workbooks, CSVs and 360Giving packages (random bytes, random mutations
of valid files, random cell values of random types and lengths). Every one loads or is refused with UploadRefused;
never another exception, never a partial load, never a change to the database after a refusal.

The default run tries 25 of each kind; HYPOTHESIS_PROFILE=thorough tries 3,000 of each (tests/conftest.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pipelines import ingest, store
from pipelines.problems import Problem, UploadRefused
from tests.helpers import (
    BASE_SHEETS,
    REGISTER,
    SHEET,
    counts,
    grant,
    grants_package,
    load,
    parts,
    register_csv,
    rezip,
    workbook,
)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """One database, holding one valid upload to begin with, for every example of this module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("IMPACT_SECRET_FILE", raising=False)
        con = store.connect(tmp_path_factory.mktemp("properties") / "p.duckdb")
        load(con, ("base.xlsx", workbook(BASE_SHEETS)))
        yield con
        con.close()


FUNDING = [
    ["funder", "title", "amount", "start_date", "end_date", "duration (months)"],
    ["Lottery", "Core", 36500, "2024-04-01", "2025-03-31", 12],
]
VALID_XLSX = workbook({"Register": REGISTER, "Funding": FUNDING})
VALID_CSV = register_csv()
VALID_JSON = grants_package([grant(), grant(id="360G-test-2", title="Walks", amount=500)])


def loads_or_is_refused(con: duckdb.DuckDBPyConnection, files: list[tuple[str, bytes]]) -> None:
    """The property: checking never raises; a refusal leaves the database as it was; a load adds whole uploads."""
    before = counts(con)
    result = ingest.check(con, files)
    event("loaded" if result.ok else "refused")  # counted in --hypothesis-show-statistics
    if result.ok:
        ingest.load(con, result)
        # a file identical to one loaded already (a mutation may undo itself) is said to be in, not loaded again
        assert len(result.files) + len(result.already_in) == len(files)
        assert counts(con)["uploads"] == before["uploads"] + len(result.files)
        return
    assert all(isinstance(p, Problem) and p.file and p.expected for p in result.problems)
    with pytest.raises(UploadRefused):
        ingest.load(con, result)
    assert counts(con) == before


# Random bytes and random mutations of valid files -------------------------------------------------

SUFFIXES = st.sampled_from([".xlsx", ".csv", ".json", ".xlsm", ".txt"])


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes flipped, inserted, deleted, repeated or cut off."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        match draw(st.sampled_from(["flip", "insert", "delete", "repeat", "cut"])):
            case "flip" if out:
                out[at] ^= 1 << draw(st.integers(0, 7))
            case "insert":
                out[at:at] = draw(st.binary(min_size=1, max_size=64))
            case "delete":
                del out[at : at + draw(st.integers(1, 64))]
            case "repeat":
                out[at:at] = out[at : at + draw(st.integers(1, 64))] * draw(st.integers(2, 500))
            case "cut":
                del out[at:]
    return bytes(out)


XML_SNIPPETS = st.sampled_from(
    [
        "<!DOCTYPE x [<!ENTITY a 'b'>]>",
        "&a;",
        '<dimension ref="A1:XFD1048576"/>',
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        '<c r="B2" t="s"><v>999999</v></c>',
        '<c r="B2" t="n"><v>1e999</v></c>',
        '<c r="C2" t="str"><f>1/0</f><v>#DIV/0!</v></c>',
        '<c r="C2" t="e"><v>#REF!</v></c>',
        '<c r="C2" t="b"><v>7</v></c>',
        "<c><v>NaN</v></c>" * 300,
        "</sheetData>",
        "<row>",
        "\x00",
        "é",
    ]
)


@st.composite
def mutated_sheet_xml(draw: st.DrawFn) -> bytes:
    """The valid workbook, zipped properly, with its first sheet's XML cut, spliced or given a hostile snippet."""
    files = parts(VALID_XLSX)
    xml = files[SHEET].decode()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(xml)))
        match draw(st.sampled_from(["snippet", "delete", "text"])):
            case "snippet":
                xml = xml[:at] + draw(XML_SNIPPETS) + xml[at:]
            case "delete":
                xml = xml[:at] + xml[at + draw(st.integers(1, 200)) :]
            case "text":
                xml = xml[:at] + draw(st.text(max_size=50)) + xml[at:]
    files[SHEET] = xml.encode("utf-8", errors="surrogatepass")
    return rezip(files)


@given(suffix=SUFFIXES, data=st.binary(max_size=2_000))
def test_random_bytes(loaded, suffix, data):
    loads_or_is_refused(loaded, [(f"random{suffix}", data)])


@given(data=st.one_of(mutated(VALID_XLSX), mutated_sheet_xml()))
def test_mutated_workbooks(loaded, data):
    loads_or_is_refused(loaded, [("mutated.xlsx", data)])


@given(suffix=st.sampled_from([".csv", ".json"]), data=st.data())
def test_mutated_csv_and_json(loaded, suffix, data):
    seed = VALID_CSV if suffix == ".csv" else VALID_JSON
    loads_or_is_refused(loaded, [(f"mutated{suffix}", data.draw(mutated(seed)))])


# Random cell values of random types and lengths ----------------------------------------------------

TEXT = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8", max_codepoint=0x20), max_size=10),  # control characters
    st.text(st.sampled_from("aé€ \t\n\r\x0b"), min_size=150, max_size=400),  # names around their limit
    st.integers(0, 40).map(lambda n: "x" * (2**n % 70_000)),  # up to past a cell's limit
)
CELL = st.one_of(
    st.none(),
    TEXT,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.sampled_from(["2024-06-05", "05/06/2024", "yes", "no", "DNA", "£1,200", "1e400", "nan", "-inf", "P3", "Art"]),
)
GOOD = {  # a value each column accepts, so that rows with one random cell reach every reader and often load
    "participant_id": "P3", "session_date": "2024-06-05", "activity": "Art", "attended": "yes", "venue": "Hall",
    "minutes": 60, "funder": "Lottery", "title": "Core", "amount": 1200, "start_date": "2024-04-01",
    "end_date": "2025-03-31", "duration (months)": 12, "month": "2024-06-01", "spend": 500, "as at": "2024-06-30",
    "free reserves": 9000, "date": "2024-06-05", "WEMWBS total": 40, "notes": "fine",
}  # fmt: skip
HEADERS = st.sampled_from(
    [
        ["participant_id", "session_date", "activity", "attended", "venue", "minutes", "notes"],
        ["funder", "title", "amount", "start_date", "end_date", "duration (months)"],
        ["month", "spend"],
        ["as at", "free reserves"],
        ["participant_id", "date", "WEMWBS total", "notes"],
    ]
) | st.lists(st.sampled_from(list(GOOD)), min_size=1, max_size=8, unique=True)


def _xlsx_safe(value: object) -> object:
    """What openpyxl can write: no control characters it refuses, no surrogates."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value).encode("utf-8", errors="ignore").decode()
    return value


@st.composite
def random_sheets(draw: st.DrawFn) -> list[list[object]]:
    """A header of known columns, then rows of good values with up to two random cells each."""
    header = draw(HEADERS)
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row = [GOOD[column] for column in header] + draw(st.lists(CELL, max_size=2))
        for at in draw(st.lists(st.integers(0, len(row) - 1), max_size=2)):
            row[at] = draw(CELL)
        rows.append(row)
    return [header, *rows]


def _csv_text(value: object) -> str:
    return "" if value is None else re.sub("[\ud800-\udfff]", "", str(value))


@given(rows=random_sheets(), as_csv=st.booleans())
def test_random_cell_values(loaded, rows, as_csv):
    if as_csv:
        out = io.StringIO()
        csv.writer(out).writerows([[_csv_text(v) for v in row] for row in rows])
        files = [("random.csv", out.getvalue().encode("utf-8"))]
    else:
        files = [("random.xlsx", workbook({"Sheet": [[_xlsx_safe(v) for v in row] for row in rows]}))]
    loads_or_is_refused(loaded, files)


@given(grants=st.lists(st.dictionaries(st.sampled_from(list(grant())), CELL | st.lists(CELL, max_size=2)), max_size=4))
def test_random_grants(loaded, grants):
    text = json.dumps({"grants": [grant() | g for g in grants]}, default=str)
    loads_or_is_refused(loaded, [("random.json", text.encode("utf-8", errors="surrogatepass"))])


@pytest.mark.parametrize(
    ("name", "data"), [("seed.xlsx", VALID_XLSX), ("seed.csv", VALID_CSV), ("seed.json", VALID_JSON)]
)
def test_the_files_mutated_are_valid(con, name, data):
    result = ingest.check(con, [(name, data)])
    assert result.ok, "\n".join(map(str, result.problems))
