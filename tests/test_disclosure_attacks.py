"""An attacker with a viewer's account. It collects every count of people a viewer is shown, on every page and in
every document, across filters (financial years, a quarter, custom periods a month apart, one activity, two
activities and both together), and tries every way it knows to work a hidden count of 1 to 7 out of them:

- complements within each partition, and within everything the page's relations tie together (a linear programme
  over every count, as someone with a spreadsheet and patience would solve it);
- totals recovered from shares;
- differences between nested or overlapping filters (the people seen in a longer period and not a shorter one; the
  people in both of two activities);
- the same count as the page, its downloads and the report pack write it.

A count is worked out when what is shown pins it to one whole number from 1 to 7. The attacker reports what it
tried in ``tests/artifacts/disclosure-attacks.txt``.

It reads what is shown through the same registered figure functions the pages, downloads and documents publish
with (pipelines/published.py); tests/test_viewer_mode.py checks that a viewer's pages show those numbers."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy.optimize import linprog

from pipelines import inventory, published
from pipelines.disclosure import MIN_COUNT, ROUND_TO, WITHHELD, Disclosure, PublishedSet
from pipelines.periods import Period, add_months, financial_year, quarters, whole_months
from pipelines.query import Filters
from pipelines.report import Scope
from tests.helpers import load, workbook

VIEWER, EXPORT = Disclosure.viewer(), Disclosure.export()
REPORT = Path(__file__).resolve().parent / "artifacts" / "disclosure-attacks.txt"
PERIOD_KEY = re.compile(r"^(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2}) (.*)$")


# What a viewer reads ----------------------------------------------------------------------------------------


def interval(label: str, rounded: bool = True) -> tuple[float, float]:
    """What a written count tells about the true one: '<8' 1 to 7; '–' at least 1 (hidden, never empty); '0' 0;
    '525' (rounded to 5, so at least 8) 523 to 527, or exactly 525 where counts are not rounded."""
    if label == f"<{MIN_COUNT}":
        return 1, MIN_COUNT - 1
    if label == WITHHELD:
        return 1, math.inf
    n = int(label.replace(",", ""))
    if n == 0 or not rounded:
        return n, n
    return max(MIN_COUNT, n - ROUND_TO // 2), n + ROUND_TO // 2


@dataclass
class Seen:
    """Everything a viewer reads under one set of filters, from every output: each count's intervals, the
    relations the pages draw (public: 'the groups add up to the people reached'), and the outputs it came from."""

    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)
    relations: set = field(default_factory=set)
    outputs: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # output -> key -> labels written
    shares: list = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)  # written '<8' or '–' somewhere
    signed: set[str] = field(default_factory=set)  # changes between periods: the only figures below 0

    def add(self, output: str, found: PublishedSet, rounded: bool = True) -> None:
        self.relations |= found.relations
        self.signed |= found.signed
        self.shares += [(part, whole, share, output) for part, whole, share in found.shares]
        for key, labels in found.shown.items():
            self.outputs.setdefault(key, set()).add(output)
            self.labels.setdefault(output, {}).setdefault(key, set()).update(labels)
            for label in labels:
                if label in (f"<{MIN_COUNT}", WITHHELD):
                    self.hidden.add(key)
                low, high = interval(label, rounded)
                old = self.bounds.get(key, (0, math.inf))
                self.bounds[key] = (max(old[0], low), min(old[1], high))


def seen(con: Remembering, f: Filters, rules: Disclosure = VIEWER, protected: bool = True) -> Seen:
    """Everything a reader can open under ``f``, as the app publishes it: the pages under ``rules`` (a viewer's, which
    are the downloads' export rules: tests/test_viewer_mode.py) and the report pack, each hiding the filters'
    published set (unless not ``protected``: each chart suppressing on its own, as before the set)."""
    found, every_page = Seen(), published.site_figures(con, f)
    hidden = published.site(con, f, rules) if protected else frozenset()
    found.add("pages and their downloads", published.observed(every_page, rules.hiding(hidden)), rules.rounded)
    document = published.report_figures(con, Scope(f))
    found.add("report pack", published.observed(document, EXPORT.hiding(hidden)))  # solved alike: rules alike
    return found


class Remembering:
    """A connection that answers a query it has answered before from memory: the attacker reads each page three
    ways, and the figures are the same each time."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.answers = con, {}

    def execute(self, sql: str, params: object = None) -> Answer:
        return Answer(self, sql, params)

    def cursor(self) -> Remembering:
        return self


@dataclass
class Answer:
    remembering: Remembering
    sql: str
    params: object

    def _get(self, how: str):
        key = (self.sql, repr(self.params), how)
        if key not in self.remembering.answers:
            result = self.remembering.con.execute(self.sql, self.params)
            self.remembering.answers[key] = getattr(result, how)()
        found = self.remembering.answers[key]
        return found.copy() if hasattr(found, "copy") else found

    def fetchall(self):
        return self._get("fetchall")

    def fetchone(self):
        return self._get("fetchone")

    def df(self):
        return self._get("df")


# Working counts out -----------------------------------------------------------------------------------------


def worked_out(bounds: dict[str, tuple[float, float]], relations: set, target: dict[str, float]) -> tuple[float, float]:
    """The least and most the ``target`` (a count, or several added up: key -> 1) can be: a linear programme over
    every count, each within what is shown and the relations holding exactly."""
    keys = sorted({*bounds, *target, *(c for whole, parts in relations for c in (whole, *parts))})
    index = {k: i for i, k in enumerate(keys)}
    rows = np.zeros((len(relations), len(keys)))
    for row, (whole, parts) in enumerate(sorted(relations)):
        rows[row, index[whole]] += 1
        for part in parts:
            rows[row, index[part]] -= 1
    limits = [tuple(None if math.isinf(v) else v for v in bounds.get(k, (0, math.inf))) for k in keys]
    found = []
    for sign in (1, -1):
        objective = np.zeros(len(keys))
        for k, c in target.items():
            objective[index[k]] = sign * c
        solved = linprog(objective, A_eq=rows, b_eq=np.zeros(len(relations)), bounds=limits, method="highs")
        assert solved.status in (0, 3), f"what is shown is not consistent: {solved.message}"
        found.append(sign * solved.fun if solved.status == 0 else -sign * math.inf)  # 3: no bound that way
    return found[0], found[1]


def pinned_small(low: float, high: float) -> bool:
    """Pinned to one whole number from 1 to 7."""
    if math.isinf(low) or math.isinf(high):
        return False
    whole = math.ceil(low - 1e-6)
    return whole == math.floor(high + 1e-6) and 1 <= whole < MIN_COUNT


def components(relations: set) -> list[set]:
    """The relations in groups that share a count, so that each linear programme stays small."""
    groups: list[tuple[set[str], set]] = []
    for relation in relations:
        cells = {relation[0], *relation[1]}
        joined = [g for g in groups if g[0] & cells]
        merged = (cells.union(*(g[0] for g in joined)), {relation}.union(*(g[1] for g in joined)))
        groups = [g for g in groups if g not in joined] + [merged]
    return [g[1] for g in groups]


@dataclass
class Attacker:
    """Tries each family of attack and counts what it tried and what it found."""

    tried: Counter = field(default_factory=Counter)
    recovered: list[str] = field(default_factory=list)

    def complements(self, name: str, found: Seen) -> None:
        """Each hidden count, and the hidden parts of each whole added up (people in the hidden groups together),
        against everything its relations tie it to."""
        for relations in components(found.relations):
            cells = {c for whole, parts in relations for c in (whole, *parts)}
            bounds = {k: found.bounds.get(k, (-math.inf if k in found.signed else 0, math.inf)) for k in cells}
            targets = {key: {key: 1} for key in sorted(cells & found.hidden)}
            for whole, parts in sorted(relations):
                together = sorted(set(parts) & found.hidden)
                if whole not in found.hidden and len(together) > 1:
                    targets[" + ".join(together)] = dict.fromkeys(together, 1)
            for label, target in targets.items():
                self.tried["complements within partitions"] += 1
                low, high = worked_out(bounds, relations, target)
                if pinned_small(low, high):
                    self.recovered.append(f"{name}: {label} is {low:g} (complements)")

    def shares(self, name: str, found: Seen) -> None:
        """A whole worked back from a part and its share (written to the whole percent): whole ≈ part ÷ share."""
        for part, whole, share, output in found.shares:
            self.tried["totals recovered from shares"] += 1
            p_low, p_high = found.bounds.get(part, (0, math.inf))
            written = round(share, 2)
            if written <= 0:
                continue
            low, high = p_low / (written + 0.005), p_high / max(written - 0.005, 1e-9)
            w_low, w_high = found.bounds.get(whole, (0, math.inf))
            low, high = max(low, w_low), min(high, w_high)
            rest_low, rest_high = low - p_high, high - p_low  # the whole less the part: people not in it
            if pinned_small(max(rest_low, 0), rest_high):
                self.recovered.append(f"{name} {output}: {whole} less {part} is {rest_low:g} (share)")

    def outputs(self, name: str, found: Seen) -> None:
        """The same count as each output writes it: all must agree for a viewer."""
        for key, outputs in found.outputs.items():
            if len(outputs) < 2:
                continue
            self.tried["screen against downloads against the report pack"] += 1
            written = {o: found.labels[o][key] for o in outputs}
            if len({frozenset(labels) for labels in written.values()}) > 1:
                self.recovered.append(f"{name}: {key} is written differently: {written}")

    def differences(self, name: str, wider: Seen, narrower: Seen, pairs: list[tuple[str, str]]) -> None:
        """The people counted under the wider filters and not the narrower (nested periods): never fewer than 0."""
        for wide_key, narrow_key in pairs:
            if wide_key not in wider.bounds or narrow_key not in narrower.bounds:
                continue
            self.tried["differences between nested or overlapping filters"] += 1
            w_low, w_high = wider.bounds[wide_key]
            n_low, n_high = narrower.bounds[narrow_key]
            low, high = max(w_low - n_high, 0), w_high - n_low
            if pinned_small(low, high):
                self.recovered.append(f"{name}: {wide_key} less {narrow_key} is {low:g} (difference)")

    def overlap(self, name: str, a: Seen, b: Seen, both: Seen, keys: tuple[str, str, str]) -> None:
        """The people in both of two activities: reached in one plus the other less either."""
        if not all(k in s.bounds for k, s in zip(keys, (a, b, both), strict=True)):
            return
        self.tried["differences between nested or overlapping filters"] += 1
        (a_low, a_high), (b_low, b_high), (u_low, u_high) = (
            s.bounds[k] for k, s in zip(keys, (a, b, both), strict=True)
        )
        low, high = max(a_low + b_low - u_high, 0), a_high + b_high - u_low
        if pinned_small(low, high):
            self.recovered.append(f"{name}: people in both activities is {low:g} (overlap)")

    def report(self, title: str) -> str:
        lines = [
            f"{title}: {sum(self.tried.values()):,} combinations tried, {len(self.recovered)} small counts worked out"
        ]
        lines += [f"  {family}: {n:,}" for family, n in sorted(self.tried.items())]
        lines += [f"  WORKED OUT {r}" for r in self.recovered]
        return "\n".join(lines)


def same_kind(wider: Seen, narrower: Seen) -> list[tuple[str, str]]:
    """Pairs of keys counting the same people-group over two periods: 'reached', 'age_band:25-34'…"""
    narrow = {PERIOD_KEY.match(k)[3]: k for k in narrower.bounds if PERIOD_KEY.match(k)}
    return [
        (k, narrow[m[3]]) for k in wider.bounds if (m := PERIOD_KEY.match(k)) and m[3] in narrow and _monotone(m[3])
    ]


def _monotone(kind: str) -> bool:
    """People reached, in total or in a group of a dimension: never fewer over a longer period."""
    head = kind.split(":")[0]
    return kind == "reached" or head in (
        "age_band",
        "gender",
        "ethnicity_group",
        "ethnicity",
        "disability",
        "sexual_orientation",
        "imd_quintile",
        "referral_source",
        "activity",
    )


# The datasets -----------------------------------------------------------------------------------------------


def attack(con: duckdb.DuckDBPyConnection, title: str, views: list[Filters]) -> Attacker:
    """Every attack on what a viewer sees under each of ``views``, and between them; the report appended to
    tests/artifacts/disclosure-attacks.txt."""
    con, attacker = Remembering(con), Attacker()
    found = {f: seen(con, f) for f in views}
    for f, view in found.items():
        name = f"{f.period.label}, {', '.join(f.activities) or 'all activities'}"
        attacker.complements(name, view)
        attacker.shares(name, view)
        attacker.outputs(name, view)
    for wide, narrow in itertools.permutations(found, 2):
        nested = narrow.period.start >= wide.period.start and narrow.period.end <= wide.period.end
        if wide.activities == narrow.activities and nested:
            pairs = same_kind(found[wide], found[narrow])
            attacker.differences(
                f"{wide.period.label} against {narrow.period.label}", found[wide], found[narrow], pairs
            )
    for both in (f for f in found if len(f.activities) == 2):
        one, other = (Filters(both.period, (a,)) for a in both.activities)
        if one in found and other in found:
            key = both.key("reached")
            attacker.overlap(
                f"{both.period.label}, {' and '.join(both.activities)}",
                found[one],
                found[other],
                found[both],
                (key, key, key),
            )
    REPORT.parent.mkdir(exist_ok=True)
    with REPORT.open("a", encoding="utf-8") as out:
        out.write(attacker.report(title) + "\n\n")
    print(attacker.report(title))
    return attacker


def filter_sets(year: Period, activities: tuple[str, str]) -> list[Filters]:
    """The year; a month shorter (the whole months a viewer may choose); its last quarter; the year for each of two
    activities and for both; with IMPACT_ATTACKS=thorough also the year before, every quarter, every month-shorter
    period, and each activity alone in each quarter."""
    a, b = activities
    shorter = whole_months(Period(year.start, add_months(year.end, -1)))
    views = [Filters(year), Filters(shorter), Filters(quarters(year)[-1])]
    views += [Filters(year, (a,)), Filters(year, (b,)), Filters(year, (a, b))]
    if os.environ.get("IMPACT_ATTACKS") == "thorough":
        views += [Filters(financial_year(year.start - dt.timedelta(days=1)))]
        views += [Filters(whole_months(Period(year.start, add_months(year.end, -k)))) for k in range(2, 12)]
        views += [Filters(q, (x,)) for q in quarters(year) for x in (a, b)] + [Filters(q) for q in quarters(year)]
    return list(dict.fromkeys(views))


def test_a_viewer_of_the_sample_works_out_no_small_count(sample: duckdb.DuckDBPyConnection) -> None:
    year = inventory.default_period(sample)
    found = attack(sample, "The sample", filter_sets(year, ("Counselling", "Friday drop-in")))
    assert sum(found.tried.values()) > 1000
    assert not found.recovered, "\n".join(found.recovered)


# A charity of many small groups: 90 people across eight activities, most groups of a dimension under 8 people
SMALL_GROUPS_AGES = ("16-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
SMALL_GROUPS_ACTIVITIES = tuple(f"Group {c}" for c in "ABCDEFGH")


def small_groups_workbook() -> bytes:
    people = [["participant_id", "age_band", "gender", "ethnicity", "imd_decile"]]
    register = [["participant_id", "session_date", "activity", "attended"]]
    scores = [["participant_id", "date", "WEMWBS total"]]
    for i in range(90):
        pid = f"S{i:03d}"
        people.append(
            [
                pid,
                SMALL_GROUPS_AGES[i % 8],
                ("Female", "Male", "Non-binary")[i % 3],
                "ABCDEFGHJKLMNPRS"[i % 16],
                1 + i % 10,
            ]
        )
        for week in range(1 + i % 4):
            day = dt.date(2024, 4, 2) + dt.timedelta(days=30 * (i % 12) + 7 * week)
            register.append([pid, day, SMALL_GROUPS_ACTIVITIES[(i + week) % 8], "yes" if (i + week) % 9 else "DNA"])
        if i % 3:
            first = dt.date(2024, 4, 2) + dt.timedelta(days=30 * (i % 12))
            scores += [[pid, first, 30 + i % 20], [pid, first + dt.timedelta(days=60), 30 + (i * 7) % 25]]
    return workbook({"People": people, "Register": register, "Scores": scores})


def test_a_viewer_of_many_small_groups_works_out_no_small_count(con: duckdb.DuckDBPyConnection) -> None:
    load(con, ("small.xlsx", small_groups_workbook()))
    year = financial_year(dt.date(2024, 4, 1))
    found = attack(con, "Many small groups", filter_sets(year, SMALL_GROUPS_ACTIVITIES[:2]))
    assert sum(found.tried.values()) > 200
    assert not found.recovered, "\n".join(found.recovered)


@pytest.mark.parametrize(("protected", "leaks"), [(False, True), (True, False)])
def test_staff_exact_counts_need_the_published_set(sample: duckdb.DuckDBPyConnection, protected: bool, leaks: bool):
    """The attacker is able: on staff's screens, which show exact counts, suppressing each chart on its own leaves
    small counts to work out (the whole less the other groups, across tabs), and the published set leaves none under
    one choice of filters (staff may still compare two periods a day apart: docs/privacy.md#the-threat-model)."""
    attacker = Attacker()
    view = seen(Remembering(sample), Filters(inventory.default_period(sample)), Disclosure.screen(), protected)
    attacker.complements("staff", view)
    attacker.shares("staff", view)
    assert bool(attacker.recovered) is leaks, "\n".join(attacker.recovered)
