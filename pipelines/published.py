"""The published set of each page and document (disclosure.PublishedSet): every count of people it shows, in all
its tabs, cards, sentences and charts, registered by the very functions that publish it, and the counts to hide so
that none of 1 to 7 people can be worked out from the others.

Every page asks once for the set of its filters (``site``, cached on the data version) and publishes with
``Disclosure.hiding`` of the answer; the Download menu and the report pack hide the same counts, so a reader sees the
same numbers everywhere, and no count hidden on one page is shown on another. Each ``*_figures`` function below calls
every figure function its page or document shows, with every choice a reader can make on it (each breakdown, tab,
measure and area), so that the set is the whole of what can be seen."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import duckdb

from pipelines import feedback, funding, goals, outcomes, overview, reach, verdict, volunteering, ways
from pipelines.dimensions import BY_KEY, PROFILED
from pipelines.disclosure import Disclosure, PublishedSet
from pipelines.inventory import data_range, main_measure, measures_with_data
from pipelines.periods import trailing_quarters
from pipelines.query import Con, Filters, remembering
from pipelines.report import Scope
from pipelines.store import content_digest, one

Publish = Callable[[Disclosure], None]  # calls a page's figure functions with a disclosure


def observed(publish: Publish, disclosure: Disclosure) -> PublishedSet:
    """Every count ``publish`` shows under ``disclosure``, with its relations and how it is written."""
    ledger = PublishedSet()
    publish(disclosure.recording(ledger))
    return ledger


def solved(publish: Publish, disclosure: Disclosure) -> frozenset[str]:
    """The counts a page or document must hide besides the small ones (each query asked once, query.remembering)."""
    with remembering():
        return observed(publish, disclosure).solve(disclosure.min_count)


# The one set for a choice of filters, as the app asks for it -------------------------------------------------


def site(con: Con, f: Filters, disclosure: Disclosure) -> frozenset[str]:
    """The counts to hide on every page, download and document for the filters ``f``: solved over everything a
    reader can see under them (each page with every choice on it, every measure and area, and the report), since a
    reader can open them all and put what they show side by side."""
    return solved(site_figures(con, f), disclosure)


SHARED_DISCLOSURES = (Disclosure.screen(), Disclosure.viewer())  # as ui.figures.rules gives them to staff and to
# viewers before anyone changes the threshold: the sets a server works out for the default period before anyone asks,
# the staff's first, which the demo's visitors see too (so the first visitor after a start waits for it, not for both)


def kept_site(con: duckdb.DuckDBPyConnection, f: Filters, disclosure: Disclosure) -> frozenset[str]:
    """``site`` for the committed rows, kept in the database for the code and rows it was worked out from
    (``fingerprint``): a server started again, or a second one on the same data, reads the set instead of working it
    out (about 2 s on the sample, 3 s at a million attendances). On a cursor of its own, the set is looked up, worked
    out and kept in one transaction, so it is always that of the rows its fingerprint names; a database open
    read-only is only read."""
    choice = json.dumps([str(f.period.start), str(f.period.end), list(f.activities), *_rules(disclosure)])
    own = con.cursor()
    try:  # closing the cursor ends its transaction, with nothing written unless committed
        own.execute("BEGIN TRANSACTION")
        kept = fingerprint(own)
        found = one(own, "SELECT hidden FROM published_sets WHERE fingerprint = ? AND choice = ?", [kept, choice])
        if found:
            return frozenset(json.loads(found[0]))
        hidden = site(own, f, disclosure)
        _keep(own, kept, choice, hidden)
        return hidden
    finally:
        own.close()


KEPT_SETS = 64  # the most recent sets kept: a reader trying date after date cannot fill the disk


def _keep(con: duckdb.DuckDBPyConnection, kept: str, choice: str, hidden: frozenset[str]) -> None:
    """Keep a set, dropping those of rows no longer there and all but the KEPT_SETS latest; nothing where the
    database is open read-only, or where another of the server's sessions kept the same set first."""
    try:
        con.execute("DELETE FROM published_sets WHERE fingerprint <> ?", [kept])
        con.execute(
            "INSERT INTO published_sets (fingerprint, choice, hidden) VALUES (?, ?, ?)",
            [kept, choice, json.dumps(sorted(hidden))],
        )
        con.execute(
            "DELETE FROM published_sets WHERE choice NOT IN "
            "(SELECT choice FROM published_sets ORDER BY kept_at DESC, choice LIMIT ?)",
            [KEPT_SETS],
        )
        con.execute("COMMIT")
    except duckdb.Error:
        con.execute("ROLLBACK")


def _rules(disclosure: Disclosure) -> list:
    return [disclosure.mode, disclosure.min_count, disclosure.floor, sorted(disclosure.hide)]


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """What a published set is worked out from: the figures' code and reference data (every file of pipelines/,
    the population tables among them) and the rows they read (``store.content_digest``)."""
    return hashlib.sha256(f"{_code_digest()} {content_digest(con)}".encode()).hexdigest()


@functools.cache
def _code_digest() -> str:
    return files_digest(Path(__file__).resolve().parent)


