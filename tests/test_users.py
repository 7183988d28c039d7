"""Local accounts: argon2id hashes, roles, sign-in with slowing and lock-out, and the `users` command."""

from __future__ import annotations

import datetime as dt
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from pipelines import store, users
from pipelines.audit import OPERATOR, Actor, NotAllowed
from tests.helpers import database_made_by, run_cli

NOON = dt.datetime(2026, 3, 2, 12, 0)
PASSWORD = "correct horse battery"


def add_accounts(con: duckdb.DuckDBPyConnection) -> None:
    users.add(con, "amira", "manager", PASSWORD, by=OPERATOR)
    users.add(con, "Viewer@Example.org", "viewer", None, by=OPERATOR)


accounts = database_made_by(add_accounts)


def minutes(n: float) -> dt.datetime:
    return NOON + dt.timedelta(minutes=n)


def test_the_password_is_stored_only_as_an_argon2id_hash(accounts):
    (digest,) = store.one(accounts, "SELECT password_hash FROM users WHERE name = 'amira'")
    assert digest.startswith("$argon2id$") and PASSWORD not in digest


def test_the_database_file_is_owner_only(tmp_path: Path):
    store.connect(tmp_path / "new.duckdb").close()
    assert stat.S_IMODE((tmp_path / "new.duckdb").stat().st_mode) == 0o600


def test_listing_shows_roles_and_how_each_signs_in_never_the_hash(accounts):
    table = users.listing(accounts)
    assert table[["name", "role", "sign_in"]].values.tolist() == [
        ["amira", "manager", "password"],
        ["viewer@example.org", "viewer", "identity provider"],
    ]


def test_a_right_password_signs_in_with_the_role(accounts):
    assert users.sign_in(accounts, "amira", PASSWORD, NOON) == Actor("amira", "manager")


@pytest.mark.parametrize(
    ("name", "password"),
    [("amira", "wrong password"), ("nobody", PASSWORD), ("viewer@example.org", ""), ("", ""), ("a b", PASSWORD)],
)
def test_a_wrong_name_or_password_gets_the_same_refusal(accounts, name, password):
    with pytest.raises(users.SignInRefused, match="do not match an account"):
        users.sign_in(accounts, name, password, NOON)


def test_failures_slow_the_next_attempt_then_lock_the_account_for_15_minutes(accounts):
    delays = []
    for n in range(users.MAX_FAILURES):
        delays.append(users.retry_delay(accounts, "amira", minutes(n)))
        with pytest.raises(users.SignInRefused):
            users.sign_in(accounts, "amira", "wrong password", minutes(n))
    assert delays == [0, 1, 2, 4, 4]
    with pytest.raises(users.SignInRefused, match="locked until 12:15"):  # 15 minutes after the first of the five
        users.sign_in(accounts, "amira", PASSWORD, minutes(10))  # even the right password, unchecked
    assert users.sign_in(accounts, "amira", PASSWORD, minutes(20)).role == "manager"
    assert users.retry_delay(accounts, "amira", minutes(21)) == 0  # the failures are out of the window


def test_failures_spread_over_more_than_15_minutes_do_not_lock(accounts):
    for n in range(users.MAX_FAILURES):
        with pytest.raises(users.SignInRefused):
            users.sign_in(accounts, "amira", "wrong password", minutes(5 * n))
    assert users.sign_in(accounts, "amira", PASSWORD, minutes(21)).name == "amira"


