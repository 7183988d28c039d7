"""The Reach page in plain words, run headless with AppTest on a copy of the sample: it leads with who is reached and
who is missed, explains Core20, says that activity bars overlap, and never speaks of representation ratios; and it
still draws with one quarter and one activity."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from pipelines import reach
from pipelines.disclosure import Disclosure
from pipelines.periods import Period
from pipelines.query import Filters
from tests.apphelpers import (
    SamplePages,
    app_with_own_data,
    assert_ran,
    charts,
    open_page,
    open_section,
    section_names,
    widget,
)

pytestmark = pytest.mark.usefixtures("app_runtime")

FY25 = Filters(Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31)))
ACTIVITY = "Tuesday peer support group"  # one of the sample's activities


def page_text(at: AppTest) -> str:
    """Everything the page writes: markdown, captions, metrics and the charts' titles, subtitles and words."""
    words = [m.value for m in at.markdown] + [c.value for c in at.caption]
    words += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    return "\n".join(words + [json.dumps(spec, ensure_ascii=False) for spec in charts(at)])


def compared_charts(at: AppTest) -> list[tuple[dict, list[dict]]]:
    """Each 'Who the service reaches by …' chart: its spec, and the rows of the words above its bars."""
    found = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        if title(spec).startswith("Who the service reaches by"):
            frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in element.proto.datasets]
            found.append(
                (spec, [r for f in frames if "slot" in f for r in f.to_dict("records") if r["slot"] == "reading"])
            )
    return found


def subtitle(spec: dict) -> str:
    return " ".join(spec.get("title", {}).get("subtitle", []))


def title(spec: dict) -> str:
    text = spec.get("title", {}).get("text", "")
    return " ".join(text) if isinstance(text, list) else text


def test_the_page_leads_with_plain_words(sample_pages: SamplePages, sample: duckdb.DuckDBPyConnection) -> None:
    at = sample_pages.opened("pages/reach.py").at
    lead = at.markdown[0].value  # before the tabs and their charts
    assert lead == "\n\n".join(reach.in_brief(sample, FY25, reach.ENGLAND, Disclosure.screen()))
    assert lead.startswith(
        f"In financial year 2025-26, **{reach.reach_figures(sample, FY25, Disclosure.screen())['labels']['reached']} people**"
    )
    assert "**Who is missed:** compared with England (Census 2021)" in lead
    assert "White (ethnic group)" in lead  # the sample reaches fewer White people than England has
    assert "most deprived 20% of areas in England (Core20" in lead


def test_no_representation_ratio_and_no_unexplained_jargon(sample_pages: SamplePages) -> None:
    text = "\n".join(page_text(run.at) for run in sample_pages.sections("pages/reach.py")).lower()
    assert "representation ratio" not in text
    assert "over-represented" not in text and "under-represented" not in text
    assert "fewer than their share" in text and "more than their share" in text


def test_core20_is_explained(sample_pages: SamplePages) -> None:
    explained = "Core20 is the most deprived 20% of areas in England by the Index of Multiple Deprivation"
    assert any(explained in m.value for m in sample_pages.opened("pages/reach.py", "Deprivation").at.markdown)
    deprivation, words = next(
        c
        for c in compared_charts(sample_pages.opened("pages/reach.py", "Against the population").at)
        if title(c[0]).startswith("Who the service reaches by dep")
    )
    assert explained in subtitle(deprivation) and "NHS England" in subtitle(deprivation)
    assert "more than their share is the aim" in subtitle(deprivation)
    # the sample reaches the most deprived fifth more than its share: said as the aim, in the aim's colour
    assert (words[0]["text"], words[0]["colour"]) == ("▲ more than their share: the aim", "aim")


def test_activity_bars_say_one_person_can_be_in_several(sample_pages: SamplePages) -> None:
    at = sample_pages.opened("pages/reach.py").at
    note = "One person can take part in several, so the bars add up to more than the people reached."
    by_activity = next(s for s in charts(at) if title(s) == "People reached by activity")
    assert note in subtitle(by_activity)
    assert all(note not in subtitle(s) for s in charts(at) if title(s) == "How people were referred")


def test_one_quarter_and_one_activity(sample_app: Path) -> None:
    at = open_page("pages/reach.py", "Reach")
    widget(at.sidebar.radio, "Period").set_value("Quarter").run()
    widget(at.sidebar.multiselect, "Activity").set_value([ACTIVITY]).run()
    assert_ran(at)
    assert not at.error
    assert at.markdown[0].value.startswith("In 2025-26 Q4, ")
    compared = compared_charts(open_section(at, "Against the population"))
    assert len(compared) == 4  # ethnic group, age band, gender, deprivation: England's benchmarks
    for _, words in compared:  # every group keeps its words, shown or not
        assert words and all(row["text"] for row in words)


# The Five Ways to Wellbeing ------------------------------------------------------------------------------------


def tagged_register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tags: bool) -> Path:
    """10 people at a walk (tagged Be active and Connect on the register) on two days, 3 of them at a course on one."""
    register = [["participant_id", "session_date", "activity", *(["ways"] if tags else [])]]
    for day in (dt.date(2024, 5, 7), dt.date(2024, 5, 14)):
        register += [[f"P{i}", day, "Walk", *(["Be active; Connect"] if tags else [])] for i in range(10)]
    register += [[f"P{i}", dt.date(2024, 5, 9), "Course", *(["Keep learning"] if tags else [])] for i in range(3)]
    return app_with_own_data(tmp_path, monkeypatch, {"Register": register})


def test_people_and_sessions_by_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tagged_register(tmp_path, monkeypatch, tags=True)
    at = open_section(open_page("pages/reach.py", "Reach"), "Five Ways")
    chart = next(s for s in charts(at) if title(s) == "People reached by way to wellbeing")
    assert "One person counts under each way of each activity they attended" in subtitle(chart)
    element = next(e for e in at.get("vega_lite_chart") if title(json.loads(e.proto.spec)) == title(chart))
    frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in element.proto.datasets]
    words = next(dict(zip(f["group"], f["words"], strict=True)) for f in frames if "words" in f)
    assert words == {
        "Connect": "10 people, 2 sessions",
        "Be active": "10 people, 2 sessions",
        "Take notice": "0 people, 0 sessions",
        "Keep learning": "<8 people, 1 session",
        "Give": "0 people, 0 sessions",
    }
    assert "A session counts under each way of its activity." in [c.value for c in at.caption]


def test_without_ways_reach_says_how_to_record_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tagged_register(tmp_path, monkeypatch, tags=False)
    at = open_section(open_page("pages/reach.py", "Reach"), "Five Ways")
    assert any(i.value.startswith("No activity has its Five Ways to Wellbeing recorded yet") for i in at.info)
    assert "People reached by way to wellbeing" not in [title(s) for s in charts(at)]


def test_only_the_open_section_is_drawn_and_it_stays_open(sample_app: Path) -> None:
    at = open_page("pages/reach.py", "Reach")
    assert section_names(at) == ["Activity", "Who", "Against the population", "Deprivation", "Five Ways"]
    titles = [title(s) for s in charts(at)]
    assert "People reached each quarter" in titles
    assert not [t for t in titles if t.startswith(("Who the service reaches", "People reached by age band"))]
    open_section(at, "Who")
    widget(at.sidebar.radio, "Period").set_value("Quarter").run()  # another run, with other filters
    assert_ran(at)
    assert [title(s) for s in charts(at)] == ["People reached by age band"]
