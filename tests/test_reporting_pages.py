"""The Reports page's reporting calendar and the Funding page's social value, with AppTest on a copy of the sample:
every report due in the next 12 months and the overdue ones, each making its funder's pack for exactly its period,
the calendar file; the value per £ spent beside the costs, in one sentence with its range and caveat."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from icalendar import Calendar

from pipelines import reporting
from pipelines.export import file_stem
from tests.apphelpers import SamplePages, assert_ran, open_page, record_downloads

pytestmark = pytest.mark.usefixtures("app_runtime")


def reports_on(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**") and "covering" in m.value]


def test_the_reports_page_lists_every_report_due_and_overdue(
    sample_pages: SamplePages, sample: duckdb.DuckDBPyConnection
) -> None:
    run = sample_pages.opened("pages/reports.py")
    today = dt.date.today()
    late = reporting.overdue(sample, today)
    coming = reporting.due_within(sample, reporting.ahead(today))
    assert late and coming, "the sample's grants owe reports around today"
    expected = [
        f"**{r.funder}**: {r.grant}  \n{'Was due' if r in late else 'Due'} **{r.due:%-d %B %Y}**, covering "
        f"{r.covers.dates}"
        for r in [*late, *coming]
    ]
    assert reports_on(run.at) == expected
    assert len([b for b in run.at.button if b.label == "Make this report pack"]) == len(late) + len(coming)
    [calendar] = [name for name in run.downloads if name.endswith(".ics")]
    events = Calendar.from_ical(run.downloads[calendar]).walk("VEVENT")
    assert [(e.decoded("dtstart"), str(e["summary"])) for e in events] == [
        (r.due, f"Report due to {r.funder}: {r.grant}") for r in coming
    ]


def test_a_reports_button_makes_that_funders_pack_for_its_period(
    sample_app: Path, sample: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = reporting.due_within(sample, reporting.ahead(dt.date.today()))[0]
    downloads: dict[str, object] = {}
    record_downloads(monkeypatch, downloads)
    at = open_page("pages/reports.py", "Reports")
    at.button(key="make-due-0").click().run()
    assert_ran(at)
    stem = file_stem("Brightside Mind", f"{first.funder} report", first.covers.short_label)
    assert {f"{stem}.{ext}" for ext in ("pdf", "docx", "zip")} <= set(downloads)
    assert first.covers.dates.replace(" – ", "-").lower().replace(" ", "-") in stem  # exactly its period


def test_the_funding_page_gives_the_social_value_per_pound(sample_pages: SamplePages) -> None:
    at = sample_pages.opened("pages/funding.py", "Value").at
    said = at.markdown[0].value
    # 2025-26: 74 people, mean change 47 / 74 points: 47 WELLBYs × £13,000 = £611,000; spending £415,363
    assert "**Social value:** The rise in life satisfaction of the 74 people who completed ONS4 twice is worth about " \
        "£611,000" in said  # fmt: skip
    assert "in 2019 prices, or £1.47 for every £1 spent" in said
    assert "nothing yet set aside" in said and "not all caused by the service" in said
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Social value per £1 spent"] == "£1.47"
    assert "Cost per person reached" in metrics and any(k.startswith("Cost per improvement on") for k in metrics)
    assert any(
        "ONS4 life satisfaction is recorded in Allotment group and Creative arts group" in i.value for i in at.info
    )
    assert any(
        "WEMWBS, SWEMWBS, CORE-10 and the other measures are not life satisfaction" in c.value for c in at.caption
    )


def test_the_overview_names_the_next_report_due(sample_pages: SamplePages, sample: duckdb.DuckDBPyConnection) -> None:
    at = sample_pages.opened("pages/overview.py").at
    sentence = reporting.next_due_in_words(sample, dt.date.today())
    assert sentence and sentence.startswith("The next report due is to ")
    shown = [m.value for m in at.markdown] + [str(getattr(e, "value", "")) for e in at.get("alert")]
    assert any(sentence in text for text in shown), sentence
