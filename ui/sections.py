"""A page's sections, one open at a time: only the open one is worked out and drawn.

st.tabs runs every tab's code on every run, hidden or not, so a page with five tabs built five tabs' figures and
charts to show one. A segmented control, keyed so the choice stays on rerun, runs only the section chosen.
"""

from __future__ import annotations

import streamlit as st

LABEL = "Section of the page"  # read out by screen readers; the buttons themselves name the sections


def chosen(names: list[str], key: str, label: str = LABEL) -> str:
    """The section a person has open (the first until they choose another); ``label`` names a choice within a
    section for screen readers."""
    return st.segmented_control(
        label, names, default=names[0], required=True, key=key, label_visibility="collapsed", width="stretch"
    )
