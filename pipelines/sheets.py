"""The sheets of the data contract (docs/data-contract.md): the one registry of every sheet kind, each entry with
what it holds, its template instructions and, beside it, the reader that turns its rows into records."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pipelines import cells, vocab, words
from pipelines.dimensions import BY_KEY, POPULATION_DIMENSION
from pipelines.fields import Field
from pipelines.measures import INSTRUMENTS, QUESTIONNAIRES
from pipelines.periods import add_months
from pipelines.rows import Column, Record, Rows, Sheet, SheetKind, clean_records, read_required
from pipelines.wellbeing import read_wellbeing


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
    "ways",
    "ways",
    ("five ways", "five ways to wellbeing", "ways to wellbeing", "5 ways", "way to wellbeing"),
    choices=vocab.FIVE_WAYS,
)  # one or more of the Five Ways, e.g. 'Connect; Be active'


def _read_participants(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    for number, _, record in clean_records(sheet, columns, rows):
        band = record.pop("age_from_years", None)
        record["age_band"] = record.get("age_band") if record.get("age_band") not in (None, vocab.NOT_KNOWN) else None
        record["age_band"] = record["age_band"] or band or vocab.NOT_KNOWN
        for name in ("gender", "disability", "sexual_orientation", "ethnicity", "ethnicity_group", "referral_source"):
            record[name] = record.get(name) or vocab.NOT_KNOWN
        sheet.records.append({"source_row": number, **record})


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
    reader=_read_participants,
    instructions="Participants: one row per person. Age band, or put an 'Age' column with age in years instead. "
    "Blank means not known.",
)


def _read_attendance(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    has_attended = any(c.field and c.field.name == "attended" for c in columns)
    required = ("session_date", "activity", "attended") if has_attended else ("session_date", "activity")
    for number, _, record in clean_records(sheet, columns, rows, required):
        if not has_attended:
            record["attended"] = "attended"
        sheet.records.append({"source_row": number, **record})
    if not has_attended and sheet.records:
        sheet.notes.append(
            f"Sheet {sheet.sheet or sheet.file!r} has no 'Attended' column, so every row counts as an attended "
            "session. If a column says who attended, choose it as 'Attended'."
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
    reader=_read_attendance,
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
    reader=read_wellbeing,
    instructions=questionnaire_instructions(),
    worked_out=(("score", "DOUBLE"), ("items", "DOUBLE[]"), ("missing_items", "INTEGER"), ("derived", "BOOLEAN")),
)

FUNDING_NOTES = {  # (said of one line, said of several)
    "award_as_start": ("had no start date, so the award date was taken as the start.",) * 2,
    "default_end": (
        "had no end date: it ends after its duration in months, or 12 months after the start where no duration is "
        "given.",
        "had no end date: each ends after its duration in months, or 12 months after the start where no duration is "
        "given.",
    ),
    "published_end_before_start": (
        "is a published grant whose end date is before its start date: the end date was ignored and worked out "
        "from the duration (or 12 months) instead.",
        "are published grants whose end date is before their start date: the end date was ignored and worked out "
        "from the duration (or 12 months) instead.",
    ),
    "first_report_default": (
        "gives how often reports are due but not when the first is: its first report is taken as due on the last "
        "day of the grant's first reporting period.",
        "give how often reports are due but not when the first is: each first report is taken as due on the last "
        "day of the grant's first reporting period.",
    ),
}


def _read_funding(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    noted: Counter[str] = Counter()
    named = {c.field.name: c for c in columns if c.field is not None}
    for number, _, record in clean_records(sheet, columns, rows, ("funder", "title", "amount")):
        if record["amount"] < 0:
            sheet.problem(number, "Expected an amount of 0 or more, in pounds.", named.get("amount"), record["amount"])
            continue
        dates = _grant_dates(record)
        if isinstance(dates, str):
            column = named.get("end_date") if dates == "end_before_start" else named.get("start_date")
            value = record.get("end_date") if dates == "end_before_start" else None
            sheet.problem(number, _DATE_PROBLEMS[dates], column, value)
            continue
        start, end, how = dates
        if early := _reports_before(record, start):
            sheet.problem(
                number,
                "Expected report dates on or after the grant's start date: each report covers the time since the "
                "previous one or the start.",
                named.get("reports_due" if early in (record.get("reports_due") or ()) else "first_report_due"),
                f"starts {start:%d/%m/%Y}, a report due {early:%d/%m/%Y}",
            )
            continue
        noted.update(how)
        if record.get("reporting_frequency") and not record.get("first_report_due"):
            record["first_report_due"] = first_report_due(start, record["reporting_frequency"])
            noted.update(["first_report_default"])
        for name in ("award_date", "duration_months"):
            record.pop(name, None)
        record |= {
            "start_date": start,
            "end_date": end,
            "status": record.get("status") or "secured",
            "income_type": record.get("income_type") or "grant",
            "restricted": record.get("restricted") == "yes",
        }
        sheet.records.append({"source_row": number, **record})
    sheet.notes += [
        f"{words.counted(count, 'funding line')} {FUNDING_NOTES[key][count != 1]}" for key, count in noted.items()
    ]


_DATE_PROBLEMS = {
    "no_start": "Expected a start date (or an award date) for the grant or contract.",
    "end_before_start": "Expected an end date on or after the start date.",
}


def first_report_due(start: dt.date, frequency: str) -> dt.date:
    """The first report of a grant that gives only its reporting frequency: due on the last day of its first
    reporting period (a quarterly grant starting 1 April 2025 reports first on 30 June 2025)."""
    return add_months(start, vocab.REPORT_MONTHS[frequency]) - dt.timedelta(days=1)


def _reports_before(record: Record, start: dt.date) -> dt.date | None:
    """The earliest report date given that falls before the grant's start, if any."""
    given = [*(record.get("reports_due") or ()), *filter(None, [record.get("first_report_due")])]
    return min((day for day in given if day < start), default=None)


