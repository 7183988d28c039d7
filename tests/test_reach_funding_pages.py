"""The Reach and Funding pages run headless with AppTest on a copy of the sample: each shows the figures that
pipelines/reach.py and pipelines/funding.py compute."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines import charts as charts_module
from pipelines import funding, ingest, inventory, reach, store
from pipelines.disclosure import Disclosure
from pipelines.periods import Period
from pipelines.query import Filters
from tests.apphelpers import SamplePages, assert_ran, chart_titles, open_page, open_section, rerun_with, widget
from tests.helpers import workbook

pytestmark = pytest.mark.usefixtures("app_runtime")


SCREEN = Disclosure.screen()
FY24 = Period(dt.date(2024, 4, 1), dt.date(2025, 3, 31))
FY25 = Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31))
COMPARED = ("ethnicity_group", "age_band", "gender", "imd_quintile")  # the dimensions England's benchmark has


# Fixtures -----------------------------------------------------------------------------------------


# Helpers ----------------------------------------------------------------------------------------------------------


def figures(at: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}


def count(n: int) -> str:
    assert n == 0 or n >= 8, "the sample's headline counts are not small"
    return f"{n:,}"


def titles_of(at: AppTest) -> list[str]:
    """The charts' titles, a title wrapped onto lines joined again."""
    return [" ".join(t) if isinstance(t, list) else t for t in chart_titles(at)]


def every_section(sample_pages: SamplePages, script: str) -> tuple[dict[str, tuple[str, str | None]], list[str]]:
    """The page's figures and its charts' titles, with each of its sections open in turn."""
    runs = [run.at for run in sample_pages.sections(script)]
    return {k: v for at in runs for k, v in figures(at).items()}, [t for at in runs for t in titles_of(at)]


def default_filters(sample: duckdb.DuckDBPyConnection) -> Filters:
    period = inventory.default_period(sample)
    assert period == FY25, "the sample ends in March 2026"
    return Filters(period)


# Reach --------------------------------------------------------------------------------------------------------------


def test_reach_page_headlines_match_the_pipeline(sample_pages: SamplePages, sample: duckdb.DuckDBPyConnection) -> None:
    f = default_filters(sample)
    now = reach.reach(sample, f)
    kept = reach.retention_counts(sample, f)
    deprived = reach.core20(sample, f)
    assert kept["new"] - kept["came_back"] >= 8 and deprived["known"] - deprived["core20"] >= 8, "no rest is small"
    booked = now["attendances"] + now["did_not_attend"]

    at = sample_pages.opened("pages/reach.py").at
    shown, titles = every_section(sample_pages, "pages/reach.py")

    assert not at.error
    expected = {
        # Activity
        "People reached": (count(now["reached"]), None),
        "New": (count(now["new"]), None),
        "Returning": (count(now["reached"] - now["new"]), None),
        "Attendances": (f"{now['attendances']:,}", None),
        "Did not attend": (f"{now['did_not_attend'] / booked:.0%}", None),
        "Sessions delivered": (f"{now['sessions_delivered']:,}", None),
        "New people who came back after their first session": (
            f"{kept['came_back'] / kept['new']:.0%}",
            f"{count(kept['came_back'])} of {count(kept['new'])} new people",
        ),
        # Deprivation
        "Core20: most deprived 20% of areas": (
            f"{deprived['core20'] / deprived['known']:.0%}",
            f"{count(deprived['core20'])} of {count(deprived['known'])} people with a known area",
        ),
        "People reached with no known area": (count(deprived["reached"] - deprived["known"]), None),
        "Residents of England living there": ("20%", None),  # the benchmark chosen on the page
    }
    assert shown == expected
    assert deprived["reached"] == now["reached"]

    for title in (
        "People reached each quarter",
        "People reached by activity",
        "People by sessions attended in the period",
        "How people were referred",
        "People reached by age band",  # the first of 'Group people by'
        "People reached living in the most deprived 20% of areas",
    ):
        assert title in titles
    quarterly = next(d.value for d in at.dataframe if "people reached" in d.value.columns)
    by_quarter = reach.reach_by_quarter(sample, f)
    assert list(quarterly["quarter"]) == list(by_quarter["quarter"])
    assert list(quarterly["people reached"]) == [count(n) for n in by_quarter["reached"]]


