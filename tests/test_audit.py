"""Every action checks the actor's role where it happens, and the audit trail records it (or its refusal)."""

from __future__ import annotations

import json

import duckdb
import pytest

from pipelines import audit, ingest, pack, sessions, settings, store, users
from pipelines.audit import OPERATOR, Actor, NotAllowed
from pipelines.problems import UploadRefused
from tests.helpers import checked, workbook
from ui.auth import DEMO

VIEWER, MANAGER, ADMIN = Actor("vic", "viewer"), Actor("mo", "manager"), Actor("ada", "administrator")
OTHER = {"Register": [["participant_id", "session_date", "activity", "attended"], ["P9", "2024-06-01", "Art", "yes"]]}


def trail(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, dict]]:
    """The audit rows, oldest first: who, action, details."""
    rows = con.execute("SELECT who, action, details FROM audit ORDER BY happened_at, rowid").fetchall()
    return [(who, action, json.loads(details)) for who, action, details in rows]


ACTIONS = {
    "load": lambda con, by: ingest.load(con, checked(con, ("other.xlsx", workbook(OTHER))), by=by),
    "rollback": lambda con, by: store.rollback(con, 1, by=by),
    "branding": lambda con, by: settings.save_brand(con, charity_name="Hope", colour="#112233", footnote="", by=by),
    "area": lambda con, by: settings.save_area(con, ["E08000027"], by=by),
    "users": lambda con, by: users.add(con, "newcomer", "viewer", None, by=by),
}
CHANGES = {  # every action that changes something, as the app calls it
    **ACTIONS,
    "volunteer rate": lambda con, by: settings.save_volunteer_rate(con, "12.50", by=by),
    "session limits": lambda con, by: sessions.save_limits(con, 10, 2, by=by),
    "set role": lambda con, by: users.set_role(con, "local-admin", "viewer", by=by),
    "remove": lambda con, by: users.remove(con, "local-admin", by=by),
}


def state(con: duckdb.DuckDBPyConnection) -> tuple:
    """Everything a refused action must leave as it was."""
    return (
        store.data_version(con),
        settings.texts(con),
        users.listing(con).values.tolist(),
        sessions.limits(con),
    )


@pytest.mark.parametrize("visitor", [DEMO, Actor("demo visitor", "administrator", demo=True)])
@pytest.mark.parametrize("action", list(CHANGES))
def test_the_demo_visitor_changes_nothing(loaded, visitor, action):
    users.add(loaded, "local-admin", "administrator", None, by=OPERATOR)
    before = state(loaded)
    with pytest.raises(NotAllowed, match="The demo only shows the sample"):
        CHANGES[action](loaded, visitor)
    assert state(loaded) == before
    who, what, _ = trail(loaded)[-1]
    assert (who, what.endswith(" refused")) == ("demo visitor", True)


def test_the_demo_visitor_may_download_from_the_sample_but_not_lower_suppression():
    assert audit.may(DEMO, "export") and not audit.may(DEMO, "disclosure")


@pytest.mark.parametrize(
    ("action", "actor", "allowed"),
    [
        ("load", VIEWER, False),
        ("load", MANAGER, True),
        ("rollback", VIEWER, False),
        ("rollback", MANAGER, True),
        ("branding", VIEWER, False),
        ("branding", MANAGER, False),
        ("branding", ADMIN, True),
        ("area", MANAGER, False),
        ("area", ADMIN, True),
        ("users", MANAGER, False),
        ("users", ADMIN, True),
    ],
)
def test_each_action_checks_the_role_where_it_happens(loaded, action, actor, allowed):
    before = store.data_version(loaded), settings.brand(loaded), settings.area(loaded), users.listing(loaded).shape
    if allowed:
        ACTIONS[action](loaded, actor)
        assert trail(loaded)[-1][0] == actor.name and "refused" not in trail(loaded)[-1][1]
        return
    with pytest.raises(NotAllowed, match=f"{actor.name} is a {actor.role}"):
        ACTIONS[action](loaded, actor)
    after = store.data_version(loaded), settings.brand(loaded), settings.area(loaded), users.listing(loaded).shape
    assert after == before
    who, what, details = trail(loaded)[-1]
    assert (who, what.endswith(" refused"), details["role"]) == (actor.name, True, actor.role)


def test_audit_rows_for_each_action(loaded):
    ingest.load(loaded, checked(loaded, ("other.xlsx", workbook(OTHER))), by=MANAGER)
    store.rollback(loaded, 2, by=MANAGER)
    settings.save_brand(loaded, charity_name="Hope", colour="#112233", footnote="Charity 123", by=ADMIN)
    settings.save_area(loaded, ["E08000027"], by=ADMIN)
    users.add(loaded, "newcomer", "viewer", None, by=ADMIN)
    users.set_role(loaded, "newcomer", "manager", by=ADMIN)
    users.remove(loaded, "newcomer", by=ADMIN)
    pack.check_export(loaded, VIEWER, {"document": "pack", "funder": None})
    assert trail(loaded) == [
        ("local operator", "load", {"uploads": {"1": "base.xlsx"}}),
        ("mo", "load", {"uploads": {"2": "other.xlsx"}}),
        ("mo", "rollback", {"uploads": [2]}),
        ("ada", "settings saved", {"charity_name": "Hope", "colour": "#112233", "footnote": "Charity 123"}),
        ("ada", "settings saved", {"area": "E08000027"}),
        ("ada", "user added", {"name": "newcomer", "role": "viewer", "password": False}),
        ("ada", "role changed", {"name": "newcomer", "role": "manager"}),
        ("ada", "user removed", {"name": "newcomer"}),
        ("vic", "report pack", {"document": "pack", "funder": None}),
    ]


def test_a_refused_upload_records_nothing(loaded):
    ingest.load(loaded, checked(loaded, ("other.xlsx", workbook(OTHER))), by=MANAGER)
    before = trail(loaded)
    bad = {"Register": [["participant_id", "session_date", "activity", "attended"], ["P9", "soon", "Art", "yes"]]}
    with pytest.raises(UploadRefused):
        ingest.load(loaded, checked(loaded, ("bad.xlsx", workbook(bad))), by=MANAGER)
    assert trail(loaded) == before


def test_the_trail_is_shown_newest_first_and_downloads_as_csv(loaded):
    users.add(loaded, "newcomer", "viewer", None, by=OPERATOR)
    assert audit.rows(loaded)[["who", "action"]].values.tolist() == [
        ["local operator", "user added"],
        ["local operator", "load"],
    ]
    lines = audit.csv_bytes(loaded).decode("utf-8-sig").splitlines()
    assert lines[0] == "when,who,action,details" and lines[1].split(",")[1:3] == ["local operator", "user added"]


@pytest.mark.parametrize(
    ("actor", "action", "allowed"),
    [
        (VIEWER, "disclosure", False),
        (MANAGER, "disclosure", False),
        (ADMIN, "disclosure", True),
        *((Actor("demo visitor", "administrator", demo=True), action, action == "export") for action in audit.NEEDS),
    ],
)
def test_who_may(actor, action, allowed):
    assert audit.may(actor, action) is allowed


def test_an_upload_records_who_loaded_it(loaded):
    [upload_id] = ACTIONS["load"](loaded, MANAGER)
    assert store.one(loaded, "SELECT loaded_by FROM uploads WHERE upload_id = ?", [upload_id]) == ("mo",)
