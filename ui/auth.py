"""Who is using the app: the sign-in page (local accounts, or the identity provider when `[auth]` is configured), the
session cookie that keeps a person signed in across a refresh, the demo visitor while only the bundled sample is
loaded, and the account box in the sidebar. The rules live in pipelines.users, pipelines.sessions and
pipelines.provider; this module draws."""

from __future__ import annotations

import time

import streamlit as st

from pipelines import audit, provider, sessions, setup, store, users
from pipelines.audit import ROLES, Actor
from ui.data import cursor

SESSION_KEY = "session"  # (token, connection): the server-side session this browser tab holds
ACTOR_KEY = "actor"  # this run's Actor, for the pages to pass to every action
WANTS_SIGN_IN = "wants_sign_in"  # a demo visitor asked for the sign-in page
COOKIE_PENDING = "cookie_pending"  # the cookie to write in the browser at the next run ("": delete it)
PROVIDER_SEEN = "provider_seen"  # the identity provider's e-mail already recorded as refused this session
DEMO = Actor("demo visitor", "viewer", demo=True)  # looks at the sample; may change nothing


def auth_section() -> dict | None:
    """The `[auth]` section of `.streamlit/secrets.toml`, if there is one."""
    if not st.secrets.load_if_toml_exists() or "auth" not in st.secrets:
        return None
    return dict(st.secrets["auth"])


def provider_configured() -> bool:
    """Whether the identity provider is set up well enough to offer (see provider_problem when it is not)."""
    auth = auth_section()
    return auth is not None and provider.problem(auth) is None


def signed_in() -> Actor | None:
    """This run's Actor: the signed-in account with its current role, the demo visitor, or None (sign in first).

    The session and the role are read from the database on every run, so sign-out, a time limit, a changed role or
    a removed account apply at once.
    """
    con = cursor()
    found, ended = _session_actor(con)
    if found is None and not ended and provider_configured():
        found = _provider_actor(con)
    if found is None and not store.has_own_data(con) and not st.session_state.get(WANTS_SIGN_IN):
        found = DEMO
    st.session_state[ACTOR_KEY] = found
    return found


def actor() -> Actor:
    """The Actor of this run, set by the entry point before any page runs."""
    return st.session_state[ACTOR_KEY]


def sees_exact_counts() -> bool:
    """Whether this run's user sees exact counts on screen: staff (managers and administrators) and the demo of the
    fictional sample; a viewer sees counts rounded as in a download."""
    found = st.session_state.get(ACTOR_KEY)
    return found is None or found.demo or ROLES.index(found.role) >= ROLES.index("manager")


def may_lower_threshold() -> bool:
    """Whether this run's user may set the on-screen threshold below 8 (a signed-in administrator)."""
    found = st.session_state.get(ACTOR_KEY)
    return found is not None and audit.may(found, "disclosure")


# The session: a cookie in the browser, its hash on the server ---------------------------------------


def _text(value: object) -> str | None:
    """A value from st.context when the browser sent it as text (AppTest's stand-ins are not)."""
    return value if isinstance(value, str) and value else None


def _connection() -> str | None:
    """This browser connection's handshake key: a Streamlit session resumed over another connection (its id
    copied from an address) has another, so it cannot use a token it did not bring in a cookie."""
    return _text(st.context.headers.get("Sec-WebSocket-Key"))


def _session_actor(con) -> tuple[Actor | None, bool]:
    """The account of the live session this browser brought in its cookie, or started on this connection; and
    whether the browser held a session that has ended (signed out, or over a time limit)."""
    held = st.session_state.get(SESSION_KEY)
    cookie = _text(st.context.cookies.get(sessions.COOKIE))
    tokens = [t for t in (cookie, held and held[1] == _connection() and held[0]) if t]
    for token in tokens:
        account = sessions.resume(con, token)
        role = users.role_of(con, account) if account else None
        if role:
            st.session_state[SESSION_KEY] = (token, _connection())
            return Actor(account, role), False
        sessions.end(con, token, "account removed" if account else "ended")
    st.session_state.pop(SESSION_KEY, None)
    if cookie:
        st.session_state[COOKIE_PENDING] = ""  # a dead token: take it out of the browser
    if tokens and provider_configured() and _logged_in():
        st.logout()  # a time limit ended it: the identity provider's sign-in ends too
    return None, bool(tokens)


def begin_session(con, account: str) -> None:
    """Sign ``account`` in on this browser: a new server-side session, its token written to a cookie next run."""
    token = sessions.start(con, account)
    st.session_state[SESSION_KEY] = (token, _connection())
    st.session_state[COOKIE_PENDING] = token
    st.session_state.pop(WANTS_SIGN_IN, None)


