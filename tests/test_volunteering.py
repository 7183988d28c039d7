"""Volunteer time: hours by month and activity, valued at the National Living Wage in force each month or the rate set
in Settings; the whole organisation's time in the totals and in no one activity. Expected values worked out by hand."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines import pack, report, settings, summary, volunteering
from pipelines.disclosure import Disclosure
from pipelines.document import Paragraph
from pipelines.periods import Period
from pipelines.query import Filters
from pipelines.settings import Brand
from tests.helpers import database_with, load, workbook

MAR_APR_2025 = Period(dt.date(2025, 3, 1), dt.date(2025, 4, 30))  # the National Living Wage rose on 1 April 2025
FY24 = Period(dt.date(2024, 4, 1), dt.date(2025, 3, 31))
ROWS = [
    ["Month", "Project", "Number of volunteers", "Volunteer hours", "With lived experience"],
    ["Mar 2025", "Peer group", 10, 100, 4],
    ["2025-04", "Peer group", 12, 100, 6],
    ["03/2025", None, 2, 20, 1],  # the whole organisation: trustees, fundraising
    ["April 2025", "Art group", 3, 10, 0],
]


volunteered = database_with("volunteers.xlsx", {"Volunteers": ROWS})


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (dt.date(2016, 3, 31), None),
        (dt.date(2016, 4, 1), 7.20),
        (dt.date(2021, 4, 1), 8.91),
        (dt.date(2025, 3, 1), 11.44),
        (dt.date(2025, 4, 1), 12.21),
        (dt.date(2026, 4, 1), 12.71),
    ],
)
def test_the_national_living_wage_in_force_on_a_day(day: dt.date, rate: float | None) -> None:
    assert volunteering.living_wage_on(day) == rate


def test_the_value_follows_the_wage_across_its_april_rise(volunteered: duckdb.DuckDBPyConnection) -> None:
    found = volunteering.totals(volunteered, Filters(MAR_APR_2025))
    # March at £11.44: 100 + 20 hours = £1,372.80; April at £12.21: 100 + 10 hours = £1,343.10
    assert found["hours"] == 230
    assert found["value"] == pytest.approx(2_715.90)
    assert found["basis"] == "national living wage"
    assert found["rate"].startswith("£11.44 from Mar 2025, £12.21 from Apr 2025: the UK National Living Wage")
    months = volunteering.by_month(volunteered, Filters(MAR_APR_2025))
    assert months[["label", "activity", "hours", "rate"]].values.tolist() == [
        ["Mar 2025", "Whole organisation", 20, 11.44],
        ["Mar 2025", "Peer group", 100, 11.44],
        ["Apr 2025", "Art group", 10, 12.21],
        ["Apr 2025", "Peer group", 100, 12.21],
    ]


def test_the_rate_set_in_settings_overrides_the_wage_and_a_blank_restores_it(
    volunteered: duckdb.DuckDBPyConnection,
) -> None:
    settings.save_volunteer_rate(volunteered, "£15")
    found = volunteering.totals(volunteered, Filters(MAR_APR_2025))
    assert (found["value"], found["basis"], found["rate"]) == (
        3_450.0,
        "settings",
        "£15.00 an hour, the rate set in Settings",
    )
    settings.save_volunteer_rate(volunteered, "")
    assert volunteering.totals(volunteered, Filters(MAR_APR_2025))["value"] == pytest.approx(2_715.90)


@pytest.mark.parametrize(
    ("f", "hours", "value"),
    [
        (Filters(MAR_APR_2025), 230, 2_715.90),
        (Filters(FY24), 120, 1_372.80),  # March only
        (Filters(MAR_APR_2025, ("Peer group",)), 200, 2_365.00),  # the whole organisation's 20 hours left out
        (Filters(MAR_APR_2025, ("Art group",)), 10, 122.10),
        (Filters(Period(dt.date(2025, 5, 1), dt.date(2025, 5, 31))), 0, 0.0),
    ],
)
def test_filters(volunteered: duckdb.DuckDBPyConnection, f: Filters, hours: float, value: float) -> None:
    found = volunteering.totals(volunteered, f)
    assert (found["hours"], found["value"]) == (hours, pytest.approx(value))


def test_the_whole_organisation_is_in_the_totals_but_in_no_activity(volunteered: duckdb.DuckDBPyConnection) -> None:
    found = volunteering.by_activity(volunteered, Filters(MAR_APR_2025))
    assert found[["activity", "hours"]].values.tolist() == [
        ["Peer group", 200],
        ["Whole organisation", 20],
        ["Art group", 10],
    ]
    assert volunteering.filter_note(Filters(MAR_APR_2025, ("Peer group",))) == (
        "Volunteer time recorded against Peer group only; time recorded for the whole organisation (no activity) "
        "is left out."
    )


def test_months_before_the_living_wage_have_no_value(con: duckdb.DuckDBPyConnection) -> None:
    load(con, ("old.xlsx", workbook({"Volunteers": [["month", "hours"], ["Mar 2016", 10], ["Apr 2016", 10]]})))
    found = volunteering.totals(con, Filters(Period(dt.date(2016, 3, 1), dt.date(2016, 4, 30))))
    assert (found["hours"], found["value"]) == (20, None)
    assert found["rate"].startswith("no rate before Apr 2016 (Mar 2016), £7.20 from Apr 2016")


def test_lived_experience_in_the_latest_month(volunteered: duckdb.DuckDBPyConnection) -> None:
    f = Filters(MAR_APR_2025)
    assert volunteering.latest_volunteers(volunteered, f) == {
        "month": dt.date(2025, 4, 1),
        "volunteers": 15,
        "lived_experience": 6,
    }
    shown = volunteering.lived_experience(volunteered, f, Disclosure.screen())
    assert (shown["label"], shown["of"], shown["share"]) == ("<8", "15", None)  # 6 people: too few to show
    words = volunteering.in_words(volunteered, f, Disclosure.screen())
    assert words[0] == (
        "**Volunteer time:** 230 hours in 1 Mar 2025 – 30 Apr 2025, worth £2,716 as in-kind support at £11.44 from "
        'Mar 2025, £12.21 from Apr 2025: the UK National Living Wage in force each month (GOV.UK, "National Minimum '
        'Wage and National Living Wage rates"; Low Pay Commission). Funders often accept volunteer time as match '
        "funding."
    )
    assert words[2] == "**Lived experience:** in April 2025, <8 of 15 volunteers had lived experience."


def test_the_summary_gives_hours_value_and_the_rate_basis(volunteered: duckdb.DuckDBPyConnection) -> None:
    found = summary.summary(volunteered, Filters(MAR_APR_2025))["volunteering"]
    assert (found["hours"], found["value"], found["rate_basis"]) == (
        230,
        pytest.approx(2_715.90),
        "national living wage",
    )


def test_the_report_packs_funding_section_carries_volunteer_time(volunteered: duckdb.DuckDBPyConnection) -> None:
    scope = report.scope(volunteered, period=MAR_APR_2025)
    document = pack.report_pack(volunteered, scope, ("funding",), Brand()).document
    said = [b.text for b in document.blocks if isinstance(b, Paragraph) and b.text.startswith("Volunteer time:")]
    assert said == [
        "Volunteer time: 230 hours in 1 Mar 2025 – 30 Apr 2025, worth £2,716 as in-kind support at £11.44 from "
        'Mar 2025, £12.21 from Apr 2025: the UK National Living Wage in force each month (GOV.UK, "National Minimum '
        'Wage and National Living Wage rates"; Low Pay Commission). Funders often accept volunteer time as match '
        "funding. All volunteer time, including time recorded for the whole organisation "
        "rather than one activity."
    ]
