"""The set-up a demo visitor goes through before loading the charity's own data: its name, the first administrator's
account and, if wished, the area. pipelines.setup checks and saves it; this module draws."""

from __future__ import annotations

import streamlit as st

from pipelines import reference, settings, setup
from ui.auth import WANTS_SIGN_IN, begin_session, provider_configured
from ui.data import cursor

DONE_KEY = "set_up_message"  # said on the Upload page once the new administrator is signed in


def draw_set_up() -> None:
    """In the demo, Upload data sets the dashboard up first; once it is set up, a demo visitor is sent to sign in."""
    con = cursor()
    if not setup.needed(con):
        st.info("This dashboard is set up for a charity already. Sign in to load data.", icon=":material/lock:")
        if st.button("Sign in", type="primary", icon=":material/login:", key="set-up-sign-in"):
            st.session_state[WANTS_SIGN_IN] = True
            st.rerun()
        return
    st.markdown(
        "**Set up the dashboard for your charity.** The demo only shows the sample. Before loading your own "
        "spreadsheets, give the charity's name and make the account you will sign in with: you become the "
        "dashboard's first administrator, and from then on everyone signs in. Nothing from the demo is kept."
    )
    by_provider = provider_configured()
    authorities = reference.authorities()
    with st.form("set-up"):
        charity = st.text_input("Charity name", max_chars=settings.MAX_NAME, help="It goes on every download.")
        if by_provider:
            account = st.text_input("Your e-mail address at the organisation", autocomplete="email")
            password = again = None
        else:
            account = st.text_input("Your user name", autocomplete="username")
            password = st.text_input("Password (at least 10 characters)", type="password", autocomplete="new-password")
            again = st.text_input("The password again", type="password", autocomplete="new-password")
        area = st.multiselect(
            "Local authorities served (you can choose them later in Settings)",
            list(authorities),
            format_func=authorities.get,
            placeholder="Type a name, e.g. Dudley",
        )
        done = st.form_submit_button("Set up and sign in", type="primary")
    if done:
        _set_up(charity, account, password, again, area, by_provider)


def _set_up(
    charity: str, account: str, password: str | None, again: str | None, area: list[str], by_provider: bool
) -> None:
    if password != again:
        st.error("The two passwords differ. Type the same password twice.", icon=":material/error:")
        return
    try:
        admin = setup.set_up(cursor(), charity_name=charity, account=account, password=password, area_codes=area)
    except ValueError as refused:  # SetUpRefused, SettingRefused and a name or password that will not do
        st.error(f"Nothing was set up. {refused}", icon=":material/error:")
        return
    if by_provider:
        st.session_state[WANTS_SIGN_IN] = True
        st.session_state[DONE_KEY] = f"Set up for {charity.strip()}. Now sign in with your organisation's account."
    else:
        begin_session(cursor(), admin.name)
        st.session_state[DONE_KEY] = (
            f"Set up for {charity.strip()}. You are signed in as {admin.name}, its administrator. Now choose your "
            "spreadsheets below and press Load: your first load takes the sample out."
        )
    st.rerun()
