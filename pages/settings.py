"""Settings: how the charity's name, colour, logo and footnote appear on every chart and document it downloads, and
the local authorities it serves, whose Census 2021 population Reach compares with, and the hourly rate volunteer time
is valued at; for a signed-in administrator, accounts, the audit trail, a person's records (find, download, erase)
and the retention period."""

import datetime as dt

import streamlit as st

from pipelines import audit, export, reference, rights, sessions, settings, social_value, users, volunteering
from pipelines.audit import NotAllowed
from ui.actions import confirm_or_cancel, save_setting
from ui.auth import actor
from ui.data import cursor, with_database_closed
from ui.figures import brand, confirmation
from ui.shell import require_shell

require_shell()
st.title("Settings")
st.markdown(
    "**Branding for downloads.** Charts, tables, the one-page summary and funders' report packs carry the charity's "
    "name, its colour and logo, and the footnote below. Nothing here changes a figure."
)
confirmation("settings_message")
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
    save_setting(
        lambda: settings.save_brand(
            cursor(),
            charity_name=name,
            colour=colour,
            footnote=footnote,
            logo=logo.getvalue() if logo else None,
            remove_logo=remove,
            by=actor(),
        ),
        "settings_message",
        lambda _: "Saved. Downloads from now on carry these settings.",
    )

st.header("Our area")
st.markdown(
    "**The local authorities the service covers.** Reach compares the people reached with their residents "
    "(Census 2021; for deprivation, the English Indices of Deprivation 2019). Several authorities are taken together, "
    "their populations added. A loaded 'population' sheet, when there is one, is used instead."
)
confirmation("area_message")
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
    save_setting(
        lambda: settings.save_area(cursor(), codes, by=actor()),
        "area_message",
        lambda now: (
            f"Saved. Reach now compares with the population of {now.name}."
            if now
            else "Saved. No area is chosen: Reach compares with England."
        ),
        refused_by=NotAllowed,
        icon=":material/block:",
        figures_change=True,  # the figures cached with the old area (Reach's words, its note on the area)
    )

st.header("Volunteer time")
st.markdown(
    "**The hourly rate volunteer time is valued at** on the Funding page and in report packs, as in-kind support. "
    "Leave it blank to use the UK National Living Wage in force each month "
    f"(£{volunteering.living_wage_on(dt.date.today()):,.2f} an hour today)."
)
confirmation("rate_message")
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
    save_setting(
        lambda: settings.save_volunteer_rate(cursor(), rate, by=actor()),
        "rate_message",
        lambda now: (
            f"Saved. Volunteer time is valued at £{now:,.2f} an hour."
            if now is not None
            else "Saved. Volunteer time is valued at the National Living Wage in force each month."
        ),
        figures_change=True,  # the figures cached with the old rate
    )

st.header("Social value")
st.markdown(
    "**The assumptions behind the social value** on the Funding page and in report packs: ONS4 life satisfaction "
    "change valued in WELLBYs as HM Treasury's Green Book guidance on wellbeing (July 2021) does, at £13,000 in "
    "2019 prices. Before-and-after change is not all caused by the service: set aside the share you judge would have "
    "happened anyway, or is owed to others' work. Until you set one, none is set aside, and the pages say so."
)
confirmation("wellby_message")
held = settings.social_value_assumptions(cursor())
with st.form("social-value"):
    left, right = st.columns(2)
    aside = left.number_input(
        "Set aside for deadweight and attribution (%)",
        0,
        int(settings.MOST_DEADWEIGHT * 100),
        round(held.deadweight * 100),
        5,
        help="What would have happened anyway, or is owed to other services. Evidence from a comparison group is best.",
    )
    lasting = right.number_input(
        "How long the change lasts (years)",
        0.25,
        settings.LONGEST_DURATION,
        held.duration_years,
        0.25,
        help="One year unless you have evidence that the change lasts longer, or less.",
    )
    uplift = left.number_input(
        "Price uplift from 2019 prices",
        min_value=settings.UPLIFT_RANGE[0],
        max_value=settings.UPLIFT_RANGE[1],
        value=held.uplift if held.price_year != social_value.PRICE_YEAR else None,
        step=0.01,
        placeholder="Blank: values stay in 2019 prices",
        help="For example the GDP deflator's rise from 2019 to the year you report in.",
    )
    year = right.number_input(
        "The year the uplift brings prices to",
        social_value.PRICE_YEAR + 1,
        2100,
        held.price_year if held.price_year != social_value.PRICE_YEAR else None,
        placeholder="e.g. 2025",
    )
    saved_wellby = st.form_submit_button("Save the assumptions", type="primary")