def test_representation_against_england(sample_pages: SamplePages, sample: duckdb.DuckDBPyConnection) -> None:
    f = default_filters(sample)
    at = sample_pages.opened("pages/reach.py", "Against the population").at

    choice = widget(at.selectbox, "Compare with")
    assert choice.options == [reach.ENGLAND] and choice.value == reach.ENGLAND
    titles = titles_of(at)
    for dimension in COMPARED:
        label = reach.PROFILE_DIMENSIONS[dimension]
        assert f"Who the service reaches by {label}, against {reach.ENGLAND}" in titles
    words = [m.value for m in at.markdown]
    for dimension in COMPARED:
        table = reach.representation(sample, f, dimension, reach.ENGLAND, SCREEN)
        assert reach.represented_in_words(table, dimension) in words, dimension
    assert "Fewer than their share of the population: White." in words  # fewer White people than England has


POPULATION = [
    ["area", "dimension", "group", "count"],
    ["Dudley", "ethnicity", "White", 250000],
    ["Dudley", "ethnicity", "Asian, Asian British or Asian Welsh", 30000],
    ["Dudley", "ethnicity", "Black, Black British, Black Welsh, Caribbean or African", 8000],
    ["Dudley", "ethnicity", "Mixed or Multiple ethnic groups", 8000],
    ["Dudley", "ethnicity", "Other ethnic group", 4000],
    ["Dudley", "sex", "Female", 166000],
    ["Dudley", "sex", "Male", 160000],
]


def test_a_loaded_benchmark_is_offered_after_england(sample_app: Path, sample: duckdb.DuckDBPyConnection) -> None:
    f = default_filters(sample)
    with store.connect(sample_app) as con:
        ingest.load(con, ingest.check(con, [("dudley.xlsx", workbook({"Census": POPULATION}))]))
        assert reach.benchmark_areas(con) == [reach.ENGLAND, "Dudley"]
        expected = [
            reach.represented_in_words(reach.representation(con, f, d, "Dudley", SCREEN), d)
            for d in ("ethnicity_group", "gender")
        ]
        white = reach.representation(con, f, "ethnicity_group", "Dudley", SCREEN).set_index("group").loc["White"]
    assert white["benchmark"] == pytest.approx(250000 / 300000)  # Dudley's share, not England's 81%

    at = open_page("pages/reach.py", "Reach")
    choice = widget(at.selectbox, "Compare with")
    assert choice.options == [reach.ENGLAND, "Dudley"] and choice.value == "Dudley"  # a loaded sheet wins
    choice.set_value("Dudley").run()
    assert_ran(at)

    titles = titles_of(open_section(at, "Against the population"))
    # Dudley's sheet has ethnic group and gender only: one chart each, against Dudley
    assert [t for t in titles if t.startswith("Who the service reaches")] == [
        "Who the service reaches by ethnic group, against Dudley",
        "Who the service reaches by gender, against Dudley",
    ]
    words = [m.value for m in at.markdown]
    assert all(sentence in words for sentence in expected)


def test_the_detailed_ethnic_groups(sample_app: Path, sample: duckdb.DuckDBPyConnection) -> None:
    f = default_filters(sample)
    at = open_section(open_page("pages/reach.py", "Reach"), "Who")
    assert not at.toggle, "the toggle belongs to the ethnic group"
    assert "People reached by ethnic group" in rerun_with(widget(at.radio, "Group people by"), "ethnicity_group")
    assert list(people_table(at)["group"]) == list(reach.profile_counts(sample, f, "ethnicity_group")["group"])

    titles = rerun_with(widget(at.toggle, "Show the 19 detailed ethnic groups"), True)
    assert "People reached by ethnic group (detailed)" in titles
    assert "People reached by ethnic group" not in titles
    detailed = reach.profile_counts(sample, f, "ethnicity")
    table = people_table(at)
    assert list(table["group"]) == list(detailed["group"])
    assert len(detailed) > 5 and all(":" in g for g in detailed["group"] if g not in ("Not known", "Prefer not to say"))
    small = [g for g, n in zip(detailed["group"], detailed["people"], strict=True) if 0 < n < 8]
    assert small, "the sample has some small detailed groups"
    assert all(table.set_index("group").loc[g, "people"] == "<8" for g in small)
    assert table.set_index("group").loc[small, "share"].eq("–").all()  # no share of a small group
    # the bar chart keeps every small group on its axis, labelled '<8' in place of a bar
    bars = charts_module.group_bars(reach.profile(sample, f, "ethnicity", SCREEN), "People", "note", "")
    drawn = next(iter(bars.to_dict()["datasets"].values()))
    assert [row["group"] for row in drawn] == list(detailed["group"])
    assert {row["group"]: (row["label"], row["people"]) for row in drawn if row["group"] in small} == dict.fromkeys(
        small, ("<8", None)
    )


def people_table(at: AppTest):
    """The Who tab's table: the groups (its first column, named for the dimension), people and share."""
    table = next(d.value for d in at.dataframe if list(d.value.columns)[1:] == ["people", "share"])
    return table.rename(columns={table.columns[0]: "group"})


