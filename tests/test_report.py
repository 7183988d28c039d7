"""Report packs: what a funder's report covers, and every unknown choice refused with the known ones listed."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines import inventory, report
from pipelines.periods import Period
from pipelines.query import Filters
from pipelines.report import UnknownChoice


def test_a_funder_with_activities_covers_those_over_its_grants(sample: duckdb.DuckDBPyConnection) -> None:
    scope = report.scope(sample, funder="Dudley Council")
    assert scope.filters.activities == ("Men's walk and talk", "Wellbeing course: Managing anxiety")
    last_day = inventory.data_range(sample)[1]
    assert scope.filters.period == Period(dt.date(2024, 4, 1), last_day), "grants run to Dec 2026: data ends first"
    assert list(scope.grants["title"]) == ["Wellbeing courses 2024-26", "Men's mental health: walk and talk"]


def test_a_grant_without_an_activity_funds_the_whole_service(sample: duckdb.DuckDBPyConnection) -> None:
    scope = report.scope(sample, funder="Lloyds Bank Foundation")
    assert scope.filters.activities == () and scope.who == "the whole service"
    assert scope.filters.period.start == inventory.data_range(sample)[0], "the grant began before the data"


def test_a_chosen_period_and_activity_win(sample: duckdb.DuckDBPyConnection) -> None:
    year = Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    scope = report.scope(sample, funder="Dudley Council", period=year, activities=("Men's walk and talk",))
    assert scope.filters == Filters(year, ("Men's walk and talk",))


def test_no_funder_means_the_whole_service_over_the_default_period(sample: duckdb.DuckDBPyConnection) -> None:
    assert report.scope(sample).filters == Filters(inventory.default_period(sample))


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ({"funder": "Dudley Counci"}, "no funder called 'Dudley Counci'. Did you mean 'Dudley Council'?"),
        ({"activities": ("Knitting",)}, "no activity called 'Knitting'. The activities are: 1:1 recovery support;"),
    ],
)
def test_unknown_choices_are_refused(sample: duckdb.DuckDBPyConnection, choice: dict, message: str) -> None:
    with pytest.raises(UnknownChoice, match=message.replace("(", r"\(").replace("?", r"\?")):
        report.scope(sample, **choice)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, report.SECTIONS), ("methods, outcomes", ("outcomes", "methods")), ("FUNDING", ("funding",))],
)
def test_sections_come_in_report_order(text: str | None, expected: tuple[str, ...]) -> None:
    assert report.sections(text) == expected


def test_an_unknown_section_is_refused() -> None:
    with pytest.raises(UnknownChoice, match="no section called 'outcome'. Did you mean 'outcomes'"):
        report.sections("outcome")
