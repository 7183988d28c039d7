"""Upload data: check a quarter's spreadsheets, see what is wrong or what will change, load, and roll back."""

import datetime as dt
import json

import pandas as pd
import streamlit as st

from pipelines import audit, ingest, inventory, problem_report, rights, store, words
from pipelines.problems import Problem
from pipelines.sheets import mapping_targets
from ui.actions import carried_out, confirm_or_cancel
from ui.auth import actor
from ui.data import blank_template, cached, check_upload, cursor, data_changed
from ui.figures import confirmation
from ui.setup import DONE_KEY, draw_set_up
from ui.shell import require_shell
from ui.sidebar import data_ends_before_today

NOT_USED = "Not used"

require_shell()
st.title("Upload data")
if actor().demo:  # the demo changes nothing: loading the charity's own data starts with setting up
    draw_set_up()
    st.stop()
if message := st.session_state.pop(DONE_KEY, None):
    st.success(message, icon=":material/how_to_reg:")
if last := data_ends_before_today(cached(inventory.data_range)):
    st.caption(f"The sessions and questionnaires loaded so far run to {last:%-d %b %Y}.")
left, right = st.columns([3, 1])
left.markdown(
    "Add the quarter's spreadsheets: attendance registers, wellbeing questionnaires, participant profiles, "
    "funding, expenditure and reserves, as **.xlsx** workbooks or **.csv** files, several at once. "
    f"Up to {st.get_option('server.maxUploadSize')} MB per file. They are checked first: nothing is saved until "
    "you press **Load**, and any load can be rolled back."
)
right.download_button(
    "Download blank template",
    blank_template(),
    "impact-dashboard-template.xlsx",
    icon=":material/download:",
    help="One sheet per kind of data, with drop-down lists for the fixed answers and an instructions sheet.",
)
confirmation("upload_message")

con = cursor()
if audit.may(actor(), "erase") and (reminder := rights.retention_reminder(con, dt.date.today())):
    st.warning(reminder, icon=":material/auto_delete:")
st.session_state.setdefault("upload_round", 0)
uploaded = st.file_uploader(
    # Any type: an .xls, .xlsm or other file gets a message saying what to do, rather than being hidden.
    "Spreadsheets to check",
    accept_multiple_files=True,
    key=f"files-{st.session_state.upload_round}",
)


def choose_mappings(result: ingest.Check) -> dict[str, dict[str, str]]:
    """Let the manager say what unrecognised columns hold (kind -> header -> field); remembered when the files load.

    Built afresh from the select boxes on every run, so a box left at "Not used" for one file cannot undo the
    choice made for the same header in another file.
    """
    chosen: dict[str, dict[str, str]] = {}
    for item in result.files:
        for sheet in item.sheets:
            if not sheet.kind or not sheet.ignored_columns:
                continue
            st.caption(
                f"**{item.name}**, sheet *{sheet.sheet or 'CSV'}* ({sheet.kind.name}): these columns were not "
                "recognised and will not be stored. If one holds data the dashboard uses, say which."
            )
            boxes = st.columns(4)
            for number, column in enumerate(sheet.ignored_columns):
                box = boxes[number % len(boxes)]
                options = [NOT_USED, *mapping_targets(sheet.kind)]
                picked = box.selectbox(f"“{column}” holds", options, key=f"map-{item.name}-{sheet.sheet}-{column}")
                if picked != NOT_USED:
                    chosen.setdefault(sheet.kind.name, {})[column] = picked
    return chosen


def show_problems(result: ingest.Check, files: list) -> None:
    st.error(
        f"**{words.counted(len(result.problems), 'problem')} found. Nothing has been loaded.** Fix "
        f"{'it' if len(result.problems) == 1 else 'them'} in the spreadsheet and "
        "upload it again. Problems of the same kind are grouped, with their rows as Excel numbers them.",
        icon=":material/error:",
    )
    # Every message is written out whole: a refused file's as a line, the others in a table whose cells wrap.
    for problem in result.problems:
        if not problem.sheet and problem.row is None:
            st.markdown(f"- **{problem.file}**: {problem.expected}")
    in_cells = [p for p in result.problems if p.sheet or p.row is not None]
    if in_cells:
        st.table(problem_report.grouped(in_cells), hide_index=True)
    st.markdown("**To fix them, download:**")
    st.download_button(
        "Problems as a spreadsheet",
        problem_report.problems_workbook(result.problems),
        "upload-problems.xlsx",
        icon=":material/download:",
        help="Every problem on its own row: file, sheet, row, column, value and what is expected.",
    )
    for name, upload in ((u.name, u) for u in files if _markable(u.name, result.problems)):
        st.download_button(
            f"{name} with problems marked",
            problem_report.marked_workbook(name, upload.getvalue(), result.problems),
            problem_report.marked_name(name),
            icon=":material/download:",
            help="The same workbook with each problem cell filled red and a comment saying what is expected.",
        )


def _markable(name: str, problems: list[Problem]) -> bool:
    """Whether the file can come back with its problem cells marked: an .xlsx or .csv with a problem in a cell."""
    return name.lower().endswith((".xlsx", ".csv")) and any(p.file == name and p.column_index for p in problems)


def show_already_in(result: ingest.Check) -> None:
    """Files loaded already: said plainly, apart from any problem, since nothing needs doing about them."""
    for sentence in result.already_in:
        st.info(sentence, icon=":material/task_alt:")


