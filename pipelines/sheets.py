"""The sheets of the data contract (docs/data-contract.md): the one registry of every sheet kind and what it holds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from pipelines import limits, vocab
from pipelines.dimensions import POPULATION_DIMENSION
from pipelines.measures import INSTRUMENTS, QUESTIONNAIRES
from pipelines.vocab import Vocabulary, norm_key

TITLES = {"participant_id": "Participant ID", "imd_decile": "IMD decile", "lsoa_code": "LSOA code", "ways": "Five ways"}
STORED_TYPES = {
    "date": "DATE",
    "month": "DATE",
    "number": "DOUBLE",
    "imd": "INTEGER",
    "whole": "INTEGER",
    "ways": "VARCHAR[]",
}
# any other parse rule stores text


@dataclass(frozen=True)
class Field:
    name: str
    parse: str  # how a cell is read: id, date, month, text, choice, number, whole, imd, lsoa, district, age,
    # ethnicity, ways
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: Vocabulary | None = None
    stored_as: str | None = ""  # the stored column's DuckDB type: "" as the parse rule says; None: read, not stored
    in_template: bool = True  # False for the alternatives the template's instructions tell in words
    within: tuple[float, float] = limits.ANY_NUMBER  # a number's or whole number's range, both ends included
    most_chars: int = limits.NAME_CHARS  # the longest text a text field may hold

    @property
    def title(self) -> str:
        """The header the template writes, e.g. 'Session date'."""
        return TITLES.get(self.name, self.name.replace("_", " ").capitalize())

    @cached_property
    def spellings(self) -> frozenset[str]:
        """The header spellings that name this field, normalised once (header detection asks millions of times)."""
        return frozenset({norm_key(self.name), *(norm_key(a) for a in self.aliases)})

    @property
    def columns(self) -> dict[str, str]:
        """The stored columns this field fills, with their DuckDB types."""
        if self.stored_as is None:
            return {}
        columns = {self.name: self.stored_as or STORED_TYPES.get(self.parse, "VARCHAR")}
        if self.parse == "ethnicity":
            columns["ethnicity_group"] = "VARCHAR"  # the Census 2021 high-level group, read from the same cell
        return columns


@dataclass(frozen=True)
class SheetKind:
    """Everything about one kind of sheet; adding a kind or a column means editing only its entry below."""

    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # natural key: latest upload wins per key
    noun: str  # one row, as messages say it: 'funding line' (many: 'funding lines')
    reader: str = "required"  # validate's row reader: 'required' checks the required fields; others are kind-specific
    worked_out: tuple[tuple[str, str], ...] = ()  # stored columns the reader works out, with their DuckDB types
    in_template: bool = True
    instructions: str = ""  # how to fill in its sheet, for the template's Instructions sheet (one or more lines)
    plural: str = ""  # many rows, where not the noun with an 's'

    def field_for(self, header: object) -> Field | None:
        key = norm_key(header)
        return next((f for f in self.fields if key in f.spellings), None)

    @property
    def nouns(self) -> tuple[str, str]:
        return self.noun, self.plural or f"{self.noun}s"

    @property
    def about_people(self) -> bool:
        """Whether rows are about participants, so that personal data in them is refused."""
        return any(f.name == "participant_id" for f in self.fields)

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)

    @property
    def columns(self) -> dict[str, str]:
        """Stored columns with their DuckDB types, after validation ("participant_id" holds the keyed hash)."""
        return {name: sql for f in self.fields for name, sql in f.columns.items()} | dict(self.worked_out)

    @property
    def date_field(self) -> str | None:
        """The date a sheet's rows are told by (its first date field), e.g. the session date of an attendance."""
        return next((f.name for f in self.fields if f.parse == "date"), None)


def questionnaire_instructions() -> str:
    """The questionnaire sheets' lines of the template's instructions: one for them all, then what each asks."""
    lines = [
        f"Questionnaire sheets ({', '.join(QUESTIONNAIRES)}): one row per completed questionnaire. Leave an answer "
        "blank if it was not given."
    ]
    for q in QUESTIONNAIRES.values():
        answers = f" Answers: {', '.join(q.words)} ({q.low} to {q.high})." if q.words else ""
        lines.append(f"{q.name} ({q.title}): {q.help}{answers}")
    return "\n".join(lines)


PARTICIPANT_ID = Field(
    "participant_id",
    "id",
    (
        "client id",
        "service user id",
        "person id",
        "ref",
        "reference",
        "participant",
        "participant ref",
        "client ref",
        "id",
    ),
    required=True,
)

FIVE_WAYS_FIELD = Field(
    "ways", "ways", ("five ways", "five ways to wellbeing", "ways to wellbeing", "5 ways", "way to wellbeing")
)  # one or more of the Five Ways, e.g. 'Connect; Be active'

