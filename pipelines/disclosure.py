"""Disclosure control (docs/privacy.md): the one place that decides which counts of people, and which figures about
them, may be shown on screen or leave the app.

- A count of 1 to 7 people is shown as "<8"; 0 stays 0. The group stays in the table or chart, labelled.
- Secondary suppression: where a hidden count could be worked out from a total and the other groups, one more
  group is hidden ("–").
- A mean, share or chart over fewer than 8 people is not shown; a chart with one mark per person is never drawn for
  fewer than 8 people, and never exported.
- Screen: the threshold is a setting (8 unless raised). Export: always 8, other counts rounded to the nearest 5, and
  shares worked out from the rounded counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from pipelines.vocab import NOT_KNOWN, PREFER_NOT

MIN_COUNT = 8  # NHS Digital rule: counts of 1 to 7 people are hidden
ADMIN_FLOOR = 5  # the lowest on-screen threshold an administrator may set; downloads keep MIN_COUNT
ROUND_TO = 5
WITHHELD = "–"  # a figure that is not shown: unknown, or hidden so that a small count cannot be worked out
UNKNOWN_GROUPS = (NOT_KNOWN, PREFER_NOT, "not recorded")  # hidden first when a second group must go
EXPORT_SUPPRESSION = f"Counts under {MIN_COUNT} suppressed; others rounded to {ROUND_TO}"  # a download's short note
EXPORT_FOOTNOTE = (
    f"Counts of 1 to {MIN_COUNT - 1} people are shown as <{MIN_COUNT} and other counts are rounded to the nearest "
    f"{ROUND_TO}, so totals may not add up; percentages are worked out from the rounded counts. "
    f"{WITHHELD} marks a count hidden so that a small one cannot be worked out from the total."
)

Mode = Literal["screen", "export"]


def round_to_5(n: int) -> int:
    """Nearest multiple of 5 (no ties arise for whole numbers): 8 → 10, 12 → 10, 13 → 15."""
    return ROUND_TO * ((n + ROUND_TO // 2) // ROUND_TO)


def _whole(n: object) -> int | None:
    """A count as an int, or None when it is missing (None, NaN, pd.NA)."""
    return None if n is None or pd.isna(n) else int(n)


def _fold(labels: Iterable[object]) -> set[str]:
    return {str(label).casefold() for label in labels}


@dataclass(frozen=True)
class Disclosure:
    """How counts of people are made safe: ``Disclosure.screen(setting)`` in the app, ``Disclosure.export()`` for
    anything that leaves it. However built, the threshold is never below 8 (a lower one would need an
    administrator's say-so, which needs sign-in) and is exactly 8 in export."""

    mode: Mode = "screen"
    min_count: int = MIN_COUNT
    floor: int = MIN_COUNT  # the lowest threshold allowed: 8, or ADMIN_FLOOR on screen where an administrator chose

    def __post_init__(self) -> None:
        if self.mode not in ("screen", "export"):
            raise ValueError(f"mode must be 'screen' or 'export', not {self.mode!r}")
        floor = MIN_COUNT if self.mode == "export" else min(max(ADMIN_FLOOR, int(self.floor)), MIN_COUNT)
        safe = MIN_COUNT if self.mode == "export" else max(floor, int(self.min_count))
        object.__setattr__(self, "floor", floor)
        object.__setattr__(self, "min_count", safe)

    @classmethod
    def screen(cls, min_count: int = MIN_COUNT, lowered: bool = False) -> Disclosure:
        """On screen, with the threshold from the settings: raised to 8 if lower, unless an administrator lowered
        it (``lowered``), and then never below ADMIN_FLOOR. Exports are not affected."""
        return cls("screen", min_count, ADMIN_FLOOR if lowered else MIN_COUNT)

    @classmethod
    def export(cls) -> Disclosure:
        """Downloads and reports: threshold 8, other counts rounded to the nearest 5."""
        return cls("export", MIN_COUNT)

    @property
    def note(self) -> str:
        """The caption (screen) or footnote (export) that explains the suppression."""
        if self.mode == "export":
            return EXPORT_FOOTNOTE
        m = self.min_count
        return (
            f"Groups of fewer than {m} people are shown as <{m}; {WITHHELD} marks a count hidden so that a small "
            "one cannot be worked out from the total."
        )

    @property
    def small_label(self) -> str:
        return f"<{self.min_count}"

    def _small(self, n: int) -> bool:
        return 0 < n < self.min_count

    def count(self, n: object) -> int | None:
        """The count as it may be published: None when hidden or missing, rounded to 5 in export."""
        n = _whole(n)
        if n is None or self._small(n):
            return None
        return round_to_5(n) if self.mode == "export" else n

    def label(self, n: object) -> str:
        """The count as text: '<8' when small, '–' when missing, otherwise '1,234' (rounded in export)."""
        whole = _whole(n)
        if whole is not None and self._small(whole):
            return self.small_label
        safe = self.count(whole)
        return WITHHELD if safe is None else f"{safe:,}"

    def may_show(self, n: object) -> bool:
        """A figure about n people (mean, CI, share, chart) may be shown: at least the threshold."""
        n = _whole(n)
        return n is not None and n >= self.min_count

    def per_person_marks_allowed(self, n: object) -> bool:
        """A chart with one mark per person (dots, one line each) may be drawn: on screen only, for enough people."""
        return self.mode == "screen" and self.may_show(n)

    def share(self, n: object, total: object) -> float | None:
        """n ÷ total from the published counts (rounded in export); None when either is hidden or total is too
        small to give a share of."""
        part, whole = self.count(n), self.count(total)
        if part is None or not self.may_show(total) or not whole:
            return None
        return part / whole

    def counts(self, values: pd.Series) -> pd.Series:
        """``count`` over a column: nullable integers, <NA> where hidden."""
        return pd.Series([self.count(v) for v in values], index=values.index, dtype="Int64", name=values.name)

    def labels(self, values: pd.Series) -> pd.Series:
        """``label`` over a column."""
        return pd.Series([self.label(v) for v in values], index=values.index, dtype="object", name=values.name)

    def hidden_groups(
        self,
        counts: Sequence[int],
        names: Sequence[object],
        total: int | None = None,
        keep: Iterable[object] = (),
        prefer: Iterable[object] = UNKNOWN_GROUPS,
    ) -> list[bool]:
        """Which groups to hide: the small ones, and then, while exactly one unpublished count could be worked
        out from the total and it is small, the next group (see ``groups``)."""
        kept, preferred = _fold(keep), _fold(prefer)
        remainder = max(0, total - sum(counts)) if total is not None else 0
        folded = [str(name).casefold() for name in names]
        hidden = [self._small(c) for c in counts]
        while self._one_small_derivable(counts, hidden, remainder):
            candidates = [i for i, c in enumerate(counts) if c > 0 and not hidden[i]]
            if not candidates:
                break
            pick = min(candidates, key=lambda i: (folded[i] in kept, folded[i] not in preferred, counts[i], i))
            hidden[pick] = True
        return hidden

    def _one_small_derivable(self, counts: Sequence[int], hidden: Sequence[bool], remainder: int) -> bool:
        unpublished = [c for c, h in zip(counts, hidden, strict=True) if h] + ([remainder] if remainder else [])
        return len(unpublished) == 1 and self._small(unpublished[0])

    def groups(
        self,
        frame: pd.DataFrame,
        count_col: str,
        *,
        total: int | None = None,
        figure_cols: Sequence[str] = (),
        group_col: str = "group",
        keep: Iterable[object] = (),
        prefer: Iterable[object] = UNKNOWN_GROUPS,
        share_col: str | None = None,
        secondary: bool = True,
    ) -> pd.DataFrame:
        """A copy of ``frame`` (one row per group of people) made safe to publish.

        - ``count_col`` becomes the published count (nullable integers, rounded in export; <NA> where hidden);
          ``label`` holds it as text ('<8', '–' for a secondary hide, '1,235'); ``hidden`` marks both kinds.
        - Secondary suppression assumes the groups' total is published (the headline count usually is). Give
          ``total`` when the groups are part of a larger published total: the people in no listed group count as
          one more unpublished group. ``secondary=False`` for counts that do not add up to a total (e.g. people
          per quarter when one person may be in several quarters).
        - The second group hidden is never an empty one; groups named in ``prefer`` go first whatever their size
          (by default 'Not known', 'Prefer not to say', 'not recorded': losing them costs the reader least), then
          the smallest; groups in ``keep`` go only when nothing else can. Names are matched, ignoring case, with
          ``group_col`` (the index when the frame has no such column).
        - ``figure_cols`` (means, CIs, shares, sub-counts…) are blanked where the group is hidden or has fewer
          people than the threshold. Sub-counts in export need ``counts`` too; shares ``share``.
        - ``share_col``, if given, is added: each group's share of the (published) total, blank where hidden.
        """
        raw = [int(n) for n in frame[count_col]]
        names = list(frame[group_col]) if group_col in frame.columns else list(frame.index)
        hidden = self.hidden_groups(raw, names, total, keep, prefer) if secondary else [self._small(n) for n in raw]
        safe = frame.copy()
        safe[count_col] = pd.array([None if h else self.count(n) for n, h in zip(raw, hidden, strict=True)], "Int64")
        safe["label"] = [self._group_label(n, h) for n, h in zip(raw, hidden, strict=True)]
        safe["hidden"] = hidden
        figures_shown = pd.Series(
            [self.may_show(n) and not h for n, h in zip(raw, hidden, strict=True)], index=frame.index, dtype=bool
        )
        for col in figure_cols:
            safe[col] = safe[col].where(figures_shown)
        if share_col:
            whole = sum(raw) if total is None else total
            shares = [None if h else self.share(n, whole) for n, h in zip(raw, hidden, strict=True)]
            safe[share_col] = pd.Series(shares, index=frame.index, dtype="float64")
        return safe

    def parts(self, counts: dict[str, int], keep: Iterable[str] = ()) -> pd.DataFrame:
        """Parts of a published whole (new and returning of those reached, improved or not…) made safe together,
        indexed by part: ``people`` (nullable), ``label``, ``hidden`` and ``share`` of the whole, so that no small
        part can be worked out from the whole and the others."""
        frame = pd.DataFrame({"part": list(counts), "people": pd.Series(list(counts.values()), dtype="int64")})
        return self.groups(frame, "people", group_col="part", keep=keep, share_col="share").set_index("part")

    def part_of(self, n: int, whole: int) -> dict:
        """n people of a whole, as a page may show them: n's count and label, the whole's label, and n's share; n
        and the rest of the whole are hidden together when either is small (the other would give it away)."""
        safe = self.parts({"part": n, "rest": whole - n}).loc["part"]
        return {
            "people": None if pd.isna(safe["people"]) else int(safe["people"]),
            "label": safe["label"],
            "of": self.label(whole),
            "share": None if safe["hidden"] else self.share(n, whole),
        }

    def hidden_note(self, frame: pd.DataFrame) -> str:
        """A chart's subtitle line saying how small groups are shown, when some are; in export the footnote says
        it, so nothing."""
        if "hidden" not in frame.columns or not frame["hidden"].any() or self.mode != "screen":
            return ""
        return (
            f"{self.small_label}: fewer than {self.min_count} people; {WITHHELD}: hidden so that a small count cannot "
            "be worked out."
        )

    def _group_label(self, n: int, hidden: bool) -> str:
        if not hidden:
            return self.label(n)
        return self.small_label if self._small(n) else WITHHELD
