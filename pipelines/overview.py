"""The Overview page's figures: each headline for the period beside the previous period's, both made safe first
(pipelines/disclosure.py), so that a change never gives a hidden count away."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.disclosure import Disclosure
from pipelines.funding import cost_per_person
from pipelines.metrics import income, runway_months, secured_next_year
from pipelines.outcomes import headline
from pipelines.query import Con, Filters
from pipelines.reach import reach_figures

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
    before: float | None
    label: str | None = None  # a count as shown ('1,234', '<8', '–'); None for figures the page formats itself


def _before(f: Filters) -> Filters:
    return f.with_period(f.period.previous())


def reach(con: Con, f: Filters, disclosure: Disclosure) -> dict[str, Compared]:
    """People reached, new, attendances and sessions delivered."""
    now, then = reach_figures(con, f, disclosure), reach_figures(con, _before(f), disclosure)
    return {key: Compared(now[key], then[key], now["labels"][key]) for key in REACH}


def wellbeing(con: Con, f: Filters, measure: str, disclosure: Disclosure) -> dict[str, Compared]:
    """People with two scores, the share improved reliably and the follow-up rate."""
    now, then = headline(con, f, measure, disclosure), headline(con, _before(f), measure, disclosure)
    return {
        "pairs": Compared(now["pairs"], then["pairs"], now["pairs_label"]),
        "improved": Compared(now["shares"]["improved"], then["shares"]["improved"]),
        "followup_rate": Compared(now["followup_rate"], then["followup_rate"]),
    }


def money(con: Con, f: Filters, disclosure: Disclosure) -> dict[str, Compared]:
    """Income, reserves runway and cost per person reached, each against the previous period, and the income secured
    for the financial year after the period (``metrics.secured_next_year``). The secured figure has no comparison:
    the year before it is not a forecast any more, so the two would not measure the same thing."""
    figures = {
        "income": income,
        "runway": runway_months,
        "cost_per_person": lambda con, f: cost_per_person(con, f, disclosure),
    }
    compared = {key: Compared(figure(con, f), figure(con, _before(f))) for key, figure in figures.items()}
    return {**compared, "secured": Compared(secured_next_year(con, f).secured, None)}
