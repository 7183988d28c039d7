"""The headline figures of docs/metrics.md, on small datasets loaded through ingest, against hand-worked values."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from scipy import stats

from pipelines import funding, inventory, outcomes, reach, summary
from pipelines.periods import Period
from pipelines.query import Filters
from tests.helpers import FY24, database_with, load, workbook

D = dt.date
FY23 = Period(D(2023, 4, 1), D(2024, 3, 31))

# Reach: period FY 2024-25 (1 Apr 2024 to 31 Mar 2025) ------------------------------------------------
REACH_PEOPLE = [
    ["participant_id", "gender", "ethnicity", "imd_decile"],
    ["A", "woman", "J", 1],  # J = Asian: Pakistani; decile 1 -> quintile 1
    ["B", "man", "White: Irish", 4],  # decile 4 -> quintile 2
    ["C", None, None, 10],  # blank gender and ethnicity are Not known; decile 10 -> quintile 5
    ["D", "woman", "A", 2],  # never attends: not reached
    # G has no row at all: Not known everywhere
]
REACH_REGISTER = [
    ["participant_id", "session_date", "activity", "attended"],
    ["A", "2023-06-01", "Peer", "yes"],  # A's first attended session, before the period
    ["A", "2024-05-01", "Peer", "yes"],
    ["A", "2024-06-01", "Peer", "yes"],
    ["B", "2024-05-01", "Peer", "yes"],
    ["B", "2024-06-01", "Peer", "DNA"],
    ["C", "2024-05-01", "Art", "yes"],
    ["C", "2025-03-31", "Art", "yes"],  # last day of the period counts
    ["D", "2024-07-01", "Art", "did not attend"],  # only a DNA: not reached
    ["E", "2024-08-01", "Art", "cancelled"],  # cancelled: neither attended nor DNA
    ["F", "2025-04-01", "Peer", "yes"],  # after the period
    ["G", "2024-03-31", "Peer", "no"],  # a DNA before the period: not G's first *attended* session
    ["G", "2024-04-01", "Peer", "yes"],  # first day of the period counts
]


reach_db = database_with("reach.xlsx", {"People": REACH_PEOPLE, "Register": REACH_REGISTER})


def test_reach(reach_db):
    assert reach.reach(reach_db, Filters(FY24)) == {
        "reached": 4,  # A, B, C, G (D only DNA, E only cancelled, F after the period)
        "new": 3,  # B, C, G; A first attended in June 2023
        "attendances": 6,  # A x2, B, C x2, G
        "did_not_attend": 2,  # B in June, D in July (G's DNA is before the period)
        "sessions_delivered": 5,  # Peer 1 Apr, 1 May, 1 Jun; Art 1 May, 31 Mar (Art 1 Jul only a DNA)
    }


def test_reach_in_the_year_before(reach_db):
    assert reach.reach(reach_db, Filters(FY23)) == {
        "reached": 1,  # A on 1 Jun 2023
        "new": 1,
        "attendances": 1,
        "did_not_attend": 1,  # G on 31 Mar 2024
        "sessions_delivered": 1,
    }


def test_reach_with_an_activity_filter(reach_db):
    assert reach.reach(reach_db, Filters(FY24, ("Art",))) == {
        "reached": 1,  # C
        "new": 1,
        "attendances": 2,  # C on 1 May and 31 Mar
        "did_not_attend": 1,  # D
        "sessions_delivered": 2,
    }
    assert reach.reach(reach_db, Filters(FY24, ("Peer",))) == {
        "reached": 3,  # A, B, G
        "new": 2,  # B, G (A first came to Peer in 2023)
        "attendances": 4,  # A x2, B, G
        "did_not_attend": 1,  # B
        "sessions_delivered": 3,  # 1 Apr, 1 May, 1 Jun
    }
    assert reach.reach(reach_db, Filters(FY24, ("Art", "Peer"))) == reach.reach(reach_db, Filters(FY24))


def _by(con, f: Filters, dimension: str) -> dict[str, int]:
    return dict(reach.reach_by(con, f, dimension).itertuples(index=False, name=None))


def test_reach_by_rejects_an_unknown_dimension(reach_db):
    with pytest.raises(ValueError, match="Unknown dimension"):
        reach.reach_by(reach_db, Filters(FY24), "shoe_size")


def test_reach_by_counts_not_known(reach_db):
    f = Filters(FY24)
    assert _by(reach_db, f, "gender") == {"Woman": 1, "Man": 1, "Not known": 2}  # C blank, G no row
    assert _by(reach_db, f, "ethnicity_group") == {"Asian": 1, "White": 1, "Not known": 2}
    assert _by(reach_db, f, "imd_quintile") == {"1": 1, "2": 1, "5": 1, "Not known": 1}  # deciles 1, 4, 10
    assert _by(reach_db, f, "age_band") == {"Not known": 4}
    assert sum(_by(reach_db, f, "disability").values()) == 4  # every reached person in some group


def test_reach_by_quarter(reach_db):
    found = reach.reach_by_quarter(reach_db, Filters(FY24))
    assert found[["quarter", "reached", "new", "attendances"]].values.tolist() == [
        ["2024-25 Q1", 4, 3, 5],  # A, B, C and G attended; B, C, G new; A x2, B, C, G
        ["2024-25 Q2", 0, 0, 0],  # only a DNA and a cancellation in Q2 and Q3
        ["2024-25 Q3", 0, 0, 0],
        ["2024-25 Q4", 1, 0, 1],  # C on 31 Mar, who had come before
    ]


# Outcomes -----------------------------------------------------------------------------------------
OUTCOME_REGISTER = [
    ["participant_id", "session_date", "activity"],
    *[[p, "2024-05-01", "Peer"] for p in ("P1", "P2", "P3", "P4", "P6", "P9")],
    ["P5", "2024-05-01", "Art"],
]
WEMWBS_SCORES = [
    ["participant_id", "date", "WEMWBS total"],
    ["P1", "2024-04-10", 40],  # baseline
    ["P1", "2024-10-01", 45],  # a middle one: not the follow-up
    ["P1", "2025-02-01", 43],  # follow-up = latest: change +3, exactly the threshold -> improved
    ["P2", "2023-11-01", 50],  # baseline before the period still counts
    ["P2", "2024-06-01", 46],  # change -4 -> deteriorated
    ["P3", "2024-05-01", 30],
    ["P3", "2025-03-31", 40],  # follow-up on the period's last day: +10 -> improved
    ["P3", "2025-05-01", 20],  # after the period's end: ignored
    ["P4", "2024-05-01", 35],  # a single questionnaire: no pair
    ["P5", "2024-05-01", 44],
    ["P5", "2024-09-01", 46],  # +2: no reliable change
    ["P6", "2023-04-01", 30],
    ["P6", "2023-09-01", 35],  # follow-up before the period: not a pair in it
]
CORE_SCORES = [
    ["participant_id", "date", *(f"CORE-10 Q{i}" for i in range(1, 11)), "CORE-10 total"],
    ["Q1", "2024-05-01", *([2] * 9), None, None],  # one missing item: 18 * 10 / 9 = 20
    ["Q1", "2024-11-01", *([None] * 10), 14],  # 14 - 20 = -6: exactly the threshold, lower is better -> improved
    ["Q2", "2024-05-01", *([None] * 10), 10],
    ["Q2", "2024-11-01", *([None] * 10), 16],  # +6 -> deteriorated
    ["Q3", "2024-05-01", *([None] * 10), 25],
    ["Q3", "2024-11-01", *([None] * 10), 20],  # -5 -> no reliable change
    ["Q4", "2024-05-01", *([None] * 10), 15],
    ["Q4", "2024-11-01", *([None] * 10), 5],  # -10 -> improved
    ["Q5", "2024-05-01", *([None] * 10), 30],
    ["Q5", "2024-11-01", *([None] * 10), 20],  # -10 -> improved
    ["Q6", "2024-05-01", *([2] * 8), None, None, None],  # two missing items: no score, so no baseline
    ["Q6", "2024-11-01", *([None] * 10), 10],
]


outcome_db = database_with(
    "outcomes.xlsx", {"Register": OUTCOME_REGISTER, "WEMWBS": WEMWBS_SCORES, "CORE": CORE_SCORES}
)


def test_pairs_take_the_earliest_baseline_and_the_latest_follow_up(outcome_db):
    found = outcomes.pairs(outcome_db, Filters(FY24), "WEMWBS")
    columns = ("baseline_date", "baseline", "followup_date", "followup")
    got = sorted((r[0].date(), r[1], r[2].date(), r[3]) for r in found[list(columns)].itertuples(index=False))
    assert got == [
        (D(2023, 11, 1), 50, D(2024, 6, 1), 46),  # P2
        (D(2024, 4, 10), 40, D(2025, 2, 1), 43),  # P1: not the 45 in the middle
        (D(2024, 5, 1), 30, D(2025, 3, 31), 40),  # P3: not the 20 after the period
        (D(2024, 5, 1), 44, D(2024, 9, 1), 46),  # P5
    ]  # P4 has one questionnaire, P6's follow-up is before the period


def test_wemwbs_outcome(outcome_db):
    found = outcomes.outcome(outcome_db, Filters(FY24), "WEMWBS")
    assert found["pairs"] == 4  # P1, P2, P3, P5
    assert found["baseline_mean"] == pytest.approx(41.0)  # (40 + 50 + 30 + 44) / 4 = 164 / 4
    assert found["followup_mean"] == pytest.approx(43.75)  # (43 + 46 + 40 + 46) / 4 = 175 / 4
    assert found["mean_change"] == pytest.approx(2.75)  # (3 - 4 + 10 + 2) / 4 = 11 / 4
    # deviations 0.25, -6.75, 7.25, -0.75; squares sum 98.75; / 3 = 32.9167; sd = 5.73730
    assert found["sd_change"] == pytest.approx(5.737305, abs=1e-6)
    # t(0.975, 3) = 3.182446; half-width 3.182446 * 5.737305 / 2 = 9.129332
    assert found["ci95"] == pytest.approx([2.75 - 9.129332, 2.75 + 9.129332], abs=1e-5)
    assert found["improved"] == 2  # P1 (+3, exactly the threshold), P3 (+10)
    assert found["deteriorated"] == 1  # P2 (-4)
    assert found["no_reliable_change"] == 1  # P5 (+2)


def test_ci_cross_checked_with_scipy(outcome_db):
    found = outcomes.outcome(outcome_db, Filters(FY24), "WEMWBS")
    changes = [3, -4, 10, 2]
    low, high = stats.t.interval(0.95, len(changes) - 1, loc=2.75, scale=stats.sem(changes))
    assert found["ci95"] == pytest.approx([low, high])
    assert stats.t.ppf(0.975, 3) == pytest.approx(3.182446, abs=1e-6)  # the value used by hand above


def test_core10_lower_is_better_with_threshold_6(outcome_db):
    found = outcomes.outcome(outcome_db, Filters(FY24), "CORE-10")
    assert found["pairs"] == 5  # Q1..Q5; Q6's baseline has two missing items so no score
    assert found["baseline_mean"] == pytest.approx(20.0)  # (20 + 10 + 25 + 15 + 30) / 5 = 100 / 5
    assert found["mean_change"] == pytest.approx(-5.0)  # (-6 + 6 - 5 - 10 - 10) / 5 = -25 / 5
    # deviations -1, 11, 0, -5, -5; squares 1 + 121 + 0 + 25 + 25 = 172; / 4 = 43; sd = 6.557439
    assert found["sd_change"] == pytest.approx(math.sqrt(43))
    # t(0.975, 4) = 2.776445; half-width 2.776445 * 6.557439 / sqrt(5) = 8.142135
    assert found["ci95"] == pytest.approx([-5 - 8.142135, -5 + 8.142135], abs=1e-5)
    assert found["improved"] == 3  # Q1 (-6 exactly), Q4 (-10), Q5 (-10)
    assert found["deteriorated"] == 1  # Q2 (+6 exactly)
    assert found["no_reliable_change"] == 1  # Q3 (-5)


def test_a_single_pair_has_no_interval(outcome_db):
    june = Filters(Period(D(2024, 6, 1), D(2024, 6, 30)))
    found = outcomes.outcome(outcome_db, june, "WEMWBS")
    assert found["pairs"] == 1  # only P2's follow-up (1 Jun) is in June
    assert found["mean_change"] == -4  # 46 - 50
    assert found["sd_change"] is None
    assert found["ci95"] is None


def test_no_pairs(outcome_db):
    found = outcomes.outcome(outcome_db, Filters(Period(D(2020, 1, 1), D(2020, 12, 31))), "WEMWBS")
    assert found["pairs"] == 0
    assert found["mean_change"] is None and found["ci95"] is None
    assert found["followup_rate"] is None  # nobody reached with a baseline: cannot be computed


def test_follow_up_rate(outcome_db):
    # reached in FY24: P1, P2, P3, P4, P5, P6, P9; with a WEMWBS baseline by 31 Mar 2025: all but P9 (6)
    # with a pair in the period: P1, P2, P3, P5 -> 4 / 6
    assert outcomes.outcome(outcome_db, Filters(FY24), "WEMWBS")["followup_rate"] == pytest.approx(4 / 6)
    # CORE-10: Q1..Q6 never attended, so nobody reached has a baseline
    assert outcomes.outcome(outcome_db, Filters(FY24), "CORE-10")["followup_rate"] is None


def test_activity_filter_on_outcomes(outcome_db):
    peer = outcomes.outcome(outcome_db, Filters(FY24, ("Peer",)), "WEMWBS")
    assert peer["pairs"] == 3  # P1, P2, P3 attend Peer; P5 attends Art
    assert peer["mean_change"] == pytest.approx(3.0)  # (3 - 4 + 10) / 3
    art = outcomes.outcome(outcome_db, Filters(FY24, ("Art",)), "WEMWBS")
    assert art["pairs"] == 1 and art["mean_change"] == 2  # P5: 46 - 44
    assert art["followup_rate"] == 1.0  # P5 reached by Art, with a baseline and a pair: 1 / 1


def test_outcomes_by_quarter(outcome_db):
    found = outcomes.outcomes_by_quarter(outcome_db, Filters(FY24), "WEMWBS")
    # Q1: P2 (1 Jun, -4); Q2: P5 (1 Sep, +2); Q3: P1's latest by 31 Dec is 45 on 1 Oct (+5);
    # Q4: P1 on 1 Feb (43 - 40 = +3) and P3 on 31 Mar (+10)
    assert list(found["pairs"]) == [1, 1, 1, 2]
    assert list(found["mean_change"]) == pytest.approx([-4, 2, 5, 6.5])  # Q3: 45 - 40; Q4: (3 + 10) / 2


# Money ---------------------------------------------------------------------------------------------
FUNDING = [
    ["funder", "title", "amount", "start_date", "end_date", "status"],
    # 2024 is a leap year: 366 days, so 36,600 is 100 a day
    ["Lottery", "Core grant", 36600, "2024-01-01", "2024-12-31", "secured"],
    ["Council", "Contract", 12000, "2024-04-01", "2025-03-31", "awarded"],  # awarded = secured
    ["Lottery", "Next grant", 7300, "2025-01-01", "2025-12-31", None],  # blank status = secured; 20 a day
    ["Council", "Renewal", 73000, "2025-04-01", "2027-03-31", "secured"],  # 730 days: 100 a day
    ["Trust", "Bid", 50000, "2024-04-01", "2025-03-31", "applied"],  # not income
    ["Trust", "Refused bid", 9999, "2024-04-01", "2025-03-31", "declined"],  # not income
]
SPEND = [
    ["period_start", "amount"],
    ["2024-03-01", 10000],  # before the period and outside the 12 months to 31 Mar 2025
    *[[D(2024, 4, 1).replace(month=m) if m >= 4 else D(2025, m, 1), 5000] for m in range(1, 13)],
    ["2025-04-01", 99999],  # after the period
]
RESERVES = [
    ["date", "free_reserves"],
    ["2024-03-31", 20000],
    ["2025-02-28", 30000],  # the latest on or before 31 Mar 2025
    ["2025-06-30", 99999],  # after the period: ignored
]


money_db = database_with("money.xlsx", {"Grants": FUNDING, "Spend": SPEND, "Reserves": RESERVES})


def test_income_spread_by_day(money_db):
    # Core grant: 1 Apr to 31 Dec 2024 = 30+31+30+31+31+30+31+30+31 = 275 days x 100 = 27,500
    # Contract: all 12,000; Next grant: Jan-Mar 2025 = 31+28+31 = 90 days x 20 = 1,800
    assert funding.income(money_db, Filters(FY24)) == pytest.approx(27500 + 12000 + 1800)


def test_income_in_a_leap_year_grant_uses_366_days(money_db):
    # FY 2023-24 holds 1 Jan to 31 Mar 2024 of the core grant: 31 + 29 + 31 = 91 days x 100 = 9,100
    assert funding.income(money_db, Filters(FY23)) == pytest.approx(9100)


def test_secured_next_year(money_db):
    found = funding.secured_next_year(money_db, Filters(FY24))
    # 2025-26, 1 Apr 2025 to 31 Mar 2026: Next grant Apr-Dec 2025 = 275 days x 20 = 5,500; Renewal 365 days x 100
    assert (found.label, found.period.start, found.period.end) == ("2025-26", D(2025, 4, 1), D(2026, 3, 31))
    assert found.secured == pytest.approx(5500 + 36500)
    # spending: April 2025's 99,999 is recorded after the period (a budget for Q1); Q2 to Q4 at the run-rate of the
    # 12 months to March 2025, 12 x 5,000 / 12 = 5,000 a month, 15,000 a quarter
    assert found.needed == pytest.approx(99999 + 3 * 15000) and found.basis == "budget and run-rate"
    assert found.gap == pytest.approx(144999 - 42000)


def test_largest_funder_share(money_db):
    # Lottery 27,500 + 1,800 = 29,300 of 41,300
    assert funding.largest_funder(money_db, Filters(FY24))[1] == pytest.approx(29300 / 41300)
    assert funding.largest_funder(money_db, Filters(Period(D(2030, 1, 1), D(2030, 12, 31))))[1] is None


def test_expenditure_and_runway(money_db):
    assert funding.expenditure(money_db, Filters(FY24)) == 60000  # 12 months x 5,000
    # 30,000 free reserves / (60,000 / 12 = 5,000 a month) = 6 months
    assert funding.runway_months(money_db, Filters(FY24)) == pytest.approx(6.0)
    # a quarter's runway still uses the 12 months to its end: 30,000 / (60,000 / 12) = 6, not 30,000 / (15,000 / 12)
    assert funding.runway_months(money_db, Filters(Period(D(2025, 1, 1), D(2025, 3, 31)))) == pytest.approx(6.0)
    # at 31 Mar 2024: 20,000 / (10,000 in the 12 months to then / 12) = 24 months
    assert funding.runway_months(money_db, Filters(FY23)) == pytest.approx(24.0)


def test_runway_cannot_be_computed_without_reserves(con):
    load(con, ("spend.xlsx", workbook({"Spend": SPEND})))
    assert funding.runway_months(con, Filters(FY24)) is None


def test_cost_per_participant(con):
    load(con, ("both.xlsx", workbook({"People": REACH_PEOPLE, "Register": REACH_REGISTER, "Spend": SPEND})))
    assert funding.cost_per_participant(con, Filters(FY24)) == pytest.approx(15000)  # 60,000 / 4 reached
    assert funding.cost_per_participant(con, Filters(Period(D(2030, 1, 1), D(2030, 1, 31)))) is None


def test_cost_per_improvement(con):
    book = workbook({"Register": OUTCOME_REGISTER, "WEMWBS": WEMWBS_SCORES, "CORE": CORE_SCORES, "Spend": SPEND})
    load(con, ("both.xlsx", book))
    assert funding.cost_per_improvement(con, Filters(FY24), "WEMWBS") == pytest.approx(30000)  # 60,000 / 2
    assert funding.cost_per_improvement(con, Filters(FY24), "CORE-10") == pytest.approx(20000)  # 60,000 / 3
    june = Filters(Period(D(2024, 6, 1), D(2024, 6, 30)))
    assert funding.cost_per_improvement(con, june, "WEMWBS") is None  # nobody improved in June


def test_activity_filter_on_money(con):
    grants = [
        ["funder", "title", "amount", "start_date", "end_date", "activity"],
        ["Lottery", "Art grant", 3650, "2024-04-01", "2025-03-31", "Art"],  # 365 days: 10 a day
        ["Council", "Core", 7300, "2024-04-01", "2025-03-31", None],  # core: not any one activity's
    ]
    spend = [["period_start", "amount", "activity"], ["2024-04-01", 1000, "Art"], ["2024-05-01", 500, None]]
    load(con, ("m.xlsx", workbook({"F": grants, "S": spend})))
    assert funding.income(con, Filters(FY24)) == pytest.approx(3650 + 7300)
    assert funding.income(con, Filters(FY24, ("Art",))) == pytest.approx(3650)
    assert funding.expenditure(con, Filters(FY24, ("Art",))) == 1000
    assert funding.expenditure(con, Filters(FY24)) == 1500


# The period the app opens on -------------------------------------------------------------------


def test_default_period_is_the_latest_complete_financial_year(reach_db):
    # data from Jun 2023 to Apr 2025; on 21 Nov 2025 the latest year that has ended is 2024-25
    assert inventory.default_period(reach_db, today=D(2025, 11, 21)) == FY24
    # on 1 Jan 2025 year 2024-25 is not over: 2023-24
    assert inventory.default_period(reach_db, today=D(2025, 1, 1)) == FY23


def test_default_period_when_no_year_has_ended_in_the_data(con):
    register = [["participant_id", "session_date", "activity"], ["P1", "2025-05-01", "Peer"]]
    load(con, ("r.xlsx", workbook({"R": register})))
    # all the data is in 2025-26, which has not ended on 21 Nov 2025: open on 2025-26, not an empty 2024-25
    assert inventory.default_period(con, today=D(2025, 11, 21)) == Period(D(2025, 4, 1), D(2026, 3, 31))


def test_default_period_of_an_empty_database(con):
    assert inventory.default_period(con, today=D(2025, 11, 21)) == FY24


def test_main_measure_and_measures_with_data(outcome_db):
    # 6 people have WEMWBS rows (P1..P6) and 6 have CORE-10 rows (Q1..Q6): a tie goes to docs/measures.md#scores order
    assert inventory.measures_with_data(outcome_db) == ["WEMWBS", "CORE-10"]
    assert inventory.main_measure(outcome_db) == "WEMWBS"


def test_summary_shape(outcome_db):
    found = summary.summary(outcome_db, Filters(FY24))
    assert found["period"] == {"from": "2024-04-01", "to": "2025-03-31"}
    assert found["reach"]["reached"] == 7
    assert set(found["outcomes"]) == {"WEMWBS", "CORE-10"}
    assert found["funding"]["runway_months"] is None  # no reserves loaded
    assert found["funding"]["expenditure"] == 0.0
    assert found["funding"]["cost_per_participant"] is None  # no expenditure: a cost cannot be computed
    assert found["funding"]["cost_per_improvement"] == {"WEMWBS": None, "CORE-10": None}  # no expenditure


def test_dna_rate_counts_attended_and_missed_sessions_only():
    assert reach.dna_rate(9, 1) == 0.1  # 1 missed of 9 + 1 booked
    assert reach.dna_rate(0, 0) is None
