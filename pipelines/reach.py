"""The Reach page's figures: activity, who the service reaches, and how that compares with the population served.

Each group's share of the people reached, with a 95% Wilson interval, beside its share of the benchmark population,
and the people that would match that share; a group is reached fewer or more than its share only where the whole
interval is below or above it. People whose group is not known, or not in the benchmark, are left out of the shares
compared, and counted. Deprivation: Core20 is the most deprived 20% of areas (IMD deciles 1–2); reaching them more
than their share is the aim. The functions that take a ``Disclosure`` give what a page or a file may show
(pipelines/disclosure.py); the others give exact counts.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd

from pipelines import reference, settings, words
from pipelines.dimensions import BENCHMARKED, BY_KEY, PROFILED, labels
from pipelines.disclosure import MIN_COUNT, Disclosure
from pipelines.periods import fy_quarter, quarter_label, quarters, quarters_within
from pipelines.query import (
    ACTIVITY_MATCH,
    ATTENDED,
    ATTENDED_SQL,
    ATTENDED_TO_END_SQL,
    FIRST_SEEN_SQL,
    REACHED_SQL,
    REGISTER_SQL,
    SESSION_BANDS,
    Con,
    Filters,
    activity_params,
    fetch_frame,
    fetch_rows,
    one_of,
    or_not_recorded,
    periods_table,
    session_band,
    sql_params,
    with_profile,
)
from pipelines.stats import wilson

ENGLAND = "England (Census 2021)"
CENSUS = " (Census 2021)"  # after the name of a local area compared with, e.g. "Dudley (Census 2021)"
LOCAL_DIMENSIONS = (*BENCHMARKED, "ethnicity")  # what the shipped local-authority table gives Reach
ENGLAND_FILE = Path(__file__).resolve().parent / "reference" / "england_census2021.csv"
MIX = {"activity": "activity", "activity_type": "type of activity", "delivery": "delivery"}
PROFILE_DIMENSIONS = labels(PROFILED)


def _reach_sql(since: str) -> str:
    """Reach counts per value of ``since``, the day from which a person's first session makes them new."""
    return f"""
        SELECT since,
            count(DISTINCT participant_id) FILTER (WHERE {ATTENDED}) AS reached,
            count(DISTINCT participant_id) FILTER (WHERE {ATTENDED} AND first_day >= since) AS new,
            count(*) FILTER (WHERE {ATTENDED}) AS attendances,
            count(*) FILTER (WHERE attended = 'did not attend') AS did_not_attend,
            count(DISTINCT (activity, session_date)) FILTER (WHERE {ATTENDED}) AS sessions_delivered
        FROM (SELECT *, {since} AS since FROM ({REGISTER_SQL})) LEFT JOIN ({FIRST_SEEN_SQL}) USING (participant_id)
        GROUP BY since
    """  # a person attending in the period first came on or before its end, so first_day >= since means new


REACH_COUNTS = ("reached", "new", "attendances", "did_not_attend", "sessions_delivered")
KEPT_SQL = f"""
    SELECT quarter_start AS since, {", ".join(REACH_COUNTS)} FROM attendance_by_quarter
    WHERE quarter_start BETWEEN $start AND $end AND (CASE WHEN $all_acts THEN every_activity ELSE activity = $acts[1] END)
"""  # the counts kept at load time (store.BY_QUARTER), as _reach_sql gives them per quarter


def kept_for(f: Filters) -> bool:
    """Whether the reach counts kept at load time answer for ``f``: whole quarters, and every activity or one."""
    whole_quarters = fy_quarter(f.period.start).start == f.period.start and fy_quarter(f.period.end).end == f.period.end
    return whole_quarters and len(f.activities) <= 1


