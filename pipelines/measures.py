"""The questionnaires: one record each, with its items and answers, its scoring rule, the scores it gives with
their thresholds, bands and norms, and where each comes from (docs/measures.md). Everything else reads these
records: ``QUESTIONNAIRES`` in order, ``INSTRUMENTS`` by normalised name, and the scores as ``MEASURES`` in
``MEASURE_ORDER``. Adding a questionnaire means adding its record here and its section in docs/measures.md."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np

from pipelines.vocab import norm_key


@dataclass(frozen=True)
class Band:
    """A published band of scores, both ends included, e.g. the ONS 'low' life satisfaction band, 0 to 4."""

    name: str
    low: float
    high: float
    of_concern: bool = False  # a band a service hopes to see fewer people in: its share is reported first and latest


@dataclass(frozen=True)
class Measure:
    """A score that outcomes are reported on, with each threshold's source."""

    name: str
    low: float
    high: float
    higher_better: bool
    construct: str = "mental wellbeing"  # what a higher score means, in words for a summary sentence
    reliable_change: float | None = None  # individual change (points) that counts as improved or deteriorated
    reliable_change_source: str = ""
    cutoff: float | None = None  # clinical caseness: at or above (lower-better measures)
    cutoff_source: str = ""
    bands: tuple[Band, ...] = ()  # published bands, lowest scores first
    bands_source: str = ""
    norms: tuple[tuple[str, float, str], ...] = ()  # (group, mean, source)

    @property
    def questionnaire(self) -> str:
        """The questionnaire the score comes from: 'ONS4' for 'ONS4 happy'."""
        return self._source.name

    @property
    def full_name(self) -> str:
        """The measure named in full, e.g. 'Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)'."""
        source = self._source
        item = self.name.removeprefix(source.name).strip()
        return f"{source.title} ({source.name}): {item}" if item else f"{source.title} ({self.name})"

    @property
    def citation(self) -> str:
        return self._source.citation

    @property
    def low_band(self) -> tuple[float, float] | None:
        """The bands of concern as one range of scores, both ends included (ONS4's 'low' band 0–4, anxious 6–10);
        None for a measure without bands."""
        concern = [band for band in self.bands if band.of_concern]
        return (concern[0].low, concern[-1].high) if concern else None

    @property
    def concern(self) -> str:
        """The bands of concern in words, e.g. "the 'high' and 'very high' bands"."""
        names = [f"'{band.name}'" for band in self.bands if band.of_concern]
        return f"the {' and '.join(names)} band{'s' if len(names) > 1 else ''}"

    @property
    def _source(self) -> Questionnaire:
        return next(q for q in QUESTIONNAIRES.values() if self in q.measures)


class Scoring(Protocol):
    """How a questionnaire's answers become its scores."""

    def scores(self, questionnaire: Questionnaire, answers: np.ndarray) -> dict[str, np.ndarray]:
        """Measure name -> scores, one row of item answers each (NaN for a missing answer; NaN where no score)."""
        ...

    def from_total(self, questionnaire: Questionnaire, total: float) -> dict[str, float]:
        """Measure name -> score, from a questionnaire given only as a total."""
        ...


@dataclass(frozen=True)
class Sum:
    """The questionnaire's one score is the sum of its answers. A missing answer leaves no score, unless at most
    ``prorated`` answers are missing: then the sum is scaled up to all the items (CORE-10: the sum × 10 / 9)."""

    prorated: int = 0
    table: tuple[float, ...] = ()  # the score reported for each raw sum, from the least (SWEMWBS's metric scores)
    short_forms: tuple[ShortForm, ...] = ()  # other questionnaires whose items are some of these

    def scores(self, questionnaire: Questionnaire, answers: np.ndarray) -> dict[str, np.ndarray]:
        [measure] = questionnaire.measures
        missing = np.isnan(answers).sum(axis=1)
        total = np.nansum(answers, axis=1)
        raw = np.where(missing == 0, total, np.nan)
        if self.prorated:
            scaled = total * questionnaire.items / np.maximum(questionnaire.items - missing, 1)
            raw = np.where((missing > 0) & (missing <= self.prorated), scaled, raw)
        found = {measure.name: self._converted(questionnaire, raw)}
        for short in self.short_forms:
            found |= short.scores(answers)
        return found

    def from_total(self, questionnaire: Questionnaire, total: float) -> dict[str, float]:
        [measure] = questionnaire.measures
        return {measure.name: float(self._converted(questionnaire, np.array([total]))[0]) if self.table else total}

    def _converted(self, questionnaire: Questionnaire, raw: np.ndarray) -> np.ndarray:
        """Raw sums as the table gives them (NaN outside it); as they are without a table."""
        if not self.table:
            return raw
        table, least = np.asarray(self.table), questionnaire.items * questionnaire.low
        found = np.full(raw.shape, np.nan)
        known = ~np.isnan(raw) & (raw >= least) & (raw < least + len(table))
        found[known] = table[raw[known].astype(int) - least]
        return found


