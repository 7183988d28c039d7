"""Build the local-authority population table from the published Census 2021 and IMD 2019 files.

Every figure is a count of people for one 2022 local authority (LAD 2022, England and Wales), one dimension and
one group named in the app's vocabulary. England, Wales and England and Wales are the sums of their authorities.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

import pandas as pd

from pipelines import vocab

COLUMNS = ("area_code", "area_name", "dimension", "group", "count")
LOOKUP_COLUMNS = ("lsoa_code", "area_code")
LOOKUP_FILE = "lsoa_authorities.csv.gz"  # written beside the table
COUNTRIES = {
    "K04000001": ("England and Wales", ("E", "W")),
    "E92000001": ("England", ("E",)),
    "W92000004": ("Wales", ("W",)),
}

TS021 = "TS021-2021-2.csv"
TS007 = "census2021-ts007-ltla.csv"
TS009 = "gbr_ew_census2021-ts009-ltla.csv"
TS038 = "disability21_lsoa21_ew.csv"
TS077 = "sexualorientation21_msoa21_ew.csv"
IOD_FILE_6 = "File_6_-_IoD2019_Population_Denominators.csv"
IOD_FILE_1 = "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
LSOA_BEST_FIT = "Best-Fit LSOA11 to LSOA21 to LAD22 EW.csv"
LSOA_EXACT = "Exact LSOA11 to LSOA21 to LAD22 EW.csv"
MSOA_LOOKUP = "MSOA11 to MSOA21 to LAD22 EW.csv"

SEX_TO_GENDER = {"Female": "Woman", "Male": "Man"}
DISABILITY_GROUPS = {"Disabled under the Equality Act": "Yes", "Not disabled under the Equality Act": "No"}
ORIENTATION_GROUPS = {
    "Straight or Heterosexual": "Straight or heterosexual",
    "Gay or Lesbian": "Gay or lesbian",
    "Bisexual": "Bisexual",
    "All other sexual orientations": "Other sexual orientation",
    "Not answered": vocab.PREFER_NOT,  # the question was voluntary
}
DIMENSION_GROUPS = {
    "ethnicity_group": tuple(vocab.ETHNIC_GROUPS),
    "ethnicity": vocab.ETHNICITY_DETAILED,
    "age_band": vocab.AGE_BANDS,
    "gender": tuple(SEX_TO_GENDER.values()),
    "disability": tuple(DISABILITY_GROUPS.values()),
    "sexual_orientation": tuple(ORIENTATION_GROUPS.values()),
    "imd_quintile": ("1", "2", "3", "4", "5"),
}
_GROUP_BY_TITLE = {title: group for group, title in vocab.ETHNIC_GROUP_TITLES.items()}
_SINGLE_YEAR = re.compile(r"Age: Aged (?:(under 1) year|(\d+) years?(?: and over)?); measures: Value")

Counts = dict[tuple[str, str, str], int]  # (area code, dimension, group) -> people


def read_csv(path: Path, **options) -> pd.DataFrame:
    """A published CSV, with or without a byte order mark, numbers possibly written as "1,296"."""
    return pd.read_csv(path, encoding="utf-8-sig", thousands=",", **options)


def single_year_columns(columns: Iterable[str], prefix: str = "") -> dict[str, int]:
    """Column -> age for the single years of a nomis age table, the open-ended top ("Aged 100 years and over")
    counting as its first year; subtotals such as "Aged 16 to 19 years" or "Aged 85 years and over" are left out.
    """
    exact, open_ended = {}, {}
    for column in columns:
        found = column.startswith(prefix) and _SINGLE_YEAR.fullmatch(column[len(prefix) :])
        if found:
            age = 0 if found.group(1) else int(found.group(2))
            (open_ended if column.endswith("and over; measures: Value") else exact)[column] = age
    top = max(exact.values())
    ages = {**exact, **{column: age for column, age in open_ended.items() if age == top + 1}}
    if sorted(ages.values()) != list(range(top + 2)):
        raise ValueError(f"the single years of age 0 to {top + 1} are not each in one column")
    return ages


def ethnicity_label(census_label: str) -> str:
    """The app's "Group: detail" label for a TS021 category such as "White: Irish"."""
    title, detail = census_label.split(": ", 1)
    label = f"{_GROUP_BY_TITLE[title]}: {detail}"
    if label not in vocab.ETHNICITY_DETAILED:
        raise ValueError(f"TS021 category not in the app's vocabulary: {census_label!r}")
    return label


