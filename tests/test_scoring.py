"""Scoring each measure as docs/measures.md gives it: answers as numbers or words, sums, conversions, missing items."""

from __future__ import annotations

import io

import duckdb
import pytest
from openpyxl import load_workbook

from pipelines import outcomes, template
from pipelines.measures import INSTRUMENTS, MEASURES, score, score_total
from pipelines.query import Filters
from tests.apphelpers import drop_down_words
from tests.helpers import FY24, load, workbook

WEMWBS = INSTRUMENTS["wemwbs"]
SWEMWBS = INSTRUMENTS["swemwbs"]
CORE10 = INSTRUMENTS["core10"]
PHQ9 = INSTRUMENTS["phq9"]
GAD7 = INSTRUMENTS["gad7"]
ONS4 = INSTRUMENTS["ons4"]
UCLA3 = INSTRUMENTS["ucla3"]
K10 = INSTRUMENTS["k10"]
K10_WORDS = ["None of the time", "A little of the time", "Some of the time", "Most of the time", "All of the time"]


# Answers given as words ---------------------------------------------------------------------------


@pytest.mark.parametrize("instrument", [WEMWBS, SWEMWBS])
def test_warwick_edinburgh_words_score_1_to_5(instrument):
    words = ["None of the time", "Rarely", "Some of the time", "Often", "All of the time"]
    assert [instrument.answer(1, w) for w in words] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("instrument", [PHQ9, GAD7])
def test_phq_and_gad_words_score_0_to_3(instrument):
    words = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
    assert [instrument.answer(1, w) for w in words] == [0, 1, 2, 3]


def test_k10_words_score_1_to_5():
    assert [K10.answer(item, w) for item, w in zip((1, 4, 10, 2, 7), K10_WORDS, strict=True)] == [1, 2, 3, 4, 5]


def test_ucla_words_score_1_to_3():
    assert [UCLA3.answer(1, w) for w in ("Hardly ever", "Some of the time", "Often")] == [1, 2, 3]


def test_core10_words_on_ordinary_items_score_0_to_4():
    words = ["Not at all", "Only occasionally", "Sometimes", "Often", "Most or all of the time"]
    for item in (1, 4, 10):
        assert [CORE10.answer(item, w) for w in words] == [0, 1, 2, 3, 4]


def test_core10_items_2_and_3_are_reversed_when_given_as_words():
    words = ["Not at all", "Only occasionally", "Sometimes", "Often", "Most or all of the time"]
    for item in (2, 3):
        # reversed: 4 - position, so "not at all" (position 0) scores 4
        assert [CORE10.answer(item, w) for w in words] == [4, 3, 2, 1, 0]


def test_core10_items_2_and_3_are_not_reversed_when_given_as_numbers():
    assert CORE10.answer(2, 1) == 1
    assert CORE10.answer(3, "0") == 0
    assert CORE10.answer(2, 4.0) == 4
    assert CORE10.answer(3, "4 - Most or all of the time") == 4  # the number leads, so it is taken as written


def test_words_ignore_case_and_spacing():
    assert WEMWBS.answer(3, "  some OF the   time ") == 3
    assert PHQ9.answer(1, "more-than-half the days") == 2


@pytest.mark.parametrize(
    ("instrument", "raw", "expected"),
    [
        (WEMWBS, "4 - Often", 4),
        (WEMWBS, "2: Rarely", 2),
        (CORE10, "3 - Often", 3),
        (PHQ9, "1 = Several days", 1),
        (UCLA3, "3) Often", 3),
    ],
)
def test_number_then_words_takes_the_number(instrument, raw, expected):
    assert instrument.answer(1, raw) == expected


@pytest.mark.parametrize(
    ("instrument", "raw"), [(WEMWBS, "sometimes"), (CORE10, "some of the time"), (ONS4, "often"), (PHQ9, "never")]
)
def test_words_from_another_scale_are_not_understood(instrument, raw):
    assert instrument.answer(1, raw) is None


# Sums and conversions -----------------------------------------------------------------------------


def test_wemwbs_is_the_sum_of_its_14_items():
    items = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4]
    # 15 + 15 + 10 = 40 (two runs of 1..5 and one of 1..4); items 1,2,3,6,7,9,11 = 1+2+3+1+2+4+1 = 14 -> 15.32
    assert score(WEMWBS, items) == {"WEMWBS": 40, "SWEMWBS": 15.32}