def _grant_dates(record: Record) -> tuple[dt.date, dt.date, list[str]] | str:
    """Start and end as docs/data-contract.md#funding says (with the FUNDING_NOTES keys applied), or what makes them
    impossible: a key of _DATE_PROBLEMS.

    A published 360Giving grant (identifier '360G-…') whose end is before its start is the publisher's slip,
    which a charity cannot correct: its end is worked out as if missing. A charity's own sheet must be fixed.
    """
    how = []
    start = record.get("start_date")
    if start is None:
        start = record.get("award_date")
        how.append("award_as_start")
    if start is None:
        return "no_start"
    end = record.get("end_date")
    if end is not None and end < start and str(record.get("identifier") or "").startswith("360G-"):
        end = None
        how.append("published_end_before_start")
    if end is None:
        end = add_months(start, int(record.get("duration_months") or 12)) - dt.timedelta(days=1)
        how.append("default_end")
    return (start, end, how) if end >= start else "end_before_start"


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
        Field("reports_due", "dates", ("reports due", "report dates", "reporting dates", "report due dates")),
        Field(
            "reporting_frequency",
            "choice",
            ("report frequency", "frequency of reports", "how often reports are due"),
            choices=vocab.REPORTING_FREQUENCY,
        ),
        Field("first_report_due", "date", ("first report", "first report date", "first report due date")),
    ),  # when the funder expects reports: a list of dates, or how often from the first (pipelines/reporting.py)
    key=("identifier", "funder", "title", "start_date"),  # published grants carry an identifier; own sheets may not
    noun="funding line",
    reader=_read_funding,
    instructions="Funding: one row per grant, contract or income line. Status: secured, applied or declined (only "
    "secured income is counted). Reports due: the dates the funder expects a report, separated by semicolons "
    "(e.g. 31/07/2025; 31/01/2026); or a Reporting frequency (quarterly, six-monthly or annually) with the First "
    "report due. Each report covers the time since the previous one, or since the grant's start.",
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


