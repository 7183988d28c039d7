"""The summary (docs/metrics.md#the-summary): the headline figures of every subject in one dict, exact and
unsuppressed, for staff and the command line (``python -m pipelines summary --json``). It sits above the subjects
and adds no figure of its own."""

from __future__ import annotations

from pipelines import feedback, funding, goals, outcomes, reach, settings, social_value, volunteering
from pipelines.dimensions import BENCHMARKED
from pipelines.inventory import measures_with_data
from pipelines.query import Con, Filters, remembering


def summary(con: Con, f: Filters) -> dict:
    """The headline figures, shaped as docs/cli.md#summary gives them (each query asked once, query.remembering)."""
    with remembering():
        return _summary(con, f)


def _summary(con: Con, f: Filters) -> dict:
    found = {m: outcomes.outcome(con, f, m) for m in measures_with_data(con)}
    spent = funding.expenditure(con, f)
    return {
        "period": {"from": f.period.start.isoformat(), "to": f.period.end.isoformat()},
        "activities": list(f.activities),
        "reach": {
            **reach.reach(con, f),
            "by": {d: dict(reach.reach_by(con, f, d).itertuples(index=False, name=None)) for d in BENCHMARKED},
        },
        "outcomes": {**found, **_goal_outcomes(con, f), **_talking_therapies(con, f)},
        "funding": {
            "income": funding.income(con, f),
            "expenditure": spent or 0.0,
            "secured_next_year": _secured(funding.secured_next_year(con, f)),
            "largest_funder_share": funding.largest_funder(con, f)[1],
            "runway_months": funding.runway_months(con, f),
            "cost_per_participant": funding.cost_per_participant(con, f),
            "cost_per_improvement": {
                m: funding.cost_per(spent, o["improved"]) for m, o in found.items() if o["improved"] is not None
            },
            "social_value": social_value.summary(con, f, settings.social_value_assumptions(con), spent),
        },
        "feedback": feedback.summary(con, f),
        "volunteering": volunteering.summary(con, f),
    }


def _secured(year: funding.SecuredYear) -> dict:
    return {
        "year": year.label,
        "from": year.period.start.isoformat(),
        "to": year.period.end.isoformat(),
        "secured": year.secured,
        "expected_spending": year.needed,
        "gap": year.gap,
    }


def _talking_therapies(con: Con, f: Filters) -> dict:
    """NHS Talking Therapies' joint PHQ-9 and GAD-7 figures, when both questionnaires are recorded."""
    found = outcomes.talking_therapies(con, f)
    return {} if found is None else {"talking_therapies": found}


def _goal_outcomes(con: Con, f: Filters) -> dict:
    """Goal-Based Outcomes as the summary's "GBO" measure, when goals are recorded (not in cost per improvement:
    they count goals, not people)."""
    return {goals.NAME: goals.outcome(con, f)} if goals.has_goals(con) else {}