@pytest.mark.parametrize(
    ("raw", "metric"),
    [(7, 7.00), (8, 9.51), (14, 15.32), (21, 19.25), (23, 20.73), (28, 25.03), (34, 32.55), (35, 35.00)],
)
def test_swemwbs_raw_to_metric_table(raw, metric):
    # the table's index (docs/measures.md#swemwbs) is raw - 7: raw 21 is the 15th entry (19.25), raw 23 the 17th (20.73)
    assert score_total(SWEMWBS, raw) == {"SWEMWBS": metric}


def test_swemwbs_from_its_own_seven_items_is_converted():
    assert score(SWEMWBS, [3, 3, 3, 3, 3, 3, 3]) == {"SWEMWBS": 19.25}  # raw 21 -> 19.25
    assert score(SWEMWBS, [5, 4, 3, 2, 1, 2, 3]) == {"SWEMWBS": 18.59}  # 5+4+3+2+1+2+3 = raw 20 -> 18.59


def test_swemwbs_is_derived_from_wemwbs_items_1_2_3_6_7_9_11():
    items = [5, 5, 5, 1, 1, 5, 5, 1, 5, 1, 5, 1, 1, 1]
    # short form items 1,2,3,6,7,9,11 are the 5s: raw 35 -> 35.00; WEMWBS = 7*5 + 7*1 = 42
    assert score(WEMWBS, items) == {"WEMWBS": 42, "SWEMWBS": 35.00}
    items = [2, 3, 4, 1, 1, 2, 3, 1, 4, 1, 5, 1, 1, 1]
    # short form 2+3+4+2+3+4+5 = 23 -> 20.73; WEMWBS 2+3+4+1+1+2+3+1+4+1+5+1+1+1 = 30
    assert score(WEMWBS, items) == {"WEMWBS": 30, "SWEMWBS": 20.73}


def test_wemwbs_missing_item_outside_the_short_form_keeps_swemwbs():
    items = [3, 3, 3, None, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]
    # item 4 is not one of 1,2,3,6,7,9,11: WEMWBS has no score, SWEMWBS raw 21 -> 19.25
    assert score(WEMWBS, items) == {"WEMWBS": None, "SWEMWBS": 19.25}
    items[3], items[5] = 3, None  # item 6 is in the short form: both lose their score
    assert score(WEMWBS, items) == {"WEMWBS": None, "SWEMWBS": None}


def test_core10_prorates_one_missing_item():
    items = [1, 2, 3, 4, 0, 1, 2, 3, 4, None]
    # 9 answers sum to 20; prorated 20 * 10 / 9 = 22.222...
    assert score(CORE10, items)["CORE-10"] == pytest.approx(200 / 9)
    assert score(CORE10, [2] * 9 + [None])["CORE-10"] == pytest.approx(20.0)  # 18 * 10 / 9 = 20
    assert score(CORE10, [2] * 10)["CORE-10"] == 20  # nothing missing: plain sum 20


def test_core10_has_no_score_with_two_missing_items():
    assert score(CORE10, [2] * 8 + [None, None]) == {"CORE-10": None}


@pytest.mark.parametrize(
    ("instrument", "items"),
    [
        (WEMWBS, [3] * 13 + [None]),
        (SWEMWBS, [None] + [3] * 6),
        (PHQ9, [1] * 8 + [None]),
        (GAD7, [None] + [1] * 6),
        (UCLA3, [1, None, 2]),
    ],
)
def test_any_other_measure_with_a_missing_item_has_no_score(instrument, items):
    assert score(instrument, items)[instrument.name] is None


def test_phq9_gad7_ucla3_sums():
    assert score(PHQ9, [0, 1, 2, 3, 0, 1, 2, 3, 3]) == {"PHQ-9": 15}  # 6 + 6 + 3
    assert score(GAD7, [3, 3, 3, 3, 3, 3, 3]) == {"GAD-7": 21}  # 7 * 3
    assert score(UCLA3, [1, 2, 3]) == {"UCLA-3": 6}


def test_k10_is_the_sum_of_its_ten_answers():
    assert score(K10, [1] * 10) == {"K10": 10}
    assert score(K10, [5] * 10) == {"K10": 50}
    given = [*K10_WORDS, 3, "2 - A little of the time", 4, 1, 5]
    answers = [K10.answer(item, raw) for item, raw in enumerate(given, 1)]
    # the words 1 + 2 + 3 + 4 + 5 = 15, then 3 + 2 + 4 + 1 + 5 = 15
    assert score(K10, answers) == {"K10": 30}
    assert score(K10, [3] * 9 + [None]) == {"K10": None}  # a missing answer leaves no score: nothing is prorated


