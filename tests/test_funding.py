"""The Funding page's figures (pipelines/funding.py) on small datasets loaded through ingest, against hand-worked
values. Forecasts run from the end of the chosen period, so that every figure is reproducible."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from pipelines import funding
from pipelines.charts.funding import OKABE_ITO, OTHER, group_colours
from pipelines.periods import Period, fy_label
from pipelines.query import Filters
from tests.helpers import FY24, database_with, load, workbook

D = dt.date
QUARTERS = ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3", "2024-25 Q4"]

# Income: FY 2024-25 (1 Apr 2024 to 31 Mar 2025) ---------------------------------------------------------------------
GRANTS = [
    ["funder", "title", "amount", "start_date", "end_date", "status", "restricted", "income_type"],
    # 2024 is a leap year: 1 Jan to 31 Dec 2024 is 366 days, so 36,600 is 100 a day
    ["Lottery", "Core grant", 36600, "2024-01-01", "2024-12-31", "secured", "no", "grant"],
    # starts mid-quarter: 16 May to 14 Aug 2024 = 16 + 30 + 31 + 14 = 91 days, 100 a day
    ["Council", "Contract", 9100, "2024-05-16", "2024-08-14", "secured", "yes", "contract"],
    # 1 Apr 2024 to 31 Mar 2025 = 365 days, 10 a day
    ["Donors", "Donations", 3650, "2024-04-01", "2025-03-31", "secured", "no", "donation"],
    ["Trust", "Bid", 36500, "2024-04-01", "2025-03-31", "applied", "no", "grant"],  # never income
    ["Trust", "Refused bid", 9999, "2024-04-01", "2025-03-31", "declined", "no", "grant"],  # never anything
    ["Council", "Pilot", 9100, "2024-01-01", "2024-03-31", "secured", "yes", "contract"],  # over before the year
]


grants_db = database_with("grants.xlsx", {"Grants": GRANTS})


def _by_quarter(con, split: str) -> dict[str, dict[str, float]]:
    """Income per quarter and group: {"2024-25 Q1": {"Lottery": 9100.0, ...}, ...}."""
    found = funding.income_by_quarter(con, Filters(FY24), split)
    table: dict[str, dict[str, float]] = {}
    for quarter, group, income in found[["quarter", "group", "income"]].itertuples(index=False):
        table.setdefault(quarter, {})[group] = income
    return table


def approx_by_quarter(expected: dict[str, dict[str, float]]) -> dict:
    return {quarter: pytest.approx(groups) for quarter, groups in expected.items()}


def test_income_by_quarter_by_funder(grants_db):
    assert _by_quarter(grants_db, "funder") == approx_by_quarter(
        {
            # Q1, 1 Apr to 30 Jun (91 days): Lottery 91 x 100; Council 16 May to 30 Jun = 16 + 30 = 46 days x 100;
            # Donors 91 x 10
            "2024-25 Q1": {"Lottery": 9100, "Council": 4600, "Donors": 910},
            # Q2, 1 Jul to 30 Sep (92 days): Lottery 92 x 100; Council 1 Jul to 14 Aug = 31 + 14 = 45 days x 100
            "2024-25 Q2": {"Lottery": 9200, "Council": 4500, "Donors": 920},
            # Q3, 1 Oct to 31 Dec (92 days); the contract has ended
            "2024-25 Q3": {"Lottery": 9200, "Donors": 920},
            # Q4, 1 Jan to 31 Mar 2025 (31 + 28 + 31 = 90 days); the core grant ended on 31 Dec
            "2024-25 Q4": {"Donors": 900},
        }
    )


def test_income_by_quarter_adds_up_to_the_income_of_the_year(grants_db):
    found = funding.income_by_quarter(grants_db, Filters(FY24))
    # Lottery 275 days x 100 = 27,500; Council 9,100 (all of it); Donors 3,650
    assert found["income"].sum() == pytest.approx(27500 + 9100 + 3650)
    assert funding.income(grants_db, Filters(FY24)) == pytest.approx(40250)
    assert list(found["quarter"].unique()) == QUARTERS  # in order


def test_a_leap_year_grant_is_spread_over_366_days(grants_db):
    # FY 2023-24's last quarter holds 1 Jan to 31 Mar 2024 of the core grant: 31 + 29 + 31 = 91 days x 100 = 9,100
    # (over 365 days it would be 91 x 36,600 / 365 = 9,124.93), and all of the Pilot, 9,100
    q4 = Filters(Period(D(2024, 1, 1), D(2024, 3, 31)))
    found = funding.income_by_quarter(grants_db, q4)
    assert dict(zip(found["group"], found["income"], strict=True)) == pytest.approx({"Lottery": 9100, "Council": 9100})
    # the 29th of February is a day of income: 100
    assert funding.income(grants_db, Filters(Period(D(2024, 2, 29), D(2024, 2, 29)))) == pytest.approx(100 + 100)


def test_income_split_restricted_and_by_type(grants_db):
    with pytest.raises(ValueError, match="Unknown split"):
        funding.income_by_quarter(grants_db, Filters(FY24), "status")
    assert _by_quarter(grants_db, "restricted") == approx_by_quarter(
        {
            "2024-25 Q1": {"unrestricted": 9100 + 910, "restricted": 4600},  # Lottery and Donors; the Council contract
            "2024-25 Q2": {"unrestricted": 9200 + 920, "restricted": 4500},
            "2024-25 Q3": {"unrestricted": 9200 + 920},
            "2024-25 Q4": {"unrestricted": 900},
        }
    )
    by_type = _by_quarter(grants_db, "income_type")
    # the applied-for grant is not income
    assert by_type["2024-25 Q1"] == pytest.approx({"grant": 9100, "contract": 4600, "donation": 910})
    assert sum(sum(groups.values()) for groups in by_type.values()) == pytest.approx(40250)


def test_concentration_by_quarter(grants_db):
    found = funding.concentration_by_quarter(grants_db, Filters(FY24))
    assert list(found.columns) == ["quarter", "largest_funder", "largest_share", "funders"]
    assert found[["quarter", "largest_funder", "funders"]].values.tolist() == [
        ["2024-25 Q1", "Lottery", 3],
        ["2024-25 Q2", "Lottery", 3],
        ["2024-25 Q3", "Lottery", 2],
        ["2024-25 Q4", "Donors", 1],
    ]
    # Q1: 9,100 of 14,610 = 0.622861; Q2: 9,200 of 14,620 = 0.629275; Q3: 9,200 of 10,120 = 0.909091; Q4: 900 of 900
    assert list(found["largest_share"]) == pytest.approx([0.622861, 0.629275, 0.909091, 1.0], abs=1e-6)


def test_dependence_on_one_funder(grants_db):
    # the year: Lottery 27,500 of 40,250 = 0.683230
    found = funding.dependence(grants_db, Filters(FY24))
    assert found["funder"] == "Lottery"
    assert found["share"] == pytest.approx(0.683230, abs=1e-6)
    assert found["over_warn_share"] and found["warn_share"] == funding.DEPENDENCE_WARNING == 0.4
    assert not funding.dependence(grants_db, Filters(FY24), warn_share=0.7)["over_warn_share"]
    assert funding.dependence(grants_db, Filters(FY24), warn_share=0.68)["over_warn_share"]
    assert found["share"] == pytest.approx(funding.largest_funder(grants_db, Filters(FY24))[1])
    nothing = funding.dependence(grants_db, Filters(Period(D(2030, 1, 1), D(2030, 12, 31))))
    assert nothing == {"funder": None, "share": None, "over_warn_share": False, "warn_share": 0.4}


def test_timeline(grants_db):
    found = funding.timeline(grants_db, Filters(FY24))
    lines = {(r.funder, r.title): r for r in found.itertuples(index=False)}
    assert set(lines) == {
        ("Council", "Pilot"),
        ("Lottery", "Core grant"),
        ("Council", "Contract"),
        ("Donors", "Donations"),
        ("Trust", "Bid"),
    }  # the declined bid is left out; the applied-for one is in
    assert lines[("Trust", "Bid")].status == "applied"
    # annual value = amount x 365.25 / days
    assert lines[("Lottery", "Core grant")].annual_value == pytest.approx(36525)  # 36,600 x 365.25 / 366
    assert lines[("Council", "Contract")].annual_value == pytest.approx(36525)  # 9,100 x 365.25 / 91
    assert lines[("Donors", "Donations")].annual_value == pytest.approx(3652.5)  # 3,650 x 365.25 / 365
    assert lines[("Trust", "Bid")].annual_value == pytest.approx(36525)  # 36,500 x 365.25 / 365
    assert list(found["title"]) == ["Pilot", "Contract", "Core grant", "Donations", "Bid"]  # by end date, then funder


def ending(day: dt.date) -> Filters:
    """A period whose last day is ``day``: forecasts run from the day after."""
    return Filters(Period(D(2024, 4, 1), day))


def test_the_cliff(grants_db):
    june = ending(D(2024, 6, 30))
    six = funding.cliff(grants_db, june, 6)
    # ending from 1 Jul 2024 to before 1 Jan 2025: the Contract (14 Aug) and the Core grant (31 Dec).
    # The Pilot ended in March (already gone); the applied-for Bid is not secured.
    assert list(six["lines"]["title"]) == ["Contract", "Core grant"]
    assert six["months"] == 6
    assert six["annual_value"] == pytest.approx(36525 + 36525)
    twelve = funding.cliff(grants_db, june, 12)
    # to before 1 Jul 2025: the Donations too (31 Mar 2025)
    assert list(twelve["lines"]["title"]) == ["Contract", "Core grant", "Donations"]
    assert twelve["annual_value"] == pytest.approx(36525 + 36525 + 3652.5)


def test_the_cliff_on_a_line_s_last_day(grants_db):
    # a line ending the day after the period is still running when the forecast starts, and ends with the cliff;
    # a line ending on the period's last day has gone
    on = funding.cliff(grants_db, ending(D(2024, 8, 13)), 6)
    assert list(on["lines"]["title"]) == ["Contract", "Core grant"]
    after = funding.cliff(grants_db, ending(D(2024, 8, 14)), 6)
    assert list(after["lines"]["title"]) == ["Core grant"]
    # the window runs to the day before the same date 6 months on: from 30 Jun 2024 that is 29 Dec 2024, so the core
    # grant (ending 31 Dec) is not in it; from 1 Jul 2024 it is (test_the_cliff)
    assert list(funding.cliff(grants_db, ending(D(2024, 6, 29)), 6)["lines"]["title"]) == ["Contract"]
    gone = funding.cliff(grants_db, ending(D(2025, 12, 31)), 12)
    assert gone["lines"].empty and gone["annual_value"] == 0


def test_the_cliff_runs_from_the_period_s_end_not_today(grants_db):
    # the year 2024-25 ends on 31 Mar 2025: in the 12 months after it, none of these lines ends (Donations ended
    # that day), whatever today's date is
    assert funding.cliff(grants_db, Filters(FY24), 12)["lines"].empty
    # the quarter to 30 Sep 2024: the Core grant (31 Dec 2024) and the Donations (31 Mar 2025) end in the 12 months
    q2 = Filters(Period(D(2024, 7, 1), D(2024, 9, 30)))
    assert list(funding.cliff(grants_db, q2, 12)["lines"]["title"]) == ["Core grant", "Donations"]


def load_grants_by_activity(con: duckdb.DuckDBPyConnection, *lines: list) -> None:
    """Load a Grants sheet of these funding lines, each naming the activity it pays for (None: the whole charity)."""
    header = ["funder", "title", "amount", "start_date", "end_date", "activity"]
    load(con, ("grants.xlsx", workbook({"Grants": [header, *lines]})))


def test_activity_filter_on_income(con):
    load_grants_by_activity(
        con,
        ["Lottery", "Art grant", 3650, "2024-04-01", "2025-03-31", "Art"],
        ["Council", "Core", 7300, "2024-04-01", "2025-03-31", None],
    )
    art = funding.income_by_quarter(con, Filters(FY24, ("Art",)))
    assert set(art["group"]) == {"Lottery"}
    assert art["income"].sum() == pytest.approx(3650)
    assert list(funding.timeline(con, Filters(FY24, ("Art",)))["title"]) == ["Art grant"]
    # dependence is the whole organisation's: Council 7,300 of 10,950 = 0.666667, with or without the Art filter
    for f in (Filters(FY24), Filters(FY24, ("Art",))):
        assert funding.dependence(con, f) == {
            "funder": "Council",
            "share": pytest.approx(7300 / 10950),
            "over_warn_share": True,
            "warn_share": 0.4,
        }
    # who pays for the one activity, in plain words
    assert funding.funders_in_words(con, Filters(FY24, ("Art",))) == "Art is paid for by Lottery in this period."
    assert funding.funders_in_words(con, Filters(FY24)) is None
    assert funding.funders_in_words(con, Filters(FY24, ("Peer",))) == (
        "No secured funding is recorded against Peer in this period."
    )


def test_who_pays_for_an_activity_with_two_funders(con):
    load_grants_by_activity(
        con,
        ["Lottery", "Art grant", 3000, "2024-04-01", "2025-03-31", "Art"],
        ["Council", "Art contract", 1000, "2024-04-01", "2025-03-31", "Art"],
    )
    # 3,000 of 4,000 = 75%; 1,000 of 4,000 = 25%
    assert funding.funders_in_words(con, Filters(FY24, ("Art",))) == (
        "Art is paid for by 2 funders in this period: Lottery 75%; Council 25%."
    )


def test_funder_order_is_fixed_by_total_secured(grants_db):
    # secured totals: Lottery 36,600; Council 9,100 + 9,100 = 18,200; Donors 3,650 (the Trust's lines are not secured)
    assert funding.funder_order(grants_db) == ["Lottery", "Council", "Donors"]


# Secured against needed: the 8 quarters from the period's end --------------------------------------------------------------
AHEAD_GRANTS = [
    ["funder", "title", "amount", "start_date", "end_date", "status"],
    ["Lottery", "Core", 7300, "2025-01-01", "2025-12-31", "secured"],  # 365 days: 20 a day
    ["Council", "Contract", 73000, "2025-04-01", "2027-03-31", "secured"],  # 730 days: 100 a day
    ["Trust", "Bid", 36500, "2025-04-01", "2026-03-31", "applied"],  # 365 days: 100 a day, if it succeeds
    ["Fund", "Refused", 99999, "2025-04-01", "2026-03-31", "declined"],
]
ACTUALS = [["period_start", "amount"], *[[D(2024 + (m > 12), (m - 1) % 12 + 1, 1), 4000] for m in range(2, 14)]]
TO_10_FEB = Filters(Period(D(2024, 4, 1), D(2025, 2, 10)))  # a period ending in 2024-25 Q4 (Jan to Mar 2025)
AHEAD = [
    "2024-25 Q4",
    "2025-26 Q1",
    "2025-26 Q2",
    "2025-26 Q3",
    "2025-26 Q4",
    "2026-27 Q1",
    "2026-27 Q2",
    "2026-27 Q3",
]
# Secured per quarter: 2024-25 Q4 (90 days) Core 90 x 20 = 1,800; 2025-26 Q1 (91) 1,820 + 9,100; Q2 (92) 1,840 + 9,200;
# Q3 (92) 1,840 + 9,200; Q4 (90, Core over) 9,000; 2026-27 Q1 (91) 9,100; Q2 (92) 9,200; Q3 (92) 9,200
SECURED = [1800, 10920, 11040, 11040, 9000, 9100, 9200, 9200]
APPLIED = [0, 9100, 9200, 9200, 9000, 0, 0, 0]  # the Bid, 100 a day over 2025-26


def test_actuals_are_the_twelve_months_before_the_period_s_end():
    assert [r[0] for r in ACTUALS[1:]] == [D(2024, m, 1) for m in range(2, 13)] + [D(2025, 1, 1)]


def test_monthly_spending(con):
    load(con, ("money.xlsx", workbook({"Spend": ACTUALS})))
    # latest month on or before 10 Feb 2025: January 2025; the 12 months to it, Feb 2024 to Jan 2025: 12 x 4,000 / 12
    assert funding.latest_monthly_spending(con, D(2025, 2, 10)) == (4000, D(2025, 1, 1))
    # on 15 Jul 2024: months Feb to Jul 2024 are recorded: 6 x 4,000 / 12 = 2,000
    assert funding.latest_monthly_spending(con, D(2024, 7, 15)) == (2000, D(2024, 7, 1))
    assert funding.latest_monthly_spending(con, D(2023, 1, 1)) == (None, None)


def test_secured_against_needed_at_the_run_rate(con):
    load(con, ("money.xlsx", workbook({"Grants": AHEAD_GRANTS, "Spend": ACTUALS})))
    found = funding.secured_against_needed(con, TO_10_FEB)
    assert list(found["quarter"]) == AHEAD
    assert list(found["secured"]) == pytest.approx(SECURED)
    assert list(found["applied"]) == pytest.approx(APPLIED)  # shown apart, never in 'secured'
    # no expenditure after the period's end: every quarter needs the run-rate, 3 x 4,000 = 12,000 (January's actual spending
    # does not make the current quarter's 'budget')
    assert list(found["basis"]) == ["run-rate"] * 8
    assert list(found["needed"]) == pytest.approx([12000] * 8)
    # gap = needed - secured, never below 0: 12,000 - 1,800 = 10,200; 12,000 - 10,920 = 1,080; ...
    assert list(found["gap"]) == pytest.approx([10200, 1080, 960, 960, 3000, 2900, 2800, 2800])


def test_secured_against_needed_with_a_budget(con):
    budget = [["period_start", "amount"], *[[D(2025 + (m > 12), (m - 1) % 12 + 1, 1), 5000] for m in range(4, 16)]]
    assert budget[1][0] == D(2025, 4, 1) and budget[-1][0] == D(2026, 3, 1)
    load(con, ("money.xlsx", workbook({"Grants": AHEAD_GRANTS, "Spend": ACTUALS, "Budget": budget})))
    found = funding.secured_against_needed(con, TO_10_FEB)
    # 2025-26 has future expenditure rows (a budget, 5,000 a month = 15,000 a quarter); the other quarters the
    # run-rate, still from the 12 months of actual spending to January 2025
    assert list(found["basis"]) == [
        "run-rate",
        "budget",
        "budget",
        "budget",
        "budget",
        "run-rate",
        "run-rate",
        "run-rate",
    ]
    assert list(found["needed"]) == pytest.approx([12000, 15000, 15000, 15000, 15000, 12000, 12000, 12000])
    # 15,000 - 10,920 = 4,080; 15,000 - 11,040 = 3,960; 15,000 - 9,000 = 6,000
    assert list(found["gap"]) == pytest.approx([10200, 4080, 3960, 3960, 6000, 2900, 2800, 2800])
    assert list(found["secured"]) == pytest.approx(SECURED)


def test_secured_against_needed_without_spending(con):
    load(con, ("money.xlsx", workbook({"Grants": AHEAD_GRANTS})))
    found = funding.secured_against_needed(con, TO_10_FEB, count=4)
    assert list(found["quarter"]) == AHEAD[:4]
    assert found["needed"].isna().all() and found["gap"].isna().all()  # nothing to say what is needed
    assert list(found["secured"]) == pytest.approx(SECURED[:4])


def test_yearly_totals(con):
    load(con, ("money.xlsx", workbook({"Grants": AHEAD_GRANTS, "Spend": ACTUALS})))
    found = funding.yearly_totals(funding.secured_against_needed(con, TO_10_FEB))
    # 2024-25: Q4 only; 2025-26: four quarters; 2026-27: Q1 to Q3 (SECURED, APPLIED; 12,000 a quarter needed)
    assert found["year"].tolist() == ["2024-25", "2025-26", "2026-27"]
    assert found["quarters"].tolist() == [1, 4, 3]
    assert found["secured"].tolist() == pytest.approx([1800, 10920 + 11040 + 11040 + 9000, 9100 + 9200 + 9200])
    assert found["applied"].tolist() == pytest.approx([0, 36500, 0])
    assert found["needed"].tolist() == pytest.approx([12000, 48000, 36000])
    # 48,000 - 42,000 = 6,000; 36,000 - 27,500 = 8,500
    assert found["gap"].tolist() == pytest.approx([10200, 6000, 8500])


# The dated secured figure: the financial year after the period ----------------------------------------------------


@pytest.mark.parametrize(
    ("last_day", "year", "first", "last"),
    [
        (D(2026, 3, 31), "2026-27", D(2026, 4, 1), D(2027, 3, 31)),  # a financial year's last day: the next year
        (D(2026, 3, 30), "2026-27", D(2026, 4, 1), D(2027, 3, 31)),
        (D(2026, 4, 1), "2027-28", D(2027, 4, 1), D(2028, 3, 31)),  # a year's first day: the year after it
        (D(2025, 6, 30), "2026-27", D(2026, 4, 1), D(2027, 3, 31)),  # mid-year: the next year, not the rest of this
        (D(2026, 12, 31), "2027-28", D(2027, 4, 1), D(2028, 3, 31)),
    ],
)
def test_the_forecast_year_is_the_first_to_start_after_the_period(last_day, year, first, last):
    found = funding.forecast_year(Period(D(2025, 4, 1), last_day))
    assert (fy_label(found.start), found.start, found.end) == (year, first, last)


SECURED_GRANTS = [
    ["funder", "title", "amount", "start_date", "end_date", "status"],
    ["Lottery", "Core", 12000, "2026-04-01", "2027-03-31", "secured"],  # all of it in 2026-27
    ["Trust", "Bid", 6000, "2026-04-01", "2027-03-31", "applied"],  # never secured
]
SPENT_2025_26 = [[D(2025 + (m < 4), m, 1), 1000] for m in (*range(4, 13), 1, 2, 3)]  # 12 x 1,000: 3,000 a quarter
BUDGET_Q1_Q2 = [[D(2026, m, 1), 1500] for m in range(4, 10)]  # Apr to Sep 2026: 4,500 a quarter
FY25 = Filters(Period(D(2025, 4, 1), D(2026, 3, 31)))


def spending(*rows: list) -> list[list]:
    return [["period_start", "amount"], *rows]


def test_secured_next_year_with_a_budget_and_the_run_rate(con):
    load(con, ("money.xlsx", workbook({"Grants": SECURED_GRANTS, "Spend": spending(*SPENT_2025_26, *BUDGET_Q1_Q2)})))
    found = funding.secured_next_year(con, FY25)
    # 2026-27: Q1 and Q2 budgeted, 4,500 each; Q3 and Q4 at the run-rate of 2025-26, 3 x 1,000 = 3,000 each
    assert found == funding.SecuredYear(
        period=Period(D(2026, 4, 1), D(2027, 3, 31)),
        secured=pytest.approx(12000),
        applied=pytest.approx(6000),
        needed=pytest.approx(4500 + 4500 + 3000 + 3000),
        basis="budget and run-rate",
    )
    assert found.gap == pytest.approx(15000 - 12000)
    assert found.sentence == (
        "Secured for 2026-27 (1 Apr 2026 – 31 Mar 2027): £12,000 of £15,000 expected spending (gap £3,000)."
    )


def test_secured_next_year_at_the_run_rate_with_nothing_to_find(con):
    load(con, ("money.xlsx", workbook({"Grants": SECURED_GRANTS, "Spend": spending(*SPENT_2025_26)})))
    found = funding.secured_next_year(con, FY25)
    # 4 x 3,000 = 12,000 needed, all of it secured
    assert (found.needed, found.gap, found.basis) == (pytest.approx(12000), 0, "run-rate")
    assert found.sentence.endswith("£12,000 of £12,000 expected spending (gap £0).")


def test_secured_next_year_from_a_quarter_is_the_next_financial_year(con):
    load(con, ("money.xlsx", workbook({"Grants": SECURED_GRANTS, "Spend": spending(*SPENT_2025_26, *BUDGET_Q1_Q2)})))
    found = funding.secured_next_year(con, Filters(Period(D(2026, 4, 1), D(2026, 6, 30))))
    # after 30 Jun 2026, 2027-28: the grant has ended; no spending recorded in it, so the run-rate of the 12 months
    # to June 2026, Jul 2025 to Jun 2026: (9 x 1,000 + 3 x 1,500) / 12 = 1,125 a month, 3,375 a quarter
    assert (found.label, found.secured, found.basis) == ("2027-28", 0, "run-rate")
    assert found.needed == pytest.approx(4 * 3375)
    assert found.sentence == (
        "Secured for 2027-28 (1 Apr 2027 – 31 Mar 2028): £0 of £13,500 expected spending (gap £13,500)."
    )


def test_secured_next_year_without_spending(con):
    load(con, ("money.xlsx", workbook({"Grants": SECURED_GRANTS})))
    found = funding.secured_next_year(con, FY25)
    assert (found.secured, found.needed, found.gap, found.basis) == (pytest.approx(12000), None, None, None)
    assert found.sentence == (
        "Secured for 2026-27 (1 Apr 2026 – 31 Mar 2027): £12,000; no spending is recorded to compare it with."
    )


def test_secured_next_year_follows_the_activity_filter(con):
    rows = [*SECURED_GRANTS, ["Council", "Art", 2000, "2026-04-01", "2027-03-31", "secured"]]
    rows[0] = [*rows[0], "activity"]
    rows[1], rows[2], rows[3] = [*rows[1], None], [*rows[2], None], [*rows[3], "Art"]
    load(con, ("money.xlsx", workbook({"Grants": rows})))
    assert funding.secured_next_year(con, FY25).secured == pytest.approx(14000)
    assert funding.secured_next_year(con, Filters(FY25.period, ("Art",))).secured == pytest.approx(2000)


# Reserves -----------------------------------------------------------------------------------------------------------
YEAR_SPEND = [["period_start", "amount"], *[[D(2024 + (m < 4), m, 1), 5000] for m in (*range(4, 13), 1, 2, 3)]]
RESERVES = [
    ["date", "free_reserves"],
    ["2024-03-31", 45000],  # before any spending was recorded
    ["2024-09-30", 40000],  # 6 months recorded (Apr to Sep)
    ["2025-02-28", 33000],  # 11 months recorded: still no runway
    ["2025-03-31", 30000],  # 12 months: 60,000 / 12 = 5,000 a month
    ["2025-06-30", 27000],  # the 12 months to then hold Jul 2024 to Mar 2025: 9 x 5,000 = 45,000 / 12 = 3,750
]


reserves_db = database_with("reserves.xlsx", {"Spend": YEAR_SPEND, "Reserves": RESERVES})


def test_reserves_over_time(reserves_db):
    found = funding.reserves_over_time(reserves_db)
    assert [d.date() for d in found["date"]] == [
        D(2024, 3, 31),
        D(2024, 9, 30),
        D(2025, 2, 28),
        D(2025, 3, 31),
        D(2025, 6, 30),
    ]
    assert list(found["free_reserves"]) == [45000, 40000, 33000, 30000, 27000]
    runway = found["runway_months"].tolist()
    assert pd.isna(runway[0]) and pd.isna(runway[1]) and pd.isna(runway[2])  # less than 12 months of spending
    # 30,000 / 5,000 = 6 months; 27,000 / 3,750 = 7.2 months
    assert runway[3:] == pytest.approx([6.0, 7.2])
    assert found["monthly_spending"].tolist()[3:] == pytest.approx([5000, 3750])
    # the policy, 3 to 6 months of spending: 15,000 to 30,000; then 11,250 to 22,500
    assert found["policy_low"].tolist()[3:] == pytest.approx([15000, 11250])
    assert found["policy_high"].tolist()[3:] == pytest.approx([30000, 22500])
    assert found["policy_low"][:3].isna().all()


def test_reserves_policy_is_a_setting(reserves_db):
    found = funding.reserves_over_time(reserves_db, policy=(2.0, 4.0))
    assert found["policy_low"].tolist()[3:] == pytest.approx([10000, 7500])  # 2 x 5,000; 2 x 3,750
    assert found["policy_high"].tolist()[3:] == pytest.approx([20000, 15000])


def test_runway_agrees_with_the_headline_metric(reserves_db):
    found = funding.reserves_over_time(reserves_db)
    at_year_end = found.loc[found["date"] == pd.Timestamp(2025, 3, 31), "runway_months"].item()
    assert funding.runway_months(reserves_db, Filters(FY24)) == pytest.approx(at_year_end) == pytest.approx(6.0)
    q1 = Filters(Period(D(2025, 4, 1), D(2025, 6, 30)))
    last = found["runway_months"].iloc[-1]
    assert funding.runway_months(reserves_db, q1) == pytest.approx(last) == pytest.approx(7.2)


def test_no_reserves(con):
    load(con, ("spend.xlsx", workbook({"Spend": YEAR_SPEND})))
    assert funding.reserves_over_time(con).empty


# Value for money ----------------------------------------------------------------------------------------------------
VALUE_REGISTER = [
    ["participant_id", "session_date", "activity"],
    *[[p, "2024-05-07", "Art"] for p in ("P1", "P2", "P3", "P4")],
    *[[p, "2024-05-09", "Peer"] for p in ("P1", "P5", "P6", "P7", "P8")],
]
VALUE_SCORES = [
    ["participant_id", "date", "WEMWBS total"],
    ["P1", "2024-05-01", 40],
    ["P1", "2024-11-01", 45],  # +5: improved
    ["P2", "2024-05-01", 40],
    ["P2", "2024-11-01", 43],  # +3, the threshold: improved
    ["P3", "2024-05-01", 40],
    ["P3", "2024-11-01", 41],  # +1: no reliable change
    ["P5", "2024-05-01", 50],
    ["P5", "2024-11-01", 56],  # +6: improved
    ["P6", "2024-05-01", 50],
    ["P6", "2024-11-01", 44],  # -6: deteriorated
]
VALUE_SPEND = [
    ["period_start", "amount", "activity"],
    ["2024-04-01", 3000, "Art"],
    ["2024-10-01", 3000, "Art"],
    ["2024-04-01", 4000, "Peer"],
    ["2024-04-01", 2000, None],  # core costs: in the total only
    ["2025-04-01", 99999, "Art"],  # after the year
]


value_db = database_with("value.xlsx", {"Register": VALUE_REGISTER, "Scores": VALUE_SCORES, "Spend": VALUE_SPEND})
EVERYTHING = "All activities (including core costs)"
VALUE_COLUMNS = ["expenditure", "reached", "improved WEMWBS", "cost_per_participant", "cost per improvement WEMWBS"]


@pytest.mark.parametrize(
    ("activity", "figures"),
    [
        # 3,000 + 3,000 + 4,000 + 2,000 = 12,000; reached P1-P8 = 8; improved P1, P2, P5 = 3 -> 12,000 / 8, 12,000 / 3
        (EVERYTHING, [12000, 8, 3, 1500, 4000]),
        # Art: 6,000; P1-P4 reached; improved P1, P2 -> 6,000 / 4 = 1,500 and 6,000 / 2 = 3,000
        ("Art", [6000, 4, 2, 1500, 3000]),
        # Peer: 4,000; P1, P5-P8 reached; improved P1, P5 -> 4,000 / 5 = 800 and 4,000 / 2 = 2,000
        ("Peer", [4000, 5, 2, 800, 2000]),
    ],
)
def test_value_for_money(value_db, activity: str, figures: list[float]):
    found = funding.value_for_money(value_db, Filters(FY24)).set_index("activity")
    assert list(found.index) == [EVERYTHING, "Art", "Peer"]
    assert found.loc[activity, VALUE_COLUMNS].tolist() == pytest.approx(figures)


def test_value_for_money_of_all_activities_is_the_headline_cost(value_db):
    f = Filters(FY24)
    everything = funding.value_for_money(value_db, f).set_index("activity").loc[EVERYTHING]
    assert everything["cost_per_participant"] == pytest.approx(funding.cost_per_participant(value_db, f))
    assert everything["cost per improvement WEMWBS"] == pytest.approx(
        funding.cost_per_improvement(value_db, f, "WEMWBS")
    )


def test_value_for_money_without_improvements_or_spending(con):
    load(con, ("value.xlsx", workbook({"Register": VALUE_REGISTER, "Scores": VALUE_SCORES})))
    found = funding.value_for_money(con, Filters(FY24))
    assert len(found) == 1  # no expenditure recorded against any activity
    row = found.iloc[0]
    assert row["expenditure"] is None or pd.isna(row["expenditure"])
    assert row["cost_per_participant"] is None and row["cost per improvement WEMWBS"] is None


def test_within_policy_at_and_beyond_its_ends():
    assert funding.within_policy(3.0, (3.0, 6.0)) and funding.within_policy(6.0, (3.0, 6.0))
    assert funding.within_policy(2.9, (3.0, 6.0)) is False and funding.within_policy(6.1, (3.0, 6.0)) is False
    assert funding.within_policy(None) is None


def test_the_only_funder_shown_is_named_in_the_legend_not_other_funders() -> None:
    # ninth of all funders by income, but the only one of the chosen activity: it takes a free colour and its name
    rank = {f"Funder {i}": i for i in range(len(OKABE_ITO))} | {"BBC Children in Need": len(OKABE_ITO) + 1}
    colours, scale = group_colours(["BBC Children in Need"], rank)
    assert colours == {"BBC Children in Need": "BBC Children in Need"}
    assert scale.domain == ["BBC Children in Need"] and OTHER not in scale.domain
    # with every colour taken by funders shown, a later one joins "Other funders"
    shown = [*(f"Funder {i}" for i in range(len(OKABE_ITO))), "BBC Children in Need"]
    colours, scale = group_colours(shown, rank)
    assert colours["BBC Children in Need"] == OTHER and colours["Funder 0"] == "Funder 0"