def show_preview(result: ingest.Check) -> None:
    if result.sample_to_remove:
        st.warning(ingest.SAMPLE_REMOVAL, icon=":material/swap_horiz:")
    for item in result.files:
        label = " (bundled sample)" if item.is_sample else ""
        st.markdown(f"**{item.name}**{label}: {ingest.describe_changes(item.changes)}.")
        for kind, counts in item.changes.items():
            if counts["changed"]:
                noun = ingest.NOUNS[kind][counts["changed"] != 1]
                with st.expander(f"{counts['changed']:,} {noun} will be corrected: examples"):
                    changed = store.changed_rows(con, kind, item.tables[kind], bool(result.sample_to_remove))
                    st.dataframe(changed, hide_index=True)
        for note in item.notes:
            st.warning(note, icon=":material/info:")
    if st.button("Load", type="primary", icon=":material/upload:") and carried_out(
        lambda: ingest.load(con, result, by=actor()), "loaded"
    ):
        data_changed()
        files = ", ".join(item.name for item in result.files)
        removed = f" {ingest.sample_removed(result.sample_to_remove)}" if result.sample_to_remove else ""
        st.session_state.upload_message = (
            f"Loaded {files}: {ingest.describe_changes(ingest.total_changes(result.files))}.{removed}"
        )
        st.session_state.upload_round += 1
        st.rerun()


if uploaded:
    files = tuple((f.name, f.getvalue()) for f in uploaded)
    as_uploaded = check_upload(files, {})  # the columns to offer mappings for, whatever has been chosen
    st.subheader("What was found")
    found = st.empty()
    mappings = choose_mappings(as_uploaded)
    result = check_upload(files, mappings) if any(mappings.values()) else as_uploaded
    overview = ingest.sheet_overview(result)
    if not overview.empty:
        found.dataframe(overview, hide_index=True, width="stretch")
    elif not result.already_in:
        found.caption("No sheet could be read.")
    show_already_in(result)
    if result.problems:
        show_problems(result, uploaded)
    elif result.files:
        st.subheader("What will change")
        show_preview(result)


def history_table(uploads: pd.DataFrame) -> pd.DataFrame:
    """The uploads as a manager reads them (who loaded a file, and column mappings, shown only where there are some)."""
    table = pd.DataFrame(
        {
            "upload": uploads["upload_id"],
            "when": uploads["loaded_at"].dt.strftime("%d/%m/%Y %H:%M"),
            "who": uploads["loaded_by"].fillna(""),
            "file": uploads["file_name"] + uploads["is_sample"].map({True: " (sample)", False: ""}),
            "what changed": [ingest.describe_changes(json.loads(c)) for c in uploads["row_counts"]],
            "column mappings": uploads["mappings"].fillna(""),
            "status": uploads["rolled_back_at"].map(lambda t: "active" if pd.isna(t) else f"rolled back {t:%d/%m/%Y}"),
        }
    )
    return table.drop(columns=[c for c in ("who", "column mappings") if not table[c].any()])


def bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def confirm_rollback(key: object, upload_ids: list[int], question: str, done: str) -> None:
    """Ask before rolling back, once a button has set ``confirm_rollback`` to ``key``; then say what was taken out."""
    if st.session_state.get("confirm_rollback") != key:
        return
    taken_out = bullets(ingest.describe_uploads(con, upload_ids))
    st.warning(f"{question}\n\n{taken_out}", icon=":material/undo:")

    def roll_back() -> None:
        store.rollback(con, *upload_ids, by=actor())
        data_changed()
        left = "" if store.has_data(con) else f"\n\n{NOTHING_LEFT}"
        st.session_state.rollback_message = f"{done}\n\n{taken_out}{left}"  # said where the person is
        st.session_state.upload_round += 1  # the files chosen before were checked against the data as it was

    confirm_or_cancel("confirm_rollback", "Yes, roll it back", roll_back, "rolled back")


NOTHING_LEFT = (
    "Nothing is loaded now, so the pages are empty until you load your spreadsheets. (A database with nothing "
    "loaded shows the bundled sample again the next time the dashboard starts.)"
)

st.subheader("Upload history")
if message := st.session_state.pop("rollback_message", None):
    st.success(message, icon=":material/undo:")
    st.toast("Rolled back.", icon=":material/undo:")
uploads = store.uploads(con)
if uploads.empty:
    st.info("Nothing has been loaded yet.")
else:
    st.table(history_table(uploads), hide_index=True)
    active = uploads[uploads["rolled_back_at"].isna()]
    sample_ids = store.sample_only_where_real(con)
    if sample_ids:
        st.warning(
            "Your own data is loaded, and so is the bundled sample of a fictional charity. Remove the sample so "
            "the figures are yours alone.",
            icon=":material/warning:",
        )
        if st.button("Remove the sample data…"):
            st.session_state.confirm_rollback = "sample"
        confirm_rollback(
            "sample",
            sample_ids,
            f"Remove the sample? Its {len(sample_ids)} uploads are rolled back and only your own data is left. "
            "Taken out:",
            f"The sample data was removed ({len(sample_ids)} uploads rolled back). Taken out:",
        )
    if not active.empty:
        pick, go = st.columns([3, 1], vertical_alignment="bottom")
        labels = {
            f"{r.upload_id}: {r.file_name} ({r.loaded_at:%d/%m/%Y %H:%M})": r.upload_id for r in active.itertuples()
        }
        chosen = labels[pick.selectbox("Roll back an upload", list(labels))]
        if go.button("Roll back…"):
            st.session_state.confirm_rollback = chosen
        confirm_rollback(
            chosen,
            [chosen],
            f"Roll back upload {chosen}? Its rows disappear from every page and the rows it replaced come back. "
            "Nothing is deleted: you can load the file again later. Taken out:",
            f"Upload {chosen} was rolled back; the rows it replaced are current again. Taken out:",
        )
