"""Deterministic bundled sample: eight quarterly returns (April 2024 to March 2026) of Brightside Mind, a fictional
local mental-health charity, with the messiness of real returns. Every person, reference and figure is invented.

Besides people, sessions, questionnaires and money, the returns carry the charity's list of activities (with their
Five Ways to Wellbeing), goal ratings, Friends and Family Test feedback and volunteering, drawn from a random stream
of their own so that adding them left every other figure as it was."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from pipelines import measures, vocab
from pipelines.measures import INSTRUMENTS, ONS4
from pipelines.periods import add_months
from pipelines.rows import Sheet
from pipelines.sheets import KINDS
from pipelines.spreadsheet import xlsx_bytes
from pipelines.validate import read_sheet
from pipelines.workbook import read_grids

FIRST_DAY, LAST_DAY = date(2024, 4, 1), date(2026, 3, 31)
SAVED_AT = datetime(2026, 4, 1)
BANK_HOLIDAYS = frozenset(
    date.fromisoformat(d)
    for d in (
        "2024-05-06", "2024-05-27", "2024-08-26", "2025-04-18", "2025-04-21",
        "2025-05-05", "2025-05-26", "2025-08-25",
    )
)  # fmt: skip

# Which quarters (0 = 2024-25 Q1 ... 7 = 2025-26 Q4) carry each kind of mess that real returns have.
MESS = {
    "title_rows": (1, 3, 5, 7),
    "second_title_row": (3,),
    "uk_dates": (1, 3, 5, 7),
    "age_in_years": (1, 4),
    "nhs_ethnicity_codes": (2,),
    "answers_as_words": (2, 5),
    "shuffled_columns": (2, 5, 7),
    "total_row": (3,),
    "notes_and_comments": (4,),
    "sexual_orientation": (4, 5, 6, 7),
    "blank_rows": (1, 5, 6),
    "numeric_ids": (6,),  # a new case system numbers people first seen from this quarter; this export stores numbers
    "wemwbs_total": (6,),
    "goal_words": (4,),  # a column saying what each goal is, in the person's words: never stored
    "feedback_comments": (4, 5),
    "fft_codes": (6,),  # the new case system exports Friends and Family Test answers as NHS England's codes 1-6
}
NUMERIC_IDS_FROM = MESS["numeric_ids"][0]


@dataclass(frozen=True)
class Activity:
    name: str
    kind: str
    schedule: str  # weekly, fortnightly, course (6-week blocks) or appointments
    weekday: int  # 0 = Monday; appointments follow the day a person is ready
    minutes: int
    measures: tuple[str, ...]
    weight: int  # relative share of people starting here
    cost: int  # monthly direct cost, £
    venue: str = "Brightside Centre, Dudley"
    delivery: tuple[str, ...] = ("in person",)
    length: tuple[int, int] = (0, 0)  # appointments: planned number of sessions
    audience: tuple[str, ...] = ()  # only people with one of these genders or age bands


ACTIVITIES = (
    Activity("Tuesday peer support group", "peer support", "weekly", 1, 120, ("wemwbs",), 10, 1600),
    Activity("Men's walk and talk", "peer support", "weekly", 2, 90, ("wemwbs",), 6, 900, "Priory Park, Dudley",
             audience=("Man",)),
    Activity("Hearing Voices group", "peer support", "weekly", 3, 90, ("wemwbs",), 5, 1100),
    Activity("Wellbeing course: Managing anxiety", "course", "course", 0, 120, ("wemwbs",), 12, 2200,
             "Dudley Library"),
    Activity("Five Ways to Wellbeing course", "course", "course", 3, 120, ("wemwbs",), 10, 1800,
             "Tipton Community Hub"),
    Activity("1:1 recovery support", "one-to-one", "appointments", 0, 60, ("core10",), 12, 5500, length=(4, 20)),
    Activity("Counselling", "one-to-one", "appointments", 0, 50, ("core10",), 14, 5000,
             delivery=("phone", "online"), length=(6, 10)),
    Activity("Friday drop-in", "drop-in", "weekly", 4, 180, ("swemwbs",), 11, 1900),
    Activity("Creative arts group", "social", "weekly", 2, 120, ("wemwbs", "ons4"), 8, 1400),
    Activity("Allotment group", "social", "weekly", 0, 150, ("wemwbs", "ons4"), 6, 1000, "Netherton allotments"),
    Activity("Young people's online group", "peer support", "weekly", 3, 90, ("swemwbs",), 5, 1500,
             delivery=("online",), audience=("16-17", "18-24")),
    Activity("Carers' support group", "peer support", "fortnightly", 2, 120, ("wemwbs",), 5, 800,
             "Halesowen Community Centre"),
)  # fmt: skip
CORE_COST = 8800

# The activity list: each activity's Five Ways to Wellbeing as the charity writes them, and whether peers lead it.
ACTIVITY_LIST = {
    "Tuesday peer support group": ("Connect, Give", "Yes"),
    "Men's walk and talk": ("Connect; Be active; Take notice", "Yes"),
    "Hearing Voices group": ("Connect, Give", "Yes"),
    "Wellbeing course: Managing anxiety": ("Keep learning, Take notice", "No"),
    "Five Ways to Wellbeing course": ("Connect, Be active, Take notice, Keep learning, Give", "No"),
    "1:1 recovery support": ("Connect, Keep learning", "No"),
    "Counselling": (None, "No"),
    "Friday drop-in": ("Connect", "No"),
    "Creative arts group": ("Connect, Take notice, Keep learning", "No"),
    "Allotment group": ("Connect, Be active, Take notice and Give", "No"),
    "Young people's online group": ("Connect", "Yes"),
    "Carers' support group": ("Connect / Take notice", "Yes"),
}

# Goal-Based Outcomes: the activities whose people set goals, with the share who do and the mean rise of a goal's
# rating (0-10) by their last session: one-to-one support helps people further towards their goals than a course.
GOAL_SETTING = {"1:1 recovery support": (1.0, 3.8), "Counselling": (0.4, 3.0),
                "Wellbeing course: Managing anxiety": (0.5, 1.4)}  # fmt: skip
GOALS_PER_PERSON = {1: 3, 2: 4, 3: 3}
GOAL_START, GOAL_SPREAD, GOAL_NOISE = (2.8, 1.4), 2.0, 0.7  # first rating mean and sd; sd of the rise; of a rating
REVIEW_EVERY, LATE_GOAL, MISSED_REVIEW, NO_GOAL_AREA = 6, 0.05, 0.08, 0.03
GOAL_AREAS = {"Managing mood": 30, "Relationships": 18, "Daily living": 15, "Work or learning": 12,
              "Physical health": 12, "Housing or money": 8, "Other": 5}  # fmt: skip
SHORT_GOAL_AREAS = {"Managing mood": "Mood", "Work or learning": "Work", "Housing or money": "Money",
                    "Physical health": "Physical", "Daily living": "Routine"}  # fmt: skip
GOAL_WORDS = {
    "Managing mood": ("Notice when my mood starts to dip", "Feel calmer on the bus", "Manage panic when shopping"),
    "Relationships": ("See my sister more often", "Make a friend at the group", "Talk to my partner about how I feel"),
    "Daily living": ("Keep a morning routine", "Cook a proper meal twice a week", "Open my post every day"),
    "Work or learning": ("Apply for a college course", "Go back to work part time", "Start volunteering"),
    "Physical health": ("Sleep through the night", "Walk for 20 minutes a day", "Cut down on energy drinks"),
    "Housing or money": ("Sort out my benefits", "Make a plan for my rent arrears", "Keep to a weekly budget"),
    "Other": ("Take my driving theory test", "Get back into playing guitar"),
}

# The Friends and Family Test: a response card after some sessions, mostly anonymous. Weights in vocab.FFT's order
# (Very good ... Don't know); from July to September 2025 groups kept moving rooms while the centre was refurbished.
FEEDBACK_RATE, FEEDBACK_NAMED, FEEDBACK_COMMENTED = 0.06, 0.2, 0.35
FFT_WEIGHTS, FFT_DIP_WEIGHTS, FFT_DIP_QUARTER = (60, 27, 5, 3, 1, 4), (34, 30, 12, 12, 6, 6), 5
FFT_COMMENTS = {
    "Very good": ("Friendly and welcoming", "Helped me feel less alone", "The facilitator really listens"),
    "Good": ("Good group, thank you", "Useful tips to take home", "Would like longer sessions"),
    "Neither good nor poor": ("The room was cold", "Hard to get a word in"),
    "Poor": ("Sessions kept moving rooms", "Too noisy in the new room"),
    "Very poor": ("Nobody told me the room had changed",),
    "Don't know": ("First time here",),
}

# Volunteers per activity (None: the whole organisation, such as trustees, reception and events) in April 2024, the
# hours each gives a month, and the share with lived experience of mental ill health. Volunteering grows by half over
# the two years, and four new volunteer counsellors start in May 2025.
VOLUNTEER_ROLES = {
    "Tuesday peer support group": (4, 8, 0.75),
    "Men's walk and talk": (2, 6, 0.5),
    "Hearing Voices group": (2, 6, 0.9),
    "Counselling": (4, 14, 0.25),
    "Friday drop-in": (5, 10, 0.6),
    "Creative arts group": (2, 8, 0.5),
    "Allotment group": (3, 10, 0.35),
    None: (9, 4, 0.3),
}
VOLUNTEER_GROWTH, NEW_COUNSELLORS, SUMMER_HOURS = 0.5, (date(2025, 5, 1), 4), 0.6
REMOTE_VENUES = {"online": "Online (Zoom)", "phone": "Telephone"}
ARRIVALS = (195, 85, 100, 105, 90, 78, 104, 96)  # people referred in each quarter
CASELOAD_FROM = date(2023, 7, 1)  # the first quarter also brings the people already referred
SECOND_ACTIVITY, NO_SHOW, DROP_OUT, REVIEW_DAYS = 0.45, 0.05, 0.25, 84
MISSED = {False: (5, 1, 4), True: (8, 2, 0)}  # weights of DNA, cancelled, no row; True for appointments
BASELINE_DONE, FOLLOW_UP_DONE, MISSING_ITEM = 0.97, 0.78, 0.01
# Per score (per question for ONS4): baseline mean and sd, change by a follow-up mean and sd.
SCALES = {
    "wemwbs": ((40, 8, 4.5, 6.5),),
    "swemwbs": ((19.5, 4, 3, 3.5),),
    "core10": ((18, 7, -5.5, 6),),
    "ons4": ((4.8, 2.2, 0.9, 1.5), (5.5, 2.1, 0.7, 1.5), (4.7, 2.3, 0.9, 1.6), (5.9, 2.5, -0.8, 1.8)),
}
YIELDS = {"wemwbs": ("wemwbs", "swemwbs")}  # a WEMWBS questionnaire also gives a SWEMWBS score
ITEM_NAMES = {"wemwbs": "WEMWBS", "swemwbs": "SWEMWBS", "core10": "CORE-10"}

AGE_WEIGHTS = dict(zip(vocab.AGE_BANDS, (3, 14, 20, 19, 18, 14, 8, 4), strict=True))
GENDERS = {"Woman": 57, "Man": 38, "Non-binary": 2, "Other": 0.5, vocab.PREFER_NOT: 1.5}
GENDER_STYLES = ({}, {"Woman": "Female", "Man": "Male"}, {"Woman": "F", "Man": "M"})
# Roughly a West Midlands town; weights in vocab.ETHNICITY_DETAILED order, then blank and prefer not to say.
ETHNICITIES = dict(
    zip(
        (*vocab.ETHNICITY_DETAILED, None, vocab.PREFER_NOT),
        (1.5, 0.5, 4.5, 4.5, 1, 2, 2.5, 0.5, 1, 0.7, 1.8, 0.5, 67, 1, 0.5, 0.3, 5.5, 0.6, 1.4, 2, 1.5),
        strict=True,
    )
)
NHS_CODES = {label: code for code, label in vocab.NHS_ETHNIC_CODES.items()}
DISABILITIES = {"Yes": 30, "No": 58, vocab.PREFER_NOT: 4, None: 8}
ORIENTATIONS = {"Straight or heterosexual": 58, "Gay or lesbian": 4, "Bisexual": 5, "Other sexual orientation": 1,
                vocab.PREFER_NOT: 6, None: 26}  # fmt: skip
REFERRALS = {"GP": 30, "Self-referral": 30, "NHS Talking Therapies": 12, "Social prescriber": 15,
             "Community mental health team": 8, "Other": 5}  # fmt: skip
DISTRICTS = {True: ("DY1", "DY2", "DY4", "WV14", "B70", "B69"), False: ("DY3", "DY5", "DY6", "DY8", "B62", "B63")}
DECILES = {True: (28, 24, 16, 12, 8, 5, 3, 2, 1, 1), False: (6, 8, 9, 10, 11, 12, 12, 12, 10, 10)}
STATUSES = ("attended", "did not attend", "cancelled")
STATUS_WORDS = (("Yes", "No", "Cancelled"), ("Attended", "DNA", "Cancelled"), ("Y", "did not attend", "Cancelled"))
COMMENTS = ("arrived late", "left early", "first session", "returning after a break", "transport problems",
            "brought own materials", "session moved to the small room")  # fmt: skip
NOTES = (
    "Notes on this return",
    "Figures exported from the case management system at the start of July 2025.",
    "Counselling waiting list reopened in May after the new volunteer counsellors finished induction.",
    "Wellbeing questionnaires are offered at the first session and at review; some people decline.",
    "No personal details are included: people are identified by their reference only.",
)

# funder, title, amount, start, end, restricted, income type, activity, status in the 2024-25 and 2025-26 lists
FUNDING_FIELDS = ("funder", "title", "amount", "start_date", "end_date", "restricted", "income_type", "activity")
FUNDING_LINES = (
    ("National Lottery Community Fund", "Reaching Communities: peer support across Dudley", 240000, "2023-10-01",
     "2026-09-30", "Yes", "grant", "Tuesday peer support group", ("secured", "secured")),
    ("Black Country ICB", "Community recovery support 2024-25", 85000, "2024-04-01", "2025-03-31", "Yes", "contract",
     "1:1 recovery support", ("secured", "secured")),
    ("Black Country ICB", "Community recovery support 2025-26", 85000, "2025-04-01", "2026-03-31", "Yes", "contract",
     "1:1 recovery support", (None, "secured")),
    ("Dudley Council", "Wellbeing courses 2024-26", 100000, "2024-04-01", "2026-03-31", "Yes", "contract",
     "Wellbeing course: Managing anxiety", ("secured", "secured")),
    ("Dudley Council", "Men's mental health: walk and talk", 24000, "2025-01-01", "2026-12-31", "Yes", "grant",
     "Men's walk and talk", ("applied", "secured")),
    ("Henry Smith Charity", "Improving Lives: counselling service", 105000, "2024-01-01", "2026-12-31", "Yes", "grant",
     "Counselling", ("secured", "secured")),
    ("Lloyds Bank Foundation", "Invest: core funding", 75000, "2023-07-01", "2026-06-30", "No", "grant", None,
     ("secured", "secured")),
    ("BBC Children in Need", "Young people's online group", 28500, "2024-09-01", "2027-08-31", "Yes", "grant",
     "Young people's online group", ("secured", "secured")),
    ("Heart of England Community Foundation", "Creative arts tutor and materials", 9800, "2024-06-01", "2025-05-31",
     "Yes", "grant", "Creative arts group", ("secured", "secured")),
    ("Comic Relief", "Community mental health fund", 50000, "2025-04-01", "2027-03-31", "No", "grant", None,
     ("declined", "declined")),
    ("Postcode Local Trust", "Allotment group", 20000, "2025-06-01", "2026-05-31", "Yes", "grant", "Allotment group",
     (None, "secured")),
    ("The Tudor Trust", "Core costs and carers' support", 90000, "2025-10-01", "2028-09-30", "No", "grant", None,
     (None, "secured")),
    ("Garfield Weston Foundation", "Core costs 2026-28", 60000, "2026-04-01", "2028-03-31", "No", "grant", None,
     (None, "applied")),
    ("Individual donors", "Donations 2024-25", 21000, "2024-04-01", "2025-03-31", "No", "donation", None,
     ("secured", "secured")),
    ("Individual donors", "Donations 2025-26", 23000, "2025-04-01", "2026-03-31", "No", "donation", None,
     (None, "secured")),
    ("Community fundraising", "Events and sponsored walks 2024-25", 26000, "2024-04-01", "2025-03-31", "No",
     "fundraising", None, ("secured", "secured")),
    ("Community fundraising", "Events and sponsored walks 2025-26", 28000, "2025-04-01", "2026-03-31", "No",
     "fundraising", None, (None, "secured")),
    ("Workplace training clients", "Mental health awareness training 2024-25", 14000, "2024-04-01", "2025-03-31",
     "No", "trading", None, ("secured", "secured")),
    ("Workplace training clients", "Mental health awareness training 2025-26", 15000, "2025-04-01", "2026-03-31",
     "No", "trading", None, (None, "secured")),
)  # fmt: skip

# How each grant's or contract's funder expects reports, drawn from a stream of its own (reporting_plans): a list of
# dates some weeks after each year of the grant, or a frequency with the first report due some weeks after the
# first period. Donations, fundraising and trading are reported to no one.
REPORTED = ("grant", "contract")
REPORT_FORMS = {"list": 2, "quarterly": 2, "six-monthly": 2, "annually": 1}
REPORT_LAG_DAYS = (0, 42)  # how long after a period's end a funder gives for its report

ID_HEADERS = ("Participant ID", "Client ID", "participant_id", "Service user ID")
HEADERS = {
    "participants": {
        "participant_id": ID_HEADERS, "age_band": ("Age band", "Age group"), "age": ("Age",),
        "gender": ("Gender", "Gender identity", "gender"), "ethnicity": ("Ethnicity", "Ethnic group"),
        "disability": ("Disability", "Disabled?"), "sexual_orientation": ("Sexual orientation", "Sexuality"),
        "referral_source": ("Referral source", "Referred by", "referral_source"),
        "first_contact": ("First contact", "Date of first contact", "Referral date"),
        "imd_decile": ("IMD decile", "IMD", "imd_decile"),
        "postcode_district": ("Postcode district", "Post code district"),
    },
    "attendance": {
        "participant_id": ID_HEADERS, "session_date": ("Session date", "Date", "Date of session"),
        "activity": ("Activity", "Group", "Session"), "activity_type": ("Activity type", "Type"),
        "delivery": ("Delivery", "Mode"), "venue": ("Venue", "Location"), "minutes": ("Minutes", "Duration", "Mins"),
        "attended": ("Attended", "Attended?", "Attendance", "Status"), "comments": ("Comments",),
    },
    "wellbeing": {"participant_id": ID_HEADERS, "date": ("Date", "Date completed", "Questionnaire date"),
                  "activity": ("Activity", "Group", "Service"), "wemwbs_total": ("WEMWBS total",)},
    "funding": {
        "funder": ("Funder", "Funder name"), "title": ("Title", "Grant title"), "amount": ("Amount", "Amount (GBP)"),
        "start_date": ("Start date", "Start"), "end_date": ("End date", "End"), "status": ("Status", "Funding status"),
        "restricted": ("Restricted", "Restricted?"), "income_type": ("Income type", "Type"),
        "activity": ("Activity", "For activity"), "reports_due": ("Reports due", "Report dates"),
        "reporting_frequency": ("Reporting frequency", "Report frequency"),
        "first_report_due": ("First report due", "First report date"),
    },
    "expenditure": {"period_start": ("Month", "Period start"), "activity": ("Activity", "Cost centre"),
                    "amount": ("Amount", "Spend")},
    "reserves": {"date": ("Date", "As at"), "free_reserves": ("Free reserves", "Unrestricted reserves")},
    "activities": {"activity": ("Activity", "Activity name", "Activity"),
                   "activity_type": ("Type", "Activity type", "Type"),
                   "ways": ("Five ways", "Five Ways to Wellbeing", "Ways"),
                   "peer_led": ("Peer led", "Peer-led?", "Peer led"), "delivery": ("Delivery", "Mode", "Delivery")},
    "goals": {"participant_id": ID_HEADERS, "goal_number": ("Goal number", "Goal no"),
              "date": ("Date", "Review date", "Rating date"), "rating": ("Rating", "Goal rating", "Progress rating"),
              "goal_area": ("Goal area", "Area"), "activity": ("Service", "Activity"), "goal": ("Goal",)},
    "feedback": {"date": ("Date", "Response date"), "activity": ("Activity", "Service", "Group"),
                 "answer": ("FFT answer", "Overall, how was your experience of our service?", "FFT response"),
                 "participant_id": ID_HEADERS, "comments": ("Comments", "Any comments?")},
    "volunteering": {"month": ("Month", "Month starting"), "activity": ("Activity", "Project"),
                     "volunteers": ("Volunteers", "Number of volunteers"), "hours": ("Hours", "Volunteer hours"),
                     "lived_experience": ("Lived experience", "With lived experience")},
}  # fmt: skip
SHEET_NAMES = {
    "participants": ("Participants", "New participants"),
    "attendance": ("Attendance", "Attendance register"),
    "wellbeing": ("Wellbeing", "Outcomes"),
    "funding": ("Funding", "Funding"),
    "expenditure": ("Expenditure", "Spend"),
    "reserves": ("Reserves", "Reserves"),
    "activities": ("Activities", "Activity list"),
    "goals": ("Goals", "Goal ratings"),
    "feedback": ("Feedback", "FFT"),
    "volunteering": ("Volunteering", "Volunteers"),
}


def quarter_start(index: int) -> date:
    months = FIRST_DAY.month - 1 + 3 * index
    return date(FIRST_DAY.year + months // 12, months % 12 + 1, 1)


@dataclass(frozen=True)
class Quarter:
    index: int

    @property
    def start(self) -> date:
        return quarter_start(self.index)

    @property
    def end(self) -> date:
        return quarter_start(self.index + 1) - timedelta(1)

    @property
    def label(self) -> str:
        year = FIRST_DAY.year + self.index // 4
        return f"{year}-{(year + 1) % 100:02d}_Q{self.index % 4 + 1}"

    def has(self, mess: str) -> bool:
        return self.index in MESS[mess]


QUARTERS = tuple(Quarter(i) for i in range(8))


@dataclass(frozen=True)
class Visit:
    day: date
    activity: Activity
    status: str
    delivery: str


@dataclass(frozen=True)
class Questionnaire:
    day: date
    activity: str
    answers: dict[str, list[int | None]]


@dataclass
class Person:
    profile: dict[str, object]
    referred: date
    ref: str | int = ""
    visits: list[Visit] = field(default_factory=list)
    reviews: list[tuple[date, Activity]] = field(default_factory=list)
    questionnaires: list[Questionnaire] = field(default_factory=list)
    latent: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)

    @property
    def first_seen(self) -> date:
        return min(v.day for v in self.visits)

    def ref_in(self, q: Quarter) -> str | int:
        return self.ref if q.has("numeric_ids") else str(self.ref)


def pick(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def clamp(value: float, low: float, high: float) -> int:
    return int(min(high, max(low, round(value))))


def is_open(day: date) -> bool:
    christmas = (day.month == 12 and day.day >= 23) or (day.month == 1 and day.day <= 2)
    return day not in BANK_HOLIDAYS and not christmas and day <= LAST_DAY


def weekly(weekday: int, every: int = 1) -> list[date]:
    """Open days on a weekday across the two years, less a summer break in early August."""
    first = FIRST_DAY + timedelta((weekday - FIRST_DAY.weekday()) % 7)
    days = (first + timedelta(7 * i) for i in range(0, 106, every))
    return [d for d in days if is_open(d) and not (d.month == 8 and d.day <= 14)]


def timetable(activity: Activity) -> list[list[date]]:
    """Sessions in booking blocks: one block for an open group, 6-week blocks with 2-week gaps for a course."""
    days = weekly(activity.weekday, 2 if activity.schedule == "fortnightly" else 1)
    if activity.schedule != "course":
        return [days]
    days = [d for d in days if d.month != 8]
    return [days[i : i + 6] for i in range(0, len(days) - 5, 8)]


def appointments(ready: date, count: int) -> list[date]:
    """Weekly appointments from the first weekday on or after ``ready``, skipping closed days."""
    start = ready + timedelta(7 - ready.weekday() if ready.weekday() > 4 else 0)
    return [d for d in (start + timedelta(7 * i) for i in range(count * 2)) if is_open(d)][:count]


def engagement(rng: random.Random) -> int:
    """How many sessions of a group a person stays for: many 1-5, some a year or more."""
    low, high = rng.choices(((1, 3), (4, 8), (9, 30), (31, 104)), weights=(18, 18, 24, 40))[0]
    return rng.randint(low, high)


def make_profile(rng: random.Random) -> dict[str, object]:
    band = str(pick(rng, AGE_WEIGHTS))
    deprived = rng.random() < 0.55
    return {
        "age_band": band,
        "age": rng.randint(int(band[:2]), int(band[3:]) if "-" in band else 89),
        "gender": pick(rng, GENDERS),
        "ethnicity": pick(rng, ETHNICITIES),
        "disability": pick(rng, DISABILITIES),
        "sexual_orientation": pick(rng, ORIENTATIONS),
        "referral_source": pick(rng, REFERRALS),
        "imd_decile": rng.choices(range(1, 11), weights=DECILES[deprived])[0],
        "postcode_district": rng.choice(DISTRICTS[deprived]),
    }


def choose_activity(rng: random.Random, profile: dict[str, object], exclude: Activity | None = None) -> Activity:
    options = [
        a
        for a in ACTIVITIES
        if a is not exclude and (not a.audience or {profile["gender"], profile["age_band"]} & set(a.audience))
    ]
    return rng.choices(options, weights=[a.weight * (4 if a.audience else 1) for a in options])[0]


def spread(rng: random.Random, total: int, inst: measures.Questionnaire) -> list[int | None]:
    """Item answers on the instrument's scale that add up to ``total``."""
    items = [clamp(total / inst.items + rng.gauss(0, 0.8), inst.low, inst.high) for _ in range(inst.items)]
    while (gap := total - sum(items)) != 0:
        step = 1 if gap > 0 else -1
        items[rng.choice([i for i, v in enumerate(items) if inst.low <= v + step <= inst.high])] += step
    return list(items)


