"""The filters shared by every page: period (financial year, quarter or custom dates) and activity."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from pipelines import inventory
from pipelines.disclosure import ADMIN_FLOOR, MIN_COUNT
from pipelines.periods import Period, financial_year, fy_label, quarter_label, quarters, whole_months
from pipelines.query import Filters
from ui.auth import may_lower_threshold, sees_exact_counts
from ui.data import cached
from ui.shell import SHELL_KEY, require_shell

FILTER_KEYS = ("period_kind", "financial_year", "quarter", "custom_dates", "activities", "threshold")


def draw_filters(shown: bool = True) -> Filters:
    """Draw the sidebar filters and remember the choice for the pages.

    A page without filters keeps the last choice: Streamlit forgets a widget's value when a run does not draw it,
    unless the value is written back to the session state, as here."""
    if not shown:
        for key in FILTER_KEYS:
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]
        return st.session_state.setdefault(SHELL_KEY, Filters(cached(inventory.default_period)))
    st.sidebar.header("Filters")
    default = cached(inventory.default_period)
    first, last = cached(inventory.data_range) or (default.start, default.end)
    kind = st.sidebar.radio("Period", ("Financial year", "Quarter", "Custom dates"), horizontal=True, key="period_kind")
    period = _choose_period(kind, default, first, last)
    activities = st.sidebar.multiselect(
        "Activity", cached(inventory.activities), placeholder="All activities", key="activities"
    )
    if sees_exact_counts():
        _threshold()
    chosen = Filters(period, tuple(activities))
    st.session_state[SHELL_KEY] = chosen
    return chosen


def _threshold() -> None:
    """Staff may hide more counts on screen (a viewer's screen follows the downloads' rule, which no one sets)."""
    with st.sidebar.expander("Display settings"):
        lowered = may_lower_threshold()
        st.number_input(
            "Hide counts of people below",
            min_value=ADMIN_FLOOR if lowered else MIN_COUNT,
            max_value=20,
            value=MIN_COUNT,
            key="threshold",
            help="Counts of 1 up to this number minus one are shown as '<N' so no one can be identified. "
            + (
                f"As an administrator you may lower it to {ADMIN_FLOOR} on screen; downloads always hide counts under "
                f"{MIN_COUNT}."
                if lowered
                else f"It may be raised; only an administrator may lower it below {MIN_COUNT}."
            ),
        )


def _choose_period(kind: str, default: Period, first: dt.date, last: dt.date) -> Period:
    if kind == "Financial year":
        years = _financial_years(first, max(last, default.end))
        labels = [f"{fy_label(y.start)} (Apr–Mar)" for y in years]
        picked = st.sidebar.selectbox("Financial year", labels, index=years.index(default), key="financial_year")
        return years[labels.index(picked)]
    if kind == "Quarter":
        options = quarters(Period(first, last))[::-1]
        labels = [f"{quarter_label(q.start)} ({q.start:%b}–{q.end:%b %Y})" for q in options]
        picked = st.sidebar.selectbox("Quarter", labels, index=_latest_in(options, default), key="quarter")
        return options[labels.index(picked)]
    picked = st.sidebar.date_input("From – to", (default.start, default.end), format="DD/MM/YYYY", key="custom_dates")
    if len(picked) != 2:
        st.sidebar.caption("Choose the end date too.")
        return default
    if sees_exact_counts():
        return Period(*picked)
    months = whole_months(Period(*picked))
    st.sidebar.caption(
        f"Custom periods run in whole months: {months.dates}. Periods a day apart could otherwise be compared to "
        "work out how many people came on that day."
    )
    return months


def _financial_years(first: dt.date, last: dt.date) -> list[Period]:
    years, year = [], financial_year(last)
    while year.end >= first:
        years.append(year)
        year = financial_year(year.start - dt.timedelta(days=1))
    return years


def _latest_in(options: list[Period], default: Period) -> int:
    inside = [i for i, q in enumerate(options) if q.end <= default.end]
    return inside[0] if inside else 0


def current_filters() -> Filters:
    require_shell()
    return st.session_state[SHELL_KEY]


def page_header(title: str, explanation: str) -> Filters:
    """The page's title and what it covers; returns the chosen filters."""
    f = current_filters()
    st.title(title)
    last = data_ends_before_today(cached(inventory.data_range))
    st.caption(f"{f.description}. {explanation}" + (f" **Data up to {last:%-d %b %Y}.**" if last else ""))
    return f


def data_ends_before_today(found: tuple[dt.date, dt.date] | None, today: dt.date | None = None) -> dt.date | None:
    """The last day with data when it is before today, so that a page can say so and no one reads a gap as a fall."""
    if found is None or found[1] >= (today or dt.date.today()):
        return None
    return found[1]
