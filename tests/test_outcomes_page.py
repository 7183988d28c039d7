"""The Outcomes page run headless with AppTest: every measure shows the figures pipelines.outcomes computes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines import goals, inventory, outcomes, stats, store, verdict
from pipelines.disclosure import Disclosure
from pipelines.measures import MEASURES
from pipelines.query import Filters
from tests.apphelpers import (
    SamplePages,
    app_with_own_data,
    assert_ran,
    chart_titles,
    charts,
    open_page,
    open_section,
    rerun_with,
    title_text,
    widget,
)

pytestmark = pytest.mark.usefixtures("app_runtime")


SCREEN = Disclosure.screen()
CATEGORIES = {"improved": "Improved", "no_reliable_change": "No reliable change", "deteriorated": "Deteriorated"}


# Fixtures -----------------------------------------------------------------------------------------


def own_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, people: int) -> Path:
    """A charity's own small upload (not the sample): ``people`` people with WEMWBS in May and in November 2024."""
    register = [["participant_id", "session_date", "activity"]]
    scores = [["participant_id", "date", "WEMWBS total"]]
    for i in range(people):
        register.append([f"P{i}", dt.date(2024, 5, 7), "Peer group"])
        scores += [[f"P{i}", dt.date(2024, 5, 1), 40 + i % 5], [f"P{i}", dt.date(2024, 11, 1), 42 + i % 7]]
    return app_with_own_data(tmp_path, monkeypatch, {"Register": register, "Scores": scores})


# Helpers --------------------------------------------------------------------------------------------------------


def open_outcomes() -> AppTest:
    return open_page("pages/outcomes.py", "Outcomes")


def headline_strings(result: dict, safe: dict) -> dict[str, tuple[str, str | None]]:
    """The headline metrics as the page should show them: label -> (value, delta)."""
    ci, srm, n = result["ci95"], result["srm"], result["pairs"]
    assert n >= 8 and result["with_baseline"] >= 8 and result["followup_rate"] * result["with_baseline"] >= 8
    expected = {
        "People with two scores": (f"{n:,}", None),
        "Follow-up rate": (f"{result['followup_rate']:.0%}", None),
        "Mean score, first → latest": (f"{result['baseline_mean']:.1f} → {result['followup_mean']:.1f}", None),
        "Mean change (points)": (f"{result['mean_change']:+.1f}", f"95% CI {ci[0]:+.1f} to {ci[1]:+.1f}"),
        "Standardised change (how big it is)": (
            f"{srm['srm']:.2f}",
            f"{stats.size_in_words(srm['srm'])}; roughly {srm['ci_low']:.2f} to {srm['ci_high']:.2f}",
        ),
    }
    for part in safe["changes"].itertuples():  # small ones '<8', and a second one hidden '–', without a share
        count = result[part.part]
        shown = (f"{count / n:.0%}", f"{count:,} people")
        expected[CATEGORIES[part.part]] = (part.label, None) if part.hidden else shown
    return expected


def metrics_shown(at: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}


# The page with the sample ---------------------------------------------------------------------------------------


def test_measure_choice_lists_the_measures_with_data(
    sample_pages: SamplePages, sample: duckdb.DuckDBPyConnection
) -> None:
    at = sample_pages.opened("pages/outcomes.py").at
    choice = widget(at.selectbox, "Measure")
    gbo = ["Goal-Based Outcomes (GBO)"] if goals.has_goals(sample) else []
    assert choice.options == inventory.measures_with_data(sample) + gbo
    assert choice.value == inventory.main_measure(sample) == "WEMWBS"


def test_every_measure(sample_app: Path, sample: duckdb.DuckDBPyConnection) -> None:
    period = inventory.default_period(sample)
    f = Filters(period)
    measures = inventory.measures_with_data(sample)
    assert {"WEMWBS", "CORE-10", "ONS4 anxious"} <= set(measures), "a threshold, a clinical cut-off and a low band"
    at = open_outcomes()
    for measure in measures:
        widget(at.selectbox, "Measure").set_value(measure).run()
        assert_ran(at)
        sections = each_section(at)
        result = outcomes.outcome_figures(sample, f, measure)
        safe = outcomes.headline(sample, f, measure, SCREEN)
        assert safe["shown"], f"the sample has at least 8 {measure} pairs"

        words = [md.value for md in at.markdown]
        assert (
            words[0].endswith("Does it work?**") and words[1] == verdict.does_it_work(sample, f, measure, SCREEN).text
        )
        assert f"completed the {MEASURES[measure].full_name} twice" in words[1]
        sentence = outcomes.summary_sentence(measure, safe, period.label)
        assert f"completed {MEASURES[measure].questionnaire} twice" in sentence
        assert [c.value for c in at.code] == [sentence], "a sentence for a bid is offered to copy"
        assert [w.value for w in at.warning] == result["warnings"], measure

        found = {k: v for section in sections.values() for k, v in section["metrics"].items()}
        expected = headline_strings(result, safe)
        assert {k: found.get(k) for k in expected} == expected, measure
        if MEASURES[measure].reliable_change is None:
            assert not set(CATEGORIES.values()) & set(found), f"{measure} has no threshold to improve by"

        titles = [t for section in sections.values() for t in section["titles"]]
        assert f"Change in {measure} by activity" in titles, titles  # the forest plot
        assert f"Change in {measure} by sessions attended between the two questionnaires" in titles
        assert f"Change in {measure}, by quarter of follow-up" in titles
        assert f"{measure}: first and latest score" in titles
        assert f"How much {measure} scores changed" in titles
        assert f"Mean {measure} score, first and latest" in titles
        assert (f"Who improved on {measure}" in titles) == (MEASURES[measure].reliable_change is not None)
        assert sections["Change"]["menus"] == len(sections["Change"]["titles"]) - 1  # not the slope chart
        assert all(s["menus"] == len(s["titles"]) for name, s in sections.items() if name != "Change")

        if measure == "CORE-10" or measure.startswith("ONS4"):
            assert_clinical(found, outcomes.clinical(sample, f, measure) or outcomes.low_band(sample, f, measure))
        gaps = outcomes.completeness(sample, f, measure)
        missing = gaps["missing_answer"]
        written = f"{missing:,}" if missing >= 8 and gaps["questionnaires"] - missing >= 8 else "<8" if missing else "0"
        assert found["Questionnaires with a missing answer"][0] == f"{written} of {gaps['questionnaires']:,}"


