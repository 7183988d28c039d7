"""UK financial years (April to March), their quarters, previous periods and the period the app opens on."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.periods import (
    Period,
    add_months,
    financial_year,
    fy_label,
    fy_quarter,
    latest_complete_financial_year,
    quarter_label,
    quarters,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (D(2025, 4, 1), D(2025, 4, 1), D(2026, 3, 31)),  # first day of the year
        (D(2026, 3, 31), D(2025, 4, 1), D(2026, 3, 31)),  # last day of the same year
        (D(2025, 3, 31), D(2024, 4, 1), D(2025, 3, 31)),  # March belongs to the year that began the April before
        (D(2024, 12, 25), D(2024, 4, 1), D(2025, 3, 31)),
        (D(2025, 1, 1), D(2024, 4, 1), D(2025, 3, 31)),
    ],
)
def test_financial_year(day, start, end):
    assert financial_year(day) == Period(start, end)


def test_financial_year_labels():
    assert fy_label(D(2025, 4, 1)) == "2025-26"
    assert fy_label(D(2025, 3, 31)) == "2024-25"
    assert fy_label(D(1999, 6, 1)) == "1999-00"  # (1999 + 1) % 100 = 0, written 00
    assert financial_year(D(2025, 7, 1)).label == "financial year 2025-26"


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (D(2025, 4, 1), "2025-26 Q1", D(2025, 4, 1), D(2025, 6, 30)),
        (D(2025, 9, 30), "2025-26 Q2", D(2025, 7, 1), D(2025, 9, 30)),
        (D(2025, 11, 5), "2025-26 Q3", D(2025, 10, 1), D(2025, 12, 31)),
        (D(2026, 2, 28), "2025-26 Q4", D(2026, 1, 1), D(2026, 3, 31)),  # January to March is Q4 of the year before
    ],
)
def test_quarters_and_their_labels(day, label, start, end):
    assert quarter_label(day) == label
    assert fy_quarter(day) == Period(start, end)
    assert fy_quarter(day).label == label


def test_quarters_of_a_financial_year_in_order():
    found = quarters(financial_year(D(2024, 5, 1)))
    assert [q.start for q in found] == [D(2024, 4, 1), D(2024, 7, 1), D(2024, 10, 1), D(2025, 1, 1)]
    assert found[-1].end == D(2025, 3, 31)


def test_quarters_overlapping_a_custom_period():
    # 15 May to 2 Aug 2024 touches Q1 (Apr-Jun) and Q2 (Jul-Sep)
    found = quarters(Period(D(2024, 5, 15), D(2024, 8, 2)))
    assert [quarter_label(q.start) for q in found] == ["2024-25 Q1", "2024-25 Q2"]


def test_custom_label():
    assert Period(D(2025, 5, 3), D(2025, 6, 9)).label == "3 May 2025 – 9 Jun 2025"


def test_previous_financial_year():
    assert financial_year(D(2025, 6, 1)).previous() == Period(D(2024, 4, 1), D(2025, 3, 31))


def test_previous_quarter_crosses_the_year_boundary():
    # Q1 2025-26 (Apr-Jun 2025) follows Q4 2024-25 (Jan-Mar 2025)
    assert fy_quarter(D(2025, 4, 1)).previous() == Period(D(2025, 1, 1), D(2025, 3, 31))
    # Q4 (Jan-Mar 2024, 91 days in a leap year) follows Oct-Dec 2023 (92 days): whole months, not days
    assert fy_quarter(D(2024, 2, 1)).previous() == Period(D(2023, 10, 1), D(2023, 12, 31))


def test_previous_custom_period_is_the_same_number_of_days_before():
    # 10 to 19 May is 10 days; the 10 days before are 30 Apr to 9 May
    assert Period(D(2025, 5, 10), D(2025, 5, 19)).previous() == Period(D(2025, 4, 30), D(2025, 5, 9))
    # one day: the day before
    assert Period(D(2025, 3, 1), D(2025, 3, 1)).previous() == Period(D(2025, 2, 28), D(2025, 2, 28))


def test_previous_whole_month():
    # March (31 days) follows February 2024 (29 days)
    assert Period(D(2024, 3, 1), D(2024, 3, 31)).previous() == Period(D(2024, 2, 1), D(2024, 2, 29))


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="before it starts"):
        Period(D(2025, 5, 2), D(2025, 5, 1))


def test_add_months_keeps_the_day_within_the_month():
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)  # leap year
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2025, 3, 31), -1) == D(2025, 2, 28)
    assert add_months(D(2025, 11, 15), 3) == D(2026, 2, 15)
    assert add_months(D(2025, 1, 15), -13) == D(2023, 12, 15)


@pytest.mark.parametrize(
    ("last", "today", "first", "expected_start"),
    [
        # today in FY 2025-26: the latest year that has ended is 2024-25
        (D(2025, 10, 1), D(2025, 11, 21), D(2023, 6, 1), D(2024, 4, 1)),
        # the data stops in 2023-24, long ago: that year, not a later empty one
        (D(2023, 9, 1), D(2025, 11, 21), D(2022, 6, 1), D(2023, 4, 1)),
        # on 31 March the year has not ended yet
        (D(2025, 3, 31), D(2025, 3, 31), D(2023, 6, 1), D(2023, 4, 1)),
        (D(2025, 3, 31), D(2025, 4, 1), D(2023, 6, 1), D(2024, 4, 1)),
        # every date is in the current year: no year has ended in the data, so the current one
        (D(2025, 10, 1), D(2025, 11, 21), D(2025, 5, 1), D(2025, 4, 1)),
    ],
)
def test_latest_complete_financial_year(last, today, first, expected_start):
    found = latest_complete_financial_year(last, today=today, first_data_day=first)
    assert found == financial_year(expected_start)
