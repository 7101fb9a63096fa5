"""Reading XLSX workbooks, streamed (a sheet is parsed row by row, never held whole: see
``xlsx_rows``), after checking the archive cannot expand past the configured limits.

An XLSX file is a zip archive. Before openpyxl opens it, the members' declared uncompressed
sizes are added up and each member's compression ratio is checked, so a small upload cannot
expand to gigabytes (a zip bomb); Python's zipfile stops reading a member at its declared size,
so a member cannot expand past what it declares either.
"""

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings

from .problems import FileProblem
from .xlsx_rows import CellFormats, WorksheetRows

# Members smaller than this are not judged by their ratio: tiny XML files compress very well.
RATIO_FLOOR_BYTES = 1024 * 1024


@dataclass
class Sheet:
    sheet: str
    sheet_names: list[str]
    header: list[str]
    rows_total: int | None
    workbook: "OpenWorkbook"


def check_archive(path: Path, name: str) -> None:
    """FileProblem unless ``path`` is a zip archive of a workbook within the size limits."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileProblem(
            f"{name}: not an XLSX workbook (not a readable zip archive)", code="not_workbook"
        ) from exc
    with archive:
        members = archive.infolist()
        if "xl/workbook.xml" not in {member.filename for member in members}:
            raise FileProblem(
                f"{name}: not an XLSX workbook (no xl/workbook.xml inside)", code="not_workbook"
            )
        limit = settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES
        expanded = sum(member.file_size for member in members)
        if expanded > limit:
            raise FileProblem(
                f"{name}: the workbook expands to {expanded:,} bytes, more than the limit of "
                f"{limit:,} (IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES)",
                code="zip_bomb",
            )
        most = settings.IMPORT_XLSX_MAX_COMPRESSION_RATIO
        for member in members:
            if member.file_size < RATIO_FLOOR_BYTES:
                continue
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > most:
                raise FileProblem(
                    f"{name}: {member.filename} expands {ratio:.0f} times, more than the limit "
                    f"of {most} (IMPORT_XLSX_MAX_COMPRESSION_RATIO): refused as a zip bomb",
                    code="zip_bomb",
                )


class OpenWorkbook:
    """A workbook opened once for a table: openpyxl reads its parts (content types, workbook,
    relationships, shared strings, styles) and checks them; its sheets are streamed by
    ``xlsx_rows``, never parsed by openpyxl (which would parse a sheet without a
    ``<dimension>`` whole just to open the workbook). Opened from a file object: openpyxl
    judges a path by its extension, and a stored upload has none of its own."""

    def __init__(self, path: Path, name: str):
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        check_archive(path, name)
        self.handle = open(path, "rb")  # noqa: SIM115 (kept open for the rows, see close())
        try:
            reader = ExcelReader(self.handle, read_only=True, data_only=True)
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            self.sheet_paths = {
                sheet.name: rel.target
                for sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            }
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            self.handle.close()
            raise FileProblem(
                f"{name}: not a readable XLSX workbook ({exc})", code="not_workbook"
            ) from exc
        self.archive = reader.archive
        self.formats = CellFormats(
            shared_strings=reader.shared_strings,
            date_styles=frozenset(reader.wb._date_formats),
            duration_styles=frozenset(reader.wb._timedelta_formats),
            epoch=reader.wb.epoch,
        )

    def rows(self, sheet: str, *, width: int | None = None) -> WorksheetRows:
        """The sheet's rows, streamed; close them (``rows.source``) when done."""
        return WorksheetRows(self.archive.open(self.sheet_paths[sheet]), self.formats,
                             width=width)  # fmt: skip

    def close(self) -> None:
        self.archive.close()
        self.handle.close()


def open_sheet(path: Path, *, name: str, sheet: str | None) -> Sheet:
    """The sheet to import (the named one, else the first), with its header row; the workbook
    stays open in ``Sheet.workbook`` for its rows."""
    workbook = OpenWorkbook(path, name)
    try:
        names = list(workbook.sheet_paths)
        if not names:
            raise FileProblem(
                f"{name}: not an XLSX workbook (it has no worksheet)", code="not_workbook"
            )
        if sheet is not None and sheet not in names:
            raise FileProblem(
                f"{name}: no sheet {sheet!r}; its sheets are {', '.join(names)}", code="no_sheet"
            )
        sheet = sheet or names[0]
        rows = workbook.rows(sheet)
        with rows.source:
            first, second = _first_two_rows(rows, f"{name}: sheet {sheet}")
        if not first or all(value in (None, "") for value in first):
            raise FileProblem(f"{name}: sheet {sheet} is empty (no header row)", code="empty_sheet")
        header = _header(first)
        if second is None or all(value in (None, "") for value in second):
            raise FileProblem(f"{name}: sheet {sheet} has no rows below the header", code="no_rows")
    except BaseException:
        workbook.close()
        raise
    declared = rows.declared_rows  # from the sheet's <dimension>, if it has one
    rows_total = declared - 1 if declared is not None and declared > 1 else None
    return Sheet(sheet, names, header, rows_total, workbook)


def _first_two_rows(rows: WorksheetRows, where: str) -> tuple[list | None, list | None]:
    """Rows 1 and 2 of the sheet (None where the sheet has no such row)."""
    found: dict[int, list] = {}
    try:
        for number, values in rows:
            if number > 2:
                break
            found[number] = values
    except Exception as exc:  # a damaged sheet: XML, numbers or row numbers that do not parse
        raise FileProblem(f"{where} is not readable ({exc})", code="not_workbook") from exc
    return found.get(1), found.get(2)


def _header(cells) -> list[str]:
    header = [("" if value is None else str(value)).strip() for value in cells]
    while header and not header[-1]:
        header.pop()
    return header


def cell_value(value):
    """A cell as a record value: whole numbers as int (spreadsheets store 1 as 1.0, and a
    reference 3374 must not become "3374.0"); dates at midnight; times of day as text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, time):
        return value.isoformat()
    return value


def sheet_records(
    workbook: OpenWorkbook, sheet: str, header: list[str]
) -> Iterator[tuple[int, dict, str]]:
    rows = workbook.rows(sheet, width=len(header))
    number = 0
    with rows.source:
        records = iter(rows)
        while True:
            try:
                found = next(records, None)
            except Exception as exc:  # a damaged sheet, found only when read this far
                raise FileProblem(
                    f"sheet {sheet}: unreadable after record {number} ({exc})",
                    code="not_workbook",
                ) from exc
            if found is None:
                return
            row_number, cells = found
            if row_number < 2:
                continue  # the header
            if not any(value is not None and value != "" for value in cells):
                continue  # spreadsheets keep formatted but empty rows
            number += 1
            yield number, dict(zip(header, map(cell_value, cells), strict=False)), ""
