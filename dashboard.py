"""Impact dashboard: the entry point. Page set-up, the sample-data banner, shared filters and navigation."""

import streamlit as st

from ui.data import showing_sample
from ui.sidebar import draw_filters

st.set_page_config(page_title="Impact dashboard", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview"),
    st.Page("pages/outcomes.py", title="Outcomes", icon=":material/trending_up:", url_path="outcomes"),
    st.Page("pages/reach.py", title="Reach", icon=":material/groups:", url_path="reach"),
    st.Page("pages/funding.py", title="Funding", icon=":material/payments:", url_path="funding"),
    st.Page("pages/upload.py", title="Upload data", icon=":material/upload_file:", url_path="upload"),
]
# Streamlit serves the default page at "/" and ignores its url_path, so "/" is a hidden page that opens Overview.
HOME = st.Page(lambda: st.switch_page(PAGES[0]), title="Overview", url_path="home", default=True, visibility="hidden")

navigation = st.navigation([HOME, *PAGES])
draw_filters()
if showing_sample():
    st.info(
        "**Sample data.** You are looking at the bundled sample for a fictional charity, Brightside Mind. "
        "Figures are realistic but made up. Upload your own spreadsheets to see your service.",
        icon=":material/info:",
    )
navigation.run()
