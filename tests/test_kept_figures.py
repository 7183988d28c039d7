"""The reach counts kept at load time (store.BY_QUARTER, read by reach.reach and reach.reach_by_quarter) are the counts
worked out from the register's rows, after any mix of loads, corrections and rollbacks; and rolling back the newest
upload puts them back exactly as they were before it."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from pipelines import reach, store
from pipelines.periods import Period, financial_year, fy_quarter
from pipelines.query import Filters

ACTIVITIES = ("Peer support", "Art group", "Walk and talk")
DAYS = (dt.date(2024, 4, 2), dt.date(2024, 6, 30), dt.date(2024, 7, 1), dt.date(2024, 9, 14), dt.date(2025, 1, 6),
        dt.date(2025, 3, 31), dt.date(2025, 4, 1))  # fmt: skip  # quarter edges on both sides, across two years
STATUSES = ("attended", "did not attend", "cancelled")
ROW = st.tuples(st.sampled_from([f"P{n}" for n in range(6)]), st.sampled_from(DAYS), st.sampled_from(ACTIVITIES),
                st.sampled_from(STATUSES))  # fmt: skip
STEP = st.one_of(st.tuples(st.just("load"), st.lists(ROW, min_size=1, max_size=12)), st.just(("roll back newest",)))
SPAN = Period(financial_year(DAYS[0]).start, financial_year(DAYS[-1]).end)  # whole quarters: eight of them


def load_rows(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> int:
    """One upload of register rows (a row whose key an earlier upload holds corrects it), as ingest.load stores them."""
    frame = pd.DataFrame(
        [dict.fromkeys(store.COLUMNS["attendance"]) | dict(zip(ROW_FIELDS, row, strict=True)) for row in rows]
    ).assign(source_row=range(2, len(rows) + 2))
    with store.transaction(con):
        upload_id = store.add_upload(con, "register.xlsx", f"{len(rows)}", False, {}, [], loaded_by="test")
        store.insert(con, "attendance", upload_id, frame)
    return upload_id


ROW_FIELDS = ("participant_id", "session_date", "activity", "attended")


def kept(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT * FROM attendance_by_quarter ORDER BY ALL").fetchall()


def assert_kept_match_the_rows(con: duckdb.DuckDBPyConnection) -> None:
    for activities in ((), *((a,) for a in ACTIVITIES)):
        f = Filters(SPAN, activities)
        assert reach.kept_for(f)
        pd.testing.assert_frame_equal(reach.reach_by_quarter(con, f), reach.reach_by_quarter(con, f, kept=False))
    one = Filters(fy_quarter(DAYS[2]), ACTIVITIES[:1])
    assert reach.reach(con, one) == reach.reach(con, one, kept=False)


@given(steps=st.lists(STEP, min_size=1, max_size=6))
def test_kept_counts_are_the_rows_counts_after_loads_corrections_and_rollbacks(steps: list[tuple]) -> None:
    con = duckdb.connect()
    store.create_schema(con)
    active: list[tuple[int, list[tuple]]] = []  # (upload, the kept counts before it), newest last
    for step in steps:
        if step[0] == "load":
            before = kept(con)
            active.append((load_rows(con, step[1]), before))
        elif active:
            upload_id, before = active.pop()
            store.rollback(con, upload_id)
            assert kept(con) == before, "rolling back the newest upload restores the counts exactly"
        assert_kept_match_the_rows(con)
    con.close()


def test_the_sample_reads_the_same_kept_or_worked_out(sample: duckdb.DuckDBPyConnection) -> None:
    """The bundled sample: every financial year it covers and its first quarter, every activity and all of them."""
    con = sample
    first, last = con.execute("SELECT min(session_date), max(session_date) FROM attendance").fetchone()
    activities = [a for (a,) in con.execute("SELECT DISTINCT activity FROM attendance ORDER BY 1").fetchall()]
    year = financial_year(first)
    while year.start <= last:
        for chosen in ((), *((a,) for a in activities)):
            f = Filters(year, chosen)
            pd.testing.assert_frame_equal(reach.reach_by_quarter(con, f), reach.reach_by_quarter(con, f, False))
            quarter = Filters(fy_quarter(year.start), chosen)
            assert reach.reach(con, quarter) == reach.reach(con, quarter, kept=False)
        year = financial_year(year.end + dt.timedelta(days=1))


def test_a_custom_period_or_several_activities_are_worked_out_from_the_rows() -> None:
    year = financial_year(DAYS[0])
    assert not reach.kept_for(Filters(Period(year.start, year.end - dt.timedelta(days=1))))
    assert not reach.kept_for(Filters(year, ACTIVITIES[:2]))
    assert reach.kept_for(Filters(fy_quarter(DAYS[2]), ACTIVITIES[:1]))


def test_a_database_made_before_the_kept_counts_gets_them_when_opened_even_to_read(tmp_path) -> None:
    db = tmp_path / "earlier.duckdb"
    con = store.connect(db)
    load_rows(con, [("P1", DAYS[0], ACTIVITIES[0], "attended")])
    con.execute("DROP TABLE attendance_by_quarter")  # as a database made by an earlier version is, which has no
    con.execute("DELETE FROM meta WHERE key = ?", [store.SCHEMA_KEY])  # digest of this version's schema either
    con.close()
    con = store.connect(db, read_only=True)
    assert reach.reach(con, Filters(fy_quarter(DAYS[0])))["reached"] == 1
    con.close()
