"""Impact dashboard: the entry point. Page set-up, the sample-data banner, shared filters and navigation."""

import streamlit as st

from ui.auth import draw_account, signed_in, write_cookie
from ui.data import showing_sample
from ui.shell import filtered, navigation
from ui.sidebar import draw_filters
from ui.style import APP_CSS

st.set_page_config(page_title="Impact dashboard", page_icon="📊", layout="wide")

st.html(APP_CSS)
actor = signed_in()
chosen_page = navigation(actor)
if actor is None:  # nothing with data before signing in
    chosen_page.run()
    write_cookie()
    st.stop()
draw_filters(shown=filtered(chosen_page))
draw_account(actor)
if showing_sample():
    st.info(
        "**Sample data.** You are looking at the bundled sample for a fictional charity, Brightside Mind. "
        "Figures are realistic but made up. The demo is open without signing in and changes nothing. To see your "
        "own service, open **Upload data**: a short set-up names your charity and makes you its administrator, "
        "then you load your spreadsheets and, from then on, everyone signs in.",
        icon=":material/info:",
    )
chosen_page.run()
write_cookie()
