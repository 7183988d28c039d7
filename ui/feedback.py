"""What participants say: the Friends and Family Test, as a section any page can show."""

from __future__ import annotations

import streamlit as st

from pipelines import feedback
from pipelines.exhibits import feedback as shown
from pipelines.query import Filters
from ui import figures, sections
from ui.data import cached

VIEW = "What participants say, shown"  # read out by screen readers: the buttons name the views


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
    views = {"By quarter": shown.by_quarter, "By activity": shown.by_activity}
    figures.show(views[sections.chosen(list(views), key="feedback_view", label=VIEW)](f))
