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
    first_ever = {id(p): min(v.day for q, v in attended if q is p) for p, _ in attended}
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

    lines = [line for line in sample.funding_records(1) if line["status"] == "secured"]
    assert summary["funding"]["income"] == pytest.approx(sum(share(line) for line in lines))
