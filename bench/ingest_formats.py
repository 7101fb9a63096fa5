"""``bench/ingest.py --format xlsx``: reading the same generated rows from an XLSX workbook
and from a CSV file, through the import's readers and mapping (``imports.readers``,
``imports.mapping``), in one run.

Target: reading the XLSX takes at most twice as long as reading the CSV (``xlsx_vs_csv``), and
its peak memory stays flat in the number of rows (openpyxl's read-only mode streams the
sheet): the peak Python memory each read allocates (tracemalloc, in a second, untimed pass)
is printed beside the size of the rows held as a list, which a non-streaming reader would
exceed. No database is needed: the files are written to a temporary folder outside the
timings and the mapping is built without checking category codes.
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


def write_files(rows: list[list], folder: Path) -> tuple[Path, Path]:
    from openpyxl import Workbook

    csv_path = folder / "rows.csv"
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
    xlsx_path = folder / "rows.xlsx"
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


def main(rows_wanted: int, seed: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecity.settings.base")
    import django

    django.setup()
    started = time.perf_counter()
    rows = generate(rows_wanted, seed)
    with tempfile.TemporaryDirectory(prefix="bench-xlsx-") as folder:
        csv_path, xlsx_path = write_files(rows, Path(folder))
        write_s = time.perf_counter() - started
        held = held_bytes(rows)
        del rows
        csv_s, csv_rows = read_all(csv_path)
        xlsx_s, xlsx_rows = read_all(xlsx_path)
        csv_peak, xlsx_peak = peak_bytes(csv_path), peak_bytes(xlsx_path)
        csv_size, xlsx_size = csv_path.stat().st_size, xlsx_path.stat().st_size
    ratio = xlsx_s / csv_s
    print("format: xlsx")
    print(f"generate_and_write_s: {write_s:.2f}")
    print(f"csv_bytes: {csv_size}")
    print(f"xlsx_bytes: {xlsx_size}")
    print(f"csv_rows_read: {csv_rows}")
    print(f"xlsx_rows_read: {xlsx_rows}")
    print(f"rows_held_as_list_mb: {held / 1e6:.1f}")
    print(f"csv_read_peak_mb: {csv_peak / 1e6:.1f}")
    print(f"xlsx_read_peak_mb: {xlsx_peak / 1e6:.1f}")
    print(f"csv_read_s: {csv_s:.2f}")
    print(f"xlsx_read_s: {xlsx_s:.2f}")
    print(f"csv_rows_per_s: {csv_rows / csv_s:.0f}")
    print(f"xlsx_rows_per_s: {xlsx_rows / xlsx_s:.0f}")
    met = "met" if ratio <= TARGET_XLSX_VS_CSV else "MISSED"
    print(f"target_xlsx_vs_csv: {TARGET_XLSX_VS_CSV:g} ({met})")
    print(f"rows: {rows_wanted}")
    print(f"xlsx_read_peak_growth_mb: {xlsx_peak / 1e6:.1f}")
    print(f"xlsx_vs_csv: {ratio:.2f}")
    assert csv_rows == xlsx_rows == rows_wanted, f"read {csv_rows} and {xlsx_rows}"