@dataclass(frozen=True)
class ShortForm:
    """A shorter questionnaire scored from some of a longer one's items, as it scores its own answers."""

    questionnaire: Questionnaire
    items: tuple[int, ...]  # the longer questionnaire's item numbers, in the shorter one's order

    def scores(self, answers: np.ndarray) -> dict[str, np.ndarray]:
        short = self.questionnaire
        return short.scoring.scores(short, answers[:, [item - 1 for item in self.items]])


@dataclass(frozen=True)
class EachItem:
    """Each answer is a score of its own, in the order of the questionnaire's measures (ONS4's four questions)."""

    def scores(self, questionnaire: Questionnaire, answers: np.ndarray) -> dict[str, np.ndarray]:
        return {measure.name: answers[:, i] for i, measure in enumerate(questionnaire.measures)}

    def from_total(self, questionnaire: Questionnaire, total: float) -> dict[str, float]:
        return {questionnaire.name: total}


@dataclass(frozen=True)
class Questionnaire:
    """One questionnaire: how it is filled in and scored, the scores it gives, and where it comes from."""

    name: str  # as sheets, pages and charts write it: 'CORE-10'
    title: str  # its full name: 'Clinical Outcomes in Routine Evaluation, 10 items'
    items: int
    low: int  # the range of each answer
    high: int
    measures: tuple[Measure, ...]  # the scores it gives, in the order they are reported
    citation: str  # copyright and reference, printed under exported charts
    help: str  # what it asks, for whoever fills in its sheet
    words: tuple[str, ...] = ()  # the answers in words, lowest first
    reversed_word_items: tuple[int, ...] = ()  # items worded the other way round: their words score high to low
    item_names: tuple[str, ...] = ()  # items asked as named questions (ONS4), whose names may head a column alone
    other_names: tuple[str, ...] = ()  # other names that may come before an item's name ('ONS happy')
    scoring: Scoring = Sum()

    @property
    def key(self) -> str:
        return norm_key(self.name)

    @property
    def headers(self) -> tuple[str, ...]:
        """The template's header of each item: 'WEMWBS Q1', or 'ONS4 happy' for a named question."""
        if self.item_names:
            return tuple(f"{self.name} {item}" for item in self.item_names)
        return tuple(f"{self.name} Q{i}" for i in range(1, self.items + 1))

    def answer(self, item: int, raw: object) -> float | None:
        """The number for one answer given as a number or the scale's words; None when not understood, or not a
        whole number (no scale has half-answers: 2.5 is a slip, not a score)."""
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return _whole(float(raw))
        text = str(raw).strip()
        try:
            return _whole(float(text))
        except ValueError:
            pass
        leading = re.match(r"^\s*(\d+(?:\.\d+)?)\s*[-–:.)=]", text)
        if leading:
            return _whole(float(leading.group(1)))
        position = self.word_positions.get(norm_key(text))
        if position is None:
            return None
        return float(self.high - position if item in self.reversed_word_items else self.low + position)

    @cached_property
    def word_positions(self) -> dict[str, int]:
        """Each answer word, normalised, with its place on the scale (the first spelling wins)."""
        positions: dict[str, int] = {}
        for position, word in enumerate(self.words):
            positions.setdefault(norm_key(word), position)
        return positions

    @property
    def total_range(self) -> tuple[float, float]:
        return float(self.items * self.low), float(self.items * self.high)

    def derives(self, measure: str) -> bool:
        """Whether ``measure`` is another questionnaire's score worked out from this one's answers (SWEMWBS from
        WEMWBS items); ONS4's four scores ('ONS4 happy', ...) are its own answers, not derived."""
        return measure in MEASURES and all(m.name != measure for m in self.measures)


def _whole(value: float) -> float | None:
    """A whole-number answer, or None."""
    return value if value.is_integer() else None


WARWICK_WORDS = ("none of the time", "rarely", "some of the time", "often", "all of the time")
PHQ_WORDS = ("not at all", "several days", "more than half the days", "nearly every day")
NHS_TALKING_THERAPIES = (
    "NHS Talking Therapies (NHS England, NHS Talking Therapies for anxiety and depression manual, the measurement of "
    "outcomes: caseness, recovery and reliable change)"
)
MAHESWARAN_2012 = "Maheswaran et al. 2012 (https://doi.org/10.1186/1477-7525-10-156, individual-level analysis)"
SHAH_2018 = "Shah et al. 2018 (https://doi.org/10.1186/s12955-018-1060-2, reliable change: 2.77 × SEM of 1.03)"
BARKHAM_2013 = "Barkham et al. 2013 (https://doi.org/10.1080/14733145.2012.729069, reliable change and cut-off)"
WARWICK_HELP = "Statements about thoughts and feelings over the last two weeks."