def ethnicity_counts(source: Path) -> Counts:
    """TS021: the 19 detailed groups and the 5 high-level groups they add up to."""
    table = read_csv(source / TS021)
    table = table[table["Ethnic group (20 categories) Code"] > 0]
    counts: Counts = defaultdict(int)
    for code, census_label, people in table[
        ["Lower Tier Local Authorities Code", "Ethnic group (20 categories)", "Observation"]
    ].itertuples(index=False):
        label = ethnicity_label(census_label)
        counts[code, "ethnicity", label] += people
        counts[code, "ethnicity_group", vocab.ethnicity_group(label)] += people
    return counts


def counts_by_age(
    table: pd.DataFrame, dimension: str, group_of: Callable[[int], str | None], prefix: str = ""
) -> Counts:
    """A nomis age table's single years of age added up into groups; an age whose group is None is left out."""
    counts: Counts = defaultdict(int)
    for column, age in single_year_columns(table.columns, prefix).items():
        group = group_of(age)
        if group is not None:
            for code, people in zip(table["geography code"], table[column], strict=True):
                counts[code, dimension, group] += people
    return counts


def age_band_counts(source: Path) -> Counts:
    """TS007: residents aged 16 and over in the app's age bands, added up from single years of age."""
    return counts_by_age(read_csv(source / TS007), "age_band", vocab.age_to_band)


def gender_counts(source: Path) -> Counts:
    """TS009: residents aged 16 and over by sex, as the app's gender words."""
    table = read_csv(source / TS009)
    counts: Counts = {}
    for sex, gender in SEX_TO_GENDER.items():
        counts |= counts_by_age(table, "gender", partial(_if_adult, gender), prefix=f"Sex: {sex}; ")
    return counts


def _if_adult(group: str, age: int) -> str | None:
    """The group for residents aged 16 and over, whom the app counts; None for younger ones."""
    return group if age >= 16 else None


def summed_to_authorities(
    table: pd.DataFrame, lookup: pd.DataFrame, key: str, dimension: str, groups: dict[str, str]
) -> Counts:
    """Small-area counts (``table[dimension]`` holds the census category) added up to their LAD 2022, each small area
    lying in exactly one authority; ``lookup`` places each small area (``key``) in its authority ("LAD22CD")."""
    if set(table[dimension]) != set(groups):
        raise ValueError(f"unexpected {dimension} categories: {sorted(set(table[dimension]) ^ set(groups))}")
    placed = table.merge(lookup, on=key, how="left", validate="many_to_one")
    if placed["LAD22CD"].isna().any():
        raise ValueError(f"{dimension}: {placed.loc[placed['LAD22CD'].isna(), key].iloc[0]} has no authority")
    placed["group"] = placed[dimension].map(groups)
    summed = placed.groupby(["LAD22CD", "group"])["n"].sum()
    return {(code, dimension, group): int(people) for (code, group), people in summed.items()}


def authority_lookup(path: Path, area_column: str, key: str) -> pd.DataFrame:
    """Small area (its code column renamed ``key``, as the census table names it) -> LAD 2022 code ("LAD22CD")."""
    lookup = read_csv(path, usecols=[area_column, "LAD22CD"]).drop_duplicates()
    return lookup.rename(columns={area_column: key})


def disability_counts(source: Path) -> Counts:
    """TS038 by LSOA 2021 (all usual residents): disabled under the Equality Act, yes or no."""
    lookup = authority_lookup(source / LSOA_EXACT, "LSOA21CD", "lsoa21_code")
    return summed_to_authorities(read_csv(source / TS038), lookup, "lsoa21_code", "disability", DISABILITY_GROUPS)


def orientation_counts(source: Path) -> Counts:
    """TS077 by MSOA 2021 (usual residents aged 16 and over): sexual orientation."""
    lookup = authority_lookup(source / MSOA_LOOKUP, "MSOA21CD", "msoa21_code")
    return summed_to_authorities(
        read_csv(source / TS077), lookup, "msoa21_code", "sexual_orientation", ORIENTATION_GROUPS
    )


def imd_quintile_counts(source: Path, imd_dir: Path) -> Counts:
    """IoD2019: mid-2015 population (File 6) per national IMD quintile (File 1), LSOA 2011 placed by best fit."""
    deciles = read_csv(imd_dir / IOD_FILE_1, usecols=["LSOA code (2011)", "Index of Multiple Deprivation (IMD) Decile"])
    population = read_csv(
        source / IOD_FILE_6, usecols=["LSOA code (2011)", "Total population: mid 2015 (excluding prisoners)"]
    )
    best_fit = read_csv(source / LSOA_BEST_FIT, usecols=["LSOA11CD", "LAD22CD"])
    lsoas = deciles.merge(population, on="LSOA code (2011)", how="inner", validate="one_to_one")
    if len(lsoas) != len(deciles) or len(lsoas) != len(population):
        raise ValueError("IoD2019 File 1 and File 6 do not list the same LSOAs")
    lsoas = lsoas.merge(best_fit, left_on="LSOA code (2011)", right_on="LSOA11CD", how="left", validate="one_to_one")
    if lsoas["LAD22CD"].isna().any():
        raise ValueError("an IoD2019 LSOA is missing from the best-fit lookup")
    lsoas["quintile"] = (lsoas["Index of Multiple Deprivation (IMD) Decile"] + 1) // 2
    summed = lsoas.groupby(["LAD22CD", "quintile"])["Total population: mid 2015 (excluding prisoners)"].sum()
    return {(code, "imd_quintile", str(quintile)): int(people) for (code, quintile), people in summed.items()}


