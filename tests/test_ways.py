"""The Five Ways to Wellbeing (pipelines.ways), with the ways recorded three ways: on the attendance rows only, in an
activities sheet only, and in both (the activities sheet wins where its row names ways). Hand-worked values.

activity  ways                        peer-led  sessions in 2024-25                                  people
Walk      Be active, Connect          yes       7 May 24 (W1–W9), 14 May 24 (W1–W4)                 W1–W9
Art       Keep learning, Take notice  no        9 May 24 (A1–A3, W1)                                A1–A3, W1
Drop-in   none recorded               unknown   10 May 24 (D1)                                      D1

WEMWBS, 1 May 24 → 1 Nov 24, change: W1 +6, W2 +4, W3 +3, W4 +2, W5 0, W6 −3, W7 +8, W8 +4, W9 +3 (sum 27, mean 3.0;
deviations 3 1 0 −1 −3 −6 5 1 0, squares 82, sd √(82/8) = 3.20156; t(0.975, 8) = 2.306004, half-width 2.46097);
A1 +5, A2 +1, A3 −1. Take notice (Art): A1 A2 A3 W1, sum 11, mean 2.75. Improved (≥3) on Connect: 6, deteriorated 1.
Goals, 1 May 24 → 1 Nov 24: W1 2 → 6 (+4), A1 3 → 4 (+1), neither naming an activity.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipelines import goals, ways
from pipelines.disclosure import Disclosure
from pipelines.query import Filters, fetch_frame
from tests.helpers import FY24, own_copy, upload_of

WALKERS = [f"W{i}" for i in range(1, 10)]
CHANGE = dict(zip([*WALKERS, "A1", "A2", "A3"], [6, 4, 3, 2, 0, -3, 8, 4, 3, 5, 1, -1], strict=True))
SESSIONS = (
    [(p, "2024-05-07", "Walk") for p in WALKERS]
    + [(p, "2024-05-14", "Walk") for p in WALKERS[:4]]
    + [(p, "2024-05-09", "Art") for p in ("A1", "A2", "A3", "W1")]
    + [("D1", "2024-05-10", "Drop-in")]
)
ATTENDANCE_TAGS = {"Walk": ["Be active; Connect", "Connect"], "Art": ["Keep learning", "Take notice"]}
SCORES = [
    ["participant_id", "date", "WEMWBS total"],
    *([p, "2024-05-01", 40] for p in CHANGE),
    *([p, "2024-11-01", 40 + c] for p, c in CHANGE.items()),
]
GOALS = [
    ["participant_id", "goal number", "date", "rating"],
    ["W1", 1, "2024-05-01", 2],
    ["W1", 1, "2024-11-01", 6],
    ["A1", 1, "2024-05-01", 3],
    ["A1", 1, "2024-11-01", 4],
]


def register(tags: dict[str, list[str]] | None) -> list[list]:
    """The attendance sheet, each activity's rows tagged in turn with its tags (no ways column without tags)."""
    header = ["participant_id", "session_date", "activity", "attended"] + (["ways"] if tags is not None else [])
    rows = []
    for i, (person, day, activity) in enumerate(SESSIONS):
        row = [person, day, activity, "yes"]
        if tags is not None:
            mine = tags.get(activity, [])
            row.append(mine[i % len(mine)] if mine else None)
        rows.append(row)
    return [header, *rows]


ACTIVITIES = [
    ["activity", "ways", "peer led"],
    ["Walk", "Be active; Connect", "yes"],
    ["Art", "Keep learning; Take notice", "no"],
]
LAYOUTS = {
    "attendance only": {"Register": register(ATTENDANCE_TAGS)},
    "activities sheet only": {"Register": register(None), "Activities": ACTIVITIES},
    "both": {
        "Register": register({"Walk": ["Give"], "Art": ["Keep learning; Take notice"]}),  # Walk's overridden
        "Activities": [ACTIVITIES[0], ACTIVITIES[1], ["Art", None, "no"]],  # Art's row names no ways
    },
}
WAYS_OF = {"Walk": ["Be active", "Connect"], "Art": ["Keep learning", "Take notice"], "Drop-in": None}


LAYOUT_UPLOADS = {
    name: upload_of("ways.xlsx", {**sheets, "Scores": SCORES, "Goals": GOALS}) for name, sheets in LAYOUTS.items()
}


