"""Reports: the reports funders expect and a calendar of them, a one-page summary and a report pack per funder, as
PDF and Word, for bids and funders' returns."""

import datetime as dt

import streamlit as st

from pipelines import pack, report, reporting
from pipelines.audit import NotAllowed
from pipelines.disclosure import EXPORT_SUPPRESSION
from pipelines.export import MIME, file_stem
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


def due_report(found: reporting.Report, key: str, late: bool) -> None:
    """One report a funder expects, with the button that makes that funder's pack for exactly its period."""
    with st.container(border=True):
        st.markdown(
            f"**{found.funder}**: {found.grant}  \n"
            f"{'Was due' if late else 'Due'} **{found.due:%-d %B %Y}**, covering {found.covers.dates}"
        )
        request = (found.funder, found.covers, (), SECTIONS)
        made(
            key,
            request,
            pack.pack_request(*request),
            "Make this report pack",
            f"Writing {found.funder}'s report pack for {found.covers.dates}…",
            lambda: cached(pack.report_files, brand(), *request),
        )


today = dt.date.today()
st.subheader("Reports due to funders")
late = cached(reporting.overdue, today)
coming = cached(reporting.due_within, reporting.ahead(today))
if not late and not coming:
    st.info(
        "No report is due in the next 12 months. To list the reports your funders expect, add a 'Reports due' column "
        "(dates separated by semicolons), or 'Reporting frequency' and 'First report due', to your funding sheet.",
        icon=":material/event_busy:",
    )
if late:
    st.markdown(
        f"**Overdue unless already sent:** {len(late)} report(s) fell due in the last three months. The dashboard "
        "cannot tell whether they were sent."
    )
    for index, found in enumerate(late):
        due_report(found, f"late-{index}", late=True)
if coming:
    st.markdown(f"**Due in the next 12 months** ({reporting.ahead(today).dates}): {len(coming)} report(s).")
    for index, found in enumerate(coming):
        due_report(found, f"due-{index}", late=False)
    charity = brand().charity_name
    st.download_button(
        "Add these dates to your calendar (.ics)",
        reporting.ics(coming, charity, dt.datetime.now(dt.UTC)),
        f"{file_stem(charity or 'impact', 'funders reports', today.isoformat())}.ics",
        mime="text/calendar",
        icon=":material/calendar_add_on:",
        on_click="ignore",
        help="Opens in Outlook, Google Calendar and Apple Calendar: one all-day event per report, with a reminder a "
        "week before.",
    )

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
