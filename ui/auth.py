"""Who is using the app: the sign-in page (local accounts, or the identity provider when `[auth]` is configured), the
demo visitor while only the bundled sample is loaded, and the account box in the sidebar."""

from __future__ import annotations

import time

import streamlit as st

from pipelines import audit, store, users
from pipelines.audit import ROLES, Actor
from ui.data import cursor

SESSION_KEY = "signed_in"  # the local account's name, once its password was right
ACTOR_KEY = "actor"  # this run's Actor, for the pages to pass to every action
WANTS_SIGN_IN = "wants_sign_in"  # a demo visitor asked for the sign-in page
PROVIDER_SEEN = "provider_seen"  # the identity provider's e-mail already recorded as signed in this session
DEMO = Actor("demo visitor", "administrator", demo=True)
ADMIN_COMMAND = ".venv/bin/python -m pipelines users add NAME --role administrator"


def provider_configured() -> bool:
    """Whether `.streamlit/secrets.toml` has an `[auth]` section: then st.login signs people in."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def signed_in() -> Actor | None:
    """This run's Actor: the signed-in account with its current role, the demo visitor, or None (sign in first).

    The role is read from the database on every run, so a changed role or a removed account applies at once.
    """
    con = cursor()
    found = _provider_actor(con) if provider_configured() else _local_actor(con)
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


def _local_actor(con) -> Actor | None:
    name = st.session_state.get(SESSION_KEY)
    role = users.role_of(con, name) if name else None
    if role is None:
        st.session_state.pop(SESSION_KEY, None)
        return None
    return Actor(name, role)


def _logged_in() -> bool:
    """Whether the identity provider signed someone in (``st.user`` holds no such key until it has)."""
    return bool(st.user.get("is_logged_in", False))


def _provider_actor(con) -> Actor | None:
    if not _logged_in():
        return None
    email = str(st.user.get("email") or "").lower()
    role = users.role_of(con, email) if email else None
    if st.session_state.get(PROVIDER_SEEN) != email:
        st.session_state[PROVIDER_SEEN] = email
        action = "sign-in" if role else "sign-in failed"
        audit.record(con, email or "(no e-mail)", action, {"via": "identity provider"})
    return Actor(email, role) if role else None


def sign_in_page() -> None:
    st.title("Sign in")
    st.markdown("This dashboard holds information about the people the charity supports. Sign in to see it.")
    if provider_configured():
        _provider_sign_in()
    else:
        _password_sign_in()


def _provider_sign_in() -> None:
    if _logged_in():
        st.error(
            f"{st.user.get('email')} has not been given access to this dashboard. Ask its administrator to add "
            "your e-mail address.",
            icon=":material/block:",
        )
        if st.button("Sign out"):
            st.logout()
    elif st.button("Sign in with your organisation's account", type="primary", icon=":material/login:"):
        st.login()


def _password_sign_in() -> None:
    con = cursor()
    if not users.has_accounts(con):
        st.info(f"No account exists yet. On the server, create the first one with `{ADMIN_COMMAND}`.")
    with st.form("sign-in"):
        name = st.text_input("User name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    time.sleep(users.retry_delay(con, name))
    try:
        found = users.sign_in(con, name, password)
    except users.SignInRefused as refused:
        st.error(str(refused), icon=":material/error:")
        return
    st.session_state[SESSION_KEY] = found.name
    st.session_state.pop(WANTS_SIGN_IN, None)
    st.rerun()


def draw_account(found: Actor) -> None:
    """Who is signed in, and the button to sign out (or, for a demo visitor, to sign in)."""
    box = st.sidebar.container()
    if found.demo:
        box.caption("Demo: open without signing in while only the sample is loaded.")
        if box.button("Sign in", icon=":material/login:"):
            st.session_state[WANTS_SIGN_IN] = True
            st.rerun()
        return
    box.caption(f"Signed in as **{found.name}** ({found.role})")
    if box.button("Sign out", icon=":material/logout:"):
        for key in (SESSION_KEY, ACTOR_KEY, WANTS_SIGN_IN):
            st.session_state.pop(key, None)
        if provider_configured():
            st.logout()
        st.rerun()