def test_ons4_gives_four_separate_scores():
    expected = {"ONS4 life satisfaction": 7, "ONS4 worthwhile": 8, "ONS4 happy": 6, "ONS4 anxious": 3}
    assert score(ONS4, [7, 8, 6, 3]) == expected
    # a missing question leaves only that one unscored
    assert score(ONS4, [7, None, 6, 3])["ONS4 worthwhile"] is None
    assert score(ONS4, [7, None, 6, 3])["ONS4 happy"] == 6


def test_totals_only():
    assert score_total(SWEMWBS, 21) == {"SWEMWBS": 19.25}  # SWEMWBS totals are raw and are converted
    assert score_total(WEMWBS, 50) == {"WEMWBS": 50}
    assert score_total(CORE10, 13) == {"CORE-10": 13}


def test_directions_and_thresholds_of_change():
    # distress, depression, anxiety and loneliness scores improve by falling
    lower_better = {name for name, m in MEASURES.items() if not m.higher_better}
    assert lower_better == {"CORE-10", "PHQ-9", "GAD-7", "ONS4 anxious", "UCLA-3", "K10"}
    thresholds = {name: m.reliable_change for name, m in MEASURES.items() if m.reliable_change is not None}
    assert thresholds == {"WEMWBS": 3, "SWEMWBS": 2.87, "CORE-10": 6, "PHQ-9": 6, "GAD-7": 4}


def test_the_bands_of_concern_are_one_range_named_in_words():
    anxious, happy = MEASURES["ONS4 anxious"], MEASURES["ONS4 happy"]
    assert (happy.low_band, happy.concern) == ((0, 4), "the 'low' band")  # of low, medium, high, very high
    assert (anxious.low_band, anxious.concern) == ((6, 10), "the 'high' band")  # of very low, low, medium, high
    assert MEASURES["WEMWBS"].low_band is None
    k10 = MEASURES["K10"]  # low 10-15, moderate 16-21, high 22-29, very high 30-50 (Andrews and Slade 2001)
    assert (k10.low_band, k10.concern) == ((22, 50), "the 'high' and 'very high' bands")
    assert (k10.reliable_change, k10.cutoff) == (None, None)


# Through the whole ingest path ---------------------------------------------------------------------


def _scores(con, measure: str) -> dict[str, float | None]:
    rows = con.execute(
        "SELECT source_row, score FROM wellbeing_history WHERE measure = ? ORDER BY source_row", [measure]
    ).fetchall()
    return {row: value for row, value in rows}


def ten_items_loaded(
    con: duckdb.DuckDBPyConnection, measure: str, sheet: str, rows: list[list]
) -> dict[int, float | None]:
    """Load a wide sheet of ``measure``'s ten items (each row a participant, a date, then the ten answers) and return
    the scores by source row."""
    header = ["participant_id", "date"] + [f"{measure} Q{i}" for i in range(1, 11)]
    load(con, (f"{sheet.lower()}.xlsx", workbook({sheet: [header, *rows]})))
    return _scores(con, measure)


def test_core10_words_loaded_from_a_workbook_reverse_items_2_and_3(con):
    rows = [
        ["P1", "2024-05-01"] + ["Often"] * 10,
        ["P2", "2024-05-01"] + [3] * 10,
        ["P3", "2024-05-01"] + ["3 - Often"] * 10,
        ["P4", "2024-05-01"] + ["Not at all"] * 9 + [None],
    ]
    assert ten_items_loaded(con, "CORE-10", "CORE", rows) == {
        2: 26,  # eight items "often" = 3 each (24) + items 2 and 3 reversed to 4 - 3 = 1 each (2)
        3: 30,  # numbers are never reversed: 10 * 3
        4: 30,  # "3 - Often" is the number 3: 10 * 3
        5: pytest.approx(80 / 9),  # items 2 and 3 "not at all" reversed to 4: 8 over nine answers, * 10 / 9
    }


def test_wemwbs_words_and_derived_swemwbs_loaded_from_a_workbook(con):
    header = ["Client ID", "Date completed"] + [f"WEMWBS {i}" for i in range(1, 15)]
    rows = [header, ["P1", "01/05/2024"] + ["Some of the time"] * 7 + ["4 - Often"] * 7]
    load(con, ("w.xlsx", workbook({"Wellbeing": rows})))
    assert _scores(con, "WEMWBS") == {2: 49}  # 7 * 3 + 7 * 4
    # short form items 1,2,3,6,7,9,11 = 3+3+3+3+3+4+4 = 23 -> 20.73
    assert _scores(con, "SWEMWBS") == {2: 20.73}
    derived = con.execute("SELECT derived FROM wellbeing WHERE measure = 'SWEMWBS'").fetchall()
    assert derived == [(True,)]


