"""Reading while a load runs: another session sees the figures from before the load or after it, never between."""

from __future__ import annotations

import threading

import pytest

from pipelines import ingest, reach, store
from pipelines.query import Filters
from tests.helpers import FY24, checked, load, workbook

REGISTER = [["participant_id", "session_date", "activity", "attended"]]
FIRST = workbook({"Register": [*REGISTER, *[[f"A{i}", "2024-06-04", "Peer", "yes"] for i in range(10)]]})
SECOND = workbook(
    {
        "People": [["participant_id", "gender"], *[[f"B{i}", "woman"] for i in range(5)]],
        "Register": [*REGISTER, *[[f"B{i}", "2024-06-11", "Art", "yes"] for i in range(5)]],
    }
)


def reached(con) -> int:
    return reach.reach(con, Filters(FY24))["reached"]


def test_a_reader_during_a_load_sees_the_figures_from_before_it(con, monkeypatch: pytest.MonkeyPatch) -> None:
    load(con, ("first.xlsx", FIRST))
    result = checked(con, ("second.xlsx", SECOND))
    halfway, go_on = threading.Event(), threading.Event()
    insert = store.insert

    def insert_then_wait(cursor, kind, upload_id, frame):
        insert(cursor, kind, upload_id, frame)
        halfway.set()  # one sheet written, the others not yet: the load's transaction is open
        assert go_on.wait(30)

    monkeypatch.setattr(store, "insert", insert_then_wait)
    writer = threading.Thread(target=ingest.load, args=(con.cursor(), result))
    writer.start()
    try:
        assert halfway.wait(30)
        reader = con.cursor()  # another session, as each page run has its own cursor
        assert reached(reader) == 10
        assert store.one(reader, "SELECT count(*) FROM uploads")[0] == 1
    finally:
        go_on.set()
        writer.join(30)
    assert not writer.is_alive()
    assert reached(con.cursor()) == 15, "and the whole load once it is committed"
