"""Mappings: how another system's records become incident rows.

A mapping (the JSON of a mapping file, or of a stored ``MappingVersion``) names the source
column of each incident field or a constant, the file's format, encoding and time zone, a time
format per time field, and for any field a value map (free text → the value SafeCity takes)
with a default for values the map lacks. See the README's "Importing files".
"""

import contextlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from incidents.ingest.rows import ROW_FIELDS, TIME_FIELDS
from incidents.models import Category
from safecity.core.crs import Crs

FORMATS = ("csv", "jsonl", "xlsx")
REQUIRED_FIELDS = ("source_ref", "reported_at", "category")
# What an import never takes from a file: the source system is the import's own.
NOT_MAPPABLE = frozenset({"source_system"})
MAPPABLE_FIELDS = tuple(sorted(ROW_FIELDS - NOT_MAPPABLE))


class MappingError(ValueError):
    """A mapping that cannot be used; the message says what is wrong."""


@dataclass
class FieldSource:
    """Where one incident field comes from: a column (its values mapped, if a map is given)
    or a constant."""

    column: str | None = None
    constant: object = None
    time_format: str = "iso8601"
    values: dict[str, object] | None = None
    # For a value the map lacks; None keeps the value as it is (the row check then judges it).
    default: object = None


def value_key(value) -> str:
    """How a cell's value is looked up in a value map: text without surrounding spaces, whole
    numbers without ".0" (spreadsheets hold 1 as 1.0), booleans as True/False."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class Mapping:
    """A mapping ready to turn records into rows; counts the values its maps lacked."""

    file_format: str | None
    encoding: str | None
    time_zone: ZoneInfo
    fields: dict[str, FieldSource]
    sheet: str | None = None
    # The system of the file's points; a row's own ``crs`` column, if mapped, wins.
    crs: str = Crs.WGS84
    unmapped: dict[str, Counter] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return sorted({source.column for source in self.fields.values() if source.column})

    def value_mapped_columns(self) -> dict[str, str]:
        """field → column, for the fields whose values are mapped (or could be: choices,
        categories, yes/no numbers)."""
        return {
            target: source.column
            for target, source in self.fields.items()
            if source.column and (source.values is not None or target in VALUE_MAPPABLE)
        }

    def to_row(self, record: dict) -> dict:
        row = {}
        for target, source in self.fields.items():
            value = record.get(source.column) if source.column else source.constant
            if isinstance(value, str):
                value = value.strip()
            if source.values is not None and value not in (None, ""):
                key = value_key(value)
                if key in source.values:
                    value = source.values[key]
                else:
                    self.unmapped.setdefault(target, Counter())[key] += 1
                    if source.default is not None:
                        value = source.default
                        if target == "category":
                            # A fallback, not a match: the incident says so, for review.
                            row["category_defaulted"] = True
            if (
                target in TIME_FIELDS
                and isinstance(value, str)
                and value
                and source.time_format != "iso8601"
            ):
                # Unparseable text is left as is: the row check rejects it, naming the field.
                with contextlib.suppress(ValueError):
                    value = datetime.strptime(value, source.time_format).isoformat()
            row[target] = value
        if self.crs != Crs.WGS84 and not row.get("crs"):
            row["crs"] = self.crs
        return row


# Fields whose source values are usually codes of another system, worth a value map.
VALUE_MAPPABLE = frozenset({"category", "source", "priority", "arrested", "transfer_agency"})


def load_mapping(path: Path, *, time_zone: str | None = None, crs: str | None = None) -> Mapping:
    """The mapping in a mapping file."""
    return mapping_from_spec(read_spec(path), time_zone=time_zone, crs=crs)


def read_spec(path: Path) -> dict:
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(f"{path}: no such mapping file") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: not a JSON mapping ({exc})") from exc
    if not isinstance(spec, dict):
        raise MappingError(f"{path}: a mapping is a JSON object")
    return spec


def mapping_from_spec(
    spec: dict, *, time_zone: str | None = None, crs: str | None = None
) -> Mapping:
    """The mapping a spec describes, checked; ``time_zone`` and ``crs`` override the spec's.
    Without either, naive times are in the platform's TIME_ZONE and points in WGS84."""
    if not isinstance(spec, dict):
        raise MappingError("a mapping is a JSON object")
    file_format = spec.get("format")
    if file_format is not None and file_format not in FORMATS:
        raise MappingError(f"format must be one of {', '.join(FORMATS)}, not {file_format!r}")
    zone_name = time_zone or spec.get("time_zone") or settings.TIME_ZONE
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise MappingError(f"unknown time_zone {zone_name!r}") from exc
    fields: dict[str, FieldSource] = {}
    raw_fields = spec.get("fields") or {}
    if not isinstance(raw_fields, dict):
        raise MappingError("fields: an object of incident field → source column")
    for target, source in raw_fields.items():
        fields[target] = _field_source(target, source)
    for required in REQUIRED_FIELDS:
        if required not in fields:
            raise MappingError(f"fields: {required!r} must be mapped")
    _legacy_categories(spec, fields["category"])
    _check_category_codes(fields["category"])
    encoding = spec.get("encoding")
    if encoding is not None and not isinstance(encoding, str):
        raise MappingError("encoding must be text, e.g. 'utf-8' or 'gb18030'")
    sheet = spec.get("sheet")
    system = crs or spec.get("crs") or Crs.WGS84
    if system not in Crs.values:
        raise MappingError(f"crs must be one of {', '.join(Crs.values)}, not {system!r}")
    return Mapping(
        crs=str(system),
        file_format=file_format,
        encoding=encoding,
        time_zone=zone,
        fields=fields,
        sheet=str(sheet) if sheet not in (None, "") else None,
    )


