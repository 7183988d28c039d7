"""A funder report as a tiny document model, rendered to PDF (fpdf2) and to an editable Word file (python-docx).

Every text is plain text: nothing is read as markup, control characters are dropped, and a word wider than the
line breaks between its characters. A document is not a spreadsheet: its text is printed as it is, with no
apostrophe before a leading '=' (the CSV and XLSX files are neutralised by pipelines/spreadsheet.py instead).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

import docx
import pandas as pd
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from fpdf import FPDF, FontFace
from fpdf.enums import MethodReturnValue, TableBordersLayout, TableCellFillMode, XPos, YPos
from PIL import Image

from pipelines.export import column_label
from pipelines.settings import Brand

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
NUMBERISH = re.compile(r"[<>≤≥~]?\s*[-−+]?\s*[£$€]?\s*\d[\d,]*(\.\d+)?\s*[%kKmM]?")  # '£1,200', '<8', '45%'
FONT_PACKAGE, FONT_FILES = "font_source_sans_pro", {"": "Regular", "B": "Semibold", "I": "It", "BI": "SemiboldIt"}
WORD_TABLE_STYLE = "Medium Shading 1 Accent 1"  # Word's own: header row, banded rows, outer rule, as in the PDF
WORD_FONT = "Arial"  # on every Windows and Mac; LibreOffice uses its metric twin, Liberation Sans
INK, MUTED, ZEBRA = "#222222", "#5f6368", "#f3f5f7"

# PDF layout, in millimetres and points.
MARGIN, TOP_MARGIN, BOTTOM_MARGIN = 20, 18, 24
BODY_SIZE, SMALL_SIZE, TABLE_SIZE, LINE = 10.5, 8, 9, 5.4
HEADING_SIZE = {1: 16, 2: 12.5, 3: 11}
LOGO_BOX = (45, 16)
CELL_PADDING_CHARACTERS = 3  # a cell's padding, in characters' width: a short column still fits its longest word
MAX_CELL_CHARACTERS = 400  # a PDF table row must fit on one page; Word keeps the whole text
MAX_FOOTNOTE_CHARACTERS = 180  # two lines of footer
MAX_NAME_CHARACTERS = 120  # two lines of masthead
MIN_FIGURE_SCALE = 0.75  # a figure this much smaller still fits the page's end: better than a half-empty page
KEEP_WITH_HEADING = 22  # a heading needs this much room (mm) below it for two lines, or it starts the next page


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1

    def __post_init__(self) -> None:
        if self.level not in HEADING_SIZE:
            raise ValueError(f"Heading level should be 1, 2 or 3, not {self.level!r}")


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Figure:
    png: bytes
    caption: str
    alt_text: str
    width: float = 1.0  # share of the text width


@dataclass(frozen=True, eq=False)
class Table:
    frame: pd.DataFrame
    caption: str
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Bullets | Figure | Table | PageBreak


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    blocks: list[Block]
    brand: Brand


def plain(text: object) -> str:
    """Text as it should print: line breaks kept, tabs as spaces, every other control character dropped."""
    unified = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return CONTROL_CHARACTERS.sub("", unified)


def rgb(colour: str) -> tuple[int, int, int]:
    """'#1f6f8b' or '#18b' -> (31, 111, 139)."""
    digits = colour.lstrip("#")
    digits = "".join(d * 2 for d in digits) if len(digits) == 3 else digits
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def cell_text(value: object, places: int | None = None) -> str:
    """A table value as printed: thousands separators, up to 2 decimal places (or ``places``), dates as 1 Apr 2025."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    if isinstance(value, numbers.Real):
        return f"{value:,.{decimal_places([value]) if places is None else places}f}"
    if isinstance(value, dt.date):
        return f"{value.day} {value:%b %Y}"
    return plain(value)


