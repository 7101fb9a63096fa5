"""Every CSV and XLSX file the platform writes goes through here (API table exports, the
incident CSV stream, management commands' reports), so that text a caller wrote can never
become a spreadsheet formula.

A text cell starting with ``= + - @``, a tab or a carriage return (or their full-width forms,
which some spreadsheets read alike) is prefixed with ``'``, as OWASP advises against CSV
injection; text that is a plain number ("-12.5") is a number, not a formula, and stays as it is.
Numbers, dates and empty cells are written as they are. In XLSX every text cell is a string
cell, never a formula, whatever it starts with.

(The CSV that ``safecity.core.bulk`` streams to PostgreSQL's COPY is database input, not a
file for people, and must keep values exactly: it does not come here.)
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# Characters XLSX (XML 1.0) cannot hold; openpyxl refuses them instead of writing the file.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A byte-order mark, so that Excel opens Chinese text in a CSV as UTF-8.
BOM = "\ufeff"


def neutralised(text: str) -> str:
    """``text`` as a spreadsheet will read it as text, never as a formula."""
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def cell(value):
    """One cell's value for a CSV or XLSX file: numbers and dates as they are, None empty,
    anything else as neutralised text."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime | date | time):
        return value
    return neutralised(value if isinstance(value, str) else str(value))


def _csv_row(row: Sequence) -> list:
    return [cell(value) for value in row]


class _Echo:
    def write(self, value):
        return value


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV file as lines, for a streamed answer: the header first (after a BOM)."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(_csv_row(headers))
    for row in rows:
        yield writer.writerow(_csv_row(row))


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """The CSV file, UTF-8 with a BOM."""
    return "".join(csv_lines(headers, rows)).encode("utf-8")


def write_csv(handle: IO[str], headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write the CSV file to an open text file (opened with ``newline=""``), without a BOM."""
    writer = csv.writer(handle)
    writer.writerow(_csv_row(headers))
    for row in rows:
        writer.writerow(_csv_row(row))


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], sheet: str = "SafeCity") -> bytes:
    """The XLSX workbook of one sheet; every text cell a string, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)

    def xlsx_cell(value):
        value = cell(value)
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.isoformat()  # Excel has no time zones; keep the offset as text
        if isinstance(value, str):
            value = _XLSX_ILLEGAL.sub("", value)
        written = WriteOnlyCell(worksheet, value=value)
        if isinstance(value, str):
            written.data_type = "s"
        return written

    worksheet.append([xlsx_cell(value) for value in headers])
    for row in rows:
        worksheet.append([xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
