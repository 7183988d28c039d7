"""Fixed vocabularies of the data contract and the matching of what people type to them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NOT_KNOWN = "Not known"
PREFER_NOT = "Prefer not to say"


def norm_key(text: object) -> str:
    """Case-, space- and punctuation-insensitive form of a header or answer."""
    return re.sub(r"[^a-z0-9+]", "", str(text).lower().replace("&", "and"))


@dataclass(frozen=True)
class Vocabulary:
    """Canonical values, each with the other spellings accepted for it."""

    name: str
    values: dict[str, tuple[str, ...]]
    blank: str | None = NOT_KNOWN
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table = {}
        for canonical, aliases in self.values.items():
            for spelling in (canonical, *aliases):
                table[norm_key(spelling)] = canonical
        object.__setattr__(self, "_lookup", table)

    def match(self, raw: object) -> str | None:
        """The canonical value for ``raw``; ``blank`` for an empty cell; None when unknown."""
        if raw is None or str(raw).strip() == "":
            return self.blank
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        return self._lookup.get(norm_key(raw))

    @property
    def accepted(self) -> str:
        return ", ".join(self.values)


PREFER_ALIASES = ("prefer not to say", "rather not say", "declined", "not stated", "pnts")
YES_ALIASES, NO_ALIASES = ("y", "true", "1"), ("n", "false", "0")

AGE_BANDS = ("16-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
AGE_BAND = Vocabulary(
    "age band",
    {
        **{band: (band.replace("-", " to "), band.replace("-", "–")) for band in AGE_BANDS[:-1]},
        "75+": ("75 and over", "75 plus", "75 or over"),
        PREFER_NOT: PREFER_ALIASES,
    },
)


def age_to_band(age: float) -> str | None:
    """Band an age in whole years; None when it is outside 16 to 120."""
    if not 16 <= age <= 120:
        return None
    for band in reversed(AGE_BANDS):
        if age >= int(band[:2]):
            return band
    return None


GENDER = Vocabulary(
    "gender",
    {
        "Woman": ("female", "f", "woman", "women", "girl"),
        "Man": ("male", "m", "man", "men", "boy"),
        "Non-binary": ("nonbinary", "enby", "nb"),
        "Other": ("other gender", "another gender", "self-described", "in another way"),
        PREFER_NOT: PREFER_ALIASES,
    },
)

DISABILITY = Vocabulary(
    "disability",
    {
        "Yes": (*YES_ALIASES, "disabled"),
        "No": (*NO_ALIASES, "not disabled", "none"),
        PREFER_NOT: PREFER_ALIASES,
    },
)

SEXUAL_ORIENTATION = Vocabulary(
    "sexual orientation",
    {
        "Straight or heterosexual": ("straight", "heterosexual", "hetero"),
        "Gay or lesbian": ("gay", "lesbian", "gay man", "gay woman", "homosexual"),
        "Bisexual": ("bi",),
        "Other sexual orientation": (
            "other",
            "pansexual",
            "asexual",
            "queer",
            "all other sexual orientations",
        ),
        PREFER_NOT: PREFER_ALIASES,
    },
)

ATTENDED = Vocabulary(
    "attended",
    {
        "attended": ("yes", "y", "1", "true", "present", "attended", "x"),
        "did not attend": ("dna", "no", "n", "0", "false", "absent", "no show"),
        "cancelled": ("cancelled", "canceled", "cancelled by service", "cancelled by client"),
    },
    blank=None,
)

ACTIVITY_TYPE = Vocabulary(
    "activity type",
    {
        "peer support": ("peer support group", "peer"),
        "course": ("wellbeing course", "workshop", "training"),
        "one-to-one": ("1:1", "1 to 1", "one to one", "individual", "1-2-1"),
        "drop-in": ("drop in", "dropin"),
        "social": ("social group", "social activity"),
        "other": (),
    },
    blank=None,
)

DELIVERY = Vocabulary(
    "delivery",
    {
        "in person": ("face to face", "f2f", "in-person", "onsite"),
        "online": ("video", "zoom", "teams", "virtual", "remote"),
        "phone": ("telephone", "phone call", "tel"),
    },
    blank=None,
)

YES_NO = Vocabulary("yes or no", {"yes": YES_ALIASES, "no": NO_ALIASES}, blank=None)

FIVE_WAYS = Vocabulary(
    "way to wellbeing",
    {
        "Connect": ("connecting", "connection"),
        "Be active": ("active", "being active", "activity"),
        "Take notice": ("notice", "taking notice", "mindfulness"),
        "Keep learning": ("learn", "learning"),
        "Give": ("giving", "give back"),
    },
    blank=None,
)  # the Five Ways to Wellbeing (New Economics Foundation, 2008), in the order they are usually listed

GOAL_AREA = Vocabulary(
    "goal area",
    {
        "Relationships": ("relationship", "family and friends", "social", "connecting with others"),
        "Work or learning": ("work", "learning", "education", "training", "employment", "work and learning"),
        "Managing mood": ("mood", "emotional wellbeing", "feelings", "anxiety", "confidence", "mental health"),
        "Daily living": ("daily life", "self care", "routine", "independent living", "living skills"),
        "Physical health": ("physical", "health", "exercise", "sleep", "healthy lifestyle"),
        "Housing or money": ("housing", "money", "finance", "finances", "benefits", "debt", "housing and money"),
        "Other": ("something else",),
    },
)

FFT_POSITIVE = ("Very good", "Good")
FFT = Vocabulary(
    "Friends and Family Test answer",
    {
        "Very good": ("1", "very good experience"),
        "Good": ("2",),
        "Neither good nor poor": ("3", "neither", "neutral", "neither good or poor"),
        "Poor": ("4",),
        "Very poor": ("5",),
        "Don't know": ("6", "dont know", "do not know", "not sure", "dk"),
    },
    blank=None,
)  # the NHS Friends and Family Test's answers, with the numbers NHS England codes them by

FUNDING_STATUS = Vocabulary(
    "funding status",
    {
        "secured": ("awarded", "confirmed", "agreed", "received"),
        "applied": ("pending", "submitted", "application", "bid"),
        "declined": ("rejected", "unsuccessful"),
    },
    blank="secured",
)

REPORTING_FREQUENCY = Vocabulary(
    "reporting frequency",
    {
        "quarterly": ("every quarter", "every 3 months", "3 monthly", "three monthly", "quarter"),
        "six-monthly": ("half yearly", "half-yearly", "every 6 months", "6 monthly", "twice a year", "biannually"),
        "annually": ("annual", "yearly", "every year", "once a year", "every 12 months", "12 monthly"),
    },
    blank=None,
)  # how often a funder expects a report; the months between reports are REPORT_MONTHS

REPORT_MONTHS = {"quarterly": 3, "six-monthly": 6, "annually": 12}

INCOME_TYPE = Vocabulary(
    "income type",
    {
        "grant": ("grants",),
        "contract": ("commissioned", "commission", "service level agreement", "sla"),
        "donation": ("donations", "gift", "legacy"),
        "fundraising": ("events", "community fundraising"),
        "trading": ("sales", "shop"),
        "other": (),
    },
    blank="grant",
)

# Census 2021 ethnic groups (England and Wales): high-level group -> detailed groups.
ETHNIC_GROUPS: dict[str, tuple[str, ...]] = {
    "Asian": ("Bangladeshi", "Chinese", "Indian", "Pakistani", "Other Asian"),
    "Black": ("African", "Caribbean", "Other Black"),
    "Mixed": (
        "White and Asian",
        "White and Black African",
        "White and Black Caribbean",
        "Other Mixed or Multiple ethnic groups",
    ),
    "White": (
        "English, Welsh, Scottish, Northern Irish or British",
        "Irish",
        "Gypsy or Irish Traveller",
        "Roma",
        "Other White",
    ),
    "Other": ("Arab", "Any other ethnic group"),
}
ETHNIC_GROUP_TITLES = {
    "Asian": "Asian, Asian British or Asian Welsh",
    "Black": "Black, Black British, Black Welsh, Caribbean or African",
    "Mixed": "Mixed or Multiple ethnic groups",
    "White": "White",
    "Other": "Other ethnic group",
}
ETHNIC_GROUP = Vocabulary("ethnic group", {group: (title,) for group, title in ETHNIC_GROUP_TITLES.items()}, blank=None)
ETHNICITY_DETAILED = tuple(f"{group}: {detail}" for group, details in ETHNIC_GROUPS.items() for detail in details)

# NHS Data Dictionary ethnic category codes, placed in the Census 2021 groups.
NHS_ETHNIC_CODES = {
    "A": "White: English, Welsh, Scottish, Northern Irish or British",
    "B": "White: Irish",
    "C": "White: Other White",
    "D": "Mixed: White and Black Caribbean",
    "E": "Mixed: White and Black African",
    "F": "Mixed: White and Asian",
    "G": "Mixed: Other Mixed or Multiple ethnic groups",
    "H": "Asian: Indian",
    "J": "Asian: Pakistani",
    "K": "Asian: Bangladeshi",
    "L": "Asian: Other Asian",
    "M": "Black: Caribbean",
    "N": "Black: African",
    "P": "Black: Other Black",
    "R": "Asian: Chinese",
    "S": "Other: Any other ethnic group",
    "Z": PREFER_NOT,
}

_DETAIL_ALIASES = {  # in the order of ETHNIC_GROUPS
    "Other Asian": ("any other asian background", "asian other"),
    "Other Black": ("any other black background", "black other"),
    "Other Mixed or Multiple ethnic groups": ("any other mixed background", "other mixed", "mixed other"),
    "English, Welsh, Scottish, Northern Irish or British": ("british", "white british", "english", "welsh", "scottish"),
    "Irish": ("white irish",),
    "Gypsy or Irish Traveller": ("gypsy", "irish traveller", "traveller"),
    "Other White": ("any other white background", "white other", "other white background"),
    "Any other ethnic group": ("other ethnic group", "other"),
}
_GROUP_WORDS = {**{group.lower(): group for group in ETHNIC_GROUPS}, "arab": "Other"}  # a group named by a word


def _ethnicity_table() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for group, details in ETHNIC_GROUPS.items():
        for detail in details:
            spellings = table.setdefault(f"{group}: {detail}", [])
            spellings += [f"{ETHNIC_GROUP_TITLES[group]}: {detail}", detail, *_DETAIL_ALIASES.get(detail, ())]
            spellings += [f"{word}: {detail}" for word, g in _GROUP_WORDS.items() if g == group]
    for code, label in NHS_ETHNIC_CODES.items():
        table.setdefault(label, []).append(code)
    table.setdefault(PREFER_NOT, []).extend(PREFER_ALIASES)
    return {label: tuple(spellings) for label, spellings in table.items()}


ETHNICITY = Vocabulary("ethnicity", _ethnicity_table())


def match_ethnicity(raw: object) -> str | None:
    """Census 2021 detailed group for an answer, also in the older "Asian or Asian British: X" style."""
    found = ETHNICITY.match(raw)
    if found is not None or ":" not in str(raw):
        return found
    prefix, detail = str(raw).split(":", 1)
    group = next((g for word, g in _GROUP_WORDS.items() if word in prefix.lower()), None)
    candidate = ETHNICITY.match(detail)
    return candidate if group and candidate and candidate.startswith(group + ":") else None


def ethnicity_group(detailed: str) -> str:
    """High-level group of a detailed label (Not known and Prefer not to say stay as they are)."""
    return detailed.split(":", 1)[0] if ":" in detailed else detailed
