"""The Streamlit app run headless with AppTest: every page runs, and Overview shows the figures the pipeline computes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines import funding, inventory, outcomes, overview, reach, store
from pipelines.periods import Period, quarters
from pipelines.query import Filters
from tests.apphelpers import (
    ROOT,
    SamplePages,
    app_with_own_data,
    assert_ran,
    charts,
    run_app,
    sample_banner,
    title_text,
    widget,
)
from ui.shell import PAGES, PageSpec
from ui.sidebar import data_ends_before_today

pytestmark = pytest.mark.usefixtures("app_runtime")


ACTIVITY = "Tuesday peer support group"  # one of the sample's activities, with income and enough people
REACH_LABELS = overview.REACH  # the Overview's reach figures and their names


# Fixtures -----------------------------------------------------------------------------------------


@pytest.fixture
def small_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database holding one small upload of the charity's own (not the sample): three people, four attendances."""
    rows = [
        ["participant_id", "session_date", "activity", "attended"],
        ["P1", dt.date(2025, 5, 6), "Peer group", "yes"],
        ["P2", dt.date(2025, 5, 6), "Peer group", "yes"],
        ["P3", dt.date(2025, 5, 13), "Peer group", "yes"],
        ["P1", dt.date(2025, 5, 13), "Peer group", "yes"],
    ]
    return app_with_own_data(tmp_path, monkeypatch, {"Register": rows})


# Helpers ------------------------------------------------------------------------------------------


def shown(at: AppTest) -> dict[str, str]:
    """Each st.metric's label and displayed value."""
    return {m.label: m.value for m in at.metric}


def deltas(at: AppTest) -> dict[str, str | None]:
    return {m.label: m.delta for m in at.metric}


def reach_strings(figures: dict[str, int]) -> dict[str, str]:
    """The four reach figures as the page should write them (at least 8 people, so none is suppressed)."""
    assert figures["reached"] >= 8 and figures["new"] >= 8
    return {REACH_LABELS[k]: f"{figures[k]:,}" for k in REACH_LABELS}


# Every page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", PAGES, ids=[p.title for p in PAGES])
def test_page_runs_with_the_shell(sample_pages: SamplePages, spec: PageSpec) -> None:
    at = sample_pages.opened(spec.script).at
    assert_ran(at)
    assert [t.value for t in at.title] == [spec.title]
    assert ("Filters" in [h.value for h in at.sidebar.header]) == spec.filtered
    if spec.url_path != "settings":  # the sample ends on 31 Mar 2026, before today
        assert any("31 Mar 2026" in c.value for c in at.caption), "each page says how far the data go"
    assert sample_banner(at)
    assert not at.error


@pytest.mark.parametrize(("script", "per_person", "chart_tables"), [("pages/overview.py", 0, 0),
    ("pages/outcomes.py", 1, 0), ("pages/reach.py", 0, 6), ("pages/funding.py", 0, 0)])  # fmt: skip
def test_every_chart_and_table_offers_downloads(
    sample_pages: SamplePages, script: str, per_person: int, chart_tables: int
) -> None:
    """A Download menu beside each chart and table (in every section), none beside a chart of one mark per person, and
    none beside a chart's own figures read as a table (its chart's menu has them)."""
    runs = [run.at for run in sample_pages.sections(script)]
    menus = [menu for at in runs for menu in at.get("popover")]
    drawn = sum(len(charts(at)) + len(at.dataframe) for at in runs)
    assert len(menus) == drawn - per_person - chart_tables > 0
    assert {menu.proto.popover.label for menu in menus} == {"Download"}


def test_filters_hidden_on_a_page_without_them_are_kept_for_the_next(sample_app: Path) -> None:
    at = run_app()
    widget(at.sidebar.radio, "Period").set_value("Quarter").run()
    at.switch_page("pages/upload.py").run()
    assert not at.sidebar.radio
    at.switch_page("pages/overview.py").run()
    assert widget(at.sidebar.radio, "Period").value == "Quarter"


@pytest.mark.parametrize(
    ("last", "today", "said"),
    [
        (dt.date(2026, 3, 31), dt.date(2026, 11, 30), dt.date(2026, 3, 31)),
        (dt.date(2026, 11, 30), dt.date(2026, 11, 30), None),  # data up to today: nothing to say
        (dt.date(2026, 12, 5), dt.date(2026, 11, 30), None),  # a booked session after today
    ],
)
def test_data_ends_before_today(last: dt.date, today: dt.date, said: dt.date | None) -> None:
    assert data_ends_before_today((dt.date(2024, 4, 1), last), today) == said
    assert data_ends_before_today(None, today) is None


def test_every_page_is_listed() -> None:
    """ui.shell.PAGES names each script in pages/, so a new page cannot be left out of the app or its tests."""
    assert sorted(p.script for p in PAGES) == sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))


# Overview -----------------------------------------------------------------------------------------


def test_overview_is_the_default_page_with_the_sample(sample_pages: SamplePages) -> None:
    at = sample_pages.landing().at
    assert [t.value for t in at.title] == ["Overview"]
    assert sample_banner(at)
    assert widget(at.sidebar.radio, "Period").value == "Financial year"


