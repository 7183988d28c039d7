"""A page's buttons for an action the pipelines may refuse (ui/actions.py): a refusal is said where the button is
and changes nothing; the question stays open until done or cancelled."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.apphelpers import assert_ran, widget


def asks_to_erase() -> None:
    """A page that asks before erasing, where erasing is always refused, and says what happened."""
    import streamlit as st

    from pipelines.audit import NotAllowed
    from ui.actions import confirm_or_cancel

    def erase() -> None:
        st.session_state.erased = True
        raise NotAllowed("Only an administrator may erase records.")

    if "asked" not in st.session_state:  # the question is open when the page first runs
        st.session_state.asked = st.session_state.confirm_erase = True
    if st.session_state.get("confirm_erase"):
        confirm_or_cancel("confirm_erase", "Yes, erase them", erase, "erased")
    st.write("asking" if st.session_state.get("confirm_erase") else "closed")


def after_pressing(button: str) -> AppTest:
    """The page opened with its question, and run again after pressing ``button``."""
    at = AppTest.from_function(asks_to_erase, default_timeout=30)
    at.run()
    widget(at.button, button).click().run()
    assert_ran(at)
    return at


def test_a_refused_action_says_why_and_keeps_the_question_open() -> None:
    at = after_pressing("Yes, erase them")
    assert [e.value for e in at.error] == ["Nothing was erased. Only an administrator may erase records."]
    assert at.error[0].icon == ":material/block:"
    assert [m.value for m in at.markdown] == ["asking"]
    assert [b.label for b in at.button] == ["Yes, erase them", "Cancel"]


def test_cancel_closes_the_question_without_acting() -> None:
    at = after_pressing("Cancel")
    assert not at.error and "erased" not in at.session_state
    assert [m.value for m in at.markdown] == ["closed"]
    assert not at.button
