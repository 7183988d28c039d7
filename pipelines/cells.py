"""Reading single cells as the contract's types. Each reader returns the value or raises CellError.

Text is stored without control characters: tabs, line breaks and other whitespace become single spaces, and the
rest (NUL, escape, C1 controls, and the bidirectional overrides that can reorder what a reader sees) are removed,
since no one types them in a cell and they can hide or disguise what a page shows. Stored text has a maximum
length (64 characters for a participant ID, 200 for a name or title unless its field allows more), and numbers must
be finite and within their field's range (pipelines/limits.py gives the defaults), with a message saying so rather
than storing them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from pipelines import limits
from pipelines.vocab import ETHNICITY_DETAILED, FIVE_WAYS, Vocabulary, age_to_band, ethnicity_group, match_ethnicity

T = TypeVar("T")
EXCEL_EPOCH = dt.date(1899, 12, 30)
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


class CellError(ValueError):
    """The cell's value is not what the column expects; the message says what is."""

    def sentence(self) -> str:
        """The problem as a manager reads it."""
        return f"Expected {self}."


class ImpossibleDate(CellError):
    """A day, month and year that make no date, such as 31/02/2025; the message says why."""

    def sentence(self) -> str:
        return str(self)


def distinct_codes(values: Sequence[object]) -> tuple[np.ndarray, list[object]]:
    """Each value's place among the column's distinct values, and those values: a register repeats its dates,
    activities and answers thousands of times, so a column is read once per distinct value, not once per row."""
    memo: dict[tuple[type, object], int] = {}
    codes = [memo.setdefault((value.__class__, value), len(memo)) for value in values]  # 1, 1.0, True kept apart
    return np.array(codes, dtype=np.intp), [value for _, value in memo]


def distinct_once(read: Callable[[object], T], values: Sequence[object]) -> list[T]:
    """``read`` of each value, worked out once per distinct value."""
    codes, distinct = distinct_codes(values)
    found = [read(value) for value in distinct]
    return list(map(found.__getitem__, codes.tolist()))


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# Control characters that str.split() does not already treat as whitespace, and the bidirectional controls.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")


def text(value: object) -> str | None:
    """The cell as one line of text, whitespace collapsed and control characters removed; None if blank."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(_CONTROL.sub("", str(value)).split()) or None


def bounded_text(value: object, most: int) -> str | None:
    """``text`` of at most ``most`` characters."""
    found = text(value)
    if found is not None and len(found) > most:
        raise CellError(f"text of at most {most:,} characters; this cell has {len(found):,}")
    return found


def participant_id(value: object) -> str:
    """The reference, trimmed; Excel's 1234.0 (a number, or written so in a CSV) is the reference 1234."""
    found = bounded_text(value, limits.ID_CHARS)
    if found is None:
        raise CellError("a participant ID on every row")
    return re.sub(r"^(\d+)\.0+$", r"\1", found)


_TEXT_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%d-%b-%Y", "%d-%b-%y")
DATE_EXPECTED = "a date, written day first like 03/04/2025, or 2025-04-03, or an Excel date"


def date(value: object) -> dt.date | None:
    if is_blank(value):
        return None
    found = _as_date(value)
    if found is None:
        raise _impossible(str(value).strip()) or CellError(DATE_EXPECTED)
    if not EARLIEST <= found <= LATEST:
        raise CellError(f"a date between {EARLIEST:%Y} and {LATEST:%Y}")
    return found


DATES_EXPECTED = f"dates separated by semicolons, each {DATE_EXPECTED.removeprefix('a date, ')}"


def dates(value: object) -> list[dt.date] | None:
    """The dates of a cell listing them separated by semicolons (or one date, or an Excel date), in order, each
    once; None for a blank cell."""
    if is_blank(value):
        return None
    if not isinstance(value, str):
        return [date(value)]
    return sorted({_one_of_dates(part.strip()) for part in value.split(";") if part.strip()}) or None


def _one_of_dates(part: str) -> dt.date:
    """One date of a list: an impossible one says why; anything else that is not a date says what is expected."""
    try:
        return date(part)
    except ImpossibleDate:
        raise
    except CellError:
        raise CellError(f"{DATES_EXPECTED}; {part!r} is not one") from None


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return EXCEL_EPOCH + dt.timedelta(days=int(value)) if 1 <= value < 2958466 else None
    raw = str(value).strip()
    iso = re.fullmatch(
        r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?", raw
    )
    if iso:
        return _safe_date(*map(int, iso.groups()))
    raw = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", raw)
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{5}(\.0+)?", raw):
        return _as_date(float(raw))
    return None


MONTHS = {name.lower(): n for n in range(1, 13) for name in (calendar.month_name[n], calendar.month_abbr[n])} | {
    "sept": 9
}
_WRITTEN = (
    re.compile(r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4}|\d{2})"),
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"),
    re.compile(r"(?P<day>\d{1,2})[ -](?P<month>[A-Za-z]+)[ -](?P<year>\d{4}|\d{2})"),
)  # day, month and year as people write them, whether or not they make a date


def _impossible(raw: str) -> ImpossibleDate | None:
    """Why text written as a date names a day that does not exist (31/02/2025), or None if it is no such text."""
    raw = re.sub(r"[ T]\d{1,2}:\d{2}(:\d{2})?\S*$", "", raw)
    for pattern in _WRITTEN:
        if found := pattern.fullmatch(raw):
            month = MONTHS.get(found["month"].lower()) if found["month"].isalpha() else int(found["month"])
            year = int(found["year"])
            year += 0 if len(found["year"]) == 4 else 2000 if year < 69 else 1900  # as strptime reads %y
            reason = month and _why_no_such_day(year, month, int(found["day"]))
            return ImpossibleDate(f"The date {raw} does not exist: {reason}.") if reason else None
    return None