def each_section(at: AppTest) -> dict[str, dict]:
    """The metrics, the charts' titles and the number of Download menus with each section of the page open."""
    found = {}
    for name in ("Change", "For whom", "Over time", "Sessions attended", "Clinical measures", "Data completeness"):
        open_section(at, name)
        found[name] = {"metrics": metrics_shown(at), "titles": chart_titles(at), "menus": len(at.get("popover"))}
    return found


def assert_clinical(found: dict[str, tuple[str, str | None]], clinical: dict) -> None:
    """Each figure as a share of its whole with 'n of whole' under it; both parts at least 8, or '–' and '<8'; a
    figure of the cases is withheld where the cases are (the page's published set hides them together)."""
    n = clinical["pairs"]
    cases = clinical.get("cases_baseline")
    expected = (
        {
            "Above cut-off, first": (clinical["cases_baseline"], n),
            "Above cut-off, latest": (clinical["cases_followup"], n),
            "Recovery": (clinical["recovered"], cases),
            "Reliable improvement": (clinical["reliably_improved"], n),
            "Reliable recovery": (clinical["reliably_recovered"], cases),
            "Reliable deterioration": (clinical["reliably_deteriorated"], n),
        }
        if cases is not None
        else {"In the band, first": (clinical.get("baseline"), n), "In the band, latest": (clinical.get("followup"), n)}
    )
    cases_shown = cases is not None and cases >= 8 and n - cases >= 8
    for label, (count, total) in expected.items():
        if label in ("Recovery", "Reliable recovery") and not cases_shown:  # '14 of 47' would give the cases away
            assert found[label] == ("–", f"{'0' if count == 0 else '–'} of –"), label
            continue
        shown = count >= 8 and total - count >= 8
        written = f"{count:,}" if shown else "<8" if 0 < count < 8 else "–" if count else "0"
        share = f"{count / total:.0%}" if shown or (count == 0 and total >= 8 and total - count >= 8) else "–"
        assert found[label] == (share, f"{written} of {total:,}"), label


def assert_downloads(at: AppTest) -> None:
    """A Download menu beside every chart drawn, but the slope chart's (one line per person never leaves the app)."""
    assert len(at.get("popover")) == len(charts(at)) - 1


def test_for_whom_switches_the_breakdown(sample_app: Path) -> None:
    at = open_section(open_outcomes(), "For whom")
    assert "Change in WEMWBS by activity" in chart_titles(at)
    choice = widget(at.radio, "Break down by")
    assert choice.options == [
        "Activity", "Type of activity", "Age band", "Gender", "Ethnic group", "Disability",
        "Deprivation (IMD quintile, 1 = most deprived)",
    ]  # fmt: skip
    titles = rerun_with(choice, "gender")
    assert "Change in WEMWBS by gender" in titles
    assert "Change in WEMWBS by activity" not in titles
    titles = rerun_with(widget(at.radio, "Break down by"), "imd_quintile")
    assert "Change in WEMWBS by deprivation (IMD quintile, 1 = most deprived)" in titles


# The page with a charity's own small data -----------------------------------------------------------------------


@pytest.mark.parametrize("people", [3, 7])
def test_too_few_people_shows_no_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, people: int) -> None:
    db = own_data(tmp_path, monkeypatch, people=people)
    with store.connect(db, read_only=True) as con:
        result = outcomes.outcome_figures(con, Filters(inventory.default_period(con)), "WEMWBS")
    assert result["pairs"] == people

    at = open_outcomes()
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and warnings[0].startswith("Fewer than 8 people have two WEMWBS scores"), warnings
    assert not at.metric and not at.code and not charts(at)  # the slope chart neither
    assert not at.get("popover")


