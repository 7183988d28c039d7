"""Every chart and table on the pages, shown with its downloads: the one place the app offers files.

A page hands over an exhibit (pipelines/exhibits/): how to fetch its figures, draw them and say them in words. The
screen shows them as the signed-in role may see them (``screen``): a viewer what a funder sees, staff exact counts;
every download fetches them again in export mode (threshold 8, counts rounded to 5), so what leaves the app is safe
whatever the screen shows. Both hide what the page's published set says (``publish``). Files are rendered only when
someone clicks.

A chart's Vega-Lite spec is drawn once and shared between sessions (``_drawn``), keyed on the data version, all that
defines the exhibit (its figures' source and arguments, and every option its drawing and words take) and the
disclosure: a second look at a chart is a dictionary lookup, not Altair building and validating it again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from contextlib import nullcontext
from types import BuiltinFunctionType, FunctionType, ModuleType

import altair as alt
import streamlit as st
from streamlit.elements.vega_charts import _altair_globals_lock, _to_arrow_dataset
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from pipelines import export, settings
from pipelines.disclosure import EXPORT_SUPPRESSION, MIN_COUNT, Disclosure
from pipelines.exhibits import Exhibit
from pipelines.verdict import Answer
from ui.auth import may_lower_threshold, sees_exact_counts
from ui.data import cached, cursor, data_version, showing_sample

LABELS = {"png": "Picture (PNG)", "svg": "Vector (SVG)", "pdf": "PDF", "csv": "Data (CSV)", "xlsx": "Data (Excel)"}
_HIDDEN = "_impact_hidden"  # on the run's context: the counts this page's published set hides


def rules() -> Disclosure:
    """How the signed-in role may see counts, decided here on the server: a viewer sees what a funder sees (under 8
    hidden, others rounded to 5); staff see exact counts with the sidebar's threshold, never below 8 unless an
    administrator lowered it."""
    if not sees_exact_counts():
        return Disclosure.viewer()
    threshold = int(st.session_state.get("threshold", MIN_COUNT))
    return Disclosure.screen(threshold, lowered=threshold < MIN_COUNT and may_lower_threshold())  # at 8 or above an
    # administrator's screen is everyone's, and shares its cached figures


def publish(page_set: Callable[..., frozenset[str]], *args: object) -> None:
    """Work out the page's published set (pipelines/published.py) before it shows anything, so that every figure,
    on screen and in its downloads, hides what the whole page must."""
    hidden = cached(page_set, *args, rules())
    if (ctx := get_script_run_ctx(suppress_warning=True)) is not None:
        setattr(ctx, _HIDDEN, (ctx.cursors, hidden))


def _hidden() -> frozenset[str]:
    ctx = get_script_run_ctx(suppress_warning=True)
    found = getattr(ctx, _HIDDEN, None)
    return found[1] if found is not None and found[0] is ctx.cursors else frozenset()


def screen() -> Disclosure:
    """The on-screen disclosure: the role's rules, hiding what the page's published set says."""
    return rules().hiding(_hidden())


def fact(column, label: str, value: str, detail: str | None = None, help: str | None = None) -> None:  # noqa: A002
    """A headline figure with a plain note under it (st.metric's delta, neither green nor red)."""
    column.metric(label, value, detail, delta_color="off", delta_arrow="off", help=help, border=True)


def confirmation(key: str, icon: str = ":material/check_circle:") -> None:
    """What an action said it did, left in the session state under ``key`` for the run after its rerun: shown once."""
    if message := st.session_state.pop(key, None):
        st.success(message, icon=icon)


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


def show(exhibit: Exhibit) -> None:
    """A chart (or, for an exhibit that is only a table, the table) with its Download menu beside it, unless it
    never leaves the app. The chart's words are its accessible text."""
    disclosure = screen()
    if exhibit.draw is None:
        st.dataframe(exhibit.table(exhibit.figures(cached, disclosure)), hide_index=True, width="stretch")
    else:
        spec, words = drawing(exhibit, disclosure)
        st.vega_lite_chart(spec, width="stretch", alt=words)
    if exhibit.downloads:
        _download_menu(exhibit, ("csv", "xlsx") if exhibit.draw is None else export.DOWNLOADS)


def drawing(exhibit: Exhibit, disclosure: Disclosure) -> tuple[dict, str]:
    """The exhibit's Vega-Lite spec and its words, from the cache shared between sessions; drawn afresh only for an
    exhibit with an option the key cannot tell apart from another (none of today's)."""
    try:
        what = (exhibit.what, exhibit.f, exhibit.source, exhibit.args, exhibit.part, exhibit.draw, exhibit.describe)
        identity = repr(_fingerprint((what, disclosure)))
    except TypeError:
        return _draw(exhibit, disclosure)
    return _drawn(data_version(), identity, exhibit, disclosure)


@st.cache_data(show_spinner=False, max_entries=1024)
def _drawn(version: str, identity: str, _exhibit: Exhibit, _disclosure: Disclosure) -> tuple[dict, str]:
    return _draw(_exhibit, _disclosure)


def _draw(exhibit: Exhibit, disclosure: Disclosure) -> tuple[dict, str]:
    data = exhibit.figures(cached, disclosure)
    return vega_lite(exhibit.chart(data, disclosure)), exhibit.describe(data)


def vega_lite(chart: alt.TopLevelMixin) -> dict:
    """The chart's spec as st.altair_chart makes it (no default theme, its data as Arrow datasets) but without
    Altair's schema validation, which took most of the time: the charts are validated where they leave the app (their
    downloads) and by the tests."""
    datasets: dict[str, bytes] = {}
    alt.data_transformers.register("to_arrow_dataset", _to_arrow_dataset)
    with _altair_globals_lock:
        plain = alt.theme.enable("none") if alt.theme.active == "default" else nullcontext()
        with plain, alt.data_transformers.enable("to_arrow_dataset", datasets=datasets):
            spec = chart.to_dict(validate=False)
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec


_PLAIN = (str, int, float, bool, type(None), dt.date)


def _fingerprint(value: object) -> object:
    """A plain value equal for two inputs only when they are equal: functions by their code and what their closures
    hold, dataclasses by their fields. TypeError for anything else (a frame, say), which could not be told apart."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, tuple | list):
        return tuple(_fingerprint(v) for v in value)
    if isinstance(value, frozenset | set):
        return ("set", tuple(sorted(repr(_fingerprint(v)) for v in value)))
    if isinstance(value, dict):
        return ("dict", tuple((repr(_fingerprint(k)), _fingerprint(v)) for k, v in value.items()))
    if isinstance(value, ModuleType):
        return value.__name__
    if isinstance(value, BuiltinFunctionType):
        return f"{value.__module__}.{value.__qualname__}"
    if isinstance(value, FunctionType):
        code = value.__code__
        held = tuple(_fingerprint(cell.cell_contents) for cell in value.__closure__ or ())
        defaults = _fingerprint((value.__defaults__, value.__kwdefaults__))
        return (value.__module__, value.__qualname__, code.co_firstlineno, defaults, held)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = tuple(_fingerprint(getattr(value, f.name)) for f in dataclasses.fields(value))
        return (type(value).__module__, type(value).__qualname__, fields)
    raise TypeError(f"no fingerprint for {type(value).__name__}")


def table(exhibit: Exhibit) -> None:
    """An exhibit's figures as a table (a chart's figures, read row by row); its chart offers the downloads."""
    st.dataframe(exhibit.table(exhibit.figures(cached, screen())), hide_index=True, width="stretch")


def _download_menu(exhibit: Exhibit, formats: tuple[str, ...]) -> None:
    branding, hidden = brand(), _hidden()  # once per menu: read from the database and the run
    with st.popover("Download", icon=":material/download:"):
        st.caption(f"{exhibit.what}, {exhibit.f.period.short_label}. {EXPORT_SUPPRESSION}.")
        for ext in formats:
            st.download_button(
                LABELS[ext],
                data=lambda ext=ext: exhibit.download(cached, branding, hidden).render(ext),
                file_name=exhibit.file_name(branding, ext),
                mime=export.MIME[ext],
                key=f"download-{exhibit.what}-{ext}",
                on_click="ignore",
                width="stretch",
            )