def _why_no_such_day(year: int, month: int, day: int) -> str | None:
    if not 1 <= month <= 12:
        meant = _safe_date(year, day, month)  # month and day written the American way round
        hint = f"; dates are read day first, so for {meant:%-d %B %Y} write {meant:%d/%m/%Y}" if meant else ""
        return f"there is no month {month}{hint}"
    if day == 0:
        return "there is no day 0"
    if day <= calendar.monthrange(year, month)[1]:
        return None
    if month == 2 and day == 29:
        return f"{year} is not a leap year, so February has 28 days"
    if day > 31:
        return "no month has more than 31 days"
    return f"{calendar.month_name[month]} has no {_ordinal(day)}"


def _ordinal(day: int) -> str:
    return f"{day}{'th' if 11 <= day <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def number(value: object, within: tuple[float, float] = limits.ANY_NUMBER) -> float | None:
    """A finite number ``within`` (low, high), both included, as a field states it (by default any a charity could
    record); £ signs, commas and spaces in text are ignored."""
    if is_blank(value):
        return None
    found = _as_number(value)
    low, high = within
    if not math.isfinite(found) or not low <= found <= high:
        raise CellError(f"a number from {low:,.0f} to {high:,.0f}")
    return found


def _as_number(value: object) -> float:
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return float(re.sub(r"[£,\s]", "", str(value)))
    except (ValueError, OverflowError):  # not a number, or an integer too large for a float
        raise CellError("a number") from None


def whole(value: object, low: int, high: int, what: str) -> int | None:
    found = number(value)
    if found is None:
        return None
    if not found.is_integer() or not low <= found <= high:
        raise CellError(f"{what}: a whole number from {low} to {high}")
    return int(found)


def count(value: object, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high``, e.g. a goal rating from 0 to 10."""
    found = number(value)
    if found is not None and (not found.is_integer() or not low <= found <= high):
        raise CellError(f"a whole number from {low:,} to {high:,}")
    return None if found is None else int(found)


_MONTH_YEAR = re.compile(
    r"(?P<month>[A-Za-z]+)[ -]+(?P<year>\d{4}|\d{2})|(?P<y>\d{4})-(?P<m>\d{1,2})|(?P<m2>\d{1,2})/(?P<y2>\d{4})"
)
MONTH_EXPECTED = "a month, such as April 2025, Apr-25, 2025-04, 04/2025 or any date in the month"


def month(value: object) -> dt.date | None:
    """The first day of the month a cell names, whether a date in it or a month written on its own."""
    if is_blank(value):
        return None
    found = _month_year(str(value).strip()) if isinstance(value, str) else None
    if found is None:
        try:
            found = date(value)
        except ImpossibleDate:
            raise
        except CellError:
            raise CellError(MONTH_EXPECTED) from None
    return found.replace(day=1)


def _month_year(raw: str) -> dt.date | None:
    written = _MONTH_YEAR.fullmatch(raw)
    if written is None:
        return None
    if written["month"]:
        number_of_month, year = MONTHS.get(written["month"].lower()), int(written["year"])
        year += 0 if len(written["year"]) == 4 else 2000
    else:
        number_of_month, year = int(written["m"] or written["m2"]), int(written["y"] or written["y2"])
    if not number_of_month or not 1 <= number_of_month <= 12 or not EARLIEST.year <= year <= LATEST.year:
        raise CellError(MONTH_EXPECTED)
    return dt.date(year, number_of_month, 1)


WAYS_EXPECTED = f"one or more of the Five Ways to Wellbeing ({FIVE_WAYS.accepted}), separated by commas"


def ways(value: object) -> list[str] | None:
    """The Five Ways a cell names, in their usual order, e.g. 'Be active, connect' is ['Connect', 'Be active']."""
    found = text(value)
    if found is None:
        return None
    named = {FIVE_WAYS.match(part) for part in re.split(r"\s*(?:[,;/|+&]|\band\b)\s*", found) if part.strip()}
    if None in named or not named:
        raise CellError(WAYS_EXPECTED)
    return [way for way in FIVE_WAYS.values if way in named]


def choice(value: object, vocabulary: Vocabulary) -> str | None:
    """The canonical word; a blank cell is the vocabulary's default (None where it has none: not recorded)."""
    if is_blank(value):
        return vocabulary.blank
    found = vocabulary.match(value)
    if found is None:
        raise CellError(f"one of: {vocabulary.accepted}")
    return found


def age_band(value: object) -> str | None:
    years = number(value)
    if years is None:
        return None
    band = age_to_band(years)
    if band is None:
        raise CellError("an age in years from 16 to 120 (or give an age band instead)")
    return band


def ethnicity(value: object) -> tuple[str, str]:
    """(detailed group, high-level group)."""
    found = match_ethnicity(value)
    if found is None:
        raise CellError(
            f"one of the 19 Census 2021 ethnic groups ({'; '.join(ETHNICITY_DETAILED)}), "
            "an NHS ethnic category code A–S or Z, 'Prefer not to say', or blank for not known"
        )
    return found, ethnicity_group(found)


def lsoa(value: object) -> str | None:
    return _code(value, r"E01\d{6}", "an English LSOA code such as E01012345")


def postcode_district(value: object) -> str | None:
    return _code(
        value, r"[A-Z]{1,2}\d[A-Z\d]?", "a postcode district only, such as DY1 or WV14 (never a full postcode)"
    )


def _code(value: object, pattern: str, expected: str) -> str | None:
    """The code in capitals, if it matches ``pattern`` in capitals."""
    found = text(value)
    if found is None:
        return None
    if not re.fullmatch(pattern, found.upper()):
        raise CellError(expected)
    return found.upper()
