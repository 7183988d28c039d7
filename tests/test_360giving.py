"""Funders' published grants (the 360Giving Data Standard) load as funding lines in every form they come in: the
spreadsheet (.xlsx, with Excel serial dates), its CSV in UTF-8 or Windows-1252, and the JSON data package. Built here
in each form, then the real published files in ../shared/external/360giving/."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipelines import funding, ingest, store
from pipelines.periods import Period
from pipelines.query import Filters
from tests.helpers import EXTERNAL, FY24, checked, csv_bytes, current, load, needs_external, workbook

D = dt.date
GIVING = EXTERNAL / "360giving"
needs_360giving = needs_external(GIVING)

HEADER = [
    "Identifier",
    "Title",
    "Amount Awarded",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Planned Dates:Duration (months)",
    "Funding Org:Name",
    "Recipient Org:Name",  # the applicant: ignored, never stored
    "Full name of applicant",
]
FOUNDATION, EMILE = "Black Country Community Foundation", "Fondation Émile Café"
TITLE_2 = "Creative arts (£12k)"
APPLICANT, PERSON = "Dudley Mind", "Dr Jane Roe"

# The same three grants in every form:
#  1 has only an award date (1 Apr 2024) and a duration of 24 months: it starts on the award date and ends the day
#    before 1 Apr 2026, 31 Mar 2026;
#  2 starts on 15 May 2024 with no end and no duration: it ends 12 months on, less a day, on 14 May 2025;
#  3 has its dates: 1 Jan to 31 Dec 2024.
EXPECTED = [
    ("360G-test-001", FOUNDATION, "Peer support across Dudley", 24000.0, D(2024, 4, 1), D(2026, 3, 31)),
    ("360G-test-002", EMILE, TITLE_2, 12000.0, D(2024, 5, 15), D(2025, 5, 14)),
    ("360G-test-003", EMILE, "Core costs", 36600.0, D(2024, 1, 1), D(2024, 12, 31)),
]
NOTES = [
    "1 funding line had no start date, so the award date was taken as the start.",
    "2 funding lines had no end date: each ends after its duration in months, or 12 months after the start where no "
    "duration is given.",
]
# FY 2024-25: grant 1 for 365 of its 730 days, 24,000 x 365 / 730 = 12,000; grant 2 from 15 May 2024 to 31 Mar 2025,
# 365 - (30 + 14) = 321 of its 365 days, 12,000 x 321 / 365 = 10,553.42; grant 3 Apr to Dec 2024, 275 days x 100
INCOME_FY24 = 12000 + 12000 * 321 / 365 + 27500

# Excel stores a date as days since 30 Dec 1899: 45383 is 1 Apr 2024, 45352 is 1 Mar 2024, 45261 is 1 Dec 2023.
SERIAL = {45383: D(2024, 4, 1), 45352: D(2024, 3, 1), 45261: D(2023, 12, 1)}


def spreadsheet() -> bytes:
    """The spreadsheet form: Award Date as Excel serial numbers, the other dates as dates or text, as funders'
    files have them."""
    rows = [
        HEADER,
        ["360G-test-001", "Peer support across Dudley", 24000, 45383, None, None, 24, FOUNDATION, APPLICANT, PERSON],
        ["360G-test-002", TITLE_2, 12000, 45352, dt.datetime(2024, 5, 15), None, None, EMILE, APPLICANT, PERSON],
        ["360G-test-003", "Core costs", 36600, 45261, "2024-01-01", "31/12/2024", None, EMILE, APPLICANT, PERSON],
    ]
    return workbook({"grants": rows})


def csv_form(encoding: str) -> bytes:
    rows = [
        HEADER,
        ["360G-test-001", "Peer support across Dudley", "24000", "01/04/2024", "", "", "24", FOUNDATION, APPLICANT, PERSON],
        ["360G-test-002", TITLE_2, "12,000", "2024-03-01", "15/05/2024", "", "", EMILE, APPLICANT, PERSON],
        ["360G-test-003", "Core costs", "36600.00", "01/12/2023", "2024-01-01", "2024-12-31", "", EMILE, APPLICANT, PERSON],
    ]  # fmt: skip
    return csv_bytes(rows, encoding)


def package() -> bytes:
    """The JSON data package, as the 360Giving schema has it (a list of organisations, a list of planned dates)."""

    def grant(identifier: str, title: str, amount: int, award: str, dates: list[dict], funder: str) -> dict:
        return {
            "id": identifier,
            "title": title,
            "currency": "GBP",
            "amountAwarded": amount,
            "awardDate": award,
            "plannedDates": dates,
            "fundingOrganization": [{"id": "GB-CHC-000001", "name": funder}],
            "recipientOrganization": [{"id": "GB-CHC-000002", "name": APPLICANT}],
        }

    grants = [
        grant("360G-test-001", "Peer support across Dudley", 24000, "2024-04-01T00:00:00+00:00", [{"duration": 24}], FOUNDATION),
        grant("360G-test-002", TITLE_2, 12000, "2024-03-01", [{"startDate": "2024-05-15"}], EMILE),
        grant("360G-test-003", "Core costs", 36600, "2023-12-01",
              [{"startDate": "2024-01-01T00:00:00Z", "endDate": "2024-12-31T00:00:00Z"}], EMILE),
    ]  # fmt: skip
    return json.dumps({"grants": grants}, ensure_ascii=False, indent=2).encode("utf-8")


def stored(con) -> list[tuple]:
    return current(
        con, "SELECT identifier, funder, title, amount, start_date, end_date FROM funding ORDER BY identifier"
    )


def passed(con, name: str, data: bytes) -> tuple[ingest.Check, list[str]]:
    """Check one file that must pass: the check, and the file's notes."""
    result = checked(con, (name, data))
    assert result.ok, [str(p) for p in result.problems]
    return result, result.files[0].notes


