"""Settings: how the charity's name, colour, logo and footnote appear on every chart and document it downloads."""

import streamlit as st

from pipelines import settings
from pipelines.settings import SettingRefused
from ui.data import cursor
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
        )
    except SettingRefused as refused:
        st.error(f"Nothing was saved. {refused}", icon=":material/error:")
    else:
        st.session_state["settings_message"] = "Saved. Downloads from now on carry these settings."
        st.rerun()
