"""The Reach page's figures (pipelines/reach.py) on small datasets loaded through ingest, against hand-worked values:
activity, retention, who is reached, representation against a benchmark with Wilson intervals, and deprivation
(Core20, and LSOAs resolved through the government's IMD 2019 'File 1')."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from pipelines import charts, ingest, overview, reach, stats
from pipelines.disclosure import Disclosure
from pipelines.periods import Period
from pipelines.query import Filters, session_band
from tests.helpers import (
    EXTERNAL,
    FY24,
    checked,
    csv_bytes,
    current,
    database_with,
    load,
    needs_external,
    workbook,
)

D = dt.date
FY25 = Period(D(2025, 4, 1), D(2026, 3, 31))
Z = 1.959964  # z(0.975); z² = 3.841459
ENGLAND = reach.ENGLAND
SCREEN, EXPORT = Disclosure.screen(), Disclosure.export()


# Wilson intervals ---------------------------------------------------------------------------------------------------


def test_wilson_five_of_twenty():
    # p = 5/20 = 0.25, n = 20, z² = 3.841459
    # centre = (p + z²/2n) / (1 + z²/n) = (0.25 + 0.096036) / 1.192073 = 0.290282
    # half = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n) = 1.959964·√(0.009375 + 0.002401) / 1.192073
    #      = 1.959964 · 0.108517 / 1.192073 = 0.178420
    low, high = stats.wilson(5, 20)
    assert (round(low, 4), round(high, 4)) == (0.1119, 0.4687)  # 0.290282 ∓ 0.178420


def test_wilson_at_the_ends():
    # k = 0: centre = half = (z²/2n) / (1 + z²/n), so the interval is [0, z² / (n + z²)] = [0, 3.841459 / 23.841459]
    assert stats.wilson(0, 20) == pytest.approx((0.0, 0.161125), abs=1e-6)
    # k = n: the mirror image, [n / (n + z²), 1] = [20 / 23.841459, 1]
    assert stats.wilson(20, 20) == pytest.approx((0.838875, 1.0), abs=1e-6)


def test_wilson_is_narrower_with_more_people():
    # the same share, 25%, of 200 people: centre (0.25 + 0.009604) / 1.019207 = 0.254711,
    # half 1.959964·√(0.0009375 + 0.0000240) / 1.019207 = 1.959964 · 0.031008 / 1.019207 = 0.059630
    assert stats.wilson(50, 200) == pytest.approx((0.195082, 0.314341), abs=1e-5)


# Representation against the England benchmark ------------------------------------------------------------------------

# 42 people reached, one session each in May 2024. Ethnicity: 20 White British (NHS code A), 12 Asian Pakistani (J),
# 3 Black African (N), 5 blank (Not known), 2 Prefer not to say (Z); nobody Mixed or Other.
# Gender: 24 female, 16 male, 2 blank. IMD decile: 3 people in decile 1, the other 39 in decile 6.
ETHNIC_CODES = ["A"] * 20 + ["J"] * 12 + ["N"] * 3 + [None] * 5 + ["Z"] * 2
GENDERS = ["female"] * 24 + ["male"] * 16 + [None] * 2


def _crowd() -> dict[str, list[list]]:
    people = [["participant_id", "gender", "ethnicity", "imd_decile"]]
    register = [["participant_id", "session_date", "activity", "attended"]]
    for i, (code, gender) in enumerate(zip(ETHNIC_CODES, GENDERS, strict=True)):
        people.append([f"R{i:02d}", gender, code, 1 if i < 3 else 6])
        register.append([f"R{i:02d}", "2024-05-07", "Peer group", "yes"])
    return {"People": people, "Register": register}


crowd = database_with("crowd.xlsx", _crowd())


def _rows(table: pd.DataFrame) -> dict[str, dict]:
    return {row["group"]: row for row in table.to_dict("records")}


def _represented(con, dimension: str, area: str = ENGLAND, disclosure: Disclosure = SCREEN) -> pd.DataFrame:
    return reach.representation(con, Filters(FY24), dimension, area, disclosure)


def test_representation_by_ethnic_group_against_england(crowd):
    rows = _rows(_represented(crowd, "ethnicity_group"))
    # by England's shares, largest first, then the groups not compared
    assert list(rows) == ["White", "Asian", "Black", "Mixed", "Other", "Not known", "Prefer not to say"]
    # Compared: the 35 people in a benchmark group (20 + 12 + 3); Not known (5) and Prefer not to say (2) are not
    assert not rows["Not known"]["compared"] and not rows["Prefer not to say"]["compared"]
    assert rows["Not known"]["label"] == "<8" and math.isnan(rows["Not known"]["share"])

    white = rows["White"]
    # share 20/35 = 0.571429 against England's 81.0%
    # Wilson(20, 35): centre (0.571429 + 0.054878) / 1.109756 = 0.564362;
    # half 1.959964·√(0.0069971 + 0.0007840) / 1.109756 = 1.959964 · 0.088210 / 1.109756 = 0.155788
    assert white["people"] == 20 and white["shown"] and white["compared"]
    assert white["share"] == pytest.approx(20 / 35)
    assert white["benchmark"] == pytest.approx(0.81)
    assert (white["share_low"], white["share_high"]) == pytest.approx((0.408574, 0.720154), abs=1e-5)
    # the whole interval is below 0.81: fewer than their share. To match: 0.81 × 35 = 28.35 -> 28, 8 more than 20
    assert white["verdict"] == "under" and (white["tone"], white["marker"]) == ("short", "▼")
    assert (white["to_match"], white["gap"]) == (28, 8)
    assert white["match"] == "To match the population: 28 people in all, 8 more than now"

    # 3 Black people: a count of 1-7, so <8 and no share, gap or verdict; beside the 35 compared (which the shares
    # give away), White and Asian would give the 3 away, so Asian, the smaller, is hidden too
    black, asian = rows["Black"], rows["Asian"]
    assert (black["label"], asian["label"]) == ("<8", "–") and black["compared"] and asian["compared"]
    for row in (black, asian):
        assert not row["shown"] and pd.isna(row["people"])
        assert all(pd.isna(row[c]) for c in ("share", "share_low", "share_high", "gap", "verdict"))
        assert row["tone"] == "withheld" and row["reading"] == "too few people to show a share"
    # the people that would match the population come from the published 35 and England's share, so stay:
    # Black 0.042 × 35 = 1.47 -> 1; Asian 0.096 × 35 = 3.36 -> 3
    assert (black["to_match"], asian["to_match"]) == (1, 3)
    assert black["match"] == "To match the population: 1 person in all"
    # what Asian's figures would be: share 12/35 = 0.342857 against England's 9.6%
    # Wilson(12, 35): centre (0.342857 + 0.054878) / 1.109756 = 0.358400;
    # half 1.959964·√(0.0064373 + 0.0007840) / 1.109756 = 1.959964 · 0.084978 / 1.109756 = 0.150082
    assert stats.wilson(12, 35) == pytest.approx((0.208317, 0.508481), abs=1e-5)

    # Nobody Mixed: people 0 (shown: 0 identifies nobody). Wilson(0, 35) = [0, 3.841459 / 38.841459 = 0.098901]
    mixed = rows["Mixed"]
    assert mixed["people"] == 0 and mixed["shown"]
    assert mixed["share"] == 0
    assert mixed["share_high"] == pytest.approx(0.098901, abs=1e-6)  # above England's 3%: the interval includes it
    assert mixed["verdict"] == "in line" and mixed["reading"] == "in line with their share"
    assert rows["Other"]["people"] == 0 and rows["Other"]["verdict"] == "in line"  # 0.098901 > 0.022


def test_representation_words(crowd):
    table = _represented(crowd, "ethnicity_group")
    # Asian is hidden
    assert reach.represented_in_words(table, "ethnicity_group") == "Fewer than their share of the population: White."


def test_representation_by_gender_leaves_out_not_known(crowd):
    rows = _rows(_represented(crowd, "gender"))
    # 24 women and 16 men of 40 with a known gender (2 blank are left out of the total)
    assert rows["Woman"]["share"] == pytest.approx(24 / 40)
    # Wilson(24, 40): centre (0.6 + 0.048018) / 1.096036 = 0.591246; half 1.959964·√(0.006 + 0.0006002) / 1.096036
    #   = 1.959964 · 0.081242 / 1.096036 = 0.145280 -> 0.445966 to 0.736526: England's 51% is inside
    assert (rows["Woman"]["share_low"], rows["Woman"]["share_high"]) == pytest.approx((0.445966, 0.736526), abs=1e-5)
    assert rows["Woman"]["verdict"] == "in line" and rows["Man"]["verdict"] == "in line"
    # to match: 0.51 × 40 = 20.4 -> 20 women, 4 fewer than the 24 now; 0.49 × 40 = 19.6 -> 20 men, 4 more than 16
    assert rows["Woman"]["match"] == "To match the population: 20 people in all, 4 fewer than now"
    assert rows["Man"]["match"] == "To match the population: 20 people in all, 4 more than now"
    assert not rows["Not known"]["compared"]
    assert reach.represented_in_words(pd.DataFrame([rows["Woman"], rows["Man"]]), "gender") == (
        "Every group is in line with its share of the population: no difference is clear beyond the margin of error."
    )


def test_representation_by_imd_quintile_uses_a_fifth_each(crowd):
    table = _represented(crowd, "imd_quintile")
    rows = _rows(table)
    assert all(rows[q]["benchmark"] == pytest.approx(0.2) for q in "12345")
    # decile 1 -> quintile 1 (3 people: <8); decile 6 -> quintile 3 (39 of 42) would give the 3 away: hidden too
    assert (rows["1"]["label"], rows["3"]["label"]) == ("<8", "–")
    assert pd.isna(rows["1"]["share"]) and pd.isna(rows["3"]["share"])
    # quintiles 2, 4, 5 have nobody: Wilson(0, 42) upper = 3.841459 / 45.841459 = 0.083799 < 0.2
    assert rows["2"]["share_high"] == pytest.approx(0.083799, abs=1e-5)
    assert [rows[q]["verdict"] for q in "245"] == ["under", "under", "under"]
    # fewer than their share from less deprived areas is not a shortfall: neutral, in the same words
    assert [rows[q]["tone"] for q in "245"] == ["neutral", "neutral", "neutral"]
    assert list(table["group"]) == ["1", "2", "3", "4", "5"]  # in order
    assert reach.represented_in_words(table, "imd_quintile") == (
        "Fewer than their share of the population: Quintile 2, Quintile 4, Quintile 5 (least deprived)."
    )


def test_a_raised_threshold_hides_more_groups(crowd):
    rows = _rows(_represented(crowd, "ethnicity_group", disclosure=Disclosure.screen(13)))
    # Asian (12) and Black (3) are both under 13: neither can be worked out, so White stays
    assert {g: rows[g]["label"] for g in ("White", "Asian", "Black")} == {"White": "20", "Asian": "<13", "Black": "<13"}
    assert rows["White"]["share"] == pytest.approx(20 / 35)


def test_representation_for_export_works_from_rounded_counts(crowd):
    white = _rows(_represented(crowd, "ethnicity_group", disclosure=EXPORT))["White"]
    assert (white["people"], white["label"]) == (20, "20")
    assert white["share"] == pytest.approx(20 / 35)  # 35 compared -> 35, 20 -> 20: multiples of 5 already
    rows = _rows(_represented(crowd, "gender", disclosure=EXPORT))
    assert (rows["Man"]["people"], rows["Woman"]["people"]) == (15, 25)  # 16 -> 15, 24 -> 25
    assert rows["Woman"]["share"] == pytest.approx(25 / 40)  # of the 40 compared


@pytest.mark.parametrize(
    ("disclosure", "people", "shares"),
    [
        # 20, 12, 3, 5, 2 of 42: three small groups, so no second one is hidden; shares of the 42 published
        (SCREEN, {"White": "20", "Asian": "12", "Black": "<8", "Not known": "<8", "Prefer not to say": "<8"},
         {"White": 20 / 42, "Asian": 12 / 42}),
        # rounded: 20, 10, <8, <8, <8 of 40 (42 -> 40)
        (EXPORT, {"White": "20", "Asian": "10", "Black": "<8", "Not known": "<8", "Prefer not to say": "<8"},
         {"White": 20 / 40, "Asian": 10 / 40}),
    ],
)  # fmt: skip
def test_small_groups_are_labelled_and_their_shares_withheld(crowd, disclosure, people, shares):
    groups = reach.profile(crowd, Filters(FY24), "ethnicity_group", disclosure).set_index("group")
    assert groups["label"].to_dict() == people  # only groups with someone reached are listed
    assert groups["share"].dropna().to_dict() == pytest.approx(shares)


# Against the population: the people that would match it, and how each group reads -------------------------------

# 40 people with a known gender, one session each in May 2024: 10 women and 30 men, against an area of half and half
TEN_OF_FORTY = {
    "People": [["participant_id", "gender"], *([f"W{i}", "female"] for i in range(10)),
               *([f"M{i}", "male"] for i in range(30))],
    "Register": [["participant_id", "session_date", "activity", "attended"],
                 *([f"{s}{i}", "2024-05-07", "Peer group", "yes"] for s, n in (("W", 10), ("M", 30)) for i in range(n))],
    "Census": [["area", "dimension", "group", "count"], ["Evenly", "sex", "Female", 500], ["Evenly", "sex", "Male", 500]],
}  # fmt: skip


def test_ten_of_forty_against_half_of_the_population(con):
    load(con, ("ten.xlsx", workbook(TEN_OF_FORTY)))
    rows = _rows(_represented(con, "gender", "Evenly"))
    woman, man = rows["Woman"], rows["Man"]
    assert woman["share"] == 0.25 and woman["benchmark"] == 0.5
    # Wilson(10, 40): z²/2n = 3.841459 / 80 = 0.048018; 1 + z²/n = 1.096036; centre 0.298018 / 1.096036 = 0.271906;
    # half 1.959964·√(0.1875/40 + 3.841459/6400) / 1.096036 = 1.959964·√0.00528773 / 1.096036
    #      = 1.959964 · 0.072717 / 1.096036 = 0.130035 -> 0.141871 to 0.401941, wholly below 50%
    assert (woman["share_low"], woman["share_high"]) == pytest.approx((0.141871, 0.401941), abs=1e-5)
    assert (woman["verdict"], woman["tone"], woman["marker"]) == ("under", "short", "▼")
    assert woman["reading"] == "fewer than their share"
    # to match: 50% of the 40 compared = 20 people, 10 more than the 10 now
    assert (woman["to_match"], woman["gap"]) == (20, 10)
    assert woman["match"] == "To match the population: 20 people in all, 10 more than now"
    # men, the mirror image: 75% (0.598060 to 0.858129), wholly above 50%; 20 would match, 10 fewer than the 30
    assert (man["share_low"], man["share_high"]) == pytest.approx((0.598060, 0.858129), abs=1e-5)
    assert (man["verdict"], man["tone"], man["marker"]) == ("over", "more", "▲")
    assert man["match"] == "To match the population: 20 people in all, 10 fewer than now"
    assert reach.represented_in_words(_represented(con, "gender", "Evenly"), "gender") == (
        "Fewer than their share of the population: Woman. More than their share: Man."
    )


@pytest.mark.parametrize(
    ("base", "verdict"),
    [
        # Wilson(0, 20) is 0 to 0.161125 (above): a population share just inside it is in line, just above it not
        (0.161, "in line"),
        (0.1612, "under"),
        # Wilson(20, 20) is 0.838875 to 1: the mirror image
        (0.839, "in line"),
        (0.8388, "over"),
    ],
)
def test_the_verdict_turns_where_the_interval_leaves_the_population_share_out(base, verdict):
    people = 0 if verdict == "under" or base < 0.5 else 20
    assert reach.against_population(people, 20, base, shown=True)["verdict"] == verdict


@pytest.mark.parametrize(
    ("dimension", "group", "verdict", "tone", "marker", "reading"),
    [
        # deprivation: the most deprived quintile (Core20) reached more than its share is the aim, fewer a shortfall
        ("imd_quintile", "1", "over", "aim", "▲", "more than their share: the aim"),
        ("imd_quintile", "1", "in line", "in line", "●", "in line with their share"),
        ("imd_quintile", "1", "under", "short", "▼", "fewer than their share"),
        # less deprived quintiles reached fewer (or more) than their share: neutral, not a warning
        ("imd_quintile", "5", "under", "neutral", "▼", "fewer than their share"),
        ("imd_quintile", "2", "under", "neutral", "▼", "fewer than their share"),
        ("imd_quintile", "5", "over", "neutral more", "▲", "more than their share"),
        # any other dimension: fewer is a shortfall, more is more
        ("ethnicity_group", "Black", "under", "short", "▼", "fewer than their share"),
        ("ethnicity_group", "Asian", "over", "more", "▲", "more than their share"),
        ("gender", "Man", None, "withheld", "", "too few people to show a share"),
    ],
)
def test_how_a_verdict_reads(dimension, group, verdict, tone, marker, reading):
    assert reach.tone_of(dimension, group, verdict) == tone
    assert reach.READINGS[tone] == (marker, reading)


@pytest.mark.parametrize(
    ("people", "base", "tone"),
    [
        # 12 of 40 in Core20: Wilson(12, 40) = 0.180 to 0.453, which holds 20%: in line
        (12, 0.2, "in line"),
        # 16 of 40: Wilson(16, 40) = 0.263 to 0.554, wholly above 20%: the aim
        (16, 0.2, "aim"),
        # 2 of 40: Wilson(2, 40) = 0.014 to 0.165, wholly below 20%: a shortfall
        (2, 0.2, "short"),
    ],
)
def test_the_most_deprived_quintile_at_the_boundaries(people, base, tone):
    verdict = reach.against_population(people, 40, base, shown=True)["verdict"]
    assert reach.tone_of("imd_quintile", "1", verdict) == tone


# 40 people: 30 in IMD decile 1 (quintile 1, Core20) and 10 in decile 10 (quintile 5), nobody in quintiles 2-4
DEPRIVED = {
    "People": [["participant_id", "imd_decile"], *([f"D{i:02d}", 1 if i < 30 else 10] for i in range(40))],
    "Register": [["participant_id", "session_date", "activity", "attended"],
                 *([f"D{i:02d}", "2024-05-07", "Peer group", "yes"] for i in range(40))],
}  # fmt: skip


def test_the_least_deprived_reached_less_is_not_drawn_as_a_warning(con):
    load(con, ("deprived.xlsx", workbook(DEPRIVED)))
    table = _represented(con, "imd_quintile")
    # quintile 1: 30 of 40 = 75% (Wilson above 20%): the aim. Quintiles 2-4: 0 of 40, Wilson(0, 40) up to
    # 3.841459 / 43.841459 = 0.087621 < 20%: fewer, neutral. Quintile 5: 10 of 40, 0.141871 to 0.401941: in line
    assert dict(zip(table["group"], table["tone"], strict=True)) == {
        "1": "aim", "2": "neutral", "3": "neutral", "4": "neutral", "5": "in line"
    }  # fmt: skip
    spec = charts.representation_plot(table, "deprivation", ENGLAND, "2024-25", "", reach.DEPRIVATION_AIM).to_dict()
    words = [row for rows in spec["datasets"].values() for row in rows if row.get("slot") == "reading"]
    assert [(w["text"], w["colour"]) for w in words] == [
        ("▲ more than their share: the aim", "aim"),
        *[("▼ fewer than their share", "neutral")] * 3,
        ("● in line with their share", "in line"),
    ]
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    fills = dict(zip(scale["domain"], scale["range"], strict=True))
    assert fills["short"] == charts.ACCENT and charts.ACCENT not in (fills["neutral"], fills["aim"])
    assert "Core20 is the most deprived 20% of areas in England" in " ".join(spec["title"]["subtitle"])
    assert reach.represented_in_words(table, "imd_quintile") == (
        "Fewer than their share of the population: Quintile 2, Quintile 3, Quintile 4. "
        "More than their share: Quintile 1 (most deprived, Core20) (the aim)."
    )


# Benchmarks ---------------------------------------------------------------------------------------------------------


def test_england_benchmark_is_shipped(con):
    assert reach.benchmark_areas(con) == [ENGLAND]  # before any population sheet is loaded
    bench = reach.benchmark(con, ENGLAND)
    for dimension in ("ethnicity_group", "gender", "age_band", "imd_quintile"):
        shares = bench.loc[bench["dimension"] == dimension, "share"]
        assert shares.sum() == pytest.approx(1.0, abs=0.002), dimension
    assert bench["source"].str.contains("Census 2021|Indices of Deprivation 2019").all()


POPULATION = [
    ["area", "dimension", "group", "count", "share"],
    ["Dudley", "ethnicity", "White", 200, None],
    ["Dudley", "ethnic group", "Asian, Asian British or Asian Welsh", 100, None],
    ["Dudley", "ethnicity_group", "Black, Black British, Black Welsh, Caribbean or African", 50, None],
    ["Dudley", "ethnicity_group", "Mixed or Multiple ethnic groups", 25, None],
    ["Dudley", "ethnicity_group", "Other ethnic group", 25, None],
    ["Dudley", "sex", "Female", None, 52],
    ["Dudley", "sex", "Male", None, 48],
    *[["Dudley", "imd", q, n, None] for q, n in ((1, 40), (2, 20), (3, 20), (4, 10), (5, 10))],
    ["Sandwell", "gender", "Woman", 500, None],
    ["Sandwell", "gender", "Man", 500, None],
]


def test_a_population_sheet_is_a_benchmark(con):
    load(con, ("population.xlsx", workbook({"Census": POPULATION})))
    assert reach.benchmark_areas(con) == [ENGLAND, "Dudley", "Sandwell"]
    stored = {
        (d, g): (c, s)
        for d, g, c, s in current(
            con, "SELECT dimension, \"group\", count, share FROM population WHERE area = 'Dudley'"
        )
    }
    assert stored[("ethnicity_group", "Asian")] == (100, None)  # the Census title is stored as the dashboard's label
    assert stored[("gender", "Woman")] == (None, 52)  # 'Female' is 'Woman'
    bench = reach.benchmark(con, "Dudley")
    shares = {(d, g): s for d, g, s in bench[["dimension", "group", "share"]].itertuples(index=False)}
    # counts become shares of their dimension: 200, 100, 50, 25, 25 of 400
    assert shares[("ethnicity_group", "White")] == pytest.approx(0.5)
    assert shares[("ethnicity_group", "Asian")] == pytest.approx(0.25)
    assert shares[("ethnicity_group", "Black")] == pytest.approx(0.125)
    assert shares[("ethnicity_group", "Mixed")] == pytest.approx(0.0625)
    # shares given as percentages are scaled to their total: 52 / (52 + 48)
    assert shares[("gender", "Woman")] == pytest.approx(0.52)
    assert shares[("gender", "Man")] == pytest.approx(0.48)
    assert shares[("imd_quintile", "1")] == pytest.approx(0.4)  # 40 of 100: not the national 20%
    assert set(bench["source"]) == {"Loaded population sheet: Dudley"}
    assert reach.benchmark(con, "Sandwell")["share"].tolist() == pytest.approx([0.5, 0.5])


def test_a_loaded_benchmark_replaces_england_when_chosen(crowd):
    load(crowd, ("population.xlsx", workbook({"Census": POPULATION})))
    rows = _rows(_represented(crowd, "ethnicity_group", "Dudley"))
    assert rows["White"]["benchmark"] == pytest.approx(0.5)
    # Wilson(20, 35) = 0.408574 to 0.720154 includes Dudley's 50%: in line; to match 0.5 × 35 = 17.5 -> 18
    assert rows["White"]["verdict"] == "in line"
    assert rows["White"]["match"] == "To match the population: 18 people in all, 2 fewer than now"
    assert rows["Asian"]["label"] == "–"  # hidden beside the 3 Black people, as against England
    woman = _rows(_represented(crowd, "gender", "Dudley"))["Woman"]
    assert woman["benchmark"] == pytest.approx(0.52) and woman["share"] == pytest.approx(0.6)
    quintiles = _rows(_represented(crowd, "imd_quintile", "Dudley"))
    assert quintiles["3"]["benchmark"] == pytest.approx(0.2)  # Dudley's quintile 3 is 20 of 100 too
    assert quintiles["1"]["benchmark"] == pytest.approx(0.4)
    assert quintiles["2"]["share_high"] == pytest.approx(0.083799, abs=1e-5)  # Wilson(0, 42), as for England
    # England is unchanged beside it
    assert _rows(_represented(crowd, "ethnicity_group"))["White"]["benchmark"] == 0.81


def test_an_unknown_population_group_is_refused_naming_the_row(con):
    rows = [*POPULATION[:3], ["Dudley", "ethnicity", "Martian", 10, None], ["Dudley", "age", "12-15", 10, None]]
    result = checked(con, ("population.xlsx", workbook({"Census": rows})))
    assert not result.ok
    problems = {p.row: p for p in result.problems}
    assert set(problems) == {4, 5}
    assert problems[4].value == "Martian"
    assert "Asian, Black, Mixed, White, Other" in problems[4].expected
    assert problems[5].value == "12-15" and "16-17" in problems[5].expected
    assert current(con, "SELECT count(*) FROM population_history") == [(0,)]


# Activity -----------------------------------------------------------------------------------------------------------

# Period: FY 2024-25. Peer: peer support, in person; Art: course, online; Walk: social, in person; Café: no type.
PEER, ART, WALK = ("Peer", "peer support", "in person"), ("Art", "course", "online"), ("Walk", "social", "in person")
ACT_PEOPLE = [
    ["participant_id", "age_band", "gender", "referral_source", "imd_decile"],
    ["A", "25-34", "woman", "GP", 1],
    ["B", "75+", "man", "Self", 2],
    ["C", "18-24", None, "GP", 5],
    ["D", None, "woman", None, None],
    ["E", "25-34", "prefer not to say", "Social prescriber", 10],
    ["F", "45-54", "man", "GP", 3],  # only a DNA: never reached
    # G has no row: Not known in every dimension
]
ACT_REGISTER = [
    ["participant_id", "session_date", "activity", "activity_type", "delivery", "attended"],
    ["A", "2023-05-02", *PEER, "yes"],  # A's first session, the year before
    *[["A", D(2024, 4, 2) + dt.timedelta(weeks=k), *PEER, "yes"] for k in range(12)],  # 2 Apr to 18 Jun
    ["D", "2024-04-02", *PEER, "yes"],
    ["F", "2024-04-09", *PEER, "DNA"],
    *[["B", D(2024, m, 1), *ART, "yes"] for m in range(7, 13)],  # 1 Jul to 1 Dec
    ["C", "2024-07-01", *ART, "yes"],
    ["C", "2025-01-07", *WALK, "yes"],
    ["E", "2024-10-01", *ART, "yes"],
    ["E", "2024-11-01", *ART, "DNA"],
]
CAFE_REGISTER = [["participant_id", "session_date", "activity"], ["G", "2025-02-04", "Café"]]  # no type or delivery


activity_db = database_with("activity.xlsx", {"People": ACT_PEOPLE, "Register": ACT_REGISTER, "Café": CAFE_REGISTER})


def test_reach_headline(activity_db):
    assert reach.reach(activity_db, Filters(FY24)) == {
        "reached": 6,  # A, B, C, D, E, G
        "new": 5,  # all but A
        "attendances": 23,  # A 12, D 1, B 6, C 2, E 1, G 1
        "did_not_attend": 2,  # F, E
        "sessions_delivered": 20,  # Peer 12 dates, Art 6 (E's DNA on 1 Nov was B's session), Walk 1, Café 1
    }


def test_reach_figures_and_overview_are_safe(activity_db):
    found = reach.reach_figures(activity_db, Filters(FY24), SCREEN)
    # 6 reached, 5 new, 1 returning: people counts under 8; attendances and sessions are not counts of people
    assert (found["reached"], found["new"], found["returning"]) == (None, None, None)
    assert found["labels"] == {
        "reached": "<8", "new": "<8", "returning": "<8", "attendances": "23", "sessions_delivered": "20"
    }  # fmt: skip
    assert found["dna_rate"] == pytest.approx(2 / 25)
    compared = overview.reach(activity_db, Filters(FY24), SCREEN)
    # the year before: A alone, once. No change is given where either count is hidden
    assert compared["reached"] == overview.Compared(None, None, "<8")
    assert compared["new"] == overview.Compared(None, None, "<8")
    # 23 attendances against 1: 22 > 1.96 × √24 = 9.6, a change beyond noise
    assert compared["attendances"] == overview.Compared(23, 1, "23", clear=True)
    quarterly = reach.quarterly(activity_db, Filters(FY24), SCREEN)
    assert list(quarterly["reached_label"]) == ["<8"] * 4 and quarterly["new"].isna().all()
    assert list(quarterly["new_label"]) == ["<8"] * 4
    assert list(quarterly["returning_label"]) == ["<8", "0", "<8", "<8"]  # 0 identifies nobody


def test_reach_figures_hide_a_second_part(crowd):
    # 42 reached in May 2024, all new: returning 0 is no small count, so nothing more is hidden
    assert reach.reach_figures(crowd, Filters(FY24), SCREEN)["labels"] | {} == {
        "reached": "42", "new": "42", "returning": "0", "attendances": "42", "sessions_delivered": "1"
    }  # fmt: skip
    export = reach.reach_figures(crowd, Filters(FY24), EXPORT)
    assert (export["reached"], export["new"], export["returning"]) == (40, 40, 0)  # 42 -> 40


def test_reach_by_quarter_with_returning_and_did_not_attend_rate(activity_db):
    found = reach.reach_by_quarter(activity_db, Filters(FY24))
    assert list(found["quarter"]) == ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3", "2024-25 Q4"]
    # Q1: A (12) and D (1), F's DNA; Q2: B (Jul-Sep) and C; Q3: B (Oct-Dec) and E, E's DNA; Q4: C (Walk), G (Café)
    assert list(found["reached"]) == [2, 2, 2, 2]
    assert list(found["new"]) == [1, 2, 1, 1]  # D; B and C; E; G
    assert list(found["returning"]) == [1, 0, 1, 1]  # A (came in 2023); none; B; C
    assert list(found["attendances"]) == [13, 4, 4, 2]
    assert list(found["did_not_attend"]) == [1, 0, 1, 0]
    # did-not-attend rate = DNA / (attended + DNA): 1 / 14, 0 / 4, 1 / 5, 0 / 2
    assert list(found["dna_rate"]) == pytest.approx([1 / 14, 0.0, 0.2, 0.0])
    assert list(found["sessions_delivered"]) == [12, 3, 3, 2]


def test_reach_by_quarter_of_an_empty_year(activity_db):
    found = reach.reach_by_quarter(activity_db, Filters(FY25))
    assert list(found["reached"]) == [0, 0, 0, 0]
    assert found["dna_rate"].isna().all()  # nobody booked: no rate, not 0%


def _mix(con, by: str, f: Filters | None = None) -> list[tuple]:
    return list(reach.mix_counts(con, f or Filters(FY24), by).itertuples(index=False, name=None))


def test_mix_by_activity_type_and_delivery(activity_db):
    # (group, people, attendances, sessions), most people first
    assert _mix(activity_db, "activity") == [
        ("Art", 3, 8, 6),  # B 6, C 1, E 1; sessions 1 Jul to 1 Dec
        ("Peer", 2, 13, 12),  # A 12, D 1
        ("Café", 1, 1, 1),
        ("Walk", 1, 1, 1),
    ]
    assert _mix(activity_db, "activity_type") == [
        ("course", 3, 8, 6),
        ("peer support", 2, 13, 12),
        ("not recorded", 1, 1, 1),  # the Café has no type
        ("social", 1, 1, 1),
    ]
    assert _mix(activity_db, "delivery") == [
        ("in person", 3, 14, 13),  # Peer (A, D) and Walk (C): 13 + 1 attendances, 12 + 1 sessions
        ("online", 3, 8, 6),
        ("not recorded", 1, 1, 1),
    ]
    assert _mix(activity_db, "delivery", Filters(FY24, ("Peer",))) == [("in person", 2, 13, 12)]
    with pytest.raises(ValueError, match="Unknown grouping"):
        reach.mix_counts(activity_db, Filters(FY24), "venue")


def test_retention(activity_db):
    kept = reach.retention_counts(activity_db, Filters(FY24))
    # sessions attended in the year: A 12 -> 12+; B 6 -> 6–11; C 2 -> 2–5; D, E, G 1 each
    assert list(kept["bands"].itertuples(index=False, name=None)) == [("1", 3), ("2–5", 1), ("6–11", 1), ("12+", 1)]
    # new in the year: B, C, D, E, G; came back after their first session: B (Aug), C (Walk in Jan) -> 2 / 5
    assert (kept["new"], kept["came_back"]) == (5, 2)
    assert kept["share_came_back"] == pytest.approx(0.4)


def test_retention_counts_coming_back_within_the_period(activity_db):
    q2 = reach.retention_counts(activity_db, Filters(Period(D(2024, 7, 1), D(2024, 9, 30))))
    # new in Q2: B and C; by 30 Sep B had come back (1 Aug), C had not (her second session is in January)
    assert (q2["new"], q2["came_back"], q2["share_came_back"]) == (2, 1, 0.5)
    assert dict(q2["bands"].itertuples(index=False, name=None)) == {"1": 1, "2–5": 1, "6–11": 0, "12+": 0}
    empty = reach.retention_counts(activity_db, Filters(FY25))
    assert empty["new"] == 0 and empty["share_came_back"] is None
    assert empty["bands"]["people"].tolist() == [0, 0, 0, 0]


def test_referral_sources(activity_db):
    found = reach.referral_sources(activity_db, Filters(FY24), SCREEN)
    # GP: A, C; Not known: D (blank), G (no profile); Self: B; Social prescriber: E. F was never reached.
    assert list(found["label"]) == ["<8"] * 4 and found["people"].isna().all()
    assert list(reach.reach_by(activity_db, Filters(FY24), "referral_source").itertuples(index=False, name=None)) == [
        ("GP", 2),
        ("Not known", 2),
        ("Self", 1),
        ("Social prescriber", 1),
    ]


def test_profile_keeps_age_bands_in_order_and_counts_not_known(activity_db):
    ages = reach.profile_counts(activity_db, Filters(FY24), "age_band")
    # 18-24: C; 25-34: A, E; 75+: B; Not known: D (blank), G (no profile) -> 1, 2, 1, 2 of 6
    assert list(ages["group"]) == ["18-24", "25-34", "75+", "Not known"]
    assert list(ages["people"]) == [1, 2, 1, 2]
    assert list(ages["share"]) == pytest.approx([1 / 6, 2 / 6, 1 / 6, 2 / 6])
    assert ages["share"].sum() == pytest.approx(1.0)
    genders = reach.profile_counts(activity_db, Filters(FY24), "gender").set_index("group")
    assert genders["people"].to_dict() == {"Woman": 2, "Not known": 2, "Man": 1, "Prefer not to say": 1}
    assert genders["share"].sum() == pytest.approx(1.0)
    quintiles = reach.profile_counts(activity_db, Filters(FY24), "imd_quintile")
    # deciles A 1, B 2 -> 1; C 5 -> 3; E 10 -> 5; D and G not known
    assert list(quintiles.itertuples(index=False, name=None)) == [
        ("1", 2, pytest.approx(2 / 6)),
        ("3", 1, pytest.approx(1 / 6)),
        ("5", 1, pytest.approx(1 / 6)),
        ("Not known", 2, pytest.approx(2 / 6)),
    ]


# Deprivation --------------------------------------------------------------------------------------------------------


def test_core20(activity_db):
    # reached: A (decile 1), B (2), C (5), D (blank), E (10), G (no profile): 4 known, 2 in deciles 1-2
    assert reach.core20(activity_db, Filters(FY24)) == {"reached": 6, "known": 4, "core20": 2, "share": 0.5}
    # Art: B, C, E -> 3 known, 1 (B) in Core20
    art = reach.core20(activity_db, Filters(FY24, ("Art",)))
    assert (art["known"], art["core20"]) == (3, 1)
    assert art["share"] == pytest.approx(1 / 3)
    assert reach.core20(activity_db, Filters(FY25)) == {"reached": 0, "known": 0, "core20": 0, "share": None}


def test_deprivation_and_retention_as_a_page_shows_them(activity_db):
    found = reach.deprivation(activity_db, Filters(FY24), SCREEN)
    assert found == {"core20": {"people": None, "label": "<8", "of": "<8", "share": None}, "not_known": "<8"}
    kept = reach.retention(activity_db, Filters(FY24), SCREEN)
    assert kept["came_back"] == {"people": None, "label": "<8", "of": "<8", "share": None}  # 2 of 5
    assert list(kept["bands"]["label"]) == ["<8"] * 4 and list(kept["bands"]["group"]) == ["1", "2–5", "6–11", "12+"]


def test_a_small_core20_count_hides_its_share(crowd):
    # 3 of 42 in Core20, 39 not: the 3 are <8, and the 39 would give them away beside the 42: no share
    found = reach.deprivation(crowd, Filters(FY24), SCREEN)
    assert found == {"core20": {"people": None, "label": "<8", "of": "42", "share": None}, "not_known": "0"}


def test_core20_by_quarter(activity_db):
    found = reach.core20_quarters(activity_db, Filters(FY24))
    # Q1: A (1), D -> 1 of 1; Q2: B (2), C (5) -> 1 of 2; Q3: B (2), E (10) -> 1 of 2; Q4: C (5), G -> 0 of 1
    assert found["quarter"].equals(reach.reach_by_quarter(activity_db, Filters(FY24))["quarter"])  # the 4 quarters
    assert list(found["known"]) == [1, 2, 2, 1]
    assert list(found["share"]) == pytest.approx([1.0, 0.5, 0.5, 0.0])
    # with the usual threshold of 8, no quarter has enough people with a known decile to show a share
    shown = reach.core20_by_quarter(activity_db, Filters(FY24), SCREEN)
    assert shown["share"].isna().all() and shown["known"].isna().all()  # 1 or 2 people: <8


def test_core20_by_quarter_withholds_a_small_core20_count(crowd):
    # Q1 2024-25: 42 people with a known decile, 3 of them in decile 1. The share, 3 / 42, beside the 42 people
    # the chart's tooltip names, would give away the 3: withheld, as the page's headline withholds it.
    found = reach.core20_by_quarter(crowd, Filters(FY24), SCREEN)
    assert found["known"].tolist() == [42, 0, 0, 0]
    assert found["share"].isna().all()
    assert reach.core20_quarters(crowd, Filters(FY24))["share"][0] == pytest.approx(3 / 42)


# IMD 2019 File 1, as the government publishes it: UTF-8 with a byte order mark, ranks quoted with thousands separators.
FILE_1_HEADER = [
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2019)",
    "Local Authority District name (2019)",
    "Index of Multiple Deprivation (IMD) Rank",
    "Index of Multiple Deprivation (IMD) Decile",
]
FILE_1 = [
    FILE_1_HEADER,
    ["E01000001", "City of London 001A", "E09000001", "City of London", "29,199", 9],
    ["E01000002", "City of London 001B", "E09000001", "City of London", "30,379", 10],
    ["E01011681", "Leeds 063D", "E08000035", "Leeds", "4,084", 2],
    ["E01033768", "Liverpool 037F", "E08000012", "Liverpool", "1,833", 1],
]  # these rows as published
LSOA_PEOPLE = [
    ["participant_id", "lsoa_code", "imd_decile"],
    ["L1", "E01033768", None],  # decile 1 from the lookup
    ["L2", "e01011681", None],  # decile 2 (a code in lower case is the same code)
    ["L3", "E01000001", None],  # decile 9
    ["L4", "E01000002", 3],  # the sheet says 3: it wins over the lookup's 10
    ["L5", "E01012345", None],  # not in the small lookup: not known (decile 7 in the published file)
    ["L6", None, None],  # nothing recorded
]
LSOA_REGISTER = [
    ["participant_id", "session_date", "activity"],
    *[[p, "2024-05-07", "Peer"] for p in ("L1", "L2", "L3", "L4", "L5", "L6")],
]


def _file_1(rows: list[list]) -> bytes:
    data = csv_bytes(rows, "utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf") and b'"29,199"' in data  # the published layout
    return data


def _deciles(con) -> dict[str, int | None]:
    return dict(current(con, "SELECT lsoa_code, imd_decile FROM participant_profiles WHERE lsoa_code IS NOT NULL"))


def test_the_imd_lookup_resolves_lsoas(con):
    load(con, ("people.xlsx", workbook({"People": LSOA_PEOPLE, "Register": LSOA_REGISTER})))
    before = reach.core20(con, Filters(FY24))
    assert (before["known"], before["core20"]) == (1, 0)  # only L4's decile, 3, is known

    result = checked(con, ("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv", _file_1(FILE_1)))
    assert result.ok, [str(p) for p in result.problems]
    assert [s.kind.name for s in result.files[0].sheets] == ["imd_lookup"]
    assert "'Index of Multiple Deprivation (IMD) Rank'" in " ".join(result.files[0].notes)  # ignored, not stored
    ingest.load(con, result)
    assert current(con, "SELECT lsoa_code, imd_decile FROM imd_lookup ORDER BY 1") == [
        ("E01000001", 9),
        ("E01000002", 10),
        ("E01011681", 2),
        ("E01033768", 1),
    ]
    assert _deciles(con) == {"E01033768": 1, "E01011681": 2, "E01000001": 9, "E01000002": 3, "E01012345": None}
    after = reach.core20(con, Filters(FY24))
    # known: L1 (1), L2 (2), L3 (9), L4 (3); Core20: L1 and L2 -> 2 of 4; L5 and L6 not known
    assert after == {"reached": 6, "known": 4, "core20": 2, "share": 0.5}
    assert dict(reach.reach_by(con, Filters(FY24), "imd_quintile").itertuples(index=False, name=None)) == {
        "1": 2,  # deciles 1 and 2
        "2": 1,  # L4's 3
        "5": 1,  # L3's 9
        "Not known": 2,
    }


def test_the_imd_lookup_loaded_before_the_people(con):
    load(con, ("imd.csv", _file_1(FILE_1)))
    load(con, ("people.xlsx", workbook({"People": LSOA_PEOPLE, "Register": LSOA_REGISTER})))
    assert _deciles(con)["E01033768"] == 1 and _deciles(con)["E01000002"] == 3
    assert reach.core20(con, Filters(FY24))["core20"] == 2


IMD_FILE = EXTERNAL / "imd2019" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"


@needs_external(IMD_FILE)
def test_the_published_imd_file_loads(con):
    data = IMD_FILE.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    load(con, (IMD_FILE.name, data))
    assert current(
        con, "SELECT count(*), count(DISTINCT lsoa_code), min(imd_decile), max(imd_decile) FROM imd_lookup"
    ) == [(32844, 32844, 1, 10)]
    # deciles hold a tenth of England's LSOAs each: 3,284 or 3,285
    assert {n for (n,) in current(con, "SELECT count(*) FROM imd_lookup GROUP BY imd_decile")} == {3284, 3285}
    load(con, ("people.xlsx", workbook({"People": LSOA_PEOPLE, "Register": LSOA_REGISTER})))
    # the published deciles (L4's own 3 wins over 001B's 10); Darlington 015D, unknown to the small file, is 7
    assert _deciles(con) == {"E01033768": 1, "E01011681": 2, "E01000001": 9, "E01000002": 3, "E01012345": 7}
    found = reach.core20(con, Filters(FY24))
    assert (found["known"], found["core20"]) == (5, 2)  # L1 and L2 of L1-L5


@pytest.mark.parametrize(
    ("sessions", "band"),
    [(None, "none recorded"), (1, "1"), (2, "2–5"), (5, "2–5"), (6, "6–11"), (11, "6–11"), (12, "12+"), (40, "12+")],
)
def test_session_bands_are_one_definition(con, sessions, band):
    assert con.execute(f"SELECT {session_band('n')} FROM (SELECT ?::INTEGER AS n)", [sessions]).fetchone()[0] == band
