"""Settings: how the charity's name, colour, logo and footnote appear on every chart and document it downloads, and
the local authorities it serves, whose Census 2021 population Reach compares with, and the hourly rate volunteer time
is valued at."""

import datetime as dt

import streamlit as st

from pipelines import audit, reference, sessions, settings, users, volunteering
from pipelines.audit import NotAllowed
from pipelines.settings import SettingRefused
from ui.auth import actor
from ui.data import cursor, data_changed
from ui.figures import brand
from ui.shell import require_shell

require_shell()
st.title("Settings")
st.markdown(
    "**Branding for downloads.** Charts, tables, the one-page summary and funders' report packs carry the charity's "
    "name, its colour and logo, and the footnote below. Nothing here changes a figure."
)
if message := st.session_state.pop("settings_message", None):
    st.success(message, icon=":material/check_circle:")
current = brand()
if current.logo_png:
    st.image(current.logo_png, caption="The logo in use", width=160)

with st.form("branding"):
    name = st.text_input("Charity name", current.charity_name, max_chars=settings.MAX_NAME)
    colour = st.color_picker("Primary colour", current.colour, help="Used for headings and the main bars of charts.")
    footnote = st.text_input(
        "Footnote on every download",
        current.footnote,
        max_chars=settings.MAX_FOOTNOTE,
        placeholder="e.g. Registered charity number 1234567",
    )
    logo = st.file_uploader("Logo (PNG or JPEG, under 2 MB)", type=["png", "jpg", "jpeg"])
    remove = st.checkbox("Remove the logo", disabled=current.logo_png is None)
    saved = st.form_submit_button("Save", type="primary")

if saved:
    try:
        settings.save_brand(
            cursor(),
            charity_name=name,
            colour=colour,
            footnote=footnote,
            logo=logo.getvalue() if logo else None,
            remove_logo=remove,
            by=actor(),
        )
    except (SettingRefused, NotAllowed) as refused:
        st.error(f"Nothing was saved. {refused}", icon=":material/error:")
    else:
        st.session_state["settings_message"] = "Saved. Downloads from now on carry these settings."
        st.rerun()

st.header("Our area")
st.markdown(
    "**The local authorities the service covers.** Reach compares the people reached with their residents "
    "(Census 2021; for deprivation, the English Indices of Deprivation 2019). Several authorities are taken together, "
    "their populations added. A loaded 'population' sheet, when there is one, is used instead."
)
if message := st.session_state.pop("area_message", None):
    st.success(message, icon=":material/check_circle:")
chosen = settings.area(cursor())
if chosen is None:
    suggested = settings.suggested_area(cursor())
    hint = f" Most participants with a recorded area live in {suggested.name}." if suggested else ""
    st.info(f"No area is chosen yet, so Reach compares with England.{hint}")
authorities = reference.authorities()
with st.form("area"):
    codes = st.multiselect(
        "Local authorities served",
        list(authorities),
        default=list(chosen.codes) if chosen else [],
        format_func=authorities.get,
        placeholder="Type a name, e.g. Dudley",
        help="Local authorities of England and Wales as in 2022. Pick every one the service covers.",
    )
    saved_area = st.form_submit_button("Save the area", type="primary")

if saved_area:
    try:
        now = settings.save_area(cursor(), codes, by=actor())
    except NotAllowed as refused:
        st.error(f"Nothing was saved. {refused}", icon=":material/block:")
    else:
        st.session_state["area_message"] = (
            f"Saved. Reach now compares with the population of {now.name}."
            if now
            else "Saved. No area is chosen: Reach compares with England."
        )
        st.rerun()

st.header("Volunteer time")
st.markdown(
    "**The hourly rate volunteer time is valued at** on the Funding page and in report packs, as in-kind support. "
    "Leave it blank to use the UK National Living Wage in force each month "
    f"(£{volunteering.living_wage_on(dt.date.today()):,.2f} an hour today)."
)
if message := st.session_state.pop("rate_message", None):
    st.success(message, icon=":material/check_circle:")