def write_cookie() -> None:
    """Write (or delete) the session cookie by a line of script in the page, once; the entry point calls it at the
    end of a run, so a run cut short (a rerun, a page switch) leaves it for the next. SameSite=Strict: no other
    site can send it; Secure over HTTPS; it lasts no longer than the absolute limit."""
    token = st.session_state.pop(COOKIE_PENDING, None)
    if token is None:
        return
    seconds = int(sessions.limits(cursor()).absolute.total_seconds()) if token else 0
    st.html(
        f"<script>document.cookie = '{sessions.COOKIE}={token}; Path=/; SameSite=Strict; Max-Age={seconds}'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


# The identity provider ----------------------------------------------------------------------------


def _logged_in() -> bool:
    """Whether the identity provider signed someone in (``st.user`` holds no such key until it has)."""
    return bool(st.user.get("is_logged_in", False))


def _provider_actor(con) -> Actor | None:
    """A provider sign-in becomes a session when its e-mail is verified, from the configured issuer, and has a role."""
    if not _logged_in():
        return None
    email = provider.verified_email(st.user, auth_section())
    role = users.role_of(con, email) if email else None
    if role:
        audit.record(con, email, "sign-in", {"via": "identity provider"})
        begin_session(con, email)
        return Actor(email, role)
    typed = str(st.user.get("email") or "(no e-mail)").lower()
    if st.session_state.get(PROVIDER_SEEN) != typed:
        st.session_state[PROVIDER_SEEN] = typed
        audit.record(con, typed, "sign-in failed", {"via": "identity provider", "verified": email is not None})
    return None


# The pages ----------------------------------------------------------------------------------------


def sign_in_page() -> None:
    st.title("Sign in")
    st.markdown("This dashboard holds information about the people the charity supports. Sign in to see it.")
    auth = auth_section()
    if auth is not None and (problem := provider.problem(auth)):
        st.warning(
            f"Sign-in with the organisation's accounts is not working yet. {problem} Until an administrator fixes "
            "it, sign in with a user name and password.",
            icon=":material/warning:",
        )
    if provider_configured():
        _provider_sign_in()
    else:
        _password_sign_in()


def _provider_sign_in() -> None:
    if _logged_in():
        st.error(
            f"{st.user.get('email')} has not been given access to this dashboard, or the organisation has not "
            "confirmed the address. Ask its administrator to add your e-mail address.",
            icon=":material/block:",
        )
        if st.button("Sign out"):
            st.logout()
    elif st.button("Sign in with your organisation's account", type="primary", icon=":material/login:"):
        try:
            st.login()
        except Exception as error:  # noqa: BLE001 — any failure of the provider's set-up is told, never raised
            st.error(
                f"The organisation's sign-in could not start ({type(error).__name__}). An administrator should check "
                "the [auth] section of .streamlit/secrets.toml against docs/privacy.md.",
                icon=":material/error:",
            )


def _password_sign_in() -> None:
    con = cursor()
    _no_account_yet(con)
    with st.form("sign-in"):
        name = st.text_input("User name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    time.sleep(users.retry_delay(con, name))
    try:
        found = users.sign_in(con, name, password, client=_text(st.context.ip_address) or "")
    except users.SignInRefused as refused:
        st.error(str(refused), icon=":material/error:")
        return
    begin_session(con, found.name)
    st.rerun()


def _no_account_yet(con) -> None:
    if users.has_accounts(con):
        return
    if setup.needed(con):
        st.info("No account exists yet. Open **Upload data** in the demo to set the dashboard up for your charity.")
        if st.button("Back to the demo"):
            st.session_state.pop(WANTS_SIGN_IN, None)
            st.rerun()
        return
    st.warning(
        "No account exists yet, though data was loaded from the command line. On the server, stop the dashboard, "
        "run `python -m pipelines users add NAME --role administrator`, and start it again.",
        icon=":material/warning:",
    )


def draw_account(found: Actor) -> None:
    """Who is signed in, and the button to sign out (or, for a demo visitor, to sign in)."""
    box = st.sidebar.container()
    if found.demo:
        box.caption("Demo: open without signing in while only the sample is loaded. It changes nothing.")
        if box.button("Sign in", icon=":material/login:"):
            st.session_state[WANTS_SIGN_IN] = True
            st.rerun()
        return
    box.caption(f"Signed in as **{found.name}** ({found.role})")
    if box.button("Sign out", icon=":material/logout:"):
        sign_out()


def sign_out() -> None:
    """End the session on the server (its token resumes nothing after), delete the cookie, and start again."""
    held = st.session_state.pop(SESSION_KEY, None)
    if held:
        sessions.end(cursor(), held[0], "signed out")
    for key in (ACTOR_KEY, WANTS_SIGN_IN, PROVIDER_SEEN):
        st.session_state.pop(key, None)
    st.session_state[COOKIE_PENDING] = ""
    if provider_configured() and _logged_in():
        st.logout()
    st.rerun()