def test_set_role_and_remove(accounts):
    users.set_role(accounts, "amira", "administrator", by=OPERATOR)
    assert users.role_of(accounts, "amira") == "administrator"
    users.remove(accounts, "VIEWER@example.org", by=OPERATOR)
    assert users.listing(accounts)["name"].tolist() == ["amira"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda con: users.add(con, "amira", "viewer", PASSWORD, by=OPERATOR), "already an account amira"),
        (lambda con: users.add(con, "sam", "owner", PASSWORD, by=OPERATOR), "Unknown role 'owner'"),
        (lambda con: users.add(con, "sam", "viewer", "short", by=OPERATOR), "at least 10 characters"),
        (lambda con: users.remove(con, "sam", by=OPERATOR), "no account sam"),
        (lambda con: users.set_role(con, "sam", "viewer", by=OPERATOR), "no account sam"),
    ],
)
def test_mistakes_are_refused_and_change_nothing(accounts, call, message):
    before = users.listing(accounts).values.tolist()
    with pytest.raises(ValueError, match=message):
        call(accounts)
    assert users.listing(accounts).values.tolist() == before


@pytest.mark.parametrize(
    "actor", [Actor("amira", "manager"), Actor("v", "viewer"), Actor("demo visitor", "viewer", demo=True)]
)
def test_only_a_signed_in_administrator_manages_accounts(accounts, actor):
    with pytest.raises(NotAllowed):
        users.add(accounts, "mallory", "administrator", PASSWORD, by=actor)
    assert users.role_of(accounts, "mallory") is None


# The command line ---------------------------------------------------------------------------------


def test_users_from_the_command_line(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "cli.duckdb")
    monkeypatch.delenv("IMPACT_SECRET_FILE", raising=False)
    added = run_cli(capsys, "users", "add", "amira", "--role", "viewer", "--password-stdin", "--db", db,
                stdin=f"{PASSWORD}\n")  # fmt: skip
    assert added == (0, "Added amira as viewer.\n", "")
    assert run_cli(capsys, "users", "add", "lee@example.org", "--role", "manager", "--sso", "--db", db)[0] == 0
    assert run_cli(capsys, "users", "set-role", "amira", "--role", "administrator", "--db", db)[0] == 0
    code, out, _ = run_cli(capsys, "users", "list", "--db", db)
    assert [line.split("  ")[:3] for line in out.splitlines()] == [
        ["amira", "administrator", "password"],
        ["lee@example.org", "manager", "identity provider"],
    ]
    assert run_cli(capsys, "users", "remove", "lee@example.org", "--db", db)[:2] == (
        0,
        "Removed lee@example.org.\n",
    )
    code, _, err = run_cli(capsys, "users", "set-role", "amira", "--db", db)
    assert (code, err) == (1, "users set-role needs a NAME and --role.\n")
    code, out, _ = run_cli(capsys, "audit", "--db", db)
    actions = [line.split(",")[2] for line in out.splitlines()[1:]]
    assert actions == ["user removed", "role changed", "user added", "user added"]


