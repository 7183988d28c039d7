"""The bundled sample: the committed workbooks are the generator's output, and loading them gives the figures
the generator's own simulation implies (computed here in plain Python, independently of ingest and SQL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import ingest, sample, store

ROOT = Path(__file__).resolve().parent.parent
PIPELINES = [sys.executable, "-m", "pipelines"]

FY = (dt.date(2025, 4, 1), dt.date(2026, 3, 31))


@pytest.fixture(scope="module")
def people() -> list[sample.Person]:
    return sample.simulate(random.Random(2026))


@pytest.fixture(scope="module")
def loaded_by_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m pipelines load data/sample/*` into an empty database, as a user runs it: every workbook checked."""
    db = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    files = [str(p) for p in sorted(ingest.SAMPLE_DIR.glob("*.xlsx"))]
    subprocess.run([*PIPELINES, "load", *files, "--db", str(db)], check=True, capture_output=True, cwd=ROOT)
    return db


@pytest.fixture(scope="module")
def summary(loaded_by_cli: Path) -> dict:
    """`python -m pipelines summary --json` for the financial year 2025-26 on the sample loaded from the CLI."""
    db = str(loaded_by_cli)
    printed = subprocess.run(
        [*PIPELINES, "summary", "--json", "--db", db, "--from", FY[0].isoformat(), "--to", FY[1].isoformat()],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(printed.stdout)


def test_committed_sample_is_the_generators_output(tmp_path):
    """The workbooks and their checked sheets (read again here, by today's code): `python -m pipelines sample` if not."""
    written = sample.generate(tmp_path)
    committed = sorted(ingest.SAMPLE_DIR.glob("*.xlsx"))
    assert [p.name for p in written] == [p.name for p in committed]
    pairs = zip([*written, tmp_path / sample.CHECKED], [*committed, ingest.SAMPLE_DIR / sample.CHECKED], strict=True)
    for new, old in pairs:
        assert hashlib.sha256(new.read_bytes()).hexdigest() == hashlib.sha256(old.read_bytes()).hexdigest(), new.name


def test_checked_sheets_are_what_reading_the_workbooks_gives():
    paths = sorted(ingest.SAMPLE_DIR.glob("*.xlsx"))
    saved = sample.checked_sheets(paths, ingest.SAMPLE_DIR / sample.CHECKED)
    assert saved == [sample.read_workbook(p) for p in paths]


def test_checked_sheets_are_not_used_for_other_workbooks(tmp_path):
    paths = sorted(ingest.SAMPLE_DIR.glob("*.xlsx"))
    changed = tmp_path / paths[0].name
    changed.write_bytes(paths[0].read_bytes() + b"\0")
    checked = ingest.SAMPLE_DIR / sample.CHECKED
    assert sample.checked_sheets([changed, *paths[1:]], checked) is None
    assert sample.checked_sheets(paths[1:], checked) is None
    assert sample.checked_sheets(paths, tmp_path / "missing.json.gz") is None


STORED = ["uploads", "column_mappings", *(f"{kind}_history" for kind in store.COLUMNS)]


def test_load_sample_stores_what_checking_every_workbook_stores(loaded_by_cli, tmp_path):
    """The first start's quick load gives the same rows as the CLI's full check, with the same participant key."""
    db = tmp_path / "quick.duckdb"
    shutil.copyfile(f"{loaded_by_cli}.key", f"{db}.key")
    quick = store.connect(db)
    ingest.load_sample(quick)
    full = store.connect(loaded_by_cli, read_only=True)
    try:
        for table in STORED:
            query = f"SELECT * EXCLUDE (loaded_at) FROM {table}" if table == "uploads" else f"SELECT * FROM {table}"
            ordered = f"{query} ORDER BY ALL"
            assert quick.execute(ordered).fetchall() == full.execute(ordered).fetchall(), table
    finally:
        quick.close()
        full.close()


def _in_fy(day: dt.date) -> bool:
    return FY[0] <= day <= FY[1]


def test_reach_matches_the_simulation(people, summary):
    attended = [(p, v) for p in people for v in p.visits if v.status == "attended"]
    reached = {id(p) for p, v in attended if _in_fy(v.day)}
    first_ever: dict[int, dt.date] = {}
    for p, v in attended:
        first_ever[id(p)] = min(first_ever.get(id(p), v.day), v.day)
    expected = {
        "reached": len(reached),
        "new": sum(1 for pid in reached if _in_fy(first_ever[pid])),
        "attendances": sum(1 for _, v in attended if _in_fy(v.day)),
        "did_not_attend": sum(1 for p in people for v in p.visits if v.status == "did not attend" and _in_fy(v.day)),
        "sessions_delivered": len({(v.activity.name, v.day) for _, v in attended if _in_fy(v.day)}),
    }
    assert {k: summary["reach"][k] for k in expected} == expected
    assert expected["reached"] > 400  # a realistic sample, not an empty one


def test_wemwbs_outcomes_match_the_simulation(people, summary):
    changes = []
    for person in people:
        scored = sorted(
            (q.day, sum(q.answers["wemwbs"]))
            for q in person.questionnaires
            if "wemwbs" in q.answers and None not in q.answers["wemwbs"] and q.day <= FY[1]
        )
        if len(scored) > 1 and scored[-1][0] > scored[0][0] and _in_fy(scored[-1][0]):
            changes.append(scored[-1][1] - scored[0][1])
    result = summary["outcomes"]["WEMWBS"]
    assert result["pairs"] == len(changes)
    assert result["mean_change"] == pytest.approx(statistics.mean(changes))
    assert result["improved"] == sum(c >= 3 for c in changes)
    assert result["deteriorated"] == sum(c <= -3 for c in changes)
    assert 0 < result["deteriorated"] < result["improved"]  # not everyone improves


def test_funding_income_matches_the_funding_lines(summary):
    def share(line: dict) -> float:
        days = (line["end_date"] - line["start_date"]).days + 1
        overlap = (min(line["end_date"], FY[1]) - max(line["start_date"], FY[0])).days + 1
        return line["amount"] * max(overlap, 0) / days

    lines = [line for line in sample.funding_records(1, sample.reporting_plans(2026)) if line["status"] == "secured"]
    assert summary["funding"]["income"] == pytest.approx(sum(share(line) for line in lines))


# Goals, feedback, volunteering and the activity list ----------------------------------------------------------


@pytest.fixture(scope="module")
def voice(people: list[sample.Person]) -> sample.Voice:
    return sample.Voice.draw(people, 2026)


def stored(db: Path, sql: str) -> list[tuple]:
    with store.connect(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_goal_ratings_load_and_one_to_one_support_helps_people_furthest(voice, loaded_by_cli):
    goals: dict[tuple[int, int], list[dict]] = {}
    for rating in sorted(voice.goals, key=lambda r: r["date"]):
        goals.setdefault((id(rating["person"]), rating["goal_number"]), []).append(rating)
    rises: dict[str, list[int]] = {}
    for ratings in (r for r in goals.values() if len(r) > 1):
        rises.setdefault(ratings[0]["activity"], []).append(ratings[-1]["rating"] - ratings[0]["rating"])
    mean_rise = {activity: statistics.mean(r) for activity, r in rises.items()}
    assert (
        mean_rise["1:1 recovery support"]
        > mean_rise["Counselling"]
        > mean_rise["Wellbeing course: Managing anxiety"]
        > 0
    )
    first_day = {}
    for (person, _), ratings in goals.items():
        first_day[person] = min(first_day.get(person, ratings[0]["date"]), ratings[0]["date"])
    late = [key for key, ratings in goals.items() if ratings[0]["date"] > first_day[key[0]]]
    assert 0 < len(late) < 0.1 * len(goals)  # a few goals first rated at a later session
    assert {number for _, number in goals} == {1, 2, 3}
    assert stored(loaded_by_cli, "SELECT count(*), count(DISTINCT participant_id), sum(rating) FROM goals") == [
        (len(voice.goals), len({person for person, _ in goals}), sum(r["rating"] for r in voice.goals))
    ]


def test_feedback_is_mostly_good_with_a_dip_in_one_quarter_and_mostly_anonymous(voice, loaded_by_cli):
    answers: dict[int, list[str]] = {}
    for response in voice.feedback:
        answers.setdefault(sample.quarter_of(response["date"]), []).append(response["answer"])
    positive = {q: sum(a in ("Very good", "Good") for a in found) / len(found) for q, found in answers.items()}
    dip = positive.pop(sample.FFT_DIP_QUARTER)
    assert min(positive.values()) > 0.8 and dip < min(positive.values()) - 0.1
    named = sum(r["person"] is not None for r in voice.feedback)
    dont_know = sum(r["answer"] == "Don't know" for r in voice.feedback)
    assert 0 < named < len(voice.feedback) / 3 and 0 < dont_know < len(voice.feedback) / 20
    assert stored(
        loaded_by_cli, "SELECT count(*), count(participant_id), count(*) FILTER (answer = 'Don''t know') FROM feedback"
    ) == [(len(voice.feedback), named, dont_know)]


def test_volunteering_grows_with_lived_experience_among_the_volunteers(voice, loaded_by_cli):
    loaded = stored(loaded_by_cli, "SELECT month, activity, volunteers, hours, lived_experience FROM volunteering")
    assert sorted(loaded, key=str) == sorted((tuple(r.values()) for r in voice.volunteering), key=str)
    assert all(r["lived_experience"] <= r["volunteers"] for r in voice.volunteering)
    assert any(r["activity"] is None for r in voice.volunteering)  # the whole organisation
    volunteers = {}
    for r in voice.volunteering:
        volunteers[r["month"]] = volunteers.get(r["month"], 0) + r["volunteers"]
    assert volunteers[dt.date(2026, 3, 1)] > 1.3 * volunteers[dt.date(2024, 4, 1)]


def test_every_activity_is_listed_with_its_five_ways(loaded_by_cli):
    rows = stored(loaded_by_cli, "SELECT activity, ways, peer_led FROM activities")
    listed = {name: (ways, peer_led) for name, ways, peer_led in rows}
    assert set(listed) == {a.name for a in sample.ACTIVITIES}
    assert listed["Five Ways to Wellbeing course"] == (
        ["Connect", "Be active", "Take notice", "Keep learning", "Give"],
        False,
    )
    assert listed["Allotment group"] == (["Connect", "Be active", "Take notice", "Give"], False)
    assert listed["Tuesday peer support group"] == (["Connect", "Give"], True)
    assert listed["Counselling"] == (None, False)  # no ways given: not recorded
