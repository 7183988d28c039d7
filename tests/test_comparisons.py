"""Overview compares a period with the one before only when the data cover both alike, and a figure's colour agrees
with the figure as written (pipelines.overview, pipelines.funding.within_policy)."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines import funding, overview, words
from pipelines.disclosure import Disclosure
from pipelines.periods import Period
from pipelines.query import Filters
from tests.helpers import FY24, load, workbook

SCREEN = Disclosure.screen()
FY23 = Period(dt.date(2023, 4, 1), dt.date(2024, 3, 31))  # 366 days: 2024 is a leap year


def sheets(previous_from: str) -> dict[str, list[list]]:
    """20 people in each of FY 2024-25 and FY 2023-24, but FY 2023-24's sessions start on ``previous_from``; each
    with a WEMWBS pair in both years and a grant of £12,000 a year."""
    register = [["participant_id", "session_date", "activity", "attended"]]
    scores = [["participant_id", "date", "WEMWBS total"]]
    for n in range(20):
        register += [[f"A{n}", previous_from, "Peer", "yes"], [f"B{n}", "2024-04-01", "Peer", "yes"]]
        register += [[f"B{n}", "2025-03-31", "Peer", "yes"]]
        scores += [[f"A{n}", previous_from, 40], [f"A{n}", "2024-03-31", 44 + n % 3]]
        scores += [[f"B{n}", "2024-04-01", 40], [f"B{n}", "2025-03-31", 44 + n % 3]]
    grants = [["funder", "title", "amount", "start_date", "end_date", "status"]]
    grants += [["Trust", "Core", 12000, "2023-04-01", "2024-03-31", "secured"]]
    grants += [["Trust", "Core", 12000, "2024-04-01", "2025-03-31", "secured"]]
    return {"Register": register, "Scores": scores, "Grants": grants}


def test_the_share_of_a_period_the_data_cover() -> None:
    data = (dt.date(2024, 1, 1), dt.date(2025, 3, 31))
    assert overview.covered(FY23, data) == pytest.approx(91 / 366)  # 1 Jan to 31 Mar 2024
    assert overview.covered(FY24, data) == 1.0
    assert overview.covered(FY23, (dt.date(2024, 4, 1), dt.date(2025, 3, 31))) == 0.0
    assert overview.covered(FY23, None) == 0.0


def test_a_partly_covered_previous_year_is_not_compared(con) -> None:
    load(con, ("two.xlsx", workbook(sheets(previous_from="2024-01-08"))))
    f = Filters(FY24)
    assert not overview.comparable(con, f)
    reach = overview.reach(con, f, SCREEN)
    assert reach["reached"] == overview.Compared(20, None, "20")  # a count
    wellbeing = overview.wellbeing(con, f, "WEMWBS", SCREEN)
    assert wellbeing["improved"].value == 1.0 and wellbeing["improved"].before is None  # a share
    money = overview.money(con, f, SCREEN)
    assert money["income"].value == pytest.approx(12000) and money["income"].before is None  # money
    assert money["cost_per_person"].before is None and not money["cost_per_person"].clear
    note = overview.coverage_note(con, f)
    assert note == (
        "The data cover only part of financial year 2023-24 (from 8 Jan 2024), less of it than of financial year "
        "2024-25, so nothing is compared with it: a part would look like a fall or a rise."
    )


def test_a_fully_covered_previous_year_is_compared(con) -> None:
    load(con, ("two.xlsx", workbook(sheets(previous_from="2023-04-01"))))
    f = Filters(FY24)
    assert overview.comparable(con, f) and overview.coverage_note(con, f) is None
    reach = overview.reach(con, f, SCREEN)
    assert reach["reached"] == overview.Compared(20, 20, "20")
    assert overview.money(con, f, SCREEN)["income"].before == pytest.approx(12000)


def test_data_starting_after_the_previous_year_say_so(con) -> None:
    sheet = {"Register": [["participant_id", "session_date", "activity"], ["A", "2024-06-03", "Peer"]]}
    load(con, ("one.xlsx", workbook(sheet)))
    assert overview.coverage_note(con, Filters(FY24)) == (
        "The data start on 3 Jun 2024, after financial year 2023-24 ended, so nothing is compared with it."
    )


@pytest.mark.parametrize(
    ("runway", "written", "within"),
    [
        (6.04, "6.0 months", True),  # shown as 6.0: inside 3 to 6, both ends inside the range
        (6.0, "6.0 months", True),
        (6.1, "6.1 months", False),
        (3.0, "3.0 months", True),
        (2.99, "2.9 months", False),  # rounded down: not yet 3
        (None, "–", None),
    ],
)
def test_the_policy_colour_agrees_with_the_runway_as_written(runway, written, within) -> None:
    assert words.months(runway) == written
    assert funding.within_policy(runway, (3, 6)) is within