def everything_stored(con) -> str:
    return " ".join(str(v) for row in current(con, "SELECT * FROM funding_history") for v in row)


def test_excel_serial_numbers_are_dates():
    assert all(D(1899, 12, 30) + dt.timedelta(days=n) == day for n, day in SERIAL.items())


FORMS = {
    "grants.xlsx": spreadsheet,
    "grants.csv": lambda: csv_form("utf-8"),
    "grants-bom.csv": lambda: csv_form("utf-8-sig"),
    "grants-windows.csv": lambda: csv_form("cp1252"),
}


@pytest.mark.parametrize("name", FORMS)
def test_each_spreadsheet_form_loads(con, name):
    data = FORMS[name]()
    if name == "grants-windows.csv":
        assert "£".encode("cp1252") in data and "é".encode("cp1252") in data  # b"\xa3", b"\xe9"
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    result, notes = passed(con, name, data)  # the applicant's name is ignored, not refused
    assert notes[:2] == NOTES
    ignored = [n for n in notes if "not part of the data" in n]
    assert len(ignored) == 1 and "'Recipient Org:Name'" in ignored[0] and "'Full name of applicant'" in ignored[0]
    ingest.load(con, result)
    assert stored(con) == EXPECTED  # '£' and 'é' read as written, whatever the encoding
    assert current(con, "SELECT DISTINCT status, restricted, income_type FROM funding") == [("secured", False, "grant")]
    assert APPLICANT not in everything_stored(con) and "Roe" not in everything_stored(con)
    assert funding.income(con, Filters(FY24)) == pytest.approx(INCOME_FY24)


def test_the_json_package_loads(con):
    data = package()
    result, notes = passed(con, "grants.json", data)
    assert notes == NOTES
    ingest.load(con, result)
    assert stored(con) == EXPECTED
    assert APPLICANT not in everything_stored(con)  # the recipient is not read from the package at all
    assert funding.income(con, Filters(FY24)) == pytest.approx(INCOME_FY24)