def test_a_few_dozen_people_get_a_line_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own_data(tmp_path, monkeypatch, people=10)  # at least 8, at most 40: the slope chart draws each person
    at = open_outcomes()
    assert metrics_shown(at)["People with two scores"] == ("10", None)
    assert "WEMWBS: first and latest score" in chart_titles(at)
    slope = next(s for s in charts(at) if title_text(s) == "WEMWBS: first and latest score")
    assert "Each line is one person." in slope["title"]["subtitle"]
    assert_downloads(at)  # every chart but the slope chart


# Goal-Based Outcomes and the Five Ways to Wellbeing -----------------------------------------------------------------


def goals_and_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scores: bool = True, tagged: bool = True) -> Path:
    """16 people, P0–P7 in one-to-one support (Connect, Take notice; staff-led), P8–P15 in a peer group (Connect,
    Give; peer-led), each with WEMWBS and one goal rated in May and November 2024: P0–P7's goals rise by 4 points
    (reliable progress), P8–P15's by 1."""
    register = [["participant_id", "session_date", "activity"]]
    goal_rows = [["participant_id", "goal number", "date", "rating", "goal area"]]
    wemwbs = [["participant_id", "date", "WEMWBS total"]]
    for i in range(16):
        register.append([f"P{i}", dt.date(2024, 5, 7), "One to one" if i < 8 else "Peer group"])
        area = "Managing mood" if i % 2 else "Relationships"
        goal_rows += [
            [f"P{i}", 1, dt.date(2024, 5, 1), 2, area],
            [f"P{i}", 1, dt.date(2024, 11, 1), 6 if i < 8 else 3, area],
        ]
        wemwbs += [[f"P{i}", dt.date(2024, 5, 1), 40 + i % 5], [f"P{i}", dt.date(2024, 11, 1), 42 + i % 7]]
    sheets = {"Register": register, "Goals": goal_rows}
    if scores:
        sheets["Scores"] = wemwbs
    if tagged:
        sheets["Activities"] = [
            ["activity", "ways", "peer led"],
            ["One to one", "Connect; Take notice", "no"],
            ["Peer group", "Connect; Give", "yes"],
        ]
    return app_with_own_data(tmp_path, monkeypatch, sheets)


def test_goal_based_outcomes_is_a_measure_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = goals_and_ways(tmp_path, monkeypatch)
    with store.connect(db, read_only=True) as con:
        f = Filters(inventory.default_period(con))
        result = goals.headline(con, f, SCREEN)
        lead = goals.in_words(result, f.period.label)
    assert result["shown"] and result["share_improved"] == 0.5
    at = open_outcomes()
    choice = widget(at.selectbox, "Measure")
    assert choice.options == ["WEMWBS", "Goal-Based Outcomes (GBO)"] and choice.value == "WEMWBS"
    choice.set_value(goals.NAME).run()
    assert_ran(at)
    assert lead in [md.value for md in at.markdown]
    assert lead.startswith("In financial year 2024-25, of the 16 goals that 16 people set and rated twice, 50% moved")
    found = metrics_shown(at)
    assert found["Goals rated twice"] == ("16", "of 16 people")
    assert found["Goals with reliable progress"] == ("50%", "3 points or more")
    assert found["People with reliable progress on a goal"][0] == "50%"
    assert found["Mean change (points)"][0] == "+2.5"
    titles = []
    for section in ("Progress", "By goal area", "For whom", "Five Ways"):
        open_section(at, section)
        titles += chart_titles(at)
        assert len(at.get("popover")) == len(charts(at)), section  # every chart can be downloaded
    for title in (
        "Progress towards people's own goals",
        "Change in goal rating by goal area",
        "Change in goal rating by activity",
        "Change in goal rating by way to wellbeing",
        "Change in goal rating by peer-led or staff-led",
    ):
        assert title in titles, titles


def test_the_five_ways_for_a_questionnaire(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    goals_and_ways(tmp_path, monkeypatch)
    at = open_section(open_outcomes(), "Five Ways")
    titles = chart_titles(at)
    assert "Change in WEMWBS by way to wellbeing" in titles and "Change in WEMWBS by peer-led or staff-led" in titles
    assert any(md.value.startswith("**By the Five Ways to Wellbeing**") for md in at.markdown)
    forest = next(s for s in charts(at) if title_text(s) == "Change in WEMWBS by peer-led or staff-led")
    rows = next(layer["encoding"]["y"]["sort"] for layer in forest["layer"] if "y" in layer.get("encoding", {}))
    assert rows == ["Peer-led (n=8)", "Staff-led (n=8)"]


def test_without_ways_the_page_says_how_to_record_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    goals_and_ways(tmp_path, monkeypatch, tagged=False)
    at = open_section(open_outcomes(), "Five Ways")
    assert any(i.value.startswith("No activity has its Five Ways to Wellbeing recorded yet") for i in at.info)
    assert "Change in WEMWBS by way to wellbeing" not in chart_titles(at)


def test_goals_without_questionnaires_open_on_goals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    goals_and_ways(tmp_path, monkeypatch, scores=False)
    at = open_outcomes()
    assert widget(at.selectbox, "Measure").options == ["Goal-Based Outcomes (GBO)"]
    assert "Progress towards people's own goals" in chart_titles(at)
