"""The funders' reporting calendar (docs/metrics.md#reporting-dates): report dates from a list and from a frequency,
month ends and leap years, the period each report covers, overdue reports, the .ics file read back, the command line
and the pack for exactly a report's period."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from pipelines import report, reporting, store, template
from pipelines.__main__ import main
from pipelines.periods import Period
from pipelines.reporting import Report, grant_reports, series
from tests.helpers import checked, load, workbook

D = dt.date
FUNDING = ["funder", "title", "amount", "start_date", "end_date", "reports_due", "reporting_frequency",
           "first_report_due"]  # fmt: skip
LINES = [
    FUNDING,
    ["Dudley Council", "Courses", 10000, "2025-04-01", "2026-03-31", "31/10/2025; 30/04/2026", None, None],
    ["Henry Smith", "Counselling", 30000, "2025-01-31", "2026-01-30", None, "quarterly", "2025-04-30"],
    ["Lottery", "Peer support", 50000, "2024-02-01", "2027-01-31", None, "Annual", "29/02/2024"],
    ["Tudor Trust", "Core", 9000, "2025-06-01", "2026-05-31", None, "six-monthly", None],
    ["Donors", "Donations", 5000, "2025-04-01", "2026-03-31", None, None, None],
]


def test_a_frequency_counts_from_the_first_report():
    assert series(D(2025, 7, 15), 3, D(2026, 3, 31)) == [D(2025, 7, 15), D(2025, 10, 15), D(2026, 1, 15),
                                                         D(2026, 4, 15)]  # fmt: skip


def test_a_month_end_stays_a_month_end():
    assert series(D(2025, 1, 31), 3, D(2026, 1, 1)) == [D(2025, 1, 31), D(2025, 4, 30), D(2025, 7, 31),
                                                        D(2025, 10, 31), D(2026, 1, 31)]  # fmt: skip
    assert series(D(2023, 11, 30), 3, D(2024, 6, 1)) == [D(2023, 11, 30), D(2024, 2, 29), D(2024, 5, 31),
                                                         D(2024, 8, 31)]  # fmt: skip


def test_a_day_the_month_lacks_falls_on_its_last_day_without_drifting():
    # 29 Nov is not a month end: Feb has no 29th in 2025 (28th), then back to the 29th, not the 28th
    assert series(D(2024, 11, 29), 3, D(2025, 8, 1)) == [D(2024, 11, 29), D(2025, 2, 28), D(2025, 5, 29),
                                                         D(2025, 8, 29)]  # fmt: skip


def test_29_february_yearly():
    assert series(D(2024, 2, 29), 12, D(2028, 1, 1)) == [D(2024, 2, 29), D(2025, 2, 28), D(2026, 2, 28),
                                                         D(2027, 2, 28), D(2028, 2, 29)]  # fmt: skip


def test_each_report_covers_the_time_since_the_previous_one():
    found = grant_reports("F", "G", D(2025, 4, 1), D(2026, 3, 31), [D(2025, 10, 31), D(2026, 4, 30), D(2026, 6, 1)])
    assert [r.covers for r in found] == [
        Period(D(2025, 4, 1), D(2025, 10, 31)),  # since the start
        Period(D(2025, 11, 1), D(2026, 3, 31)),  # to the grant's end, not the due date
        Period(D(2025, 4, 1), D(2026, 3, 31)),  # after the end is covered: the whole grant
    ]


def test_each_form_loads_and_gives_its_reports(con):
    result = checked(con, ("f.xlsx", workbook({"Funding": LINES})))
    notes = [n for f in result.files for n in f.notes]
    assert any("1 funding line gives how often reports are due but not when the first is" in n for n in notes)
    load(con, ("f.xlsx", workbook({"Funding": LINES})))
    found = {(r.funder, r.due): (r.covers.start, r.covers.end) for r in reporting.reports(con)}
    assert found == {
        ("Dudley Council", D(2025, 10, 31)): (D(2025, 4, 1), D(2025, 10, 31)),  # a list
        ("Dudley Council", D(2026, 4, 30)): (D(2025, 11, 1), D(2026, 3, 31)),
        ("Henry Smith", D(2025, 4, 30)): (D(2025, 1, 31), D(2025, 4, 30)),  # quarterly from a month end
        ("Henry Smith", D(2025, 7, 31)): (D(2025, 5, 1), D(2025, 7, 31)),
        ("Henry Smith", D(2025, 10, 31)): (D(2025, 8, 1), D(2025, 10, 31)),
        ("Henry Smith", D(2026, 1, 31)): (D(2025, 11, 1), D(2026, 1, 30)),
        ("Lottery", D(2024, 2, 29)): (D(2024, 2, 1), D(2024, 2, 29)),  # yearly from 29 February
        ("Lottery", D(2025, 2, 28)): (D(2024, 3, 1), D(2025, 2, 28)),
        ("Lottery", D(2026, 2, 28)): (D(2025, 3, 1), D(2026, 2, 28)),
        ("Lottery", D(2027, 2, 28)): (D(2026, 3, 1), D(2027, 1, 31)),
        ("Tudor Trust", D(2025, 11, 30)): (D(2025, 6, 1), D(2025, 11, 30)),  # first: the end of the first period
        ("Tudor Trust", D(2026, 5, 31)): (D(2025, 12, 1), D(2026, 5, 31)),
    }


def test_applied_for_funding_owes_no_reports(con):
    lines = [[*FUNDING, "status"], ["Dudley Council", "Bid", 10000, "2025-04-01", "2026-03-31", "31/10/2025", None,
                                    None, "applied"]]  # fmt: skip
    load(con, ("f.xlsx", workbook({"Funding": lines})))
    assert reporting.reports(con) == []


@pytest.mark.parametrize(
    ("due", "frequency", "first", "says"),
    [
        ("31/03/2025", None, None, "Expected report dates on or after the grant's start date"),
        (None, "quarterly", "2025-03-31", "Expected report dates on or after the grant's start date"),
        ("31/10/2025; soon", None, None, "Expected dates separated by semicolons"),
        ("31/02/2026", None, None, "31/02/2026"),
        (None, "monthly", "2025-04-30", "monthly"),
    ],
)
def test_impossible_reporting_dates_are_refused(con, due, frequency, first, says):
    lines = [FUNDING, ["Dudley Council", "Courses", 10000, "2025-04-01", "2026-03-31", due, frequency, first]]
    problems = [str(p) for p in checked(con, ("f.xlsx", workbook({"Funding": lines}))).problems]
    assert len(problems) == 1 and says in problems[0]


def test_overdue_and_due_reports(con):
    load(con, ("f.xlsx", workbook({"Funding": LINES})))
    today = D(2025, 11, 15)
    # both due 15 days ago; Henry Smith's of 31 July, 107 days ago, is older than 91 days and not listed
    assert [(r.funder, r.due) for r in reporting.overdue(con, today)] == [
        ("Dudley Council", D(2025, 10, 31)),
        ("Henry Smith", D(2025, 10, 31)),
    ]
    assert [(r.funder, r.due) for r in reporting.due_within(con, reporting.ahead(today))] == [
        ("Tudor Trust", D(2025, 11, 30)),
        ("Henry Smith", D(2026, 1, 31)),
        ("Lottery", D(2026, 2, 28)),
        ("Dudley Council", D(2026, 4, 30)),
        ("Tudor Trust", D(2026, 5, 31)),
    ]
    assert reporting.ahead(today) == Period(today, D(2026, 11, 14))
    assert reporting.next_due_in_words(con, today) == (
        "The next report due is to Tudor Trust for Core on 30 November 2025, covering 1 Jun 2025 – 30 Nov 2025."
    )


MADE_AT = dt.datetime(2025, 11, 15, 9, 30, tzinfo=dt.UTC)
TWO = [
    Report("Dudley Council", "Courses", D(2026, 4, 30), Period(D(2025, 11, 1), D(2026, 3, 31))),
    Report("Henry Smith", "Counselling", D(2026, 1, 31), Period(D(2025, 11, 1), D(2026, 1, 30))),
]


def test_the_calendar_reads_back_with_its_events():
    book = Calendar.from_ical(reporting.ics(TWO, "Brightside Mind", MADE_AT))
    assert str(book["version"]) == "2.0" and str(book["x-wr-calname"]) == "Brightside Mind: funders' reports"
    events = book.walk("VEVENT")
    assert [(str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend")) for e in events] == [
        ("Report due to Dudley Council: Courses", D(2026, 4, 30), D(2026, 5, 1)),  # all day
        ("Report due to Henry Smith: Counselling", D(2026, 1, 31), D(2026, 2, 1)),
    ]
    assert str(events[0]["description"]).startswith("Covers 1 Nov 2025 – 31 Mar 2026.")
    assert events[0].decoded("dtstamp") == MADE_AT
    [alarm] = events[0].walk("VALARM")
    assert alarm.decoded("trigger") == -dt.timedelta(days=7) and str(alarm["action"]) == "DISPLAY"
    again = Calendar.from_ical(reporting.ics(TWO, "Brightside Mind", MADE_AT + dt.timedelta(days=3)))
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == [str(e["uid"]) for e in events]  # updates, not doubles
    assert len({str(e["uid"]) for e in events}) == 2


def test_the_command_line_lists_and_writes_the_same_reports(con, tmp_path, capsys):
    load(con, ("f.xlsx", workbook({"Funding": LINES})))
    db = store.database_file(con)
    con.close()
    ics = tmp_path / "deadlines.ics"
    args = ["deadlines", "--db", str(db), "--json", "--from", "2026-01-01", "--to", "2026-04-30", "--ics", str(ics)]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == [
        {"funder": "Henry Smith", "grant": "Counselling", "due": "2026-01-31", "covers_from": "2025-11-01",
         "covers_to": "2026-01-30"},
        {"funder": "Lottery", "grant": "Peer support", "due": "2026-02-28", "covers_from": "2025-03-01",
         "covers_to": "2026-02-28"},
        {"funder": "Dudley Council", "grant": "Courses", "due": "2026-04-30", "covers_from": "2025-11-01",
         "covers_to": "2026-03-31"},
    ]  # fmt: skip
    events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert [e.decoded("dtstart").isoformat() for e in events] == [r["due"] for r in printed]


def test_the_command_line_covers_the_next_12_months_by_default(con, capsys):
    load(con, ("f.xlsx", workbook({"Funding": LINES})))
    db = store.database_file(con)
    con.close()
    assert main(["deadlines", "--db", str(db)]) == 0
    expected = sum(1 for r in reporting.reports(store.connect(db)) if reporting.ahead(dt.date.today()).start <= r.due
                   <= reporting.ahead(dt.date.today()).end)  # fmt: skip
    said = f"{expected} report due." if expected == 1 else f"{expected} reports due."
    assert capsys.readouterr().out.strip().endswith(said)


def test_the_template_has_the_reporting_columns():
    headers = [c.value for c in load_workbook(io.BytesIO(template.blank_template()))["Funding"][1]]
    assert headers[-3:] == ["Reports due", "Reporting frequency", "First report due"]


def test_a_database_made_before_the_reporting_columns_gains_them(con):
    load(con, ("f.xlsx", workbook({"Funding": LINES})))
    db = store.database_file(con)
    for name in ("reports_due", "reporting_frequency", "first_report_due"):
        con.execute(f"ALTER TABLE funding_history DROP COLUMN {name}")
        con.execute(f"CREATE OR REPLACE TABLE funding_current AS SELECT * EXCLUDE ({name}) FROM funding_current")
    con.execute("DELETE FROM meta WHERE key = ?", [store.SCHEMA_KEY])  # nor this version's schema digest
    con.close()
    again = store.connect(db)
    assert again.execute("SELECT count(*) FROM funding WHERE reports_due IS NULL").fetchone() == (5,)
    corrected = [*LINES, ["Donors", "Gift Aid", 500, "2025-04-01", "2026-03-31", None, None, None]]
    load(again, ("f2.xlsx", workbook({"Funding": corrected})))  # a new upload of the lines fills them
    assert len(reporting.reports(again)) == 12


def test_the_pack_for_a_due_report_covers_exactly_its_period(con):
    load(con, ("f.xlsx", workbook({"Funding": LINES})))
    due = next(r for r in reporting.reports(con) if r.funder == "Henry Smith" and r.due == D(2025, 7, 31))
    scope = report.scope(con, funder=due.funder, period=due.covers)
    assert scope.filters.period == Period(D(2025, 5, 1), D(2025, 7, 31))
    assert scope.funder == "Henry Smith"