PARTICIPANTS = SheetKind(
    "participants",
    (
        PARTICIPANT_ID,
        Field("age_band", "choice", ("age group", "age range"), choices=vocab.AGE_BAND),
        Field("age", "age", ("age in years", "age years"), stored_as=None, in_template=False),  # gives the age band
        Field("gender", "choice", ("sex", "gender identity"), choices=vocab.GENDER),
        Field("ethnicity", "ethnicity", ("ethnic group", "ethnic origin", "ethnic category", "ethnicity code")),
        Field("disability", "choice", ("disabled", "has a disability", "disability status"), choices=vocab.DISABILITY),
        Field("sexual_orientation", "choice", ("sexuality",), choices=vocab.SEXUAL_ORIENTATION),
        Field(
            "referral_source",
            "text",
            ("referral", "referred by", "referral route", "source of referral"),
            most_chars=1_000,  # stored text that may run longer than a name
        ),
        Field("first_contact", "date", ("first contact date", "date of first contact", "referral date", "start date")),
        Field("imd_decile", "imd", ("imd", "imd decile", "deprivation decile", "index of multiple deprivation decile")),
        Field("lsoa_code", "lsoa", ("lsoa", "lsoa11", "lsoa 2011", "lsoa code 2011")),
        Field("postcode_district", "district", ("postcode area", "outward code", "post code district")),
    ),
    key=("participant_id",),
    noun="participant profile",
    reader="participants",
    instructions="Participants: one row per person. Age band, or put an 'Age' column with age in years instead. "
    "Blank means not known.",
)

ATTENDANCE = SheetKind(
    "attendance",
    (
        PARTICIPANT_ID,
        Field("session_date", "date", ("date", "date of session", "session date"), required=True),
        Field(
            "activity", "text", ("group", "session", "service", "programme", "program", "activity name"), required=True
        ),
        Field("activity_type", "choice", ("type", "session type", "type of activity"), choices=vocab.ACTIVITY_TYPE),
        Field("delivery", "choice", ("delivery mode", "mode", "format"), choices=vocab.DELIVERY),
        Field("venue", "text", ("location", "place")),
        Field("minutes", "number", ("duration", "duration minutes", "length minutes", "mins")),
        Field("attended", "choice", ("attended?", "attendance", "status", "outcome"), choices=vocab.ATTENDED),
        FIVE_WAYS_FIELD,
    ),
    key=("participant_id", "session_date", "activity"),
    noun="attendance",
    reader="attendance",
    instructions="Attendance: one row per person per session. Attended: attended, did not attend, or cancelled. Ways: "
    "only if the Activities sheet does not give the session's Five Ways to Wellbeing.",
)

WELLBEING = SheetKind(
    "wellbeing",
    (
        PARTICIPANT_ID,
        Field(
            "date",
            "date",
            ("date completed", "questionnaire date", "completed on", "date of questionnaire"),
            required=True,
        ),
        Field("activity", "text", ("group", "session", "service", "programme")),
        Field("measure", "text", ("questionnaire", "scale", "tool"), in_template=False),  # long layout: one per row
        Field("total", "number", ("score", "total score"), stored_as=None, in_template=False),
    ),
    key=("participant_id", "date", "measure"),
    noun="questionnaire score",
    reader="wellbeing",
    instructions=questionnaire_instructions(),
    worked_out=(("score", "DOUBLE"), ("items", "DOUBLE[]"), ("missing_items", "INTEGER"), ("derived", "BOOLEAN")),
)

FUNDING = SheetKind(
    "funding",
    (
        Field(
            "funder",
            "text",
            ("funder name", "funding org:name", "funding organisation", "funding org name"),
            required=True,
        ),
        Field("title", "text", ("grant", "grant title", "project", "name of grant", "description"), required=True),
        Field("amount", "number", ("amount awarded", "value", "award", "grant amount", "amount gbp"), required=True),
        Field("start_date", "date", ("start", "planned dates:start date", "from"), required=True),
        Field("end_date", "date", ("end", "planned dates:end date", "to"), required=True),
        Field("award_date", "date", ("award date", "date awarded"), stored_as=None, in_template=False),
        Field(
            "duration_months",
            "number",
            ("planned dates:duration (months)", "duration (months)", "duration months"),
            stored_as=None,
            in_template=False,
            within=(0, 1_200),  # a grant of up to 100 years; more cannot give an end date
        ),  # the award date and the duration stand in for a missing start and end date
        Field("identifier", "text", ("grant id", "grant reference", "id"), in_template=False),  # published grants'
        Field("status", "choice", ("funding status",), choices=vocab.FUNDING_STATUS),
        Field("restricted", "choice", ("restricted?", "restricted funds"), choices=vocab.YES_NO, stored_as="BOOLEAN"),
        Field("income_type", "choice", ("type", "income source", "source"), choices=vocab.INCOME_TYPE),
        Field("activity", "text", ("project activity", "for activity")),
    ),
    key=("identifier", "funder", "title", "start_date"),  # published grants carry an identifier; own sheets may not
    noun="funding line",
    reader="funding",
    instructions="Funding: one row per grant, contract or income line. Status: secured, applied or declined (only "
    "secured income is counted).",
)

