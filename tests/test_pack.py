"""The report pack: a PDF, a Word file and a ZIP of charts and data, with the pages' figures in export mode."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import duckdb
import pytest
import streamlit as st
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from pipelines import funding, inventory, outcomes, pack, reach, report, settings, store
from pipelines.__main__ import main
from pipelines.disclosure import Disclosure
from pipelines.document import to_docx, to_pdf
from pipelines.query import Filters
from pipelines.settings import Brand
from tests.apphelpers import assert_ran, copy_database, open_page, run_app, widget

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


def assert_people_safe(name: str, sheet: Worksheet) -> None:
    """Every count of people in an exported sheet is 0, hidden, or at least 10 and a multiple of 5."""
    for column, title in enumerate(c.value for c in sheet[1]):
        if title in ("People", "Reached", "New", "Returning", "Pairs"):
            for (value,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1, values_only=True):
                assert value in (None, 0) or (value >= 10 and value % 5 == 0), (name, title, value)


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
            assert_people_safe(name, load_workbook(io.BytesIO(data)).worksheets[0])
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
    at = run_app()
    at.switch_page("pages/reports.py").run()
    assert_ran(at)
    widget(at.selectbox, "Funder").set_value(FUNDER).run()
    widget(at.button, "Make the report pack").click().run()
    assert_ran(at)
    names = [b.label for b in at.get("download_button")]
    assert [n.rsplit(".", 1)[1] for n in names] == ["pdf", "docx", "zip"]
    assert names[0].startswith("brightside-mind_dudley-council-report_")


# Every chart's downloads on the pages ------------------------------------------------------------------------------


@pytest.fixture
def offered(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Every file a page offers for download, by file name: the bytes, or the function that makes them on click."""
    found: dict[str, object] = {}
    real = st.download_button

    def recording(label: str, data: object, file_name: str | None = None, *args: object, **kwargs: object) -> bool:
        found[file_name] = data
        return real(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    return found


@pytest.mark.usefixtures("app_runtime")
@pytest.mark.parametrize(
    ("script", "title"),
    [
        ("pages/overview.py", "Overview"),
        ("pages/outcomes.py", "Outcomes"),
        ("pages/reach.py", "Reach"),
        ("pages/funding.py", "Funding"),
    ],
)
def test_every_chart_on_a_page_downloads(sample_app: Path, offered: dict, script: str, title: str) -> None:
    """Each chart kind: a PNG at print size, an SVG with its title and footnote, a PDF; its data with no small or
    unrounded count of people."""
    open_page(script, title)
    pictures = [name for name in offered if name.endswith(".png")]
    assert pictures, "the sample draws charts here"
    for name in pictures:
        png, svg, pdf = (offered[name[:-3] + ext]() for ext in ("png", "svg", "pdf"))
        assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") >= 2 * 600, name
        assert svg.startswith(b"<svg") and b"Counts under 8 suppressed; others rounded to 5" in svg, name
        assert pdf.startswith(b"%PDF"), name
        sheet = load_workbook(io.BytesIO(offered[name[:-3] + "xlsx"]())).worksheets[0]
        assert_people_safe(name, sheet)


@pytest.mark.parametrize(
    ("codes", "against"), [([], "Against England (Census 2021)"), (["E08000027"], "Against Dudley")]
)
def test_the_one_page_summary_compares_with_the_charitys_own_area(sample_db, tmp_path, codes, against) -> None:
    con = store.connect(copy_database(sample_db, tmp_path / "copy"))
    try:
        if codes:
            settings.save_area(con, codes)
        built = pack.one_page(con, Filters(inventory.default_period(con)), settings.brand(con, showing_sample=True))
    finally:
        con.close()
    assert any(against in b.text for b in built.document.blocks if "took part" in getattr(b, "text", ""))
