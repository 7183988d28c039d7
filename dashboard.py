"""Impact dashboard: the entry point. Page set-up, the sample-data banner, shared filters and navigation."""

import streamlit as st

from ui.data import showing_sample
from ui.figures import HIDE_BUILT_IN_DOWNLOADS
from ui.shell import navigation
from ui.sidebar import draw_filters

st.set_page_config(page_title="Impact dashboard", page_icon="📊", layout="wide")

st.html(HIDE_BUILT_IN_DOWNLOADS)
chosen_page = navigation()
draw_filters()
if showing_sample():
    st.info(
        "**Sample data.** You are looking at the bundled sample for a fictional charity, Brightside Mind. "
        "Figures are realistic but made up. Upload your own spreadsheets to see your service.",
        icon=":material/info:",
    )
chosen_page.run()
