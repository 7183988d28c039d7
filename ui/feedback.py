"""What participants say: the Friends and Family Test, as a section any page can show."""

from __future__ import annotations

import streamlit as st

from pipelines import feedback
from pipelines.exhibits import feedback as shown
from pipelines.query import Filters
from ui import figures
from ui.data import cached


def show_feedback(f: Filters) -> None:
    """The share of answers that were good or very good, in words, by quarter and by activity, beside the people
    reached; nothing but a line when no answers are recorded."""
    st.header("What participants say")
    found = cached(feedback.headline, f, figures.screen())
    st.markdown(feedback.in_words(found))
    if found["responses_label"] == "0":
        st.caption("Load a feedback sheet of Friends and Family Test answers to see them here.")
        return
    st.caption(f"{feedback.SOURCE} {figures.screen().note}")
    by_quarter, by_activity = st.tabs(["By quarter", "By activity"])
    with by_quarter:
        figures.show(shown.by_quarter(f))
    with by_activity:
        figures.show(shown.by_activity(f))