def population_group(dimension: str, raw: object) -> str | None:
    """A benchmark group in the labels the dashboard uses (e.g. 'Female' is 'Woman'), or None if unknown."""
    vocabulary = BY_KEY[dimension].vocabulary
    if vocabulary is None:  # the IMD quintile, a number
        text = cells.text(raw)
        return text if text in BY_KEY[dimension].ordered else None
    return None if cells.is_blank(raw) else vocabulary.match(raw)


def _groups_accepted(dimension: str) -> str:
    vocabulary = BY_KEY[dimension].vocabulary
    return vocabulary.accepted if vocabulary else "1 (most deprived) to 5"


def _read_population(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    read_required(sheet, columns, rows)
    for record in sheet.records:
        group = population_group(record["dimension"], record["group"])
        if group is None:
            sheet.problem(
                record["source_row"],
                f"Expected one of the groups for {record['dimension']}: {_groups_accepted(record['dimension'])}.",
                value=record["group"],
            )
        record["group"] = group
        if record.get("count") is None and record.get("share") is None:
            sheet.problem(record["source_row"], "Expected a count or a share for each group.")


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
    reader=_read_population,
    instructions="Population: optional local benchmark, e.g. Census 2021 figures for your area: a count or a share "
    "for each group.",
)


def _note_free_text(sheet: Sheet, held: str) -> None:
    """Say that the columns of words beside ratings or answers were left out on purpose, as they hold ``held``."""
    if sheet.ignored_columns:
        names = ", ".join(repr(h) for h in sheet.ignored_columns)
        hold = "holds" if len(sheet.ignored_columns) == 1 else "hold"
        sheet.notes.append(f"In sheet {sheet.sheet or sheet.file!r}, {names} {hold} {held}.")


def _read_goals(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    read_required(sheet, columns, rows)
    _note_free_text(
        sheet, "what a goal is in words, which is never stored (it may identify the person); the ratings were read"
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
    reader=_read_goals,
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
    instructions="Activities: one row per activity, named as on the Attendance sheet. Ways: the Five Ways to "
    "Wellbeing it offers, one or more of Connect, Be active, Take notice, Keep learning, Give, separated by commas. "
    "Peer led: yes or no.",
)


def _read_feedback(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    """Each response is kept: several people can give the same answer about the same activity on one day."""
    read_required(sheet, columns, rows)
    seen: Counter[tuple] = Counter()
    for record in sheet.records:
        same = (record["date"], record.get("activity"), record.get("participant_id"))
        seen[same] += 1
        record["response_number"] = seen[same]
    _note_free_text(sheet, "comments in words, which are never stored (they often name people); the answers were read")


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
    reader=_read_feedback,
    instructions="Feedback (Friends and Family Test): one row per response. Answer: Very good, Good, Neither good nor "
    "poor, Poor, Very poor or Don't know (or its number, 1 to 6). Participant ID may be left blank for anonymous "
    "responses. Comments are not stored.",
    worked_out=(("response_number", "INTEGER"),),  # the nth response with the same date, activity and person
)  # the NHS Friends and Family Test


def _read_volunteering(sheet: Sheet, columns: list[Column], rows: Rows) -> None:
    read_required(sheet, columns, rows)
    column = next((c for c in columns if c.field and c.field.name == "lived_experience"), None)
    for record in list(sheet.records):
        lived, volunteers = record.get("lived_experience"), record.get("volunteers")
        if lived is not None and volunteers is not None and lived > volunteers:
            sheet.problem(
                record["source_row"],
                f"Expected at most the number of volunteers ({volunteers}) to have lived experience.",
                column,
                lived,
            )
            sheet.records.remove(record)


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
    reader=_read_volunteering,
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


def mapping_targets(kind: SheetKind) -> list[str]:
    """What an unrecognised column of a sheet of this kind can be said to hold, as header titles."""
    targets = [f.title for f in kind.fields]
    if kind is WELLBEING:
        for instrument in INSTRUMENTS.values():
            targets += [f"{instrument.name} Q{i}" for i in range(1, instrument.items + 1)]
            targets.append(f"{instrument.name} total")
    return targets
