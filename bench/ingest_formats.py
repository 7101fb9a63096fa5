"""``bench/ingest.py --format xlsx``: importing the same generated rows from an XLSX workbook
and from a CSV file, in one run — the whole import as ``import_incidents`` runs it (the file
opened and checked, read, mapped, ingested into PostgreSQL in one transaction, committed).

Target (issue 24): the XLSX import takes at most twice as long as the CSV import
(``xlsx_import_vs_csv_import``, the headline), with memory flat in the number of rows. The
benchmark database is ``bench/ingest.py``'s own (dropped, migrated and seeded with the demo
city); the incident table is emptied before each import, so each starts from the same state.
Secondary figures: reading alone (open, read and map every record, no database) and its ratio,
and the peak Python memory each read allocates (tracemalloc, in untimed passes) for a
20,000-row file and the full one, beside the size of the rows held as a list, which a
non-streaming reader would exceed. Files are written to a temporary folder outside the timings.
"""

import csv
import os
import random
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

TARGET_XLSX_VS_CSV = 2.0
SMALL_ROWS = 20_000
HEADER = ["编号", "报警时间", "警情类别", "经度", "纬度", "地址", "优先级", "简要案情"]
CODES = ["fight", "theft_burglary", "fraud_telecom", "traffic_accident", "dispute_family"]
TZ = ZoneInfo("Asia/Shanghai")
ANCHOR = datetime(2025, 1, 1)


def generate(count: int, seed: int) -> list[list]:
    rng = random.Random(seed)
    rows = []
    for number in range(count):
        reported = ANCHOR - timedelta(seconds=rng.randrange(3600, 365 * 24 * 3600))
        rows.append(
            [
                f"X{seed}-{number:08d}",
                reported,
                rng.choice(CODES),
                round(rng.uniform(121.0, 121.9), 6),
                round(rng.uniform(30.7, 31.5), 6),
                f"上海市人民路{rng.randrange(1, 2000)}号",
                rng.choice((1, 2, 3, 4)),
                "报警人称其电动车被盗",
            ]
        )
    return rows


def write_files(rows: list[list], folder: Path, name: str = "rows") -> tuple[Path, Path]:
    from openpyxl import Workbook

    csv_path = folder / f"{name}.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow([row[0], row[1].isoformat(sep=" "), *row[2:]])
    book = Workbook(write_only=True)
    sheet = book.create_sheet("警情")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    xlsx_path = folder / f"{name}.xlsx"
    book.save(xlsx_path)
    return csv_path, xlsx_path


def mapping():
    from imports.mapping import FieldSource, Mapping

    fields = {
        "source_ref": "编号", "reported_at": "报警时间", "category": "警情类别", "lon": "经度",
        "lat": "纬度", "address": "地址", "priority": "优先级", "summary": "简要案情",
    }  # fmt: skip
    return Mapping(
        file_format=None,
        encoding=None,
        time_zone=TZ,
        fields={name: FieldSource(column=column) for name, column in fields.items()},
    )


def read_all(path: Path) -> tuple[float, int]:
    """Seconds to open, check and read every record of ``path`` into incident rows."""
    from imports.readers import open_table

    started = time.perf_counter()
    rows_of = mapping()
    count = 0
    with open_table(path) as table:
        for _, record, _ in table.records():
            rows_of.to_row(record)
            count += 1
    return time.perf_counter() - started, count


