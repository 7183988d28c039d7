"""What participants say: the Friends and Family Test's share positive by quarter and by activity."""

from __future__ import annotations

import pandas as pd

from pipelines import feedback, words
from pipelines.charts.feedback import share_positive_by_activity, share_positive_by_quarter, share_text
from pipelines.exhibits import Exhibit
from pipelines.query import Filters


def _described(names: pd.Series, shares: pd.Series, by: str) -> str:
    return (
        f"Bars of the share of answers that were good or very good, by {by}: "
        f"{words.listed(names, [share_text(s) for s in shares])}."
    )


def by_quarter(f: Filters) -> Exhibit:
    return Exhibit(
        "Friends and Family Test by quarter",
        f,
        feedback.quarterly,
        (f,),
        describe=lambda t: _described(t["quarter"], t["share_positive"], "quarter"),
        draw=lambda t, d: share_positive_by_quarter(t, f.description),
        citation=feedback.SOURCE,
    )


def by_activity(f: Filters) -> Exhibit:
    return Exhibit(
        "Friends and Family Test by activity",
        f,
        feedback.activities,
        (f,),
        describe=lambda t: _described(t["activity"], t["share_positive"], "activity"),
        draw=lambda t, d: share_positive_by_activity(t, f.description),
        citation=feedback.SOURCE,
    )
