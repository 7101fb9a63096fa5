"""Reading other systems' exports (CSV or JSON lines) into incident rows, by a mapping file.

A mapping names the source column of each incident field, the file's encoding, time zone and
time format, and maps free-text category values to taxonomy codes (see the README).
"""

import contextlib
import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .ingest.rows import ROW_FIELDS, TIME_FIELDS
from .models import Category


class MappingError(ValueError):
    """A mapping file that cannot be used; the message says what is wrong."""


class FileProblem(ValueError):
    """An input file that cannot be read as the mapping says; nothing has been written."""


@dataclass
class FieldSource:
    column: str | None = None
    constant: object = None
    time_format: str = "iso8601"


@dataclass
class Mapping:
    file_format: str
    encoding: str
    time_zone: ZoneInfo
    fields: dict[str, FieldSource]
    categories: dict[str, str]
    default_category: str | None
    unmapped: Counter = field(default_factory=Counter)

    @property
    def columns(self) -> set[str]:
        return {source.column for source in self.fields.values() if source.column}

    def to_row(self, record: dict) -> dict:
        row = {}
        for target, source in self.fields.items():
            value = record.get(source.column) if source.column else source.constant
            if isinstance(value, str):
                value = value.strip()
            if target in TIME_FIELDS and value and source.time_format != "iso8601":
                # Unparseable text is left as is: the row validator rejects it, naming the field.
                with contextlib.suppress(ValueError):
                    value = datetime.strptime(value, source.time_format).isoformat()
            row[target] = value
        raw_category = row.get("category")
        if raw_category is not None:
            code = self.categories.get(str(raw_category))
            if code is None:
                self.unmapped[str(raw_category)] += 1
                code = self.default_category or raw_category
            row["category"] = code
        return row


def load_mapping(path: Path) -> Mapping:
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(f"{path}: no such mapping file") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: not a JSON mapping ({exc})") from exc
    file_format = spec.get("format", "csv")
    if file_format not in {"csv", "jsonl"}:
        raise MappingError(f"format must be 'csv' or 'jsonl', not {file_format!r}")
    try:
        time_zone = ZoneInfo(spec.get("time_zone", "Asia/Shanghai"))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MappingError(f"unknown time_zone {spec.get('time_zone')!r}") from exc
    fields: dict[str, FieldSource] = {}
    for target, source in (spec.get("fields") or {}).items():
        if target not in ROW_FIELDS or target == "source_system":
            raise MappingError(f"fields: {target!r} is not an incident field")
        if isinstance(source, str):
            fields[target] = FieldSource(column=source)
        elif isinstance(source, dict) and ("column" in source or "value" in source):
            fields[target] = FieldSource(
                column=source.get("column"),
                constant=source.get("value"),
                time_format=source.get("format", "iso8601"),
            )
        else:
            raise MappingError(f"fields: {target!r} must name a column or give a value")
    for required in ("source_ref", "reported_at", "category"):
        if required not in fields:
            raise MappingError(f"fields: {required!r} must be mapped")
    categories = {str(k): v for k, v in (spec.get("categories") or {}).items()}
    default_category = spec.get("default_category")
    known = set(Category.objects.filter(is_active=True).values_list("code", flat=True))
    unknown = sorted({*categories.values(), default_category} - known - {None})
    if unknown:
        raise MappingError(f"categories: unknown taxonomy code(s) {', '.join(unknown)}")
    return Mapping(
        file_format=file_format,
        encoding=spec.get("encoding", "utf-8"),
        time_zone=time_zone,
        fields=fields,
        categories=categories,
        default_category=default_category,
    )


def check_file(path: Path, mapping: Mapping) -> int:
    """Read the whole file once before anything is written; returns the number of records."""
    try:
        text = Path(path).read_bytes().decode(mapping.encoding)
    except FileNotFoundError as exc:
        raise FileProblem(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"{path}: not {mapping.encoding} text (byte {exc.start}: {exc.reason})"
        ) from exc
    except LookupError as exc:
        raise FileProblem(f"unknown encoding {mapping.encoding!r}") from exc
    if mapping.file_format == "csv":
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None)
        if not header:
            raise FileProblem(f"{path}: empty file, no header row")
        missing = sorted(mapping.columns - {name.strip().lstrip("\ufeff") for name in header})
        if missing:
            raise FileProblem(f"{path}: missing column(s) {', '.join(missing)}")
        return sum(1 for _ in reader)
    return sum(1 for line in text.splitlines() if line.strip())


def read_records(path: Path, mapping: Mapping) -> Iterator[tuple[int, dict | None, str]]:
    """(record number, record or None if unreadable, reason) for each record of the file."""
    with open(path, encoding=mapping.encoding, newline="") as handle:
        if mapping.file_format == "csv":
            reader = csv.DictReader(handle)
            reader.fieldnames = [name.strip().lstrip("\ufeff") for name in reader.fieldnames]
            for number, record in enumerate(reader, start=1):
                yield number, record, ""
            return
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
