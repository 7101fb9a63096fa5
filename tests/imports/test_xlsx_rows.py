"""The streamed XLSX reader (imports/xlsx_rows.py) gives exactly openpyxl's values, on a
workbook written here part by part as Excel writes it (shared strings, styles with date
formats) with every kind of cell, and keeps memory flat however long the sheet."""

import tracemalloc
import zipfile
from datetime import datetime, time, timedelta

import pytest
from openpyxl import load_workbook

from imports.problems import FileProblem
from imports.readers import open_table
from imports.xlsx import OpenWorkbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

# Styles: 0 general, 1 a date (built-in 14), 2 a date and time (22), 3 a time of day (21),
# 4 a duration ([h]:mm:ss, custom).
STYLES = f"""<styleSheet xmlns="{MAIN}">
<numFmts count="1"><numFmt numFmtId="164" formatCode="[h]:mm:ss"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="21" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""

SHARED = ["编号", "时间", " spaced ", "plain", "rich", "text"]
SHARED_XML = (
    f'<sst xmlns="{MAIN}" count="7" uniqueCount="6">'
    + "".join(f'<si><t xml:space="preserve">{text}</t></si>' for text in SHARED[:4])
    + "<si><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r></si><si><t>text</t></si></sst>"
)

# Every kind of cell: shared strings (plain, with spaces, rich), inline strings (plain, rich,
# empty), whole and decimal numbers, an exponent, booleans, an error, dates and times by
# style, an ISO date, a formula's cached number and text, a formula with no cached value,
# cells left out (gaps), cells without a reference, a row without a number and a row skipped.
SHEET_DATA = """
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>
  <c r="C1" t="inlineStr"><is><t>种类</t></is></c><c r="E1" t="s"><v>2</v></c></row>
<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" s="2"><v>45301.5</v></c>
  <c r="C2" t="inlineStr"><is><r><t>fi</t></r><r><rPr><b/></rPr><t>ght</t></r></is></c>
  <c r="D2"><v>3374</v></c><c r="E2"><v>121.475</v></c><c r="F2"><v>1.5E3</v></c></row>
<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" s="1"><v>45301</v></c>
  <c r="C3" t="e"><v>#N/A</v></c><c r="D3" s="3"><v>0.375</v></c>
  <c r="E3" s="4"><v>1.25</v></c><c r="F3" t="d"><v>2024-01-10T08:30:00</v></c></row>
<row r="4"><c r="A4"><f>1+2</f><v>3</v></c><c r="B4" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>
  <c r="C4"><f>NOW()</f></c><c r="D4" t="s"><v>4</v></c><c r="E4" t="b"><v>0</v></c>
  <c r="F4" t="inlineStr"><is><t/></is></c></row>
<row><c t="s"><v>5</v></c><c><v>-7</v></c><c t="inlineStr"><is><t>a &amp; b</t></is></c></row>
<row r="8"><c r="B8"><v>0.1</v></c><c r="H8"><v>99</v></c></row>
"""
WIDTH = 6


def workbook_file(path, sheet_data: str, *, dimension: str | None = "A1:F8") -> None:
    """An XLSX workbook of one sheet, its parts written as Excel writes them."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = f'<worksheet xmlns="{MAIN}">{declared}<sheetData>{sheet_data}</sheetData></worksheet>'
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{WORKBOOK_TYPE}"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{STYLES_TYPE}"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            '<sheet name="警情" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{RELS}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": SHARED_XML,
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)


def streamed(path, *, width=None) -> tuple[dict[int, list], int | None]:
    workbook = OpenWorkbook(path, path.name)
    try:
        rows = workbook.rows("警情", width=width)
        with rows.source:
            return dict(rows), rows.declared_rows
    finally:
        workbook.close()


def openpyxls(path, *, width=None) -> dict[int, list]:
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book["警情"]
        return {
            number: list(values)
            for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=width), 1)
        }
    finally:
        book.close()


