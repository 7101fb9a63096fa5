"""What the import page shows of a file before importing it: its format, sheets, header and
first rows, a proposed mapping (or the one given), and the distinct values of the columns
whose values a mapping may map — read from the first PREVIEW_SCAN_ROWS rows."""

from collections import Counter

from .mapping import VALUE_MAPPABLE, Mapping, value_key
from .proposal import missing_fields, propose_mapping
from .readers import PREVIEW_DISTINCT_VALUES, PREVIEW_ROWS, Table

# Rows read for the distinct values: enough for a feel of a column, quick on any file.
PREVIEW_SCAN_ROWS = 10_000


def table_preview(table: Table, *, mapping: Mapping | None = None) -> dict:
    first_rows, scanned = [], []
    for _, record, _ in table.records():
        if record is None:
            continue
        if len(first_rows) < PREVIEW_ROWS:
            first_rows.append(record)
        scanned.append(record)
        if len(scanned) >= PREVIEW_SCAN_ROWS:
            break
    if mapping is None:
        guessed = propose_mapping(table.header)
        column = _column(guessed["fields"].get("category"))
        values = [record.get(column) for record in scanned] if column else []
        spec = propose_mapping(table.header, category_values=_distinct(values))
        columns = {
            target: _column(source)
            for target, source in spec["fields"].items()
            if target in VALUE_MAPPABLE
        }
    else:
        spec = None
        columns = mapping.value_mapped_columns()
    distinct = {
        target: [
            {"value": value, "count": count}
            for value, count in Counter(
                value_key(record.get(column))
                for record in scanned
                if record.get(column) not in (None, "")
            ).most_common(PREVIEW_DISTINCT_VALUES)
        ]
        for target, column in columns.items()
        if column
    }
    return {
        "file_format": table.file_format,
        "encoding": table.encoding,
        "sheet": table.sheet,
        "sheet_names": table.sheet_names,
        "header": table.header,
        "rows_total": table.rows_total,
        "rows": [[record.get(name) for name in table.header] for record in first_rows],
        "proposed_mapping": spec,
        "missing_fields": missing_fields(spec) if spec else [],
        "distinct_values": distinct,
    }


def _column(source) -> str | None:
    if isinstance(source, dict):
        return source.get("column")
    return source


def _distinct(values) -> list[str]:
    return list(dict.fromkeys(value_key(v) for v in values if v not in (None, "")))
