"""The Funding page on a copy of the sample, with AppTest: it leads with the dated secured figure in plain words,
forecasts from the chosen period's end, judges dependence on the whole charity, and never says 'Herfindahl'."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines import charts as charts_module
from pipelines import funding, settings, store
from pipelines.periods import Period
from pipelines.query import Filters
from tests.apphelpers import (
    SamplePages,
    app_with,
    assert_ran,
    chart_titles,
    charts,
    open_page,
    open_section,
    widget,
)

pytestmark = pytest.mark.usefixtures("app_runtime")

FY25 = Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31))
Q1 = Period(dt.date(2025, 4, 1), dt.date(2025, 6, 30))
ONE_GRANT = "Counselling"  # paid for by one grant, the Henry Smith Charity's


def page_text(at: AppTest) -> str:
    """Everything the page writes, and every chart's specification (titles, labels, data)."""
    words = [e.value for kind in ("markdown", "caption", "warning", "info", "title") for e in getattr(at, kind)]
    words += [f"{m.label} {m.value} {m.delta} {m.help}" for m in at.metric]
    return "\n".join(words) + json.dumps(charts(at))


def with_filters(at: AppTest, quarter: str | None = None, activity: str | None = None) -> AppTest:
    if quarter:
        at.sidebar.radio[0].set_value("Quarter").run()
        widget(at.sidebar.selectbox, "Quarter").set_value(quarter).run()
    if activity:
        widget(at.sidebar.multiselect, "Activity").set_value([activity]).run()
    assert_ran(at)
    return at


def test_the_page_leads_with_the_dated_secured_figure(
    sample_pages: SamplePages, sample: duckdb.DuckDBPyConnection
) -> None:
    year = funding.secured_next_year(sample, Filters(FY25))
    at = sample_pages.opened("pages/funding.py").at
    every = [run.at for run in sample_pages.sections("pages/funding.py")]
    assert year.label == "2026-27" and year.sentence.startswith("Secured for 2026-27 (1 Apr 2026 – 31 Mar 2027): £")
    first = at.markdown[0].value
    assert first.startswith(f"- **{year.sentence}** Secured means promised in a signed grant or contract")
    assert (
        "Forecasts run from the end of the chosen period, 31 March 2026, not from today's date." in at.caption[0].value
    )
    assert all("Herfindahl" not in page_text(section) for section in every)


def test_one_quarter_and_one_activity(sample_app: Path, sample: duckdb.DuckDBPyConnection) -> None:
    at = with_filters(open_page("pages/funding.py", "Funding"), "2025-26 Q1 (Apr–Jun 2025)", ONE_GRANT)
    f = Filters(Q1, (ONE_GRANT,))
    # the next financial year after 30 June 2025 is 2026-27, for the activity's own grant and costs
    assert f"- **{funding.secured_next_year(sample, f).sentence}**" in at.markdown[0].value
    assert "**Who pays for this work:** Counselling is paid for by Henry Smith Charity in this period." in (
        at.markdown[0].value
    )
    # the biggest funder is the whole charity's, not the one grant's 100%
    largest = funding.dependence(sample, f)
    everything = funding.dependence(sample, Filters(Q1))
    assert largest["funder"] == everything["funder"] and largest["share"] == pytest.approx(everything["share"])
    assert largest["share"] < 0.4
    assert not at.warning
    assert "Herfindahl" not in page_text(at)
    timeline = open_section(at, "Grants and the cliff")
    assert "Ending in the 12 months after 30 June 2025:" in "\n".join(m.value for m in timeline.markdown)


def test_charts_name_every_grant_in_full_and_mark_the_period_end(sample: duckdb.DuckDBPyConnection) -> None:
    lines = funding.timeline(sample, Filters(FY25))
    spec = charts_module.grant_timeline(lines, FY25.end, dt.date(2026, 11, 30)).to_dict()
    rows = [row for data in spec["datasets"].values() for row in data]
    names = [row["name"] for row in rows if "name" in row]
    assert len(names) == len(lines)
    assert "National Lottery Community Fund: Reaching\nCommunities: peer support across Dudley" in names
    assert "Garfield Weston Foundation: Core costs 2026-28\n(applied for)" in names  # the status in words too
    assert [row["what"] for row in rows if "what" in row] == ["end of period", "today"]


def test_the_dependence_chart_has_one_figure_per_quarter(sample: duckdb.DuckDBPyConnection) -> None:
    frame = funding.concentration_by_quarter(sample, Filters(Q1, (ONE_GRANT,)))
    assert list(frame.columns) == ["quarter", "largest_funder", "largest_share", "funders"]
    assert frame["largest_share"].iloc[0] < 0.4  # the whole charity's, not the one grant's 100%
    assert "Herfindahl" not in json.dumps(charts_module.concentration(frame, 0.4, "").to_dict())


# Volunteer time, in kind, on the charity's own data -------------------------------------------------------------

VOLUNTEERING = [
    ["Month", "Activity", "Volunteers", "Hours", "Lived experience"],
    ["Apr 2025", "Peer support group", 10, 100, 5],
    ["May 2025", "Peer support group", 12, 40, 8],
    ["May 2025", None, 4, 20, 0],  # the whole organisation
]
REGISTER = [
    ["participant_id", "session_date", "activity"],
    *[[f"P{i}", "2025-05-06", "Peer support group"] for i in range(9)],
]
volunteered = app_with({"Register": REGISTER, "Volunteers": VOLUNTEERING})


def test_volunteer_time_is_shown_beside_income_as_in_kind_support(volunteered: Path) -> None:
    at = open_page("pages/funding.py", "Funding")
    given = next(m for m in at.metric if m.label == "Volunteer time, in kind")
    assert (given.value, given.delta) == ("£1,954", "160 hours")  # 160 hours at £12.21, the wage from April 2025
    words = "\n".join(m.value for m in at.markdown)
    assert (
        "**Volunteer time:** 160 hours in financial year 2025-26, worth £1,954 as in-kind support at £12.21 from "
        in words
    )
    assert "Funders often accept volunteer time as match funding" in words
    assert "UK National Living Wage in force each month" in words
    assert "**Lived experience:** in May 2025, 8 of 16 volunteers (50%) had lived experience." in words
    assert "Volunteer hours each month, by activity" in chart_titles(at)


def test_the_rate_set_in_settings_values_the_time(volunteered: Path) -> None:
    with store.connect(volunteered) as con:
        settings.save_volunteer_rate(con, "15")
    at = open_page("pages/funding.py", "Funding")
    given = next(m for m in at.metric if m.label == "Volunteer time, in kind")
    assert given.value == "£2,400" and "£15.00 an hour, the rate set in Settings" in given.help


def test_with_an_activity_chosen_the_whole_organisations_time_is_left_out(volunteered: Path) -> None:
    at = with_filters(open_page("pages/funding.py", "Funding"), activity="Peer support group")
    given = next(m for m in at.metric if m.label == "Volunteer time, in kind")
    assert given.delta == "140 hours"
    assert "time recorded for the whole organisation (no activity) is left out." in "\n".join(
        m.value for m in at.markdown
    )
