"""A CSV file with one area a row, its boundary as WKT in one column (as QGIS and most
spreadsheets of boundaries write it)."""

import csv
import io
import sys

import shapely.wkt
from shapely.errors import ShapelyError

from ..geometry import to_geojson
from .base import AreaImportError, AreaSource, decode_text

DEFAULT_WKT_COLUMN = "WKT"
DELIMITERS = (",", ";", "\t")


def read_wkt_csv(content: bytes, *, wkt_column: str = DEFAULT_WKT_COLUMN) -> AreaSource:
    text, encoding = decode_text(content)
    header_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header_line.count)
    # A boundary's WKT runs far past the csv module's 128 KiB field limit; the vertex limit
    # (AREA_MAX_VERTICES) is checked on each parsed boundary instead.
    csv.field_size_limit(max(csv.field_size_limit(), sys.maxsize >> 1))
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [name.strip() for name in reader.fieldnames or []]
    if not columns:
        raise AreaImportError(["the CSV file has no header row"])
    reader.fieldnames = columns
    if wkt_column not in columns:
        raise AreaImportError(
            [f"no column {wkt_column!r} with the WKT boundary (columns: {', '.join(columns)})"]
        )
    features, problems = [], []
    try:
        for number, row in enumerate(reader, start=1):
            where = f"row {number} (line {reader.line_num})"
            wkt = (row.pop(wkt_column) or "").strip()
            properties = {name: value for name, value in row.items() if name is not None}
            if not wkt:
                problems.append(f"{where}: column {wkt_column!r} is empty")
                continue
            try:
                geometry = to_geojson(shapely.wkt.loads(wkt))
            except (ShapelyError, ValueError) as exc:
                problems.append(f"{where}: invalid WKT in column {wkt_column!r} ({exc})")
                continue
            features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    except csv.Error as exc:
        raise AreaImportError([f"line {reader.line_num}: not CSV ({exc})"]) from exc
    if problems:
        raise AreaImportError(problems)
    notes = [] if encoding == "utf-8" else [f"read as {encoding}"]
    return AreaSource(features=features, columns=columns, notes=notes)
