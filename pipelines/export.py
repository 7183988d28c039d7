"""Funder-ready downloads: a chart as PNG, SVG and PDF with its footnote, its data as CSV and XLSX, safe file names."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import textwrap
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import vl_convert
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipelines.disclosure import EXPORT_SUPPRESSION
from pipelines.periods import Period
from pipelines.settings import Brand
from pipelines.spreadsheet import csv_bytes, safe, safe_frame, xlsx_bytes

FORMATS = ("png", "svg", "pdf")
PRINT_WIDTH, PRINT_HEIGHT = 720, 400  # pixels; a chart stretched to the page on screen gets these on paper
FOOTNOTE_CHARACTERS = 110  # a footnote line wraps at about 600 pixels of 11-pixel text
FOOTNOTE_STYLE = {"orient": "bottom", "anchor": "start", "fontSize": 11, "fontWeight": "normal", "color": "#555"}
TOP_LEVEL_ONLY = ("$schema", "config", "datasets", "background", "padding", "usermeta")  # Vega-Lite allows nowhere else
SCREEN_ONLY = ("autosize",)  # sizing for the page, meaningless in a file
FACETS = ("facet", "row", "column")
DEFAULT_CATEGORY_COLOURS = (
    "#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac",
)  # fmt: skip
DASHBOARD_COLOUR = "#1f6f8b"  # the charts' own primary colour, replaced by the charity's in exports
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
EXCEL_COLUMN_WIDTH = (8, 60)
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
NAME_PART_LENGTH = 40


DOWNLOADS = (*FORMATS, "csv", "xlsx")
MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}
INTERNAL_COLUMNS = ("hidden", "shown")  # disclosure bookkeeping, not data


@dataclass(frozen=True)
class Download:
    """One chart or table as it leaves the app: its spec and data (both already made safe for export) and what it
    shows."""

    what: str  # e.g. 'WEMWBS change': the file name and the table's title
    spec: dict
    data: pd.DataFrame
    period: Period
    brand: Brand
    citation: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)  # plain column names for the data file

    def file_name(self, ext: str) -> str:
        return file_name(self.brand.charity_name or "impact", self.what, self.period.short_label, ext)

    def render(self, ext: str) -> bytes:
        """The file in one of DOWNLOADS: the branded chart with its footnote, or its data with the same notes."""
        notes = self.footnote()
        if ext in FORMATS:
            spec = branded(self.spec, colour=self.brand.colour, charity=self.brand.charity_name)
            return chart_files(spec, footnote_lines=notes, formats=(ext,))[ext]
        data = self.data.drop(columns=[c for c in INTERNAL_COLUMNS if c in self.data.columns])
        return table_files(data, sheet_title=self.what, notes=notes, labels=self.labels)[ext]

    def footnote(self) -> list[str]:
        source = f"{self.brand.charity_name or 'The service'}'s own records"
        lines = footnote(self.period.description, source, self.citation, EXPORT_SUPPRESSION)
        return [*lines, self.brand.footnote] if self.brand.footnote else lines


def footnote(period_label: str, source: str, citation: str | None, suppression: str) -> list[str]:
    """The lines printed under an exported chart: period, data source, the measure's citation, what is suppressed."""
    return [line for line in (f"Period: {period_label}", f"Source: {source}", citation, suppression) if line]


def chart_files(
    spec: dict, *, footnote_lines: Sequence[str], formats: Sequence[str] = FORMATS, scale: float = 2
) -> dict[str, bytes]:
    """An Altair chart's Vega-Lite dict (``chart.to_dict()``) rendered to each format, footnote underneath.

    PNG is drawn at ``scale`` times the chart's size (2 for print); SVG and PDF are vector. Rendering never fetches
    anything: the data must be inlined, as Altair does by default.
    """
    printable = _with_footnote(_print_sized(_plain_json(spec)), footnote_lines)
    return {fmt: _RENDERERS[fmt](printable, scale) for fmt in formats}


def _plain_json(spec: dict) -> dict:
    """The spec with dates written as ISO text (a chart may mark a day, such as today, with a date literal)."""
    return json.loads(json.dumps(spec, default=_iso))


def _iso(value: dt.date) -> str:
    return value.isoformat()


def branded(spec: dict, *, colour: str | None, charity: str | None) -> dict:
    """The chart in the charity's primary colour (marks, the first category colour, and wherever the charts use the
    dashboard's own primary colour), its name before the title."""
    out = copy.deepcopy(spec)
    if colour:
        if not HEX_COLOUR.fullmatch(colour):
            raise ValueError(f"Colour should look like #1f6f8b, not {colour!r}")
        out = json.loads(json.dumps(out, default=_iso).replace(f'"{DASHBOARD_COLOUR}"', f'"{colour}"'))
        config = out.setdefault("config", {})
        config.setdefault("mark", {})["color"] = colour
        config.setdefault("range", {})["category"] = [colour, *DEFAULT_CATEGORY_COLOURS[1:]]
    if charity:
        out["title"] = _titled(out.get("title"), charity)
    return out


def table_files(
    frame: pd.DataFrame, *, sheet_title: str, notes: Sequence[str], labels: Mapping[str, str] | None = None
) -> dict[str, bytes]:
    """A chart's data as CSV (UTF-8 with BOM, so Excel reads it) and XLSX (the table, then a Notes sheet).

    Columns are renamed with ``labels`` or else from snake_case ('mean_change' becomes 'Mean change'); every text
    value, column name and note is neutralised against formula injection.
    """
    table = _plain(frame, labels or {})
    return {"csv": csv_bytes(table), "xlsx": _xlsx({sheet_title: table}, sheet_title, notes)}


