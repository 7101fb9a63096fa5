"""Writes to the area tree: upserts and area-file imports, each in one transaction."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from safecity.core.crs import Crs, geometry_to_wgs84

from .choices import AreaKind
from .codes import code_matches, normalize_code
from .geometry import parse_area_geometry, union_geojson
from .import_rows import FeatureRow, feature_rows
from .models import Area
from .ordering import code_sort_order
from .signals import areas_changed
from .sources import DEFAULT_WKT_COLUMN, AreaImportError, read_area_file

__all__ = [
    "AreaImportError",
    "AreaImportResult",
    "area_upsert",
    "areas_import_features",
    "areas_import_file",
]


@dataclass
class AreaImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    areas: list[Area] = field(default_factory=list)
    # The parents the import created, each named in the summary.
    created_parents: list[Area] = field(default_factory=list)
    # One line for each code whose repeated features were merged.
    merged: list[str] = field(default_factory=list)
    # Features kept although they overlap a sibling a little, each naming it.
    warnings: list[str] = field(default_factory=list)
    # What the reading of the file noticed (no .prj, the encoding it took).
    notes: list[str] = field(default_factory=list)

    @property
    def parents_created(self) -> int:
        return len(self.created_parents)

    def summary(self) -> list[str]:
        """The lines that tell a person what the import did, for the command and the admin."""
        lines = [
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.parents_created} parents created"
        ]
        if self.created_parents:
            named = ", ".join(f"{p.kind} {p.code}" for p in self.created_parents)
            lines.append(f"parents created: {named}")
        lines += self.merged
        lines += [f"note: {note}" for note in self.notes]
        return lines


def area_upsert(
    *,
    kind: str,
    code: str,
    name: str,
    geometry: dict,
    parent: Area | None = None,
    name_en: str = "",
    properties: dict | None = None,
    geometry_derived: bool = False,
) -> tuple[Area, str]:
    """Create or update the area with this code under this parent (codes compared as
    ``normalize_code`` does: "01" updates "1", whose code stays); returns it and what happened."""
    parse_area_geometry(geometry)
    values: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "name_en": name_en,
        "geometry": geometry,
        "geometry_derived": geometry_derived,
        "properties": properties if properties is not None else {},
        "sort_order": code_sort_order(code),
    }
    area = _area_with_code(parent, code)
    if area is None:
        area = Area(parent=parent, code=code, **values)
        area.full_clean()
        area.save()
        return area, "created"
    changed = {name: value for name, value in values.items() if getattr(area, name) != value}
    if not changed:
        return area, "unchanged"
    for name, value in changed.items():
        setattr(area, name, value)
    area.full_clean()
    area.save()
    return area, "updated"


def _area_with_code(parent: Area | None, code: str) -> Area | None:
    """The child of ``parent`` (a root, for None) whose code matches ``code``, if any."""
    found = list(Area.objects.filter(code_matches(code), parent=parent)[:2])
    if len(found) > 1:
        spelled = ", ".join(repr(area.code) for area in found)
        raise ValidationError({"code": f"code {code!r} matches several areas ({spelled})"})
    return found[0] if found else None


def _import_parents(
    rows: list[FeatureRow],
    *,
    under: Area | None,
    parent_kind: str | None,
    create_parents: bool,
    result: AreaImportResult,
) -> dict[str | None, Area | None]:
    """The parent of each row, by its normalized parent code: found under ``under``, or
    created with the union of its children as boundary. Missing parents are all named, and
    nothing written, when they may not be created."""
    spellings: dict[str, str] = {}
    for row in rows:
        if row.parent_code is not None:
            spellings.setdefault(normalize_code(row.parent_code), row.parent_code)
    found: dict[str, Area | None] = {}
    for key, code in spellings.items():
        try:
            found[key] = _area_with_code(under, code)
        except ValidationError as exc:
            raise AreaImportError([f"parent {code!r}: {' '.join(exc.messages)}"]) from exc
    missing = sorted(spellings[key] for key, area in found.items() if area is None)
    where = f" under {under.code}" if under else ""
    if missing and not create_parents:
        raise AreaImportError(
            [f"parents missing{where}, not created: {', '.join(map(repr, missing))}"]
        )
    if missing and parent_kind is None:
        raise AreaImportError(
            [f"parents missing{where}: {', '.join(map(repr, missing))}; "
             f"a parent kind is needed to create them"]
        )  # fmt: skip
    parents: dict[str | None, Area | None] = {None: under}
    for key in sorted(spellings):
        existing = found[key]
        code = existing.code if existing else spellings[key]
        if existing is not None and parent_kind and existing.kind != parent_kind:
            raise AreaImportError(
                [f"parent {code!r} exists as a {existing.kind}, not a {parent_kind}"]
            )
        if existing is not None and not existing.geometry_derived:
            parents[key] = existing
            continue
        children = [parse_area_geometry(row.geometry) for row in rows if row.key[0] == key]
        try:
            parent, outcome = area_upsert(
                kind=existing.kind if existing else parent_kind,
                code=code,
                name=existing.name if existing else code,
                name_en=existing.name_en if existing else "",
                parent=under,
                geometry=union_geojson(children),
                geometry_derived=True,
            )
        except ValidationError as exc:
            raise AreaImportError([f"parent {code}: {' '.join(exc.messages)}"]) from exc
        if outcome == "created":
            result.created_parents.append(parent)
        parents[key] = parent
    return parents


@transaction.atomic
def areas_import_features(
    *,
    features: Sequence[dict],
    kind: str,
    code_field: str,
    name_field: str,
    name_en_field: str | None = None,
    parent_field: str | None = None,
    parent_code: str | None = None,
    parent_kind: str | None = None,
    under: Area | None = None,
    merge_duplicates: bool = False,
    create_parents: bool = True,
) -> AreaImportResult:
    """Import GeoJSON features as areas of one kind; re-importing updates, never duplicates.

    Each feature's parent is named by its ``parent_field`` property, or is ``parent_code`` for
    all; parents are looked for under ``under`` (codes compared by ``normalize_code``) and,
    unless ``create_parents`` is off, created when missing, with the union of their children
    as geometry. A bad file raises AreaImportError naming every bad feature, and nothing is
    saved.
    """
    if kind not in AreaKind.values:
        raise AreaImportError([f"unknown area kind {kind!r}; one of {', '.join(AreaKind.values)}"])
    if parent_field and parent_code:
        raise AreaImportError(["a parent field and a constant parent exclude each other"])
    if parent_kind is not None and parent_kind not in AreaKind.values:
        raise AreaImportError([f"unknown parent kind {parent_kind!r}"])
    if parent_kind and AreaKind.level(parent_kind) >= AreaKind.level(kind):
        raise AreaImportError([f"a {parent_kind} cannot be the parent of a {kind}"])
    if not features:
        raise AreaImportError(["the file has no features"])
    prepared = feature_rows(
        features,
        code_field=code_field,
        name_field=name_field,
        name_en_field=name_en_field,
        parent_field=parent_field,
        parent_code=parent_code,
        merge_duplicates=merge_duplicates,
    )
    result = AreaImportResult(merged=prepared.merged)
    parents = _import_parents(
        prepared.rows,
        under=under,
        parent_kind=parent_kind,
        create_parents=create_parents,
        result=result,
    )
    problems = []
    for row in prepared.rows:
        try:
            area, outcome = area_upsert(
                kind=kind,
                code=row.code,
                name=row.name,
                name_en=row.name_en,
                parent=parents[row.key[0]],
                geometry=row.geometry,
                properties=row.properties,
            )
        except ValidationError as exc:
            # Every feature is checked (an overlap with a sibling, a bad parent), then nothing
            # is kept: the transaction rolls back.
            problems.append(f"{row.label}: {' '.join(exc.messages)}")
            continue
        except Exception as exc:
            raise AreaImportError([*problems, f"{row.label}: {exc}"]) from exc
        setattr(result, outcome, getattr(result, outcome) + 1)
        result.areas.append(area)
        result.warnings += [f"{row.label}: {note}" for note in area.overlap_notes]
    if problems:
        raise AreaImportError(problems)
    transaction.on_commit(lambda: areas_changed.send(sender=Area))
    return result


def areas_import_file(
    *,
    content: bytes,
    filename: str = "",
    file_format: str = "auto",
    wkt_column: str = DEFAULT_WKT_COLUMN,
    crs: str = Crs.WGS84,
    **options: Any,
) -> AreaImportResult:
    """Import an area file (GeoJSON, CSV with WKT, zipped shapefile) as
    ``areas_import_features`` does with ``options``; the one entry of the command and the
    admin's upload. A file that cannot be read is refused before anything is written.
    Boundaries drawn in ``crs`` (GCJ-02 or BD-09) are converted to WGS84, as areas are kept."""
    if crs not in Crs.values:
        raise AreaImportError(
            [f"unknown coordinate system {crs!r}; one of {', '.join(Crs.values)}"]
        )
    source = read_area_file(
        content, filename=filename, file_format=file_format, wkt_column=wkt_column
    )
    if source.columns is not None:
        wanted = ("code_field", "name_field", "name_en_field", "parent_field")
        absent = [options[name] for name in wanted if options.get(name)]
        absent = [column for column in absent if column not in source.columns]
        if absent:
            raise AreaImportError(
                [
                    f"no column {column!r} (columns: {', '.join(source.columns)})"
                    for column in absent
                ]
            )
    features = [geometry_to_wgs84(feature, crs) for feature in source.features]
    result = areas_import_features(features=features, **options)
    result.notes = source.notes
    return result
