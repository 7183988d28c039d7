"""The report pack: a PDF, a Word file and a ZIP of charts and data, with the pages' figures in export mode."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Sequence
from csv import reader
from pathlib import Path

import docx
import duckdb
import pytest
import vl_convert
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from pipelines import export, funding, inventory, outcomes, pack, reach, report, settings, store
from pipelines.__main__ import main
from pipelines.disclosure import Disclosure
from pipelines.document import to_docx, to_pdf
from pipelines.export import Download
from pipelines.query import Filters
from pipelines.settings import Brand
from tests.apphelpers import PageRun, SamplePages, app_as_on_a_server, assert_ran, copy_database, open_page, widget

FUNDER = "Dudley Council"
EXPORT = Disclosure.export()


@pytest.fixture(scope="module")
def dudley(sample: duckdb.DuckDBPyConnection) -> tuple[report.Scope, pack.Pack]:
    scope = report.scope(sample, funder=FUNDER)
    return scope, pack.report_pack(sample, scope, report.SECTIONS, Brand("Brightside Mind"))


@pytest.fixture(scope="module")
def pdf_text(dudley: tuple[report.Scope, pack.Pack]) -> str:
    reader = PdfReader(io.BytesIO(to_pdf(dudley[1].document)))
    assert 3 <= len(reader.pages) <= 6, "a few pages"
    return "\n".join(page.extract_text() for page in reader.pages)


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def assert_people_safe(name: str, table: list[Sequence[object]]) -> None:
    """Every count of people in an exported table (its column titles first) is 0, hidden, or at least 10 and a
    multiple of 5."""
    for column, title in enumerate(table[0]):
        if title in ("People", "Reached", "New", "Returning", "Pairs"):
            for row in table[1:]:
                value = row[column]
                assert value in (None, 0) or (value >= 10 and value % 5 == 0), (name, title, value)


def sheet_rows(sheet: Worksheet) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))


def test_the_pdf_has_every_section_and_the_grants(pdf_text: str) -> None:
    text = plain(pdf_text)
    for heading in ("Our work funded by Dudley Council", "In brief", "What changed for people", "Who took part",
                    "Funding and value for money", "How we measured this"):  # fmt: skip
        assert heading in text
    assert "Wellbeing courses 2024-26" in text and "£100,000" in text
    assert "Warwick-Edinburgh Mental Wellbeing Scale" in text and "Tennant R et al. (2007)" in text


def test_the_figures_are_the_pages_figures_in_export_mode(
    sample: duckdb.DuckDBPyConnection, dudley: tuple[report.Scope, pack.Pack], pdf_text: str
) -> None:
    f = dudley[0].filters
    labels = reach.reach_figures(sample, f, EXPORT)["labels"]
    text = plain(pdf_text)
    assert f"{labels['reached']} people took part in {labels['sessions_delivered']} sessions" in text
    headline = outcomes.headline(sample, f, "WEMWBS", EXPORT)
    assert outcomes.summary_sentence("WEMWBS", headline, f.period.label) in text
    assert headline["pairs"] % 5 == 0, "counts are rounded to 5"
    assert f"Cost per person reached: £{funding.cost_per_person(sample, f, EXPORT):,.0f}." in text


def test_the_word_file_holds_the_same_headings_and_charts(dudley: tuple[report.Scope, pack.Pack]) -> None:
    word = docx.Document(io.BytesIO(to_docx(dudley[1].document)))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[:5] == ["In brief", "What changed for people", "Who took part", "Funding and value for money",
                            "How we measured this"]  # fmt: skip
    assert len(word.inline_shapes) == len(dudley[1].exhibits) == 2


def test_the_zip_has_each_chart_as_png_and_svg_with_safe_data(dudley: tuple[report.Scope, pack.Pack]) -> None:
    archive = zipfile.ZipFile(io.BytesIO(dudley[1].zip()))
    names = archive.namelist()
    assert {n.rsplit(".", 1)[1] for n in names} == {"png", "svg", "xlsx"} and len(names) == 6
    for name in names:
        data = archive.read(name)
        if name.endswith(".xlsx"):
            assert_people_safe(name, sheet_rows(load_workbook(io.BytesIO(data)).worksheets[0]))
        if name.endswith(".svg"):
            assert "Counts under 8 suppressed; others rounded to 5" in data.decode()


def test_the_command_line_writes_the_three_files(sample_db: Path, tmp_path: Path, capsys) -> None:
    db = copy_database(sample_db, tmp_path / "db")
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "out"), "--funder", FUNDER,
                 "--sections", "outcomes,methods", "--from", "2025-04-01", "--to", "2026-03-31"]) == 0  # fmt: skip
    printed = capsys.readouterr().out.splitlines()
    assert [Path(p).suffix for p in printed] == [".pdf", ".docx", ".zip"]
    assert all(Path(p).is_file() and Path(p).parent == tmp_path / "out" for p in printed)
    assert Path(printed[0]).name == "brightside-mind_dudley-council-report_2025-26.pdf"


def test_an_unknown_funder_is_a_clear_error(sample_db: Path, tmp_path: Path, capsys) -> None:
    db = copy_database(sample_db, tmp_path / "db")
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "out"), "--funder", "Dudley"]) == 1
    error = capsys.readouterr().err
    assert "There is no funder called 'Dudley'" in error and "Black Country ICB" in error
    assert not (tmp_path / "out").exists()


# The Reports page -----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("app_runtime")
def test_the_reports_page_makes_a_funders_pack(sample_app: Path) -> None:
    at = open_page("pages/reports.py", "Reports")
    widget(at.selectbox, "Funder").set_value(FUNDER).run()
    widget(at.button, "Make the report pack").click().run()
    assert_ran(at)
    names = [b.label for b in at.get("download_button") if "calendar" not in b.label]  # the deadlines' calendar
    assert [n.rsplit(".", 1)[1] for n in names] == ["pdf", "docx", "zip"]
    assert names[0].startswith("brightside-mind_dudley-council-report_")


# Every chart's downloads on the pages ------------------------------------------------------------------------------

CHART_PAGES = ["pages/overview.py", "pages/outcomes.py", "pages/reach.py", "pages/funding.py"]


def chart_stems(run: PageRun) -> list[str]:
    """The file name, without its extension, of each chart the page offers as a picture."""
    return [name.removesuffix(".png") for name in run.downloads if name.endswith(".png")]


def download(run: PageRun, stem: str, ext: str) -> bytes:
    """The file that clicking the chart's download in this format gives ('png', 'svg', 'pdf', 'csv' or 'xlsx')."""
    return run.downloads[f"{stem}.{ext}"]()


