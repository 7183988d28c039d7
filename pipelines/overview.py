"""The Overview page's figures: each headline for the period beside the previous period's, both made safe first
(pipelines/disclosure.py), so that a change never gives a hidden count away."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.disclosure import Disclosure
from pipelines.funding import cost_per_person, income, runway_months, secured_next_year
from pipelines.inventory import data_range
from pipelines.outcomes import followup_counts, headline, pairs_key
from pipelines.periods import Period
from pipelines.query import Con, Filters
from pipelines.reach import reach as reach_counts
from pipelines.reach import reach_figures
from pipelines.stats import counts_differ, shares_differ

REACH = {
    "reached": "People reached",
    "new": "New to the service",
    "attendances": "Attendances",
    "sessions_delivered": "Sessions delivered",
}  # the figures and their names


@dataclass(frozen=True)
class Compared:
    """A figure for the period and for the one before, each None where it is hidden or unknown."""

    value: float | None
    before: float | None  # None also where the data start after the previous period, so nothing is compared
    label: str | None = None  # a count as shown ('1,234', '<8', '–'); None for figures the page formats itself
    clear: bool = False  # the change is beyond noise (pipelines/stats.py), so a page may colour it


def _before(f: Filters) -> Filters:
    return f.with_period(f.period.previous())


def covered(period: Period, data: tuple[dt.date, dt.date] | None) -> float:
    """The share of a period's days that the data cover (from its first session or questionnaire to its last)."""
    if data is None:
        return 0.0
    start, end = max(period.start, data[0]), min(period.end, data[1])
    return max((end - start).days + 1, 0) / ((period.end - period.start).days + 1)


def comparable(con: Con, f: Filters) -> bool:
    """Whether the previous period is covered by data as fully as the period itself, so that the two are alike: a
    year with three months of data is not compared with a whole one."""
    found = data_range(con)
    before = covered(f.period.previous(), found)
    return before > 0 and before >= covered(f.period, found)


def coverage_note(con: Con, f: Filters) -> str | None:
    """Why nothing is compared with the previous period, in words, when the data do not cover it as fully."""
    found = data_range(con)
    if found is None or comparable(con, f):
        return None
    previous = f.period.previous()
    if covered(previous, found) == 0:
        return f"The data start on {found[0]:%-d %b %Y}, after {previous.label} ended, so nothing is compared with it."
    return (
        f"The data cover only part of {previous.label} (from {max(previous.start, found[0]):%-d %b %Y}), less of it "
        f"than of {f.period.label}, so nothing is compared with it: a part would look like a fall or a rise."
    )


def _counts(now: float | None, before: float | None, label: str | None) -> Compared:
    return Compared(now, before, label, counts_differ(now, before))


def reach(con: Con, f: Filters, disclosure: Disclosure) -> dict[str, Compared]:
    """People reached, new, attendances and sessions delivered."""
    now = reach_figures(con, f, disclosure)
    if not comparable(con, f):
        return {key: Compared(now[key], None, now["labels"][key]) for key in REACH}
    then = reach_figures(con, _before(f), disclosure)
    for people in ("reached", "reached:new"):
        disclosure.difference(f.key(people), _before(f).key(people))
    return {key: _counts(now[key], then[key], now["labels"][key]) for key in REACH}


def wellbeing(con: Con, f: Filters, measure: str, disclosure: Disclosure) -> dict[str, Compared]:
    """People with two scores, the share improved reliably and the follow-up rate."""
    now = headline(con, f, measure, disclosure)
    if not comparable(con, f):
        return {
            "pairs": Compared(now["pairs"], None, now["pairs_label"]),
            "improved": Compared(now["shares"]["improved"], None),
            "followup_rate": Compared(now["followup_rate"], None),
        }
    then = headline(con, _before(f), measure, disclosure)
    disclosure.difference(pairs_key(f, measure), pairs_key(_before(f), measure))
    improved_now, improved_then = now["shares"]["improved"], then["shares"]["improved"]
    (based_now, _), (based_then, _) = followup_counts(con, f, measure), followup_counts(con, _before(f), measure)
    return {
        "pairs": _counts(now["pairs"], then["pairs"], now["pairs_label"]),
        "improved": Compared(
            improved_now, improved_then, clear=shares_differ(improved_now, now["pairs"], improved_then, then["pairs"])
        ),
        "followup_rate": Compared(
            now["followup_rate"],
            then["followup_rate"],
            clear=shares_differ(now["followup_rate"], based_now, then["followup_rate"], based_then),
        ),
    }


def money(con: Con, f: Filters, disclosure: Disclosure) -> dict[str, Compared]:
    """Income, reserves runway and cost per person reached, each against the previous period, and the income secured
    for the financial year after the period (``funding.secured_next_year``). The secured figure has no comparison:
    the year before it is not a forecast any more, so the two would not measure the same thing.

    Income and reserves are records, not samples, so any change in them is real; cost per person divides by the
    people reached, so its change counts as beyond noise only when theirs does."""
    reached: dict[Filters, int] = {}

    def per_person(con: Con, f: Filters) -> float | None:
        reached[f] = reach_counts(con, f)["reached"]
        return cost_per_person(con, f, disclosure, reached[f])

    figures = {"income": income, "runway": runway_months, "cost_per_person": per_person}
    now = {key: figure(con, f) for key, figure in figures.items()}
    secured = {"secured": Compared(secured_next_year(con, f).secured, None)}
    if not comparable(con, f):
        return {**{key: Compared(value, None) for key, value in now.items()}, **secured}
    then = {key: figure(con, _before(f)) for key, figure in figures.items()}
    clear = {key: _changed(now[key], then[key]) for key in ("income", "runway")}
    clear["cost_per_person"] = counts_differ(*(disclosure.count(reached[g]) for g in (f, _before(f))))
    return {**{key: Compared(now[key], then[key], clear=clear[key]) for key in figures}, **secured}


def _changed(now: float | None, before: float | None) -> bool:
    return None not in (now, before) and round(now, 2) != round(before, 2)