def test_swemwbs_given_directly_replaces_the_derived_one(con):
    header = ["participant_id", "date"] + [f"WEMWBS Q{i}" for i in range(1, 15)] + ["SWEMWBS total"]
    rows = [header, ["P1", "2024-05-01"] + [3] * 14 + [28]]
    load(con, ("w.xlsx", workbook({"Wellbeing": rows})))
    # the given raw total 28 -> 25.03 wins over the derived 21 -> 19.25
    assert con.execute("SELECT score, derived FROM wellbeing WHERE measure = 'SWEMWBS'").fetchall() == [(25.03, False)]


def test_missing_answers_are_stored_without_a_score_and_reported(con):
    header = ["participant_id", "date"] + [f"PHQ-9 Q{i}" for i in range(1, 10)] + [f"GAD-7 Q{i}" for i in range(1, 8)]
    rows = [header, ["P1", "2024-05-01"] + [1] * 8 + [None] + [2] * 7]
    result = load(con, ("pack.xlsx", workbook({"Pack": rows})))
    assert result == [1]
    assert _scores(con, "PHQ-9") == {2: None}  # one of nine missing: no score
    assert _scores(con, "GAD-7") == {2: 14}  # 7 * 2, the same row's other measure is unaffected
    notes = con.execute("SELECT notes FROM uploads").fetchone()[0]
    assert "missing answer" in notes


def test_ons4_loaded_as_four_measures(con):
    rows = [
        ["participant_id", "date", "Life satisfaction", "Worthwhile", "Happy", "Anxious"],
        ["P1", "2024-05-01", 7, 8, 6, 3],
    ]
    load(con, ("ons.xlsx", workbook({"ONS": rows})))
    found = dict(con.execute("SELECT measure, score FROM wellbeing").fetchall())
    assert found == {"ONS4 life satisfaction": 7, "ONS4 worthwhile": 8, "ONS4 happy": 6, "ONS4 anxious": 3}


def test_the_template_has_a_k10_sheet_with_its_words():
    book = load_workbook(io.BytesIO(template.blank_template()))
    header = [c.value for c in book["K10"][1]]
    assert header == ["Participant ID", "Date", "Activity", *(f"K10 Q{i}" for i in range(1, 11))]
    assert drop_down_words(book, book["K10"], 4) == [w.lower() for w in K10_WORDS]
    said = [str(c.value) for (c,) in book["Instructions"].iter_rows()]
    assert any(line.startswith("K10 (Kessler Psychological Distress Scale): ") for line in said)


def test_k10_loaded_from_a_wide_sheet_gives_its_bands_of_concern(con):
    rows = [
        ["P1", "2024-05-01"] + ["None of the time"] * 10,
        ["P2", "2024-05-01"] + [5] * 10,
        ["P3", "2024-05-01"] + ["Most of the time", "4 - Most of the time", 3, 3, "some of the time", 2, 2, 2, 1, 1],
        ["P4", "2024-05-01"] + [3] * 9 + [None],
        ["P1", "2024-09-01"] + [3, 3] + [2] * 8,
        ["P2", "2024-09-01"] + [3] * 10,
        ["P3", "2024-09-01"] + [3] + [2] * 9,
    ]
    assert ten_items_loaded(con, "K10", "Distress", rows) == {
        2: 10,  # "none of the time" = 1, ten times
        3: 50,  # 10 x 5
        4: 25,  # 4 + 4 + 3 + 3 + 3 + 2 + 2 + 2 + 1 + 1
        5: None,  # one answer missing: no score
        6: 22,  # 3 + 3 + 8 x 2: the lowest score in the 'high' band
        7: 30,  # 10 x 3: the lowest in 'very high'
        8: 21,  # 3 + 9 x 2: the highest in 'moderate', not of concern
    }
    # first 10, 50, 25: P2 and P3 in 22-50; latest 22, 30, 21: P1 and P2 (P4 has no score, so no pair)
    assert outcomes.low_band(con, Filters(FY24), "K10") == {
        "pairs": 3, "band": (22, 50), "baseline": 2, "followup": 2, "share_baseline": 2 / 3, "share_followup": 2 / 3,
    }  # fmt: skip