class Simulation:
    """People referred over two years, their sessions and their questionnaires."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.timetable = {a.name: timetable(a) for a in ACTIVITIES if a.schedule != "appointments"}
        self.people: list[Person] = []

    def add_person(self, referred: date) -> None:
        rng = self.rng
        person = Person(make_profile(rng), referred)
        first = choose_activity(rng, person.profile)
        wait = rng.randint(14, 60) if first.name == "Counselling" else rng.randint(0, 21)
        self.enrol(person, first, referred + timedelta(wait))
        if rng.random() < SECOND_ACTIVITY:
            self.enrol(person, choose_activity(rng, person.profile, first), referred + timedelta(rng.randint(30, 240)))
        if person.visits:
            self.fill_in(person)
            self.people.append(person)

    def bookings(self, activity: Activity, ready: date) -> tuple[list[date], bool]:
        """Sessions a person is booked into, and whether they finish as planned (or leave a group) in the data."""
        rng = self.rng
        if activity.schedule == "appointments":
            planned = rng.randint(*activity.length)
            booked = appointments(ready, planned)
            finished = len(booked) == planned
        elif activity.schedule == "course":
            booked, finished = next((b for b in self.timetable[activity.name] if b[0] >= ready), []), True
        else:
            available = [d for d in self.timetable[activity.name][0] if d >= ready]
            stay = engagement(rng)
            return available[:stay], stay < len(available)
        if booked and rng.random() < DROP_OUT:
            return booked[: rng.randint(1, max(1, len(booked) - 1))], False
        return booked, finished

    def register(self, activity: Activity, booked: list[date]) -> list[tuple[date, str]]:
        rng = self.rng
        if rng.random() < NO_SHOW:
            return [(booked[0], "did not attend")]
        reliability, rows = rng.uniform(0.7, 0.97), []
        for i, day in enumerate(booked):
            if i == 0 or rng.random() < reliability:
                rows.append((day, "attended"))
            elif activity.kind != "drop-in":
                status = rng.choices((*STATUSES[1:], None), MISSED[activity.schedule == "appointments"])[0]
                rows += [(day, status)] if status else []
        return rows

    def enrol(self, person: Person, activity: Activity, ready: date) -> None:
        booked, finished = self.bookings(activity, max(ready, FIRST_DAY))
        if not booked:
            return
        delivery = self.rng.choice(activity.delivery)
        register = self.register(activity, booked)
        person.visits += [Visit(day, activity, status, delivery) for day, status in register]
        attended = [day for day, status in register if status == "attended"]
        person.reviews += [(day, activity) for day in self.review_dates(activity, attended, finished)]

    def review_dates(self, activity: Activity, attended: list[date], finished: bool) -> list[date]:
        """Baseline at the first session; follow-up every ~3 months in a group and on finishing or leaving."""
        if not attended:
            return []
        follow, last = [], attended[0]
        for day in attended if activity.schedule in ("weekly", "fortnightly") else ():
            if (day - last).days >= REVIEW_DAYS:
                follow.append(day)
                last = day
        if finished and len(attended) >= 4 and (attended[-1] - last).days >= 21:
            follow.append(attended[-1])
        rng = self.rng
        return [d for d in attended[:1] if rng.random() < BASELINE_DONE] + [
            d for d in follow if rng.random() < FOLLOW_UP_DONE
        ]

    def fill_in(self, person: Person) -> None:
        """Questionnaires in date order, at most one score per person, date and measure."""
        done: set[tuple[date, str]] = set()
        for day, activity in sorted(person.reviews, key=lambda review: review[0]):
            answers = {}
            for key in activity.measures:
                scores = {(day, score) for score in YIELDS.get(key, (key,))}
                if not scores & done:
                    done |= scores
                    answers[key] = self.answers(person, key)
            if answers:
                person.questionnaires.append(Questionnaire(day, activity.name, answers))

    def answers(self, person: Person, key: str) -> list[int | None]:
        rng, inst = self.rng, INSTRUMENTS[key]
        follow_up = key in person.latent
        if not follow_up:
            person.latent[key] = [(rng.gauss(m, sd), rng.gauss(dm, dsd), dsd / 4) for m, sd, dm, dsd in SCALES[key]]
        targets = [base + (change + rng.gauss(0, sd) if follow_up else 0) for base, change, sd in person.latent[key]]
        if key == "ons4":
            items: list[int | None] = [clamp(t, inst.low, inst.high) for t in targets]
        else:
            items = spread(rng, clamp(targets[0], *inst.total_range), inst)
        if rng.random() < MISSING_ITEM:
            items[rng.randrange(len(items))] = None
        return items

    def assign_refs(self) -> None:
        """References in order of first appearance: BM-00123, then plain numbers from the new case system."""
        self.people.sort(key=lambda p: p.first_seen)
        serial, number = 100, 10000
        for person in self.people:
            if person.first_seen >= QUARTERS[NUMERIC_IDS_FROM].start:
                number += self.rng.randint(1, 2)
                person.ref = number
            else:
                serial += self.rng.randint(1, 2)
                person.ref = f"BM-{serial:05d}"


def simulate(rng: random.Random) -> list[Person]:
    sim = Simulation(rng)
    for q, count in zip(QUARTERS, ARRIVALS, strict=True):
        for _ in range(count):
            start = CASELOAD_FROM if q.index == 0 else q.start
            sim.add_person(start + timedelta(rng.randrange((q.end - start).days + 1)))
    sim.assign_refs()
    return sim.people


def columns(kind: str, fields: list[str], q: Quarter, rng: random.Random) -> list[tuple[str, str]]:
    """(field, header) pairs, the header spelling varying by quarter and the order shuffled in some quarters."""
    spellings = HEADERS[kind]
    chosen = [(f, spellings[f][q.index % len(spellings[f])]) for f in fields]
    if q.has("shuffled_columns") and kind in ("participants", "attendance"):
        rest = chosen[1:]
        rng.shuffle(rest)
        chosen = chosen[:1] + rest
    return chosen


def write_sheet(
    wb: Workbook, kind: str, cols: list[tuple[str, str]], records: list[dict], q: Quarter, rng: random.Random
) -> Worksheet:
    name = SHEET_NAMES[kind][q.index % 2]
    ws = wb.create_sheet(name)
    if q.has("title_rows"):
        titles = [f"Brightside Mind – {name}, Q{q.index % 4 + 1} {q.label[:7]}"]
        titles += [f"Period {q.start:%d/%m/%Y} to {q.end:%d/%m/%Y}"] if q.has("second_title_row") else []
        for title in titles:
            ws.append([title])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(cols))
        ws.append([])
    ws.append([header for _, header in cols])
    people_sheet = kind in ("participants", "attendance", "wellbeing")
    gaps = rng.sample(range(1, len(records)), 2) if q.has("blank_rows") and people_sheet and len(records) > 10 else []
    row, uk_dates = ws.max_row, q.has("uk_dates")
    for i, record in enumerate(records):
        if i in gaps:
            ws.append([])
            row += 1
        values = [record.get(f) for f, _ in cols]
        ws.append([v.strftime("%d/%m/%Y") if isinstance(v, date) and uk_dates else v for v in values])
        row += 1
        for column, value in enumerate(values, 1):
            if isinstance(value, date) and not uk_dates:
                ws.cell(row, column).number_format = "DD/MM/YYYY"
    return ws


def nhs_code(label: str) -> str:
    """NHS ethnic category code; the Census 2021 groups it lacks go to "other White" or "any other"."""
    return NHS_CODES.get(label, "C" if label.startswith("White") else "S")


def participant_sheet(wb: Workbook, people: list[Person], q: Quarter, rng: random.Random) -> None:
    fields = ["participant_id", "age" if q.has("age_in_years") else "age_band", "gender", "ethnicity", "disability"]
    fields += ["sexual_orientation"] if q.has("sexual_orientation") else []
    fields += ["referral_source", "first_contact", "imd_decile", "postcode_district"]
    records = []
    for person in people:
        record = dict(person.profile, participant_id=person.ref_in(q), first_contact=person.referred)
        style = GENDER_STYLES[(q.index + (rng.random() < 0.1)) % len(GENDER_STYLES)]
        record["gender"] = style.get(str(record["gender"]), record["gender"])
        if q.has("nhs_ethnicity_codes") and record["ethnicity"]:
            record["ethnicity"] = nhs_code(str(record["ethnicity"]))
        records.append(record)
    cols = columns("participants", fields, q, rng)
    if q.has("nhs_ethnicity_codes"):
        cols = [(f, "Ethnicity code" if f == "ethnicity" else h) for f, h in cols]
    write_sheet(wb, "participants", cols, records, q, rng)


def attendance_sheet(wb: Workbook, people: list[Person], q: Quarter, rng: random.Random) -> None:
    words = STATUS_WORDS[q.index % len(STATUS_WORDS)]
    visits = sorted(
        ((v, p) for p in people for v in p.visits if q.start <= v.day <= q.end),
        key=lambda vp: (vp[0].day, vp[0].activity.name, str(vp[1].ref)),
    )
    records = [
        {
            "participant_id": p.ref_in(q),
            "session_date": v.day,
            "activity": v.activity.name,
            "activity_type": v.activity.kind,
            "delivery": v.delivery,
            "venue": REMOTE_VENUES.get(v.delivery, v.activity.venue),
            "minutes": v.activity.minutes if v.status == "attended" else None,
            "attended": words[STATUSES.index(v.status)],
            "comments": rng.choice(COMMENTS) if q.has("notes_and_comments") and rng.random() < 0.08 else None,
        }
        for v, p in visits
    ]
    fields = [f for f in HEADERS["attendance"] if f != "comments" or q.has("notes_and_comments")]
    cols = columns("attendance", fields, q, rng)
    ws = write_sheet(wb, "attendance", cols, records, q, rng)
    if q.has("total_row"):
        total = {cols[0][0]: "Total", "minutes": sum(r["minutes"] or 0 for r in records)}
        ws.append([total.get(f) for f, _ in cols])


def item_header(key: str, item: int, q: Quarter) -> str:
    style = q.index % 3
    if key == "ons4":
        question = ONS4.item_names[item - 1]
        return question.capitalize() if style == 2 else f"ONS4 {question}"
    return (f"{ITEM_NAMES[key]} Q{item}", f"{ITEM_NAMES[key]} {item}", f"{key}_{item}")[style]


def as_word(inst: measures.Questionnaire, item: int, value: int) -> str:
    position = inst.high - value if item in inst.reversed_word_items else value - inst.low
    return inst.words[position].capitalize()


def wellbeing_sheet(wb: Workbook, people: list[Person], q: Quarter, rng: random.Random) -> None:
    words = q.has("answers_as_words")
    found = sorted(
        ((qn, p) for p in people for qn in p.questionnaires if q.start <= qn.day <= q.end),
        key=lambda qp: (qp[0].day, str(qp[1].ref)),
    )
    records = []
    for qn, person in found:
        record: dict[str, object] = {"participant_id": person.ref_in(q), "date": qn.day, "activity": qn.activity}
        for key, items in qn.answers.items():
            inst = INSTRUMENTS[key]
            for i, value in enumerate(items, 1):
                record[f"{key}_{i}"] = as_word(inst, i, value) if words and inst.words and value is not None else value
        if "wemwbs" in qn.answers and None not in qn.answers["wemwbs"]:
            record["wemwbs_total"] = sum(qn.answers["wemwbs"])
        records.append(record)
    cols = columns("wellbeing", ["participant_id", "date", "activity"], q, rng)
    for key in SCALES:
        cols += [(f"{key}_{i}", item_header(key, i, q)) for i in range(1, INSTRUMENTS[key].items + 1)]
        if key == "wemwbs" and q.has("wemwbs_total"):
            cols += columns("wellbeing", ["wemwbs_total"], q, rng)
    write_sheet(wb, "wellbeing", cols, records, q, rng)


def funding_records(year: int, reporting: dict[str, dict]) -> list[dict]:
    """The funding list as it stood at the start of financial year ``year`` (0 = 2024-25), with each line's
    reporting dates (``reporting_plans``)."""
    records = []
    for *values, statuses in FUNDING_LINES:
        if statuses[year]:
            record = dict(zip(FUNDING_FIELDS, values, strict=True), status=statuses[year])
            record["start_date"], record["end_date"] = date.fromisoformat(values[3]), date.fromisoformat(values[4])
            records.append(record | reporting.get(record["title"], {}))
    return records


def reporting_plans(seed: int) -> dict[str, dict]:
    """Per grant or contract title: when its funder expects reports, as the funding sheet gives it (a semicolon-
    separated list of dates, or a frequency and the first date). Drawn from a stream of their own, so that every
    other figure drawn from ``seed`` stays the same."""
    rng = random.Random(f"{seed} reporting dates")
    plans = {}
    for _, title, _, start, end, _, income_type, *_ in FUNDING_LINES:
        if income_type not in REPORTED:
            continue
        form = pick(rng, REPORT_FORMS)
        first, last = date.fromisoformat(start), date.fromisoformat(end)
        if form == "list":
            ends = [add_months(first, 12 * n) - timedelta(days=1) for n in range(1, 11)]
            due = [d + timedelta(rng.randint(*REPORT_LAG_DAYS)) for d in ends if d - timedelta(days=365) < last]
            plans[title] = {"reports_due": "; ".join(f"{d:%d/%m/%Y}" for d in due)}
        else:
            months = vocab.REPORT_MONTHS[form]
            lag = timedelta(rng.randint(*REPORT_LAG_DAYS))
            plans[title] = {
                "reporting_frequency": form,
                "first_report_due": add_months(first, months) - timedelta(1) + lag,
            }
    return plans


def expenditure_records(q: Quarter, rng: random.Random) -> list[dict]:
    """Monthly spend per activity, plus core costs with no activity; a little lower in August and December."""
    growth, records = 1.04 ** (q.index // 4), []
    for month in (q.start.replace(month=q.start.month + i) for i in range(3)):
        seasonal = 0.92 if month.month in (8, 12) else 1.0
        for activity in ACTIVITIES:
            amount = activity.cost * growth * seasonal * rng.uniform(0.9, 1.1)
            records.append({"period_start": month, "activity": activity.name, "amount": round(amount, 2)})
        records.append({"period_start": month, "amount": round(CORE_COST * growth * rng.uniform(0.95, 1.05), 2)})
    return records


def finance_sheets(wb: Workbook, q: Quarter, reserves: float, rng: random.Random, reporting: dict[str, dict]) -> None:
    """Funding (in each year's first return), expenditure and reserves."""
    sheets = {"funding": funding_records(q.index // 4, reporting)} if q.index % 4 == 0 else {}
    sheets["expenditure"] = expenditure_records(q, rng)
    sheets["reserves"] = [{"date": q.end, "free_reserves": round(reserves)}]
    for kind, records in sheets.items():
        write_sheet(wb, kind, columns(kind, [*HEADERS[kind]], q, rng), records, q, rng)


# Goals, feedback, volunteering and the activity list ----------------------------------------------------------


@dataclass
class Voice:
    """The goal ratings, feedback responses and volunteering months of the two years, and their random stream."""

    goals: list[dict]
    feedback: list[dict]
    volunteering: list[dict]
    rng: random.Random

    @classmethod
    def draw(cls, people: list[Person], seed: int) -> Voice:
        """Drawn from a stream of their own, so the people, sessions and figures drawn from ``seed`` stay the same."""
        rng = random.Random(f"{seed} goals, feedback and volunteering")
        return cls(goal_ratings(people, rng), feedback_responses(people, rng), volunteering_months(rng), rng)


def goal_ratings(people: list[Person], rng: random.Random) -> list[dict]:
    """Goals set by people in one-to-one support and on some courses, rated when set and at reviews."""
    ratings = []
    for person in people:
        found = goal_setting(person, rng)
        if found:
            ratings += rate_goals(person, *found, rng)
    return ratings


def goal_setting(person: Person, rng: random.Random) -> tuple[str, list[date]] | None:
    """The first activity in which the person set goals, with the days they attended it."""
    attended: dict[str, list[date]] = {}
    for visit in sorted(person.visits, key=lambda v: v.day):
        if visit.status == "attended" and visit.activity.name in GOAL_SETTING:
            attended.setdefault(visit.activity.name, []).append(visit.day)
    return next(((name, days) for name, days in attended.items() if rng.random() < GOAL_SETTING[name][0]), None)


def goal_reviews(days: list[date]) -> list[int]:
    """Which attended sessions (by index) goals are reviewed at: every sixth, and the last of three or more."""
    reviews = set(range(REVIEW_EVERY - 1, len(days), REVIEW_EVERY)) | ({len(days) - 1} if len(days) >= 3 else set())
    return sorted(reviews)


def rate_goals(person: Person, activity: str, days: list[date], rng: random.Random) -> list[dict]:
    """One to three goals, each rated 0-10 when set (a few only at the second or third session) and at reviews."""
    count = rng.choices(list(GOALS_PER_PERSON), weights=list(GOALS_PER_PERSON.values()))[0]
    areas: list[str] = []
    while len(areas) < count:
        area = str(pick(rng, GOAL_AREAS))
        areas += [] if area in areas else [area]
    ratings = []
    for number, area in enumerate(areas, 1):
        start, rise = rng.gauss(*GOAL_START), rng.gauss(GOAL_SETTING[activity][1], GOAL_SPREAD)
        first = rng.randint(1, 2) if len(days) > 3 and rng.random() < LATE_GOAL else 0
        goal = {"person": person, "goal_number": number, "activity": activity, "goal": rng.choice(GOAL_WORDS[area])}
        goal["goal_area"] = None if rng.random() < NO_GOAL_AREA else area
        for i in [first, *(i for i in goal_reviews(days) if i > first and rng.random() >= MISSED_REVIEW)]:
            progress = i / (len(days) - 1) if len(days) > 1 else 0
            rating = clamp(start + rise * progress + rng.gauss(0, GOAL_NOISE), 0, 10)
            ratings.append(dict(goal, date=days[i], rating=rating))
    return ratings


def quarter_of(day: date) -> int:
    return (day.year - FIRST_DAY.year) * 4 + (day.month - FIRST_DAY.month) // 3


def feedback_responses(people: list[Person], rng: random.Random) -> list[dict]:
    """Friends and Family Test cards filled in after some attended sessions; a few name the person."""
    visits = sorted(
        ((v, p) for p in people for v in p.visits if v.status == "attended"),
        key=lambda vp: (vp[0].day, vp[0].activity.name, str(vp[1].ref)),
    )
    responses = []
    for visit, person in visits:
        if rng.random() >= FEEDBACK_RATE:
            continue
        weights = FFT_DIP_WEIGHTS if quarter_of(visit.day) == FFT_DIP_QUARTER else FFT_WEIGHTS
        answer = rng.choices(list(vocab.FFT.values), weights=weights)[0]
        responses.append(
            {
                "person": person if rng.random() < FEEDBACK_NAMED else None,
                "date": visit.day,
                "activity": visit.activity.name,
                "answer": answer,
                "comments": rng.choice(FFT_COMMENTS[answer]) if rng.random() < FEEDBACK_COMMENTED else None,
            }
        )
    return responses


def volunteering_months(rng: random.Random) -> list[dict]:
    """Volunteers, their hours and how many have lived experience, per month and activity; fewer hours in August."""
    rows = []
    for index in range(24):
        month = date(FIRST_DAY.year + (FIRST_DAY.month - 1 + index) // 12, (FIRST_DAY.month - 1 + index) % 12 + 1, 1)
        for activity, (start, hours_each, lived_share) in VOLUNTEER_ROLES.items():
            volunteers = max(1, round(start * (1 + VOLUNTEER_GROWTH * index / 23) + rng.gauss(0, 0.7)))
            if activity == "Counselling" and month >= NEW_COUNSELLORS[0]:
                volunteers += NEW_COUNSELLORS[1]
            hours = sum(max(0.0, rng.gauss(hours_each, hours_each / 3)) for _ in range(volunteers))
            hours *= SUMMER_HOURS if activity and month.month == 8 else 1
            rows.append(
                {
                    "month": month,
                    "activity": activity,
                    "volunteers": volunteers,
                    "hours": round(hours * 2) / 2,
                    "lived_experience": sum(rng.random() < lived_share for _ in range(volunteers)),
                }
            )
    return rows


def activity_records() -> list[dict]:
    return [
        {
            "activity": a.name,
            "activity_type": a.kind,
            "ways": ACTIVITY_LIST[a.name][0],
            "peer_led": ACTIVITY_LIST[a.name][1],
            "delivery": a.delivery[0] if len(a.delivery) == 1 else None,  # several ways: not one to write
        }
        for a in ACTIVITIES
    ]


def goal_records(voice: Voice, q: Quarter) -> list[dict]:
    short = q.index % 2 == 1  # every other return writes goal areas in a word
    rows = [
        dict(r, participant_id=r["person"].ref_in(q), goal_area=SHORT_GOAL_AREAS.get(r["goal_area"], r["goal_area"]))
        if short
        else dict(r, participant_id=r["person"].ref_in(q))
        for r in voice.goals
        if q.start <= r["date"] <= q.end
    ]
    return sorted(rows, key=lambda r: (r["date"], str(r["participant_id"]), r["goal_number"]))


def fft_answer(answer: str, q: Quarter) -> str | int:
    """As the quarter's return writes it: NHS England's code 1-6, or the words (lower case in some returns)."""
    if q.has("fft_codes"):
        return list(vocab.FFT.values).index(answer) + 1
    return answer.lower() if q.index % 3 == 1 else answer


def feedback_records(voice: Voice, q: Quarter) -> list[dict]:
    return [
        dict(r, participant_id=r["person"] and r["person"].ref_in(q), answer=fft_answer(r["answer"], q))
        for r in voice.feedback
        if q.start <= r["date"] <= q.end
    ]


def written_month(month: date, q: Quarter) -> date | str:
    """A month as the quarter's return writes it: a date, 'April 2025' or 'Apr-25'."""
    return (month, f"{month:%B %Y}", f"{month:%b-%y}")[q.index % 3]


def volunteering_records(voice: Voice, q: Quarter) -> list[dict]:
    return [dict(r, month=written_month(r["month"], q)) for r in voice.volunteering if q.start <= r["month"] <= q.end]


def voice_sheets(wb: Workbook, voice: Voice, q: Quarter) -> None:
    """The activity list (in each year's first return), goal ratings, feedback and volunteering."""
    sheets = {"activities": activity_records()} if q.index % 4 == 0 else {}
    sheets |= {"goals": goal_records(voice, q), "feedback": feedback_records(voice, q)}
    sheets["volunteering"] = volunteering_records(voice, q)
    optional = {"goal": q.has("goal_words"), "comments": q.has("feedback_comments")}
    for kind, records in sheets.items():
        fields = [f for f in HEADERS[kind] if optional.get(f, True)]
        write_sheet(wb, kind, columns(kind, fields, q, voice.rng), records, q, voice.rng)


def build_workbook(
    people: list[Person], q: Quarter, reserves: float, rng: random.Random, voice: Voice, reporting: dict[str, dict]
) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    participant_sheet(wb, [p for p in people if q.start <= p.first_seen <= q.end], q, rng)
    attendance_sheet(wb, people, q, rng)
    wellbeing_sheet(wb, people, q, rng)
    voice_sheets(wb, voice, q)
    finance_sheets(wb, q, reserves, rng, reporting)
    if q.has("notes_and_comments"):
        notes = wb.create_sheet("Notes")
        for line in NOTES:
            notes.append([line])
    return wb


def save(wb: Workbook, path: Path) -> None:
    path.write_bytes(fixed_bytes(wb, "Brightside Mind"))


def fixed_bytes(book: Workbook, creator: str) -> bytes:
    """The workbook's bytes with fixed timestamps inside and on the zip entries, so the same seed gives the same
    bytes."""
    book.properties.creator = creator
    book.properties.created = SAVED_AT
    saved, fixed = io.BytesIO(xlsx_bytes(book)), io.BytesIO()
    stamp = SAVED_AT.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(fixed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            target.writestr(zipfile.ZipInfo(info.filename, SAVED_AT.timetuple()[:6]), data, zipfile.ZIP_DEFLATED)
    return fixed.getvalue()


def generate(out_dir: Path, seed: int = 2026) -> list[Path]:
    """Write the eight quarterly workbooks (and their checked sheets, CHECKED) into ``out_dir``; return the workbooks."""
    rng = random.Random(seed)
    people = simulate(rng)
    voice, reporting = Voice.draw(people, seed), reporting_plans(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths, reserves = [], 118_000.0
    for q in QUARTERS:
        reserves = min(140_000, max(90_000, reserves + rng.gauss(-1000, 7000)))
        path = out_dir / f"{q.label}_returns.xlsx"
        save(build_workbook(people, q, reserves, rng, voice, reporting), path)
        paths.append(path)
    write_checked(sorted(paths), out_dir / CHECKED)
    return sorted(paths)


# The workbooks as checked: read once here, so the app's first start loads the sample without reading them again --

CHECKED = "checked.json.gz"  # beside the workbooks; tests/test_sample.py proves it is what reading them gives


def read_workbook(path: Path) -> list[Sheet]:
    """The workbook's sheets as the upload check reads them into an empty database (no remembered mappings)."""
    grids, problems = read_grids(path.name, path.read_bytes())
    sheets = [read_sheet(grid, {}) for grid in grids]
    problems += [p for s in sheets for p in s.problems]
    if problems:
        raise ValueError(f"the sample workbook {path.name} has problems: {problems}")
    return sheets


def write_checked(paths: Sequence[Path], out: Path) -> None:
    """Save every workbook's checked sheets with the workbook's SHA-256, as gzipped JSON with the same bytes each time."""
    files = [
        {"name": p.name, "sha256": _sha256(p), "sheets": [_sheet_fields(s) for s in read_workbook(p)]} for p in paths
    ]
    text = json.dumps(files, default=_encode_date, ensure_ascii=False, separators=(",", ":"))
    out.write_bytes(gzip.compress(text.encode(), mtime=0))


def checked_sheets(paths: Sequence[Path], saved: Path) -> list[list[Sheet]] | None:
    """Each workbook's checked sheets, as saved by write_checked; None unless saved for exactly these workbooks."""
    if not saved.exists():
        return None
    files = json.loads(gzip.decompress(saved.read_bytes()), object_hook=_decode_date)
    if [(f["name"], f["sha256"]) for f in files] != [(p.name, _sha256(p)) for p in paths]:
        return None
    return [[_sheet(fields) for fields in f["sheets"]] for f in files]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sheet_fields(sheet: Sheet) -> dict:
    return {
        "file": sheet.file,
        "sheet": sheet.sheet,
        "kind": sheet.kind.name if sheet.kind else None,
        "header_row": sheet.header_row,
        "records": sheet.records,
        "notes": sheet.notes,
        "ignored_columns": sheet.ignored_columns,
    }


def _sheet(fields: dict) -> Sheet:
    return Sheet(**{**fields, "kind": KINDS[fields["kind"]] if fields["kind"] else None})


def _encode_date(value: object) -> dict[str, str]:
    if type(value) is not date:
        raise TypeError(f"cannot save {value!r} in the checked sample")
    return {"date": value.isoformat()}


def _decode_date(obj: dict) -> object:
    return date.fromisoformat(obj["date"]) if obj.keys() == {"date"} else obj