def reach(con: Con, f: Filters, kept: bool = True) -> dict[str, int]:
    """Reached, new, attendances, did not attend and sessions delivered in the period: read from the counts kept at
    load time for one quarter (unless not ``kept``), worked out from the register otherwise."""
    if kept and kept_for(f) and fy_quarter(f.period.start) == f.period:
        found = fetch_rows(con, KEPT_SQL, sql_params(f))
    else:
        found = fetch_rows(con, _reach_sql("CAST($start AS DATE)"), sql_params(f))
    return dict(zip(REACH_COUNTS, found[0][1:] if found else [0] * len(REACH_COUNTS), strict=True))


def reach_by(con: Con, f: Filters, dimension: str) -> pd.DataFrame:
    """People reached in the period per group of one dimension ("Not known" counted, never dropped)."""
    one_of(dimension, BY_KEY, "dimension")
    return fetch_frame(
        con,
        f"""SELECT "{dimension}" AS "group", count(*) AS people FROM ({with_profile(REACHED_SQL)})
        GROUP BY 1 ORDER BY 2 DESC, 1""",
        sql_params(f),
    )


def reach_by_quarter(con: Con, f: Filters, kept: bool = True) -> pd.DataFrame:
    """Reached, new, returning, attendances, did-not-attend rate and sessions in each financial quarter: read from the
    counts kept at load time where they answer (unless not ``kept``), worked out from the register otherwise."""
    sql = KEPT_SQL if kept and kept_for(f) else _reach_sql("date_trunc('quarter', session_date)")
    found = fetch_frame(con, sql, sql_params(f)).rename(columns={"since": "quarter_start"})
    found["quarter_start"] = [pd.Timestamp(t).date() for t in found["quarter_start"]]
    starts = pd.DataFrame({"quarter_start": [q.start for q in quarters(f.period)]})
    frame = starts.merge(found, on="quarter_start", how="left").fillna(0).astype(dict.fromkeys(REACH_COUNTS, "int64"))
    frame.insert(0, "quarter", [quarter_label(d) for d in frame["quarter_start"]])
    rates = [dna_rate(a, d) for a, d in zip(frame["attendances"], frame["did_not_attend"], strict=True)]
    return frame.assign(returning=frame["reached"] - frame["new"], dna_rate=pd.Series(rates, dtype="float64"))


def dna_rate(attendances: int, did_not_attend: int) -> float | None:
    """Did-not-attend rows as a share of attended and did-not-attend rows (cancellations count as neither)."""
    booked = attendances + did_not_attend
    return did_not_attend / booked if booked else None


def reach_figures(con: Con, f: Filters, disclosure: Disclosure) -> dict:
    """The period's reach as a page may show it: people reached, new and returning (parts of those reached) as safe
    counts with their ``labels``; attendances and sessions delivered (not counts of people) and the did-not-attend
    rate as they are."""
    found = reach(con, f)
    reached = f.key("reached")
    split = disclosure.parts(
        {"new": found["new"], "returning": found["reached"] - found["new"]}, key=reached, whole=reached
    )
    people = {"reached": disclosure.count(found["reached"], reached)}
    people |= {who: None if pd.isna(n) else int(n) for who, n in split["people"].items()}
    labels = {"reached": disclosure.label(found["reached"], reached), **split["label"].to_dict()}
    for key in ("attendances", "sessions_delivered"):
        people[key], labels[key] = found[key], f"{found[key]:,}"
    return {**people, "dna_rate": dna_rate(found["attendances"], found["did_not_attend"]), "labels": labels}


def quarterly(con: Con, f: Filters, disclosure: Disclosure) -> pd.DataFrame:
    """``reach_by_quarter`` as a page may show it: per quarter, people reached, new and returning (parts of
    them) as nullable counts with ``*_label`` columns; attendances, did-not-attend rate and sessions as they are."""
    exact = reach_by_quarter(con, f)
    safe = exact[["quarter", "attendances", "dna_rate", "sessions_delivered"]].copy()
    keys = [f.with_period(q).key("reached") for q in quarters_within(f.period)]
    safe["reached"] = pd.array([disclosure.count(n, k) for n, k in zip(exact["reached"], keys, strict=True)], "Int64")
    safe["reached_label"] = [disclosure.label(n, k) for n, k in zip(exact["reached"], keys, strict=True)]
    split = [
        disclosure.parts({"new": n, "returning": r}, key=k, whole=k)
        for n, r, k in zip(exact["new"], exact["returning"], keys, strict=True)
    ]
    for who in ("new", "returning"):
        safe[who] = pd.array([s.loc[who, "people"] for s in split], dtype="Int64")
        safe[f"{who}_label"] = [s.loc[who, "label"] for s in split]
    return safe