def test_headline_figures_match_the_pipeline(sample_pages: SamplePages, sample: duckdb.DuckDBPyConnection) -> None:
    period = inventory.default_period(sample)
    f, before = Filters(period), Filters(period.previous())
    now, then = reach.reach(sample, f), reach.reach(sample, before)
    measure = inventory.main_measure(sample)
    assert measure is not None
    expected = {
        **reach_strings(now),
        "People with two scores": f"{outcomes.outcome(sample, f, measure)['pairs']:,}",
        "Income in the period": f"£{funding.income(sample, f):,.0f}",
        "Cost per person reached": f"£{funding.cost_per_participant(sample, f):,.0f}",
    }

    at = sample_pages.landing().at

    assert period == Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31)), "the sample ends in March 2026"
    assert widget(at.sidebar.selectbox, "Financial year").value == "2025-26 (Apr–Mar)"
    figures = shown(at)
    assert {k: figures.get(k) for k in expected} == expected
    assert len(figures) == 12, figures
    assert deltas(at)["People reached"] == f"{now['reached'] - then['reached']:+,}"


def test_two_titled_charts(sample_pages: SamplePages) -> None:
    at = sample_pages.landing().at
    specs = charts(at)
    assert len(specs) == 2
    titles = [title_text(spec) for spec in specs]
    assert titles[0] == "People reached each quarter"
    assert titles[1].startswith("Change in ")
    for spec in specs:
        assert spec["title"]["subtitle"], "each chart says what period and activities it covers"


def test_overview_answers_in_words_before_any_figure(sample_pages: SamplePages) -> None:
    at = sample_pages.landing().at
    words = [md.value for md in at.markdown]
    assert words[0].endswith("Does it work?**") and words[2].endswith("For whom?**")
    assert words[1].startswith("Of the 264 people who completed the Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)")
    assert "higher is better" in words[1] and "unlikely to be chance" in words[1]


GREEN, RED, GREY = 1, 0, 2  # st.metric's delta colours as AppTest reads them


def test_only_a_change_beyond_noise_is_coloured(sample_pages: SamplePages) -> None:
    at = sample_pages.landing().at
    colours = {m.label: m.proto.color for m in at.metric}
    # 527 people against 439: 88 > 1.96 × √966 = 60.9. Sessions 820 against 762: 58 < 1.96 × √1582 = 78.0.
    # Improved 61% of 264 against 65% of 167: z = 0.82.
    assert colours["People reached"] == GREEN
    assert colours["Sessions delivered"] == GREY
    assert colours["Improved reliably"] == GREY


def test_the_first_year_with_data_shows_no_change(sample_app: Path) -> None:
    at = run_app()
    widget(at.sidebar.selectbox, "Financial year").set_value("2024-25 (Apr–Mar)").run()
    assert_ran(at)
    changes = deltas(at)
    for label in [*REACH_LABELS.values(), "People with two scores", "Improved reliably", "Follow-up rate"]:
        assert not changes[label], f"{label} has no previous period to compare with"


def test_choosing_a_quarter(sample_app: Path, sample: duckdb.DuckDBPyConnection) -> None:
    period = inventory.default_period(sample)
    last_quarter = quarters(period)[-1]
    year_reached = reach.reach(sample, Filters(period))["reached"]
    quarter = reach.reach(sample, Filters(last_quarter))

    at = run_app()
    widget(at.sidebar.radio, "Period").set_value("Quarter").run()
    assert_ran(at)

    assert widget(at.sidebar.selectbox, "Quarter").value.startswith("2025-26 Q4")
    assert quarter["reached"] != year_reached
    figures = shown(at)
    assert {k: figures[k] for k in REACH_LABELS.values()} == reach_strings(quarter)


def test_choosing_an_activity(sample_app: Path, sample: duckdb.DuckDBPyConnection) -> None:
    assert ACTIVITY in inventory.activities(sample)
    period = inventory.default_period(sample)
    everyone = reach.reach(sample, Filters(period))
    f = Filters(period, (ACTIVITY,))
    one = reach.reach(sample, f)
    income = funding.income(sample, f)

    at = run_app()
    widget(at.sidebar.multiselect, "Activity").set_value([ACTIVITY]).run()
    assert_ran(at)

    assert one["reached"] < everyone["reached"]
    figures = shown(at)
    assert {k: figures[k] for k in REACH_LABELS.values()} == reach_strings(one)
    assert figures["Income in the period"] == f"£{income:,.0f}"
    assert all(ACTIVITY in " ".join(spec["title"]["subtitle"]) for spec in charts(at))


def test_own_small_data_is_suppressed_without_the_sample_banner(small_app: Path) -> None:
    with store.connect(small_app, read_only=True) as con:
        figures = reach.reach(con, Filters(inventory.default_period(con)))
    assert figures["reached"] == 3 and figures["attendances"] == 4

    at = run_app()

    assert not sample_banner(at)
    assert shown(at)["People reached"] == "<8"
    assert shown(at)["New to the service"] == "<8"
    assert shown(at)["Attendances"] == "4"
    assert not deltas(at)["People reached"], "a change would give the small count away"

    at.number_input(key="threshold").set_value(10).run()
    assert_ran(at)
    assert shown(at)["People reached"] == "<10"


@pytest.mark.parametrize(("role", "lowest"), [("manager", 8), ("administrator", 5)])
def test_only_an_administrator_may_lower_the_threshold_on_screen(small_app: Path, role: str, lowest: int) -> None:
    at = run_app(role)
    assert at.number_input(key="threshold").min == lowest
    if role == "administrator":  # the 3 people reached stay hidden, now as "<5"
        at.number_input(key="threshold").set_value(5).run()
        assert_ran(at)
        assert shown(at)["People reached"] == "<5"
