"""Writes to the standard address table: a table file imported, streamed in chunks."""

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction

from safecity.core.bulk import analyze_after_load, bulk_insert

from .models import AddressLoad, StandardAddress
from .normalise import normalise_address, numbers_of

# The column names a table may use for each field (the bureau's own and English).
COLUMN_NAMES = {
    "address": ("address", "地址", "标准地址", "地址名称"),
    "lon": ("lon", "lng", "longitude", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
    "area_codes": ("area_codes", "area_code", "辖区编码", "区划代码"),
}
REQUIRED = ("address", "lon", "lat")
IMPORT_CHUNK = 20_000
REJECTIONS_KEPT = 1000
_COLUMNS = ("address", "key", "numbers", "lon", "lat", "area_codes", "source")


@dataclass
class AddressImportReport:
    """What an import of a table came to, with the first rejected rows and why."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[tuple[int, str]] = field(default_factory=list)

    def reject(self, row: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < REJECTIONS_KEPT:
            self.rejections.append((row, reason))


def column_map(header: Iterable[str]) -> dict[str, str]:
    """Field → the header's column for it; ValueError naming the fields the header lacks."""
    by_lower = {name.strip().lower(): name for name in header}
    found = {}
    for name, aliases in COLUMN_NAMES.items():
        column = next((by_lower[a] for a in aliases if a in by_lower), None)
        if column is not None:
            found[name] = column
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        raise ValueError(f"the table has no column for {', '.join(missing)}")
    return found


def address_row(record: dict, columns: dict[str, str], source: str) -> tuple | str:
    """A record as a row of ``_COLUMNS``, or why it cannot be one."""
    address = str(record.get(columns["address"]) or "").strip()
    key = normalise_address(address)
    if not key:
        return "no address"
    if len(address) > 300 or len(key) > 300:
        return "address longer than 300 characters"
    try:
        lon, lat = float(record.get(columns["lon"])), float(record.get(columns["lat"]))
    except (TypeError, ValueError):
        return "lon and lat must be numbers"
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        return "lon or lat out of range"
    codes = str(record.get(columns.get("area_codes", ""), "") or "").strip()[:200]
    return (address, key, numbers_of(key)[:100], lon, lat, codes, source)


def address_table_import(
    *, records: Iterator[tuple[int, dict | None, str]], header: list[str], source: str, name: str
) -> AddressImportReport:
    """Load records (number, record or None, why unreadable) into the table under ``source``.

    A row whose key the source already has replaces it, so a re-import changes only what
    changed; a key met twice in one file keeps its first row."""
    columns = column_map(header)
    report = AddressImportReport()
    seen: set[str] = set()

    def rows() -> Iterator[tuple]:
        for number, record, unreadable in records:
            if record is None:
                report.reject(number, unreadable or "unreadable row")
                continue
            row = address_row(record, columns, source)
            if isinstance(row, str):
                report.reject(number, row)
            elif row[1] in seen:
                report.reject(number, "repeats an earlier row's address")
            else:
                seen.add(row[1])
                yield row

    with transaction.atomic():
        stream = rows()
        while chunk := list(islice(stream, IMPORT_CHUNK)):
            _write_chunk(chunk, source, report)
        AddressLoad.objects.create(
            source=source,
            file_name=name[:255],
            created=report.created,
            updated=report.updated,
            rejected=report.rejected,
        )
    analyze_after_load(StandardAddress)
    return report


def _write_chunk(chunk: list[tuple], source: str, report: AddressImportReport) -> None:
    stored = {
        key: (pk, (address, key, numbers, lon, lat, codes, source))
        for pk, address, key, numbers, lon, lat, codes in StandardAddress.objects.filter(
            source=source, key__in=[row[1] for row in chunk]
        ).values_list("id", "address", "key", "numbers", "lon", "lat", "area_codes")
    }
    replaced, new_rows = [], []
    for row in chunk:
        old = stored.get(row[1])
        if old is None:
            report.created += 1
            new_rows.append(row)
        elif old[1] == row:
            report.unchanged += 1
        else:
            report.updated += 1
            replaced.append(old[0])
            new_rows.append(row)
    if replaced:
        StandardAddress.objects.filter(pk__in=replaced).delete()
    if new_rows:
        bulk_insert(StandardAddress, _COLUMNS, new_rows)
