"""The Outcomes page's figures (pipelines.outcomes), on small datasets loaded through ingest, against hand-worked values.

t(0.975, n − 1) as used by hand: n−1 = 1: 12.706205, 2: 4.302653, 3: 3.182446, 7: 2.364624, 8: 2.306004,
11: 2.200985 (checked against scipy in test_t_values_used_by_hand).
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from scipy import stats

from pipelines import outcomes
from pipelines.disclosure import Disclosure
from pipelines.outcomes import BREAKDOWNS
from pipelines.periods import Period
from pipelines.query import Filters
from pipelines.stats import GROUP_FIGURES, size_in_words, standardised_response_mean
from tests.helpers import FY24, database_with, load, workbook

D = dt.date
Q2 = Period(D(2024, 7, 1), D(2024, 9, 30))  # 2024-25 Q2
SCREEN, EXPORT = Disclosure.screen(), Disclosure.export()
T = {1: 12.706205, 2: 4.302653, 3: 3.182446, 7: 2.364624, 8: 2.306004, 11: 2.200985}  # t(0.975, df)


# The main dataset: twelve people with WEMWBS twice in 2024-25 -------------------------------------------------
#
# person  activity    gender     age    ethnicity  disability  decile  first  latest  change  follow-up   sessions
# P01     Peer, Walk  woman      25-34  A (White)  yes         1       40     46      +6      1 Nov 2024  5
# P02     Peer        woman      25-34  A          yes         2       42     46      +4      1 Nov 2024  2
# P03     Peer        woman      25-34  A          no          1       44     47      +3      1 Nov 2024  3
# P04     Peer        woman      25-34  A          no          2       46     48      +2      1 Nov 2024  3
# P05     Peer        woman      35-44  A          no          3       48     48       0      1 Nov 2024  3
# P06     Peer        woman      35-44  A          no          4       50     47      -3      1 Nov 2024  3
# P07     Peer        woman      35-44  A          no          3       40     48      +8      1 Aug 2024  3
# P08     Peer        man        35-44  A          no          4       42     46      +4      1 Aug 2024  3
# P09     Peer + Art  man        45-54  A          no          9       44     47      +3      1 Aug 2024  4 + 2
# P10     Art         woman      45-54  J (Asian)  no          10      46     42      -4      1 Feb 2025  1
# P11     Art         man        -      -          -           -       48     58     +10      1 Feb 2025  12
# P12     Art (form)  (no profile row)                                 50     53      +3      1 Feb 2025  none
#
# Every first questionnaire is on 1 May 2024. WEMWBS threshold 3: improved P01 P02 P03 P07 P08 P09 P11 P12 (8),
# deteriorated P06 P10 (2), no reliable change P04 P05 (2).
# P13 has only a first score (in the period), P14 only one before the period, P15 one questionnaire with a missing
# answer (no score).
CHANGE = {"P01": 6, "P02": 4, "P03": 3, "P04": 2, "P05": 0, "P06": -3,
          "P07": 8, "P08": 4, "P09": 3, "P10": -4, "P11": 10, "P12": 3}  # fmt: skip
FIRST = dict(zip(CHANGE, [40, 42, 44, 46, 48, 50, 40, 42, 44, 46, 48, 50], strict=True))
FOLLOW_UP_DAY = {p: "2024-11-01" for p in ("P01", "P02", "P03", "P04", "P05", "P06")}
FOLLOW_UP_DAY |= {p: "2024-08-01" for p in ("P07", "P08", "P09")} | {p: "2025-02-01" for p in ("P10", "P11", "P12")}

PROFILES = """
    P01 woman 25-34 A yes 1     P02 woman 25-34 A yes 2     P03 woman 25-34 A no 1     P04 woman 25-34 A no 2
    P05 woman 35-44 A no 3      P06 woman 35-44 A no 4      P07 woman 35-44 A no 3     P08 man 35-44 A no 4
    P09 man 45-54 A no 9        P10 woman 45-54 J no 10     P11 man - - - -