def peak_bytes(path: Path) -> int:
    tracemalloc.start()
    try:
        read_all(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def held_bytes(rows: list[list]) -> int:
    """What the rows take held as one list of row dicts (the non-streaming alternative)."""
    tracemalloc.start()
    try:
        kept = [dict(zip(HEADER, row, strict=True)) for row in rows]
        size = tracemalloc.get_traced_memory()[0]
        del kept
        return size
    finally:
        tracemalloc.stop()


def import_all(path: Path, source_system: str) -> tuple[float, object]:
    """Seconds to import ``path`` whole, as ``import_incidents`` does (no progress bar), into an
    emptied incident table; and the import's outcome."""
    from django.db import connection

    from imports.readers import open_table
    from imports.running import run_import

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE incidents_incident CASCADE")
    started = time.perf_counter()
    rows_of = mapping()
    with open_table(path) as table:
        outcome = run_import(table=table, mapping=rows_of, source_system=source_system)
    return time.perf_counter() - started, outcome


def stored_digest() -> str:
    """A digest of the stored incidents' imported fields, to check both files gave the same."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(string_agg(concat_ws('|', source_ref, reported_at, category_id, lon, lat,"
            " address, priority, summary), ',' ORDER BY source_ref)) FROM incidents_incident"
        )
        return cursor.fetchone()[0]


def main(rows_wanted: int, seed: int) -> None:
    from bench.ingest import bench_database_url, setup_django

    url, config, name = bench_database_url()
    started = time.perf_counter()
    setup_django(url, config, name)
    setup_s = time.perf_counter() - started

    started = time.perf_counter()
    rows = generate(rows_wanted, seed)
    with tempfile.TemporaryDirectory(prefix="bench-xlsx-") as folder:
        csv_path, xlsx_path = write_files(rows, Path(folder))
        small_csv, small_xlsx = write_files(rows[:SMALL_ROWS], Path(folder), "small")
        write_s = time.perf_counter() - started
        held = held_bytes(rows)
        del rows
        csv_s, csv_rows = read_all(csv_path)
        xlsx_s, xlsx_rows = read_all(xlsx_path)
        csv_import_s, csv_outcome = import_all(csv_path, "bench-csv")
        csv_digest = stored_digest()
        xlsx_import_s, xlsx_outcome = import_all(xlsx_path, "bench-xlsx")
        xlsx_digest = stored_digest()
        csv_peak, xlsx_peak = peak_bytes(csv_path), peak_bytes(xlsx_path)
        small_csv_peak, small_xlsx_peak = peak_bytes(small_csv), peak_bytes(small_xlsx)
        csv_size, xlsx_size = csv_path.stat().st_size, xlsx_path.stat().st_size
    read_ratio = xlsx_s / csv_s
    import_ratio = xlsx_import_s / csv_import_s
    small = min(SMALL_ROWS, rows_wanted)
    print("format: xlsx")
    print(f"database: {name}")
    stack = "real (recompute queued to Redis)" if os.environ.get("REDIS_URL") else "embedded"
    print(f"stack: {stack}")
    print(f"setup_s: {setup_s:.2f}")
    print(f"generate_and_write_s: {write_s:.2f}")
    print(f"csv_bytes: {csv_size}")
    print(f"xlsx_bytes: {xlsx_size}")
    print(f"csv_rows_read: {csv_rows}")
    print(f"xlsx_rows_read: {xlsx_rows}")
    for label, outcome in (("csv", csv_outcome), ("xlsx", xlsx_outcome)):
        report = outcome.report
        print(f"{label}_import_created: {report.created}")
        print(f"{label}_import_rejected: {report.rejected}")
    print(f"same_incidents_stored: {'yes' if csv_digest == xlsx_digest else 'NO'}")
    print(f"rows_held_as_list_mb: {held / 1e6:.1f}")
    print(f"csv_read_peak_mb_{small}_rows: {small_csv_peak / 1e6:.2f}")
    print(f"xlsx_read_peak_mb_{small}_rows: {small_xlsx_peak / 1e6:.2f}")
    print(f"csv_read_peak_mb: {csv_peak / 1e6:.2f}")
    print(f"xlsx_read_peak_mb: {xlsx_peak / 1e6:.2f}")
    print(f"xlsx_read_peak_growth_mb: {(xlsx_peak - small_xlsx_peak) / 1e6:.2f}")
    print(f"csv_read_s: {csv_s:.2f}")
    print(f"xlsx_read_s: {xlsx_s:.2f}")
    print(f"csv_read_rows_per_s: {csv_rows / csv_s:.0f}")
    print(f"xlsx_read_rows_per_s: {xlsx_rows / xlsx_s:.0f}")
    print(f"xlsx_read_vs_csv_read: {read_ratio:.2f}")
    print(f"csv_import_s: {csv_import_s:.2f}")
    print(f"xlsx_import_s: {xlsx_import_s:.2f}")
    print(f"csv_import_rows_per_s: {rows_wanted / csv_import_s:.0f}")
    print(f"xlsx_import_rows_per_s: {rows_wanted / xlsx_import_s:.0f}")
    met = "met" if import_ratio <= TARGET_XLSX_VS_CSV else "MISSED"
    print(f"target_xlsx_import_vs_csv_import: {TARGET_XLSX_VS_CSV:g} ({met})")
    print(f"rows: {rows_wanted}")
    print(f"xlsx_import_vs_csv_import: {import_ratio:.2f}")
    assert csv_rows == xlsx_rows == rows_wanted, f"read {csv_rows} and {xlsx_rows}"
    for outcome in (csv_outcome, xlsx_outcome):
        assert outcome.report.created == rows_wanted, f"created {outcome.report.created}"
    assert csv_digest == xlsx_digest, "the CSV and the XLSX stored different incidents"
