"""What participants say: the Friends and Family Test's share positive by quarter and by activity."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd

from pipelines import feedback, words
from pipelines.charts.feedback import share_positive_by_activity, share_positive_by_quarter, share_text
from pipelines.exhibits import Exhibit
from pipelines.query import Filters


def by_quarter(f: Filters) -> Exhibit:
    return _share_positive(f, "quarter", feedback.quarterly, share_positive_by_quarter)


def by_activity(f: Filters) -> Exhibit:
    return _share_positive(f, "activity", feedback.activities, share_positive_by_activity)


def _share_positive(
    f: Filters, by: str, source: Callable[..., pd.DataFrame], draw: Callable[[pd.DataFrame, str], alt.Chart]
) -> Exhibit:
    """The share of answers that were good or very good in each ``by`` (a column of ``source``'s figures)."""
    return Exhibit(
        f"Friends and Family Test by {by}",
        f,
        source,
        (f,),
        describe=lambda t: (
            f"Bars of the share of answers that were good or very good, by {by}: "
            f"{words.listed(t[by], [share_text(s) for s in t['share_positive']])}."
        ),
        draw=lambda t, d: draw(t, f.description),
        citation=feedback.SOURCE,
    )