def mix_counts(con: Con, f: Filters, by: str) -> pd.DataFrame:
    """People, attendances and sessions in the period per activity, type of activity or delivery mode."""
    one_of(by, MIX, "grouping")
    counted = """count(DISTINCT participant_id) AS people, count(*) AS attendances,
        count(DISTINCT (activity, session_date)) AS sessions"""
    grouped = f"""SELECT {or_not_recorded(f'"{by}"')} AS "group", {counted} FROM ({ATTENDED_SQL})"""
    return fetch_frame(con, f"{grouped} GROUP BY 1 ORDER BY 2 DESC, 1", sql_params(f))


def mix(con: Con, f: Filters, by: str, disclosure: Disclosure) -> pd.DataFrame:
    """``mix_counts`` as a page may show it (a person may take part in several: no secondary suppression)."""
    return disclosure.groups(mix_counts(con, f, by), "people", secondary=False, key=f.key(by))


def retention_counts(con: Con, f: Filters) -> dict:
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


def retention(con: Con, f: Filters, disclosure: Disclosure) -> dict:
    """``retention_counts`` as a page may show it: the bands of sessions as groups of those reached (``group``
    column), and the new people who came back as a part of the new (hidden with the rest when either is small)."""
    found = retention_counts(con, f)
    reached = f.key("reached")
    bands = disclosure.groups(
        found["bands"].rename(columns={"band": "group"}), "people", key=f.key("sessions"), whole=reached
    )
    came_back = disclosure.part_of(found["came_back"], found["new"], key=f.key("came back"), whole=f"{reached}:new")
    return {"bands": bands, "came_back": came_back}


def referral_sources(con: Con, f: Filters, disclosure: Disclosure) -> pd.DataFrame:
    return disclosure.groups(
        reach_by(con, f, "referral_source"), "people", key=f.key("referral_source"), whole=f.key("reached")
    )


# Benchmarks ---------------------------------------------------------------------------------------


def population_sheets(con: Con) -> list[str]:
    return [r[0] for r in fetch_rows(con, "SELECT DISTINCT area FROM population ORDER BY 1")]


def our_area(con: Con) -> str | None:
    """The local authorities chosen in Settings as a benchmark, e.g. "Dudley and Sandwell (Census 2021)"."""
    chosen = settings.area(con)
    return chosen.name + CENSUS if chosen else None


def benchmark_areas(con: Con) -> list[str]:
    """England from Census 2021, the charity's own area (Settings), then every population sheet loaded."""
    return [ENGLAND, *filter(None, [our_area(con)]), *population_sheets(con)]


def default_area(con: Con) -> str:
    """What Reach compares with unless the reader picks another: a loaded population sheet (the charity's own
    figures), else the area chosen in Settings, else England."""
    return next(iter([*population_sheets(con), *filter(None, [our_area(con)])]), ENGLAND)


def place(area: str) -> str:
    """The place a benchmark stands for: 'Dudley' for 'Dudley (Census 2021)', a population sheet's area as named."""
    return area.removesuffix(CENSUS)


def area_note(con: Con, area: str) -> str | None:
    """Why Reach compares with England when the charity has not said where it works, with the areas suggested."""
    if area != ENGLAND or our_area(con) or population_sheets(con):
        return None
    return f"Compared with England because no area is chosen yet. {settings.suggestion(con)}"