def decimal_places(values: object) -> int:
    """The fewest places, up to 2, that show every fractional number given: a column's numbers print alike."""
    fractions = [float(v) for v in values if isinstance(v, float) and math.isfinite(v) and not v.is_integer()]
    return max((next(p for p in (0, 1, 2) if round(v, p) == round(v, 2)) for v in fractions), default=0)


@dataclass(frozen=True)
class TableText:
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]  # right-aligned columns


def table_text(table: Table) -> TableText:
    """The table's header and cells as plain text, and which columns hold numbers (to be right-aligned)."""
    headers = [column_label(plain(name)) for name in table.frame.columns]
    frame = table.frame.astype(object)
    places = [decimal_places(frame.iloc[:, index]) for index in range(len(headers))]
    rows = [
        [cell_text(value, p) for value, p in zip(row, places, strict=True)] for row in frame.itertuples(index=False)
    ]
    numeric = [all(NUMBERISH.fullmatch(row[i]) for row in rows if row[i]) for i in range(len(headers))]
    return TableText(headers, rows, numeric)


def png_size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        return image.size


# ---------------------------------------------------------------- PDF


def to_pdf(doc: Document) -> bytes:
    """A4 portrait; laid out twice, the second time knowing the page count for 'Page N of M'."""
    pages = _layout(doc, total_pages=None).pages_count
    return bytes(_layout(doc, total_pages=pages).output())


