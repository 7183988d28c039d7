"""Sign-in and roles in the app (AppTest): nobody sees real data before signing in, each role sees its pages only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

import ui.auth
from pipelines import sessions, store, users
from pipelines.audit import OPERATOR, Actor
from tests.apphelpers import (
    ROOT,
    app_with_own_data,
    assert_ran,
    open_page,
    run_app,
    sample_banner,
    successes_after,
    widget,
)
from ui.auth import SESSION_KEY
from ui.shell import pages_for

pytestmark = pytest.mark.usefixtures("app_runtime")

PASSWORD = "correct horse battery"
REGISTER = [
    ["participant_id", "session_date", "activity", "attended"],
    *[[p, dt.date(2025, 5, 6), "Peer group", "yes"] for p in ("P1", "P2", "P3")],
]


@pytest.fixture
def own_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The charity's own data loaded, and an account amira (viewer) with a password."""
    db = app_with_own_data(tmp_path, monkeypatch, {"Register": REGISTER})
    with store.connect(db) as con:
        users.add(con, "amira", "viewer", PASSWORD, by=OPERATOR)
    return db


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the sign-in page makes before answering, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(ui.auth, "time", SimpleNamespace(sleep=waits.append))
    return waits


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def try_sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert_ran(at)
    return at


def audit_actions(db: Path) -> list[tuple[str, str]]:
    con = store.connect(db)  # as the app opens it: DuckDB refuses one file opened two ways
    try:
        return con.execute("SELECT who, action FROM audit ORDER BY happened_at, rowid").fetchall()
    finally:
        con.close()


def test_nothing_with_data_shows_before_sign_in(own_app: Path) -> None:
    at = run_app(role=None)
    assert titles(at) == ["Sign in"]
    assert not at.metric and not at.dataframe and not at.get("vega_lite_chart") and not at.sidebar.selectbox
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/upload.py")


def test_signing_in_opens_the_overview(own_app: Path, slept: list[float]) -> None:
    at = try_sign_in(run_app(role=None), "amira", PASSWORD)
    assert titles(at) == ["Overview"]
    assert any("Signed in as **amira** (viewer)" in c.value for c in at.sidebar.caption)
    assert audit_actions(own_app)[-1] == ("amira", "sign-in")


def test_a_wrong_password_is_refused_slowed_and_recorded(own_app: Path, slept: list[float]) -> None:
    at = run_app(role=None)
    for _ in range(3):
        try_sign_in(at, "amira", "not the password")
        assert [e.value for e in at.error] == ["That user name and password do not match an account."]
        assert titles(at) == ["Sign in"]
    assert slept == [0, 1, 2]
    assert audit_actions(own_app)[-3:] == [("amira", "sign-in failed")] * 3


def test_five_failures_lock_the_account(own_app: Path, slept: list[float]) -> None:
    at = run_app(role=None)
    for _ in range(users.MAX_FAILURES):
        try_sign_in(at, "amira", "not the password")
    try_sign_in(at, "amira", PASSWORD)
    assert titles(at) == ["Sign in"]
    assert "this account is locked until" in at.error[0].value
    assert audit_actions(own_app)[-1] == ("amira", "sign-in locked")


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        ("viewer", ["Overview", "Outcomes", "Reach", "Funding", "Reports"]),
        ("manager", ["Overview", "Outcomes", "Reach", "Funding", "Upload data", "Reports"]),
        ("administrator", ["Overview", "Outcomes", "Reach", "Funding", "Upload data", "Reports", "Settings"]),
    ],
)
def test_navigation_shows_what_the_role_may_use(role: str, pages: list[str]) -> None:
    assert [p.title for p in pages_for(Actor("x", role))] == pages


@pytest.mark.parametrize("script", ["pages/upload.py", "pages/settings.py"])
def test_a_viewer_cannot_reach_upload_or_settings(own_app: Path, script: str) -> None:
    at = run_app(role="viewer")
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not served to this role at all
        at.switch_page(script)