EXPENDITURE = SheetKind(
    "expenditure",
    (
        Field(
            "period_start", "date", ("month", "quarter", "period", "month starting", "period starting"), required=True
        ),
        Field("amount", "number", ("spend", "expenditure", "cost", "costs", "amount spent"), required=True),
        Field("activity", "text", ("project", "cost centre", "group")),
    ),
    key=("period_start", "activity"),
    noun="expenditure line",
    instructions="Expenditure: one row per month (or quarter) and activity; leave Activity blank for core costs.",
)

RESERVES = SheetKind(
    "reserves",
    (
        Field("date", "date", ("as at", "as at date", "balance date"), required=True),
        Field("free_reserves", "number", ("free reserves", "unrestricted reserves", "reserves"), required=True),
    ),
    key=("date",),
    noun="reserves figure",
    instructions="Reserves: free reserves (unrestricted funds freely available) on a date, e.g. each quarter end.",
)

POPULATION = SheetKind(
    "population",
    (
        Field("area", "text", ("geography", "area name", "local authority"), required=True),
        Field("dimension", "choice", ("characteristic", "variable"), required=True, choices=POPULATION_DIMENSION),
        Field("group", "text", ("category", "value"), required=True),
        Field("count", "number", ("people", "number", "population", "observation")),
        Field("share", "number", ("percent", "percentage", "proportion")),
    ),
    key=("area", "dimension", "group"),
    noun="benchmark group",
    reader="population",
    instructions="Population: optional local benchmark, e.g. Census 2021 figures for your area: a count or a share "
    "for each group.",
)

GOALS = SheetKind(
    "goals",
    (
        PARTICIPANT_ID,
        # not "goal #": without its punctuation that is "goal", the header of the goal's words (never stored)
        Field(
            "goal_number", "whole", ("goal no", "goal number", "goal id", "goal ref"), required=True, within=(1, 3)
        ),  # up to three goals per person
        Field(
            "date",
            "date",
            ("rating date", "date rated", "review date", "date of rating", "session date"),
            required=True,
        ),
        Field(
            "rating",
            "whole",
            ("goal rating", "progress", "progress rating", "goal score", "gbo rating", "gbo score", "score"),
            required=True,
            within=(0, 10),
        ),
        Field(
            "goal_area",
            "choice",
            ("area", "goal area", "goal type", "goal category", "life area"),
            choices=vocab.GOAL_AREA,
        ),
        Field("activity", "text", ("group", "service", "programme", "session")),
    ),
    key=("participant_id", "goal_number", "date"),
    noun="goal rating",
    reader="goals",
    instructions="Goals (Goal-Based Outcomes): one row per goal each time it is rated. Goal number 1, 2 or 3 (up to "
    "three goals per person); Rating 0 (no progress) to 10 (goal reached), first at the start, then at each review. "
    "Never write what the goal is: the words are not stored.",
)  # Goal-Based Outcomes: progress towards each of a person's own goals, rated 0 (none) to 10 (reached)

ACTIVITIES = SheetKind(
    "activities",
    (
        Field("activity", "text", ("activity name", "group", "service", "programme", "session"), required=True),
        Field("activity_type", "choice", ("type", "session type", "type of activity"), choices=vocab.ACTIVITY_TYPE),
        FIVE_WAYS_FIELD,
        Field(
            "peer_led",
            "choice",
            ("peer led?", "led by peers", "peer facilitated", "lived experience led"),
            choices=vocab.YES_NO,
            stored_as="BOOLEAN",
        ),
        Field("delivery", "choice", ("delivery mode", "mode", "format"), choices=vocab.DELIVERY),
    ),
    key=("activity",),
    noun="activity",
    plural="activities",
    reader="required",
    instructions="Activities: one row per activity, named as on the Attendance sheet. Ways: the Five Ways to "
    "Wellbeing it offers, one or more of Connect, Be active, Take notice, Keep learning, Give, separated by commas. "
    "Peer led: yes or no.",
)

