"""The Friends and Family Test: share positive with Don't know among all responses, its Wilson interval, the filters,
and small counts never shown. Expected values worked out by hand."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines import feedback, summary
from pipelines.disclosure import Disclosure
from pipelines.periods import Period
from pipelines.query import Filters
from tests.helpers import database_with

FY24 = Period(dt.date(2024, 4, 1), dt.date(2025, 3, 31))
Q1 = Period(dt.date(2024, 4, 1), dt.date(2024, 6, 30))
Q3 = Period(dt.date(2024, 10, 1), dt.date(2024, 12, 31))
SCREEN, EXPORT = Disclosure.screen(), Disclosure.export()

# Peer group in May 2024: 8 very good, 4 good, 3 neither, 2 poor, 3 don't know (20; 12 positive, 2 negative).
# Art group in October 2024: 10 very good. The service as a whole (no activity), October 2024: 1 poor.
ANSWERS = [
    *[["2024-05-02", "Peer group", answer] for answer, n in [("Very good", 8), ("Good", 4)] for _ in range(n)],
    *[
        ["2024-05-09", "Peer group", answer]
        for answer, n in [("Neither", 3), ("4", 2), ("dont know", 3)]
        for _ in range(n)
    ],
    *[["2024-10-03", "Art group", "Very good"] for _ in range(10)],
    ["2024-10-03", None, "Poor"],
]
REGISTER = [["participant_id", "session_date", "activity"], *[[f"P{i}", "2024-05-02", "Peer group"] for i in range(9)]]


FFT = [["Response date", "Service", "FFT answer", "Participant ID"], *[[*a, None] for a in ANSWERS]]
FFT[1][3] = "P1"  # one response names its person; the rest are anonymous
answered = database_with("feedback.xlsx", {"FFT": FFT, "Register": REGISTER})


def test_anonymous_responses_are_kept_and_a_named_one_is_pseudonymised(answered: duckdb.DuckDBPyConnection) -> None:
    named = answered.execute("SELECT participant_id FROM feedback WHERE participant_id IS NOT NULL").fetchall()
    assert len(named) == 1 and named[0][0] != "P1"
    assert answered.execute("SELECT count(*) FROM feedback WHERE participant_id IS NULL").fetchone()[0] == 30


@pytest.mark.parametrize(
    ("f", "responses", "positive", "negative", "dont_know"),
    [
        (Filters(FY24), 31, 22, 3, 3),
        (Filters(Q1), 20, 12, 2, 3),
        (Filters(Q3), 11, 10, 1, 0),
        (Filters(FY24, ("Peer group",)), 20, 12, 2, 3),
        (Filters(FY24, ("Art group",)), 10, 10, 0, 0),  # the service-as-a-whole answer is in no activity
        (Filters(Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))), 0, 0, 0, 0),
    ],
)
def test_counts_follow_the_period_and_activity(
    answered: duckdb.DuckDBPyConnection, f: Filters, responses: int, positive: int, negative: int, dont_know: int
) -> None:
    found = feedback.totals(answered, f)
    assert (found["responses"], found["positive"], found["negative"], found["dont_know"]) == (
        responses,
        positive,
        negative,
        dont_know,
    )


def test_share_positive_counts_dont_know_among_all_responses(answered: duckdb.DuckDBPyConnection) -> None:
    found = feedback.totals(answered, Filters(Q1))
    assert found["share_positive"] == pytest.approx(12 / 20)  # not 12 / 17, leaving don't know out
    assert found["share_negative"] == pytest.approx(2 / 20)
    # Wilson, p = 0.6, n = 20: centre 0.69604 / 1.19207 = 0.58389, half-width 0.23520 / 1.19207 = 0.19731
    assert found["interval"] == pytest.approx([0.3866, 0.7812], abs=1e-4)


def test_no_responses_no_share(answered: duckdb.DuckDBPyConnection) -> None:
    found = feedback.totals(answered, Filters(Period(dt.date(2023, 4, 1), dt.date(2024, 3, 31))))
    assert (found["responses"], found["share_positive"], found["interval"]) == (0, None, None)


def test_the_answers_are_listed_in_nhs_englands_order(answered: duckdb.DuckDBPyConnection) -> None:
    found = feedback.answers(answered, Filters(FY24))
    assert found.values.tolist() == [
        ["Very good", 18],
        ["Good", 4],
        ["Neither good nor poor", 3],
        ["Poor", 3],
        ["Very poor", 0],
        ["Don't know", 3],
    ]


# Suppression -------------------------------------------------------------------------------------------------------


def test_small_answer_groups_are_hidden_but_the_share_positive_stays(answered: duckdb.DuckDBPyConnection) -> None:
    found = feedback.headline(answered, Filters(Q1, ("Peer group",)), SCREEN)
    assert (found["responses_label"], found["share_positive"], found["share_negative"]) == ("20", 0.6, None)
    assert found["negative_label"] == "<8" and found["reached_label"] == "9"
    assert feedback.in_words(found) == (
        "60% said their experience was good or very good (95% interval 39% to 78%); <8 answers said poor or very "
        "poor. 20 answers from 9 people reached (a response can be anonymous, so this is not a response rate per "
        "person)."
    )


def test_no_share_when_one_small_answer_could_be_worked_out(answered: duckdb.DuckDBPyConnection) -> None:
    found = feedback.headline(answered, Filters(Q3), SCREEN)  # 10 very good and 1 poor: 91% would give the 1 away
    assert (found["responses_label"], found["share_positive"], found["interval"]) == ("11", None, None)
    assert "The share positive is not shown" in feedback.in_words(found)


def test_exports_work_shares_out_from_rounded_counts(answered: duckdb.DuckDBPyConnection) -> None:
    found = feedback.headline(answered, Filters(Q1), EXPORT)
    assert found["share_positive"] == 0.5  # 12 rounds to 10, of 20
    assert found["interval"] == pytest.approx([0.2993, 0.7007], abs=1e-4)  # Wilson 10 of 20


def test_by_activity_hides_a_small_group_and_the_one_that_would_give_it_away(
    answered: duckdb.DuckDBPyConnection,
) -> None:
    found = feedback.activities(answered, Filters(FY24), SCREEN)
    assert found["activity"].tolist() == ["Peer group", "Art group", "The service as a whole"]
    assert found["label"].tolist() == ["20", "–", "<8"]
    assert found["share_positive"].tolist()[0] == 0.6
    assert found["share_positive"].isna().tolist() == [False, True, True]


def test_by_quarter_hides_a_second_share_when_one_could_be_worked_out_from_the_year(
    answered: duckdb.DuckDBPyConnection,
) -> None:
    exact = feedback.by_quarter(answered, Filters(FY24))
    assert exact["quarter"].tolist() == ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3", "2024-25 Q4"]
    assert exact["responses"].tolist() == [20, 0, 11, 0]
    safe = feedback.quarterly(answered, Filters(FY24), SCREEN)
    assert safe["label"].tolist() == ["20", "0", "11", "0"]
    assert safe["share_positive"].isna().all(), "Q3's share is withheld, so Q1's would give it away from the year's"
    one = feedback.quarterly(answered, Filters(Q1), SCREEN)
    assert one["share_positive"].tolist() == [0.6] and one["low"].round(4).tolist() == [0.3866]


def test_the_summary_is_exact(answered: duckdb.DuckDBPyConnection) -> None:
    found = summary.summary(answered, Filters(Q3))["feedback"]
    assert found["responses"] == 11 and found["share_positive"] == pytest.approx(10 / 11)
    assert found["share_negative"] == pytest.approx(1 / 11)
