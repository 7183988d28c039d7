"""Cached figures and chart specs follow the data: a new upload shows at once, and a rollback brings the old figure
back.

The loads and the rollback here are made outside the app, as the command line or another replica would make them, so
nothing clears the app's cache: only the data version in the cache key can tell the app that the data changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from pipelines import reach, store
from pipelines.exhibits import Exhibit
from pipelines.periods import Period
from pipelines.query import Filters
from tests.apphelpers import app_with_own_data, assert_ran, run_app, widget
from tests.helpers import load, workbook

FY24 = Period(dt.date(2024, 4, 1), dt.date(2025, 3, 31))  # the only financial year in the data, so the one shown


def register(first: int, people: int) -> dict[str, list[list]]:
    """One attended session in May 2024 for each of ``people`` people numbered from ``first``."""
    rows = [[f"P{n:03d}", "2024-05-01", "Peer group", "yes"] for n in range(first, first + people)]
    return {"Register": [["participant_id", "session_date", "activity", "attended"], *rows]}


@pytest.fixture
def own_app(app_runtime_own_cache: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database holding ten people reached, which the app opens."""
    return app_with_own_data(tmp_path, monkeypatch, register(1, 10))


def load_more(db: Path) -> int:
    """Twelve more people reached, loaded as a new upload; returns its id."""
    with store.connect(db) as con:
        (upload_id,) = load(con, ("more.xlsx", workbook(register(11, 12))))
    return upload_id


def roll_back(db: Path, upload_id: int) -> None:
    with store.connect(db) as con:
        store.rollback(con, upload_id)


def across_a_load_and_its_rollback(db: Path, figure: Callable[[], object]) -> list[object]:
    """``figure`` read before a load made outside the app, after it, and after its rollback."""
    before = figure()
    upload_id = load_more(db)
    loaded = figure()
    roll_back(db, upload_id)
    return [before, loaded, figure()]


def test_cached_figures_follow_a_load_and_a_rollback(own_app: Path) -> None:
    from ui.data import cached

    def reached() -> int:
        return cached(reach.reach, Filters(FY24))["reached"]

    assert across_a_load_and_its_rollback(own_app, reached) == [10, 22, 10]


def test_a_page_shows_a_new_upload_and_the_old_figure_after_its_rollback(own_app: Path) -> None:
    at = run_app("manager")  # staff see exact counts; a viewer's are rounded to 5

    def people_reached() -> str:
        at.run()
        return widget(at.metric, "People reached").value

    assert across_a_load_and_its_rollback(own_app, people_reached) == ["10", "22", "10"]


def test_a_drawn_chart_follows_a_load_and_a_rollback(own_app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Overview's chart of people reached each quarter, its spec cached: drawn once while the data stay the same, and
    drawn again, with the new figures, after a load and after its rollback made outside the app."""
    drawn: list[str] = []
    real = Exhibit.chart
    monkeypatch.setattr(Exhibit, "chart", lambda self, *args: drawn.append(self.what) or real(self, *args))
    at = run_app("manager")

    def reached_in_may() -> int:
        """The chart's bars for 2024-25 Q1 (everyone's one session is in May 2024), new and returning together."""
        at.run()
        assert_ran(at)
        chart = next(c for c in at.get("vega_lite_chart") if "People reached each quarter" in c.proto.spec)
        frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]
        bars = pd.concat(frame for frame in frames if "people" in frame)
        return int(bars.loc[bars["quarter"] == "2024-25 Q1", "people"].sum())

    def reached_and_times_drawn() -> tuple[int, int]:
        return reached_in_may(), drawn.count("People reached by quarter")

    assert reached_in_may() == 10
    # the second run reads the cached spec; the load and the rollback each draw it again
    assert across_a_load_and_its_rollback(own_app, reached_and_times_drawn) == [(10, 1), (22, 2), (10, 3)]


def test_the_shared_figures_are_ready_before_anyone_opens_a_page(
    own_app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the server works out after a start, a load or a rollback (ui/data.py) is what a page then asks for: the
    site's published set for the default period, for viewers and staff, found in the cache without working it out."""
    from pipelines import inventory, published
    from pipelines.disclosure import Disclosure
    from ui import data

    con = store.connect(own_app, read_only=True)
    version, period = store.data_version(con), inventory.default_period(con)
    con.close()
    data.prepare_shared_figures(version)
    site, worked_out = published.kept_site, []
    monkeypatch.setattr(published, "site", lambda con, f, d: worked_out.append(d) or frozenset())
    for disclosure in (Disclosure.viewer(), Disclosure.screen()):
        data._cached_at(version, site, Filters(period), disclosure)
    assert worked_out == []
    data._cached_at(version, site, Filters(period), Disclosure.screen(9))  # a threshold someone chose
    assert worked_out == [Disclosure.screen(9)]
