"""The Reach page's figures: activity, who the service reaches, and how that compares with the population served.

Representation ratio (share of people reached in a group ÷ the group's share of the benchmark population) with a
95% Wilson interval on the share reached. People whose group is not known, or not in the benchmark, are left out
of the shares compared, and counted. Deprivation: Core20 is the most deprived 20% of areas (IMD deciles 1–2).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd

from pipelines.dimensions import BY_KEY, PROFILED, labels
from pipelines.metrics import reach_by
from pipelines.periods import quarter_label, quarters
from pipelines.privacy import SUPPRESSION_THRESHOLD
from pipelines.query import (
    ATTENDED_SQL,
    ATTENDED_TO_END_SQL,
    FIRST_SEEN_SQL,
    REACHED_SQL,
    SESSION_BANDS,
    Z_975,
    Con,
    Filters,
    fetch_frame,
    fetch_rows,
    or_not_recorded,
    session_band,
    sql_params,
    with_profile,
)

ENGLAND = "England (Census 2021)"
ENGLAND_FILE = Path(__file__).resolve().parent / "reference" / "england_census2021.csv"
MIX = {"activity": "activity", "activity_type": "type of activity", "delivery": "delivery"}
PROFILE_DIMENSIONS = labels(PROFILED)


def mix(con: Con, f: Filters, by: str) -> pd.DataFrame:
    """People, attendances and sessions in the period per activity, type of activity or delivery mode."""
    if by not in MIX:
        raise ValueError(f"Unknown grouping {by!r}; expected one of {', '.join(MIX)}.")
    return fetch_frame(
        con,
        f"""SELECT {or_not_recorded(f'"{by}"')} AS "group", count(DISTINCT participant_id) AS people,
            count(*) AS attendances, count(DISTINCT (activity, session_date)) AS sessions
        FROM ({ATTENDED_SQL}) GROUP BY 1 ORDER BY 2 DESC, 1""",
        sql_params(f),
    )


def retention(con: Con, f: Filters) -> dict:
    """People reached by sessions attended in the period, and the share of new people who came back."""
    bands = fetch_frame(
        con,
        f"""SELECT {session_band("n")} AS band, count(*) AS people
        FROM (SELECT participant_id, count(*) AS n FROM ({ATTENDED_SQL}) GROUP BY 1) GROUP BY 1""",
        sql_params(f),
    )
    bands = bands.set_index("band").reindex([label for label, _ in SESSION_BANDS], fill_value=0).reset_index()
    new, came_back = fetch_rows(
        con,
        f"""WITH sessions AS ({ATTENDED_TO_END_SQL}), firsts AS ({FIRST_SEEN_SQL})
        SELECT count(*), count(*) FILTER (WHERE EXISTS (
            SELECT 1 FROM sessions s WHERE s.participant_id = f.participant_id AND s.session_date > f.first_day))
        FROM firsts f WHERE first_day BETWEEN $start AND $end""",
        sql_params(f),
    )[0]
    return {"bands": bands, "new": new, "came_back": came_back, "share_came_back": came_back / new if new else None}


def referral_sources(con: Con, f: Filters) -> pd.DataFrame:
    return reach_by(con, f, "referral_source")


# Benchmarks ---------------------------------------------------------------------------------------


def benchmark_areas(con: Con) -> list[str]:
    """England from Census 2021, then every local benchmark loaded from a population sheet."""
    return [ENGLAND, *(r[0] for r in fetch_rows(con, "SELECT DISTINCT area FROM population ORDER BY 1"))]


def benchmark(con: Con, area: str) -> pd.DataFrame:
    """Shares (0–1) per dimension and group: England's as shipped, or a loaded area's (counts become shares)."""
    if area == ENGLAND:
        with ENGLAND_FILE.open(encoding="utf-8") as handle:
            rows = [{**r, "share": float(r["share"]) / 100} for r in csv.DictReader(handle)]
        return pd.DataFrame(rows)[["dimension", "group", "share", "source"]]
    return fetch_frame(
        con,
        """SELECT dimension, "group",
            coalesce(count / sum(count) OVER (PARTITION BY dimension),
                     share / sum(share) OVER (PARTITION BY dimension)) AS share,
            'Loaded population sheet: ' || area AS source
        FROM population WHERE area = $area""",
        {"area": area},
    )


def wilson(k: int, n: int, z: float = Z_975) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def representation(
    con: Con, f: Filters, dimension: str, area: str, min_count: int = SUPPRESSION_THRESHOLD
) -> pd.DataFrame:
    """Per group: people reached, share of those with a benchmark group, the benchmark share, and the ratio of the
    two with its 95% CI; 'under' or 'over' where the whole interval is below or above 1. Small groups withheld."""
    reached = reach_by(con, f, dimension)
    bench = benchmark(con, area)
    bench = bench[bench["dimension"] == dimension][["group", "share"]].rename(columns={"share": "benchmark"})
    table = reached.merge(bench, on="group", how="outer").fillna({"people": 0})
    compared = table["benchmark"].notna()
    total = int(table.loc[compared, "people"].sum())
    rows = []
    for row in table.itertuples(index=False):
        people, base = int(row.people), row.benchmark
        shown = people == 0 or people >= min_count
        entry = {"group": row.group, "people": people, "benchmark": base, "shown": shown, "compared": not pd.isna(base)}
        if entry["compared"] and total and shown:
            low, high = wilson(people, total)
            entry |= {
                "share": people / total,
                "share_low": low,
                "share_high": high,
                "ratio": people / total / base,
                "ratio_low": low / base,
                "ratio_high": high / base,
            }
            entry["verdict"] = "under" if entry["ratio_high"] < 1 else "over" if entry["ratio_low"] > 1 else "in line"
        rows.append(entry)
    columns = [
        "group",
        "people",
        "share",
        "share_low",
        "share_high",
        "benchmark",
        "ratio",
        "ratio_low",
        "ratio_high",
        "verdict",
        "shown",
        "compared",
    ]
    return pd.DataFrame(rows).reindex(columns=columns)


def represented_in_words(table: pd.DataFrame, dimension: str) -> str:
    """'Under-represented: Asian, Black. Over-represented: White.' from a representation table."""
    parts = []
    for verdict, words in (("under", "Under-represented"), ("over", "Over-represented")):
        groups = table.loc[table["verdict"] == verdict, "group"].tolist()
        if dimension == "imd_quintile":
            groups = [f"IMD quintile {g}" for g in groups]
        if groups:
            parts.append(f"{words}: {', '.join(groups)}.")
    return " ".join(parts) or "No group is clearly under- or over-represented: every interval includes 1."


# Deprivation --------------------------------------------------------------------------------------

_CORE20_SQL = f"""
    SELECT count(*), count(imd_decile), count(*) FILTER (WHERE imd_decile <= 2) FROM ({with_profile(REACHED_SQL)})