# SWEMWBS raw score 7..35 -> metric score (Stewart-Brown et al. 2009 Rasch conversion, as published by Warwick).
SWEMWBS_METRIC = (
    7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36,
    16.88, 17.43, 17.98, 18.59, 19.25, 19.98, 20.73, 21.54, 22.35, 23.21,
    24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70, 32.55, 35.00,
)  # fmt: skip

SWEMWBS = Questionnaire(
    "SWEMWBS",
    "Short Warwick-Edinburgh Mental Wellbeing Scale",
    items=7,
    low=1,
    high=5,
    words=WARWICK_WORDS,
    scoring=Sum(table=SWEMWBS_METRIC),
    measures=(
        Measure(
            "SWEMWBS", 7, 35, True,
            reliable_change=2.87, reliable_change_source=SHAH_2018,  # 2.77 × SEM (1.03), as published
            norms=(("Men", 23.7, "Health Survey for England 2010-13"), ("Women", 23.2, "Health Survey for England 2010-13")),
        ),
    ),
    citation="SWEMWBS © University of Warwick 2007, all rights reserved. Stewart-Brown S et al. (2009) Health and "
    "Quality of Life Outcomes 7:15.",
    help=WARWICK_HELP,
)  # fmt: skip

WEMWBS = Questionnaire(
    "WEMWBS",
    "Warwick-Edinburgh Mental Wellbeing Scale",
    items=14,
    low=1,
    high=5,
    words=WARWICK_WORDS,
    scoring=Sum(short_forms=(ShortForm(SWEMWBS, items=(1, 2, 3, 6, 7, 9, 11)),)),
    measures=(
        Measure(
            "WEMWBS", 14, 70, True,
            reliable_change=3, reliable_change_source=MAHESWARAN_2012,
            norms=(("Men", 50.1, "Health Survey for England 2016"), ("Women", 49.6, "Health Survey for England 2016")),
        ),
    ),
    citation="WEMWBS © University of Warwick 2006, all rights reserved. Tennant R et al. (2007) Health and Quality "
    "of Life Outcomes 5:63.",
    help=WARWICK_HELP,
)  # fmt: skip

CORE10 = Questionnaire(
    "CORE-10",
    "Clinical Outcomes in Routine Evaluation, 10 items",
    items=10,
    low=0,
    high=4,
    words=("not at all", "only occasionally", "sometimes", "often", "most or all of the time"),
    reversed_word_items=(2, 3),
    scoring=Sum(prorated=1),
    measures=(
        Measure(
            "CORE-10", 0, 40, False, construct="psychological distress",
            reliable_change=6, reliable_change_source=BARKHAM_2013,
            cutoff=11, cutoff_source=BARKHAM_2013,
        ),
    ),
    citation="CORE-10 © CORE System Trust. Barkham M et al. (2013) Counselling and Psychotherapy Research 13(1):3-13.",
    help="Statements about how the person has been over the last week.",
)  # fmt: skip


def _talking_therapies_scale(
    name: str, full_name: str, items: int, construct: str, reliable_change: int, cutoff: int, citation: str
) -> Questionnaire:
    """PHQ-9 or GAD-7: answered 0 to 3 in the same words over the last two weeks, summed, lower is better, with NHS
    Talking Therapies' reliable change and caseness."""
    return Questionnaire(
        name,
        full_name,
        items=items,
        low=0,
        high=3,
        words=PHQ_WORDS,
        measures=(
            Measure(
                name,
                0,
                3 * items,
                False,
                construct=construct,
                reliable_change=reliable_change,
                reliable_change_source=NHS_TALKING_THERAPIES,
                cutoff=cutoff,
                cutoff_source=NHS_TALKING_THERAPIES,
            ),
        ),  # fmt: skip
        citation=citation,
        help=f"How often {construct} have bothered the person over the last two weeks.",
    )


PHQ9 = _talking_therapies_scale(
    "PHQ-9", "Patient Health Questionnaire, 9 items", 9, "symptoms of depression", 6, 10,
    "PHQ-9: Kroenke K, Spitzer RL, Williams JBW (2001) Journal of General Internal Medicine 16:606-613.",
)  # fmt: skip
GAD7 = _talking_therapies_scale(
    "GAD-7", "Generalised Anxiety Disorder scale, 7 items", 7, "symptoms of anxiety", 4, 8,
    "GAD-7: Spitzer RL et al. (2006) Archives of Internal Medicine 166:1092-1097.",
)  # fmt: skip

