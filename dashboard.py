"""Impact dashboard: the entry point. Page set-up, the sample-data banner, shared filters and navigation."""

import streamlit as st

from ui.data import showing_sample
from ui.shell import filtered, navigation
from ui.sidebar import draw_filters
from ui.style import APP_CSS

st.set_page_config(page_title="Impact dashboard", page_icon="📊", layout="wide")

st.html(APP_CSS)
chosen_page = navigation()
draw_filters(shown=filtered(chosen_page))
if showing_sample():
    st.info(
        "**Sample data.** You are looking at the bundled sample for a fictional charity, Brightside Mind. "
        "Figures are realistic but made up. Upload your own spreadsheets to see your service.",
        icon=":material/info:",
    )
chosen_page.run()