def test_a_manager_can_upload_but_not_reach_settings(own_app: Path) -> None:
    at = open_page("pages/upload.py", "Upload data", role="manager")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/settings.py")


def test_an_administrator_manages_accounts_and_sees_the_audit_trail(own_app: Path) -> None:
    at = open_page("pages/settings.py", "Settings")
    assert {"Accounts", "Audit trail"} <= {h.value for h in at.header}
    widget(at.text_input, "User name, or e-mail address for the identity provider").input("sam")
    widget(at.selectbox, "Role").select("manager")
    widget(at.text_input, "Password").input(PASSWORD)
    assert successes_after(at, "Add the account") == ["Added sam as manager."]
    assert ("test-administrator", "user added") in audit_actions(own_app)
    with store.connect(own_app) as con:
        assert users.role_of(con, "sam") == "manager"


def in_order(node) -> list[str]:
    """The page's forms (by key) and errors, top to bottom."""
    found = []
    for child in getattr(node, "children", {}).values():
        if child.type == "error":
            found.append("error")
        elif getattr(child, "type", "") == "form":
            found.append(child.proto.form.form_id)
        found += in_order(child)
    return found


def test_a_refused_account_keeps_what_was_typed_and_says_why_under_its_form(own_app: Path) -> None:
    at = open_page("pages/settings.py", "Settings")
    name = "User name, or e-mail address for the identity provider"
    widget(at.text_input, name).input("sam")
    widget(at.selectbox, "Role").select("manager")
    widget(at.text_input, "Password").input("short")  # under 10 characters: refused
    widget(at.button, "Add the account").click().run()
    assert_ran(at)
    [error] = at.error
    assert error.value.startswith("Nothing was changed.") and "10 characters" in error.value
    assert widget(at.text_input, name).value == "sam", "what was typed is still there to correct"
    assert widget(at.selectbox, "Role").value == "manager"
    # said just under the form it came from, before the form that changes an account
    assert in_order(at.main).index("error") == in_order(at.main).index("change-account") - 1


def test_a_removed_account_is_signed_out_at_its_next_page(own_app: Path) -> None:
    at = run_app(role="manager")
    with store.connect(own_app) as con:
        users.remove(con, "test-manager", by=OPERATOR)
    at.run()
    assert titles(at) == ["Sign in"]


def test_the_sample_demo_is_open_without_sign_in_and_says_so(sample_app: Path) -> None:
    at = run_app(role=None)
    assert titles(at) == ["Overview"] and sample_banner(at)
    assert any("open without signing in" in i.value for i in at.info)
    assert any("Demo" in c.value for c in at.sidebar.caption)


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a test secret",
    "client_id": "dashboard",
    "client_secret": "a test client secret",
    "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
}