def _field_source(target: str, source) -> FieldSource:
    if target not in ROW_FIELDS or target in NOT_MAPPABLE:
        raise MappingError(f"fields: {target!r} is not an incident field")
    if isinstance(source, str):
        return FieldSource(column=source)
    if not (isinstance(source, dict) and ("column" in source or "value" in source)):
        raise MappingError(f"fields: {target!r} must name a column or give a value")
    values = source.get("values")
    if values is not None and not isinstance(values, dict):
        raise MappingError(f"fields: {target!r}: values must map source values to values")
    column = source.get("column")
    if column is not None and not isinstance(column, str):
        raise MappingError(f"fields: {target!r}: column must be a column name")
    time_format = source.get("format") or "iso8601"
    if not isinstance(time_format, str):
        raise MappingError(f"fields: {target!r}: format must be 'iso8601' or a strptime format")
    if not all(_plain(value) for value in (*(values or {}).values(), source.get("default"))):
        raise MappingError(f"fields: {target!r}: mapped values must be text, numbers or true/false")
    return FieldSource(
        column=column,
        constant=source.get("value"),
        time_format=time_format,
        values={value_key(k): v for k, v in values.items()} if values is not None else None,
        default=source.get("default"),
    )


def _legacy_categories(spec: dict, category: FieldSource) -> None:
    """The top-level ``categories`` and ``default_category`` of the first mapping files are
    the category field's value map and default."""
    categories = spec.get("categories")
    if categories is not None:
        if not isinstance(categories, dict):
            raise MappingError("categories must map source values to taxonomy codes")
        category.values = {
            **{value_key(k): v for k, v in categories.items()},
            **(category.values or {}),
        }
    if spec.get("default_category") is not None and category.default is None:
        category.default = spec["default_category"]
    if category.values is None and category.default is not None:
        category.values = {}


def _plain(value) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _check_category_codes(category: FieldSource) -> None:
    codes = [*(category.values or {}).values(), category.default, category.constant]
    if not all(_plain(code) for code in codes):
        raise MappingError("categories: taxonomy codes are text")
    codes = {code for code in codes if code is not None}
    known = set(Category.objects.filter(is_active=True).values_list("code", flat=True))
    unknown = sorted(str(code) for code in codes - known)
    if unknown:
        raise MappingError(f"categories: unknown taxonomy code(s) {', '.join(unknown)}")