def files_digest(folder: Path) -> str:
    """A digest of every file below ``folder`` (compiled Python left out), each with its path."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(f"{path.relative_to(folder)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def site_figures(con: Con, f: Filters) -> Publish:
    """Every figure every page and document shows under the filters ``f``, each figure function once."""
    first_day = (data_range(con) or (f.period.start,))[0]
    measures = [*measures_with_data(con), *([goals.NAME] if goals.has_goals(con) else [])]
    pages = [
        reach_figures(con, f, reach.benchmark_areas(con)),
        overview_figures(con, f, first_day),
        *(outcomes_figures(con, f, m) for m in measures),
        feedback_figures(con, f),
        funding_figures(con, f),
        report_figures(con, Scope(f)),
    ]

    def publish(d: Disclosure) -> None:
        for page in pages:
            page(d)

    return publish


# What each page and document publishes ----------------------------------------------------------------------


def reach_figures(con: Con, f: Filters, areas: list[str]) -> Publish:
    """The Reach page, against each of ``areas``: its lead, activity, who is reached, against the population,
    deprivation and the Five Ways."""

    def publish(d: Disclosure) -> None:
        for area in areas:
            reach.in_brief(con, f, area, d)
            compared = set(reach.benchmark(con, area)["dimension"])
            for dimension in (k for k in BY_KEY if k in compared):
                reach.representation(con, f, dimension, area, d)
        reach.reach_figures(con, f, d)
        reach.quarterly(con, f, d)
        reach.retention(con, f, d)
        reach.referral_sources(con, f, d)
        for by in reach.MIX:
            reach.mix(con, f, by, d)
        for dimension in (*PROFILED, "ethnicity"):
            reach.profile(con, f, dimension, d)
        reach.deprivation(con, f, d)
        reach.core20_by_quarter(con, f, d)
        ways.reach_by_way(con, f, d)

    return publish


def overview_figures(con: Con, f: Filters, trend_start: dt.date) -> Publish:
    """The Overview: its three answers, reach, wellbeing and money against the previous period, and the trend."""
    measure = main_measure(con)
    trend = f.with_period(trailing_quarters(f.period, trend_start))

    def publish(d: Disclosure) -> None:
        overview.reach(con, f, d)
        overview.money(con, f, d)
        reach.quarterly(con, trend, d)
        if measure:
            verdict.does_it_work(con, f, measure, d)
            verdict.for_whom(con, f, measure, d)
            overview.wellbeing(con, f, measure, d)
            outcomes.by_quarter(con, trend, measure, d)

    return publish


def outcomes_figures(con: Con, f: Filters, measure: str) -> Publish:
    """The Outcomes page for one measure (or goals), every tab and breakdown."""

    def publish(d: Disclosure) -> None:
        if measure == goals.NAME:
            goals.headline(con, f, d)
            for by in goals.BREAKDOWNS:
                goals.breakdown(con, f, by, d)
        else:
            _questionnaire(con, f, measure, d)
        for by in ways.BY:
            ways.breakdown(con, f, measure, by, d)

    return publish


def feedback_figures(con: Con, f: Filters) -> Publish:
    """What participants say, at the foot of the Outcomes page whichever the measure."""
    return _each(con, f, feedback.headline, feedback.quarterly, feedback.activities)


def _questionnaire(con: Con, f: Filters, measure: str, d: Disclosure) -> None:
    verdict.does_it_work(con, f, measure, d)
    outcomes.headline(con, f, measure, d)
    outcomes.breakdowns(con, f, measure, (*outcomes.BREAKDOWNS, "dose"), d)
    outcomes.change_distribution(con, f, measure, d)
    outcomes.means_with_ci(con, f, measure, d)
    outcomes.by_quarter(con, f, measure, d)
    outcomes.clinical_figures(con, f, measure, d)
    if measure in outcomes.TALKING_THERAPIES:
        outcomes.talking_therapies_figures(con, f, d)
    outcomes.completeness_figures(con, f, measure, d)


def funding_figures(con: Con, f: Filters) -> Publish:
    """The Funding page: the people counted in its costs, and volunteers with lived experience."""
    return _each(con, f, funding.costs, volunteering.lived_experience)


def _each(con: Con, f: Filters, *figures: Callable[[Con, Filters, Disclosure], object]) -> Publish:
    """Publishing that calls each of ``figures`` with the connection, the filters and the disclosure, in turn."""

    def publish(d: Disclosure) -> None:
        for figure in figures:
            figure(con, f, d)

    return publish


def report_figures(con: Con, scope: Scope) -> Publish:
    """A report pack or the one-page summary of a scope: everything either prints."""
    f, measure = scope.filters, main_measure(con)

    def publish(d: Disclosure) -> None:
        reach.reach_figures(con, f, d)
        reach.quarterly(con, f, d)
        reach.representation(con, f, "ethnicity_group", reach.default_area(con), d)
        for dimension in PROFILED:
            reach.profile(con, f, dimension, d)
        funding.cost_per_person(con, f, d)
        funding.costs(con, f, d)
        if measure in measures_with_data(con):
            outcomes.headline(con, f, measure, d)
            outcomes.breakdown(con, f, measure, "activity", d)
            outcomes.completeness_figures(con, f, measure, d)
        if goals.has_goals(con):
            goals.headline(con, f, d)
            goals.breakdown(con, f, "goal_area", d)

    return publish
