"""Reports: a one-page summary and a report pack per funder, as PDF and Word, for bids and funders' returns."""

import streamlit as st

from pipelines import pack, report
from pipelines.audit import NotAllowed
from pipelines.disclosure import EXPORT_SUPPRESSION
from pipelines.export import MIME
from pipelines.report import SECTIONS
from ui.auth import actor
from ui.data import cached, cursor
from ui.figures import brand
from ui.sidebar import page_header

f = page_header("Reports", f"Documents to send to funders. {EXPORT_SUPPRESSION} in every file.")


def downloads(files: dict[str, bytes], key: str) -> None:
    """One download button per file, each on its own line with the file's name."""
    for name, data in files.items():
        st.download_button(
            name,
            data,
            name,
            mime=MIME[name.rsplit(".", 1)[1]],
            key=f"{key}-{name}",
            icon=":material/download:",
            on_click="ignore",
        )


def made(key: str, request: object, what: dict[str, str], label: str, doing: str, make, disabled: bool = False) -> None:
    """A button that makes the files for this request, then their downloads (only while the request is unchanged);
    ``what`` says in words what the audit records."""
    if st.button(label, key=f"make-{key}", type="primary", disabled=disabled):
        try:
            pack.check_export(cursor(), actor(), what)
        except NotAllowed as refused:
            st.error(str(refused), icon=":material/block:")
            return
        with st.spinner(doing):
            st.session_state[key] = (request, make())
    if (kept := st.session_state.get(key)) and kept[0] == request:
        downloads(kept[1], key)


st.subheader("One-page summary")
st.markdown(f"Does it work, who do we reach, will it still be funded: {f.description}, with two charts.")
made(
    "summary",
    f,
    pack.summary_request(f),
    "Make the one-page summary",
    "Writing the summary…",
    lambda: cached(pack.summary_files, f, brand()),
)

st.subheader("Report pack for a funder")
funders = cached(report.funders)
funder = st.selectbox(
    "Funder", ["The whole service", *funders], help="Choose a funder to report on the work its grants pay for."
)
chosen = None if funder == "The whole service" else funder
when = st.radio(
    "Period",
    ("The funder's grant dates", "The period chosen in the sidebar")
    if chosen
    else ("The period chosen in the sidebar",),
    horizontal=True,
)
period = f.period if when.startswith("The period") else None
ticked = tuple(s for s in SECTIONS if st.checkbox(s.capitalize(), value=True, key=f"section-{s}"))
activities = () if chosen else f.activities
request = (chosen, period, activities, ticked)
st.caption("You get the PDF to send, the Word file to edit, and a ZIP of every chart (PNG and SVG) with its data.")
made(
    "pack",
    request,
    pack.pack_request(*request),
    "Make the report pack",
    "Writing the report pack: the PDF, the Word file and the charts…",
    lambda: cached(pack.report_files, brand(), *request),
    disabled=not ticked,
)
