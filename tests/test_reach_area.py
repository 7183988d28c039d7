"""Reach against the area chosen in Settings: Census 2021 for its local authorities, added together; a loaded
population sheet still wins, and England is used, and said to be, until an area is chosen."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines import reach, settings
from pipelines.disclosure import Disclosure
from pipelines.exhibits import on
from pipelines.exhibits import reach as shown
from pipelines.query import Filters
from tests.helpers import FY24, database_with, load, workbook

DUDLEY, SANDWELL = "E08000027", "E08000028"
SCREEN = Disclosure.screen()
# 40 people reached, one session each in May 2024: 20 White British (NHS code A) and 20 Asian Pakistani (J), all
# living in Dudley (LSOA 2011 E01009719, Dudley 001A) in IMD decile 1
PEOPLE = [["participant_id", "ethnicity", "lsoa_code", "imd_decile"]] + [
    [f"D{i:02d}", "A" if i < 20 else "J", "E01009719", 1] for i in range(40)
]
REGISTER = [["participant_id", "session_date", "activity"]] + [[f"D{i:02d}", "2024-05-07", "Peer"] for i in range(40)]


dudley_crowd = database_with("people.xlsx", {"People": PEOPLE, "Register": REGISTER})


def shares(con: duckdb.DuckDBPyConnection, area: str, dimension: str) -> dict[str, float]:
    bench = reach.benchmark(con, area)
    return dict(bench.loc[bench["dimension"] == dimension, ["group", "share"]].itertuples(index=False))


def test_england_until_an_area_is_chosen_and_the_suggestion_said(dudley_crowd: duckdb.DuckDBPyConnection) -> None:
    assert reach.benchmark_areas(dudley_crowd) == [reach.ENGLAND]
    assert reach.default_area(dudley_crowd) == reach.ENGLAND
    assert reach.area_note(dudley_crowd, reach.ENGLAND) == (
        "Compared with England because no area is chosen yet. "
        "Most participants with a recorded area live in Dudley: choose your area in Settings."
    )
    settings.save_area(dudley_crowd, [DUDLEY])
    assert reach.area_note(dudley_crowd, reach.ENGLAND) is None, "England picked on purpose: nothing to say"


def test_the_chosen_area_is_the_benchmark(dudley_crowd: duckdb.DuckDBPyConnection) -> None:
    settings.save_area(dudley_crowd, [DUDLEY])
    area = "Dudley (Census 2021)"
    assert reach.benchmark_areas(dudley_crowd) == [reach.ENGLAND, area]
    assert reach.default_area(dudley_crowd) == area
    ethnic = shares(dudley_crowd, area, "ethnicity_group")
    # TS021 Dudley: Asian 27,047 and White 274,596 of 323,488 usual residents
    assert ethnic["Asian"] == pytest.approx(27_047 / 323_488) and round(100 * ethnic["Asian"]) == 8
    assert ethnic["White"] == pytest.approx(274_596 / 323_488)
    # IoD2019: 87,774 of Dudley's 316,331 in the most deprived fifth; TS007: 32,238 of 262,495 aged 16+ are 75+
    assert shares(dudley_crowd, area, "imd_quintile")["1"] == pytest.approx(87_774 / 316_331)
    assert shares(dudley_crowd, area, "age_band")["75+"] == pytest.approx(32_238 / 262_495)
    assert len(shares(dudley_crowd, area, "ethnicity")) == 19
    assert set(reach.benchmark(dudley_crowd, area)["dimension"]) == {*reach.BENCHMARKED, "ethnicity"}


def test_two_authorities_are_compared_as_one_population(dudley_crowd: duckdb.DuckDBPyConnection) -> None:
    settings.save_area(dudley_crowd, [DUDLEY, SANDWELL])
    area = reach.default_area(dudley_crowd)
    assert area == "Dudley and Sandwell (Census 2021)"
    # most deprived fifth: 87,774 + 192,396 of 316,331 + 319,101 people (added, not the average of 27.7% and 60.3%)
    assert shares(dudley_crowd, area, "imd_quintile")["1"] == pytest.approx(280_170 / 635_432)


def test_a_population_sheet_wins_over_the_chosen_area(dudley_crowd: duckdb.DuckDBPyConnection) -> None:
    settings.save_area(dudley_crowd, [DUDLEY])
    sheet = [
        ["area", "dimension", "group", "count"],
        ["Castle ward", "gender", "Woman", 60],
        ["Castle ward", "gender", "Man", 40],
    ]
    load(dudley_crowd, ("ward.xlsx", workbook({"Population": sheet})))
    assert reach.benchmark_areas(dudley_crowd) == [reach.ENGLAND, "Dudley (Census 2021)", "Castle ward"]
    assert reach.default_area(dudley_crowd) == "Castle ward"
    assert shares(dudley_crowd, "Castle ward", "gender") == {"Woman": 0.6, "Man": 0.4}


def test_who_is_missed_in_words_against_dudley(dudley_crowd: duckdb.DuckDBPyConnection) -> None:
    settings.save_area(dudley_crowd, [DUDLEY])
    area = reach.default_area(dudley_crowd)
    table = reach.representation(dudley_crowd, Filters(FY24), "ethnicity_group", area, SCREEN)
    # White: 20 of 40 = 50%, Wilson(20, 40) = 0.5 ± 1.959964·√(0.00625 + 0.000600)/1.096036 = 0.5 ± 0.148004,
    # all below Dudley's 84.9%; to match: 0.848860 × 40 = 33.95 -> 34, 14 more than 20. Asian 50% is above 8.4%.
    assert reach.missed_in_words(table, "ethnicity_group", area, FY24.label) == [
        "White residents are 85% of the population of Dudley but 50% of the people reached (likely range 35–65%): "
        "to match their share, about 34 people in financial year 2024-25, 14 more than now."
    ]
    lead = "\n\n".join(reach.in_brief(dudley_crowd, Filters(FY24), area, SCREEN))
    assert "compared with Dudley (Census 2021), the service reaches fewer people than their share" in lead
    assert "White residents are 85% of the population of Dudley" in lead
    # all 40 in IMD decile 1, where 87,774 of Dudley's 316,331 residents (27.7%) live: more than their share
    assert "; 28% of the population of Dudley live there. That is more than their share: the aim." in lead


def group_row(
    group: str,
    tone: str,
    gap: int | None,
    share: float = 0.03,
    low: float = 0.02,
    high: float = 0.05,
    to_match: int = 40,
    label: str = "15",
) -> dict:
    return {
        "group": group,
        "tone": tone,
        "gap": pd.NA if gap is None else gap,
        "to_match": to_match,
        "compared": True,
        "label": label,
        "benchmark": 0.08,
        "share": share,
        "share_low": low,
        "share_high": high,
    }


@pytest.mark.parametrize(
    ("dimension", "row", "sentence"),
    [
        (
            "ethnicity_group",
            group_row("Asian", "short", 25),
            "Asian residents are 8% of the population of Dudley but 3% of the people reached (likely range 2–5%): "
            "to match their share, about 40 people in financial year 2024-25, 25 more than now.",
        ),
        (
            "age_band",
            group_row("75+", "short", 1, 0.005, 0.001, 0.079, to_match=9),
            "Residents aged 75 and over are 8% of the population of Dudley but 0.5% of the people reached "
            "(likely range 0.1–8%): to match their share, about 9 people in financial year 2024-25, 1 more than now.",
        ),
        (
            "ethnicity",
            group_row("Asian: Pakistani", "short", 9, to_match=24),
            "Residents in the Asian: Pakistani group are 8% of the population of Dudley but 3% of the people reached "
            "(likely range 2–5%): to match their share, about 24 people in financial year 2024-25, 9 more than now.",
        ),
        ("ethnicity_group", group_row("Asian", "in line", 3), None),  # the interval reaches the population's share
        # reached by too few to show, though their share of the population would give 12: missed, count kept hidden
        (
            "age_band",
            group_row("75+", "withheld", None, to_match=12, label="<8"),
            "Residents aged 75 and over are 8% of the population of Dudley, but fewer than 8 of the people reached "
            "are: to match their share, about 12 people in financial year 2024-25.",
        ),
        # too few reached, but the population's share would give fewer than 8 too: nothing can be said
        ("ethnicity_group", group_row("Asian", "withheld", None, to_match=7, label="<8"), None),
        ("imd_quintile", group_row("2", "neutral", 12), None),  # fewer from a less deprived fifth: no concern
        (
            "imd_quintile",
            group_row("1", "short", 12, to_match=30),
            "Residents of the most deprived fifth of areas are 8% of the population of Dudley but 3% of the people "
            "reached (likely range 2–5%): to match their share, about 30 people in financial year 2024-25, "
            "12 more than now.",
        ),
    ],
)
def test_the_sentence_of_who_is_missed(dimension: str, row: dict, sentence: str | None) -> None:
    table = pd.DataFrame([row])
    expected = [sentence] if sentence else []
    assert reach.missed_in_words(table, dimension, "Dudley (Census 2021)", FY24.label) == expected


def test_the_deprivation_benchmark_is_the_chosen_area(dudley_crowd: duckdb.DuckDBPyConnection) -> None:
    assert reach.core20_benchmark(dudley_crowd, reach.ENGLAND) == (0.2, "England")  # the most deprived fifth
    settings.save_area(dudley_crowd, [DUDLEY])
    area = reach.default_area(dudley_crowd)
    # IoD2019: 87,774 of Dudley's 316,331 residents live in the most deprived fifth of England's areas: 27.7%
    share, where = reach.core20_benchmark(dudley_crowd, area)
    assert (share, where) == (pytest.approx(87_774 / 316_331), "Dudley")
    exhibit = shown.core20_by_quarter(Filters(FY24), (share, where))
    spec = exhibit.chart(exhibit.figures(on(dudley_crowd), SCREEN), SCREEN).to_dict()
    assert "28%, the share of Dudley's residents living in these areas" in " ".join(spec["title"]["subtitle"])
    assert [{"y": pytest.approx(87_774 / 316_331)}] in spec["datasets"].values()  # the line drawn