"""


def core20(con: Con, f: Filters) -> dict:
    """People reached living in the most deprived 20% of areas (IMD deciles 1–2), of those whose decile is known."""
    reached, known, most_deprived = fetch_rows(con, _CORE20_SQL, sql_params(f))[0]
    return {
        "reached": reached,
        "known": known,
        "core20": most_deprived,
        "share": most_deprived / known if known else None,
    }


def core20_by_quarter(con: Con, f: Filters, min_count: int = SUPPRESSION_THRESHOLD) -> pd.DataFrame:
    """Core20 share per quarter; withheld with fewer than ``min_count`` people whose decile is known, or a Core20
    count of 1 to min_count − 1 (beside the known count, the share would give that small count away)."""
    rows = []
    for q in quarters(f.period):
        found = core20(con, f.with_period(q))
        shown = found["known"] >= min_count and not 0 < found["core20"] < min_count
        rows.append(
            {"quarter": quarter_label(q.start), "known": found["known"], "share": found["share"] if shown else None}
        )
    return pd.DataFrame(rows)


def profile(con: Con, f: Filters, dimension: str) -> pd.DataFrame:
    """People reached per group (age bands and quintiles in order), with each group's share of everyone reached
    ('Not known' included)."""
    frame = reach_by(con, f, dimension)
    order = BY_KEY[dimension].ordered
    if order:
        rank = {g: i for i, g in enumerate(order)}
        frame = frame.sort_values("group", key=lambda groups: groups.map(lambda g: rank.get(g, len(rank))))
    total = frame["people"].sum()
    return frame.reset_index(drop=True).assign(share=frame["people"].to_numpy() / total if total else None)
