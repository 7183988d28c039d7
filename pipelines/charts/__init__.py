"""Altair charts shared by the pages and the exported files: titled, labelled, with period and suppression noted.

They only draw, one module per subject; every public chart is importable from here (``charts.slopes``)."""

from pipelines.charts.base import ACCENT, FONT, NEW, RETURNING
from pipelines.charts.funding import (
    MONEY,
    STATUS_COLOURS,
    concentration,
    grant_timeline,
    income_stacked,
    reserves,
    secured_against_needed,
)
from pipelines.charts.outcomes import (
    CATEGORY_COLOURS,
    change_histogram,
    change_shares,
    forest,
    means_against_norms,
    slopes,
)
from pipelines.charts.reach import group_bars, representation_plot, share_over_quarters
from pipelines.charts.trend import change_over_quarters, reach_over_quarters

__all__ = [
    "ACCENT",
    "CATEGORY_COLOURS",
    "FONT",
    "MONEY",
    "NEW",
    "RETURNING",
    "STATUS_COLOURS",
    "change_histogram",
    "change_over_quarters",
    "change_shares",
    "concentration",
    "forest",
    "grant_timeline",
    "group_bars",
    "income_stacked",
    "means_against_norms",
    "reach_over_quarters",
    "representation_plot",
    "reserves",
    "secured_against_needed",
    "share_over_quarters",
    "slopes",
]
