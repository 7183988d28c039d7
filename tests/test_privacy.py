"""Privacy by design (docs/privacy.md): pseudonymised references, the key file, personal data, small numbers."""

from __future__ import annotations

import hashlib
import hmac
import stat

import pytest

from pipelines import ingest, reach, store
from pipelines.privacy import MissingSecret, pii_header, pii_value
from pipelines.query import Filters
from tests.helpers import BASE_TABLES, FY24, checked, csv_bytes, current, load, workbook

RAW = ("HSM-000417", "31415")
REGISTER_HEADER = ["participant_id", "session_date", "activity"]


def _upload(con) -> None:
    people = [["participant_id", "gender"], ["HSM-000417", "woman"], [31415, "man"]]
    register = [["Client ref", "Date", "Group"], ["HSM-000417", "2024-05-01", "Peer"], [31415.0, "2024-05-01", "Peer"]]
    scores = [["participant_id", "date", "SWEMWBS total"], ["HSM-000417", "2024-05-01", 21]]
    load(con, ("q1.xlsx", workbook({"People": people, "Register": register, "Scores": scores})))


def test_participant_references_are_never_stored_raw(con):
    _upload(con)
    tables = [t for (t,) in current(con, BASE_TABLES)]
    assert {"uploads", "meta", "participants_history", "attendance_history", "wellbeing_history"} <= set(tables)
    for table in tables:
        text = " ".join(str(v) for row in current(con, f"SELECT * FROM {table}") for v in row)
        for raw in RAW:
            assert raw not in text, f"{raw} found in {table}"
    assert current(con, "SELECT count(DISTINCT participant_id) FROM attendance_history") == [(2,)]


def test_the_stored_reference_is_a_keyed_hash(con, tmp_path):
    _upload(con)
    key_file = tmp_path / "t.duckdb.key"
    key = key_file.read_bytes()
    assert len(key) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # readable by its owner only
    expected = hmac.new(key, b"HSM-000417", hashlib.sha256).hexdigest()[:32]
    assert current(con, "SELECT count(*) FROM participants WHERE participant_id = ?", [expected]) == [(1,)]
    unkeyed = hashlib.sha256(b"HSM-000417").hexdigest()[:32]
    assert current(con, "SELECT count(*) FROM participants WHERE participant_id = ?", [unkeyed]) == [(0,)]


def test_the_same_reference_in_two_uploads_gets_the_same_pseudonym(con):
    load(con, ("people.xlsx", workbook({"People": [["participant_id", "gender"], ["HSM-000417", "woman"]]})))
    load(con, ("register.csv", csv_bytes([REGISTER_HEADER, ["HSM-000417", "2024-05-01", "Peer"]])))
    [(people_id,)] = current(con, "SELECT participant_id FROM participants")
    [(register_id,)] = current(con, "SELECT participant_id FROM attendance")
    assert people_id == register_id
    by_gender = dict(reach.reach_by(con, Filters(FY24), "gender").itertuples(index=False, name=None))
    assert by_gender == {"Woman": 1}  # linked across the uploads


def test_another_installation_gives_other_pseudonyms(con, tmp_path):
    _upload(con)
    with store.connect(tmp_path / "other.duckdb") as other:
        _upload(other)
        mine = set(current(con, "SELECT participant_id FROM participants"))
        theirs = set(current(other, "SELECT participant_id FROM participants"))
        assert mine and not mine & theirs  # each installation has its own key


def test_a_missing_key_file_is_refused_with_a_clear_message(con, tmp_path):
    _upload(con)
    (tmp_path / "t.duckdb.key").unlink()
    data = workbook({"Register": [REGISTER_HEADER, ["HSM-000417", "2024-06-01", "Peer"]]})
    with pytest.raises(MissingSecret) as missing:
        ingest.check(con, [("q2.xlsx", data)])
    message = str(missing.value)
    assert str(tmp_path / "t.duckdb.key") in message
    assert "missing" in message and "backup" in message and "IMPACT_SECRET_FILE" in message
    assert not (tmp_path / "t.duckdb.key").exists()  # a new key is not quietly made: it would break the links
    assert current(con, "SELECT count(*) FROM uploads") == [(1,)]


