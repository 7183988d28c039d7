"""The demographic dimensions people are counted by, listed once: key, plain label, the order of ordinal groups,
the vocabulary a value comes from, and how a person's group is read from their profile.

Every list of dimensions elsewhere (the profile columns, Reach's charts, Outcomes' breakdowns, the summary) is
built from this one.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.vocab import (
    AGE_BAND,
    AGE_BANDS,
    DISABILITY,
    ETHNIC_GROUP,
    ETHNICITY,
    GENDER,
    SEXUAL_ORIENTATION,
    Vocabulary,
)


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    vocabulary: Vocabulary | None = None
    ordered: tuple[str, ...] = ()  # the groups in their order, for ordinal dimensions
    column: str = ""  # SQL for a person's group over participant_profiles "p"; p.<key> when empty
    aliases: tuple[str, ...] = ()  # other names a population sheet may give a benchmarked dimension

    @property
    def sql(self) -> str:
        return self.column or f"p.{self.key}"


IMD_QUINTILES = ("1", "2", "3", "4", "5")
DIMENSIONS = (
    Dimension("age_band", "age band", AGE_BAND, AGE_BANDS, aliases=("age", "age group", "age band")),
    Dimension("gender", "gender", GENDER, aliases=("sex",)),
    Dimension(
        "ethnicity_group", "ethnic group", ETHNIC_GROUP, aliases=("ethnicity", "ethnic group", "ethnicity group")
    ),
    Dimension("ethnicity", "ethnic group (detailed)", ETHNICITY),
    Dimension("disability", "disability", DISABILITY, aliases=("disabled",)),
    Dimension("sexual_orientation", "sexual orientation", SEXUAL_ORIENTATION),
    Dimension(
        "imd_quintile",
        "deprivation (IMD quintile, 1 = most deprived)",
        ordered=IMD_QUINTILES,
        column="CAST(ceil(p.imd_decile / 2) AS INTEGER)::VARCHAR",
        aliases=("imd", "deprivation", "imd quintile"),
    ),
    Dimension("referral_source", "referral source"),
)
BY_KEY = {d.key: d for d in DIMENSIONS}

# Reach's "who is reached" (the detailed ethnic groups are a toggle, referral routes a chart of their own)
PROFILED = ("age_band", "gender", "ethnicity_group", "disability", "sexual_orientation", "imd_quintile")
BROKEN_DOWN = ("age_band", "gender", "ethnicity_group", "disability", "imd_quintile")  # Outcomes' breakdowns
BENCHMARKED = ("ethnicity_group", "age_band", "gender", "disability", "imd_quintile")  # Census 2021 and population
# What a population sheet's dimension column may hold
POPULATION_DIMENSION = Vocabulary("population dimension", {key: BY_KEY[key].aliases for key in BENCHMARKED}, blank=None)


def labels(keys: tuple[str, ...]) -> dict[str, str]:
    """Plain labels of some dimensions, in the order given."""
    return {key: BY_KEY[key].label for key in keys}