def test_streamed_rows_are_exactly_openpyxls_values(tmp_path):
    path = tmp_path / "kinds.xlsx"
    workbook_file(path, SHEET_DATA)
    ours, declared = streamed(path, width=WIDTH)
    theirs = openpyxls(path, width=WIDTH)
    # openpyxl fills the rows a sheet leaves out with empty ones; the stream leaves them out.
    assert set(theirs) == {1, 2, 3, 4, 5, 6, 7, 8}
    assert set(ours) == {1, 2, 3, 4, 5, 8}
    assert {n: v for n, v in theirs.items() if n in ours} == ours
    assert theirs[6] == theirs[7] == [None] * WIDTH
    assert declared == 8


def test_each_kind_of_cell_reads_as_a_spreadsheet_means_it(tmp_path):
    path = tmp_path / "kinds.xlsx"
    workbook_file(path, SHEET_DATA)
    rows, _ = streamed(path, width=WIDTH)
    assert rows[1] == ["编号", "时间", "种类", None, " spaced ", None]
    assert rows[2] == ["plain", datetime(2024, 1, 10, 12), "fight", 3374, 121.475, 1500.0]
    assert rows[3] == [True, datetime(2024, 1, 10), "#N/A", time(9), timedelta(hours=30),
                       datetime(2024, 1, 10, 8, 30)]  # fmt: skip
    assert rows[4] == [3, "ab", None, "rich", False, ""]
    assert rows[5] == ["text", -7, "a & b", None, None, None]
    # A cell past the width asked for is dropped; without a width the row runs to it.
    assert rows[8] == [None, 0.1, None, None, None, None]
    assert streamed(path)[0][8] == [None, 0.1, None, None, None, None, None, 99]


def test_a_sheet_without_a_dimension_reads_alike_with_no_declared_size(tmp_path):
    with_size, without = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    workbook_file(with_size, SHEET_DATA)
    workbook_file(without, SHEET_DATA, dimension=None)
    assert streamed(without, width=WIDTH) == (streamed(with_size, width=WIDTH)[0], None)


def test_a_workbook_with_shared_strings_imports_as_records_in_the_import_time_zone(tmp_path):
    path = tmp_path / "kinds.xlsx"
    workbook_file(path, SHEET_DATA)
    with open_table(path) as table:
        assert table.header == ["编号", "时间", "种类", "", "spaced"]
        assert table.rows_total == 7
        first = next(table.records())
    # Whole numbers as int, dates as naive datetimes (the mapping's time zone applies later).
    assert first == (
        1,
        {"编号": "plain", "时间": datetime(2024, 1, 10, 12), "种类": "fight", "": 3374,
         "spaced": 121.475},
        "",
    )  # fmt: skip


def test_a_sheet_whose_xml_is_broken_is_refused_when_opened(tmp_path):
    path = tmp_path / "broken.xlsx"
    workbook_file(path, '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c>')
    with pytest.raises(FileProblem, match="sheet 警情 is not readable"):
        open_table(path)


def sheet_of(count: int) -> str:
    return "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>R{n}</t></is></c>'
        f'<c r="B{n}" s="2"><v>{45000 + n / 1000}</v></c><c r="C{n}" t="s"><v>3</v></c></row>'
        for n in range(1, count + 1)
    )


def peak_reading(path) -> int:
    tracemalloc.start()
    try:
        with open_table(path) as table:
            for _ in table.records():
                pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_sheet_ten_times_longer_is_read_in_the_same_memory(tmp_path):
    short, long = tmp_path / "short.xlsx", tmp_path / "long.xlsx"
    workbook_file(short, sheet_of(3_000), dimension=None)
    workbook_file(long, sheet_of(30_000), dimension=None)
    short_peak, long_peak = peak_reading(short), peak_reading(long)
    # Held whole, 27,000 more rows would take megabytes; streamed, the peak barely moves.
    assert long_peak < short_peak + 200_000, (short_peak, long_peak)
