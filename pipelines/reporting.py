"""The funders' reporting calendar (docs/metrics.md#reporting-dates): every report a secured grant or contract owes
its funder, when it is due and the period it covers, as a list and as an .ics calendar file.

The funding sheet gives a grant's reports as a list of dates, or as a frequency with the first report's date
(docs/data-contract.md#funding). Each report covers the time since the previous one, or since the grant's start, up
to its due date or the grant's end, whichever comes first.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Event

from pipelines.periods import Period, add_months
from pipelines.query import Con, fetch_rows
from pipelines.vocab import REPORT_MONTHS

AHEAD_MONTHS = 12  # the Reports page and the command line look this far ahead
OVERDUE_DAYS = 91  # reports due in the three months before today are listed as overdue unless sent
REMINDER_DAYS = 7  # the calendar reminds this many days before a report is due
CALENDAR_ID = "-//Impact dashboard//Funders' reporting dates//EN"


@dataclass(frozen=True)
class Report:
    """One report a funder expects: for which grant, when, and the period it covers."""

    funder: str
    grant: str
    due: dt.date
    covers: Period

    def as_dict(self) -> dict[str, str]:
        """As the command line's JSON gives it, dates in ISO form."""
        return {
            "funder": self.funder,
            "grant": self.grant,
            "due": self.due.isoformat(),
            "covers_from": self.covers.start.isoformat(),
            "covers_to": self.covers.end.isoformat(),
        }

    @property
    def sentence(self) -> str:
        """'Dudley Council, Wellbeing courses 2024-26: due 22 April 2026, covering 30 Apr 2025 – 31 Mar 2026.'"""
        return f"{self.funder}, {self.grant}: due {self.due:%-d %B %Y}, covering {self.covers.dates}."


def is_month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def series(first: dt.date, months: int, end: dt.date) -> list[dt.date]:
    """The first report's date, then one every ``months`` months counted from it, until a report falls on or after
    the grant's ``end``. Each date is the first's day of the month, or the month's last day where the month is
    shorter (30 Nov → 28 or 29 Feb → 30 May); when the first falls on its month's last day, every one does
    (31 Jan → 30 Apr → 31 Jul; 29 Feb 2024 yearly → 28 Feb 2025 … 29 Feb 2028)."""
    found = [first]
    while found[-1] < end:
        following = add_months(first, months * len(found))
        found.append(month_end(following) if is_month_end(first) else following)
    return found


def due_dates(
    end: dt.date, listed: list[dt.date] | None, frequency: str | None, first: dt.date | None
) -> list[dt.date]:
    """Every report date of a grant ending on ``end``: those listed, and the series from the first report's date at
    the frequency (the first alone without a frequency), in order, each once."""
    found = set(listed or ())
    if first is not None:
        found.update(series(first, REPORT_MONTHS[frequency], end) if frequency else [first])
    return sorted(found)


def grant_reports(funder: str, grant: str, start: dt.date, end: dt.date, dates: list[dt.date]) -> list[Report]:
    """The grant's reports, each covering the time since the previous one (or the start) to its due date or the
    grant's end; a report due after an earlier one has covered the end covers the whole grant (a final report)."""
    reports, since = [], start
    for due in dates:
        covered = Period(since, min(due, end)) if since <= end else Period(start, end)
        reports.append(Report(funder, grant, due, covered))
        since = due + dt.timedelta(days=1)
    return reports


REPORTING_SQL = """
    SELECT funder, title, start_date, end_date, reports_due, reporting_frequency, first_report_due FROM funding
    WHERE status = 'secured' AND (reports_due IS NOT NULL OR first_report_due IS NOT NULL)
"""


def reports(con: Con) -> list[Report]:
    """Every report owed on secured funding, soonest first."""
    found = []
    for funder, title, start, end, listed, frequency, first in fetch_rows(con, REPORTING_SQL):
        found += grant_reports(funder, title, start, end, due_dates(end, listed, frequency, first))
    return sorted(found, key=lambda r: (r.due, r.funder, r.grant))


def ahead(today: dt.date) -> Period:
    """The next AHEAD_MONTHS months from today, today included."""
    return Period(today, add_months(today, AHEAD_MONTHS) - dt.timedelta(days=1))


def due_within(con: Con, period: Period) -> list[Report]:
    """The reports due in a period, soonest first."""
    return [r for r in reports(con) if period.start <= r.due <= period.end]


def overdue(con: Con, today: dt.date) -> list[Report]:
    """Reports due in the OVERDUE_DAYS before today: the dashboard cannot know whether they were sent."""
    return due_within(con, Period(today - dt.timedelta(days=OVERDUE_DAYS), today - dt.timedelta(days=1)))


def next_due(con: Con, today: dt.date) -> Report | None:
    """The first report due today or later, if any."""
    return next((r for r in reports(con) if r.due >= today), None)


def next_due_in_words(con: Con, today: dt.date) -> str | None:
    """'The next report due is to Dudley Council for Wellbeing courses 2024-26 on 22 April 2026, covering …'."""
    found = next_due(con, today)
    if found is None:
        return None
    return (
        f"The next report due is to {found.funder} for {found.grant} on {found.due:%-d %B %Y}, covering "
        f"{found.covers.dates}."
    )


def ics(found: list[Report], charity: str, made_at: dt.datetime) -> bytes:
    """The reports as an iCalendar file (RFC 5545) that Outlook and Google Calendar import: one all-day event on
    each due date, with a reminder REMINDER_DAYS before. Each event keeps its UID however often the file is made,
    so importing it again updates the events rather than doubling them."""
    book = Calendar()
    book.add("prodid", CALENDAR_ID)
    book.add("version", "2.0")
    book.add("calscale", "GREGORIAN")
    book.add("method", "PUBLISH")
    book.add("x-wr-calname", f"{charity}: funders' reports" if charity else "Funders' reports")
    for report in found:
        book.add_component(_event(report, made_at))
    return book.to_ical()


def _event(report: Report, made_at: dt.datetime) -> Event:
    summary = f"Report due to {report.funder}: {report.grant}"
    event = Event()
    event.add("uid", f"{_uid(report)}@impact-dashboard")
    event.add("dtstamp", made_at)
    event.add("dtstart", report.due)
    event.add("dtend", report.due + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", f"Covers {report.covers.dates}. Make the report pack on the dashboard's Reports page.")
    event.add("transp", "TRANSPARENT")
    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", summary)
    reminder.add("trigger", -dt.timedelta(days=REMINDER_DAYS))
    event.add_component(reminder)
    return event


def _uid(report: Report) -> str:
    key = f"{report.funder}\n{report.grant}\n{report.due.isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]
