"""Viewers see what a funder sees: the role decides on the server that a viewer's pages show the downloads' figures
(under 8 hidden, others rounded to 5, shares from the rounded counts), while staff see exact counts; a viewer's
custom period runs in whole months; and a chart's data carries nothing more precise than it shows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from pipelines import inventory, reach
from pipelines.disclosure import Disclosure, as_shown, round_to_5
from pipelines.periods import Period, whole_months
from pipelines.query import Filters
from tests.apphelpers import assert_ran, open_section, run_app, widget

pytestmark = pytest.mark.usefixtures("app_runtime")


def metrics_shown(role: str) -> dict[str, str]:
    at = run_app(role)
    return {m.label: m.value for m in at.metric}


def test_a_viewer_sees_rounded_counts_and_staff_exact_ones(sample_app: Path, sample: duckdb.DuckDBPyConnection) -> None:
    exact = reach.reach(sample, Filters(inventory.default_period(sample)))["reached"]
    assert exact % 5, "the sample's people reached is not already a multiple of 5"
    assert metrics_shown("viewer")["People reached"] == f"{round_to_5(exact):,}"
    assert metrics_shown("manager")["People reached"] == f"{exact:,}"


def test_a_viewer_has_no_threshold_to_set(sample_app: Path) -> None:
    assert not run_app("viewer").number_input
    assert run_app("manager").number_input(key="threshold").value == 8


def test_a_viewers_custom_dates_run_in_whole_months(sample_app: Path) -> None:
    at = run_app("viewer")
    widget(at.sidebar.radio, "Period").set_value("Custom dates").run()
    at.sidebar.date_input[0].set_value((dt.date(2025, 4, 2), dt.date(2025, 6, 17))).run()
    assert_ran(at)
    said = " ".join(c.value for c in at.sidebar.caption)
    assert "whole months: 1 Apr 2025 – 30 Jun 2025" in said
    assert any("1 Apr 2025 – 30 Jun 2025" in c.value for c in at.caption), "the page covers the whole months"


@pytest.mark.parametrize(
    ("chosen", "months"),
    [
        ((dt.date(2025, 4, 2), dt.date(2025, 6, 17)), (dt.date(2025, 4, 1), dt.date(2025, 6, 30))),
        ((dt.date(2024, 2, 29), dt.date(2024, 2, 29)), (dt.date(2024, 2, 1), dt.date(2024, 2, 29))),  # leap year
        ((dt.date(2025, 12, 31), dt.date(2026, 1, 1)), (dt.date(2025, 12, 1), dt.date(2026, 1, 31))),
        ((dt.date(2025, 4, 1), dt.date(2026, 3, 31)), (dt.date(2025, 4, 1), dt.date(2026, 3, 31))),  # already whole
    ],
)
def test_whole_months(chosen, months):
    assert whole_months(Period(*chosen)) == Period(*months)


def test_chart_data_carries_shares_as_written(sample_app: Path) -> None:
    """The Reach page sends no share to the browser more precise than the whole percent it writes."""
    at = run_app("viewer")
    at.switch_page("pages/reach.py").run()
    assert_ran(at)
    charts = [c for name in ("Who", "Against the population") for c in open_section(at, name).get("vega_lite_chart")]
    rows = [row for chart in charts for data in chart.proto.datasets for row in _rows(data)]
    reached = [
        row[c] for row in rows if row.get("slot") == "reached" for c in ("value", "low", "high")
    ]  # vs population
    grouped = [row["share"] for row in rows if isinstance(row.get("share"), float)]  # people by group
    shares = [s for s in (*reached, *grouped) if isinstance(s, float)]
    assert len(shares) > 20 and all(round(s, 2) == s for s in shares)


def _rows(dataset) -> list[dict]:
    """A chart's dataset as the browser receives it (Arrow), row by row."""
    return pa.ipc.open_stream(dataset.data.data).read_all().to_pandas().to_dict("records")


def test_as_shown_rounds_each_figure_to_its_written_precision():
    import pandas as pd

    frame = pd.DataFrame(
        {"share": [12 / 110], "share_low": [0.061234], "mean_change": [4.2681], "ci_low": [3.4471], "people": [12]}
    )
    assert as_shown(frame).iloc[0].to_dict() == {
        "share": 0.11,
        "share_low": 0.06,
        "mean_change": 4.3,
        "ci_low": 3.4,
        "people": 12,
    }


def test_the_viewer_rule_is_the_export_rule():
    viewer, export = Disclosure.viewer(), Disclosure.export()
    for n in (0, 3, 7, 8, 12, 13, 527):
        assert (viewer.count(n), viewer.label(n)) == (export.count(n), export.label(n))
    assert viewer.share(12, 110) == export.share(12, 110) == 10 / 110
    assert not viewer.per_person_marks_allowed(100)
