"""The rows of a worksheet, streamed from its XML with the standard library's pull parser.

openpyxl's read-only mode streams too, but builds a cell object per cell in Python (about 20 µs
a cell here), and opening a workbook with it parses every sheet that lacks a ``<dimension>``
whole. Here the parser builds each row's elements in C; a row is read into values when its
``</row>`` has been seen and is then dropped, so memory stays flat. Values are exactly those of
openpyxl's ``iter_rows(values_only=True)`` with ``data_only=True`` — shared and inline strings,
numbers (int unless written with a point or exponent), booleans, serial dates turned into
datetimes by the cell's number format, ISO dates, a formula's cached value, error codes as text
— using openpyxl's own shared strings, date formats and date conversion.
"""

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.utils.datetime import from_excel, from_ISO8601

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SHEET_DATA, DIMENSION = f"{MAIN}sheetData", f"{MAIN}dimension"
VALUE, INLINE, TEXT, RUN = f"{MAIN}v", f"{MAIN}is", f"{MAIN}t", f"{MAIN}r"
CHUNK_BYTES = 4096
DIGITS = "0123456789"
# What openpyxl gives a date cell whose serial number no date can have.
BAD_DATE = "#VALUE!"


@dataclass(frozen=True)
class CellFormats:
    """What turns a cell's stored text into its value: the workbook's shared strings, the
    styles whose number format is a date (or a duration), and its date epoch."""

    shared_strings: list
    date_styles: frozenset[int]
    duration_styles: frozenset[int]
    epoch: datetime


class WorksheetRows:
    """A worksheet's rows, read once, in order: ``(row number, values)`` where ``values`` has
    one entry per column from A (None where no cell is), ``width`` long when given. Rows the
    sheet leaves out are not yielded. ``declared_rows`` is the last row of the sheet's
    ``<dimension>``, once the rows have begun (None when it has none)."""

    def __init__(self, source: IO[bytes], formats: CellFormats, *, width: int | None = None):
        self.source = source
        self.formats = formats
        self.width = width
        self.declared_rows: int | None = None
        self._columns: dict[str, int] = {}

    def __iter__(self) -> Iterator[tuple[int, list]]:
        parser = ElementTree.XMLPullParser(events=("start",))
        sheet_data = None
        number = 0
        while chunk := self.source.read(CHUNK_BYTES):
            parser.feed(chunk)
            for _, element in parser.read_events():
                if sheet_data is None:
                    if element.tag == SHEET_DATA:
                        sheet_data = element
                    elif element.tag == DIMENSION:
                        self.declared_rows = _last_row(element.get("ref"))
            # Every row but the last is complete (the last may still be arriving).
            if sheet_data is not None and len(sheet_data) > 1:
                done = sheet_data[:-1]
                del sheet_data[:-1]
                for row in done:
                    number = _row_number(row, number)
                    yield number, self.values(row)
        parser.close()
        for row in sheet_data if sheet_data is not None else ():
            number = _row_number(row, number)
            yield number, self.values(row)

    def values(self, row) -> list:
        width = self.width
        values = [None] * width if width is not None else []
        column = 0
        for cell in row:
            reference = cell.get("r")
            if reference:
                letters = reference.rstrip(DIGITS)
                column = self._columns.get(letters) or self._column(letters)
            else:
                column += 1
            if width is not None:
                if column > width:
                    continue
            elif column > len(values):
                values.extend([None] * (column - len(values)))
            values[column - 1] = self.value(cell)
        return values

    def _column(self, letters: str) -> int:
        self._columns[letters] = column_index_from_string(letters)
        return self._columns[letters]

    def value(self, cell):
        """The cell's value as openpyxl reads it (``parse_cell`` with ``data_only``)."""
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            text = cell.find(INLINE)
            return None if text is None else _inline_text(text)
        stored = cell.findtext(VALUE) or None
        if stored is None:
            return None
        if kind == "n":
            number = (
                float(stored) if "." in stored or "E" in stored or "e" in stored else int(stored)
            )
            style = cell.get("s")
            if style and int(style) in self.formats.date_styles:
                return self._date(number, int(style))
            return number
        if kind == "s":
            return self.formats.shared_strings[int(stored)]
        if kind == "b":
            return bool(int(stored))
        if kind == "d":
            return from_ISO8601(stored)
        return stored  # "str" (a formula's text), "e" (an error code)

    def _date(self, serial, style: int):
        try:
            return from_excel(
                serial, self.formats.epoch, timedelta=style in self.formats.duration_styles
            )
        except (OverflowError, ValueError):
            return BAD_DATE


def _row_number(row, previous: int) -> int:
    number = row.get("r")
    if not number:
        return previous + 1
    try:
        return int(number)
    except ValueError:
        as_float = float(number)
        if not as_float.is_integer():
            raise ValueError(f"{number} is not a valid row number") from None
        return int(as_float)


def _inline_text(element) -> str:
    """An inline string's text: its plain text, then its rich-text runs' (not phonetic hints),
    as openpyxl's ``Text.content``."""
    parts = [element.findtext(TEXT) or ""]
    parts.extend(run.findtext(TEXT) or "" for run in element.iterfind(RUN))
    return "".join(parts)


def _last_row(reference: str | None) -> int | None:
    if not reference:
        return None
    try:
        return range_boundaries(reference)[3]
    except ValueError:
        return None