def app_with_auth(auth: dict = AUTH) -> AppTest:
    """The app run once with ``auth`` as the `[auth]` section of its secrets."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.secrets["auth"] = auth
    at.run()
    assert_ran(at)
    return at


def test_with_an_identity_provider_the_sign_in_page_offers_it_instead_of_passwords(own_app: Path) -> None:
    at = app_with_auth()
    assert titles(at) == ["Sign in"]
    assert [b.label for b in at.button] == ["Sign in with your organisation's account"]
    assert not at.text_input, "no password form when the organisation's accounts are used"


class ProviderUser(dict):
    """What st.user holds once the identity provider has signed someone in."""


@pytest.mark.parametrize(
    ("email", "titles_seen"), [("Ada@Charity.org", ["Overview"]), ("eve@elsewhere.org", ["Sign in"])]
)
def test_the_identity_providers_e_mail_gets_the_role_given_to_it(
    own_app: Path, monkeypatch: pytest.MonkeyPatch, email: str, titles_seen: list[str]
) -> None:
    with store.connect(own_app) as con:
        users.add(con, "ada@charity.org", "manager", None, by=OPERATOR)  # no password: the provider signs her in
    at = provider_app(monkeypatch, ProviderUser(CLAIMS, email=email))
    assert titles(at) == titles_seen
    assert audit_actions(own_app)[-1] == (email.lower(), "sign-in" if titles_seen == ["Overview"] else "sign-in failed")


ISSUER = "https://login.example.org"
CLAIMS = {"is_logged_in": True, "email": "ada@charity.org", "email_verified": True, "iss": ISSUER}


def provider_app(monkeypatch: pytest.MonkeyPatch, user: ProviderUser, auth: dict = AUTH) -> AppTest:
    """The app with `[auth]` configured and ``user`` as st.user says the identity provider signed them in."""
    monkeypatch.setattr(ui.auth.st, "user", user)
    return app_with_auth(auth)


@pytest.mark.parametrize(
    "claims",
    [
        {"email_verified": False},
        {"email_verified": None},
        {"iss": "https://login.elsewhere.example"},  # another tenant of a provider serving many
    ],
)
def test_no_role_on_an_unverified_address_or_from_another_issuer(
    own_app: Path, monkeypatch: pytest.MonkeyPatch, claims: dict
) -> None:
    with store.connect(own_app) as con:
        users.add(con, "ada@charity.org", "administrator", None, by=OPERATOR)
    at = provider_app(monkeypatch, ProviderUser(CLAIMS | claims))
    assert titles(at) == ["Sign in"]
    assert "has not been given access" in at.error[0].value
    assert audit_actions(own_app)[-1] == ("ada@charity.org", "sign-in failed")


def test_a_misconfigured_identity_provider_is_explained_and_passwords_still_work(
    own_app: Path, monkeypatch: pytest.MonkeyPatch, slept: list[float]
) -> None:
    broken = {key: value for key, value in AUTH.items() if key != "client_secret"}
    at = provider_app(monkeypatch, ProviderUser(is_logged_in=False), broken)
    assert titles(at) == ["Sign in"]
    assert "The [auth] section of .streamlit/secrets.toml lacks client_secret." in at.warning[0].value
    assert not [b for b in at.button if "organisation" in b.label]
    assert titles(try_sign_in(at, "amira", PASSWORD)) == ["Overview"]


def test_a_failing_provider_sign_in_is_told_not_raised(own_app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing() -> None:
        raise RuntimeError("no route to the provider")

    monkeypatch.setattr(ui.auth.st, "login", failing)
    at = provider_app(monkeypatch, ProviderUser(is_logged_in=False))
    widget(at.button, "Sign in with your organisation's account").click().run()
    assert_ran(at)
    assert "could not start (RuntimeError)" in at.error[0].value


# Sessions ----------------------------------------------------------------------------------------


def test_signing_out_ends_the_session_on_the_server(own_app: Path, slept: list[float]) -> None:
    at = try_sign_in(run_app(role=None), "amira", PASSWORD)
    token, _ = at.session_state[SESSION_KEY]
    assert any(sessions.COOKIE in h.proto.body for h in at.get("html")), "the cookie is written in the browser"
    widget(at.sidebar.button, "Sign out").click().run()
    assert_ran(at)
    assert titles(at) == ["Sign in"]
    with store.connect(own_app) as con:
        assert sessions.resume(con, token) is None
    again = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    again.session_state[SESSION_KEY] = (token, None)  # the old session's token, brought back
    again.run()
    assert titles(again) == ["Sign in"]


def test_a_session_over_its_idle_limit_signs_the_person_out(own_app: Path, slept: list[float]) -> None:
    at = try_sign_in(run_app(role=None), "amira", PASSWORD)
    with store.connect(own_app) as con:
        con.execute("UPDATE sessions SET last_seen = last_seen - INTERVAL 31 MINUTE")
    at.run()
    assert titles(at) == ["Sign in"]
    assert audit_actions(own_app)[-1] == ("amira", "session ended")
