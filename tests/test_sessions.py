"""Sessions kept on the server (idle and absolute limits, sign-out for good) and setting up in one step."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines import sessions, settings, setup, users
from pipelines.audit import OPERATOR, Actor, NotAllowed
from pipelines.settings import SettingRefused
from tests.helpers import database_with

NOON = dt.datetime(2026, 3, 2, 12, 0)
PASSWORD = "correct horse battery"
ADMIN = Actor("ada", "administrator")


def at(minutes: float) -> dt.datetime:
    return NOON + dt.timedelta(minutes=minutes)


def test_a_session_lives_while_used_and_the_idle_limit_ends_it_for_good(con: duckdb.DuckDBPyConnection) -> None:
    token = sessions.start(con, "ada", at(0))
    assert sessions.resume(con, token, at(29)) == "ada"  # 29 minutes idle: still signed in, and active again
    assert sessions.resume(con, token, at(58)) == "ada"  # 29 minutes after the last use
    assert sessions.resume(con, token, at(88.5)) is None  # 30.5 minutes idle: ended
    assert sessions.resume(con, token, at(89)) is None  # and ended for good
    assert con.execute("SELECT ended_why FROM sessions").fetchall() == [("idle limit",)]


def test_the_absolute_limit_ends_a_session_in_use(con: duckdb.DuckDBPyConnection) -> None:
    token = sessions.start(con, "ada", at(0))
    for minute in range(20, 12 * 60, 20):
        assert sessions.resume(con, token, at(minute)) == "ada"
    assert sessions.resume(con, token, at(12 * 60 + 1)) is None
    assert con.execute("SELECT ended_why FROM sessions").fetchall() == [("absolute limit",)]


def test_signing_out_ends_the_session_and_its_token_resumes_nothing(con: duckdb.DuckDBPyConnection) -> None:
    token, other = sessions.start(con, "ada", at(0)), sessions.start(con, "ada", at(0))
    sessions.end(con, token, "signed out", at(1))
    assert sessions.resume(con, token, at(2)) is None
    assert sessions.resume(con, other, at(2)) == "ada"  # another browser's session goes on
    assert sessions.resume(con, "a made-up token", at(2)) is None


def test_only_the_tokens_hash_is_stored(con: duckdb.DuckDBPyConnection) -> None:
    token = sessions.start(con, "ada", at(0))
    (stored,) = con.execute("SELECT token_hash FROM sessions").fetchone()
    assert token not in stored and len(stored) == 64


def test_an_administrator_sets_the_limits_and_live_sessions_follow(con: duckdb.DuckDBPyConnection) -> None:
    assert sessions.limits(con) == sessions.Limits(30, 12)
    token = sessions.start(con, "ada", at(0))
    assert sessions.save_limits(con, 10, 2, by=ADMIN) == sessions.Limits(10, 2)
    assert sessions.resume(con, token, at(11)) is None


@pytest.mark.parametrize(
    ("idle", "absolute", "message"),
    [(4, 12, "between 5 and 480 minutes"), (30, 73, "between 1 and 72 hours"), (180, 2, "cannot be longer")],
)
def test_limits_out_of_range_are_refused(con: duckdb.DuckDBPyConnection, idle: int, absolute: int, message: str):
    with pytest.raises(SettingRefused, match=message):
        sessions.save_limits(con, idle, absolute, by=ADMIN)
    assert sessions.limits(con) == sessions.Limits()


def test_only_an_administrator_sets_the_limits(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(NotAllowed):
        sessions.save_limits(con, 10, 2, by=Actor("mo", "manager"))


# Setting up --------------------------------------------------------------------------------------


def test_setting_up_names_the_charity_adds_its_administrator_and_forgets_earlier_settings(con) -> None:
    settings.save_brand(
        con, charity_name='=HYPERLINK("http://x")', colour="#112233", footnote="Donate at x", by=OPERATOR
    )
    settings.save_volunteer_rate(con, "99", by=OPERATOR)
    assert setup.needed(con)
    admin = setup.set_up(
        con, charity_name="  Hope  Street ", account="Ada", password=PASSWORD, area_codes=["E08000027"]
    )
    assert admin == Actor("Ada", "administrator")
    assert settings.brand(con) == settings.Brand(charity_name="Hope Street")
    assert settings.area(con).names == ("Dudley",) and settings.volunteer_rate(con) is None
    assert users.sign_in(con, "Ada", PASSWORD, NOON) == admin
    assert not setup.needed(con)


def test_setting_up_twice_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    setup.set_up(con, charity_name="Hope", account="ada", password=PASSWORD)
    with pytest.raises(setup.SetUpRefused, match="set up already"):
        setup.set_up(con, charity_name="Mallory's", account="mallory", password=PASSWORD)
    assert users.listing(con)["name"].tolist() == ["ada"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"charity_name": " "}, "Type the charity's name"),
        ({"password": "short"}, "at least 10 characters"),
        ({"account": "two words"}, "without spaces"),
        ({"area_codes": ["E99999999"]}, "Not a local authority code"),
    ],
)
def test_a_set_up_that_will_not_do_saves_nothing(con: duckdb.DuckDBPyConnection, fields: dict, message: str) -> None:
    chosen = {"charity_name": "Hope", "account": "ada", "password": PASSWORD, "area_codes": ()} | fields
    with pytest.raises(ValueError, match=message):
        setup.set_up(con, **chosen)
    assert setup.needed(con) and settings.texts(con) == {}


own = database_with(
    "own.xlsx",
    {"Register": [["participant_id", "session_date", "activity", "attended"], ["P1", "2025-05-06", "Art", "yes"]]},
)


def test_no_set_up_once_the_charitys_own_data_is_loaded(own: duckdb.DuckDBPyConnection) -> None:
    assert not setup.needed(own)  # data loaded from the command line: an account must come from there too
    with pytest.raises(setup.SetUpRefused):
        setup.set_up(own, charity_name="Hope", account="ada", password=PASSWORD)
