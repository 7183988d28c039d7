"""Goal-Based Outcomes (pipelines.goals), on a small dataset loaded through ingest, against hand-worked values.

person  activity            goal  area (as rated)                 ratings (date: rating)                    FY24 change
P1      One to one          1     -, Relationships, -             1 May 24: 2, 1 Aug 24: 4, 1 Nov 24: 7      +5
                            2     Managing mood                   1 May 24: 3, 1 Nov 24: 5                   +2
                            3     Daily living                    1 Jun 24: 4, 1 Nov 24: 1                   -3
P2      One to one          1     Managing mood                   1 Jun 24: 1, 1 Dec 24: 4                   +3
                            2     Managing mood                   1 Jun 24: 5 (no rating at the review)      only one rating
P3      One to one, Peer    1     Managing mood                   1 Jul 24: 0, 1 Oct 24: 2                   +2
                            2     Work or learning                15 Apr 25: 5, 1 Jun 25: 8                  first rated after
P4      One to one          1     Housing or money                1 May 24: 3, 1 May 25: 9                   only one rating
                            2     Managing mood                   1 May 24: 5, 15 Jan 25: 8                  +3
P5      Peer group          1     Managing mood                   1 May 24: 4, 1 Feb 25: 8                   +4
P6      Peer group          1     Managing mood                   1 May 24: 6, 1 Feb 25: 6                    0
P7      Peer group          1     Managing mood                   1 May 24: 2, 1 Feb 25: 5                   +3
                            2     Relationships                   1 May 24: 7, 1 Feb 25: 5                   -2
P8      Peer group          1     Managing mood                   1 May 24: 1, 31 Mar 25: 9                  +8

P1's ratings name the activity "One to one"; the others name none. In 2024-25: 11 goals of 8 people, changes
5 2 -3 3 2 3 4 0 3 -2 8, sum 25, mean 25/11 = 2.2727; sum of squares 153, so sd = √((153 − 625/11)/10) = 3.10132;
t(0.975, 10) = 2.228139, half-width 2.228139 · 3.10132 / √11 = 2.08350. Reliable progress (≥ 2.45, so 3 or more):
+5 +3 +3 +4 +3 +8 = 6 goals; deteriorated (≤ −2.45): −3, 1 goal; no reliable change 4 (+2 +2 0 −2: 2 is not
reliable). People with at least one goal reliably improved: P1 P2 P4 P5 P7 P8 = 6 of 8; Wilson: p = 0.75, n = 8,
z² = 3.841459, centre 0.990091 / 1.480182 = 0.668902, half 1.959964 · √(0.0234375 + 0.0150057) / 1.480182 = 0.259622.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from pipelines import goals, summary
from pipelines.disclosure import Disclosure
from pipelines.periods import Period
from pipelines.query import Filters
from tests.helpers import FY24, database_with, load, workbook

D = dt.date
FY25 = Period(D(2025, 4, 1), D(2026, 3, 31))
Q2 = Period(D(2024, 7, 1), D(2024, 9, 30))
SCREEN, EXPORT = Disclosure.screen(), Disclosure.export()

RATINGS = [
    ["participant_id", "goal number", "date", "rating", "goal area", "activity"],
    ["P1", 1, "2024-05-01", 2, None, "One to one"],
    ["P1", 1, "2024-08-01", 4, "Relationships", "One to one"],
    ["P1", 1, "2024-11-01", 7, None, "One to one"],
    ["P1", 2, "2024-05-01", 3, "Managing mood", "One to one"],
    ["P1", 2, "2024-11-01", 5, "Managing mood", "One to one"],
    ["P1", 3, "2024-06-01", 4, "Daily living", "One to one"],
    ["P1", 3, "2024-11-01", 1, "Daily living", "One to one"],
    ["P2", 1, "2024-06-01", 1, "mood", None],
    ["P2", 1, "2024-12-01", 4, "mood", None],
    ["P2", 2, "2024-06-01", 5, "mood", None],
    ["P3", 1, "2024-07-01", 0, "Managing mood", None],
    ["P3", 1, "2024-10-01", 2, "Managing mood", None],
    ["P3", 2, "2025-04-15", 5, "work", None],
    ["P3", 2, "2025-06-01", 8, "work", None],
    ["P4", 1, "2024-05-01", 3, "housing", None],
    ["P4", 1, "2025-05-01", 9, "housing", None],
    ["P4", 2, "2024-05-01", 5, "Managing mood", None],
    ["P4", 2, "2025-01-15", 8, "Managing mood", None],
    ["P5", 1, "2024-05-01", 4, "Managing mood", None],
    ["P5", 1, "2025-02-01", 8, "Managing mood", None],
    ["P6", 1, "2024-05-01", 6, "Managing mood", None],
    ["P6", 1, "2025-02-01", 6, "Managing mood", None],
    ["P7", 1, "2024-05-01", 2, "Managing mood", None],
    ["P7", 1, "2025-02-01", 5, "Managing mood", None],
    ["P7", 2, "2024-05-01", 7, "Relationships", None],
    ["P7", 2, "2025-02-01", 5, "Relationships", None],
    ["P8", 1, "2024-05-01", 1, "Managing mood", None],
    ["P8", 1, "2025-03-31", 9, "Managing mood", None],
]
REGISTER = [
    ["participant_id", "session_date", "activity", "attended"],
    *([p, "2024-05-01", "One to one", "yes"] for p in ("P1", "P2", "P3", "P4")),
    *([p, "2024-05-02", "Peer group", "yes"] for p in ("P3", "P5", "P6", "P7", "P8")),
]
PEOPLE = [["participant_id", "gender"], *([f"P{i}", "woman" if i <= 5 else "man"] for i in range(1, 9))]
T10 = 2.228139  # t(0.975, 10)


rated = database_with("goals.xlsx", {"People": PEOPLE, "Register": REGISTER, "Goals": RATINGS})


def test_t_value_used_by_hand():
    from scipy import stats

    assert stats.t.ppf(0.975, 10) == pytest.approx(T10, abs=1e-6)


def test_each_goal_is_paired_first_against_latest_rating_in_the_period(rated):
    pairs = goals.goal_pairs(rated, Filters(FY24))
    changes = {
        (p, g): c for p, g, c in zip(pairs["participant_id"], pairs["goal_number"], pairs["change"], strict=True)
    }
    assert sorted(changes.values()) == [-3, -2, 0, 2, 2, 3, 3, 3, 4, 5, 8]
    assert len(changes) == 11 and pairs["participant_id"].nunique() == 8
    pairs = pairs.assign(first_date=pairs["first_date"].dt.date, latest_date=pairs["latest_date"].dt.date)
    p1 = pairs[pairs["latest_date"] == D(2024, 11, 1)].set_index("goal_number")  # P1's three goals
    assert p1["first_date"].to_dict() == {1: D(2024, 5, 1), 2: D(2024, 5, 1), 3: D(2024, 6, 1)}
    assert (p1.loc[1, "first_rating"], p1.loc[1, "latest_rating"]) == (2, 7)  # the middle rating (Aug) is neither


def test_headline_figures_are_the_hand_worked_ones(rated):
    found = goals.outcome(rated, Filters(FY24))
    assert found["pairs"] == 11 and found["people"] == 8
    assert found["mean_change"] == pytest.approx(25 / 11)
    assert found["sd_change"] == pytest.approx(3.10132, abs=1e-5)
    assert found["ci95"] == pytest.approx([25 / 11 - 2.08350, 25 / 11 + 2.08350], abs=1e-4)
    assert (found["improved"], found["no_reliable_change"], found["deteriorated"]) == (6, 4, 1)
    assert found["share_improved"] == pytest.approx(6 / 11)
    assert found["people_improved"] == 6 and found["share_people_improved"] == 0.75
    centre, half = 0.668902, 0.259622
    assert found["share_people_improved_ci95"] == pytest.approx([centre - half, centre + half], abs=1e-5)


@pytest.mark.parametrize(
    ("change", "reliable"),
    [(3, "improved"), (2, "no reliable change"), (-2, "no reliable change"), (-3, "deteriorated")],
)
def test_reliable_change_is_3_points_with_whole_ratings(con, change, reliable):
    first = 5
    rows = [
        [f"Q{i}", 1, day, first + change * (day != "2024-05-01")]
        for i in range(8)
        for day in ("2024-05-01", "2024-11-01")
    ]
    load(con, ("g.xlsx", workbook({"Goals": [["participant_id", "goal number", "date", "rating"], *rows]})))
    found = goals.outcome(con, Filters(FY24))
    key = reliable.replace(" ", "_")
    assert found[key] == 8 and found["pairs"] == 8


def test_a_goal_first_rated_after_the_period_counts_in_the_next(rated):
    found = goals.goal_pairs(rated, Filters(FY25))
    assert sorted(found["change"]) == [3, 6]  # P3's second goal (first rated Apr 2025), P4's first (3 → 9)
    assert goals.outcome(rated, Filters(FY25))["pairs"] == 2


def test_the_first_of_three_ratings_against_the_middle_one_in_an_earlier_quarter(rated):
    found = goals.outcome(rated, Filters(Q2))
    assert (found["pairs"], found["people"], found["mean_change"], found["improved"]) == (1, 1, 2, 0)
    assert found["ci95"] is None  # no interval below two goals


def test_goals_with_one_rating_so_far_are_the_ones_left_out(rated):
    found = goals.outcome(rated, Filters(FY24))
    assert found["only_one_rating"] == 2  # P2's second goal (no rating at its review), P4's first (next rated 2025)
    assert (found["with_baseline"], found["followed_up"]) == (13, 11)  # P3's second goal was first rated after
    assert found["followup_rate"] == pytest.approx(11 / 13)


def test_goal_area_comes_from_the_first_rating_naming_one(rated):
    found = goals.change_by(rated, Filters(FY24), "goal_area").set_index("group")
    assert found.loc["Relationships", "goals"] == 2 and found.loc["Relationships", "mean_change"] == 1.5
    mood = found.loc["Managing mood"]
    assert (mood["goals"], mood["people"], mood["mean_change"], mood["improved"]) == (8, 8, 25 / 8, 5)
    assert found.loc["Daily living", "goals"] == 1


def test_by_activity_a_goal_counts_in_its_own_activity_else_in_each_its_person_took_part_in(rated):
    found = goals.change_by(rated, Filters(FY24), "activity").set_index("group")
    one, peer = found.loc["One to one"], found.loc["Peer group"]
    assert (one["goals"], one["people"], one["mean_change"]) == (6, 4, 2.0)  # P1 ×3, P2, P3, P4's second
    assert (peer["goals"], peer["people"], peer["mean_change"]) == (6, 5, 2.5)  # P3 in both, P5–P8


def test_an_activity_filter_keeps_its_peoples_goals(rated):
    found = goals.outcome(rated, Filters(FY24, ("Peer group",)))
    assert (found["pairs"], found["people"], found["mean_change"]) == (6, 5, 2.5)


def test_by_profile_group(rated):
    found = goals.change_by(rated, Filters(FY24), "gender").set_index("group")
    assert (found.loc["Woman", "goals"], found.loc["Woman", "people"]) == (7, 5)  # P1 ×3, P2, P3, P4, P5
    assert found.loc["Man", "mean_change"] == pytest.approx(9 / 4)  # P6 0, P7 3 and -2, P8 8


def test_suppression_on_the_page(rated):
    shown = goals.headline(rated, Filters(FY24), SCREEN)
    assert shown["shown"] and shown["goals_label"] == "11" and shown["people_label"] == "8"
    changes = shown["changes"].set_index("part")
    assert changes.loc["improved", "label"] == "<8" and changes["hidden"].all()  # goal counts of 1–7 are not shown
    assert shown["share_improved"] is None
    assert shown["people_improved"]["label"] == "<8" and shown["people_improved_ci95"] is None
    areas = goals.breakdown(rated, Filters(FY24), "goal_area", SCREEN).set_index("group")
    assert areas.loc["Managing mood", "label"] == "8" and areas.loc["Managing mood", "mean_change"] == 25 / 8
    assert areas.loc["Relationships", "label"] == "<8" and math.isnan(areas.loc["Relationships", "mean_change"])
    assert not areas.loc["Relationships", "shown"] and areas["goals"].loc["Relationships"] is not None


def test_fewer_people_than_the_threshold_show_nothing(rated):
    found = goals.headline(rated, Filters(FY24, ("Peer group",)), SCREEN)
    assert not found["shown"] and found["people_label"] == "<8" and found["mean_change"] is None
    assert goals.in_words(found, "2024-25") is None


def test_export_rounds_the_counts(rated):
    found = goals.headline(rated, Filters(FY24), EXPORT)
    assert (found["goals_label"], found["people_label"]) == ("10", "10")


def test_the_headline_in_words(con):
    rows = [[f"Q{i}", 1, "2024-05-01", 2] for i in range(16)] + [
        [f"Q{i}", 1, "2024-11-01", 2 + (4 if i < 8 else 0)] for i in range(16)
    ]
    load(con, ("g.xlsx", workbook({"Goals": [["participant_id", "goal number", "date", "rating"], *rows]})))
    words = goals.in_words(goals.headline(con, Filters(FY24), SCREEN), "financial year 2024-25")
    assert words.startswith(
        "In financial year 2024-25, of the 16 goals that 16 people set and rated twice, 50% moved at least 3 points "
        "towards being reached (reliable progress); on average a goal's rating rose by 2.0 points (95% CI"
    )
    assert "50% of the people made reliable progress on at least one of their goals." in words
    assert words.endswith("higher is closer to the goal.")


def test_the_summary_gives_gbo_with_the_measures(rated):
    found = summary.summary(rated, Filters(FY24))["outcomes"]["GBO"]
    assert (found["pairs"], found["people"], found["improved"], found["people_improved"]) == (11, 8, 6, 6)
    assert found["ci95"] == pytest.approx([25 / 11 - 2.08350, 25 / 11 + 2.08350], abs=1e-4)


def test_the_summary_has_no_gbo_without_goals(con):
    load(con, ("r.xlsx", workbook({"Register": REGISTER})))
    assert "GBO" not in summary.summary(con, Filters(FY24))["outcomes"]
