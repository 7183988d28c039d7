"""Deterministic large data for the benchmarks: workbooks as a network of charities would upload them.

``register_workbook`` and ``wellbeing_workbook`` give one 100,000-row workbook each (the size of a large quarterly
return); ``large`` loads a network's three financial years through the loader, file by file, as uploads would.
Every value comes from a fixed seed, so the same call gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import duckdb
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from pipelines import ingest, vocab
from pipelines.sample import fixed_bytes

SEED = 14
FIRST_DAY, LAST_DAY = dt.date(2023, 4, 1), dt.date(2026, 3, 31)  # three financial years
UK_DATE = "dd/mm/yyyy"
WEEKS_OF_SESSIONS = 10  # a person's sessions run weekly from their first contact
QUESTIONNAIRE_WEEKS = 5  # a person's questionnaires are five weeks apart, the first at their first contact

ACTIVITIES = (
    "Tuesday peer support group", "Men's walk and talk", "Hearing Voices group", "Managing anxiety course",
    "Five Ways to Wellbeing course", "1:1 recovery support", "Counselling", "Friday drop-in", "Creative arts group",
    "Allotment group", "Young people's online group", "Carers' support group", "Mindfulness course",
    "Women's wellbeing circle", "Bereavement support group", "Employment support 1:1", "Cook and eat together",
    "Wellbeing walks", "Music for wellbeing", "Coping with low mood course",
)  # fmt: skip
ATTENDED_WORDS = {"Yes": 80, "Attended": 6, "DNA": 8, "No": 2, "Cancelled": 4}
DELIVERY_WORDS = {"In person": 70, "Face to face": 8, "Online": 12, "Zoom": 4, "Phone": 6}
LIKERT_WORDS = [w.capitalize() for w in ("none of the time", "rarely", "some of the time", "often", "all of the time")]
IN_WORDS = 0.3  # the share of questionnaires whose answers were typed as words, not numbers
GENDERS = {"Woman": 56, "Female": 4, "Man": 34, "Male": 3, "Non-binary": 2, vocab.PREFER_NOT: 1}
ETHNICITIES = {group: 1 for group in vocab.ETHNICITY_DETAILED} | {vocab.ETHNICITY_DETAILED[12]: 60}
DISABILITIES = {"Yes": 30, "No": 60, vocab.PREFER_NOT: 4, None: 6}
ORIENTATIONS = {"Straight or heterosexual": 60, "Gay or lesbian": 4, "Bisexual": 5, vocab.PREFER_NOT: 6, None: 25}
REFERRALS = {"GP": 30, "Self-referral": 30, "NHS Talking Therapies": 12, "Social prescriber": 15, "Other": 5}
DISTRICTS = ("DY1", "DY2", "DY4", "WV14", "B70", "B69", "DY3", "DY5", "DY6", "DY8", "B62", "B63", "WS10", "WV1")
FUNDERS = (
    "National Lottery Community Fund", "Black Country ICB", "Dudley Council", "Henry Smith Charity",
    "Lloyds Bank Foundation", "BBC Children in Need", "Comic Relief", "Postcode Local Trust", "The Tudor Trust",
    "Garfield Weston Foundation", "Individual donors", "Community fundraising",
)  # fmt: skip
INCOME_TYPES = ("grant", "contract", "donation", "fundraising", "trading")
FUNDING_STATUSES = {"secured": 80, "applied": 12, "declined": 8}


@dataclass(frozen=True)
class Scale:
    """How much data ``large`` loads; ``Scale.network()`` is the issue's size, smaller ones are for quick runs."""

    attendances: int = 1_000_000
    participants: int = 100_000
    questionnaires: int = 200_000
    funding_lines: int = 500
    rows_per_file: int = 100_000  # each file stays well inside pipelines/limits.py's per-file and per-upload limits

    @classmethod
    def network(cls) -> Scale:
        return cls()

    def shrunk(self, factor: float) -> Scale:
        """The same shape with every count divided by ``factor``."""
        return Scale(
            *(max(1, round(n / factor)) for n in (self.attendances, self.participants, self.questionnaires)),
            max(1, round(self.funding_lines / factor)),
            max(1, round(self.rows_per_file / factor)),
        )

    @property
    def questionnaire_people(self) -> int:
        """Four in five people fill in questionnaires, so most have a first and a latest."""
        return max(1, self.participants * 4 // 5)


# People: one draw per person from the seed, shared by every workbook of the same size -------------------------------


@dataclass(frozen=True)
class People:
    first_contact: list[dt.date]
    activity: list[int]  # index into ACTIVITIES of each person's main activity
    baseline: list[float]  # each person's mean WEMWBS answer (1 to 5) at the start


@lru_cache(maxsize=4)
def people(count: int, seed: int = SEED) -> People:
    """The first ``count`` people; drawn person by person, so fewer people are the first of more."""
    rng, last_start = random.Random(f"people-{seed}"), (LAST_DAY - FIRST_DAY).days - 7 * WEEKS_OF_SESSIONS
    drawn = [(rng.randrange(last_start), rng.randrange(len(ACTIVITIES)), rng.gauss(2.9, 0.55)) for _ in range(count)]
    return People(
        [FIRST_DAY + dt.timedelta(days=day) for day, _, _ in drawn],
        [activity for _, activity, _ in drawn],
        [min(4.6, max(1.4, mean)) for _, _, mean in drawn],
    )


def participant_ref(person: int) -> str:
    return f"NW-{person:06d}"


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# Workbooks ------------------------------------------------------------------------------------------------------------


def register_workbook(rows: int = 100_000, people_count: int | None = None, part: int = 0, seed: int = SEED) -> bytes:
    """An attendance register: participant id, session date (a real date shown day first), activity, attended, delivery.

    Row ``g`` of the whole register (``part * rows`` + the row) is session ``g // people_count`` of person
    ``g % people_count``, so no two rows share a person, date and activity. By default ten sessions per person.
    """
    count = people_count or max(1, rows // WEEKS_OF_SESSIONS)
    who, rng = people(count, seed), random.Random(f"register-{seed}-{count}-{part}")
    book, sheet = _book("Register")
    sheet.append(["Participant ID", "Session date", "Activity", "Attended", "Delivery"])
    for g in range(part * rows, (part + 1) * rows):
        person, session = g % count, g // count
        day = who.first_contact[person] + dt.timedelta(days=7 * session)
        activity = who.activity[person] if rng.random() < 0.85 else rng.randrange(len(ACTIVITIES))
        row = [participant_ref(person), _date(sheet, day), ACTIVITIES[activity]]
        sheet.append([*row, pick(rng, ATTENDED_WORDS), pick(rng, DELIVERY_WORDS)])
    return fixed_bytes(book, "Impact dashboard benchmark")


def wellbeing_workbook(rows: int = 100_000, people_count: int | None = None, part: int = 0, seed: int = SEED) -> bytes:
    """WEMWBS questionnaires: participant id, date, WEMWBS Q1..Q14, answered as numbers or as Likert words.

    Row ``g`` is questionnaire ``g // people_count`` of person ``g % people_count``, five weeks after the one before,
    answered a little better each time. By default two and a half questionnaires per person.
    """
    count = people_count or max(1, rows * 2 // 5)
    who, rng = people(count, seed), random.Random(f"wellbeing-{seed}-{count}-{part}")
    book, sheet = _book("WEMWBS")
    sheet.append(["Participant ID", "Date", *(f"WEMWBS Q{i}" for i in range(1, 15))])
    for g in range(part * rows, (part + 1) * rows):
        person, round_ = g % count, g // count
        day = who.first_contact[person] + dt.timedelta(weeks=QUESTIONNAIRE_WEEKS * round_)
        mean, in_words = who.baseline[person] + 0.35 * min(round_, 2), rng.random() < IN_WORDS
        answers = [min(5, max(1, round(rng.gauss(mean, 0.8)))) for _ in range(14)]
        cells = [LIKERT_WORDS[a - 1] if in_words else a for a in answers]
        sheet.append([participant_ref(person), _date(sheet, day), *cells])
    return fixed_bytes(book, "Impact dashboard benchmark")


def participants_workbook(rows: int, first: int = 0, seed: int = SEED) -> bytes:
    """Profiles of people ``first`` to ``first + rows - 1`` with every demographic the data contract has."""
    rng, who = random.Random(f"participants-{seed}-{first}"), people(first + rows, seed)
    book, sheet = _book("Participants")
    headers = ["Participant ID", "Age band", "Gender", "Ethnicity", "Disability", "Sexual orientation"]
    sheet.append([*headers, "Referral source", "First contact", "IMD decile", "Postcode district"])
    for person in range(first, first + rows):
        band = rng.choices(vocab.AGE_BANDS, weights=(3, 14, 20, 19, 18, 14, 8, 4))[0]
        day = who.first_contact[person]
        demographics = [pick(rng, GENDERS), pick(rng, ETHNICITIES), pick(rng, DISABILITIES), pick(rng, ORIENTATIONS)]
        where = [rng.choices(range(1, 11), weights=range(10, 0, -1))[0], rng.choice(DISTRICTS)]
        sheet.append([participant_ref(person), band, *demographics, pick(rng, REFERRALS), _date(sheet, day), *where])
    return fixed_bytes(book, "Impact dashboard benchmark")


def finance_workbook(funding_lines: int = 500, seed: int = SEED) -> bytes:
    """Funding lines, monthly expenditure per activity and quarterly free reserves over the three years."""
    rng = random.Random(f"finance-{seed}")
    book, funding = _book("Funding")
    funding.append(["Funder", "Title", "Amount", "Start date", "End date", "Status", "Restricted", "Income type"])
    for line in range(funding_lines):
        start = FIRST_DAY + dt.timedelta(days=rng.randrange(0, 3 * 365, 30))
        end = start + dt.timedelta(days=rng.choice((365, 730, 1095)) - 1)
        funder, activity = rng.choice(FUNDERS), rng.choice(ACTIVITIES)
        amount = rng.randrange(2_000, 120_000, 500)
        restricted = rng.choice(("Yes", "No"))
        values = [funder, f"{activity} ({line + 1})", amount, _date(funding, start), _date(funding, end)]
        funding.append([*values, pick(rng, FUNDING_STATUSES), restricted, rng.choice(INCOME_TYPES)])
    spending = book.create_sheet("Expenditure")
    spending.append(["Month", "Activity", "Amount"])
    for month in _months():
        for activity in ACTIVITIES:
            spending.append([_date(spending, month), activity, round(rng.uniform(800, 6_000), 2)])
    reserves = book.create_sheet("Reserves")
    reserves.append(["As at", "Free reserves"])
    for month in _months()[2::3]:
        reserves.append([_date(reserves, _month_end(month)), rng.randrange(90_000, 400_000, 1000)])
    return fixed_bytes(book, "Impact dashboard benchmark")


def _book(title: str) -> tuple[Workbook, WriteOnlyWorksheet]:
    book = Workbook(write_only=True)
    return book, book.create_sheet(title)


def _date(sheet: WriteOnlyWorksheet, day: dt.date) -> WriteOnlyCell:
    """A real date cell shown as a UK date (31/03/2026)."""
    cell = WriteOnlyCell(sheet, day)
    cell.number_format = UK_DATE
    return cell


def _months() -> list[dt.date]:
    return [dt.date(FIRST_DAY.year + (FIRST_DAY.month - 1 + i) // 12, (FIRST_DAY.month - 1 + i) % 12 + 1, 1) for i in
            range(36)]  # fmt: skip


def _month_end(month: dt.date) -> dt.date:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


# The large database ---------------------------------------------------------------------------------------------------


def large_files(scale: Scale = Scale()) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """The network's uploads in order, each as a file name and how to build it (so only one is in memory at a time)."""
    per_file, participants = scale.rows_per_file, scale.participants
    for first in range(0, participants, per_file):
        rows = min(per_file, participants - first)
        yield f"participants_{first // per_file + 1}.xlsx", lambda rows=rows, first=first: _participants(rows, first)
    yield "finance.xlsx", lambda: finance_workbook(scale.funding_lines)
    for part in range(-(-scale.attendances // per_file)):
        rows = min(per_file, scale.attendances - part * per_file)
        yield f"register_{part + 1}.xlsx", lambda rows=rows, part=part: _register_part(rows, part, scale)
    for part in range(-(-scale.questionnaires // per_file)):
        rows = min(per_file, scale.questionnaires - part * per_file)
        yield f"wemwbs_{part + 1}.xlsx", lambda rows=rows, part=part: _wellbeing_part(rows, part, scale)


def _participants(rows: int, first: int) -> bytes:
    return participants_workbook(rows, first)


def _register_part(rows: int, part: int, scale: Scale) -> bytes:
    """Part ``part`` of the whole register: the same rows whatever the file size, as rows continue across parts."""
    return _continued(register_workbook, rows, part, scale.rows_per_file, scale.participants)


def _wellbeing_part(rows: int, part: int, scale: Scale) -> bytes:
    return _continued(wellbeing_workbook, rows, part, scale.rows_per_file, scale.questionnaire_people)


def _continued(build: Callable[..., bytes], rows: int, part: int, per_file: int, count: int) -> bytes:
    if rows == per_file:
        return build(rows, count, part)
    raise ValueError(f"the row count ({rows:,}) must be a whole number of files of {per_file:,} rows")


def large(con: duckdb.DuckDBPyConnection, scale: Scale = Scale(), say: Callable[[str], None] = print) -> dict:
    """Load the network's data into ``con`` through ingest.check and ingest.load, one upload per file.

    Returns the seconds spent building the files and checking and loading them, and the rows loaded per kind.
    """
    built = loaded = 0.0
    for name, build in large_files(scale):
        start = time.perf_counter()
        data = build()
        middle = time.perf_counter()
        checked = ingest.check(con, [(name, data)])
        if not checked.ok:
            raise ValueError(f"{name}: {checked.problems[:3]}")
        ingest.load(con, checked)
        built, loaded = built + middle - start, loaded + time.perf_counter() - middle
        say(f"{name}: built in {middle - start:.1f} s, checked and loaded in {time.perf_counter() - middle:.1f} s")
    return {"build_seconds": built, "load_seconds": loaded, "rows": row_counts(con)}


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Current rows per kind, and distinct people with a profile, an attendance or a questionnaire."""
    counts = {
        kind: con.execute(f"SELECT count(*) FROM {kind}").fetchone()[0]
        for kind in ("participants", "attendance", "wellbeing", "funding", "expenditure", "reserves")
    }
    counts["wemwbs_questionnaires"] = con.execute("SELECT count(*) FROM wellbeing WHERE measure = 'WEMWBS'").fetchone()[
        0
    ]
    counts["people_attending"] = con.execute("SELECT count(DISTINCT participant_id) FROM attendance").fetchone()[0]
    return counts