def test_every_form_gives_the_same_income(tmp_path, monkeypatch):
    # each form in a database of its own: the figures must not depend on the form
    monkeypatch.delenv("IMPACT_SECRET_FILE", raising=False)
    incomes = []
    for i, (name, data) in enumerate([*((n, make()) for n, make in FORMS.items()), ("grants.json", package())]):
        with store.connect(tmp_path / f"{i}.duckdb") as db:
            load(db, (name, data))
            incomes.append(funding.income(db, Filters(FY24)))
    assert incomes == pytest.approx([INCOME_FY24] * 5)


# Dates: a publisher's slip, and a charity's own mistake ----------------------------------------------------------------
PUBLISHED = [
    HEADER[:8],
    ["360G-slip-1", "Ends before it starts", 6000, "2024-03-01", "2024-04-01", "2024-03-01", 6, "Funder"],
    ["360G-slip-2", "Also", 1200, None, "2024-04-01", "2023-04-01", None, "Funder"],
]


def test_a_published_end_before_the_start_is_worked_out_again(con):
    result, notes = passed(con, "published.xlsx", workbook({"grants": PUBLISHED}))
    notes = " ".join(notes)
    assert "2 funding lines are published grants whose end date is before their start date" in notes
    assert "2 funding lines had no end date" in notes
    ingest.load(con, result)
    assert current(con, "SELECT identifier, start_date, end_date FROM funding ORDER BY 1") == [
        ("360G-slip-1", D(2024, 4, 1), D(2024, 9, 30)),  # 6 months from 1 Apr 2024, less a day
        ("360G-slip-2", D(2024, 4, 1), D(2025, 3, 31)),  # no duration: 12 months
    ]


@pytest.mark.parametrize(
    "rows",
    [
        [
            ["funder", "title", "amount", "start_date", "end_date"],
            ["Council", "Contract", 1000, "2024-04-01", "2024-03-01"],
        ],
        [HEADER[:8], ["GR-001", "Not a published identifier", 1000, None, "2024-04-01", "2024-03-01", 6, "Funder"]],
    ],
    ids=["own sheet", "identifier without 360G-"],
)
def test_an_own_end_before_the_start_is_refused(con, rows):
    result = checked(con, ("funding.xlsx", workbook({"Funding": rows})))
    assert not result.ok
    [problem] = result.problems
    assert problem.row == 2
    assert "an end date on or after the start date" in problem.expected
    assert problem.value == "2024-03-01" and "end" in problem.column.lower()  # the end date, in its column
    assert current(con, "SELECT count(*) FROM funding_history") == [(0,)]


# Refused packages ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"grants": [{"id": "360G-x", "amountAwarded": 10', "The file is not valid JSON"),
        (b'[{"id": "360G-x"}]', 'Expected a 360Giving data package: {"grants": [ ... ]}.'),
        (b'{"grants": {"id": "360G-x"}}', 'Expected a 360Giving data package: {"grants": [ ... ]}.'),
        (b'{"grants": []}', "headers but no rows of data"),
    ],
    ids=["truncated", "a list", "grants not a list", "no grants"],
)
def test_a_broken_package_is_refused(con, data, expected):
    result = checked(con, ("grants.json", data))
    assert not result.ok
    assert expected in " ".join(p.expected for p in result.problems)


# The real published files -------------------------------------------------------------------------------------------

# Two grants by 'Funding Providers UK' (edited Wellcome Trust data), with Award Date 24/07/2014 and a duration:
# 30 months on is 24 Jan 2017, so the last day is 23 Jan 2017; 25 months on is 24 Aug 2016, the last day 23 Aug.
TWO_GRANTS = [
    ("Funding Providers UK", "Title A", 152505.0, D(2014, 7, 24), D(2017, 1, 23)),
    ("Funding Providers UK", "Title B", 178990.0, D(2014, 7, 24), D(2016, 8, 23)),
]