@pytest.fixture(scope="module")
def exhibits(sample_pages: SamplePages) -> dict[str, Download]:
    """Every chart the pages offer, by file stem, as its downloads would draw it, taken before anything is rendered."""
    stems = {stem: run for script in CHART_PAGES for run in sample_pages.sections(script) for stem in chart_stems(run)}
    with pytest.MonkeyPatch.context() as patch, app_as_on_a_server(patch):
        patch.setenv("IMPACT_DB", str(sample_pages.db))
        patch.setattr(Download, "render", lambda exhibit, ext: exhibit)
        return {stem: download(run, stem, "png") for stem, run in stems.items()}


def exported_table(exhibit: Download) -> list[Sequence[object]]:
    """The chart's data as its CSV and Excel files hold it: plain column titles first, blanks as None."""
    data = exhibit.data.drop(columns=[c for c in export.INTERNAL_COLUMNS if c in exhibit.data.columns])
    titles = [exhibit.labels.get(str(c), export.column_label(str(c))) for c in data.columns]
    return [titles, *data.astype(object).where(data.notna(), None).itertuples(index=False)]


def chart_kind(spec: dict) -> str:
    """What drew a chart, as far as its Vega-Lite spec tells: its marks and what each channel encodes."""
    marks: set[str] = set()
    channels: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            mark = node.get("mark")
            if mark:
                marks.add(mark if isinstance(mark, str) else mark["type"])
            for channel, encoded in node.get("encoding", {}).items():
                if isinstance(encoded, dict):
                    channels.add(f"{channel}:{encoded.get('field')}:{encoded.get('type')}")
            for key, value in node.items():
                if key not in ("data", "datasets", "encoding"):
                    visit(value)

    visit(spec)
    return " ".join([*sorted(marks), *sorted(channels)])


