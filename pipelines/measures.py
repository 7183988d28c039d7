"""The wellbeing measures: their answers, scoring rules, thresholds and published norms (docs/measures.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from pipelines.vocab import norm_key

WEMWBS_WORDS = ("none of the time", "rarely", "some of the time", "often", "all of the time")
CORE10_WORDS = ("not at all", "only occasionally", "sometimes", "often", "most or all of the time")
PHQ_WORDS = ("not at all", "several days", "more than half the days", "nearly every day")
UCLA_WORDS = ("hardly ever", "some of the time", "often")

# SWEMWBS raw score 7..35 -> metric score (Stewart-Brown et al. 2009 Rasch conversion, as published by Warwick).
SWEMWBS_METRIC = (
    7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36,
    16.88, 17.43, 17.98, 18.59, 19.25, 19.98, 20.73, 21.54, 22.35, 23.21,
    24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70, 32.55, 35.00,
)  # fmt: skip
SWEMWBS_FROM_WEMWBS_ITEMS = (1, 2, 3, 6, 7, 9, 11)


@dataclass(frozen=True)
class Instrument:
    """A questionnaire as it is filled in: its items and the answers they take."""

    name: str
    items: int
    low: int
    high: int
    words: tuple[str, ...] = ()
    reversed_word_items: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        return norm_key(self.name)

    def answer(self, item: int, raw: object) -> float | None:
        """The number for one answer given as a number or the scale's words; None when not understood."""
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        text = str(raw).strip()
        try:
            return float(text)
        except ValueError:
            pass
        leading = re.match(r"^\s*(\d+(?:\.\d+)?)\s*[-–:.)=]", text)
        if leading:
            return float(leading.group(1))
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


INSTRUMENTS = {
    i.key: i
    for i in (
        Instrument("WEMWBS", 14, 1, 5, WEMWBS_WORDS),
        Instrument("SWEMWBS", 7, 1, 5, WEMWBS_WORDS),
        Instrument("CORE-10", 10, 0, 4, CORE10_WORDS, reversed_word_items=(2, 3)),
        Instrument("PHQ-9", 9, 0, 3, PHQ_WORDS),
        Instrument("GAD-7", 7, 0, 3, PHQ_WORDS),
        Instrument("ONS4", 4, 0, 10),
        Instrument("UCLA-3", 3, 1, 3, UCLA_WORDS),
    )
}
ONS4_QUESTIONS = ("life satisfaction", "worthwhile", "happy", "anxious")


@dataclass(frozen=True)
class Measure:
    """A score that outcomes are reported on."""

    name: str
    low: float
    high: float
    higher_better: bool
    reliable_change: float | None = None  # individual change (points) that counts as improved or deteriorated
    cutoff: float | None = None  # clinical caseness: at or above (lower-better measures)
    low_band: tuple[float, float] | None = None  # ONS4 "low" wellbeing band, inclusive
    norms: tuple[tuple[str, float, str], ...] = ()  # (group, mean, source)
    construct: str = "mental wellbeing"  # what a higher score means, in words for a summary sentence

    @property
    def questionnaire(self) -> str:
        """The questionnaire the score comes from: 'ONS4' for 'ONS4 happy'."""
        return self.name.split(" ")[0]

    @property
    def full_name(self) -> str:
        """The measure named in full, e.g. 'Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)'."""
        title = QUESTIONNAIRES[self.questionnaire][0]
        item = self.name.removeprefix(self.questionnaire).strip()
        return f"{title} (ONS4): {item}" if item else f"{title} ({self.name})"

    @property
    def citation(self) -> str:
        return QUESTIONNAIRES[self.questionnaire][1]


QUESTIONNAIRES = {
    "WEMWBS": (
        "Warwick-Edinburgh Mental Wellbeing Scale",
        "WEMWBS © University of Warwick 2006, all rights reserved. Tennant R et al. (2007) Health and Quality of Life "
        "Outcomes 5:63.",
    ),
    "SWEMWBS": (
        "Short Warwick-Edinburgh Mental Wellbeing Scale",
        "SWEMWBS © University of Warwick 2007, all rights reserved. Stewart-Brown S et al. (2009) Health and Quality "
        "of Life Outcomes 7:15.",
    ),
    "CORE-10": (
        "Clinical Outcomes in Routine Evaluation, 10 items",
        "CORE-10 © CORE System Trust. Barkham M et al. (2013) Counselling and Psychotherapy Research 13(1):3-13.",
    ),
    "PHQ-9": (
        "Patient Health Questionnaire, 9 items",
        "PHQ-9: Kroenke K, Spitzer RL, Williams JBW (2001) Journal of General Internal Medicine 16:606-613.",
    ),
    "GAD-7": (
        "Generalised Anxiety Disorder scale, 7 items",
        "GAD-7: Spitzer RL et al. (2006) Archives of Internal Medicine 166:1092-1097.",
    ),
    "ONS4": (
        "ONS personal wellbeing questions",
        "ONS4: Office for National Statistics personal well-being questions (Annual Population Survey).",
    ),
    "UCLA-3": (
        "Three-item UCLA Loneliness Scale",
        "UCLA-3: Hughes ME et al. (2004) Research on Aging 26(6):655-672.",
    ),
}  # each questionnaire's full name and the citation printed under exported charts


