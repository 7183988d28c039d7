"""What a page's buttons do when the pipelines may refuse the action: the refusal said where the button is, the
question that asked for it closed once it is done."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from pipelines.audit import NotAllowed
from pipelines.settings import SettingRefused
from ui.data import data_changed

Refusals = type[Exception] | tuple[type[Exception], ...]
T = TypeVar("T")


def carried_out(
    act: Callable[[], object], nothing_was: str, refused_by: Refusals = NotAllowed, icon: str = ":material/block:"
) -> bool:
    """Do ``act``: True once done; False, with "Nothing was ``nothing_was``." and the reason said, if refused."""
    try:
        act()
    except refused_by as refused:
        st.error(f"Nothing was {nothing_was}. {refused}", icon=icon)
        return False
    return True


def confirm_or_cancel(
    question_key: str, yes: str, act: Callable[[], object], nothing_was: str, refused_by: Refusals = NotAllowed
) -> None:
    """The yes and Cancel buttons under a question left open under ``question_key`` in the session state: yes does
    ``act`` (a refusal is said and the question stays); either closes the question and reruns the page."""
    yes_column, no_column = st.columns(2)
    confirmed, cancelled = yes_column.button(yes, type="primary"), no_column.button("Cancel")
    if confirmed and not carried_out(act, nothing_was, refused_by):
        return
    if confirmed or cancelled:
        st.session_state.pop(question_key, None)
        st.rerun()


def save_setting(
    store: Callable[[], T],
    message_key: str,
    said: Callable[[T], str],
    refused_by: Refusals = (SettingRefused, NotAllowed),
    icon: str = ":material/error:",
    figures_change: bool = False,
) -> None:
    """Save a form's setting with ``store``; keep what ``said`` makes of the saved value under ``message_key`` for the
    run after the rerun (and clear the cached figures if the setting changes them), or say under the form why
    nothing was saved."""

    def store_and_say() -> None:
        st.session_state[message_key] = said(store())
        if figures_change:
            data_changed()

    if carried_out(store_and_say, "saved", refused_by, icon):
        st.rerun()
