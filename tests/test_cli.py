"""The command line (docs/cli.md), run in-process: load, uploads, rollback and summary --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines import settings, store
from tests.helpers import run_cli, workbook

REGISTER = [
    ["participant_id", "session_date", "activity", "attended"],
    *[[p, "2024-05-01", "Peer", "yes"] for p in ("P1", "P2")],
    ["P1", "2024-11-01", "Peer", "yes"],
    ["P3", "2024-11-01", "Art", "DNA"],  # P3 only missed a session
]
PEOPLE = [["participant_id", "ethnicity", "imd_decile"], ["P1", "A", 1], ["P2", None, 6]]
SCORES = [
    ["participant_id", "date", "WEMWBS total", "Comments"],
    ["P1", "2024-05-01", 40, ""],
    ["P1", "2024-11-01", 46, ""],
    ["P2", "2024-05-01", 50, ""],
    ["P2", "2024-11-01", 49, ""],
]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("IMPACT_SECRET_FILE", raising=False)
    monkeypatch.delenv("IMPACT_DB", raising=False)
    return tmp_path / "t.duckdb"


@pytest.fixture
def q1(tmp_path: Path) -> Path:
    path = tmp_path / "q1.xlsx"
    path.write_bytes(workbook({"Register": REGISTER, "People": PEOPLE, "Scores": SCORES}))
    return path


def test_load(db, q1, capsys):
    code, out, _ = run_cli(capsys, "load", str(q1), "--db", str(db))
    assert code == 0
    assert "Upload 1: q1.xlsx" in out
    assert "attendance 4 new" in out and "wellbeing 4 new" in out
    assert "note:" in out and "'Comments'" in out  # the ignored column is reported
    assert db.exists() and Path(f"{db}.key").exists()


def test_load_of_a_bad_file_prints_every_problem_and_loads_nothing(db, tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    rows = [REGISTER[0], ["P1", "31/02/2025", "Peer", "yes"], ["P2", "2024-05-01", "Peer", "perhaps"]]
    bad.write_bytes(workbook({"Register": rows}))
    code, out, err = run_cli(capsys, "load", str(bad), "--db", str(db))
    assert code == 1
    assert "Nothing was loaded: 2 problems" in err
    assert "row 2, column B \"session_date\": '31/02/2025'" in err
    assert "row 3, column D \"attended\": 'perhaps'" in err
    assert "Upload" not in out
    assert run_cli(capsys, "uploads", "--db", str(db))[1] == ""  # no uploads


def test_a_batch_with_one_bad_file_loads_neither(db, q1, tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, _, err = run_cli(capsys, "load", str(q1), str(empty), "--db", str(db))
    assert code == 1 and "empty.csv" in err and "empty" in err
    assert run_cli(capsys, "uploads", "--db", str(db))[1] == ""


def test_uploads_and_rollback(db, q1, tmp_path, capsys):
    run_cli(capsys, "load", str(q1), "--db", str(db))
    fix = tmp_path / "fix.csv"
    fix.write_text("participant_id,session_date,activity,attended\nP1,01/05/2024,Peer,no\n")
    assert run_cli(capsys, "load", str(fix), "--db", str(db))[0] == 0
    code, out, _ = run_cli(capsys, "uploads", "--db", str(db))
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "2" and "fix.csv" in lines[0] and "{'attendance': 1}" in lines[0]
    assert "q1.xlsx" in lines[1] and "'wellbeing': 4" in lines[1] and "active" in lines[1]

    code, out, _ = run_cli(capsys, "rollback", "2", "--db", str(db))
    assert code == 0 and "Upload 2 rolled back" in out
    out = run_cli(capsys, "uploads", "--db", str(db))[1]
    assert "rolled back" in out.splitlines()[0] and "active" in out.splitlines()[1]

    code, _, err = run_cli(capsys, "rollback", "2", "--db", str(db))
    assert code == 1 and "already rolled back" in err
    code, _, err = run_cli(capsys, "rollback", "9", "--db", str(db))
    assert code == 1 and "There is no upload 9" in err


def test_summary_json_shape(db, q1, capsys):
    run_cli(capsys, "load", str(q1), "--db", str(db))
    code, out, _ = run_cli(capsys, "summary", "--db", str(db), "--from", "2024-04-01", "--to", "2025-03-31", "--json")
    assert code == 0
    found = json.loads(out)
    assert {"period", "reach", "outcomes", "funding"} <= set(found)
    assert found["period"] == {"from": "2024-04-01", "to": "2025-03-31"}
    reach = found["reach"]
    assert {k: reach[k] for k in ("reached", "new", "attendances", "did_not_attend", "sessions_delivered")} == {
        "reached": 2,  # P1 and P2 (P3 only a DNA)
        "new": 2,
        "attendances": 3,
        "did_not_attend": 1,
        "sessions_delivered": 2,  # Peer on 1 May and 1 Nov
    }
    assert {"ethnicity_group", "age_band", "gender", "imd_quintile"} <= set(reach["by"])
    assert reach["by"]["ethnicity_group"] == {"White": 1, "Not known": 1}  # A = White British; P2 blank
    assert reach["by"]["imd_quintile"] == {"1": 1, "3": 1}  # deciles 1 and 6
    assert all(isinstance(n, int) for n in reach["by"]["imd_quintile"].values())
    wemwbs = found["outcomes"]["WEMWBS"]
    for key in ("pairs", "baseline_mean", "followup_mean", "mean_change", "ci95", "improved", "deteriorated"):
        assert key in wemwbs
    assert wemwbs["pairs"] == 2
    assert wemwbs["mean_change"] == pytest.approx(2.5)  # (+6 - 1) / 2
    assert wemwbs["improved"] == 1 and wemwbs["deteriorated"] == 0  # +6 >= 3; -1 is within 3
    assert wemwbs["followup_rate"] == 1.0  # both reached people with a baseline have a pair
    assert len(wemwbs["ci95"]) == 2
    funding = found["funding"]
    for key in ("income", "secured_next_year", "largest_funder_share", "runway_months", "cost_per_participant"):
        assert key in funding
    assert funding["income"] == 0.0  # no funding loaded: nothing secured
    # figures that cannot be computed are null
    assert funding["largest_funder_share"] is None
    assert funding["runway_months"] is None
    assert funding["cost_per_participant"] is None
    assert funding["cost_per_improvement"] == {"WEMWBS": None}


def test_summary_without_dates_uses_the_latest_complete_financial_year(db, q1, capsys):
    run_cli(capsys, "load", str(q1), "--db", str(db))
    found = json.loads(run_cli(capsys, "summary", "--db", str(db), "--json")[1])
    # the data is all in 2024-25, which ended on 31 Mar 2025, before today
    assert found["period"] == {"from": "2024-04-01", "to": "2025-03-31"}


def test_summary_activity_filter_and_a_single_pair(db, q1, capsys):
    run_cli(capsys, "load", str(q1), "--db", str(db))
    november = ("--from", "2024-11-01", "--to", "2024-11-30")
    found = json.loads(run_cli(capsys, "summary", "--db", str(db), *november, "--activity", "Art")[1])
    assert found["activities"] == ["Art"]
    assert found["reach"]["reached"] == 0 and found["reach"]["did_not_attend"] == 1  # P3's DNA
    assert found["outcomes"]["WEMWBS"]["pairs"] == 0  # neither P1 nor P2 goes to Art
    assert found["outcomes"]["WEMWBS"]["mean_change"] is None
    wemwbs = json.loads(run_cli(capsys, "summary", "--db", str(db), *november, "--activity", "Peer")[1])["outcomes"][
        "WEMWBS"
    ]
    assert wemwbs["pairs"] == 2 and wemwbs["ci95"] is not None


def test_summary_with_a_period_that_ends_before_it_starts(db, q1, capsys):
    run_cli(capsys, "load", str(q1), "--db", str(db))
    code, _, err = run_cli(capsys, "summary", "--db", str(db), "--from", "2025-01-01", "--to", "2024-01-01")
    assert code == 1 and "before it starts" in err


def test_summary_of_an_empty_database(db, capsys):
    code, out, _ = run_cli(capsys, "summary", "--db", str(db), "--from", "2024-04-01", "--to", "2025-03-31", "--json")
    assert code == 0
    found = json.loads(out)
    assert found["reach"]["reached"] == 0
    assert found["outcomes"] == {}
    assert found["funding"]["cost_per_participant"] is None


# population -------------------------------------------------------------------------------------------------------


def _population(capsys, *codes: str) -> dict:
    code, out, _ = run_cli(capsys, "population", *codes, "--json")
    assert code == 0
    return json.loads(out)


@pytest.mark.parametrize(
    ("area", "dimension", "group", "count", "percent"),
    [
        # TS021: Dudley's Asian rows add up to 27,047 of 323,488 usual residents; Leeds White 641,801 of 811,953
        ("E08000027", "ethnicity_group", "Asian", 27_047, 8.4),
        ("E08000035", "ethnicity_group", "White", 641_801, 79.0),
        ("E08000027", "ethnicity", "Asian: Pakistani", 14_906, 4.6),
        # TS007 single years 18 to 24, of the 658,468 Leeds residents aged 16 and over
        ("E08000035", "age_band", "18-24", 96_213, 14.6),
        # IoD2019 Files 1 and 6: LSOAs of LAD 2019 E08000027 in deciles 1-2, 87,774 of 316,331 people (27.75%)
        ("E08000027", "imd_quintile", "1", 87_774, 27.7),
        ("E08000035", "imd_quintile", "1", 256_596, 33.2),
        # TS009: Leeds female 415,576 less girls aged 0-15
        ("E08000035", "gender", "Woman", 340_795, 51.8),
        # TS038: Dudley's LSOAs added up, disabled under the Equality Act (19.3% of 323,496, crude)
        ("E08000027", "disability", "Yes", 62_569, 19.3),
    ],
)
def test_population_of_an_authority(capsys, area: str, dimension: str, group: str, count: int, percent: float):
    found = _population(capsys, area)
    figures = found["dimensions"][dimension][group]
    assert figures["count"] == count and round(figures["share"], 1) == percent


def test_population_json_shape(capsys):
    found = _population(capsys, "E08000027")
    assert found["areas"] == [{"code": "E08000027", "name": "Dudley"}]
    dimensions = found["dimensions"]
    assert list(dimensions) == ["ethnicity_group", "ethnicity", "age_band", "gender", "disability", "imd_quintile"]
    assert set(dimensions["ethnicity_group"]) == {"White", "Asian", "Black", "Mixed", "Other"}
    assert len(dimensions["ethnicity"]) == 19
    assert list(dimensions["age_band"]) == ["16-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]
    assert list(dimensions["imd_quintile"]) == ["1", "2", "3", "4", "5"]
    for groups in dimensions.values():
        assert sum(g["share"] for g in groups.values()) == pytest.approx(100)


def test_population_of_two_authorities_adds_their_counts(capsys):
    both = _population(capsys, "E08000027", "e08000028")
    assert [a["name"] for a in both["areas"]] == ["Dudley", "Sandwell"]
    # 87,774 + 192,396 of 316,331 + 319,101 people
    assert both["dimensions"]["imd_quintile"]["1"] == {"count": 280_170, "share": pytest.approx(44.0913, abs=1e-4)}
    assert "imd_quintile" not in _population(capsys, "E08000027", "W06000015")["dimensions"]  # Cardiff: no IMD


def test_population_of_an_unknown_code(capsys):
    code, out, err = run_cli(capsys, "population", "E0800027", "--json")
    assert (code, out) == (1, "")
    assert "'E0800027': did you mean E08000027 Dudley" in err


def test_summary_gives_the_area_compared_with(db, q1, capsys):
    run_cli(capsys, "load", str(q1), "--db", str(db))
    period = ("--from", "2024-04-01", "--to", "2025-03-31")
    england = json.loads(run_cli(capsys, "summary", "--db", str(db), *period)[1])
    assert england["area"] == {"chosen": [], "compared_with": "England (Census 2021)"}
    assert england["reach"]["population"]["ethnicity_group"]["White"] == pytest.approx(81.0)

    con = store.connect(db)
    settings.save_area(con, ["E08000027"])
    con.close()
    dudley = json.loads(run_cli(capsys, "summary", "--db", str(db), *period)[1])
    assert dudley["area"] == {
        "chosen": [{"code": "E08000027", "name": "Dudley"}],
        "compared_with": "Dudley (Census 2021)",
    }
    population, people = dudley["reach"]["population"], dudley["reach"]["by"]
    assert set(population) == set(people)  # each dimension's population shares beside its people reached
    assert population["ethnicity_group"]["White"] == pytest.approx(100 * 274_596 / 323_488)
    assert population["imd_quintile"]["1"] == pytest.approx(100 * 87_774 / 316_331)