if saved_wellby:
    save_setting(
        lambda: settings.save_social_value(
            cursor(), duration_years=lasting, deadweight=aside / 100, uplift=uplift, price_year=year, by=actor()
        ),
        "wellby_message",
        lambda now: f"Saved: values in {now.prices}, {now.in_words}.",
    )


ACCOUNT_FIELDS = ("account-name", "account-role", "account-password")  # the add form's widgets, emptied once added


def manage_accounts() -> None:
    """Add an account, change its role or remove it; every change checked and recorded by pipelines.users. A refusal
    is said under the form it came from, which keeps what was typed."""
    st.header("Accounts")
    confirmation("accounts_message")
    st.dataframe(users.listing(cursor()), hide_index=True)
    with st.form("add-account"):
        name = st.text_input("User name, or e-mail address for the identity provider", key=ACCOUNT_FIELDS[0])
        role = st.selectbox("Role", audit.ROLES, key=ACCOUNT_FIELDS[1])
        password = st.text_input(
            "Password",
            type="password",
            help="At least 10 characters. Leave empty for the identity provider.",
            key=ACCOUNT_FIELDS[2],
        )
        added = st.form_submit_button("Add the account")
    add_said = st.container()
    names = users.listing(cursor())["name"].tolist()
    with st.form("change-account"):
        chosen = st.selectbox("Account", names)
        new_role = st.selectbox("New role", audit.ROLES)
        change, remove = st.columns(2)
        changed = change.form_submit_button("Change the role")
        removed = remove.form_submit_button("Remove the account")
    change_said = st.container()
    try:
        if added:
            users.add(cursor(), name, role, password or None, by=actor())
            done = f"Added {name} as {role}."
            for key in ACCOUNT_FIELDS:
                del st.session_state[key]
        elif changed and chosen:
            users.set_role(cursor(), chosen, new_role, by=actor())
            done = f"{chosen} is now {new_role}."
        elif removed and chosen:
            users.remove(cursor(), chosen, by=actor())
            done = f"Removed {chosen}."
        else:
            return
    except (ValueError, NotAllowed) as refused:
        (add_said if added else change_said).error(f"Nothing was changed. {refused}", icon=":material/error:")
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


def person_records() -> None:
    """Find one person's records from the ID the charity knows them by, download them, or erase them."""
    st.header("A person's records")
    st.markdown(
        "**When someone asks about their data.** Find every record held about a person from the participant ID your "
        "spreadsheets use, download them for a subject access request, or erase them for good (the right to "
        "erasure). Names are never held, so the ID is the only way to find someone."
    )
    confirmation("erase_message")
    with st.form("find-person"):
        typed = st.text_input("Participant ID, as in your spreadsheets", placeholder="e.g. P0123")
        if st.form_submit_button("Find their records"):
            st.session_state.person = typed
    reference = st.session_state.get("person")
    if not reference:
        return
    try:
        held = rights.find(cursor(), reference)
    except rights.NotHeld as refused:
        st.error(str(refused), icon=":material/error:")
        return
    if not held.rows:
        st.info(rights.describe(held)[0], icon=":material/person_search:")
        return
    st.markdown(f"**{held.total:,} records** are held about participant ID {reference}, from its uploads:")
    for kind, frame in held.rows.items():
        with st.expander(f"{kind}: {len(frame):,} rows, {(frame['status'] == 'current').sum():,} current"):
            st.dataframe(frame, hide_index=True)
    left, right = st.columns(2)
    left.download_button(
        "Download their records (XLSX)",
        rights.workbook(held, dt.date.today()),
        f"{export.file_stem('', 'records held', reference)}.xlsx",
        icon=":material/download:",
        on_click="ignore",
    )
    if right.button("Erase their records…", icon=":material/delete_forever:"):
        st.session_state.confirm_erase = reference
    if st.session_state.get("confirm_erase") == reference:
        confirm_erasure(reference, held.total)