@pytest.mark.parametrize("script", CHART_PAGES)
def test_every_chart_on_a_page_offers_safe_files(
    sample_pages: SamplePages, exhibits: dict[str, Download], script: str
) -> None:
    """Each chart in every format, its spec valid Vega-Lite with the suppression in its footnote, its data with no
    small or unrounded count of people (checked as the files would hold them, without drawing any)."""
    runs = sample_pages.sections(script)
    stems = {stem: run for run in runs for stem in chart_stems(run)}
    assert stems, "the sample draws charts here"
    for stem, run in stems.items():
        assert {f"{stem}.{ext}" for ext in export.DOWNLOADS} <= set(run.downloads), stem
        exhibit = exhibits[stem]
        assert vl_convert.vegalite_to_vega(json.dumps(exhibit.spec, default=str)), stem  # a day as ISO text
        assert export.EXPORT_SUPPRESSION in exhibit.footnote(), stem
        assert_people_safe(stem, exported_table(exhibit))


def test_one_chart_of_each_kind_renders_in_every_format(exhibits: dict[str, Download]) -> None:
    """A PNG at print size, an SVG with its title and footnote, a PDF, and its data as CSV and Excel, for one chart
    drawn by each chart function on the pages (charts of one kind draw the same marks from the same fields)."""
    rendered: dict[str, str] = {}  # kind -> the chart rendered for it
    for stem, exhibit in exhibits.items():
        kind = chart_kind(exhibit.spec)
        if kind not in rendered:
            png, svg, pdf, csv, xlsx = (exhibit.render(ext) for ext in ("png", "svg", "pdf", "csv", "xlsx"))
            assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") >= 2 * 600, stem
            assert svg.startswith(b"<svg") and b"Counts under 8 suppressed; others rounded to 5" in svg, stem
            assert pdf.startswith(b"%PDF"), stem
            table = sheet_rows(load_workbook(io.BytesIO(xlsx)).worksheets[0])
            assert_people_safe(stem, table)
            assert next(reader(io.StringIO(csv.decode("utf-8-sig")))) == list(table[0]), stem
            rendered[kind] = stem
    assert len(rendered) > 10, f"the sample's pages draw more than ten kinds of chart: {sorted(rendered.values())}"


@pytest.mark.usefixtures("app_runtime")
def test_each_download_of_a_chart_is_in_its_own_format(
    sample_pages: SamplePages, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each item of a chart's Download menu asks for the format it names."""
    monkeypatch.setenv("IMPACT_DB", str(sample_pages.db))
    run = sample_pages.opened(CHART_PAGES[0])
    stem = chart_stems(run)[0]
    monkeypatch.setattr(Download, "render", lambda exhibit, ext: ext)
    assert [download(run, stem, ext) for ext in export.DOWNLOADS] == list(export.DOWNLOADS)


@pytest.mark.parametrize(
    ("codes", "against"), [([], "Against England (Census 2021)"), (["E08000027"], "Against Dudley")]
)
def test_the_one_page_summary_compares_with_the_charitys_own_area(sample_db, tmp_path, codes, against) -> None:
    with store.connect(copy_database(sample_db, tmp_path / "copy")) as con:
        if codes:
            settings.save_area(con, codes)
        built = pack.one_page(con, Filters(inventory.default_period(con)), settings.brand(con, showing_sample=True))
    assert any(against in b.text for b in built.document.blocks if "took part" in getattr(b, "text", ""))
