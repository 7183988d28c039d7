"""Disclosure control (docs/privacy.md): the one place that decides which counts of people, and which figures about
them, may be shown on screen or leave the app.

- A count of 1 to 7 people is shown as "<8"; 0 stays 0. The group stays in the table or chart, labelled.
- Secondary suppression: where a hidden count could be worked out from a total and the other groups, one more
  group is hidden ("–").
- A mean, share or chart over fewer than 8 people is not shown; a chart with one mark per person is never drawn for
  fewer than 8 people, and never exported.
- Staff on screen (managers, administrators): the threshold is a setting (8 unless raised), counts exact.
  Viewers on screen (trustees, commissioners) and every file that leaves the app: always 8, other counts rounded to
  the nearest 5, and shares worked out from the rounded counts, so a page, its downloads and the report pack give a
  viewer the same numbers.
- One published set per page and per document (``PublishedSet``): every count it publishes is registered with what
  it is part of, and secondary suppression is solved over the whole set, so that no hidden count can be worked out
  by adding or subtracting what another chart, card or sentence shows.
- Nothing more precise than what is shown leaves the server (``as_shown``): shares at the precision they are
  written, counts as published.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd
from scipy.optimize import linprog

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

VIEWER_NOTE = (
    f"Counts of 1 to {MIN_COUNT - 1} people are shown as <{MIN_COUNT} and other counts are rounded to the nearest "
    f"{ROUND_TO}, as in every download, so totals may not add up; {WITHHELD} marks a count hidden so that a small one "
    "cannot be worked out."
)
Mode = Literal["screen", "viewer", "export"]  # staff on screen; a viewer on screen; a file that leaves the app


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
    hide: frozenset[str] = frozenset()  # counts hidden to keep a page's whole published set safe (PublishedSet)
    ledger: PublishedSet | None = field(default=None, compare=False, repr=False)  # records what is published

    def __post_init__(self) -> None:
        if self.mode not in ("screen", "viewer", "export"):
            raise ValueError(f"mode must be 'screen', 'viewer' or 'export', not {self.mode!r}")
        floor = MIN_COUNT if self.rounded else min(max(ADMIN_FLOOR, int(self.floor)), MIN_COUNT)
        safe = MIN_COUNT if self.rounded else max(floor, int(self.min_count))
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

    @classmethod
    def viewer(cls) -> Disclosure:
        """A viewer's screen: what a funder sees in a download, threshold 8, other counts rounded to the nearest 5."""
        return cls("viewer", MIN_COUNT)

    @property
    def rounded(self) -> bool:
        """Counts rounded to 5 and the threshold fixed at 8: for viewers and in every file."""
        return self.mode != "screen"

    def hiding(self, keys: Iterable[str]) -> Disclosure:
        """The same rules, also hiding these counts (a page's published set, ``PublishedSet.solve``)."""
        return replace(self, hide=frozenset(keys))

    def recording(self, ledger: PublishedSet) -> Disclosure:
        """The same rules, registering every count published (with its key) in ``ledger``."""
        return replace(self, ledger=ledger)

    @property
    def note(self) -> str:
        """The caption (screen) or footnote (export) that explains the suppression."""
        if self.mode == "export":
            return EXPORT_FOOTNOTE
        if self.mode == "viewer":
            return VIEWER_NOTE
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

    def count(self, n: object, key: str | None = None) -> int | None:
        """The count as it may be published: None when hidden or missing, rounded to 5 for viewers and in files.
        ``key`` names what it counts in the page's published set: registered, and hidden where the set says."""
        n = _whole(n)
        found = None if n is None or self._small(n) or key in self.hide else round_to_5(n) if self.rounded else n
        self._register(key, n, found)
        return found

    def label(self, n: object, key: str | None = None) -> str:
        """The count as text: '<8' when small, '–' when missing or hidden, otherwise '1,234' (rounded for viewers
        and in files)."""
        whole = _whole(n)
        safe = self.count(whole, key)
        if whole is not None and self._small(whole):
            return self.small_label
        return WITHHELD if safe is None else f"{safe:,}"

    def _register(self, key: str | None, n: int | None, published: int | None) -> None:
        """Tell the page's published set, when recording, the exact count and what is shown of it."""
        if key is not None and n is not None and self.ledger is not None:
            self.ledger.cell(key, n)
            self.ledger.show(key, self._label_of(n, published))

    def _label_of(self, n: int, published: int | None) -> str:
        if published is not None:
            return f"{published:,}"
        return self.small_label if self._small(n) else WITHHELD

    def may_show(self, n: object) -> bool:
        """A figure about n people (mean, CI, share, chart) may be shown: at least the threshold."""
        n = _whole(n)
        return n is not None and n >= self.min_count

    def per_person_marks_allowed(self, n: object) -> bool:
        """A chart with one mark per person (dots, one line each) may be drawn: on staff's screens only, for enough
        people."""
        return self.mode == "screen" and self.may_show(n)

    def share(self, n: object, total: object, key: str | None = None, whole: str | None = None) -> float | None:
        """n ÷ total from the published counts (rounded for viewers and in files); None when either is hidden or
        total is too small to give a share of."""
        part, whole_count = self.count(n, key), self.count(total, whole)
        if part is None or not self.may_show(total) or not whole_count:
            return None
        if key is not None and whole is not None and self.ledger is not None:
            self.ledger.share(key, whole, part / whole_count)
        return part / whole_count

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
        forced: Sequence[bool] | None = None,
    ) -> list[bool]:
        """Which groups to hide: the small ones and the ``forced`` (by the page's published set), and then, while
        exactly one unpublished count could be worked out from the total and it is small, the next group (see
        ``groups``)."""
        kept, preferred = _fold(keep), _fold(prefer)
        remainder = max(0, total - sum(counts)) if total is not None else 0
        folded = [str(name).casefold() for name in names]
        hidden = [self._small(c) or bool(f) for c, f in zip(counts, forced or [False] * len(counts), strict=True)]
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
        key: str | None = None,
        whole: str | None = None,
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
        - ``key`` names the groups in the page's published set (each group is ``key:group``), and ``whole`` the
          count they add up to where it is published on its own (the people reached, say); the groups the set hides
          are hidden here too.
        """
        raw = [int(n) for n in frame[count_col]]
        names = list(frame[group_col]) if group_col in frame.columns else list(frame.index)
        keys = [f"{key}:{name}" for name in names] if key is not None else [None] * len(raw)
        if key is not None and self.ledger is not None:
            self.ledger.groups(key, keys, raw, names, whole, total, secondary, _fold(prefer), _fold(keep))
        forced = [k in self.hide for k in keys]
        hidden = (
            self.hidden_groups(raw, names, total, keep, prefer, forced)
            if secondary
            else [self._small(n) or f for n, f in zip(raw, forced, strict=True)]
        )
        safe = frame.copy()
        safe[count_col] = pd.array([None if h else self.count(n) for n, h in zip(raw, hidden, strict=True)], "Int64")
        safe["label"] = [self._group_label(n, h) for n, h in zip(raw, hidden, strict=True)]
        if key is not None and self.ledger is not None:
            for k, label in zip(keys, safe["label"], strict=True):
                self.ledger.show(k, label)
        safe["hidden"] = hidden
        figures_shown = pd.Series(
            [self.may_show(n) and not h for n, h in zip(raw, hidden, strict=True)], index=frame.index, dtype=bool
        )
        for col in figure_cols:
            safe[col] = safe[col].where(figures_shown)
        if share_col:
            total_count = sum(raw) if total is None else total
            whole_key = (whole or f"{key}:all") if key is not None else None
            shares = [
                None if h else self.share(n, total_count, k, whole_key)
                for n, h, k in zip(raw, hidden, keys, strict=True)
            ]
            safe[share_col] = pd.Series(shares, index=frame.index, dtype="float64")
        return safe

    def parts(
        self, counts: dict[str, int], keep: Iterable[str] = (), key: str | None = None, whole: str | None = None
    ) -> pd.DataFrame:
        """Parts of a published whole (new and returning of those reached, improved or not…) made safe together,
        indexed by part: ``people`` (nullable), ``label``, ``hidden`` and ``share`` of the whole, so that no small
        part can be worked out from the whole and the others. ``key`` and ``whole`` as for ``groups``."""
        frame = pd.DataFrame({"part": list(counts), "people": pd.Series(list(counts.values()), dtype="int64")})
        safe = self.groups(frame, "people", group_col="part", keep=keep, share_col="share", key=key, whole=whole)
        return safe.set_index("part")

    def part_of(self, n: int, whole_count: int, key: str | None = None, whole: str | None = None) -> dict:
        """n people of a whole, as a page may show them ("N of M"): n's count and label, the whole's label, and n's
        share; n and the rest of the whole are hidden together when either is small (the other would give it
        away). ``key`` names n in the page's published set (as ``key:part``), ``whole`` the whole."""
        counts, names = [n, whole_count - n], ["part", "rest"]
        keys = [f"{key}:{name}" for name in names] if key is not None else [None, None]
        if key is not None and self.ledger is not None:
            self.ledger.groups(key, keys, counts, names, whole, None, True, set(), set())
        hidden, rest_hidden = self.hidden_groups(counts, names, forced=[k in self.hide for k in keys])
        label = self._group_label(n, hidden)
        if key is not None and self.ledger is not None:
            self.ledger.show(keys[0], label)
            self.ledger.show(keys[1], self._group_label(counts[1], rest_hidden))
        return {
            "people": None if hidden else self.count(n),
            "label": label,
            "of": self.label(whole_count, whole),
            "share": None if hidden else self.share(n, whole_count, keys[0], whole),
        }

    def relate(self, whole: str, parts: Sequence[str]) -> None:
        """Tell the page's published set, when recording, that counts published apart add up: ``whole`` = Σ parts."""
        if self.ledger is not None:
            self.ledger.relation(whole, parts)

    def difference(self, now: str, before: str) -> None:
        """A change between two periods' counts, each published under its key: published too, as a count."""
        if self.ledger is not None:
            self.ledger.difference(f"{now} − {before}", now, before)

    def hidden_note(self, frame: pd.DataFrame) -> str:
        """A chart's subtitle line saying how small groups are shown, when some are; in export the footnote says
        it, so nothing."""
        if "hidden" not in frame.columns or not frame["hidden"].any() or self.mode == "export":
            return ""
        return (
            f"{self.small_label}: fewer than {self.min_count} people; {WITHHELD}: hidden so that a small count cannot "
            "be worked out."
        )

    def _group_label(self, n: int, hidden: bool) -> str:
        if not hidden:
            return self.label(n)
        return self.small_label if self._small(n) else WITHHELD


