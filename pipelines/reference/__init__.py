"""Census 2021 and IMD 2019 population counts for each 2022 local authority, as shipped with the app.

The table is built by ``python -m pipelines.reference build`` (see SOURCES.md beside it for the files used).
"""

from __future__ import annotations

import csv
import difflib
import gzip
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipelines.reference.build import COUNTRIES, DIMENSION_GROUPS, LOOKUP_FILE

TABLE_FILE = Path(__file__).resolve().parent / "local_authorities_2021.csv"
LSOA_FILE = TABLE_FILE.parent / LOOKUP_FILE

Table = dict[str, dict[str, dict[str, int]]]  # area code -> dimension -> group -> people


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], Table]:
    """Area names and counts, read from the shipped CSV once."""
    names: dict[str, str] = {}
    counts: Table = {}
    with TABLE_FILE.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            names[row["area_code"]] = row["area_name"]
            counts.setdefault(row["area_code"], {}).setdefault(row["dimension"], {})[row["group"]] = int(row["count"])
    return names, counts


def areas() -> pd.DataFrame:
    """Every area in the table (331 authorities, England, Wales, England and Wales): code and name."""
    names, _ = _table()
    return pd.DataFrame(sorted(names.items()), columns=["code", "name"])


def authorities() -> dict[str, str]:
    """Code -> name of the 331 local authorities (no country), in order of name."""
    names, _ = _table()
    return dict(sorted(((c, n) for c, n in names.items() if c not in COUNTRIES), key=lambda item: item[1]))


@lru_cache(maxsize=1)
def lsoa_authorities() -> dict[str, str]:
    """LSOA code (2011, as IMD 2019 uses, or 2021) -> the 2022 local authority it lies in (best fit for 2011)."""
    with gzip.open(LSOA_FILE, "rt", encoding="utf-8", newline="") as file:
        return {row["lsoa_code"]: row["area_code"] for row in csv.DictReader(file)}


def close_matches(code_or_name: str) -> list[str]:
    """Up to five areas, as "CODE Name", that look like what was typed (for the message about an unknown area)."""
    names, _ = _table()
    typed = code_or_name.strip().lower()
    labels = {f"{code} {name}": (code.lower(), name.lower()) for code, name in names.items()}
    contains = [label for label, (code, name) in labels.items() if typed and (typed in name or typed == code)]
    by_code = {code: label for label, (code, _) in labels.items()}
    by_name = {name: label for label, (_, name) in labels.items()}
    similar = [by_code[c] for c in difflib.get_close_matches(typed, by_code, n=5, cutoff=0.7)]
    similar += [by_name[n] for n in difflib.get_close_matches(typed, by_name, n=5, cutoff=0.6)]
    return list(dict.fromkeys(sorted(contains) + similar))[:5]


def population(codes: list[str]) -> dict[str, dict[str, dict[str, float]]]:
    """Dimension -> group -> {"count", "share"} for these areas together: counts are added, then shares (percent
    of the dimension's total) worked out. A dimension missing for any of the areas (IMD for Welsh authorities)
    is left out rather than shown for part of the combined area.
    """
    names, counts = _table()
    unknown = [code for code in codes if code not in names]
    if unknown:
        hints = "; ".join(
            f"{code!r}: did you mean {', '.join(close_matches(code)) or 'no close match'}?" for code in unknown
        )
        raise ValueError(f"unknown area code {hints}")
    chosen = [counts[code] for code in dict.fromkeys(codes)]
    result = {}
    for dimension, groups in DIMENSION_GROUPS.items():
        if chosen and all(dimension in area for area in chosen):
            summed = {group: sum(area[dimension][group] for area in chosen) for group in groups}
            total = sum(summed.values())
            result[dimension] = {
                group: {"count": n, "share": 100 * n / total if total else 0.0} for group, n in summed.items()
            }
    return result