# Funding ------------------------------------------------------------------------------------------------------------


def test_funding_page_headlines_match_the_pipeline(
    sample_pages: SamplePages, sample: duckdb.DuckDBPyConnection
) -> None:
    f = default_filters(sample)
    largest = funding.dependence(sample, f)
    ending = funding.cliff(sample, f, 12)
    runway = funding.runway_months(sample, f)
    year = funding.secured_next_year(sample, f)

    at = sample_pages.opened("pages/funding.py").at
    timeline = sample_pages.opened("pages/funding.py", "Grants and the cliff").at

    assert not at.error
    found = figures(at)
    assert found["Income in the period"] == (f"£{funding.income(sample, f):,.0f}", None)
    assert found["Secured for 2026-27"] == (
        f"£{year.secured:,.0f}",
        f"of £{year.needed:,.0f} needed; gap £{year.gap:,.0f}",
    )
    assert found["Share from the biggest funder"] == (f"{largest['share']:.0%}", largest["funder"])
    assert found["Yearly income ending soon"] == (
        f"£{ending['annual_value']:,.0f}",
        "1 line ends within a year" if len(ending["lines"]) == 1 else f"{len(ending['lines'])} lines end within a year",
    )
    assert found["Reserves runway"][0] == f"{math.floor(runway * 10) / 10:,.1f} months"  # rounded down
    for months in (6, 12):
        cliff = funding.cliff(sample, f, months)
        sentence = (
            f"**Ending in the {months} months after 31 March 2026:** {len(cliff['lines'])} secured line{'' if len(cliff['lines']) == 1 else 's'}, "
            f"£{cliff['annual_value']:,.0f} a year of income."
        )
        assert sentence in [m.value for m in timeline.markdown]
    assert every_section(sample_pages, "pages/funding.py")[1] == [
        "Income each quarter, by funder",
        "How dependent the charity is on one funder",
        "Volunteer hours each month, by activity",
        "When each grant and contract runs",
        "Secured income against what the service needs",
        "Free reserves",
    ]
    value_section = sample_pages.opened("pages/funding.py", "Value").at
    value = next(d.value for d in value_section.dataframe if "cost per person" in d.value.columns)
    assert value["activity"].iloc[0] == "All activities (including core costs)"
    assert value["cost per person"].iloc[0] == f"£{funding.cost_per_participant(sample, f):,.0f}"


def test_the_runway_is_as_at_the_chosen_year(sample_app: Path, sample: duckdb.DuckDBPyConnection) -> None:
    at = open_page("pages/funding.py", "Funding")
    widget(at.sidebar.selectbox, "Financial year").set_value("2024-25 (Apr–Mar)").run()
    assert_ran(at)
    runway = funding.runway_months(sample, Filters(FY24))
    assert runway != pytest.approx(funding.runway_months(sample, Filters(FY25)), abs=0.05)
    assert figures(at)["Reserves runway"][0] == f"{math.floor(runway * 10) / 10:,.1f} months"  # as Overview has it
    assert figures(at)["Income in the period"][0] == f"£{funding.income(sample, Filters(FY24)):,.0f}"


def test_the_dependence_warning_follows_the_slider(sample_app: Path, sample: duckdb.DuckDBPyConnection) -> None:
    f = default_filters(sample)
    largest = funding.dependence(sample, f)
    assert largest["share"] < funding.DEPENDENCE_WARNING, "no funder gives the sample more than 40%"

    at = open_page("pages/funding.py", "Funding")
    assert not at.warning
    below = int(largest["share"] * 100) // 5 * 5  # the slider moves in steps of 5%
    assert below >= 10 and below / 100 < largest["share"]
    widget(at.slider, "Warn when one funder gives more than").set_value(below).run()
    assert_ran(at)
    assert [w.value for w in at.warning] == [
        f"{largest['funder']} gave {largest['share']:.0%} of the charity's income in this period, more than "
        f"{below / 100:.0%}. Losing it would put the service at risk."
    ]
    widget(at.slider, "Warn when one funder gives more than").set_value(below + 5).run()
    assert_ran(at)
    assert not at.warning


def test_income_can_be_split_by_type(sample_app: Path) -> None:
    at = open_page("pages/funding.py", "Funding")
    choice = widget(at.radio, "Split income by")
    assert choice.options == list(funding.SPLITS.values())
    assert "Income each quarter, by type of income" in rerun_with(choice, "income_type")
    titles = rerun_with(widget(at.radio, "Split income by"), "restricted")
    assert "Income each quarter, by restricted or unrestricted" in titles
