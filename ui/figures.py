"""Every chart and table on the pages, drawn with its downloads: the one place the app offers files.

A page hands over how to fetch the figures for a disclosure mode and how to draw them. The screen shows them with
the on-screen setting; every download fetches them again in export mode (threshold 8, counts rounded to 5), so what
leaves the app is safe whatever the screen shows. Files are rendered only when someone clicks.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from pipelines import export, settings
from pipelines.disclosure import WITHHELD, Disclosure
from pipelines.export import Exhibit
from pipelines.periods import Period
from pipelines.verdict import Answer
from ui.auth import may_lower_threshold
from ui.data import cursor, showing_sample

Fetch = Callable[[Disclosure], pd.DataFrame]
Draw = Callable[[pd.DataFrame, Disclosure], alt.Chart]
Describe = str | Callable[[pd.DataFrame], str]  # in words, what the chart shows and its key figure
LABELS = {"png": "Picture (PNG)", "svg": "Vector (SVG)", "pdf": "PDF", "csv": "Data (CSV)", "xlsx": "Data (Excel)"}


def screen() -> Disclosure:
    """The on-screen disclosure: the sidebar's threshold, never below 8 unless an administrator lowered it."""
    return Disclosure.screen(int(st.session_state.get("threshold", Disclosure().min_count)), may_lower_threshold())


def hidden_note(frame: pd.DataFrame, disclosure: Disclosure) -> str:
    """A chart's subtitle line saying how small groups are shown, when some are (an export's footnote says it)."""
    if "hidden" not in frame.columns or not frame["hidden"].any() or disclosure.mode != "screen":
        return ""
    return f"{disclosure.small_label}: fewer than {disclosure.min_count} people; {WITHHELD}: hidden so that a small count cannot be worked out."


def listed(names: pd.Series, values: pd.Series) -> str:
    """'2025-26 Q1 120; 2025-26 Q2 <8': each name with its figure as shown, for a chart's description."""
    return "; ".join(f"{name} {value}" for name, value in zip(names, values, strict=True))


def fact(column, label: str, value: str, detail: str | None = None, help: str | None = None) -> None:  # noqa: A002
    """A headline figure with a plain note under it (st.metric's delta, neither green nor red)."""
    column.metric(label, value, detail, delta_color="off", delta_arrow="off", help=help, border=True)


TONES = {
    "good": ":material/check_circle: ",
    "bad": ":material/error: ",
    "neutral": ":material/info: ",
}  # an icon beside the words, so colour is never the only signal


def answer(column, found: Answer) -> None:
    """One of the Overview's questions answered in words, in a bordered box."""
    box = column.container(border=True)
    box.markdown(f"**{TONES[found.tone]}{found.question}**")
    box.markdown(found.text)


def brand() -> settings.Brand:
    return settings.brand(cursor(), showing_sample())


def chart(
    what: str,
    period: Period,
    fetch: Fetch,
    draw: Draw,
    *,
    description: Describe,
    citation: str | None = None,
    labels: dict[str, str] | None = None,
    downloads: bool = True,
) -> None:
    """Draw a chart of ``fetch(screen())`` with a Download menu beside it (pass downloads=False for per-person
    charts, which never leave the app). ``description`` is the chart's accessible text, or makes it from the data."""
    data = fetch(screen())
    words = description(data) if callable(description) else description
    st.altair_chart(draw(data, screen()), width="stretch", alt=words)  # alt becomes the spec's description
    if downloads:
        _download_menu(what, period, fetch, draw, citation, labels or {}, export.DOWNLOADS)


def table(what: str, period: Period, fetch: Fetch, shape: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """A table of ``shape(fetch(screen()))`` with CSV and Excel downloads of the export version."""
    st.dataframe(shape(fetch(screen())), hide_index=True, width="stretch")
    _download_menu(what, period, lambda d: shape(fetch(d)), None, None, {}, ("csv", "xlsx"))


def _download_menu(
    what: str,
    period: Period,
    fetch: Fetch,
    draw: Draw | None,
    citation: str | None,
    labels: dict[str, str],
    formats: tuple[str, ...],
) -> None:
    branding = brand()  # once per menu: it is read from the database

    def exhibit() -> Exhibit:
        data = fetch(Disclosure.export())
        spec = draw(data, Disclosure.export()).to_dict() if draw else {}
        return Exhibit(what, spec, data, period, branding, citation, labels)

    with st.popover("Download", icon=":material/download:"):
        st.caption(f"{what}, {period.short_label}. {export.EXPORT_SUPPRESSION}.")
        for ext in formats:
            st.download_button(
                LABELS[ext],
                data=lambda ext=ext: exhibit().render(ext),
                file_name=Exhibit(what, {}, pd.DataFrame(), period, branding).file_name(ext),
                mime=export.MIME[ext],
                key=f"download-{what}-{ext}",
                on_click="ignore",
                width="stretch",
            )
