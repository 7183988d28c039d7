"""Every chart and table the dashboard shows, each one object: how it fetches its figures (for the screen or for a
file), draws them, says them in words and cites its source. A page shows it, its Download menu writes it and the
report pack prints it, all from the same object, so a description or a citation is written once.

The objects are made by one function per chart, in a module per subject (``exhibits.outcomes.change_by``…). They
only describe: fetching goes through a ``Call`` (``call(function, *args)`` runs ``function(con, *args)``), which
the app caches and a report pack runs on its own connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd

from pipelines.disclosure import Disclosure, as_shown
from pipelines.export import Download
from pipelines.query import Con, Filters
from pipelines.settings import Brand

Call = Callable[..., Any]
Draw = Callable[[pd.DataFrame, Disclosure], alt.Chart]
EXPORT = Disclosure.export()


def on(con: Con) -> Call:
    """A ``Call`` that runs each function on ``con``."""
    return lambda function, *args: function(con, *args)


@dataclass(frozen=True)
class Exhibit:
    """One chart or table: what it is called, where its figures come from, how it is drawn and said in words.

    ``source(con, *args, disclosure)`` is a pipelines function giving the figures made safe for the disclosure
    (``people`` False: figures about money or hours, not people, taking no disclosure); ``part`` picks one entry of
    a source that gives a dict. ``draw`` makes the chart (None for a table), ``shape`` the figures as a table reads
    them (for a table, or a chart's table in a document). ``downloads`` False for a chart with one mark per person,
    which never leaves the app."""

    what: str  # names it in the Download menu and its files, e.g. 'WEMWBS change distribution'
    f: Filters  # the period and activities it covers
    source: Callable[..., Any]
    args: tuple = ()
    describe: Callable[[pd.DataFrame], str] = lambda data: ""  # what it shows and its key figures, in words
    draw: Draw | None = None
    shape: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    part: str | None = None
    citation: str | None = None
    people: bool = True
    downloads: bool = True
    labels: Mapping[str, str] = field(default_factory=dict)  # plain column names for the data file

    def figures(self, call: Call, disclosure: Disclosure) -> pd.DataFrame:
        """The figures, made safe for ``disclosure``."""
        found = call(self.source, *self.args, *((disclosure,) if self.people else ()))
        return found[self.part] if self.part else found

    def table(self, data: pd.DataFrame) -> pd.DataFrame:
        """The figures as a table reads them."""
        return self.shape(data) if self.shape else data

    def chart(self, data: pd.DataFrame, disclosure: Disclosure, height: int | None = None) -> alt.Chart:
        """The chart of ``data``, which carries each figure only at the precision it is written (``as_shown``)."""
        chart = self.draw(as_shown(data), disclosure)
        return chart.properties(height=height) if height else chart

    def download(self, call: Call, brand: Brand, hidden: frozenset[str] = frozenset()) -> Download:
        """The exhibit as it leaves the app: figures for export (under 8 hidden, others rounded to 5), hiding what
        the page's published set hides."""
        export = EXPORT.hiding(hidden)
        return self.as_download(as_shown(self.figures(call, export)), export, brand)

    def as_download(
        self, data: pd.DataFrame, disclosure: Disclosure, brand: Brand, height: int | None = None
    ) -> Download:
        """The exhibit of figures already made safe (``data``): its chart's spec and its table as a data file."""
        spec = self.chart(data, disclosure, height).to_dict() if self.draw else {}
        figures = data if self.draw else self.table(data)  # a chart's data file keeps its numbers as numbers
        return Download(self.what, spec, figures, self.f.period, brand, self.citation, self.labels)

    def file_name(self, brand: Brand, ext: str) -> str:
        return Download(self.what, {}, pd.DataFrame(), self.f.period, brand).file_name(ext)
