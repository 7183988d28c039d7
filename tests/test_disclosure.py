"""Disclosure control: small counts, secondary suppression, rounding for export, figures over few people."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from pipelines.disclosure import EXPORT_FOOTNOTE, MIN_COUNT, Disclosure, round_to_5

SCREEN = Disclosure.screen()
EXPORT = Disclosure.export()


def _groups(counts: dict[str, int], d: Disclosure = SCREEN, **options) -> pd.DataFrame:
    frame = pd.DataFrame({"group": list(counts), "people": list(counts.values())})
    return d.groups(frame, "people", **options)


def _labels(safe: pd.DataFrame) -> dict[str, str]:
    return dict(zip(safe["group"], safe["label"], strict=True))


def _hidden(safe: pd.DataFrame) -> set[str]:
    return set(safe.loc[safe["hidden"], "group"])


# Modes and thresholds -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("disclosure", "mode", "min_count"),
    [
        (Disclosure.screen(), "screen", 8),
        (Disclosure.screen(10), "screen", 10),  # raised: honoured
        (Disclosure.screen(5), "screen", 8),  # lowered without an administrator: clamped
        (Disclosure.screen(0), "screen", 8),
        (Disclosure("screen", 3), "screen", 8),  # however it is built
        (Disclosure.screen(5, lowered=True), "screen", 5),  # an administrator's lower threshold, on screen only
        (Disclosure.screen(3, lowered=True), "screen", 5),  # never below ADMIN_FLOOR
        (Disclosure("screen", 3, floor=1), "screen", 5),
        (Disclosure("export", 5, floor=5), "export", 8),  # downloads keep 8 whoever asks
        (Disclosure(), "screen", 8),
        (Disclosure.export(), "export", 8),
        (Disclosure("export", 20), "export", 8),  # export ignores any screen setting
        (Disclosure("export", 3), "export", 8),
    ],
)
def test_threshold_is_never_below_8_and_always_8_in_export(disclosure, mode, min_count):
    assert (disclosure.mode, disclosure.min_count) == (mode, min_count)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode"):
        Disclosure("print")


def test_rules_cannot_be_changed_after_they_are_made():
    with pytest.raises(dataclasses.FrozenInstanceError):
        SCREEN.min_count = 3


def test_min_count_is_the_nhs_digital_rule():
    assert MIN_COUNT == 8


# Single counts ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "rounded"),
    [(0, 0), (8, 10), (9, 10), (12, 10), (13, 15), (22, 20), (23, 25), (1003, 1005), (1234, 1235)],
)
def test_round_to_5(n, rounded):
    assert round_to_5(n) == rounded


@pytest.mark.parametrize(
    ("disclosure", "n", "count", "label"),
    [
        (SCREEN, None, None, "–"),
        (SCREEN, math.nan, None, "–"),
        (SCREEN, pd.NA, None, "–"),
        (SCREEN, 0, 0, "0"),  # nobody is not disclosive
        (SCREEN, 1, None, "<8"),
        (SCREEN, 7, None, "<8"),
        (SCREEN, 8, 8, "8"),
        (SCREEN, 1234, 1234, "1,234"),
        (SCREEN, 12.0, 12, "12"),  # counts arriving as floats from a frame
        (Disclosure.screen(10), 9, None, "<10"),
        (Disclosure.screen(10), 10, 10, "10"),
        (Disclosure.screen(5), 7, None, "<8"),  # clamped to 8
        (EXPORT, 0, 0, "0"),
        (EXPORT, 1, None, "<8"),
        (EXPORT, 7, None, "<8"),
        (EXPORT, 8, 10, "10"),  # a published count is never below 8 when the real one is at least 8
        (EXPORT, 9, 10, "10"),
        (EXPORT, 12, 10, "10"),
        (EXPORT, 13, 15, "15"),
        (EXPORT, 1234, 1235, "1,235"),
    ],
)
def test_count_and_label(disclosure, n, count, label):
    assert disclosure.count(n) == count
    assert disclosure.label(n) == label


@pytest.mark.parametrize(
    ("disclosure", "n", "may_show", "per_person"),
    [
        (SCREEN, None, False, False),
        (SCREEN, 0, False, False),  # no mean or chart of nobody
        (SCREEN, 7, False, False),
        (SCREEN, 8, True, True),
        (SCREEN, 40, True, True),
        (Disclosure.screen(10), 9, False, False),
        (Disclosure.screen(10), 10, True, True),
        (EXPORT, 7, False, False),
        (EXPORT, 8, True, False),  # a mean may be exported, a mark per person never
        (EXPORT, 5000, True, False),
    ],
)
def test_figures_and_per_person_marks(disclosure, n, may_show, per_person):
    assert disclosure.may_show(n) is may_show
    assert disclosure.per_person_marks_allowed(n) is per_person


@pytest.mark.parametrize(
    ("disclosure", "n", "total", "share"),
    [
        (SCREEN, 10, 40, 0.25),
        (SCREEN, 0, 20, 0.0),
        (SCREEN, 3, 40, None),  # the share would give the small count away
        (SCREEN, 5, 5, None),  # a share of fewer than 8 people
        (SCREEN, 0, 7, None),
        (SCREEN, 0, 0, None),
        (SCREEN, None, 40, None),
        (SCREEN, 10, None, None),
        (Disclosure.screen(10), 9, 40, None),
        (EXPORT, 13, 47, 15 / 45),  # from the rounded counts, as a reader of the export would work it out
        (EXPORT, 8, 8, 1.0),  # 10 of 10
        (EXPORT, 22, 38, 0.5),  # 20 of 40
    ],
)
def test_share(disclosure, n, total, share):
    assert disclosure.share(n, total) == share


def test_counts_and_labels_of_a_column():
    values = pd.Series([0, 3, 13, None], index=[5, 6, 7, 8], name="people")
    assert EXPORT.counts(values).tolist() == [0, pd.NA, 15, pd.NA]
    assert EXPORT.counts(values).index.tolist() == [5, 6, 7, 8]
    assert SCREEN.counts(values).tolist() == [0, pd.NA, 13, pd.NA]
    assert EXPORT.labels(values).tolist() == ["0", "<8", "15", "–"]


def test_notes():
    assert SCREEN.note.startswith("Groups of fewer than 8 people are shown as <8")
    assert Disclosure.screen(10).note.startswith("Groups of fewer than 10 people are shown as <10")
    assert EXPORT.note == EXPORT_FOOTNOTE
    assert "<8" in EXPORT_FOOTNOTE and "nearest 5" in EXPORT_FOOTNOTE and "rounded counts" in EXPORT_FOOTNOTE


# Groups and secondary suppression -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "options", "labels"),
    [
        # nothing small: nothing hidden
        ({"a": 20, "b": 8, "c": 10}, {}, {"a": "20", "b": "8", "c": "10"}),
        # one small group: the next smallest goes too, or the total would give it away
        ({"a": 20, "b": 3, "c": 10, "d": 15}, {}, {"a": "20", "b": "<8", "c": "–", "d": "15"}),
        # two small groups: neither can be worked out, nothing more is hidden
        ({"a": 20, "b": 3, "c": 5}, {}, {"a": "20", "b": "<8", "c": "<8"}),
        # all groups small
        ({"a": 3, "b": 5, "c": 2}, {}, {"a": "<8", "b": "<8", "c": "<8"}),
        # an empty group is not hidden as the second one: it would protect nothing
        ({"a": 20, "b": 3, "c": 0}, {}, {"a": "–", "b": "<8", "c": "0"}),
        # one small group and nothing else to hide
        ({"a": 3, "b": 0}, {}, {"a": "<8", "b": "0"}),
        # the published total is the groups' sum: as without one
        ({"a": 20, "b": 3, "c": 10}, {"total": 33}, {"a": "20", "b": "<8", "c": "–"}),
        # 12 people in no listed group: with the small group, two unknowns, nothing more hidden
        ({"a": 20, "b": 3, "c": 10}, {"total": 45}, {"a": "20", "b": "<8", "c": "10"}),
        # 5 people in no listed group would be given away by the total: the smallest listed group goes
        ({"a": 20, "b": 10, "c": 15}, {"total": 50}, {"a": "20", "b": "–", "c": "15"}),
        # 10 people in no listed group are not a small count: nothing hidden
        ({"a": 20, "b": 10, "c": 15}, {"total": 55}, {"a": "20", "b": "10", "c": "15"}),
        # counts that do not add up to a total (people per quarter): only the small one
        ({"Q1": 20, "Q2": 3, "Q3": 10}, {"secondary": False}, {"Q1": "20", "Q2": "<8", "Q3": "10"}),
        # 'Not known' is hidden first whatever its size, so the groups readers care about stay
        (
            {"White": 40, "Asian": 3, "Black": 10, "Not known": 25},
            {},
            {"White": "40", "Asian": "<8", "Black": "10", "Not known": "–"},
        ),
        ({"a": 40, "b": 3, "c": 10, "not recorded": 25}, {}, {"a": "40", "b": "<8", "c": "10", "not recorded": "–"}),
        # ...unless told otherwise
        (
            {"White": 40, "Asian": 3, "Black": 10, "Not known": 25},
            {"prefer": ()},
            {"White": "40", "Asian": "<8", "Black": "–", "Not known": "25"},
        ),
        # an empty 'Not known' is not hidden
        ({"a": 40, "b": 3, "c": 10, "Not known": 0}, {}, {"a": "40", "b": "<8", "c": "–", "Not known": "0"}),
        # a kept group goes only when nothing else can
        (
            {"improved": 9, "no change": 3, "deteriorated": 12},
            {"keep": ("improved",)},
            {"improved": "9", "no change": "<8", "deteriorated": "–"},
        ),
        (
            {"improved": 9, "no change": 3, "deteriorated": 12},
            {},
            {"improved": "–", "no change": "<8", "deteriorated": "12"},
        ),
        ({"improved": 9, "no change": 3}, {"keep": ("improved",)}, {"improved": "–", "no change": "<8"}),
    ],
)
def test_secondary_suppression(counts, options, labels):
    safe = _groups(counts, **options)
    assert _labels(safe) == labels
    assert _hidden(safe) == {g for g, label in labels.items() if label in ("<8", "–")}


def test_screen_setting_raises_the_threshold_for_groups():
    safe = _groups({"a": 20, "b": 9, "c": 12}, Disclosure.screen(10))
    assert _labels(safe) == {"a": "20", "b": "<10", "c": "–"}


def test_export_groups_are_rounded_and_suppressed():
    safe = _groups({"a": 13, "b": 3, "c": 22, "d": 12}, EXPORT)
    assert _labels(safe) == {"a": "15", "b": "<8", "c": "20", "d": "–"}
    assert safe["people"].tolist() == [15, pd.NA, 20, pd.NA]
    assert str(safe["people"].dtype) == "Int64"


def test_export_ignores_the_screen_setting_for_groups():
    safe = _groups({"a": 20, "b": 9, "c": 12}, Disclosure("export", 10))
    assert _labels(safe) == {"a": "20", "b": "10", "c": "10"}


def test_groups_keeps_rows_columns_and_index_and_leaves_the_input_alone():
    frame = pd.DataFrame({"group": ["a", "b", "c"], "people": [20, 3, 10], "colour": ["r", "g", "b"]}, index=[4, 5, 6])
    safe = SCREEN.groups(frame, "people")
    assert safe.index.tolist() == [4, 5, 6]
    assert safe.columns.tolist() == ["group", "people", "colour", "label", "hidden"]
    assert safe["colour"].tolist() == ["r", "g", "b"]
    assert safe["people"].tolist() == [20, pd.NA, pd.NA]
    assert safe["hidden"].tolist() == [False, True, True]
    assert frame["people"].tolist() == [20, 3, 10]


def test_group_names_from_another_column():
    frame = pd.DataFrame({"band": ["1", "2–5", "Not known"], "pairs": [20, 3, 30]})
    safe = SCREEN.groups(frame, "pairs", group_col="band")
    assert safe["label"].tolist() == ["20", "<8", "–"]


def test_figures_are_blanked_for_hidden_and_small_groups():
    frame = pd.DataFrame(
        {
            "group": ["a", "b", "c", "d"],
            "pairs": [20, 3, 10, 0],
            "mean_change": [2.0, 5.0, 1.0, math.nan],
            "ci_low": [1.0, 2.0, -1.0, math.nan],
            "verdict": ["over", "under", "in line", None],
        }
    )
    safe = SCREEN.groups(frame, "pairs", figure_cols=("mean_change", "ci_low", "verdict"))
    assert safe["label"].tolist() == ["20", "<8", "–", "0"]
    assert safe["mean_change"].tolist()[0] == 2.0 and safe["mean_change"].iloc[1:].isna().all()
    assert safe["ci_low"].tolist()[0] == 1.0 and safe["ci_low"].iloc[1:].isna().all()
    assert safe["verdict"].tolist()[0] == "over" and safe["verdict"].iloc[1:].isna().all()


def test_figures_follow_a_raised_screen_threshold():
    frame = pd.DataFrame({"group": ["a", "b"], "pairs": [12, 30], "mean_change": [1.5, 2.5]})
    assert Disclosure.screen(10).groups(frame, "pairs", figure_cols=("mean_change",))["mean_change"].tolist() == [
        1.5,
        2.5,
    ]
    assert Disclosure.screen(15).groups(frame, "pairs", figure_cols=("mean_change",))[
        "mean_change"
    ].isna().tolist() == [
        True,
        True,  # hidden as the second group: 12 could be worked out from the total
    ]


@pytest.mark.parametrize(
    ("disclosure", "counts", "options", "shares"),
    [
        # screen: exact, of the groups' sum (50)
        (SCREEN, {"a": 20, "b": 3, "c": 10, "d": 17}, {}, [0.4, None, None, 0.34]),
        # export: 15, 10, 20 of 45 (47 rounded): a third, two ninths, four ninths, adding up to 1
        (EXPORT, {"a": 13, "b": 12, "c": 22}, {}, [15 / 45, 10 / 45, 20 / 45]),
        # export: 15 of 40 each, as a reader would work them out from the published counts
        (EXPORT, {"a": 13, "b": 13, "c": 13}, {}, [0.375, 0.375, 0.375]),
        # export with a larger published total: of 100, rounded
        (EXPORT, {"a": 13, "b": 3, "c": 10}, {"total": 98}, [0.15, None, 0.1]),
    ],
)
def test_shares_of_groups_from_published_counts(disclosure, counts, options, shares):
    safe = _groups(counts, disclosure, share_col="share", **options)
    assert [None if math.isnan(s) else pytest.approx(s) for s in safe["share"]] == shares


def test_rounded_shares_add_up_to_about_one():
    safe = _groups({"a": 13, "b": 12, "c": 22}, EXPORT, share_col="share")
    assert safe["share"].sum() == pytest.approx(1.0)


def test_no_groups():
    safe = _groups({}, share_col="share", figure_cols=())
    assert safe.empty and {"label", "hidden", "share"} <= set(safe.columns)


def test_group_names_from_the_index_and_matched_ignoring_case():
    frame = pd.DataFrame(
        {"people": [9, 3, 12, 30]}, index=["Improved", "No change", "Deteriorated", "PREFER NOT TO SAY"]
    )
    assert SCREEN.groups(frame, "people")["label"].tolist() == ["9", "<8", "12", "–"]
    kept = SCREEN.groups(frame, "people", keep=("improved",), prefer=())
    assert kept["label"].tolist() == ["9", "<8", "–", "30"]