ONS_THRESHOLDS = "ONS personal well-being thresholds"
ONS_WELLBEING_BANDS = (Band("low", 0, 4, of_concern=True), Band("medium", 5, 6), Band("high", 7, 8),
                       Band("very high", 9, 10))  # fmt: skip
ONS_ANXIETY_BANDS = (Band("very low", 0, 1), Band("low", 2, 3), Band("medium", 4, 5),
                     Band("high", 6, 10, of_concern=True))  # fmt: skip

ONS4 = Questionnaire(
    "ONS4",
    "ONS personal wellbeing questions",
    items=4,
    low=0,
    high=10,
    item_names=("life satisfaction", "worthwhile", "happy", "anxious"),
    other_names=("ONS",),
    scoring=EachItem(),
    measures=(
        Measure("ONS4 life satisfaction", 0, 10, True, construct="life satisfaction",
                bands=ONS_WELLBEING_BANDS, bands_source=ONS_THRESHOLDS),
        Measure("ONS4 worthwhile", 0, 10, True, construct="the sense that life is worthwhile",
                bands=ONS_WELLBEING_BANDS, bands_source=ONS_THRESHOLDS),
        Measure("ONS4 happy", 0, 10, True, construct="happiness",
                bands=ONS_WELLBEING_BANDS, bands_source=ONS_THRESHOLDS),
        Measure("ONS4 anxious", 0, 10, False, construct="anxiety",
                bands=ONS_ANXIETY_BANDS, bands_source=ONS_THRESHOLDS),
    ),
    citation="ONS4: Office for National Statistics personal well-being questions (Annual Population Survey).",
    help="Four questions: how satisfied with life, how worthwhile the things done in life, how happy yesterday and "
    "how anxious yesterday, each answered from 0 (not at all) to 10 (completely).",
)  # fmt: skip

UCLA3 = Questionnaire(
    "UCLA-3",
    "Three-item UCLA Loneliness Scale",
    items=3,
    low=1,
    high=3,
    words=("hardly ever", "some of the time", "often"),
    measures=(Measure("UCLA-3", 3, 9, False, construct="loneliness"),),
    citation="UCLA-3: Hughes ME et al. (2004) Research on Aging 26(6):655-672.",
    help="How often the person feels left out, isolated or lacking companionship.",
)

K10 = Questionnaire(
    "K10",
    "Kessler Psychological Distress Scale",
    items=10,
    low=1,
    high=5,
    words=("none of the time", "a little of the time", "some of the time", "most of the time", "all of the time"),
    measures=(
        Measure(
            "K10", 10, 50, False, construct="psychological distress",
            bands=(Band("low", 10, 15), Band("moderate", 16, 21), Band("high", 22, 29, of_concern=True),
                   Band("very high", 30, 50, of_concern=True)),
            bands_source="Andrews and Slade 2001",
        ),
    ),
    citation="K10: Kessler RC et al. (2002) Psychological Medicine 32(6):959-976.",
    help="How often the person has felt tired out, nervous, hopeless, restless, depressed or worthless, or that "
    "everything was an effort, over the last four weeks.",
)  # fmt: skip

QUESTIONNAIRES = {q.name: q for q in (WEMWBS, SWEMWBS, CORE10, PHQ9, GAD7, ONS4, UCLA3, K10)}
INSTRUMENTS = {q.key: q for q in QUESTIONNAIRES.values()}  # by normalised name, as headers and sheets name them
MEASURES = {m.name: m for q in QUESTIONNAIRES.values() for m in q.measures}
MEASURE_ORDER = tuple(MEASURES)
LOWER_BETTER = tuple(name for name, m in MEASURES.items() if not m.higher_better)


def score(questionnaire: Questionnaire, items: list[float | None]) -> dict[str, float | None]:
    """Scores from one completed questionnaire's items (None for a missing answer): ``scores`` of one row."""
    answers = np.array([[np.nan if v is None else v for v in items]], dtype=float)
    return {name: _number(found[0]) for name, found in scores(questionnaire, answers).items()}


def scores(questionnaire: Questionnaire, answers: np.ndarray) -> dict[str, np.ndarray]:
    """Scores of many completed questionnaires at once, one row of item answers each (NaN for a missing answer).

    Returns measure name -> scores, NaN where a missing answer leaves no score, as the questionnaire's scoring rule
    gives them (docs/measures.md#scoring-rules).
    """
    return questionnaire.scoring.scores(questionnaire, answers)


def score_total(questionnaire: Questionnaire, total: float) -> dict[str, float]:
    """Scores from a questionnaire given only as a total (SWEMWBS totals are raw and are converted)."""
    return questionnaire.scoring.from_total(questionnaire, total)


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