def benchmark(con: Con, area: str) -> pd.DataFrame:
    """Shares (0–1) per dimension and group: England's as shipped, the area chosen in Settings (Census 2021 and
    IMD 2019, its authorities added together), or a loaded area's (counts become shares)."""
    if area == ENGLAND:
        with ENGLAND_FILE.open(encoding="utf-8") as handle:
            rows = [{**r, "share": float(r["share"]) / 100} for r in csv.DictReader(handle)]
        return pd.DataFrame(rows)[["dimension", "group", "share", "source"]]
    chosen = settings.area(con)
    if chosen and area == chosen.name + CENSUS and area not in population_sheets(con):
        return _census_benchmark(chosen)
    return fetch_frame(
        con,
        """SELECT dimension, "group",
            coalesce(count / sum(count) OVER (PARTITION BY dimension),
                     share / sum(share) OVER (PARTITION BY dimension)) AS share,
            'Loaded population sheet: ' || area AS source
        FROM population WHERE area = $area""",
        {"area": area},
    )


def _census_benchmark(chosen: settings.Area) -> pd.DataFrame:
    found = reference.population(list(chosen.codes))
    source = f"ONS Census 2021 and English Indices of Deprivation 2019: {chosen.name}"
    return pd.DataFrame(
        [
            {"dimension": dimension, "group": group, "share": figures["share"] / 100, "source": source}
            for dimension, groups in found.items()
            if dimension in LOCAL_DIMENSIONS
            for group, figures in groups.items()
        ],
        columns=["dimension", "group", "share", "source"],
    )


REPRESENTATION_FIGURES = ["share", "share_low", "share_high", "to_match", "gap", "verdict"]
DEPRIVATION = "imd_quintile"
MOST_DEPRIVED = BY_KEY[DEPRIVATION].ordered[0]  # quintile 1: deciles 1-2, the Core20 areas
CORE20 = (
    "Core20 is the most deprived 20% of areas in England by the Index of Multiple Deprivation (IMD deciles 1 and 2), "
    "where NHS England focuses its work to reduce health inequalities."
)
DEPRIVATION_AIM = (
    f"{CORE20} Reaching them more than their share is the aim, so fewer people than their share from less deprived "
    "areas is no cause for concern."
)
# How a group compares with the population, by tone: words, and a marker so that colour is never the only signal
READINGS = {
    "short": ("▼", "fewer than their share"),
    "in line": ("●", "in line with their share"),
    "more": ("▲", "more than their share"),
    "aim": ("▲", "more than their share: the aim"),
    "neutral": ("▼", "fewer than their share"),
    "neutral more": ("▲", "more than their share"),
    "withheld": ("", "too few people to show a share"),
}


def representation(con: Con, f: Filters, dimension: str, area: str, disclosure: Disclosure) -> pd.DataFrame:
    """Per group: people reached (safe, labelled), their share of those with a benchmark group with its 95% Wilson
    interval, the benchmark share, the people that would match it (``to_match``) and how many more than now
    (``gap``); ``verdict`` 'under' or 'over' where the whole interval is below or above the benchmark share, with
    its ``tone``, ``marker`` and ``reading`` in words (``tone_of``) and ``match`` (``to_match_in_words``). Groups in
    order, with the ``name`` a page gives them.

    The people compared are a whole the shares give away, so the groups compared are suppressed as parts of it (a
    second one hidden where a small one could be worked out); the others (not known, no benchmark) are hidden when
    small. Figures come from the published counts and are withheld for hidden groups, except the people that would
    match the population, which the published total and the benchmark give anyway."""
    table = reach_by(con, f, dimension).merge(_benchmark_of(con, area, dimension), on="group", how="outer")
    table = table.fillna({"people": 0}).astype({"people": "int64"})
    compared = table["benchmark"].notna()
    key, whole = f.key(dimension), f.key(f"{dimension} compared")
    total = disclosure.count(int(table.loc[compared, "people"].sum()), whole)
    safe = pd.concat(
        [
            disclosure.groups(table[compared], "people", key=key, whole=whole),
            disclosure.groups(table[~compared], "people", secondary=False, key=key),
        ]
    ).loc[table.index]
    not_compared = [f"{key}:{g}" for g in table.loc[~compared, "group"]]
    disclosure.relate(f.key("reached"), (whole, *not_compared))  # the people reached less those compared
    safe["hidden"] = safe["hidden"].astype(bool)  # an empty part of the concatenation leaves it as objects
    safe["compared"], safe["shown"] = compared, ~safe["hidden"]
    figures = [
        against_population(int(n), total, base, shown) if pd.notna(base) and total else {}
        for n, base, shown in zip(safe["people"].fillna(0), safe["benchmark"], safe["shown"], strict=True)
    ]
    safe = pd.concat([safe, pd.DataFrame(figures, index=safe.index, columns=REPRESENTATION_FIGURES)], axis=1)
    safe["to_match"], safe["gap"] = safe["to_match"].astype("Int64"), safe["gap"].astype("Int64")
    safe["tone"] = [tone_of(dimension, g, v) for g, v in zip(safe["group"], safe["verdict"], strict=True)]
    safe["marker"], safe["reading"] = zip(*(READINGS[t] for t in safe["tone"]), strict=True)
    safe["name"] = [group_name(dimension, g) for g in safe["group"]]
    safe["match"] = [to_match_in_words(row) for _, row in safe.iterrows()]
    return _in_order(safe, dimension)