def authority_names(source: Path) -> dict[str, str]:
    """LAD 2022 code -> ONS name, from the best-fit lookup."""
    lookup = read_csv(source / LSOA_BEST_FIT, usecols=["LAD22CD", "LAD22NM"]).drop_duplicates()
    if lookup["LAD22CD"].duplicated().any():
        raise ValueError("an authority has two names in the best-fit lookup")
    return dict(zip(lookup["LAD22CD"], lookup["LAD22NM"], strict=True))


def with_empty_groups(counts: Counts) -> Counts:
    """Every group of each dimension an area has, those with nobody in them as 0 (e.g. no LSOA in quintile 1)."""
    unknown = {(dimension, group) for _, dimension, group in counts if group not in DIMENSION_GROUPS[dimension]}
    if unknown:
        raise ValueError(f"groups outside the app's vocabulary: {sorted(unknown)}")
    present = {(code, dimension) for code, dimension, _ in counts}
    zeros = {(code, dimension, group): 0 for code, dimension in present for group in DIMENSION_GROUPS[dimension]}
    return {**zeros, **counts}


def with_countries(counts: Counts) -> Counts:
    """The authorities' counts plus England, Wales and England and Wales as their sums."""
    totals: Counts = defaultdict(int)
    for (code, dimension, group), people in counts.items():
        for country, (_, prefixes) in COUNTRIES.items():
            if code.startswith(prefixes):
                totals[country, dimension, group] += people
    return {**counts, **totals}


def build_rows(source: Path, imd_dir: Path) -> list[tuple[str, str, str, str, int]]:
    """Every (area code, area name, dimension, group, count), sorted."""
    names = authority_names(source)
    counts: Counts = {}
    for part in (
        ethnicity_counts(source),
        age_band_counts(source),
        gender_counts(source),
        disability_counts(source),
        orientation_counts(source),
        imd_quintile_counts(source, imd_dir),
    ):
        unknown = {code for code, _, _ in part} - set(names)
        if unknown:
            raise ValueError(f"codes that are not 2022 authorities: {sorted(unknown)[:5]}")
        counts.update(part)
    names.update({code: name for code, (name, _) in COUNTRIES.items()})
    rows = with_countries(with_empty_groups(counts))
    return sorted(
        (code, names[code], dimension, group, int(people)) for (code, dimension, group), people in rows.items()
    )


def lsoa_authority_rows(source: Path) -> list[tuple[str, str]]:
    """Every LSOA 2011 code with its LAD 2022 by best fit, and every LSOA 2021 code with its LAD 2022 (exact), sorted;
    where a code is both (an LSOA that did not change) the two lookups agree."""
    best_fit = authority_lookup(source / LSOA_BEST_FIT, "LSOA11CD", "lsoa_code")
    exact = authority_lookup(source / LSOA_EXACT, "LSOA21CD", "lsoa_code")
    both = pd.concat([best_fit, exact]).drop_duplicates()
    twice = both.loc[both["lsoa_code"].duplicated(), "lsoa_code"]
    if len(twice):
        raise ValueError(f"{twice.iloc[0]} lies in two authorities")
    return sorted(zip(both["lsoa_code"], both["LAD22CD"], strict=True))


def to_csv(rows: Iterable[tuple], columns: tuple[str, ...] = COLUMNS) -> str:
    """The table as CSV text (header first, Unix line ends), so the same rows always give the same bytes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def build(source: Path, imd_dir: Path, out: Path) -> int:
    """Write the table to ``out`` and the LSOA lookup beside it (gzip without a time stamp, so the same bytes every
    time); returns the number of the table's data rows."""
    rows = build_rows(source, imd_dir)
    out.write_text(to_csv(rows), encoding="utf-8", newline="")
    lookup = to_csv(lsoa_authority_rows(source), LOOKUP_COLUMNS).encode()
    (out.parent / LOOKUP_FILE).write_bytes(gzip.compress(lookup, compresslevel=9, mtime=0))
    return len(rows)