MEASURES = {
    m.name: m
    for m in (
        Measure(
            "WEMWBS", 14, 70, True, reliable_change=3,
            norms=(("Men", 50.1, "Health Survey for England 2016"), ("Women", 49.6, "Health Survey for England 2016")),
        ),
        Measure(
            "SWEMWBS", 7, 35, True, reliable_change=3,
            norms=(("Men", 23.7, "Health Survey for England 2010-13"), ("Women", 23.2, "Health Survey for England 2010-13")),
        ),
        Measure("CORE-10", 0, 40, False, reliable_change=6, cutoff=11, construct="psychological distress"),
        Measure("PHQ-9", 0, 27, False, reliable_change=6, cutoff=10, construct="symptoms of depression"),
        Measure("GAD-7", 0, 21, False, reliable_change=4, cutoff=8, construct="symptoms of anxiety"),
        Measure("ONS4 life satisfaction", 0, 10, True, low_band=(0, 4), construct="life satisfaction"),
        Measure("ONS4 worthwhile", 0, 10, True, low_band=(0, 4), construct="the sense that life is worthwhile"),
        Measure("ONS4 happy", 0, 10, True, low_band=(0, 4), construct="happiness"),
        Measure("ONS4 anxious", 0, 10, False, low_band=(6, 10), construct="anxiety"),
        Measure("UCLA-3", 3, 9, False, construct="loneliness"),
    )
}  # fmt: skip
# Sources: WEMWBS threshold Maheswaran et al. 2012; SWEMWBS threshold Shah et al. 2018 (2.77 SEM = 2.87);
# CORE-10 cut-off Barkham et al. 2013; PHQ-9 and GAD-7 thresholds as NHS Talking Therapies reports them.
MEASURE_ORDER = tuple(MEASURES)


def swemwbs_metric(raw: float) -> float:
    return SWEMWBS_METRIC[int(raw) - 7]


def score(instrument: Instrument, items: list[float | None]) -> dict[str, float | None]:
    """Scores from one completed questionnaire's items (None for a missing answer): ``scores`` of one row."""
    answers = np.array([[np.nan if v is None else v for v in items]], dtype=float)
    return {name: _number(found[0]) for name, found in scores(instrument, answers).items()}


def scores(instrument: Instrument, answers: np.ndarray) -> dict[str, np.ndarray]:
    """Scores of many completed questionnaires at once, one row of item answers each (NaN for a missing answer).

    Returns measure name -> scores, NaN where a missing answer leaves no score. CORE-10 prorates one missing
    answer (total x 10 / 9); a WEMWBS questionnaire also yields SWEMWBS from its seven items.
    """
    missing = np.isnan(answers).sum(axis=1)
    total = np.nansum(answers, axis=1)
    name = instrument.name
    if name == "ONS4":
        return {f"ONS4 {q}": answers[:, i] for i, q in enumerate(ONS4_QUESTIONS)}
    if name == "CORE-10":
        return {name: np.select([missing == 0, missing == 1], [total, total * 10 / 9], np.nan)}
    total = np.where(missing == 0, total, np.nan)
    if name == "SWEMWBS":
        return {name: _swemwbs_metrics(total)}
    if name == "WEMWBS":
        short = answers[:, [i - 1 for i in SWEMWBS_FROM_WEMWBS_ITEMS]].sum(axis=1)  # NaN where one is missing
        return {name: total, "SWEMWBS": _swemwbs_metrics(short)}
    return {name: total}


def _swemwbs_metrics(raw: np.ndarray) -> np.ndarray:
    table = np.asarray(SWEMWBS_METRIC)
    found = np.full(raw.shape, np.nan)
    known = ~np.isnan(raw) & (raw >= 7) & (raw < 7 + len(table))
    found[known] = table[raw[known].astype(int) - 7]
    return found


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def score_total(instrument: Instrument, total: float) -> dict[str, float]:
    """Scores from a questionnaire given only as a total (SWEMWBS totals are raw and are converted)."""
    if instrument.name == "SWEMWBS":
        return {"SWEMWBS": swemwbs_metric(total)}
    return {instrument.name: total}