@needs_360giving
@pytest.mark.parametrize(
    "name",
    [
        "fundingproviders-grants_2_grants.xlsx",
        "fundingproviders-grants_2_grants_titleswithoutrollup.xlsx",
        "fundingproviders_grants_2_grants.csv",  # UTF-8
        "fundingproviders-grants_2_grants_cp1252.csv",  # Windows-1252, '€' in the identifiers
        "fundingproviders-grants_fixed_2_grants.json",  # each grant twice, identically: counted once
    ],
)
def test_the_published_two_grants_load_from_every_form(con, name):
    result, notes = passed(con, name, (GIVING / name).read_bytes())
    notes = " ".join(notes)
    assert "no start date, so the award date was taken as the start" in notes
    assert "had no end date" in notes
    if not name.endswith(".json"):
        assert "'Surname of applicant'" in notes and "'Recipient Org:Name'" in notes  # listed as ignored
    ingest.load(con, result)
    grants = current(con, "SELECT funder, title, amount, start_date, end_date FROM funding ORDER BY amount")
    assert [(f, t.rstrip("."), *rest) for f, t, *rest in grants] == TWO_GRANTS  # cp1252's title is 'Title A.'
    identifiers = [i for (i,) in current(con, "SELECT identifier FROM funding ORDER BY amount")]
    assert all(i.startswith("360G-") for i in identifiers)
    if "cp1252" in name:
        assert all("€" in i for i in identifiers)  # decoded as Windows-1252
    assert "Jane Roe" not in everything_stored(con) and "University of UK" not in everything_stored(con)


@needs_360giving
def test_the_broken_published_package_is_refused(con):
    # The grant '360G-fundingproviders-000001/X/00/X' appears twice, once with 152,505.03 and once with 152,505
    result = checked(con, ("broken.json", (GIVING / "fundingproviders-grants_broken_grants.json").read_bytes()))
    assert not result.ok
    [problem] = result.problems
    assert problem.row == 3 and problem.sheet == "grants"
    assert "360G-fundingproviders-000001/X/00/X" in problem.value
    assert "same identifier / funder / title / start date as row 2 but its values differ" in problem.expected
    assert current(con, "SELECT count(*) FROM funding_history") == [(0,)]


@needs_360giving
def test_power_to_change_grants(con):
    data = (GIVING / "power_to_change_grants_package.json").read_bytes()
    grants = json.loads(data)["grants"]
    dates = [(g.get("plannedDates") or [{}])[0] for g in grants]
    no_start = sum(1 for d in dates if not d.get("startDate"))
    no_end = sum(1 for d in dates if not d.get("endDate"))
    slips = sum(1 for d in dates if d.get("startDate") and d.get("endDate") and d["endDate"] < d["startDate"])
    assert (len(grants), no_start, no_end, slips) == (870, 220, 287, 5)

    result, notes = passed(con, "power_to_change_grants_package.json", data)
    notes = " ".join(notes)
    assert f"{no_start} funding lines had no start date" in notes
    assert f"{no_end + slips} funding lines had no end date" in notes  # the 5 slips' ends are worked out too
    assert f"{slips} funding lines are published grants whose end date is before their start date" in notes
    ingest.load(con, result)
    assert current(con, "SELECT count(*), count(DISTINCT identifier) FROM funding") == [(870, 870)]
    assert current(con, "SELECT DISTINCT funder FROM funding") == [("Power to Change Trust",)]
    total = sum(g["amountAwarded"] for g in grants)  # £51,625,696.54
    everything = Filters(Period(D(2000, 1, 1), D(2030, 12, 31)))
    assert funding.income(con, everything) == pytest.approx(total)
    assert current(con, "SELECT count(*) FROM funding WHERE end_date < start_date") == [(0,)]
    assert "Hyde Park Source" in {t for (t,) in current(con, "SELECT title FROM funding")}
    assert "2 Rosebank Rd" not in everything_stored(con)  # the recipient's address is never read
