"""What participants say, at the end of the Outcomes page (AppTest on the charity's own data with Friends and Family
Test answers): the share positive in words beside the people reached, and its charts by quarter and by activity."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apphelpers import app_with, assert_ran, chart_titles, open_page, widget
from ui.feedback import VIEW

pytestmark = pytest.mark.usefixtures("app_runtime")

PEOPLE = [f"P{i}" for i in range(10)]
REGISTER = [["participant_id", "session_date", "activity"], *[[p, "2025-05-06", "Peer support group"] for p in PEOPLE]]
SCORES = [
    ["participant_id", "date", "WEMWBS total"],
    *[[p, "2025-05-06", 40] for p in PEOPLE],
    *[[p, "2025-09-02", 45] for p in PEOPLE],
]
# 2025-26 Q1: 30 very good, 10 good, 8 neither; Q2: 9 good about the service as a whole; Q3: 12 very good, 8 poor
ANSWERS = [
    ["Date", "Activity", "Overall experience"],
    *[["2025-05-06", "Peer support group", "Very good"]] * 30,
    *[["2025-05-06", "Peer support group", "Good"]] * 10,
    *[["2025-06-10", "Peer support group", "Neither good nor poor"]] * 8,
    *[["2025-08-01", None, "Good"]] * 9,
    *[["2025-11-04", "Walk and talk", "Very good"]] * 12,
    *[["2025-11-04", "Walk and talk", "Poor"]] * 8,
]
answered = app_with({"Register": REGISTER, "Scores": SCORES, "FFT": ANSWERS})


def test_the_outcomes_page_ends_with_what_participants_say(answered: Path) -> None:
    at = open_page("pages/outcomes.py", "Outcomes")
    assert "What participants say" in [h.value for h in at.header]
    # 61 good or very good and 8 poor of 77 answers; Wilson for 61 of 77: 0.7783 ± 0.0895
    assert (
        "79% said their experience was good or very good (95% interval 69% to 87%); 10% said poor or very poor. "
        "77 answers from 10 people reached (a response can be anonymous, so this is not a response rate per person)."
    ) in [m.value for m in at.markdown]
    assert "What participants say, each quarter" in chart_titles(at)
    assert "What participants say, by activity" not in chart_titles(at)  # only the view open is drawn
    next(c for c in at.button_group if c.label == VIEW).set_value("By activity").run()
    assert_ran(at)
    assert "What participants say, by activity" in chart_titles(at)
    assert "What participants say, each quarter" not in chart_titles(at)


def test_one_activity_leaves_the_rest_out(answered: Path) -> None:
    at = open_page("pages/outcomes.py", "Outcomes")
    widget(at.sidebar.multiselect, "Activity").set_value(["Peer support group"]).run()
    assert_ran(at)
    # 40 of 48 positive, the 8 neither shown; no poor answers: 0%
    assert (
        "83% said their experience was good or very good (95% interval 70% to 91%); 0% said poor or very poor. "
        "48 answers from 10 people reached (a response can be anonymous, so this is not a response rate per person)."
    ) in [m.value for m in at.markdown]