COLUMN_WORDS = {
    "dna_rate": "Did-not-attend rate",
    "label": "People as shown",
    "ci_low": "Likely range from (95%)",
    "ci_high": "Likely range to (95%)",
    "share_low": "Share likely from (95%)",
    "share_high": "Share likely to (95%)",
    "n": "People",
}  # internal names a data file would otherwise print as 'Dna rate' or 'Ci low'


def column_label(name: str) -> str:
    """A column's name in words: 'mean_change' -> 'Mean change', 'dna_rate' -> 'Did-not-attend rate', and a count's
    label column 'reached_label' -> 'Reached as shown'."""
    if name in COLUMN_WORDS:
        return COLUMN_WORDS[name]
    words = name.removesuffix("_label").replace("_", " ").strip() + (" as shown" if name.endswith("_label") else "")
    return words[:1].upper() + words[1:]


def file_name(charity: str, what: str, period_label: str, ext: str) -> str:
    """A safe download name, e.g. brightside-mind_wemwbs-change_2025-26.png: ASCII slugs of bounded length."""
    return f"{file_stem(charity, what, period_label)}.{_slug(ext) or 'bin'}"


def file_stem(charity: str, what: str, period_label: str) -> str:
    """The name without its extension, shared by the files of one report."""
    return "_".join(part for part in map(_slug, (charity, what, period_label)) if part) or "export"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:NAME_PART_LENGTH].strip("-")


def _print_sized(spec: dict) -> dict:
    """Fixed sizes for what the page sizes: 'container' anywhere, and a single view with no width of its own."""
    sized = _without_container_sizes(copy.deepcopy(spec))
    single_view = "mark" in sized or "layer" in sized
    faceted = "facet" in sized or any(f in sized.get("encoding", {}) for f in FACETS)
    if single_view and not faceted and "width" not in sized:
        sized["width"] = PRINT_WIDTH
    return sized


def _without_container_sizes(node: object) -> object:
    if isinstance(node, list):
        return [_without_container_sizes(item) for item in node]
    if isinstance(node, dict):
        return {key: _print_value(key, value) for key, value in node.items()}
    return node


def _print_value(key: str, value: object) -> object:
    if key == "width" and value == "container":
        return PRINT_WIDTH
    if key == "height" and value == "container":
        return PRINT_HEIGHT
    return value if key in ("data", "datasets") else _without_container_sizes(value)


def _with_footnote(spec: dict, lines: Sequence[str]) -> dict:
    """The chart inside a one-view vconcat whose title, at the bottom, is the footnote."""
    if not lines:
        return spec
    hoisted = [*TOP_LEVEL_ONLY, *(("params",) if "mark" not in spec else ())]  # a layer's or concat's params are global
    outer = {key: spec[key] for key in hoisted if key in spec}
    inner = {key: value for key, value in spec.items() if key not in hoisted and key not in SCREEN_ONLY}
    wrapped = [part for line in lines for part in textwrap.wrap(line, FOOTNOTE_CHARACTERS)]
    return {**outer, "vconcat": [inner], "title": {"text": wrapped, "offset": 16, **FOOTNOTE_STYLE}}


def _titled(title: object, charity: str) -> object:
    if isinstance(title, dict):
        return {**title, "text": _titled(title.get("text"), charity)}
    if isinstance(title, list) and title:
        return [f"{charity}: {title[0]}", *title[1:]]
    return f"{charity}: {title}" if isinstance(title, str) and title else charity


_RENDERERS: dict[str, Callable[[dict, float], bytes]] = {
    "png": lambda spec, scale: vl_convert.vegalite_to_png(spec, scale=scale, allowed_base_urls=[]),
    "svg": lambda spec, _: vl_convert.vegalite_to_svg(spec, allowed_base_urls=[]).encode(),
    "pdf": lambda spec, _: vl_convert.vegalite_to_pdf(spec, allowed_base_urls=[]),
}


def _plain(frame: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """Plain column names, blanks as None, every text value and name neutralised."""
    return safe_frame(frame.set_axis([labels.get(str(n), column_label(str(n))) for n in frame.columns], axis=1))


def workbook_file(
    tables: Mapping[str, pd.DataFrame], *, title: str, notes: Sequence[str], labels: Mapping[str, str] | None = None
) -> bytes:
    """Several tables as one XLSX, a sheet each in order, then a Notes sheet headed ``title``; the columns renamed and
    every value neutralised as ``table_files`` does."""
    return _xlsx({name: _plain(frame, labels or {}) for name, frame in tables.items()}, title, notes)


def _xlsx(tables: Mapping[str, pd.DataFrame], title: str, notes: Sequence[str]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, table in tables.items():
        data = book.create_sheet(SHEET_NAME_FORBIDDEN.sub(" ", name).strip("' ")[:31] or "Data")  # Excel's rules
        _write(data, [list(table.columns), *table.itertuples(index=False)])
        data.freeze_panes = "A2"
    _write(book.create_sheet("Notes"), [[safe(title)], *([safe(note)] for note in notes)])
    return xlsx_bytes(book)


def _write(sheet: Worksheet, rows: Sequence[Sequence[object]]) -> None:
    """Rows from A1, the first in bold, columns wide enough for their longest value."""
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(sheet.iter_cols(values_only=True), 1):
        longest = max((len(str(value)) for value in column if value is not None), default=0)
        low, high = EXCEL_COLUMN_WIDTH
        sheet.column_dimensions[get_column_letter(index)].width = min(high, max(low, longest + 2))
