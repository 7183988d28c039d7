"""Published sets kept in the database (published.kept_site): read back for the same code and rows, worked out
again for any other, and never kept from a database open read-only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from pipelines import inventory, published, settings, store
from pipelines.audit import OPERATOR
from pipelines.disclosure import Disclosure
from pipelines.periods import Period
from pipelines.query import Filters
from tests.helpers import load, workbook

VIEWER = Disclosure.viewer()


def more_people() -> tuple[str, bytes]:
    """Twenty people in a peer group and three in an art group: the art group's three are hidden, and one more
    group with them, so the set is not empty."""
    rows = [[f"M{i:02}", dt.date(2024, 5, 8), "Peer group" if i < 20 else "Art group", "yes"] for i in range(23)]
    return "more.xlsx", workbook({"Register": [["participant_id", "session_date", "activity", "attended"], *rows]})


@pytest.fixture
def worked_out(monkeypatch: pytest.MonkeyPatch) -> list[Filters]:
    """The filters of each set worked out rather than read back."""
    found, site = [], published.site
    monkeypatch.setattr(published, "site", lambda con, f, d: found.append(f) or site(con, f, d))
    return found


def kept_rows(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM published_sets").fetchone()[0]


def test_a_set_is_worked_out_once_and_read_back(loaded: duckdb.DuckDBPyConnection, worked_out: list) -> None:
    load(loaded, more_people())
    f = Filters(inventory.default_period(loaded))
    first = published.kept_site(loaded, f, VIEWER)
    assert first and first == published.site(loaded, f, VIEWER)
    worked_out.clear()
    assert published.kept_site(loaded.cursor(), f, VIEWER) == first
    published.kept_site(loaded, f, Disclosure.screen())
    assert worked_out == [f], "the viewer's set is read back; the staff's is worked out once"
    assert kept_rows(loaded) == 2


def test_a_load_a_rollback_and_a_setting_each_give_the_set_of_the_rows_now(
    loaded: duckdb.DuckDBPyConnection, worked_out: list
) -> None:
    f = Filters(inventory.default_period(loaded))
    before = published.kept_site(loaded, f, VIEWER)
    (upload_id,) = load(loaded, more_people())
    after_load = published.kept_site(loaded, f, VIEWER)
    assert after_load == published.site(loaded, f, VIEWER) != before
    assert kept_rows(loaded) == 1, "the set of rows no longer there is dropped"
    store.rollback(loaded, upload_id)
    assert published.kept_site(loaded, f, VIEWER) == before
    digest = store.content_digest(loaded)
    settings.save_texts(loaded, {"charity_name": "Hope Street"}, by=OPERATOR)
    assert store.content_digest(loaded) != digest
    worked_out.clear()
    published.kept_site(loaded, f, VIEWER)
    assert worked_out == [f]


def test_who_signed_in_does_not_change_the_fingerprint(loaded: duckdb.DuckDBPyConnection) -> None:
    digest = store.content_digest(loaded)
    loaded.execute("INSERT INTO users VALUES ('someone', 'viewer', NULL, now())")
    loaded.execute("INSERT INTO published_sets (fingerprint, choice, hidden) VALUES ('x', 'y', '[]')")
    assert store.content_digest(loaded) == digest


def test_other_figures_code_works_the_set_out_again(
    loaded: duckdb.DuckDBPyConnection, worked_out: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = Filters(inventory.default_period(loaded))
    published.kept_site(loaded, f, VIEWER)
    monkeypatch.setattr(published, "_code_digest", lambda: "the next version")
    published.kept_site(loaded, f, VIEWER)
    assert worked_out == [f, f]


def test_new_reference_data_changes_the_fingerprint(tmp_path: Path) -> None:
    """A population table updated beside the code is read by the figures: its sets are worked out again."""
    (tmp_path / "reference").mkdir()
    (tmp_path / "figures.py").write_text("THRESHOLD = 8\n")
    census = tmp_path / "reference" / "census.csv"
    census.write_text("group,share\nWomen,0.51\n")
    before = published.files_digest(tmp_path)
    census.write_text("group,share\nWomen,0.52\n")
    assert published.files_digest(tmp_path) != before
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "figures.pyc").write_bytes(b"compiled")
    census.write_text("group,share\nWomen,0.51\n")
    assert published.files_digest(tmp_path) == before, "compiled files do not count"


def test_only_the_latest_sets_are_kept(loaded: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader choosing date after date adds a set each time: the oldest go, so the table stays small."""
    monkeypatch.setattr(published, "KEPT_SETS", 3)
    year = inventory.default_period(loaded)
    chosen = [Filters(Period(year.start, year.end - dt.timedelta(days=d))) for d in range(5)]
    for f in chosen:
        published.kept_site(loaded, f, VIEWER)
    kept = {row[0] for row in loaded.execute("SELECT choice FROM published_sets").fetchall()}
    assert kept == {f'["{f.period.start}", "{f.period.end}", [], "viewer", 8, 8, []]' for f in chosen[2:]}


def test_a_database_open_read_only_works_the_set_out_and_keeps_nothing(
    loaded: duckdb.DuckDBPyConnection, worked_out: list
) -> None:
    load(loaded, more_people())
    path, f = store.database_file(loaded), Filters(inventory.default_period(loaded))
    loaded.close()
    with store.connect(path, read_only=True) as reader:
        assert published.kept_site(reader, f, VIEWER) == published.site(reader, f, VIEWER)
        assert kept_rows(reader) == 0


def test_a_callers_transaction_is_left_alone(loaded: duckdb.DuckDBPyConnection) -> None:
    """The set is of the committed rows, worked out on a cursor of its own: the caller's transaction goes on."""
    f = Filters(inventory.default_period(loaded))
    committed = published.site(loaded, f, VIEWER)
    loaded.execute("BEGIN TRANSACTION")
    loaded.execute("DELETE FROM attendance_current")  # not committed: no one else sees it
    assert published.kept_site(loaded, f, VIEWER) == committed
    assert loaded.execute("SELECT count(*) FROM attendance_current").fetchone() == (0,)
    loaded.execute("ROLLBACK")
    assert kept_rows(loaded) == 1
