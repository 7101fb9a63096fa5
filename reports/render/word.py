"""The briefing as a Word document (python-docx): bureaus edit briefings in Word, so the
tables are real tables and the sentences plain paragraphs, in the usual 宋体/黑体."""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..numbers import FIGURE

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"


def _font(run, east_asian: str, size: float, bold: bool = False, grey: bool = False) -> None:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    if grey:
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def _paragraph(document, text, *, east_asian=BODY_FONT, size=11.0, bold=False, grey=False):
    paragraph = document.add_paragraph()
    _font(paragraph.add_run(text), east_asian, size, bold, grey)
    return paragraph


def briefing_docx(content: dict, charts: dict[str, bytes]) -> bytes:
    document = Document()
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(2.2)
    title = _paragraph(document, content["title"], east_asian=HEADING_FONT, size=16, bold=True)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period, yoy, pop = content["period"], content["yoy_period"], content["pop_period"]
    subtitle = _paragraph(
        document,
        f"统计周期 {period['from']} 至 {period['to']}；同比 {yoy['from']} 至 {yoy['to']}；"
        f"环比 {pop['from']} 至 {pop['to']}",
        size=9,
        grey=True,
    )
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for number, section in enumerate(content["sections"], start=1):
        _paragraph(
            document,
            f"{number}. {section['title']}",
            east_asian=HEADING_FONT,
            size=13,
            bold=True,
        )
        _paragraph(document, section["sentence"])
        _paragraph(document, section["sentence_en"], size=9, grey=True)
        png = charts.get(section["key"])
        if png:
            document.add_picture(io.BytesIO(png), width=Cm(16))
        grid = section.get("table")
        if grid and grid["rows"]:
            table = document.add_table(rows=1, cols=len(grid["columns"]))
            table.style = "Table Grid"
            for cell, (heading, _en) in zip(table.rows[0].cells, grid["columns"], strict=True):
                cell.text = ""
                _font(cell.paragraphs[0].add_run(heading), HEADING_FONT, 9, bold=True)
            for row in grid["rows"]:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = ""
                    paragraph = cell.paragraphs[0]
                    if FIGURE.match(text):
                        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                    _font(paragraph.add_run(text), BODY_FONT, 9)
    _paragraph(document, f"生成时间 {content['generated_at']}", size=8, grey=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
