"""Reading an input file into records (column → value), whatever its format: CSV, JSON lines
or an XLSX workbook. Every check that can refuse a file — its format, encoding, size, header —
runs in ``open_table``, before a row is written."""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import xlsx
from .problems import FileProblem

# Text encodings tried, in order, when neither the mapping nor the caller names one.
CSV_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
PREVIEW_ROWS = 20
# Preview: the distinct values of a column shown, at most.
PREVIEW_DISTINCT_VALUES = 200

__all__ = ["CSV_ENCODINGS", "FileProblem", "Table", "open_table"]


@dataclass
class Table:
    """An input file, checked and ready to read: its format, header and records."""

    path: Path
    name: str
    file_format: str
    header: list[str]
    encoding: str | None = None
    sheet: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    # The number of records, when known before reading them (an XLSX sheet's declared size).
    rows_total: int | None = None
    workbook: xlsx.OpenWorkbook | None = None

    def close(self) -> None:
        """Let go of an XLSX workbook held open since the table was opened."""
        if self.workbook is not None:
            self.workbook.close()

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def records(self) -> Iterator[tuple[int, dict | None, str]]:
        """(record number from 1, record or None if unreadable, why unreadable)."""
        if self.file_format == "xlsx":
            yield from xlsx.sheet_records(self.workbook, self.sheet, self.header)
        elif self.file_format == "csv":
            yield from _csv_records(self.path, self.encoding, self.header)
        else:
            yield from _jsonl_records(self.path, self.encoding)

    def check_columns(self, columns) -> None:
        """FileProblem naming the columns the file lacks (JSON lines have no header)."""
        if self.file_format == "jsonl":
            return
        missing = sorted(set(columns) - set(self.header))
        if missing:
            where = f" (sheet {self.sheet})" if self.sheet else ""
            raise FileProblem(
                f"{self.name}{where}: missing column(s) {', '.join(missing)}; "
                f"the header has {', '.join(self.header)}",
                code="missing_columns",
            )


def detect_format(path: Path, declared: str | None, name: str | None = None) -> str:
    """The file's format: a workbook by its bytes whatever was declared, else as declared,
    else by the file's name (``name``, as uploaded: a stored upload's own path says nothing)."""
    with open(path, "rb") as handle:
        start = handle.read(8)
    if start.startswith(OLE2_SIGNATURE):
        raise FileProblem(
            f"{name or path.name}: an encrypted (password-protected) workbook or an old .xls "
            "file; save it as an .xlsx workbook without a password",
            code="encrypted",
        )
    suffix = Path(name or path.name).suffix.lower()
    if start.startswith(ZIP_SIGNATURE) or declared == "xlsx":
        return "xlsx"
    if declared:
        return declared
    if suffix == ".xlsx":
        # Named a workbook but not one: the workbook check says what it is not.
        return "xlsx"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    return "csv"


def open_table(
    path: Path,
    *,
    name: str | None = None,
    file_format: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Table:
    """The file checked and opened as a table, or FileProblem saying what is wrong with it."""
    path = Path(path)
    name = name or path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise FileProblem(f"{name}: no such file", code="no_file") from exc
    if size == 0:
        raise FileProblem(f"{name}: empty file", code="empty")
    file_format = detect_format(path, file_format, name)
    if file_format == "xlsx":
        book = xlsx.open_sheet(path, name=name, sheet=sheet)
        return Table(path, name, "xlsx", book.header, None, book.sheet, book.sheet_names,
                     book.rows_total, book.workbook)  # fmt: skip
    encoding, header, count = _text_encoding(path, name, file_format, encoding)
    if count == 0:
        message = f"{name}: no rows below the header" if header else f"{name}: no rows"
        raise FileProblem(message, code="no_rows")
    return Table(path, name, file_format, header, encoding, rows_total=count)


def _text_encoding(path, name, file_format, encoding) -> tuple[str, list[str], int]:
    """The encoding the whole file decodes in (the named one, else the first of
    CSV_ENCODINGS), its header and its number of records, read once."""
    tried = [encoding] if encoding else list(CSV_ENCODINGS)
    for candidate in tried:
        try:
            header, count = _scan(path, name, file_format, candidate)
        except UnicodeDecodeError:
            continue
        except csv.Error as exc:
            raise FileProblem(f"{name}: not a readable CSV file ({exc})", code="not_csv") from exc
        except LookupError as exc:
            raise FileProblem(f"unknown encoding {candidate!r}", code="unknown_encoding") from exc
        if candidate == "utf-8" and _starts_with_bom(path):
            candidate = "utf-8-sig"
        return candidate, header, count
    raise FileProblem(
        f"{name}: not {' or '.join(tried)} text (tried {', '.join(tried)}); "
        "name the file's encoding in the mapping's \"encoding\"",
        code="encoding",
    )


def _starts_with_bom(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(3) == b"\xef\xbb\xbf"


def _scan(path, name, file_format, encoding) -> tuple[list[str], int]:
    with open(path, encoding=encoding, newline="") as handle:
        if file_format == "csv":
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header or not any(cell.strip() for cell in header):
                raise FileProblem(f"{name}: empty file, no header row", code="empty")
            return clean_header(header), sum(1 for _ in reader)
        keys: dict[str, None] = {}
        count = 0
        for line in handle:
            if not line.strip():
                continue
            count += 1
            if count <= PREVIEW_ROWS:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    keys.update(dict.fromkeys(record))
        return list(keys), count


def clean_header(header) -> list[str]:
    return [("" if cell is None else str(cell)).strip().lstrip("\ufeff").strip() for cell in header]


def _csv_records(path, encoding, header) -> Iterator[tuple[int, dict | None, str]]:
    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        width = len(header)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                if len(cells) < width:
                    cells = cells + [""] * (width - len(cells))
                yield number, dict(zip(header, cells, strict=False)), ""
        except csv.Error as exc:
            # Checked whole when opened, so only a file changed since can get here.
            raise FileProblem(
                f"record {number + 1}: not readable as CSV ({exc})", code="not_csv"
            ) from exc


def _jsonl_records(path, encoding) -> Iterator[tuple[int, dict | None, str]]:
    with open(path, encoding=encoding, newline="") as handle:
        number = 0
        for line in handle:
            if not line.strip():
                continue
            number += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"not JSON: {exc}"
                continue
            if not isinstance(record, dict):
                yield number, None, "not a JSON object"
                continue
            yield number, record, ""


def preview_rows(table: Table, limit: int = PREVIEW_ROWS) -> list[dict]:
    rows = []
    for _, record, _ in table.records():
        if record is not None:
            rows.append(record)
        if len(rows) >= limit:
            break
    return rows