@pytest.fixture(params=list(LAYOUTS))
def layout(request, templates, tmp_path, monkeypatch):
    with own_copy(templates.made_by(LAYOUT_UPLOADS[request.param]), tmp_path, monkeypatch) as con:
        yield request.param, con


def test_an_activity_s_ways_and_who_leads_it(layout):
    name, con = layout
    found = fetch_frame(con, f"SELECT * FROM ({ways.ACTIVITY_WAYS_SQL})").set_index("activity")
    assert {a: sorted(w) if hasattr(w, "__len__") else None for a, w in found["ways"].items()} == WAYS_OF
    led = {a: None if pd.isna(v) else bool(v) for a, v in found["peer_led"].items()}
    expected = {"Walk": True, "Art": False, "Drop-in": None} if name != "attendance only" else dict.fromkeys(WAYS_OF)
    assert led == expected


def test_people_and_sessions_per_way(layout):
    _, con = layout
    found = ways.reach_counts(con, Filters(FY24))
    assert list(zip(found["group"], found["people"], found["sessions"], strict=True)) == [
        ("Connect", 9, 2),
        ("Be active", 9, 2),
        ("Take notice", 4, 1),
        ("Keep learning", 4, 1),
        ("Give", 0, 0),
        ("not recorded", 1, 1),
    ]


def test_reach_by_way_on_screen(layout):
    _, con = layout
    found = ways.reach_by_way(con, Filters(FY24), Disclosure.screen()).set_index("group")
    assert found["label"].to_dict() == {
        "Connect": "9",
        "Be active": "9",
        "Take notice": "<8",
        "Keep learning": "<8",
        "Give": "0",
        "not recorded": "<8",
    }
    assert found.loc["Take notice", "sessions"] == 1  # sessions are not people: shown as they are


def test_change_by_way(layout):
    _, con = layout
    found = ways.change_by(con, Filters(FY24), "WEMWBS", "way").set_index("group")
    assert list(found.index) == ["Connect", "Be active", "Take notice", "Keep learning"]  # D1 has no questionnaire
    connect = found.loc["Connect"]
    assert (connect["pairs"], connect["mean_change"], connect["improved"], connect["deteriorated"]) == (9, 3.0, 6, 1)
    assert (connect["ci_low"], connect["ci_high"]) == pytest.approx((3 - 2.46097, 3 + 2.46097), abs=1e-4)
    assert (found.loc["Take notice", "pairs"], found.loc["Take notice", "mean_change"]) == (4, 2.75)


def test_peer_led_against_staff_led(layout):
    name, con = layout
    found = ways.change_by(con, Filters(FY24), "WEMWBS", "led").set_index("group")
    if name == "attendance only":
        assert list(found.index) == ["Not known"] and found.loc["Not known", "pairs"] == 12  # W1 once
        assert found.loc["Not known", "mean_change"] == pytest.approx(32 / 12)
    else:
        assert list(found.index) == ["Peer-led", "Staff-led"]
        assert found.loc["Peer-led", "mean_change"] == 3.0 and found.loc["Staff-led", "mean_change"] == 2.75


def test_goals_by_way(layout):
    _, con = layout
    found = ways.change_by(con, Filters(FY24), goals.NAME, "way").set_index("group")
    assert (found.loc["Take notice", "goals"], found.loc["Take notice", "mean_change"]) == (2, 2.5)  # W1 and A1
    assert (found.loc["Connect", "goals"], found.loc["Connect", "mean_change"]) == (1, 4)  # W1 only


def test_the_breakdown_on_screen(layout):
    _, con = layout
    found = ways.breakdown(con, Filters(FY24), "WEMWBS", "way", Disclosure.screen()).set_index("group")
    assert found.loc["Connect", "shown"] and found.loc["Connect", "mean_change"] == 3.0
    assert math.isnan(found.loc["Connect", "share_improved"])  # 6 improved: a count under 8 gives no share
    assert found.loc["Take notice", "label"] == "<8" and math.isnan(found.loc["Take notice", "mean_change"])
    gbo = ways.breakdown(con, Filters(FY24), goals.NAME, "way", Disclosure.screen())
    assert set(gbo["label"]) == {"<8"} and not gbo["shown"].any()