with st.form("volunteer-rate"):
    rate = st.number_input(
        "Hourly rate for volunteer time (£)",
        min_value=0.01,
        max_value=settings.MAX_VOLUNTEER_RATE,
        value=settings.volunteer_rate(cursor()),
        step=0.01,
        format="%.2f",
        placeholder="Blank: the National Living Wage",
        help="For example a local care worker's or a counsellor's hourly pay, if your funders agree it.",
    )
    saved_rate = st.form_submit_button("Save the rate", type="primary")

if saved_rate:
    try:
        now = settings.save_volunteer_rate(cursor(), rate, by=actor())
    except (SettingRefused, NotAllowed) as refused:
        st.error(f"Nothing was saved. {refused}", icon=":material/error:")
    else:
        st.session_state["rate_message"] = (
            f"Saved. Volunteer time is valued at £{now:,.2f} an hour."
            if now is not None
            else "Saved. Volunteer time is valued at the National Living Wage in force each month."
        )
        data_changed()  # the figures cached with the old rate
        st.rerun()


def manage_accounts() -> None:
    """Add an account, change its role or remove it; every change checked and recorded by pipelines.users."""
    st.header("Accounts")
    if message := st.session_state.pop("accounts_message", None):
        st.success(message, icon=":material/check_circle:")
    st.dataframe(users.listing(cursor()), hide_index=True)
    with st.form("add-account", clear_on_submit=True):
        name = st.text_input("User name, or e-mail address for the identity provider")
        role = st.selectbox("Role", audit.ROLES)
        password = st.text_input(
            "Password", type="password", help="At least 10 characters. Leave empty for the identity provider."
        )
        added = st.form_submit_button("Add the account")
    names = users.listing(cursor())["name"].tolist()
    with st.form("change-account"):
        chosen = st.selectbox("Account", names)
        new_role = st.selectbox("New role", audit.ROLES)
        change, remove = st.columns(2)
        changed = change.form_submit_button("Change the role")
        removed = remove.form_submit_button("Remove the account")
    try:
        if added:
            users.add(cursor(), name, role, password or None, by=actor())
            done = f"Added {name} as {role}."
        elif changed and chosen:
            users.set_role(cursor(), chosen, new_role, by=actor())
            done = f"{chosen} is now {new_role}."
        elif removed and chosen:
            users.remove(cursor(), chosen, by=actor())
            done = f"Removed {chosen}."
        else:
            return
    except (ValueError, NotAllowed) as refused:
        st.error(f"Nothing was changed. {refused}", icon=":material/error:")
        return
    st.session_state["accounts_message"] = done
    st.rerun()


def show_audit() -> None:
    st.header("Audit trail")
    st.markdown("Who signed in, loaded, rolled back, changed settings or accounts, or made a report pack, and when.")
    st.dataframe(audit.rows(cursor()), hide_index=True)
    st.download_button(
        "Download the audit trail (CSV)",
        audit.csv_bytes(cursor()),
        "audit-trail.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )


def session_limits() -> None:
    """How long a signed-in person stays signed in: idle, and in all (pipelines.sessions applies them)."""
    st.header("Sessions")
    st.markdown(
        "**How long people stay signed in.** A refresh keeps someone signed in, until they sign out, are idle for "
        "longer than the first limit, or were signed in longer than the second. Then they sign in again."
    )
    if message := st.session_state.pop("sessions_message", None):
        st.success(message, icon=":material/check_circle:")
    current = sessions.limits(cursor())
    with st.form("session-limits"):
        idle = st.number_input("Idle limit (minutes)", *sessions.IDLE_RANGE, current.idle_minutes, step=5)
        absolute = st.number_input("Absolute limit (hours)", *sessions.ABSOLUTE_RANGE, current.absolute_hours)
        saved_limits = st.form_submit_button("Save the limits", type="primary")
    if not saved_limits:
        return
    try:
        now = sessions.save_limits(cursor(), idle, absolute, by=actor())
    except (SettingRefused, NotAllowed) as refused:
        st.error(f"Nothing was saved. {refused}", icon=":material/error:")
        return
    st.session_state["sessions_message"] = (
        f"Saved. Idle for {now.idle_minutes} minutes, or signed in for {now.absolute_hours} hours, signs a person out."
    )
    st.rerun()


session_limits()
manage_accounts()
show_audit()