def _benchmark_of(con: Con, area: str, dimension: str) -> pd.DataFrame:
    bench = benchmark(con, area)
    return bench[bench["dimension"] == dimension][["group", "share"]].rename(columns={"share": "benchmark"})


def against_population(people: int, total: int, base: float, shown: bool) -> dict:
    """A group's share of the people compared against its benchmark share, and the people that would match it."""
    to_match = math.floor(base * total + 0.5)
    if not shown:
        return {"to_match": to_match}
    low, high = wilson(people, total)
    verdict = "under" if high < base else "over" if low > base else "in line"
    return {
        "share": people / total,
        "share_low": low,
        "share_high": high,
        "to_match": to_match,
        "gap": to_match - people,
        "verdict": verdict,
    }


def _in_order(table: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Ordinal groups in their order, the others by their benchmark share, largest first; groups not compared last."""
    rank = {g: i for i, g in enumerate(BY_KEY[dimension].ordered)}
    key = [
        (not compared, rank.get(g, len(rank)), -(base if pd.notna(base) else 0), g)
        for g, base, compared in zip(table["group"], table["benchmark"], table["compared"], strict=True)
    ]
    order = sorted(range(len(table)), key=key.__getitem__)
    return table.iloc[order].reset_index(drop=True)


def tone_of(dimension: str, group: str, verdict: str | None) -> str:
    """How a group's verdict reads: fewer than their share is a shortfall ('short') and more is 'more', except for
    deprivation, where the aim is to reach the most deprived areas more than their share: more of them is 'aim',
    fewer of them 'short', and fewer or more from any other quintile is neutral."""
    if not isinstance(verdict, str):
        return "withheld"
    if verdict == "in line":
        return "in line"
    if dimension == DEPRIVATION:
        if group == MOST_DEPRIVED:
            return "aim" if verdict == "over" else "short"
        return "neutral more" if verdict == "over" else "neutral"
    return "more" if verdict == "over" else "short"


def group_name(dimension: str, group: str) -> str:
    """A group as a page names it: IMD quintiles say which end is the most deprived."""
    if dimension != DEPRIVATION:
        return group
    ends = {MOST_DEPRIVED: " (most deprived, Core20)", BY_KEY[DEPRIVATION].ordered[-1]: " (least deprived)"}
    return f"Quintile {group}{ends.get(group, '')}"


def people(n: int) -> str:
    return f"{n:,} {'person' if n == 1 else 'people'}"


def to_match_in_words(row: pd.Series | dict) -> str:
    """'To match the population: 23 people in all, 9 more than now'. "To match" is always the people in all that
    the group's share of the population would give; "more than now" the difference (not said when the count is
    hidden)."""
    if pd.isna(row["to_match"]):
        return ""
    said = f"To match the population: {people(int(row['to_match']))} in all"
    if pd.isna(row["gap"]):
        return said
    gap = int(row["gap"])
    return f"{said}, {abs(gap):,} {'more' if gap > 0 else 'fewer'} than now" if gap else f"{said}, as now"


def represented_in_words(table: pd.DataFrame, dimension: str) -> str:
    """'Fewer than their share of the population: Black, Mixed. More than their share: Asian.' from a
    representation table (the most deprived areas reached more than their share: 'the aim')."""
    parts = []
    for verdict, heading in (("under", "Fewer than their share of the population"), ("over", "More than their share")):
        groups = table.loc[table["verdict"] == verdict, "group"].tolist()
        if dimension == DEPRIVATION:
            groups = [
                group_name(dimension, g) + (" (the aim)" if verdict == "over" and g == MOST_DEPRIVED else "")
                for g in groups
            ]
        if groups:
            parts.append(f"{heading}: {', '.join(groups)}.")
    return " ".join(parts) or (
        "Every group is in line with its share of the population: no difference is clear beyond the margin of error."
    )


RESIDENTS = {
    ("ethnicity_group", "Mixed"): "Residents of mixed or multiple ethnic groups",
    ("ethnicity_group", "Other"): "Residents of other ethnic groups",
    ("gender", "Woman"): "Women",
    ("gender", "Man"): "Men",
    ("disability", "Yes"): "Disabled residents",
    ("disability", "No"): "Residents who are not disabled",
    ("age_band", "75+"): "Residents aged 75 and over",
    (DEPRIVATION, MOST_DEPRIVED): "Residents of the most deprived fifth of areas",
}
MOST_MISSED = 3  # groups the page's lead names with their figures


def residents(dimension: str, group: str) -> str:
    """A group as the people of a place: 'Asian residents', 'Residents aged 18-24', 'Women'."""
    if (dimension, group) in RESIDENTS:
        return RESIDENTS[dimension, group]
    if dimension == "age_band":
        return f"Residents aged {group}"
    if dimension == "ethnicity_group":
        return f"{group} residents"
    return f"Residents in the {group_name(dimension, group)} group"


def _percent(share: float) -> str:
    return f"{share:.1%}" if 0 < share < 0.01 else f"{share:.0%}"


def missed_in_words(table: pd.DataFrame, dimension: str, area: str, period_label: str) -> list[str]:
    """Each group reached clearly fewer than its share, largest shortfall first: 'Asian residents are 8% of the
    population of Dudley but 3% of the people reached (95% CI 2–5%): about 25 more people in financial year 2025-26
    would match it.' Groups whose figures are withheld are left out; deprivation other than the most deprived fifth
    is neutral (see ``tone_of``)."""
    return [sentence for _, sentence in _missed(table, dimension, area, period_label)]


def _missed(table: pd.DataFrame, dimension: str, area: str, period_label: str) -> list[tuple[int, str]]:
    """``missed_in_words`` with each group's shortfall, to put the groups of several dimensions in one order: the
    groups reached clearly fewer than their share, and those reached by too few to show (often the most missed)
    whose share of the population would give at least 8 people, said without their count."""
    short = table[(table["tone"] == "short") & table["gap"].notna()]
    found = [
        (
            int(r["gap"]),
            f"{residents(dimension, r['group'])} are {_percent(r['benchmark'])} of the population of "
            f"{place(area)} but {_percent(r['share'])} of the people reached (likely range "
            f"{_percent(r['share_low']).rstrip('%')}–{_percent(r['share_high'])}): to match their share, about "
            f"{people(int(r['to_match']))} in {period_label}, {int(r['gap']):,} more than now.",
        )
        for _, r in short.iterrows()
    ]
    too_few = table[table["compared"] & table["label"].str.startswith("<") & (table["to_match"] >= MIN_COUNT)]
    found += [
        (
            int(r["to_match"]) - 1,  # at least this short
            f"{residents(dimension, r['group'])} are {_percent(r['benchmark'])} of the population of {place(area)}, "
            f"but {r['label'].replace('<', 'fewer than ')} of the people reached are: to match their share, about "
            f"{people(int(r['to_match']))} in {period_label}.",
        )
        for _, r in too_few.iterrows()
    ]
    return sorted(found, key=lambda gap_and_words: -gap_and_words[0])


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


def deprivation(con: Con, f: Filters, disclosure: Disclosure) -> dict:
    """``core20`` as a page may show it: the Core20 people as a part of those with a known decile (``part_of``), and
    the people with no known area as a count of those reached."""
    found = core20(con, f)
    area = disclosure.parts(
        {"known": found["known"], "not known": found["reached"] - found["known"]},
        key=f.key("area"),
        whole=f.key("reached"),
    )
    return {
        "core20": disclosure.part_of(found["core20"], found["known"], key=f.key("core20"), whole=f.key("area:known")),
        "not_known": area.loc["not known", "label"],
    }


def core20_quarters(con: Con, f: Filters) -> pd.DataFrame:
    """Core20 per quarter of the period, exactly (``core20`` of each quarter): people with a known decile, in Core20,
    and the share."""
    periods = quarters(f.period)
    reached = f"""SELECT DISTINCT quarter, participant_id FROM attendance JOIN {periods_table(periods)}
        ON session_date BETWEEN q_start AND q_end WHERE {ATTENDED} AND {ACTIVITY_MATCH}"""
    found = {
        quarter: (known, most_deprived)
        for quarter, known, most_deprived in fetch_rows(
            con,
            f"""SELECT quarter, count(imd_decile), count(*) FILTER (WHERE imd_decile <= 2)
            FROM ({with_profile(reached)}) GROUP BY 1""",
            activity_params(f),
        )
    }
    rows = []
    for q in periods:
        known, most_deprived = found.get(quarter_label(q.start), (0, 0))
        share = most_deprived / known if known else None
        rows.append({"quarter": quarter_label(q.start), "known": known, "core20": most_deprived, "share": share})
    return pd.DataFrame(rows)


def core20_by_quarter(con: Con, f: Filters, disclosure: Disclosure) -> pd.DataFrame:
    """The Core20 share per quarter as a page may show it: withheld where the Core20 people or the others with a known
    decile are too few (beside the known count, the share would give a small count away); in export worked out
    from the rounded counts. ``known`` is the safe count of people with a known decile."""
    exact = core20_quarters(con, f)
    periods = [f.with_period(q) for q in quarters_within(f.period)]
    shares = [
        disclosure.part_of(c, k, key=q.key("core20"), whole=q.key("area:known"))["share"]
        for c, k, q in zip(exact["core20"], exact["known"], periods, strict=True)
    ]
    known = [disclosure.count(k, q.key("area:known")) for k, q in zip(exact["known"], periods, strict=True)]
    return pd.DataFrame(
        {"quarter": exact["quarter"], "known": pd.array(known, "Int64"), "share": pd.Series(shares, dtype="float64")}
    )


def profile_counts(con: Con, f: Filters, dimension: str) -> pd.DataFrame:
    """People reached per group (age bands and quintiles in order), with each group's share of everyone reached
    ('Not known' included)."""
    frame = reach_by(con, f, dimension)
    order = BY_KEY[dimension].ordered
    if order:
        rank = {g: i for i, g in enumerate(order)}
        frame = frame.sort_values("group", key=lambda groups: groups.map(lambda g: rank.get(g, len(rank))))
    total = frame["people"].sum()
    return frame.reset_index(drop=True).assign(share=frame["people"].to_numpy() / total if total else None)


def profile(con: Con, f: Filters, dimension: str, disclosure: Disclosure) -> pd.DataFrame:
    """``profile_counts`` as a page may show it: every group labelled, shares from the published counts."""
    return disclosure.groups(
        profile_counts(con, f, dimension).drop(columns="share"),
        "people",
        share_col="share",
        key=f.key(dimension),
        whole=f.key("reached"),
    )


# The page's lead --------------------------------------------------------------------------------------------------


def in_brief(con: Con, f: Filters, area: str, disclosure: Disclosure) -> list[str]:
    """The page's lead in plain words: how many people are reached, which groups fewer or more than their share of
    the population, and the share from the most deprived areas."""
    now = reach_figures(con, f, disclosure)["labels"]
    if now["reached"] == "0":
        return [f"Nobody attended a session in {f.period.label}."]
    new = words.in_sentence(now["new"])
    lines = [
        f"In {f.period.label}, **{words.people(now['reached'])}** took part in at least one session"
        + (f"; {new} of them were new to the service." if new else ".")
    ]
    bench = benchmark(con, area)
    compared = set(bench["dimension"])
    local_core20 = ((bench["dimension"] == DEPRIVATION) & (bench["group"] == MOST_DEPRIVED)).any()
    tables = {d: representation(con, f, d, area, disclosure) for d in BENCHMARKED if d in compared and d != DEPRIVATION}
    fewer, more = (_groups_with(tables, verdict) for verdict in ("under", "over"))
    missed = sorted(
        (found for d, table in tables.items() for found in _missed(table, d, area, f.period.label)),
        key=lambda found: -found[0],
    )
    if missed:
        among = f" among {fewer}" if fewer else ""
        lines.append(
            f"**Who is missed:** compared with {area}, the service reaches fewer people than their share of "
            f"the population{among}. " + " ".join(sentence for _, sentence in missed[:MOST_MISSED])
        )
    else:
        lines.append(
            f"**Who is missed:** compared with {area}, no group is clearly reached less than its share of "
            "the population."
        )
    if more:
        lines.append(f"**Reached more than their share:** {more}.")
    lines.append(_core20_in_words(con, f, area if local_core20 else ENGLAND, disclosure))
    lines.append(
        "Fewer or more than their share means the group's share of the people reached is clearly below or above its "
        "share of the population: beyond what chance alone could explain (the 95% interval leaves it out)."
    )
    return lines


def _groups_with(tables: dict[str, pd.DataFrame], verdict: str) -> str:
    """'White (ethnic group); 65-74, 75+ (age band)': the groups of each dimension with that verdict."""
    found = [
        f"{', '.join(table.loc[table['verdict'] == verdict, 'group'])} ({BY_KEY[d].label})"
        for d, table in tables.items()
        if (table["verdict"] == verdict).any()
    ]
    return "; ".join(found)


def core20_benchmark(con: Con, area: str) -> tuple[float, str]:
    """The share of a place's residents living in the most deprived 20% of England's areas, and the place: the area
    chosen (28% in Dudley), or England's 20% where the area's figures have no deprivation."""
    bench = benchmark(con, area)
    found = bench[(bench["dimension"] == DEPRIVATION) & (bench["group"] == MOST_DEPRIVED)]["share"]
    return (float(found.iloc[0]), place(area)) if len(found) else (0.2, place(ENGLAND))


def _core20_in_words(con: Con, f: Filters, area: str, disclosure: Disclosure) -> str:
    """The Core20 share, against England's 20% or, for a local area, against the share of its residents living there
    (28% in Dudley)."""
    core20 = deprivation(con, f, disclosure)["core20"]
    if core20["share"] is None:
        return "**Deprivation:** too few people have a known area to give the share from the most deprived areas."
    quintile = representation(con, f, DEPRIVATION, area, disclosure).set_index("group").loc[MOST_DEPRIVED]
    verdict = {"aim": " That is more than their share: the aim.", "short": " That is fewer than their share."}
    expected = (
        "if the service reached every area equally, it would be 20%"
        if area == ENGLAND
        else f"{quintile['benchmark']:.0%} of the population of {place(area)} live there"
    )
    return (
        f"**Deprivation:** {core20['share']:.0%} of the people whose area is known live in the most deprived 20% of "
        "areas in England (Core20, a focus of NHS England for reducing health inequalities); "
        f"{expected}.{verdict.get(quintile['tone'], '')}"
    )