FEEDBACK = SheetKind(
    "feedback",
    (
        Field("date", "date", ("response date", "date of response", "date completed", "survey date"), required=True),
        Field("activity", "text", ("group", "service", "programme", "session")),
        Field(
            "answer",
            "choice",
            (
                "fft",
                "fft answer",
                "fft response",
                "friends and family test",
                "overall how was your experience of our service",
                "how was your experience",
                "overall experience",
                "experience",
            ),
            required=True,
            choices=vocab.FFT,
        ),
        Field("participant_id", "id", PARTICIPANT_ID.aliases),  # optional: then linked like any other sheet
    ),
    key=("date", "activity", "participant_id", "response_number"),
    noun="feedback response",
    reader="feedback",
    instructions="Feedback (Friends and Family Test): one row per response. Answer: Very good, Good, Neither good nor "
    "poor, Poor, Very poor or Don't know (or its number, 1 to 6). Participant ID may be left blank for anonymous "
    "responses. Comments are not stored.",
    worked_out=(("response_number", "INTEGER"),),  # the nth response with the same date, activity and person
)  # the NHS Friends and Family Test

VOLUNTEERING = SheetKind(
    "volunteering",
    (
        Field("month", "month", ("month starting", "month of", "period", "date"), required=True),
        Field("activity", "text", ("group", "service", "programme", "project")),  # blank: the whole organisation
        Field(
            "volunteers",
            "whole",
            ("number of volunteers", "volunteer count", "active volunteers", "people"),
            within=(0, 100_000),
        ),
        Field(
            "hours",
            "number",
            ("volunteer hours", "hours given", "total hours", "hours volunteered"),
            required=True,
            within=(0, 10_000_000),
        ),
        Field(
            "lived_experience",
            "whole",
            ("with lived experience", "volunteers with lived experience", "lived experience volunteers"),
            within=(0, 100_000),
        ),
    ),
    key=("month", "activity"),
    noun="volunteering month",
    reader="volunteering",
    instructions="Volunteering: one row per month and activity (leave Activity blank for the whole organisation): "
    "volunteers active that month, the hours they gave, and how many of them have lived experience of mental ill "
    "health.",
)

IMD_LOOKUP = SheetKind(
    "imd_lookup",
    (
        Field("lsoa_code", "lsoa", ("LSOA code (2011)", "lsoa11cd", "lsoa code"), required=True),
        Field("imd_decile", "imd", ("Index of Multiple Deprivation (IMD) Decile", "imd decile"), required=True),
    ),
    key=("lsoa_code",),
    noun="area deprivation decile",
    in_template=False,  # loaded as the government publishes it, not typed in
)  # the English Indices of Deprivation 2019 "File 1", as the government publishes it

KINDS = {
    k.name: k
    for k in (
        PARTICIPANTS,
        ATTENDANCE,
        WELLBEING,
        GOALS,
        ACTIVITIES,
        FEEDBACK,
        VOLUNTEERING,
        FUNDING,
        EXPENDITURE,
        RESERVES,
        POPULATION,
        IMD_LOOKUP,
    )
}

_NAMED_ITEMS = {
    norm_key(f"{prefix}{item}"): (q.key, i)
    for q in INSTRUMENTS.values()
    for i, item in enumerate(q.item_names, 1)
    for prefix in ("", f"{q.name} ", *(f"{other} " for other in q.other_names))
}  # a question asked by name may head its column alone ('Happy'), or after the questionnaire's name ('ONS4 happy')
_MEASURE_KEYS = sorted(INSTRUMENTS, key=len, reverse=True)


def item_column(header: object) -> tuple[str, int | None] | None:
    """(instrument key, item number) for a wide questionnaire column; item None for a total."""
    key = norm_key(header)
    if key in _NAMED_ITEMS:
        return _NAMED_ITEMS[key]
    for measure in _MEASURE_KEYS:
        if key.startswith(measure):
            rest = key[len(measure) :]
            if rest in ("total", "score", "totalscore"):
                return measure, None
            found = re.fullmatch(r"(?:q|item|question)?(\d{1,2})", rest)
            if found and 1 <= int(found.group(1)) <= INSTRUMENTS[measure].items:
                return measure, int(found.group(1))
    return None


def long_item_column(header: object) -> int | None:
    """Item number of a long-layout column such as ``item_3`` or ``Q3``."""
    found = re.fullmatch(r"(?:item|q|question)(\d{1,2})", norm_key(header))
    return int(found.group(1)) if found else None


def mapping_targets(kind: SheetKind) -> list[str]:
    """What an unrecognised column of a sheet of this kind can be said to hold, as header titles."""
    targets = [f.title for f in kind.fields]
    if kind is WELLBEING:
        for instrument in INSTRUMENTS.values():
            targets += [f"{instrument.name} Q{i}" for i in range(1, instrument.items + 1)]
            targets.append(f"{instrument.name} total")
    return targets
