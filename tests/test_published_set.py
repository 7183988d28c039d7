"""The published-set solver (disclosure.PublishedSet): counts registered with what they are part of, secondary
suppression solved over the whole set, and the keys of one page's figures shared wherever they appear."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.disclosure import Disclosure, PublishedSet

SCREEN = Disclosure.screen()


def solved(*register) -> frozenset[str]:
    """Register with a recording screen disclosure, then solve."""
    ledger = PublishedSet()
    recording = SCREEN.recording(ledger)
    for publish in register:
        publish(recording)
    return ledger.solve()


def groups(counts: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"group": list(counts), "people": list(counts.values())})


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        # 40 = 20 + 15 + 5: the 5 is small; with the total shown it could be worked out, so the 15 goes too
        pytest.param({"A": 20, "B": 15, "C": 5}, {"age:C", "age:B"}, id="one hidden count gets a second"),
        pytest.param(
            {"A": 20, "B": 12, "Not known": 30, "C": 5},
            {"age:C", "age:Not known"},
            id="the second count hidden is not known before the smallest",
        ),
        pytest.param({"A": 20, "B": 5, "C": 6}, {"age:B", "age:C"}, id="two small counts need no third"),
    ],
)
def test_a_partition_hides_its_small_counts_and_enough_others(counts: dict[str, int], hidden: set[str]):
    found = solved(lambda d: d.groups(groups(counts), "people", key="age", whole="all"))
    assert found == hidden


def test_an_n_of_m_sentence_publishes_n_and_m():
    # "77 of 108 new people": with 115 reached, 108 new and 7 returning, the 108 gives the 7 away
    ledger = PublishedSet()
    recording = SCREEN.recording(ledger)
    recording.parts({"new": 108, "returning": 7}, key="reached", whole="reached")
    recording.part_of(77, 108, key="came back", whole="reached:new")
    assert ledger.counts["reached:new"] == 108 and ledger.counts["came back:part"] == 77
    assert "reached:new" in ledger.shown and "came back:part" in ledger.shown
    found = ledger.solve()
    assert {"reached:returning", "reached:new"} <= found  # the sentence's whole goes with the card's
    # and the sentence then withholds its whole and its share, as the card does
    shown = SCREEN.hiding(found).part_of(77, 108, key="came back", whole="reached:new")
    assert shown["of"] == "–" and shown["share"] is None


def test_the_same_group_is_hidden_on_every_tab():
    # Who tab: 115 reached by age; against the population: the 110 whose age is known, 75+ small among them
    ages = {"18-24": 30, "25-64": 69, "65-74": 11, "75+": 1, "Not known": 4}

    def who(d: Disclosure) -> None:
        d.groups(groups(ages), "people", key="age", whole="reached")

    def against(d: Disclosure) -> None:
        known = {k: v for k, v in ages.items() if k != "Not known"}
        d.count(sum(known.values()), "age compared")
        d.groups(groups(known), "people", key="age", whole="age compared")

    found = solved(who, against)
    assert "age:65-74" in found, "hidden on one tab, so hidden on the other"
    who_tab = SCREEN.hiding(found).groups(groups(ages), "people", key="age", whole="reached")
    assert who_tab.set_index("group").loc["65-74", "label"] == "–"


def test_a_difference_between_periods_is_a_published_count():
    ledger = PublishedSet()
    ledger.cell("now", 20)
    ledger.cell("before", 15)
    ledger.difference("change", "now", "before")
    assert ledger.counts["change"] == 5 and ("now", ("before", "change")) in ledger.relations
    assert "change" in ledger.solve(), "a change of 5 people is itself a small count"


def test_a_count_pinned_by_bounds_is_protected():
    # 9 = 7 shown + two hidden: each hidden count is at least 1, so both are 1; a third count must go
    ledger = PublishedSet()
    recording = SCREEN.recording(ledger)
    recording.groups(groups({"A": 7 + 8, "B": 1, "C": 1}), "people", key="g", whole="t")
    assert ledger.bounds("g:B", {"g:B", "g:C"}) == pytest.approx((1, 1))
    found = ledger.solve()
    low, high = ledger.bounds("g:B", set(found))
    assert high - low >= 1


def test_two_figures_sharing_a_key_must_count_the_same():
    ledger = PublishedSet()
    ledger.cell("reached", 115)
    with pytest.raises(ValueError, match="two figures share a key"):
        ledger.cell("reached", 116)


def test_shares_are_withheld_with_a_hidden_part_and_written_as_shown():
    ledger = PublishedSet()
    recording = SCREEN.recording(ledger)
    safe = recording.groups(
        groups({"A": 100, "B": 5, "C": 20}), "people", key="g", whole="all", share_col="share"
    ).set_index("group")
    assert pd.isna(safe.loc["B", "share"]) and pd.isna(safe.loc["C", "share"])  # small, and hidden second
    assert safe.loc["A", "share"] == pytest.approx(100 / 125)
    assert [(p, w) for p, w, _ in ledger.shares] == [("g:A", "all")]
    assert next(iter(ledger.shares))[2] == pytest.approx(0.8)


def test_rounded_for_viewers():
    ledger = PublishedSet()
    Disclosure.viewer().recording(ledger).count(527, "reached")
    assert ledger.counts == {"reached": 527} and ledger.shown == {"reached": {"525"}}
