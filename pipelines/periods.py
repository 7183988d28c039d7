"""Reporting periods: UK financial years (April to March), their quarters, and custom date ranges."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"The period ends ({self.end}) before it starts ({self.start}).")

    @property
    def label(self) -> str:
        """'financial year 2025-26', '2025-26 Q1', or the dates."""
        if self == financial_year(self.start):
            return f"financial year {fy_label(self.start)}"
        if self == fy_quarter(self.start):
            return quarter_label(self.start)
        return self.dates

    @property
    def short_label(self) -> str:
        """'2025-26', '2025-26 Q1', or the dates: for file names."""
        return fy_label(self.start) if self == financial_year(self.start) else self.label

    @property
    def dates(self) -> str:
        return f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"

    @property
    def description(self) -> str:
        """The label with its dates, for chart subtitles: 'Financial year 2025-26 (1 Apr 2025 – 31 Mar 2026)'."""
        label = self.label[0].upper() + self.label[1:]
        return label if label == self.dates else f"{label} ({self.dates})"

    def previous(self) -> Period:
        """The period of the same length just before this one (whole months where it is whole months)."""
        months = _whole_months(self)
        if months:
            start = add_months(self.start, -months)
            return Period(start, add_months(start, months) - dt.timedelta(days=1))
        length = self.end - self.start + dt.timedelta(days=1)
        return Period(self.start - length, self.start - dt.timedelta(days=1))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), kept within the month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


def _whole_months(period: Period) -> int | None:
    after = period.end + dt.timedelta(days=1)
    if period.start.day != 1 or after.day != 1:
        return None
    return (after.year - period.start.year) * 12 + after.month - period.start.month


def fy_start_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def financial_year(day: dt.date) -> Period:
    year = fy_start_year(day)
    return Period(dt.date(year, 4, 1), dt.date(year + 1, 3, 31))


def fy_label(day: dt.date) -> str:
    year = fy_start_year(day)
    return f"{year}-{(year + 1) % 100:02d}"


def fy_quarter(day: dt.date) -> Period:
    start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period(start, add_months(start, 3) - dt.timedelta(days=1))


def quarter_label(day: dt.date) -> str:
    """E.g. '2025-26 Q1' for April to June 2025."""
    return f"{fy_label(day)} Q{(day.month - 4) % 12 // 3 + 1}"


def quarters(period: Period) -> list[Period]:
    """The financial quarters that overlap a period, in order."""
    found, start = [], fy_quarter(period.start).start
    while start <= period.end:
        found.append(fy_quarter(start))
        start = add_months(start, 3)
    return found


def quarters_within(period: Period) -> list[Period]:
    """The part of each financial quarter that overlaps a period: the days a quarter's figures count."""
    return [Period(max(q.start, period.start), min(q.end, period.end)) for q in quarters(period)]


def latest_complete_financial_year(
    last_data_day: dt.date, today: dt.date | None = None, first_data_day: dt.date | None = None
) -> Period:
    """The latest financial year that has ended and that the data reaches; the current one if none has."""
    year = financial_year(min(last_data_day, today or dt.date.today()))
    if year.end < (today or dt.date.today()):
        return year
    earlier = financial_year(year.start - dt.timedelta(days=1))
    return earlier if first_data_day is None or first_data_day <= earlier.end else year


def whole_months(period: Period) -> Period:
    """The period widened to whole calendar months: from the first of its first month to the last day of its last
    (docs/privacy.md#periods-a-viewer-may-choose)."""
    return Period(period.start.replace(day=1), add_months(period.end.replace(day=1), 1) - dt.timedelta(days=1))


def trailing_quarters(period: Period, earliest: dt.date, count: int = 8) -> Period:
    """Up to ``count`` whole financial quarters ending with the period's last, not starting before the data."""
    last = fy_quarter(period.end)
    start = max(add_months(last.start, -3 * (count - 1)), fy_quarter(earliest).start)
    return Period(start, last.end)