def test_the_password_prompt_asks_twice(tmp_path, capsys, monkeypatch):
    typed = iter([PASSWORD, "something else entirely"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    code, _, err = run_cli(capsys, "users", "add", "amira", "--role", "viewer", "--db", str(tmp_path / "p.duckdb"))
    assert (code, err) == (1, "The two passwords differ; nothing was changed.\n")


# Guessing: counted before the password check ------------------------------------------------------


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The passwords actually checked against a hash, in order (the real argon2 check still runs)."""
    checked: list[str] = []
    real = users._verified

    def counting(digest: str, password: str) -> bool:
        checked.append(password)
        return real(digest, password)

    monkeypatch.setattr(users, "_verified", counting)
    return checked


def test_twenty_parallel_guesses_get_five_checks_and_the_right_password_after_them_is_refused(
    accounts, checks, monkeypatch
):
    """19 wrong passwords sent at once, and the right one once five are being checked: the sixth and later are
    refused unchecked, so the right one does not sign in."""
    monkeypatch.setattr(users, "CHECK_WAIT_SECONDS", 120)  # on a busy machine too, no attempt is refused as busy
    five_checking = threading.Event()
    real = users._verified

    def signalling(digest: str, password: str) -> bool:
        if len(checks) + 1 >= users.MAX_FAILURES:  # this is the fifth check: every reservation is made
            five_checking.set()
        return real(digest, password)  # `checks` counts it

    monkeypatch.setattr(users, "_verified", signalling)
    start = threading.Barrier(19)
    outcomes: list[str] = []

    def attempt(password: str, wait: Callable[[], object]) -> None:
        wait()
        try:
            users.sign_in(accounts.cursor(), "amira", password)
            outcomes.append("signed in")
        except users.SignInRefused as refused:
            outcomes.append("locked" if "locked" in str(refused) else "checked and refused")

    threads = [threading.Thread(target=attempt, args=(f"wrong guess {n}", start.wait)) for n in range(19)]
    threads.append(threading.Thread(target=attempt, args=(PASSWORD, lambda: five_checking.wait(60))))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert five_checking.is_set()
    assert len(checks) == users.MAX_FAILURES == 5
    assert sorted(outcomes) == ["checked and refused"] * 5 + ["locked"] * 15
    actions = [a for (a,) in accounts.execute("SELECT action FROM audit WHERE who = 'amira'").fetchall()]
    assert actions.count("sign-in failed") == 5 and actions.count("sign-in locked") == 15
    assert "sign-in" not in actions


def fast_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Wrong-password checks counted without the slow hash, for tests that make a hundred attempts."""
    checked: list[str] = []
    monkeypatch.setattr(users, "_verified", lambda digest, password: checked.append(password) or False)
    return checked


def guess_from(accounts: duckdb.DuckDBPyConnection, clients: list[str]) -> None:
    """One wrong guess from each of ``clients`` in turn, at accounts that do not exist, six seconds apart from noon:
    each refused as not matching."""
    for n, client in enumerate(clients):
        with pytest.raises(users.SignInRefused, match="do not match"):
            users.sign_in(accounts, f"someone{n}", "guess", minutes(n / 10), client=client)


def test_one_computer_gets_twenty_guesses_whatever_the_accounts(accounts, monkeypatch):
    checked = fast_checks(monkeypatch)
    guess_from(accounts, ["203.0.113.9"] * users.CLIENT_GUESSES)
    with pytest.raises(users.SignInRefused, match="from this computer: try again after 12:15"):
        users.sign_in(accounts, "amira", PASSWORD, minutes(3), client="203.0.113.9")
    with pytest.raises(users.SignInRefused, match="do not match"):  # another computer is still checked
        users.sign_in(accounts, "nobody", "guess", minutes(3), client="198.51.100.7")
    assert len(checked) == users.CLIENT_GUESSES + 1 == 21


def test_a_hundred_guesses_from_anywhere_close_sign_in_for_a_while(accounts, monkeypatch):
    checked = fast_checks(monkeypatch)
    guess_from(accounts, [f"198.51.100.{n}" for n in range(users.ALL_GUESSES)])
    with pytest.raises(users.SignInRefused, match="to this dashboard: try again after 12:15"):
        users.sign_in(accounts, "amira", PASSWORD, minutes(11), client="192.0.2.1")
    assert len(checked) == users.ALL_GUESSES
    with pytest.raises(users.SignInRefused, match="do not match"):  # checked again once the first fell out
        users.sign_in(accounts, "amira", "guess", minutes(16), client="192.0.2.1")
    assert len(checked) == users.ALL_GUESSES + 1


def test_attempts_beyond_the_checks_running_at_once_are_refused_unchecked_and_not_counted(
    accounts, checks, monkeypatch
):
    monkeypatch.setattr(users, "CHECK_WAIT_SECONDS", 0)
    held = [users._checking.acquire(timeout=1) for _ in range(users.CHECKS_AT_ONCE)]  # every check slot busy
    try:
        for n in range(users.MAX_FAILURES + 1):
            with pytest.raises(users.SignInRefused, match="busy"):
                users.sign_in(accounts, "amira", "wrong password", minutes(n))
    finally:
        for _ in held:
            users._checking.release()
    assert checks == []
    assert users.sign_in(accounts, "amira", PASSWORD, minutes(7)).name == "amira"  # busy refusals lock nothing