@dataclass
class PublishedSet:
    """Every count of people that one page (all its tabs, cards, sentences and charts) or one document publishes,
    each under a key that names what it counts ('reached', 'age_band:75+'), with what it is part of: the groups
    that add up to a whole. ``solve`` works out which counts to hide so that no hidden count of 1 to 7 people can
    be worked out by adding or subtracting what the set shows, whichever chart, card or sentence shows it.

    The pages' figure functions register into it (``Disclosure.recording``) and then publish with its answer
    (``Disclosure.hiding``), so what is registered is exactly what is published."""

    counts: dict[str, int] = field(default_factory=dict)
    relations: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)  # (whole, parts): whole = Σ parts
    shown: dict[str, set[str]] = field(default_factory=dict)  # how each count was written where it was published
    shares: set[tuple[str, str, float]] = field(default_factory=set)  # (part, whole, share) as published
    unshown: set[str] = field(default_factory=set)  # counts never shown, only implied (people in no listed group)
    signed: set[str] = field(default_factory=set)  # changes between periods, which may be below 0
    preferred: set[str] = field(default_factory=set)  # hidden first when a second count must go ('Not known')
    kept: set[str] = field(default_factory=set)  # hidden last: wholes and headline counts
    _bounds: dict = field(default_factory=dict, repr=False)  # worked-out bounds, by a count and its relations' state
    _relations_of: dict = field(default_factory=dict, repr=False)  # each count's relations (``_by_cell``)
    _indexed: int = field(default=0, repr=False)

    def cell(self, key: str, n: int, shown: bool = True) -> None:
        """A count the set publishes (or, ``shown`` False, implies). The same key must always count the same."""
        if self.counts.setdefault(key, n) != n:
            raise ValueError(f"{key!r} is published as {self.counts[key]} and as {n}: two figures share a key")
        if not shown:
            self.unshown.add(key)

    def show(self, key: str, label: str) -> None:
        """How a count was written where it was published: '525', '<8', '–'."""
        self.shown.setdefault(key, set()).add(label)

    def share(self, part: str, whole: str, value: float) -> None:
        """A share published of ``part`` in ``whole``."""
        self.shares.add((part, whole, value))

    def difference(self, change: str, now: str, before: str) -> None:
        """A change from one period to another, published as a count of its own (now = before + change). Where
        a small change must be hidden, the period before goes rather than the one the page is about."""
        self.cell(change, self.counts[now] - self.counts[before])
        self.signed.add(change)
        self.relation(now, (before, change))
        self.kept.add(now)
        self.preferred.add(before)

    def relation(self, whole: str, parts: Sequence[str]) -> None:
        """``whole`` is the sum of ``parts``: a partition, a subtotal, or a difference (now = before + change)."""
        self.relations.add((whole, tuple(parts)))

    def groups(
        self,
        key: str,
        keys: Sequence[str],
        counts: Sequence[int],
        names: Sequence[object],
        whole: str | None,
        total: int | None,
        secondary: bool,
        prefer: set[str],
        keep: set[str],
    ) -> None:
        """The groups of ``Disclosure.groups``: each a count; with ``secondary``, parts of their whole (``whole``,
        or ``key:all``), with the people in no listed group as one more, unshown part when a ``total`` is given."""
        for k, n, name in zip(keys, counts, names, strict=True):
            self.cell(k, n)
            if str(name).casefold() in prefer:
                self.preferred.add(k)
            if str(name).casefold() in keep:
                self.kept.add(k)
        if not secondary:
            return
        whole_key = whole or f"{key}:all"
        parts = list(keys)
        if total is not None and total != sum(counts):
            self.cell(f"{key}:rest", total - sum(counts), shown=False)
            parts.append(f"{key}:rest")
        self.cell(whole_key, sum(counts) if total is None else total)
        self.kept.add(whole_key)
        self.relation(whole_key, parts)

    def solve(self, min_count: int = MIN_COUNT) -> frozenset[str]:
        """The keys to hide: the small counts, then, until no relation has exactly one unpublished count that is
        small or hidden (it could be worked out) and no hidden small count is pinned to one value by all the
        relations together and what is shown, one more count at a time."""
        small = {k for k, n in self.counts.items() if 0 < abs(n) < min_count}
        hidden = set(small)
        while True:
            pick = self._next_to_hide(hidden, small, min_count) or self._pinned(hidden, small, min_count)
            if pick is None:
                return frozenset(hidden - self.unshown)
            hidden.add(pick)

    def _unknown(self, key: str, hidden: set[str]) -> bool:
        return key in hidden or key in self.unshown

    def _next_to_hide(self, hidden: set[str], small: set[str], min_count: int) -> str | None:
        """A count to hide because a relation gives something away: exactly one count that is not shown, and it is
        small or hidden; or, with its whole shown, parts not shown that add up to 1 to 7 people (the whole less the
        parts shown: people in the hidden groups together, who are a small group too)."""
        for whole, parts in sorted(self.relations):
            cells = (whole, *parts)
            unknown = [c for c in cells if self._unknown(c, hidden)]
            together = sum(self.counts[c] for c in unknown)
            one = len(unknown) == 1 and (unknown[0] in small or unknown[0] in hidden)
            several = len(unknown) > 1 and whole not in unknown and 0 < abs(together) < min_count
            if one or several:
                pick = self._choose(cells, hidden)
                if pick is not None:
                    return pick
        return None

    def _choose(self, cells: Sequence[str], hidden: set[str]) -> str | None:
        """The published count of ``cells`` whose loss costs the reader least: a 'Not known' group first, then the
        smallest; a whole or headline count last; never an empty one (0 gives nothing away)."""
        candidates = [c for c in cells if not self._unknown(c, hidden) and self.counts[c] > 0]
        if not candidates:
            return None
        return min(candidates, key=lambda c: (c in self.kept, c not in self.preferred, self.counts[c], c))

    def _pinned(self, hidden: set[str], small: set[str], min_count: int) -> str | None:
        """A count to hide because the relations together, with what is shown and what a label says ('<8': 1 to
        7; '–': at least 1), pin a hidden small count to one value."""
        for key in sorted(small & hidden):
            low, high = self.bounds(key, hidden, min_count)
            if high - low < 1 - 1e-9:
                direct = [
                    c for whole, parts in sorted(self.relations) if key in (whole, *parts) for c in (whole, *parts)
                ]
                linked = [c for whole, parts in self._linked(key, hidden) for c in (whole, *parts)]
                pick = self._choose(direct, hidden) or self._choose(linked, hidden)
                if pick is not None:
                    return pick
        return None

    def bounds(self, key: str, hidden: set[str], min_count: int = MIN_COUNT) -> tuple[float, float]:
        """The least and most ``key`` can be, given the relations, the counts shown, and what a hidden count's label
        says: a linear programme, as someone working the numbers out would solve it, over the relations linked to
        ``key`` through counts that are not shown (the others cannot narrow it)."""
        relations = self._linked(key, hidden)
        keys = sorted({key, *(c for whole, parts in relations for c in (whole, *parts))})
        state = (key, tuple(relations), frozenset(k for k in keys if k in hidden))
        if state not in self._bounds:
            self._bounds[state] = self._solve_bounds(key, relations, keys, hidden, min_count)
        return self._bounds[state]

    def _solve_bounds(
        self, key: str, relations: list, keys: list[str], hidden: set[str], min_count: int
    ) -> tuple[float, float]:
        if not relations:  # in no relation: only its own label bounds it
            low, high = self._limits(key, hidden, min_count)
            return low, np.inf if high is None else high
        if len(relations) == 1:
            return self._one_relation(key, relations[0], hidden, min_count)
        index = {k: i for i, k in enumerate(keys)}
        rows = np.zeros((len(relations), len(keys)))
        for row, (whole, parts) in enumerate(relations):
            rows[row, index[whole]] = 1
            for part in parts:
                rows[row, index[part]] -= 1
        limits = [self._limits(k, hidden, min_count) for k in keys]
        found = []
        for sign in (1, -1):
            objective = np.zeros(len(keys))
            objective[index[key]] = sign
            equalities = {"A_eq": rows, "b_eq": np.zeros(len(relations))} if relations else {}
            solved = linprog(objective, bounds=limits, method="highs", **equalities)
            found.append(sign * solved.fun if solved.status == 0 else (-np.inf if sign == 1 else np.inf))
        return found[0], found[1]

    def _one_relation(
        self, key: str, relation: tuple[str, tuple[str, ...]], hidden: set[str], min_count: int
    ) -> tuple[float, float]:
        """``bounds`` within one relation, worked out directly: whole = Σ parts, each count within its limits, so
        ``key`` lies between what the others' least and most leave (what the linear programme would give)."""
        whole, parts = relation
        signs = {whole: 1, **{part: -1 for part in parts}}  # whole − Σ parts = 0
        low, high = self._limits(key, hidden, min_count)
        low, high = -np.inf if low is None else low, np.inf if high is None else high
        rest_low = rest_high = 0.0  # the rest of the relation, moved to the key's side: sign(key)·key = −Σ others
        for cell, sign in signs.items():
            if cell == key:
                continue
            c_low, c_high = self._limits(cell, hidden, min_count)
            c_low, c_high = -np.inf if c_low is None else c_low, np.inf if c_high is None else c_high
            rest_low, rest_high = (
                rest_low - sign * (c_high if sign > 0 else c_low),
                rest_high - sign * (c_low if sign > 0 else c_high),
            )
        if signs[key] < 0:
            rest_low, rest_high = -rest_high, -rest_low
        low, high = max(low, rest_low), min(high, rest_high)
        return (low, high) if low <= high else (-np.inf, np.inf)  # nothing fits: as the programme says, no bound

    def _linked(self, key: str, hidden: set[str]) -> list[tuple[str, tuple[str, ...]]]:
        """The relations reachable from ``key`` through counts that are not shown, in a fixed order."""
        by_cell = self._by_cell()
        found, frontier = set(), {key}
        while frontier:
            for relation in by_cell.get(frontier.pop(), ()):
                if relation not in found:
                    found.add(relation)
                    frontier |= {c for c in (relation[0], *relation[1]) if self._unknown(c, hidden)}
        return sorted(found)

    def _by_cell(self) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
        """Each count's relations, indexed again only when relations were added since."""
        if self._indexed != len(self.relations):
            self._relations_of.clear()
            for relation in self.relations:
                for cell in (relation[0], *relation[1]):
                    self._relations_of.setdefault(cell, []).append(relation)
            self._indexed = len(self.relations)
        return self._relations_of

    def _limits(self, key: str, hidden: set[str], min_count: int) -> tuple[float | None, float | None]:
        n, signed = self.counts.get(key), key in self.signed
        if key in self.unshown or n is None:
            return (None if signed else 0), None
        if key not in hidden:
            return n, n
        if signed:
            return (-(min_count - 1), min_count - 1) if 0 < abs(n) < min_count else (None, None)
        return (1, min_count - 1) if 0 < n < min_count else (1, None)


SHOWN_PRECISION = {"share": 2, "rate": 2, "benchmark": 3, "ci": 1, "mean": 1, "change": 1, "low": 2, "high": 2}


def as_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as it may leave the server, in a chart's data or a file: each figure at the precision it is written
    (shares to the whole percent, means and intervals to a tenth), so that no exact ratio gives back a hidden or
    unrounded count. Columns are matched by the words in their names (``share_low``: a share)."""
    rounded = frame.copy()
    for column in frame.columns:
        if not pd.api.types.is_float_dtype(frame[column]):
            continue
        words = str(column).split("_")
        digits = next((d for word, d in SHOWN_PRECISION.items() if word in words), None)
        if digits is not None:
            rounded[column] = frame[column].round(digits)
    return rounded
