"""The Overview's answers in words (pipelines.verdict) and when a change is beyond noise (pipelines.stats), on
small datasets worked by hand.

t(0.975, df) as used by hand: 7: 2.364624, 9: 2.262157, 19: 2.093024 (as in tests/test_outcomes.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines import stats, verdict
from pipelines.disclosure import Disclosure
from pipelines.periods import Period
from pipelines.query import Filters
from tests.helpers import FY24, load, workbook

FIRST_DAY, LATEST_DAY, SESSION_DAY = "2024-05-01", "2024-11-01", "2024-06-04"
WEMWBS = "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)"
CORE10 = "Clinical Outcomes in Routine Evaluation, 10 items (CORE-10)"
SMALL = " With fewer than 30 people, treat this as a first sign rather than a finding."


def _load(con, column: str, changes: list[float], activities: list[str] | None = None, first: float = 40) -> None:
    """One pair per change (first score ``first``, latest ``first + change``), each person in their activity."""
    people = [f"P{i:02}" for i in range(len(changes))]
    scores = [
        ["participant_id", "date", column],
        *[[p, FIRST_DAY, first] for p in people],
        *[[p, LATEST_DAY, first + c] for p, c in zip(people, changes, strict=True)],
    ]
    register = [
        ["participant_id", "session_date", "activity", "activity_type", "attended"],
        *[
            [p, SESSION_DAY, a, "peer support", "yes"]
            for p, a in zip(people, activities or ["Peer"] * len(people), strict=True)
        ],
    ]
    load(con, ("pairs.xlsx", workbook({"Scores": scores, "Register": register})))


def _answer(con, measure: str = "WEMWBS", disclosure: Disclosure | None = None) -> verdict.Answer:
    return verdict.does_it_work(con, Filters(FY24), measure, disclosure or Disclosure.screen())


# mean 4.0, sd √(42/7) = 2.449, half-width 2.364624 × 2.449 / √8 = 2.048: CI 1.95 to 6.05. Every part (6 improved,
# 2 no reliable change) is under 8, so the share improved is not given (but none improved when all fell: 0%).
RISE = [6, 4, 3, 2, 0, 5, 8, 4]
# mean 0.5, same spread: CI -1.55 to 2.55
NOISE = [3, -3, 2, -2, 1, -1, 0, 4]


@pytest.mark.parametrize(
    ("column", "changes", "measure", "text", "tone"),
    [
        (
            "WEMWBS total",
            RISE,
            "WEMWBS",
            f"For the 8 people who completed the {WEMWBS} twice, on average mental wellbeing rose 4.0 points "
            f"(likely range 2.0 to 6.0; higher is better), an improvement unlikely to be chance.{SMALL}",
            "good",
        ),
        (
            "WEMWBS total",
            [-c for c in RISE],
            "WEMWBS",
            f"Of the 8 people who completed the {WEMWBS} twice, 0% improved by at least 3 points; on average mental "
            f"wellbeing fell 4.0 points (likely range 2.0 to 6.0; higher is better), a worsening unlikely to be chance.{SMALL}",
            "bad",
        ),
        (
            "CORE-10 total",
            [-c for c in RISE],
            "CORE-10",
            f"For the 8 people who completed the {CORE10} twice, on average psychological distress fell 4.0 points "
            f"(likely range 2.0 to 6.0; lower is better), an improvement unlikely to be chance.{SMALL}",
            "good",
        ),
        (
            "WEMWBS total",
            NOISE,
            "WEMWBS",
            f"For the 8 people who completed the {WEMWBS} twice, on average mental wellbeing rose 0.5 points "
            f"(likely range -1.5 to +2.5; higher is better), a change that could be chance.{SMALL}",
            "neutral",
        ),
    ],
)
def test_does_it_work_in_words(con, column, changes, measure, text, tone):
    _load(con, column, changes, first=30)
    assert _answer(con, measure) == verdict.Answer("Does it work?", text, tone)


def test_the_share_improved_is_given_when_it_may_be_shown(con):
    # 10 of 20 improved by 4, 10 did not change: mean 2.0, sd √(80/19) = 2.052, half-width 2.093024 × 2.052 / √20
    # = 0.960: CI 1.04 to 2.96
    _load(con, "WEMWBS total", [4] * 10 + [0] * 10)
    assert _answer(con).text == (
        f"Of the 20 people who completed the {WEMWBS} twice, 50% improved by at least 3 points; on average mental "
        f"wellbeing rose 2.0 points (likely range 1.0 to 3.0; higher is better), an improvement unlikely to be chance.{SMALL}"
    )


@pytest.mark.parametrize(
    ("changes", "threshold", "start"),
    [
        (RISE[:7], 8, "Fewer than 8 people completed the"),
        (RISE, 9, "Fewer than 9 people completed the"),  # the on-screen threshold raised
        ([], 8, "No one completed the"),
    ],
)
def test_too_few_people_to_say(con, changes, threshold, start):
    if changes:
        _load(con, "WEMWBS total", changes)
    found = _answer(con, disclosure=Disclosure.screen(threshold))
    assert found.text.startswith(start) and found.tone == "neutral"
    assert "rose" not in found.text


def test_for_whom_names_the_groups_clearly_better_and_worse(con):
    # Art: 8 and 6 five times each, mean 7, sd √(10/9) = 1.054, half-width 2.262157 × 1.054 / √10 = 0.754
    # (6.25 to 7.75); Walk: 0 and 1, mean 0.5, sd √(2.5/9) = 0.527, half-width 0.377 (0.12 to 0.88).
    # Everyone: mean 3.75.
    _load(con, "WEMWBS total", [8, 6] * 5 + [0, 1] * 5, ["Art"] * 10 + ["Walk"] * 10)
    found = verdict.for_whom(con, Filters(FY24), "WEMWBS", Disclosure.screen())
    assert found == verdict.Answer(
        "For whom?",
        "Change was clearly better than the average (+3.8 points) for Art (activity, +7.0, likely range +6.2 to +7.8). "
        "It was clearly worse than the average for Walk (activity, +0.5, likely range +0.1 to +0.9).",
        "bad",
    )


def test_for_whom_says_when_no_group_differs(con):
    # Art and Walk alike: 4 and 0 five times each, mean 2.0; each CI (0.4 to 3.6) holds everyone's mean
    _load(con, "WEMWBS total", [4, 0] * 10, ["Art"] * 10 + ["Walk"] * 10)
    found = verdict.for_whom(con, Filters(FY24), "WEMWBS", Disclosure.screen())
    groups = verdict.standouts(con, Filters(FY24), "WEMWBS", Disclosure.screen(), 2.0)
    assert set(groups["group"]) >= {"Art", "Walk"} and not groups["apart"].any()
    assert found.text.startswith(
        f"No group's change differs clearly from the average (+2.0 points): for each of the {len(groups)} groups"
    )
    assert found.tone == "neutral"


def test_for_whom_with_one_group_only_says_there_is_nothing_to_compare(con):
    _load(con, "WEMWBS total", [4, 0] * 10)
    found = verdict.for_whom(con, Filters(FY24), "WEMWBS", Disclosure.screen())
    assert found.text == "Too few groups have at least 8 people with two scores to compare."


@pytest.mark.parametrize(
    ("now", "before", "differ"),
    [
        # exact: given now + before, now is Binomial(n, 1/2) when nothing changed; two-sided p below 0.05?
        (527, 439, True),  # p = 0.0050
        (130, 100, False),  # p = 0.0556: the normal approximation (z = 1.98) called this different
        (120, 100, False),  # p = 0.200
        (5, 0, False),  # p = 2 × 0.5^5 = 0.0625
        (9, 2, False),  # p = 2 × 67/2048 = 0.0654
        (7, 1, False),  # p = 2 × 9/256 = 0.0703
        (10, 1, True),  # p = 2 × 12/2048 = 0.0117
        (8, 0, True),  # p = 2 × 0.5^8 = 0.0078
        (30, 25, False),
        (0, 0, False),
        (None, 10, False),
        (10, None, False),
    ],
)
def test_counts_differ_beyond_noise(now, before, differ):
    assert stats.counts_differ(now, before) is differ


@pytest.mark.parametrize(
    ("a", "n_a", "b", "n_b", "p"),
    [
        # Fisher's exact test, two-sided, as scipy.stats.fisher_exact gives it
        (5, 5, 0, 5, 0.0079),  # 2 × 1/252
        (3, 10, 0, 10, 0.2105),  # 2 × C(10,3)/C(20,3) = 2 × 120/1140
        (7, 8, 1, 8, 0.0101),
    ],
)
def test_fisher_p_by_hand(a, n_a, b, n_b, p):
    assert stats.fisher_p(a, n_a, b, n_b) == pytest.approx(p, abs=1e-4)


def test_every_change_the_same_is_too_little_variation_to_judge(con):
    # 8 people each rose 3 points: sd 0, the interval has no width, so nothing "excludes 0"
    _load(con, "WEMWBS total", [3] * 8, first=30)
    found = _answer(con)
    assert verdict.SAME_CHANGE in found.text and "which cannot be judged against chance" in found.text
    assert found.tone == "neutral" and "unlikely to be chance" not in found.text


@pytest.mark.parametrize(
    ("now", "n_now", "before", "n_before", "differ"),
    [
        (0.65, 200, 0.5, 200, True),  # pooled 0.575: z = 0.15 / 0.0494 = 3.03
        (0.6, 100, 0.5, 100, False),  # pooled 0.55: z = 0.1 / 0.0704 = 1.42
        (0.5, 10, 0.5, 10, False),
        (1.0, 10, 1.0, 12, False),  # no spread at all
        (None, 10, 0.5, 10, False),
        (0.5, 0, 0.5, 10, False),
    ],
)
def test_shares_differ_beyond_noise(now, n_now, before, n_before, differ):
    assert stats.shares_differ(now, n_now, before, n_before) is differ


# Will it still be funded? ---------------------------------------------------------------------------------------

FY25 = Filters(Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31)))
SPENT_2025_26 = [[dt.date(2025 + (m < 4), m, 1), 1000] for m in (*range(4, 13), 1, 2, 3)]  # 3,000 a quarter


@pytest.mark.parametrize(
    ("grants", "reserves", "text", "tone"),
    [
        (
            [["Lottery", "Core", 12000, "secured"], ["Trust", "Bid", 6000, "applied"]],
            30000,
            # 2026-27 at the run-rate: 12,000 needed, all secured; runway 30,000 / 1,000 a month
            "Secured for 2026-27 (1 Apr 2026 – 31 Mar 2027): £12,000 of £12,000 expected spending (gap £0). That "
            "covers all of it. A further £6,000 has been applied for. Free reserves would cover 30.0 months of "
            "spending at the last 12 months' rate.",
            "good",
        ),
        (
            [["Lottery", "Core", 3000, "secured"]],
            2990,
            # 3,000 of 12,000: 25%, under half; runway 2.99 months shown as 2.9, rounded down
            "Secured for 2026-27 (1 Apr 2026 – 31 Mar 2027): £3,000 of £12,000 expected spending (gap £9,000). That "
            "covers 25% of it. Free reserves would cover 2.9 months of spending at the last 12 months' rate.",
            "bad",
        ),
    ],
)
def test_will_it_be_funded(con, grants, reserves, text, tone):
    sheets = {
        "Grants": [
            ["funder", "title", "amount", "start_date", "end_date", "status"],
            *[[funder, title, amount, "2026-04-01", "2027-03-31", status] for funder, title, amount, status in grants],
        ],
        "Spend": [["period_start", "amount"], *SPENT_2025_26],
        "Reserves": [["date", "free_reserves"], ["2026-03-31", reserves]],
    }
    load(con, ("money.xlsx", workbook(sheets)))
    assert verdict.will_it_be_funded(con, FY25) == verdict.Answer("Will it still be funded?", text, tone)
