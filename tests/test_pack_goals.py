"""The report pack's goals section: progress towards people's own goals in words and by goal area, in export mode."""

from __future__ import annotations

import io

from pypdf import PdfReader

from pipelines import pack
from pipelines.document import Heading, Paragraph, Table, to_pdf
from pipelines.query import Filters
from pipelines.report import Scope
from pipelines.settings import Brand
from tests.helpers import FY24, load, workbook

# 16 people, one goal each rated in May and November 2024: P0–P7's about managing mood rise by 4 (reliable progress),
# P8–P15's about relationships by 1.
REGISTER = [["participant_id", "session_date", "activity"], *([f"P{i}", "2024-05-07", "One to one"] for i in range(16))]
GOALS = [
    ["participant_id", "goal number", "date", "rating", "goal area"],
    *([f"P{i}", 1, "2024-05-01", 2, "mood" if i < 8 else "relationships"] for i in range(16)),
    *([f"P{i}", 1, "2024-11-01", 6 if i < 8 else 3, "mood" if i < 8 else "relationships"] for i in range(16)),
]


def outcomes_section(con) -> list:
    return outcomes_pack(con).document.blocks


def outcomes_pack(con) -> pack.Pack:
    return pack.report_pack(con, Scope(Filters(FY24)), ("outcomes",), Brand("Test charity"))


def test_the_pack_carries_goals_in_words_and_by_goal_area(con) -> None:
    load(con, ("goals.xlsx", workbook({"Register": REGISTER, "Goals": GOALS})))
    blocks = outcomes_section(con)
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert headings[-1] == "Progress towards people's own goals"
    words = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert any(
        w.startswith("In financial year 2024-25, of the 15 goals that 15 people set and rated twice") for w in words
    )
    table = next(b for b in blocks if isinstance(b, Table) and b.caption == "Progress by goal area")
    assert table.frame.to_dict("list") == {
        "Goal area": ["Managing mood", "Relationships"],
        "Goals rated twice": ["10", "10"],  # 8 each, rounded to 5 in export
        "Mean change (points)": ["+4.0", "+1.0"],
        "95% CI": ["–", "–"],  # every goal of a group moved alike: no spread, no interval
        "Reliable progress": ["100%", "0%"],
    }
    pdf = PdfReader(io.BytesIO(to_pdf(outcomes_pack(con).document)))
    assert "Progress by goal area" in "\n".join(page.extract_text() for page in pdf.pages)


def test_too_few_people_with_goals_are_not_reported(con) -> None:
    few = [row for row in GOALS if row[0] in ("participant_id", "P0", "P1", "P2")]
    load(con, ("goals.xlsx", workbook({"Register": REGISTER, "Goals": few})))
    blocks = outcomes_section(con)
    assert "Fewer than 8 people had a goal rated twice in this period: too few to report." in [
        b.text for b in blocks if isinstance(b, Paragraph)
    ]
    assert not any(isinstance(b, Table) and b.caption == "Progress by goal area" for b in blocks)


def test_no_goals_no_section(con) -> None:
    load(con, ("register.xlsx", workbook({"Register": REGISTER})))
    assert "Progress towards people's own goals" not in [
        b.text for b in outcomes_section(con) if isinstance(b, Heading)
    ]