class _Pdf(FPDF):
    def __init__(self, brand: Brand, total_pages: int | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.brand, self.total_pages = brand, total_pages
        self.alias_nb_pages(None)  # no text is ever replaced: '{nb}' in a charity's text stays as written
        self.set_margins(MARGIN, TOP_MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM_MARGIN)
        self.c_margin = 0
        folder = resources.files(FONT_PACKAGE) / "files"
        for style, weight in FONT_FILES.items():
            self.add_font("Sans", style, str(folder / f"SourceSansPro-{weight}.ttf"))

    def header(self) -> None:
        if self.page == 1:
            _pdf_masthead(self, self.brand)

    def footer(self) -> None:
        self.set_y(-16)
        _colour_text(self, MUTED)
        self.set_font("Sans", size=SMALL_SIZE)
        if self.brand.footnote:
            self.multi_cell(
                self.epw - 35, 3.6, _shortened(plain(self.brand.footnote), MAX_FOOTNOTE_CHARACTERS), align="L"
            )
        self.set_xy(self.w - MARGIN - 35, -16)
        total = f" of {self.total_pages}" if self.total_pages else ""
        self.cell(35, 3.6, f"Page {self.page}{total}", align="R")

    @property
    def room(self) -> float:
        """Height left above the bottom margin on this page."""
        return self.page_break_trigger - self.y


def _layout(doc: Document, total_pages: int | None) -> _Pdf:
    pdf = _Pdf(doc.brand, total_pages)
    pdf.set_title(plain(doc.title))
    pdf.set_author(plain(doc.brand.charity_name))
    pdf.set_lang("en-GB")
    pdf.add_page()
    _pdf_title(pdf, doc)
    for block, following in zip(doc.blocks, [*doc.blocks[1:], None], strict=True):
        if isinstance(block, Heading):
            _pdf_heading(pdf, block, _least_height(pdf, following))
        else:
            _PDF_BLOCKS[type(block)](pdf, block)
    return pdf


def _least_height(pdf: _Pdf, block: Block | None) -> float:
    """The least room a block needs on the page it starts on: a heading is kept with it (a figure, shrunk as far as
    it may be, with its caption; a table's caption and first rows; a paragraph's first lines)."""
    if isinstance(block, Figure):
        return _figure_heights(pdf, block)[0]
    if isinstance(block, Table):
        pdf.set_font("Sans", "B", BODY_SIZE)
        return _text_height(pdf, block.caption, LINE) + 30
    return KEEP_WITH_HEADING if block is not None else 0


def _figure_heights(pdf: _Pdf, block: Figure) -> tuple[float, float, float, float]:
    """A figure's least room (shrunk as far as it may be, with its caption), its width and height at full size,
    and its caption's height."""
    pdf.set_font("Sans", "I", SMALL_SIZE + 1)
    caption_height = _text_height(pdf, block.caption, 4.2) + 2
    full_page = pdf.page_break_trigger - pdf.t_margin - caption_height - 4
    width, height = _fitted(png_size(block.png), (pdf.epw * block.width, full_page))
    return height * MIN_FIGURE_SCALE + caption_height + 4, width, height, caption_height


def _pdf_masthead(pdf: _Pdf, brand: Brand) -> None:
    """Logo at the left, the charity's name beside it in the brand colour, a thin rule under both."""
    top, logo_width, logo_height = 12, 0.0, 0.0
    if brand.logo_png:
        logo_width, logo_height = _fitted(png_size(brand.logo_png), LOGO_BOX)
        pdf.image(io.BytesIO(brand.logo_png), x=MARGIN, y=top, w=logo_width, h=logo_height,
                  alt_text=f"{plain(brand.charity_name)} logo")  # fmt: skip
    name_x = MARGIN + logo_width + (5 if logo_width else 0)
    pdf.set_font("Sans", "B", 12)
    _colour_text(pdf, brand.colour)
    pdf.set_xy(name_x, top + max(logo_height - 6, 0) / 2)
    name = _shortened(plain(brand.charity_name), MAX_NAME_CHARACTERS)
    pdf.multi_cell(pdf.w - MARGIN - name_x, 6, name, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    rule_y = max(pdf.get_y(), top + logo_height) + 4
    pdf.set_draw_color(*rgb(brand.colour))
    pdf.set_line_width(0.6)
    pdf.line(MARGIN, rule_y, pdf.w - MARGIN, rule_y)
    pdf.set_y(rule_y + 14)


def _pdf_title(pdf: _Pdf, doc: Document) -> None:
    _colour_text(pdf, INK)
    pdf.set_font("Sans", "B", 24)
    _pdf_text(pdf, doc.title, 10)
    if doc.subtitle:
        pdf.ln(2)
        pdf.set_font("Sans", size=13)
        _pdf_text(pdf, doc.subtitle, 6.5, MUTED)
    pdf.ln(10)


def _pdf_heading(pdf: _Pdf, block: Heading, keep: float = KEEP_WITH_HEADING) -> None:
    """A heading, on a new page unless there is room for it and the least of the block that follows (``keep``)."""
    size = HEADING_SIZE[block.level]
    if pdf.room < keep + size * 0.5 + 10.5:
        pdf.add_page()
    elif pdf.get_y() > pdf.t_margin + 1:
        pdf.ln(8 if block.level == 1 else 5)
    pdf.set_font("Sans", "B", size)
    _colour_text(pdf, pdf.brand.colour)
    _pdf_text(pdf, block.text, size * 0.5)
    pdf.ln(2.5)


def _pdf_paragraph(pdf: _Pdf, block: Paragraph) -> None:
    pdf.set_font("Sans", "B" if block.emphasis else "", BODY_SIZE)
    _colour_text(pdf, INK)
    _pdf_text(pdf, block.text, LINE)
    pdf.ln(3.5)


def _pdf_bullets(pdf: _Pdf, block: Bullets) -> None:
    pdf.set_font("Sans", size=BODY_SIZE)
    _colour_text(pdf, INK)
    for item in block.items:
        pdf.set_x(MARGIN + 2)
        pdf.cell(5, LINE, "•")
        pdf.multi_cell(pdf.epw - 7, LINE, plain(item), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.2)
    pdf.ln(2.3)


def _pdf_figure(pdf: _Pdf, block: Figure) -> None:
    """At text width, kept on one page with its caption; shrunk a little rather than leave half a page empty."""
    least, width, height, caption_height = _figure_heights(pdf, block)
    if pdf.room < least:
        pdf.add_page()
    width, height = _fitted((width, height), (pdf.epw * block.width, pdf.room - caption_height - 4))
    pdf.ln(2)
    pdf.image(
        io.BytesIO(block.png), x=MARGIN + (pdf.epw - width) / 2, w=width, h=height, alt_text=plain(block.alt_text)
    )
    pdf.ln(2)
    _pdf_text(pdf, block.caption, 4.2, MUTED)
    pdf.ln(5)


def _pdf_table(pdf: _Pdf, block: Table) -> None:
    """Caption above; header row repeated on each page; zebra rows; numbers right-aligned; notes below, small."""
    text = table_text(block)
    pdf.set_font("Sans", "B", BODY_SIZE)
    if pdf.room < _text_height(pdf, block.caption, LINE) + 30:
        pdf.add_page()
    _colour_text(pdf, INK)
    _pdf_text(pdf, block.caption, LINE)
    pdf.ln(2)
    pdf.set_font("Sans", size=TABLE_SIZE)
    pdf.set_draw_color(*rgb(pdf.brand.colour))
    pdf.set_line_width(0.4)
    with pdf.table(
        width=pdf.epw,
        col_widths=_column_weights(text),
        text_align=["RIGHT" if numeric else "LEFT" for numeric in text.numeric],
        borders_layout=TableBordersLayout.SINGLE_TOP_LINE,
        cell_fill_mode=TableCellFillMode.ROWS,
        cell_fill_color=rgb(ZEBRA),
        headings_style=FontFace(emphasis="BOLD", color=rgb(pdf.brand.colour)),
        line_height=4.4,
        padding=(1.6, 2),
        v_align="TOP",
    ) as table:
        for row in [text.headers, *text.rows]:
            table.row([_shortened(cell, MAX_CELL_CHARACTERS) for cell in row])
    pdf.ln(2)
    pdf.set_font("Sans", size=SMALL_SIZE)
    _colour_text(pdf, MUTED)
    for note in block.notes:
        _pdf_text(pdf, note, 3.8)
    pdf.ln(6)


def _pdf_page_break(pdf: _Pdf, _: PageBreak) -> None:
    pdf.add_page()


_PDF_BLOCKS: dict[type, Callable[[_Pdf, object], None]] = {
    Paragraph: _pdf_paragraph,
    Bullets: _pdf_bullets,
    Figure: _pdf_figure,
    Table: _pdf_table,
    PageBreak: _pdf_page_break,
}


def _pdf_text(pdf: _Pdf, text: str, line_height: float, colour: str | None = None) -> None:
    """Wrapped at the text width, left-aligned (in ``colour`` if given); a word wider than the line breaks between
    characters."""
    if colour:
        _colour_text(pdf, colour)
    pdf.multi_cell(pdf.epw, line_height, plain(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _text_height(pdf: _Pdf, text: str, line_height: float) -> float:
    return pdf.multi_cell(pdf.epw, line_height, plain(text), dry_run=True, output=MethodReturnValue.HEIGHT)


def _colour_text(pdf: _Pdf, colour: str) -> None:
    pdf.set_text_color(*rgb(colour))


def _column_weights(text: TableText) -> list[float]:
    """Columns share the width by their longest word and typical length, so short numbers don't get half the page."""
    weights = []
    for index, header in enumerate(text.headers):
        cells = [row[index] for row in text.rows if row[index]] or [""]
        longest_word = max(len(word) for value in [header, *cells] for word in value.split() or [""])
        typical = sorted(len(value) for value in cells)[int(len(cells) * 0.9)]
        weights.append(min(max(longest_word, typical, 4), 40) + CELL_PADDING_CHARACTERS)
    return weights


def _fitted(size_px: tuple[int, int], box: tuple[float, float]) -> tuple[float, float]:
    """The largest width and height within the box that keep the image's proportions."""
    scale = min(box[0] / size_px[0], box[1] / size_px[1])
    return size_px[0] * scale, size_px[1] * scale


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- Word


def to_docx(doc: Document) -> bytes:
    """An editable Word file: Word's own heading, caption, list and table styles, so fundraisers can restyle it."""
    word = docx.Document()
    _docx_page_setup(word, doc.brand)
    word.core_properties.title = _shortened(plain(doc.title), 255)  # Word's limit for document properties
    word.core_properties.author = _shortened(plain(doc.brand.charity_name), 255)
    word.add_paragraph(plain(doc.title), style="Title")
    if doc.subtitle:
        word.add_paragraph(plain(doc.subtitle), style="Subtitle")
    for block in doc.blocks:
        _DOCX_BLOCKS[type(block)](word, block)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _docx_page_setup(word: docx.document.Document, brand: Brand) -> None:
    """A4 with 20 mm margins; the brand in the styles; logo and name in the first page's header, page numbers below."""
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(MARGIN)
    section.header_distance = section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True
    _docx_styles(word, brand, _text_width(section))
    _docx_masthead(section.first_page_header.paragraphs[0], brand)
    for footer in (section.first_page_footer, section.footer):
        _docx_footer(footer.paragraphs[0], brand)


def _docx_styles(word: docx.document.Document, brand: Brand, text_width: int) -> None:
    """One font everywhere, headings in the brand colour, quiet captions, a footer with one right-hand tab stop."""
    colours = {"Title": INK, "Subtitle": MUTED, "Heading 1": brand.colour, "Heading 2": brand.colour,
               "Heading 3": brand.colour, "Caption": MUTED, "Footer": MUTED}  # fmt: skip
    sizes = {"Normal": BODY_SIZE, "Title": 24, "Subtitle": 13, "Caption": SMALL_SIZE + 1, "Footer": SMALL_SIZE,
             **{f"Heading {n}": s for n, s in HEADING_SIZE.items()}}  # fmt: skip
    for name in ("Normal", *colours):
        style = word.styles[name]
        style.font.name, style.font.size = WORD_FONT, Pt(sizes[name])
        fonts = style.element.rPr.rFonts
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):  # a theme font overrides ours
            fonts.attrib.pop(qn(theme), None)
        if name in colours:
            style.font.color.rgb = RGBColor(*rgb(colours[name]))
    title, subtitle = word.styles["Title"], word.styles["Subtitle"]
    title.element.pPr.remove_all("w:pBdr")  # the template's blue rule under the title
    title.font.bold, title.paragraph_format.space_before, title.paragraph_format.space_after = True, Pt(30), Pt(4)
    for style in (title, subtitle):
        style.element.rPr.remove_all("w:spacing")  # letter-spacing
    subtitle.font.italic, subtitle.paragraph_format.space_after = False, Pt(20)
    word.styles["Caption"].font.bold = False
    word.styles["Footer"].paragraph_format.tab_stops.clear_all()
    word.styles["Footer"].paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)


def _docx_masthead(paragraph: docx.text.paragraph.Paragraph, brand: Brand) -> None:
    """Logo and the charity's name in the brand colour, over a thin rule in the brand colour."""
    if brand.logo_png:
        paragraph.add_run().add_picture(io.BytesIO(brand.logo_png), height=Mm(LOGO_BOX[1] - 4))
        paragraph.add_run("    ")
    colour = RGBColor(*rgb(brand.colour))
    name = paragraph.add_run(plain(brand.charity_name))
    name.bold, name.font.size, name.font.color.rgb = True, Pt(12), colour
    borders = _w("pBdr")
    borders.append(_w("bottom", val="single", sz="8", space="8", color=str(colour)))
    paragraph._p.get_or_add_pPr().insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")


def _docx_footer(paragraph: docx.text.paragraph.Paragraph, brand: Brand) -> None:
    """'<footnote>    Page N of M' with PAGE and NUMPAGES fields, which Word fills in."""
    paragraph.add_run(plain(brand.footnote) + "\tPage ")
    _docx_field(paragraph, "PAGE", "1")
    paragraph.add_run(" of ")
    _docx_field(paragraph, "NUMPAGES", "1")


def _docx_field(paragraph: docx.text.paragraph.Paragraph, instruction: str, placeholder: str) -> None:
    run = _w("r")
    run.append(_w("t"))
    run[0].text = placeholder
    field = _w("fldSimple", instr=f" {instruction} ")
    field.append(run)
    paragraph._p.append(field)


def _w(tag: str, **attributes: str) -> docx.oxml.xmlchemy.BaseOxmlElement:
    """A WordprocessingML element, e.g. _w('shd', val='clear', fill='1F6F8B')."""
    return OxmlElement(f"w:{tag}", {qn(f"w:{key}"): value for key, value in attributes.items()})


def _docx_heading(word: docx.document.Document, block: Heading) -> None:
    word.add_heading(plain(block.text), level=block.level)


def _docx_paragraph(word: docx.document.Document, block: Paragraph) -> None:
    word.add_paragraph().add_run(plain(block.text)).bold = block.emphasis


def _docx_bullets(word: docx.document.Document, block: Bullets) -> None:
    for item in block.items:
        word.add_paragraph(plain(item), style="List Bullet")


def _docx_figure(word: docx.document.Document, block: Figure) -> None:
    """An inline picture at text width, its alt text as the picture's description, the caption kept with it."""
    section = word.sections[-1]
    picture = word.add_paragraph()
    picture.paragraph_format.keep_with_next = True
    shape = picture.add_run().add_picture(io.BytesIO(block.png), width=int(_text_width(section) * block.width))
    shape._inline.docPr.set("descr", plain(block.alt_text))
    word.add_paragraph(plain(block.caption), style="Caption")


def _text_width(section: docx.section.Section) -> int:
    return section.page_width - section.left_margin - section.right_margin


def _docx_table(word: docx.document.Document, block: Table) -> None:
    """A real Word table: a header row that repeats on each page, banded rows, numbers right-aligned."""
    text = table_text(block)
    word.add_paragraph(plain(block.caption), style="Caption").paragraph_format.keep_with_next = True
    table = word.add_table(rows=1 + len(text.rows), cols=len(text.headers), style=WORD_TABLE_STYLE)
    table.alignment, table.autofit = WD_TABLE_ALIGNMENT.CENTER, False
    _docx_table_look(table)
    weights = _column_weights(text)
    for column, weight in zip(table.columns, weights, strict=True):
        width = int(_text_width(word.sections[-1]) * weight / sum(weights))
        column.width = width
        for cell in column.cells:
            cell.width = width
    for row, values in zip(table.rows, [text.headers, *text.rows], strict=True):
        for cell, value, numeric in zip(row.cells, values, text.numeric, strict=True):
            cell.text = value
            paragraph = cell.paragraphs[0]
            paragraph.runs[0].font.size = Pt(TABLE_SIZE)
            paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(2.5)
            if numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for cell in table.rows[0].cells:  # in the headings' colour, the brand's, rather than the theme's blue
        cell._tc.get_or_add_tcPr().append(_w("shd", val="clear", fill=str(word.styles["Heading 1"].font.color.rgb)))
    table.rows[0]._tr.get_or_add_trPr().append(_w("tblHeader"))
    for note in block.notes:
        word.add_paragraph(plain(note), style="Caption")


def _docx_table_look(table: docx.table.Table) -> None:
    """The style's header row and banded rows, without its bold first column."""
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    for key, value in {"w:val": "0420", "w:firstRow": "1", "w:firstColumn": "0", "w:noHBand": "0"}.items():
        look.set(qn(key), value)


def _docx_page_break(word: docx.document.Document, _: PageBreak) -> None:
    word.add_page_break()


_DOCX_BLOCKS: dict[type, Callable[[docx.document.Document, object], None]] = {
    Heading: _docx_heading,
    Paragraph: _docx_paragraph,
    Bullets: _docx_bullets,
    Figure: _docx_figure,
    Table: _docx_table,
    PageBreak: _docx_page_break,
}
