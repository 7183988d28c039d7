"""Each measure's published thresholds at their boundaries, with the source each comes from (docs/measures.md):
a change exactly at the reliable-change threshold counts, one just under does not; a score exactly at a cut-off is
a case. Answers and totals must be whole numbers."""

from __future__ import annotations

import pytest

from pipelines import outcomes
from pipelines.measures import MEASURES
from pipelines.query import Filters
from tests.helpers import FY24, checked, load, workbook


def improved(con, measure: str, columns: list[str], first: list, latest: list) -> dict:
    """The outcome of one person answering ``first`` then ``latest``."""
    rows = [["participant_id", "date", *columns], ["P", "2024-05-01", *first], ["P", "2024-11-01", *latest]]
    load(con, ("t.xlsx", workbook({"Scores": rows})))
    return outcomes.outcome_figures(con, Filters(FY24), measure)


@pytest.mark.parametrize(
    ("first", "latest", "counts"),
    [
        (8, 10, True),  # metric 9.51 -> 12.40: +2.89, at least 2.87
        (20, 24, True),  # 18.59 -> 21.54: +2.95
        (7, 8, False),  # 7.00 -> 9.51: +2.51
        (26, 28, False),  # 23.21 -> 25.03: +1.82
    ],
)
def test_swemwbs_reliable_change_is_shah_et_al_2_87(con, first, latest, counts):
    """Shah et al. (2018), Health and Quality of Life Outcomes 16:239: 2.77 × SEM (1.03) = 2.87 metric points."""
    assert MEASURES["SWEMWBS"].reliable_change == pytest.approx(2.87)
    found = improved(con, "SWEMWBS", ["SWEMWBS total"], [first], [latest])
    assert found["improved"] == (1 if counts else 0)


@pytest.mark.parametrize(("change", "counts"), [(3, True), (2, False), (-3, True), (-2, False)])
def test_wemwbs_reliable_change_is_maheswaran_et_al_3(con, change, counts):
    """Maheswaran et al. (2012), Health and Quality of Life Outcomes 10:156: 3 points for an individual."""
    found = improved(con, "WEMWBS", ["WEMWBS total"], [40], [40 + change])
    assert (found["improved"] + found["deteriorated"]) == (1 if counts else 0)


@pytest.mark.parametrize(
    ("measure", "points", "cutoff", "source"),
    [
        ("CORE-10", 6, 11, "Barkham et al. 2013"),
        ("PHQ-9", 6, 10, "NHS Talking Therapies"),
        ("GAD-7", 4, 8, "NHS Talking Therapies"),
    ],
)
def test_clinical_thresholds_at_their_boundaries(con, measure, points, cutoff, source):
    m = MEASURES[measure]
    assert (m.reliable_change, m.cutoff) == (points, cutoff)
    assert source in m.reliable_change_source and source in m.cutoff_source
    rows = [["participant_id", "date", f"{measure} total"]]
    people = {"at": (cutoff + points, cutoff), "under": (cutoff + points - 1, cutoff)}  # falls of `points`, points - 1
    people |= {"case": (cutoff, cutoff - 1), "not a case": (cutoff - 1, cutoff - 2)}
    for person, (first, latest) in people.items():
        rows += [[person, "2024-05-01", first], [person, "2024-11-01", latest]]
    load(con, ("c.xlsx", workbook({"Scores": rows})))
    found = outcomes.clinical(con, Filters(FY24), measure)
    assert found["reliably_improved"] == 1  # 'at' fell by exactly the threshold; 'under' by one less
    assert found["cases_baseline"] == 3  # at, under and case start at or above the cut-off; 'not a case' below it
    assert found["recovered"] == 1  # only 'case' ends below the cut-off (at and under end exactly at it)


@pytest.mark.parametrize(
    ("columns", "row", "said"),
    [
        (["SWEMWBS Q1", "SWEMWBS Q2", "SWEMWBS Q3", "SWEMWBS Q4", "SWEMWBS Q5", "SWEMWBS Q6", "SWEMWBS Q7"],
         [2.5, 3, 3, 3, 3, 3, 3], "Expected a whole-number answer from 1 to 5"),
        (["SWEMWBS total"], [20.5], "Expected a SWEMWBS total: a whole number from 7 to 35"),
        (["WEMWBS total"], [42.9], "Expected a WEMWBS total: a whole number from 14 to 70"),
    ],
)  # fmt: skip
def test_a_non_whole_answer_or_total_is_refused(con, columns, row, said):
    sheet = [["participant_id", "date", *columns], ["P", "2024-05-01", *row]]
    result = checked(con, ("w.xlsx", workbook({"Scores": sheet})))
    assert not result.ok
    assert [said in p.expected for p in result.problems] == [True]