def confirm_erasure(reference: str, total: int) -> None:
    st.warning(
        f"Erase all {total:,} records about participant ID {reference}? They go from every page, the upload history "
        "and the database file, and the figures change as if they had never been loaded. This cannot be undone: "
        "rolling back or loading a file again does not bring them back, and files holding them later are loaded "
        "without them. Their rows in your own spreadsheets stay: delete those yourself.",
        icon=":material/delete_forever:",
    )

    def erase() -> None:
        erased = with_database_closed(lambda path: rights.erase_in_file(path, reference, actor()))
        st.session_state.erase_message = f"Erased participant ID {reference}: {erased.total:,} records."
        st.session_state.pop("person", None)

    confirm_or_cancel("confirm_erase", "Yes, erase them for good", erase, "erased", (NotAllowed, rights.NotHeld))


def retention() -> None:
    """The retention period, and removing the people past it."""
    st.header("Retention")
    st.markdown(
        "**How long a person's records are kept** after their last activity: their latest session, questionnaire, "
        "goal rating or feedback (or, where none gives a date, the day their records were last loaded). "
        "**Off by default: records are kept until erased.** With a period set, the Upload page reminds you when "
        "people are past it, and you remove them here (or with `python -m pipelines retention --apply`), as an "
        "erasure removes a person."
    )
    confirmation("retention_message")
    years = settings.retention_years(cursor())
    with st.form("retention"):
        chosen = st.number_input(
            "Retention period (years after the last activity)",
            min_value=1,
            max_value=settings.MAX_RETENTION_YEARS,
            value=years,
            step=1,
            placeholder="Blank: off, records are kept until erased",
        )
        saved = st.form_submit_button("Save the retention period", type="primary")
    if saved:
        save_setting(
            lambda: settings.save_retention(cursor(), chosen, by=actor()),
            "retention_message",
            lambda now: (
                f"Saved. Records are kept {now} years after a person's last activity."
                if now
                else "Saved. No retention period: records are kept until erased."
            ),
        )
        return
    remove_past_retention()


def remove_past_retention() -> None:
    reminder = rights.retention_reminder(cursor(), dt.date.today())
    if reminder is None:
        return
    st.warning(reminder, icon=":material/auto_delete:")
    if st.button("Remove their records…"):
        st.session_state.confirm_retention = True
    if not st.session_state.get("confirm_retention"):
        return
    st.warning("Remove them for good, as an erasure does? This cannot be undone.", icon=":material/delete_forever:")

    def remove() -> None:
        erased = with_database_closed(lambda path: rights.apply_retention_in_file(path, dt.date.today(), actor()))
        st.session_state.retention_message = f"Removed {erased.people:,} people's records ({erased.total:,} rows)."

    confirm_or_cancel("confirm_retention", "Yes, remove them", remove, "removed")


def session_limits() -> None:
    """How long a signed-in person stays signed in: idle, and in all (pipelines.sessions applies them)."""
    st.header("Sessions")
    st.markdown(
        "**How long people stay signed in.** A refresh keeps someone signed in, until they sign out, are idle for "
        "longer than the first limit, or were signed in longer than the second. Then they sign in again."
    )
    confirmation("sessions_message")
    current = sessions.limits(cursor())
    with st.form("session-limits"):
        idle = st.number_input("Idle limit (minutes)", *sessions.IDLE_RANGE, current.idle_minutes, step=5)
        absolute = st.number_input("Absolute limit (hours)", *sessions.ABSOLUTE_RANGE, current.absolute_hours)
        saved_limits = st.form_submit_button("Save the limits", type="primary")
    if saved_limits:
        save_setting(
            lambda: sessions.save_limits(cursor(), idle, absolute, by=actor()),
            "sessions_message",
            lambda now: (
                f"Saved. Idle for {now.idle_minutes} minutes, or signed in for {now.absolute_hours} hours, signs a "
                "person out."
            ),
        )


session_limits()
manage_accounts()
show_audit()
person_records()
retention()