"""  # as in the table above; P12 has no row: Not known everywhere
_WORDS = PROFILES.split()
PEOPLE = [
    ["participant_id", "gender", "age_band", "ethnicity", "disability", "imd_decile"],
    *(
        [None if w == "-" else int(w) if w.isdigit() else w for w in _WORDS[i : i + 6]]
        for i in range(0, len(_WORDS), 6)
    ),
]


def _sessions(person: str, activity: str, days: list[str], attended: str = "yes") -> list[list]:
    kind = {"Peer": "peer support", "Art": "course"}[activity]
    return [[person, day, activity, kind, attended] for day in days]


TUESDAYS = ["2024-05-07", "2024-05-14", "2024-05-21", "2024-05-28", "2024-06-04"]
THURSDAYS = ["2024-05-09", "2024-05-16", "2024-05-23", "2024-05-30", "2024-06-06", "2024-06-13",
             "2024-06-20", "2024-06-27", "2024-07-04", "2024-07-11", "2024-07-18", "2024-07-25"]  # fmt: skip
REGISTER = [
    ["participant_id", "session_date", "activity", "activity_type", "attended"],
    *_sessions("P01", "Peer", TUESDAYS),  # 5 sessions: 2–5
    # on the follow-up day counts, a week after does not: 2 sessions
    *_sessions("P02", "Peer", ["2024-05-07", "2024-11-01", "2024-11-08"]),
    *_sessions("P03", "Peer", ["2024-05-01", "2024-05-14", "2024-05-21"]),  # on the first questionnaire's day counts
    *[row for p in ("P04", "P05", "P06", "P07", "P08") for row in _sessions(p, "Peer", TUESDAYS[:3])],
    *_sessions("P09", "Peer", TUESDAYS[:4]),  # 4 Peer + 2 Art = 6: 6–11 (2–5 counting Peer only, 2–5 Art only)
    *_sessions("P09", "Art", THURSDAYS[:2]),
    *_sessions("P10", "Art", ["2024-04-20", "2024-05-09"]),  # the April session is before the first questionnaire
    *_sessions("P10", "Art", ["2024-05-16"], attended="DNA"),  # a DNA is not a session attended: 1
    *_sessions("P11", "Art", THURSDAYS),  # 12: 12+
    *_sessions("P13", "Peer", TUESDAYS[:1]),  # reached, with a first questionnaire and no second
    # P01 went on a walk (peer support too) before the first questionnaire: in the Walk group, not a session between
    ["P01", "2024-04-15", "Walk", "peer support", "yes"],
]
SCORES = [
    ["participant_id", "date", "activity", "WEMWBS total"],
    *[[p, "2024-05-01", "Art" if p == "P12" else None, FIRST[p]] for p in CHANGE],  # P12 is in Art by the form only
    *[[p, FOLLOW_UP_DAY[p], None, FIRST[p] + CHANGE[p]] for p in CHANGE],
    ["P13", "2024-06-01", None, 45],
    ["P14", "2023-06-01", None, 45],  # before the period
]
MISSING_ANSWER = [
    ["participant_id", "date", *(f"WEMWBS Q{i}" for i in range(1, 15))],
    ["P15", "2024-07-01", None, *([3] * 13)],  # item 1 missing: no WEMWBS (nor SWEMWBS) score
]


db = database_with("outcomes.xlsx", {"People": PEOPLE, "Register": REGISTER, "Scores": SCORES, "Items": MISSING_ANSWER})


def rows(frame: pd.DataFrame) -> dict[str, dict]:
    return {r["group"]: r for r in frame.to_dict("records")}


def counts(frame: pd.DataFrame) -> dict[str, int]:
    return dict(zip(frame["group"], frame["pairs"], strict=True))


def labels(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["group"], frame["label"], strict=True))


def safe(con, by: str, f: Filters | None = None) -> pd.DataFrame:
    """The breakdown as the page shows it (threshold 8)."""
    return outcomes.breakdown(con, f or Filters(FY24), "WEMWBS", by, SCREEN)


def exact(con, by: str, f: Filters | None = None, measure: str = "WEMWBS") -> pd.DataFrame:
    return outcomes.change_by(con, f or Filters(FY24), measure, by)


def assert_hidden(row: dict) -> None:
    """A small group: it stays, labelled, and its figures go."""
    assert not row["shown"] and row["label"] in ("<8", "–")
    assert pd.isna(row["pairs"]) and pd.isna(row["improved"]) and pd.isna(row["deteriorated"])
    for figure in ("mean_change", "ci_low", "ci_high", "share_improved"):
        assert math.isnan(row[figure]), figure


def test_t_values_used_by_hand():
    for df, t in T.items():
        assert stats.t.ppf(0.975, df) == pytest.approx(t, abs=1e-6)


# Breakdowns -------------------------------------------------------------------------------------------------


def test_every_breakdown_covers_every_pair(db):
    for by in (*BREAKDOWNS, "dose"):
        found = exact(db, by)
        # P09 is in Peer and Art, P01 in Peer and Walk (both peer support: counted once by type)
        expected = {"activity": 14, "activity_type": 13}.get(by, 12)
        assert found["pairs"].sum() == expected, by
        assert set(found.columns) == set(GROUP_FIGURES) | {"group", "pairs"}
        assert set(safe(db, by).columns) == set(found.columns) | {"label", "hidden", "shown"}


def test_by_activity_counts_a_person_in_each_activity(db):
    assert counts(exact(db, "activity")) == {"Peer": 9, "Art": 4, "Walk": 1}  # P01..P09; P09 P10 P11 P12; P01
    found = safe(db, "activity")
    assert list(found["group"]) == ["Peer", "Art", "Walk"]  # most people first
    # Walk is P01, whose walk was before the first questionnaire; a person is in each of their activities, so the
    # groups do not add up to the 12 pairs and no second group is hidden
    assert labels(found) == {"Peer": "9", "Art": "<8", "Walk": "<8"}
    peer, art = rows(found)["Peer"], rows(found)["Art"]
    assert peer["pairs"] == 9
    # Peer: changes 6 4 3 2 0 -3 8 4 3, sum 27, mean 3; deviations 3 1 0 -1 -3 -6 5 1 0, squares sum 82
    # sd = sqrt(82 / 8) = 3.201562; half-width t(8) 2.306004 * 3.201562 / 3 = 2.460938
    assert peer["mean_change"] == pytest.approx(3.0)
    assert [peer["ci_low"], peer["ci_high"]] == pytest.approx([3 - 2.460938, 3 + 2.460938], abs=1e-5)
    counted = rows(exact(db, "activity"))["Peer"]
    assert counted["improved"] == 6  # P01 P02 P03 P07 P08 P09
    assert counted["deteriorated"] == 1  # P06 (-3, exactly the threshold)
    assert counted["share_improved"] == pytest.approx(6 / 9)
    assert peer["shown"]
    # 6 and 1 people are counts under 8: on the page they and the share they would give away are hidden
    assert pd.isna(peer["improved"]) and pd.isna(peer["deteriorated"]) and math.isnan(peer["share_improved"])
    assert_hidden(art)  # 4 people


def test_by_activity_with_every_group_shown(db):
    art = rows(exact(db, "activity"))["Art"]
    # Art: changes 3 -4 10 3, sum 12, mean 3; deviations 0 -7 7 0, squares 98; sd = sqrt(98 / 3) = 5.715476
    # half-width t(3) 3.182446 * 5.715476 / 2 = 9.094598
    assert art["mean_change"] == pytest.approx(3.0)
    assert [art["ci_low"], art["ci_high"]] == pytest.approx([3 - 9.094598, 3 + 9.094598], abs=1e-5)
    assert (art["improved"], art["deteriorated"]) == (3, 1)  # P09 P11 P12; P10
    assert art["share_improved"] == pytest.approx(0.75)
    changes = [3, -4, 10, 3]
    assert [art["ci_low"], art["ci_high"]] == pytest.approx(
        stats.t.interval(0.95, 3, loc=3, scale=stats.sem(changes))
    )  # cross-check


def test_by_activity_type(db):
    found = rows(exact(db, "activity_type"))
    assert counts(pd.DataFrame(found.values())) == {"peer support": 9, "course": 4}  # P01 once, though in two
    assert found["peer support"]["mean_change"] == pytest.approx(3.0)  # = Peer
    assert found["course"]["mean_change"] == pytest.approx(3.0)  # = Art, P12 included through the form's activity


def test_activity_filter_restricts_the_groups(db):
    art = exact(db, "activity", Filters(FY24, ("Art",)))
    assert counts(art) == {"Art": 4}  # P09's Peer membership is outside the filter
    peer = exact(db, "gender", Filters(FY24, ("Peer",)))
    assert counts(peer) == {"Woman": 7, "Man": 2}  # P01..P07; P08, P09 (P10 P11 P12 are Art's)


def test_by_gender_hides_small_groups(db):
    assert counts(exact(db, "gender")) == {"Woman": 8, "Man": 3, "Not known": 1}  # P12 has no profile
    found = safe(db, "gender")
    assert labels(found) == {"Woman": "8", "Man": "<8", "Not known": "<8"}  # two small: neither can be worked out
    women = rows(found)["Woman"]
    # P01..P07 and P10: changes 6 4 3 2 0 -3 8 -4, sum 16, mean 2; deviations 4 2 1 0 -2 -5 6 -6, squares 122
    # sd = sqrt(122 / 7) = 4.174754; half-width t(7) 2.364624 * 4.174754 / sqrt(8) = 3.490182
    assert women["shown"]
    assert women["mean_change"] == pytest.approx(2.0)
    assert [women["ci_low"], women["ci_high"]] == pytest.approx([2 - 3.490182, 2 + 3.490182], abs=1e-5)
    counted = rows(exact(db, "gender"))["Woman"]
    assert (counted["improved"], counted["deteriorated"]) == (4, 2)  # P01 P02 P03 P07; P06 P10
    assert counted["share_improved"] == pytest.approx(0.5)
    assert_hidden(rows(found)["Man"])
    assert_hidden(rows(found)["Not known"])


def test_exact_figures_of_small_groups_and_one_person_has_no_interval(db):
    found = rows(exact(db, "gender"))
    men = found["Man"]
    # P08 P09 P11: changes 4 3 10, mean 17 / 3 = 5.666667; deviations -5/3 -8/3 13/3, squares (25 + 64 + 169) / 9
    # = 258 / 9; sd = sqrt(258 / 18) = 3.785939; half-width t(2) 4.302653 * 3.785939 / sqrt(3) = 9.404794
    assert men["mean_change"] == pytest.approx(17 / 3)
    assert [men["ci_low"], men["ci_high"]] == pytest.approx([17 / 3 - 9.404794, 17 / 3 + 9.404794], abs=1e-5)
    one = found["Not known"]  # P12 alone: +3
    assert one["pairs"] == 1 and one["mean_change"] == 3 and one["improved"] == 1
    assert math.isnan(one["ci_low"]) and math.isnan(one["ci_high"])


def test_by_age_band(db):
    assert counts(exact(db, "age_band")) == {"25-34": 4, "35-44": 4, "45-54": 2, "Not known": 2}
    for row in rows(safe(db, "age_band")).values():
        assert_hidden(row)  # every group under 8
    young = rows(exact(db, "age_band"))["25-34"]
    # P01..P04: 6 4 3 2, mean 15 / 4 = 3.75; deviations 2.25 0.25 -0.75 -1.75, squares 5.0625 + 0.0625 + 0.5625
    # + 3.0625 = 8.75; sd = sqrt(8.75 / 3) = 1.707825; half-width t(3) 3.182446 * 1.707825 / 2 = 2.717531
    assert [young["mean_change"], young["ci_low"], young["ci_high"]] == pytest.approx(
        [3.75, 3.75 - 2.717531, 3.75 + 2.717531], abs=1e-5
    )
    assert (young["improved"], young["deteriorated"]) == (3, 0)  # +2 is no reliable change


def test_by_ethnic_group(db):
    # A = White British for P01..P09, J = Pakistani
    assert counts(exact(db, "ethnicity_group")) == {"White": 9, "Not known": 2, "Asian": 1}
    found = safe(db, "ethnicity_group")
    assert labels(found) == {"White": "9", "Not known": "<8", "Asian": "<8"}
    white = rows(found)["White"]  # the same nine people as Peer
    assert white["mean_change"] == pytest.approx(3.0)
    assert [white["ci_low"], white["ci_high"]] == pytest.approx([3 - 2.460938, 3 + 2.460938], abs=1e-5)
    assert_hidden(rows(found)["Asian"])
    assert_hidden(rows(found)["Not known"])


def test_by_disability(db):
    assert counts(exact(db, "disability")) == {"No": 8, "Yes": 2, "Not known": 2}
    found = rows(safe(db, "disability"))
    assert {g: r["label"] for g, r in found.items()} == {"No": "8", "Yes": "<8", "Not known": "<8"}
    no = found["No"]
    # P03..P10: 3 2 0 -3 8 4 3 -4, sum 13, mean 1.625; squares 9 + 4 + 0 + 9 + 64 + 16 + 9 + 16 = 127,
    # less 8 * 1.625² = 21.125 -> 105.875; sd = sqrt(105.875 / 7) = 3.889087
    # half-width t(7) 2.364624 * 3.889087 / sqrt(8) = 3.251358
    assert no["mean_change"] == pytest.approx(1.625)
    assert [no["ci_low"], no["ci_high"]] == pytest.approx([1.625 - 3.251358, 1.625 + 3.251358], abs=1e-5)
    assert tuple(rows(exact(db, "disability"))["No"][k] for k in ("improved", "deteriorated")) == (4, 2)
    # P03 P07 P08 P09; P06 P10
    assert_hidden(found["Yes"])
    yes = rows(exact(db, "disability"))["Yes"]
    # P01 P02: 6 4, mean 5, sd sqrt(2); half-width t(1) 12.706205 * sqrt(2) / sqrt(2) = 12.706205
    assert [yes["mean_change"], yes["ci_low"], yes["ci_high"]] == pytest.approx([5, 5 - 12.706205, 5 + 12.706205])


def test_by_imd_quintile(db):
    # deciles 1 2 1 2 -> quintile 1; 3 4 3 4 -> 2; 9 10 -> 5; P11 blank and P12 no profile -> Not known
    assert counts(exact(db, "imd_quintile")) == {"1": 4, "2": 4, "5": 2, "Not known": 2}
    assert not safe(db, "imd_quintile")["shown"].any()
    second = rows(exact(db, "imd_quintile"))["2"]
    # P05..P08: 0 -3 8 4, mean 9 / 4 = 2.25; improved P07 P08, deteriorated P06
    assert second["mean_change"] == pytest.approx(2.25)
    assert (second["improved"], second["deteriorated"], second["share_improved"]) == (2, 1, 0.5)


def test_by_sessions_attended_between_the_questionnaires(db):
    # in band order, not by size: P10 1; P01..P08 2–5; P09 6 (4 Peer + 2 Art); P11 12; P12 no attendance at all
    assert counts(exact(db, "dose")) == {"1": 1, "2–5": 8, "6–11": 1, "12+": 1, "none recorded": 1}
    found = safe(db, "dose")
    assert list(found["group"]) == ["1", "2–5", "6–11", "12+", "none recorded"]
    mid = rows(found)["2–5"]
    # P01..P08: 6 4 3 2 0 -3 8 4, sum 24, mean 3; deviations 3 1 0 -1 -3 -6 5 1, squares 82
    # sd = sqrt(82 / 7) = 3.422614; half-width t(7) 2.364624 * 3.422614 / sqrt(8) = 2.861377
    assert mid["mean_change"] == pytest.approx(3.0)
    assert [mid["ci_low"], mid["ci_high"]] == pytest.approx([3 - 2.861377, 3 + 2.861377], abs=1e-5)
    counted = rows(exact(db, "dose"))["2–5"]
    assert tuple(counted[k] for k in ("improved", "deteriorated", "share_improved")) == (5, 1, 5 / 8)
    # P01 P02 P03 P07 P08; P06
    for band in ("1", "6–11", "12+", "none recorded"):
        assert_hidden(rows(found)[band])
    every = rows(exact(db, "dose"))
    assert {b: every[b]["mean_change"] for b in ("1", "6–11", "12+", "none recorded")} == {
        "1": -4,  # P10
        "6–11": 3,  # P09
        "12+": 10,  # P11
        "none recorded": 3,  # P12
    }


def test_dose_counts_only_the_chosen_activities_sessions(db):
    peer = exact(db, "dose", Filters(FY24, ("Peer",)))
    assert counts(peer) == {"2–5": 9}  # P09 attended 4 Peer sessions
    art = exact(db, "dose", Filters(FY24, ("Art",)))
    assert counts(art) == {"1": 1, "2–5": 1, "12+": 1, "none recorded": 1}  # P10; P09 (2 Art sessions); P11; P12


def test_cis_overlap():
    def frame(*intervals):
        return pd.DataFrame([{"ci_low": low, "ci_high": high} for low, high in intervals])

    assert outcomes.cis_overlap(frame((0, 4), (1, 5), (3.5, 6)))  # 3.5 to 4 lies in all three
    assert outcomes.cis_overlap(frame((0, 4), (4, 6)))  # touching counts as overlapping
    assert not outcomes.cis_overlap(frame((0, 4), (1, 5), (4.5, 6)))  # 4.5–6 misses 0–4
    assert not outcomes.cis_overlap(frame((0, 4), (math.nan, math.nan)))  # one shown group: nothing to compare
    assert outcomes.cis_overlap(frame((0, 4), (math.nan, math.nan), (2, 3)))  # hidden groups are left out


def test_cis_overlap_on_a_breakdown(db):
    # women -1.490 to 5.490; men -3.738 to 15.071; Not known (one person) has no interval
    assert outcomes.cis_overlap(exact(db, "gender"))
    # only 2–5 is shown (the other bands are under 8 people): one interval, nothing to compare it with
    assert not outcomes.cis_overlap(safe(db, "dose"))


@pytest.mark.parametrize(
    ("d", "words"),
    [(0.0, "very small"), (0.19, "very small"), (0.2, "small"), (-0.49, "small"), (0.5, "medium"), (-0.8, "large")],
)
def test_size_in_words(d, words):
    assert size_in_words(d) == words


# The standardised change and the headline ------------------------------------------------------------------


def test_standardised_response_mean():
    found = standardised_response_mean(3.0, 4.0, 16)
    # d = 3 / 4 = 0.75; SE = sqrt(1/16 + 0.5625 / 32) = sqrt(0.080078) = 0.282981; 1.959964 * SE = 0.554632
    assert found["srm"] == pytest.approx(0.75)
    assert [found["ci_low"], found["ci_high"]] == pytest.approx([0.75 - 0.554632, 0.75 + 0.554632], abs=1e-6)
    falling = standardised_response_mean(-3.0, 4.0, 16)  # a fall: the same size, below zero
    assert [falling["srm"], falling["ci_low"], falling["ci_high"]] == pytest.approx([-0.75, -1.304632, -0.195368])
    empty = {"srm": None, "ci_low": None, "ci_high": None}
    assert standardised_response_mean(3.0, None, 1) == empty  # one pair
    # everyone changed by the same amount: no spread to divide by
    assert standardised_response_mean(3.0, 0.0, 5) == empty
    assert standardised_response_mean(None, None, 0) == empty


def test_outcome_figures(db):
    found = outcomes.outcome_figures(db, Filters(FY24), "WEMWBS")
    assert found["pairs"] == 12
    assert (found["baseline_mean"], found["followup_mean"], found["mean_change"]) == pytest.approx((45, 48, 3))
    # deviations of change from 3: 3 1 0 -1 -3 -6 5 1 0 -7 7 0, squares 180; sd = sqrt(180 / 11) = 4.045199
    # half-width t(11) 2.200985 * 4.045199 / sqrt(12) = 2.570197
    assert found["ci95"] == pytest.approx([3 - 2.570197, 3 + 2.570197], abs=1e-5)
    # d = 3 / 4.045199 = 0.741620 (d² = 9 * 11 / 180 = 0.55); SE = sqrt(1/12 + 0.55 / 24) = sqrt(0.10625) = 0.325960
    # 1.959964 * 0.325960 = 0.638870
    effect = found["srm"]
    assert effect["srm"] == pytest.approx(0.741620, abs=1e-6)
    assert [effect["ci_low"], effect["ci_high"]] == pytest.approx([0.741620 - 0.638870, 0.741620 + 0.638870], abs=1e-5)
    assert (found["improved"], found["no_reliable_change"], found["deteriorated"]) == (8, 2, 2)
    assert found["shares"] == pytest.approx({"improved": 8 / 12, "no_reliable_change": 2 / 12, "deteriorated": 2 / 12})
    # reached in the year with a first WEMWBS: P01..P11 and P13 (P12 never attended); paired: P01..P11
    assert found["followup_rate"] == pytest.approx(11 / 12)
    assert len(found["warnings"]) == 1  # 12 pairs; 92% followed up
    assert found["warnings"][0].startswith("Small sample: only 12 people have two WEMWBS scores.")


def changes(result: dict) -> dict[str, tuple]:
    return {r.part: (r.label, None if pd.isna(r.people) else r.people) for r in result["changes"].itertuples()}


def test_headline_on_screen(db):
    found = outcomes.headline(db, Filters(FY24), "WEMWBS", SCREEN)
    exact_figures = outcomes.outcome_figures(db, Filters(FY24), "WEMWBS")
    assert (found["pairs"], found["pairs_label"], found["shown"]) == (12, "12", True)
    for figure in ("baseline_mean", "followup_mean", "mean_change", "ci95"):  # DuckDB may add in another order
        assert found[figure] == pytest.approx(exact_figures[figure], rel=1e-12), figure
    assert found["srm"] == pytest.approx(exact_figures["srm"], rel=1e-12)
    assert found["warnings"] == exact_figures["warnings"]
    # improved 8, no reliable change 2, deteriorated 2: the two small ones are <8 (neither can be worked out)
    assert changes(found) == {"improved": ("8", 8), "no_reliable_change": ("<8", None), "deteriorated": ("<8", None)}
    assert found["shares"] == {"improved": pytest.approx(8 / 12), "no_reliable_change": None, "deteriorated": None}
    assert found["improved"] == 8
    assert found["followup_rate"] == pytest.approx(11 / 12)  # 11 of 12: both at least 8


def test_headline_for_export_rounds_to_5_and_shares_from_rounded_counts(db):
    found = outcomes.headline(db, Filters(FY24), "WEMWBS", EXPORT)
    assert (found["pairs"], found["pairs_label"]) == (10, "10")  # 12 -> 10
    assert changes(found) == {"improved": ("10", 10), "no_reliable_change": ("<8", None), "deteriorated": ("<8", None)}
    assert found["shares"]["improved"] == 1.0  # 10 of 10, from the rounded counts (8 -> 10, 12 -> 10)
    assert found["followup_rate"] == 1.0  # 11 -> 10 of 12 -> 10


# 23 people with WEMWBS 40 then 45 (improved), 40 (no change) or 35 (deteriorated): 12 women improved, 8 men with no
# change, 3 people with no profile who deteriorated. One small group each time: a second one is hidden with it.
SECONDARY_SCORES = [["participant_id", "date", "WEMWBS total"]] + [
    [f"S{i:02}", day, 40 if day == "2024-05-01" else 45 if i < 12 else 40 if i < 20 else 35]
    for i in range(23)
    for day in ("2024-05-01", "2024-11-01")
]
SECONDARY_PEOPLE = [["participant_id", "gender"]] + [[f"S{i:02}", "woman" if i < 12 else "man"] for i in range(20)]


secondary_db = database_with("secondary.xlsx", {"People": SECONDARY_PEOPLE, "Scores": SECONDARY_SCORES})


def test_one_small_category_of_change_hides_a_second(secondary_db):
    found = outcomes.headline(secondary_db, Filters(FY24), "WEMWBS", SCREEN)
    # improved 12, no reliable change 8, deteriorated 3: 3 is <8, and 8 would give it away (23 - 12 - 8), so it goes
    # too ('improved' is kept while another can go)
    assert changes(found) == {"improved": ("12", 12), "no_reliable_change": ("–", None), "deteriorated": ("<8", None)}
    assert found["shares"] == {"improved": pytest.approx(12 / 23), "no_reliable_change": None, "deteriorated": None}
    export = outcomes.headline(secondary_db, Filters(FY24), "WEMWBS", EXPORT)
    assert changes(export) == {"improved": ("10", 10), "no_reliable_change": ("–", None), "deteriorated": ("<8", None)}
    assert export["pairs_label"] == "25" and export["shares"]["improved"] == pytest.approx(10 / 25)


@pytest.mark.parametrize(
    ("disclosure", "expected"),
    [
        (SCREEN, {"Woman": ("12", 12), "Man": ("–", None), "Not known": ("<8", None)}),
        (EXPORT, {"Woman": ("10", 10), "Man": ("–", None), "Not known": ("<8", None)}),
    ],
)
def test_one_small_group_in_a_breakdown_hides_the_next_smallest(secondary_db, disclosure, expected):
    found = outcomes.breakdown(secondary_db, Filters(FY24), "WEMWBS", "gender", disclosure)
    assert counts(exact(secondary_db, "gender")) == {"Woman": 12, "Man": 8, "Not known": 3}
    assert {r.group: (r.label, None if pd.isna(r.pairs) else r.pairs) for r in found.itertuples()} == expected
    assert list(found["shown"]) == [True, False, False]
    assert found["mean_change"].tolist()[0] == 5 and found["mean_change"][1:].isna().all()  # Man's 0 is withheld


def test_headline_in_a_quarter_with_few_followed_up(db):
    found = outcomes.outcome_figures(db, Filters(Q2), "WEMWBS")
    assert found["pairs"] == 3  # P07 P08 P09, followed up on 1 Aug
    # reached in Jul–Sep: only P11 (the Thursday group in July), whose second questionnaire is in February: 0 of 1
    assert found["followup_rate"] == 0
    assert found["warnings"] == [
        "Small sample: only 3 people have two WEMWBS scores. Warwick advises at least 30 before drawing "
        "conclusions about change.",
        "Only 0% of the people reached who completed a first WEMWBS completed a second one, so these results "
        "may not represent everyone who took part.",
    ]
    hidden = outcomes.headline(db, Filters(Q2), "WEMWBS", SCREEN)  # 3 pairs, under 8
    assert not hidden["shown"]
    figures = ("pairs", "pairs_label", "mean_change", "followup_rate")
    assert tuple(hidden[k] for k in figures) == (None, "<8", None, None)  # the rate: 0 of 1, too few to give
    assert hidden["warnings"] == [] and hidden["changes"].empty
    assert outcomes.summary_sentence("WEMWBS", hidden, Q2.label) is None


def test_warnings_at_their_limits():
    assert outcomes.warnings("WEMWBS", {"pairs": 30, "followup_rate": 0.5}) == []  # neither
    assert outcomes.warnings("WEMWBS", {"pairs": 30, "followup_rate": None}) == []  # no rate to judge
    small = outcomes.warnings("WEMWBS", {"pairs": 29, "followup_rate": 0.5})
    assert len(small) == 1 and small[0].startswith("Small sample: only 29 people")
    low = outcomes.warnings("WEMWBS", {"pairs": 30, "followup_rate": 0.49})
    assert len(low) == 1 and low[0].startswith("Only 49% of the people reached")


def test_summary_sentence_for_a_rise(db):
    result = outcomes.outcome_figures(db, Filters(FY24), "WEMWBS")
    assert outcomes.summary_sentence("WEMWBS", result, FY24.label) == (
        "In financial year 2024-25, of 12 people who completed WEMWBS twice, 67% improved by 3 points or more; "
        "on average mental wellbeing rose by 3.0 points (95% CI 0.4 to 5.6)."
    )  # 8 / 12 = 67%; CI 0.430 to 5.570


def _result(pairs: int, mean: float, ci: list[float] | None, improved: int | None = None) -> dict:
    return {"pairs": pairs, "mean_change": mean, "ci95": ci, "improved": improved, "shown": True}


def test_summary_sentence_for_a_fall_gives_the_interval_in_its_direction():
    found = outcomes.summary_sentence("CORE-10", _result(40, -3.7, [-5.2, -2.2], improved=14), "2025-26 Q1")
    assert found == (
        "In 2025-26 Q1, of 40 people who completed CORE-10 twice, 35% improved by 6 points or more; "
        "on average psychological distress fell by 3.7 points (95% CI 2.2 to 5.2)."
    )  # 14 / 40 = 35%


def test_summary_sentence_when_the_interval_spans_no_change():
    found = outcomes.summary_sentence("WEMWBS", _result(1200, 0.8, [-0.4, 2.0], improved=300), "financial year 2025-26")
    assert found == (
        "In financial year 2025-26, of 1,200 people who completed WEMWBS twice, 25% improved by 3 points or more; "
        "on average mental wellbeing rose by 0.8 points (95% CI -0.4 to +2.0, so it may be no real change)."
    )


def test_summary_sentence_for_ons4_and_for_a_single_pair():
    found = outcomes.summary_sentence("ONS4 anxious", _result(9, -1.3, [-2.0, -0.5]), "financial year 2025-26")
    assert found == (
        "In financial year 2025-26, of 9 people who completed ONS4 twice, "
        "on average anxiety fell by 1.3 points (95% CI 0.5 to 2.0)."
    )  # no threshold: no "improved by" clause
    one = outcomes.summary_sentence("ONS4 happy", _result(1, 2.0, None), "financial year 2025-26")
    assert one == (
        "In financial year 2025-26, of 1 person who completed ONS4 twice, on average happiness rose by 2.0 points."
    )  # one pair (shown only when the threshold is 1): no interval
    assert outcomes.summary_sentence("WEMWBS", {**_result(5, 1.0, [0.5, 1.5], 2), "shown": False}, "x") is None


# Charts' data -------------------------------------------------------------------------------------------------


def test_means_with_ci(db):
    found = outcomes.means_with_ci(db, Filters(FY24), "WEMWBS", SCREEN)
    assert list(found["when"]) == ["First questionnaire", "Latest questionnaire"]
    assert list(found["people"]) == [12, 12]
    assert list(found["mean"]) == pytest.approx([45, 48])
    # first: 40 42 44 46 48 50 twice, deviations ±5 ±3 ±1 twice, squares 140; sd = sqrt(140 / 11) = 3.567530
    # half-width t(11) 2.200985 * 3.567530 / sqrt(12) = 2.266701
    # latest: 46 46 47 48 48 47 48 46 47 42 58 53, deviations -2 -2 -1 0 0 -1 0 -2 -1 -6 10 5, squares 176
    # sd = sqrt(176 / 11) = 4; half-width 2.200985 * 4 / sqrt(12) = 2.541479
    assert list(found["ci_low"]) == pytest.approx([45 - 2.266701, 48 - 2.541479], abs=1e-5)
    assert list(found["ci_high"]) == pytest.approx([45 + 2.266701, 48 + 2.541479], abs=1e-5)
    assert outcomes.means_with_ci(db, Filters(FY24), "WEMWBS", Disclosure.screen(13)).empty  # 12 people, under 13
    assert list(outcomes.means_with_ci(db, Filters(FY24), "WEMWBS", EXPORT)["people"]) == [10, 10]  # 12 -> 10


def test_change_distribution(db):
    found = outcomes.change_bands(db, Filters(FY24), "WEMWBS")
    # bands 3 points wide, closed away from 0: -3 and -4 in [-6, -3]; 0 and 2 in [0, 3); 3 3 3 4 4 in [3, 6);
    # 6 and 8 in [6, 9); 10 in [9, 12)
    assert list(found["band_start"]) == [-6, 0, 3, 6, 9]
    assert list(found["band_end"]) == [-3, 3, 6, 9, 12]
    assert list(found["category"]) == ["deteriorated", "no reliable change", "improved", "improved", "improved"]
    assert list(found["people"]) == [2, 2, 5, 2, 1]
    assert found["people"].sum() == 12  # every pair in one band
    shown = outcomes.change_distribution(db, Filters(FY24), "WEMWBS", SCREEN)
    assert shown["people"].isna().all()  # every band under 8
    assert list(shown["label"]) == ["<8"] * 5 and list(shown["band_start"]) == [-6, 0, 3, 6, 9]  # each keeps its place


def test_change_distribution_at_the_threshold(con):
    scores = [
        ["participant_id", "date", "WEMWBS total"],
        ["A", "2024-05-01", 40], ["A", "2024-11-01", 43],  # +3: exactly the threshold, improved
        ["B", "2024-05-01", 40], ["B", "2024-11-01", 37],  # -3: deteriorated
        ["C", "2024-05-01", 40], ["C", "2024-11-01", 38],  # -2: no reliable change
        ["E", "2024-05-01", 40], ["E", "2024-11-01", 42],  # +2: no reliable change
    ]  # fmt: skip
    load(con, ("s.xlsx", workbook({"Scores": scores})))
    found = outcomes.change_bands(con, Filters(FY24), "WEMWBS")
    bands = {(r.band_start, r.band_end): (r.people, r.category) for r in found.itertuples()}
    assert bands == {
        (-6, -3): (1, "deteriorated"),  # B
        (-3, 0): (1, "no reliable change"),  # C
        (0, 3): (1, "no reliable change"),  # E
        (3, 6): (1, "improved"),  # A
    }
    assert outcomes.outcome_figures(con, Filters(FY24), "WEMWBS")["improved"] == 1  # the same rule as A's band


def test_change_distribution_without_a_threshold(con):
    ons = [["participant_id", "date", "life satisfaction", "worthwhile", "happy", "anxious"],
           ["A", "2024-05-01", 5, 5, 5, 5], ["A", "2024-11-01", 7, 5, 5, 5],
           ["B", "2024-05-01", 5, 5, 5, 5], ["B", "2024-11-01", 4, 5, 5, 5]]  # fmt: skip
    load(con, ("o.xlsx", workbook({"ONS4": ons})))
    found = outcomes.change_bands(con, Filters(FY24), "ONS4 life satisfaction")
    # one-point bands: +2 in [2, 3), -1 in [-2, -1]; no threshold, so every band is just "change"
    assert [(r.band_start, r.band_end, r.people, r.category) for r in found.itertuples()] == [
        (-2, -1, 1, "change"),
        (2, 3, 1, "change"),
    ]


def test_slopes_per_person(db):
    found = outcomes.slopes(db, Filters(FY24), "WEMWBS", SCREEN)
    assert len(found) == 24  # 12 people, first and latest
    assert set(found["line"]) == {f"person {i}" for i in range(1, 13)}
    assert (found["people"] == 1).all()
    lines = found.pivot(index="line", columns="when", values="score")
    assert sorted(zip(lines["first"], lines["latest"], strict=True)) == sorted(
        (FIRST[p], FIRST[p] + CHANGE[p]) for p in CHANGE
    )


def test_slopes_banded_when_there_are_many(db):
    found = outcomes.slope_lines(db, Filters(FY24), "WEMWBS", most=5)
    # bands a tenth of 14–70 wide: round(5.6) = 6, from 14: first score 40 42 -> band 4 (38–44); 44 46 48 -> 5;
    # 50 -> 6 (P06 and P12)
    lines = found.pivot(index="line", columns="when", values="score")
    people = dict(zip(found["line"], found["people"], strict=False))
    assert people == {"first score 38–44": 4, "first score 44–50": 6, "first score 50–56": 2}
    # 38–44: P01 P02 P07 P08, first (40 + 42 + 40 + 42) / 4 = 41, latest (46 + 46 + 48 + 46) / 4 = 46.5
    # 44–50: P03 P04 P05 P09 P10 P11, first 276 / 6 = 46, latest (47 + 48 + 48 + 47 + 42 + 58) / 6 = 290 / 6
    assert lines.loc["first score 38–44"].to_dict() == pytest.approx({"first": 41, "latest": 46.5})
    assert lines.loc["first score 44–50"].to_dict() == pytest.approx({"first": 46, "latest": 290 / 6})

    # on a page, bands of fewer than 8 people are left out: here every band
    assert outcomes.slopes(db, Filters(FY24), "WEMWBS", SCREEN, most=5).empty


@pytest.mark.parametrize(
    ("f", "disclosure"),
    [
        (Filters(FY24), Disclosure.screen(13)),  # 12 people, under a raised threshold
        (Filters(FY24, ("Art",)), SCREEN),  # 4 people
        (Filters(FY24, ("Peer",)), Disclosure.screen(10)),  # 9 people
        (Filters(FY24), EXPORT),  # one line per person never leaves the app
    ],
)
def test_slopes_are_not_drawn_for_too_few_people_nor_exported(db, f, disclosure):
    found = outcomes.slopes(db, f, "WEMWBS", disclosure)
    assert found.empty and list(found.columns) == ["line", "when", "score", "people"]


# Clinical measures -----------------------------------------------------------------------------------------------

FIRST_DAY, LATEST_DAY = "2024-05-01", "2024-11-01"


def _pairs(column: str, people: dict[str, tuple[float, float]]) -> list[list]:
    return [
        ["participant_id", "date", column],
        *[[p, FIRST_DAY, first] for p, (first, _) in people.items()],
        *[[p, LATEST_DAY, latest] for p, (_, latest) in people.items()],
    ]


CORE10 = {  # cut-off 11 (a case at 11 or more), reliable change 6
    "C1": (20, 8),  # case -> not, -12: recovered, reliably improved, reliably recovered
    "C2": (14, 10),  # case -> not, -4: recovered, not reliably
    "C3": (11, 5),  # at the cut-off -> not, -6 exactly: reliably recovered
    "C4": (8, 2),  # never a case, -6: reliably improved, no recovery to make
    "C5": (9, 15),  # not a case -> case, +6: reliably deteriorated
    "C6": (25, 20),  # case -> case, -5: nothing
    "C7": (18, 11),  # case -> still at the cut-off, -7: reliably improved, not recovered
    "C8": (30, 36),  # case -> case, +6: reliably deteriorated
}
PHQ9 = {"H1": (15, 9), "H2": (10, 9), "H3": (5, 12)}  # caseness 10, reliable change 6
GAD7 = {"G1": (12, 8), "G2": (8, 7), "G3": (7, 3)}  # caseness 8, reliable change 4


clinical_db = database_with(
    "clinical.xlsx",
    {"CORE": _pairs("CORE-10 total", CORE10), "PHQ": _pairs("PHQ-9 total", PHQ9), "GAD": _pairs("GAD-7 total", GAD7)},
)


def test_core10_clinical(clinical_db):
    found = outcomes.clinical(clinical_db, Filters(FY24), "CORE-10")
    assert {k: found[k] for k in found if not k.endswith("rate") and not k.startswith("share")} == {
        "pairs": 8,
        "cutoff": 11,
        "cases_baseline": 6,  # C1 C2 C3 (11 is a case) C6 C7 C8
        "cases_followup": 4,  # C5 C6 C7 (11) C8
        "recovered": 3,  # C1 C2 C3
        "reliably_improved": 4,  # C1 C3 C4 C7
        "reliably_recovered": 2,  # C1 C3
        "reliably_deteriorated": 2,  # C5 C8 (+6 exactly)
    }
    assert found["share_cases_baseline"] == pytest.approx(6 / 8)
    assert found["share_cases_followup"] == pytest.approx(4 / 8)
    assert found["recovery_rate"] == pytest.approx(3 / 6)  # of the cases at baseline
    assert found["reliable_recovery_rate"] == pytest.approx(2 / 6)
    assert found["reliable_improvement_rate"] == pytest.approx(4 / 8)  # of everyone
    assert found["reliable_deterioration_rate"] == pytest.approx(2 / 8)


CLINICAL_COUNTS = ("pairs", "cases_baseline", "cases_followup", "recovered", "reliably_improved",
                   "reliably_recovered", "reliably_deteriorated")  # fmt: skip


@pytest.mark.parametrize(
    ("measure", "counts", "rates"),
    [
        # H1 15 -> 9 (-6): reliably recovered; H2 10 -> 9: a case (10 is caseness) recovered by 1; H3 5 -> 12 (+7)
        ("PHQ-9", (3, 2, 1, 2, 1, 1, 1), {"recovery_rate": 1.0, "reliable_recovery_rate": 0.5}),
        # G1 12 -> 8 (-4): reliably improved, still a case at 8; G2 8 -> 7: recovered, not reliably; G3 7 -> 3: not a
        # case
        (
            "GAD-7",
            (3, 2, 1, 1, 2, 0, 0),
            {"recovery_rate": 0.5, "reliable_recovery_rate": 0.0, "reliable_improvement_rate": 2 / 3},
        ),
    ],
)
def test_phq9_and_gad7_clinical(clinical_db, measure, counts, rates):
    found = outcomes.clinical(clinical_db, Filters(FY24), measure)
    assert tuple(found[k] for k in CLINICAL_COUNTS) == counts
    assert {k: found[k] for k in rates} == pytest.approx(rates)


def test_clinical_figures_as_a_page_shows_them(clinical_db):
    found = outcomes.clinical_figures(clinical_db, Filters(FY24), "CORE-10", SCREEN)
    # 8 pairs, 6 cases: every figure or the rest of its whole is under 8, so each count is <8 and no share is given
    assert list(found["figure"]) == [
        "Above cut-off, first", "Above cut-off, latest", "Recovery",
        "Reliable improvement", "Reliable recovery", "Reliable deterioration",
    ]  # fmt: skip
    assert list(found["label"]) == ["<8"] * 6
    assert list(found["of"]) == ["8", "8", "<8", "8", "<8", "8"]
    assert found["share"].isna().all() and found["people"].isna().all()
    assert outcomes.clinical_figures(clinical_db, Filters(FY24), "WEMWBS", SCREEN).empty  # no cut-off, no band


def test_clinical_without_cases_or_pairs(clinical_db):
    assert outcomes.clinical(clinical_db, Filters(FY24), "WEMWBS") is None  # no cut-off
    assert outcomes.clinical(clinical_db, Filters(FY24), "ONS4 happy") is None
    empty = outcomes.clinical(clinical_db, Filters(Period(D(2020, 1, 1), D(2020, 12, 31))), "CORE-10")
    assert empty["pairs"] == 0
    assert empty["recovery_rate"] is None and empty["share_cases_baseline"] is None


ONS4 = [
    ["participant_id", "date", "life satisfaction", "worthwhile", "happy", "anxious"],
    ["O1", FIRST_DAY, 5, 5, 3, 7], ["O1", LATEST_DAY, 5, 5, 6, 4],
    ["O2", FIRST_DAY, 5, 5, 4, 6], ["O2", LATEST_DAY, 5, 5, 4, 6],
    ["O3", FIRST_DAY, 5, 5, 5, 5], ["O3", LATEST_DAY, 5, 5, 5, 8],
    ["O4", FIRST_DAY, 5, 5, 2, 10], ["O4", LATEST_DAY, 5, 5, 5, 3],
    ["O5", FIRST_DAY, 5, 5, 8, 2], ["O5", LATEST_DAY, 5, 5, 3, 2],
]  # fmt: skip


def test_breakdown_without_a_threshold_has_no_one_improved(con):
    load(con, ("ons.xlsx", workbook({"ONS4": ONS4})))
    found = rows(exact(con, "gender", measure="ONS4 happy"))["Not known"]
    # happy: 3 -> 6, 4 -> 4, 5 -> 5, 2 -> 5, 8 -> 3: changes 3 0 0 3 -5, mean 1 / 5 = 0.2
    assert found["pairs"] == 5 and found["mean_change"] == pytest.approx(0.2)
    assert math.isnan(found["improved"]) and math.isnan(found["deteriorated"]) and math.isnan(found["share_improved"])


def test_ons4_low_band(con):
    load(con, ("ons.xlsx", workbook({"ONS4": ONS4})))
    happy = outcomes.low_band(con, Filters(FY24), "ONS4 happy")
    # happy 0–4: first 3 4 5 2 8 -> O1 O2 O4 (4 is in the band, 5 is not); latest 6 4 5 5 3 -> O2 O5
    assert happy == {"pairs": 5, "band": (0, 4), "baseline": 3, "followup": 2, "share_baseline": 0.6,
                     "share_followup": 0.4}  # fmt: skip
    anxious = outcomes.low_band(con, Filters(FY24), "ONS4 anxious")
    # anxious 6–10 (lower is better): first 7 6 5 10 2 -> O1 O2 O4; latest 4 6 8 3 2 -> O2 O3
    assert anxious == {"pairs": 5, "band": (6, 10), "baseline": 3, "followup": 2, "share_baseline": 0.6,
                       "share_followup": 0.4}  # fmt: skip
    assert outcomes.low_band(con, Filters(FY24), "WEMWBS") is None
    assert outcomes.clinical(con, Filters(FY24), "ONS4 anxious") is None


# Data completeness ------------------------------------------------------------------------------------------------


def test_completeness(db):
    found = outcomes.completeness(db, Filters(FY24), "WEMWBS")
    assert found["questionnaires"] == 26  # 12 people twice, P13, P15 (P14's is before the period)
    assert found["missing_answer"] == 1  # P15
    assert found["only_first_score"] == 1  # P13; P14's only score is before the period, P15 has none
    # gaps from 1 May: to 1 Aug 92 days (x3), to 1 Nov 184 (x6), to 1 Feb 276 (x3); sorted positions 0..11
    # median: halfway between positions 5 and 6 = 184; quartiles at 2.75: 92 + 0.75 * 92 = 161, 8.25: 184 + 0.25 * 92
    assert found["gap_days_median"] == 184
    assert found["gap_days_quartiles"] == pytest.approx([161, 207])


def test_completeness_as_a_page_shows_it(db):
    found = outcomes.completeness_figures(db, Filters(FY24), "WEMWBS", SCREEN)
    # 1 of 26 questionnaires has a missing answer: <8, and the 25 complete would give it away beside the 26
    assert found == {
        "missing_answer": "<8", "questionnaires": "26", "only_first_score": "<8",
        "gap_days_median": 184, "gap_days_quartiles": pytest.approx([161, 207]),
    }  # fmt: skip
    art = outcomes.completeness_figures(db, Filters(FY24, ("Art",)), "WEMWBS", SCREEN)
    assert (art["missing_answer"], art["questionnaires"], art["only_first_score"]) == ("0", "8", "0")
    assert art["gap_days_median"] is None and art["gap_days_quartiles"] is None  # 4 pairs: no typical gap


def test_completeness_for_chosen_activities(db):
    art = outcomes.completeness(db, Filters(FY24, ("Art",)), "WEMWBS")
    # Art's people: P09 P10 P11 (register) and P12 (form), two questionnaires each; P15 is in no activity
    assert (art["questionnaires"], art["missing_answer"], art["only_first_score"]) == (8, 0, 0)
    # gaps 92 (P09), 276 x3: median 276; quartiles at 0.75: 92 + 0.75 * 184 = 230, and at 2.25: 276
    assert (art["gap_days_median"], art["gap_days_quartiles"]) == (276, pytest.approx([230, 276]))
    peer = outcomes.completeness(db, Filters(FY24, ("Peer",)), "WEMWBS")
    assert (peer["questionnaires"], peer["missing_answer"], peer["only_first_score"]) == (19, 0, 1)  # P01..P09, P13


MISSED_ONLY = [
    ["participant_id", "session_date", "activity", "attended"],
    ["P16", "2024-05-09", "Art", "DNA"],  # P16 and P17 only missed Art's sessions: not among Art's people
    ["P17", "2024-05-09", "Art", "DNA"],
]
MISSED_ONLY_SCORES = [
    ["participant_id", "date", "WEMWBS total"],
    ["P16", "2024-05-01", 40],
    ["P16", "2024-11-01", 45],
    ["P17", "2024-06-01", 45],
]


def test_completeness_leaves_out_people_who_only_missed_the_chosen_activity(db):
    load(db, ("missed.xlsx", workbook({"Register": MISSED_ONLY, "Scores": MISSED_ONLY_SCORES})))
    assert outcomes.outcome_figures(db, Filters(FY24, ("Art",)), "WEMWBS")["pairs"] == 4  # P09 P10 P11 P12, not P16
    art = outcomes.completeness(db, Filters(FY24, ("Art",)), "WEMWBS")
    assert (art["questionnaires"], art["missing_answer"], art["only_first_score"]) == (8, 0, 0)  # as without them


def test_completeness_without_pairs(db):
    found = outcomes.completeness(db, Filters(Period(D(2023, 4, 1), D(2024, 3, 31))), "WEMWBS")
    assert found == {"questionnaires": 1, "missing_answer": 0, "only_first_score": 1,  # P14
                     "gap_days_median": None, "gap_days_quartiles": None}  # fmt: skip


# Secondary suppression ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "keep", "hidden"),
    [
        # one small part: one more goes too, the smallest not kept, so it cannot be worked out from the total
        ({"improved": 20, "no_reliable_change": 3, "deteriorated": 10}, (), {"no_reliable_change", "deteriorated"}),
        # improved is smaller, but kept while another part can go
        (
            {"improved": 9, "no_reliable_change": 3, "deteriorated": 12},
            ("improved",),
            {"no_reliable_change", "deteriorated"},
        ),
        ({"improved": 9, "no_reliable_change": 3, "deteriorated": 12}, (), {"no_reliable_change", "improved"}),
        # nothing else to hide: the kept part goes
        ({"improved": 9, "no_reliable_change": 3}, ("improved",), {"no_reliable_change", "improved"}),
        # two small parts: just those (neither can be worked out)
        ({"improved": 20, "no_reliable_change": 3, "deteriorated": 5}, (), {"no_reliable_change", "deteriorated"}),
        # none small (0 is not small, 8 is not under 8): nothing
        ({"improved": 20, "no_reliable_change": 8, "deteriorated": 0}, (), set()),
        # a part of 0 is not hidden as the second one
        ({"improved": 20, "no_reliable_change": 3, "deteriorated": 0}, (), {"no_reliable_change", "improved"}),
        ({"a": 2, "b": 30}, (), {"a", "b"}),
        ({"a": 8, "b": 30}, (), set()),  # the threshold is 8 at the least (it was a parameter, down to 3)
    ],
)
def test_parts_of_a_whole_hide_a_second_part(counts, keep, hidden):
    found = SCREEN.parts(counts, keep=keep)
    assert set(found.index[found["hidden"]]) == hidden


# NHS Talking Therapies: PHQ-9 and GAD-7 judged together ---------------------------------------------------------


def _both(people: dict[str, tuple[tuple[int, int], tuple[int, int]]]) -> dict[str, list[list]]:
    """Scores sheets for people with (PHQ-9 first, latest) and (GAD-7 first, latest)."""
    phq = [["participant_id", "date", "PHQ-9 total"]]
    gad = [["participant_id", "date", "GAD-7 total"]]
    for person, ((p0, p1), (g0, g1)) in people.items():
        phq += [[person, "2024-05-01", p0], [person, "2024-11-01", p1]]
        gad += [[person, "2024-05-01", g0], [person, "2024-11-01", g1]]
    return {"PHQ": phq, "GAD": gad}


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        # A: PHQ-9 12 -> 8 and GAD-7 10 -> 9: a case (both at or above 10 and 8), but GAD-7 ends at or above 8: not
        # recovered; PHQ-9 fell 4 (< 6), GAD-7 1 (< 4): no reliable improvement
        (
            {"A": ((12, 8), (10, 9))},
            {"pairs": 1, "cases": 1, "recovered": 0, "reliably_improved": 0, "reliably_recovered": 0,
             "reliably_deteriorated": 0},
        ),
        # B: PHQ-9 15 -> 8 (a reliable fall of 7) while GAD-7 rises 5 -> 10 (a reliable rise of 5): a case through
        # PHQ-9; GAD-7 ends at 10, so not recovered; GAD-7 rose reliably, so deteriorated and not improved
        (
            {"B": ((15, 8), (5, 10))},
            {"pairs": 1, "cases": 1, "recovered": 0, "reliably_improved": 0, "reliably_recovered": 0,
             "reliably_deteriorated": 1},
        ),
        # the pair together: judged alone, PHQ-9 calls both recovered; judged jointly, neither is
        (
            {"A": ((12, 8), (10, 9)), "B": ((15, 8), (5, 10))},
            {"pairs": 2, "cases": 2, "recovered": 0, "reliably_improved": 0, "reliably_recovered": 0,
             "reliably_deteriorated": 1},
        ),
        # C: 14 -> 4 and 9 -> 3: a case, both end below, both fell reliably: recovered and reliably recovered
        # D: 6 -> 0 and 5 -> 4: never a case; PHQ-9 fell 6 (reliable), GAD-7 did not rise: reliably improved only
        (
            {"C": ((14, 4), (9, 3)), "D": ((6, 0), (5, 4))},
            {"pairs": 2, "cases": 1, "recovered": 1, "reliably_improved": 2, "reliably_recovered": 1,
             "reliably_deteriorated": 0},
        ),
    ],
)  # fmt: skip
def test_talking_therapies_judges_both_questionnaires_together(con, people, expected):
    load(con, ("tt.xlsx", workbook(_both(people))))
    assert outcomes.talking_therapies(con, Filters(FY24)) == expected


def test_phq9_alone_still_reports_both_recovered(con):
    load(con, ("tt.xlsx", workbook(_both({"A": ((12, 8), (10, 9)), "B": ((15, 8), (5, 10))}))))
    found = outcomes.clinical(con, Filters(FY24), "PHQ-9")
    assert (found["recovered"], found["cases_baseline"]) == (2, 2)


def test_no_joint_figures_without_both_questionnaires(con):
    phq = [["participant_id", "date", "PHQ-9 total"], ["A", "2024-05-01", 12], ["A", "2024-11-01", 8]]
    load(con, ("phq.xlsx", workbook({"PHQ": phq})))
    assert outcomes.talking_therapies(con, Filters(FY24)) is None