def test_a_key_file_from_elsewhere_is_refused(con, tmp_path):
    _upload(con)
    (tmp_path / "t.duckdb.key").write_bytes(b"\x01" * 32)
    with pytest.raises(MissingSecret, match="not the one"):
        ingest.participant_key(con)


def test_a_new_empty_database_makes_its_key(con, tmp_path):
    assert not (tmp_path / "t.duckdb.key").exists()
    first = ingest.participant_key(con)
    assert (tmp_path / "t.duckdb.key").read_bytes() == first
    assert ingest.participant_key(con) == first  # and keeps it


def test_the_key_file_can_live_elsewhere(con, tmp_path, monkeypatch):
    elsewhere = tmp_path / "secrets" / "impact.key"
    monkeypatch.setenv("IMPACT_SECRET_FILE", str(elsewhere))
    _upload(con)
    assert elsewhere.exists() and not (tmp_path / "t.duckdb.key").exists()


def test_postcode_district_is_accepted_and_a_full_postcode_is_not(con):
    people = [["participant_id", "postcode_district", "imd_decile"], ["P1", "dy1", 3]]
    load(con, ("people.xlsx", workbook({"People": people})))
    assert current(con, "SELECT postcode_district FROM participants") == [("DY1",)]
    people = [["participant_id", "postcode_district"], ["P2", "DY1 4AB"]]
    [problem] = checked(con, ("more.xlsx", workbook({"People": people}))).problems
    assert (problem.row, problem.column) == (2, 'B "postcode_district"')
    assert "full postcode" in problem.expected


def test_applicant_names_in_a_funding_sheet_are_ignored_not_refused(con):
    rows = [
        ["Funder", "Title", "Amount", "Start date", "End date", "Contact name", "Contact email"],
        ["Lottery", "Core", 1000, "2024-04-01", "2025-03-31", "Jane Roe", "jane@example.org"],
    ]
    result = checked(con, ("grants.xlsx", workbook({"Grants": rows})))
    assert result.ok
    assert "'Contact name', 'Contact email'" in " ".join(result.files[0].notes)
    ingest.load(con, result)
    stored = " ".join(str(v) for row in current(con, "SELECT * FROM funding_history") for v in row)
    assert "Jane" not in stored and "example.org" not in stored


# Each kind of personal data, with headers that name it and cells that hold it.
PERSONAL_DATA = [
    ("a name", ["First name"], []),
    ("an email address", ["E-mail address"], ["jo@example.org"]),
    ("a date of birth", ["DOB"], []),
    ("an NHS number", ["NHS No."], [9434765919, 9434765919.0, "943 476 5919"]),  # 299 mod 11 = 2, check digit 9: valid
    ("a phone number", ["Tel no"], ["07700 900123", "01384-123456"]),
    ("a full postcode", ["Post code"], ["wv14 7ab", "DY14AB"]),
]


@pytest.mark.parametrize(("what", "headers", "values"), PERSONAL_DATA, ids=[what for what, _, _ in PERSONAL_DATA])
def test_personal_data(what, headers, values):
    assert [pii_header(header) for header in headers] == [what] * len(headers)
    assert [pii_value(value) for value in values] == [what] * len(values)


@pytest.mark.parametrize("header", ["participant_id", "Postcode district", "Activity", "Notes", "Session date"])
def test_ordinary_headers(header):
    assert pii_header(header) is None


@pytest.mark.parametrize(
    "value", ["DY1", "03/04/2025", "2025-04-03", "Tuesday peer support group", 1234, 60.0, "P-0417", 9434765918, None]
)
def test_ordinary_values_are_not_personal_data(value):
    # 9434765918: weights 10..2 give 299, 299 mod 11 = 2, check digit 11 - 2 = 9, not 8
    assert pii_value(value) is None
