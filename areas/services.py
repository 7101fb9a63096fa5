"""Writes to the area tree: upserts and GeoJSON imports, each in one transaction."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .choices import AreaKind
from .geometry import GeometryError, parse_area_geometry, to_geojson, union_geojson
from .models import Area
from .signals import areas_changed


class AreaImportError(Exception):
    """A GeoJSON file that cannot be imported; nothing of it was saved."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass
class AreaImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    parents_created: int = 0
    areas: list[Area] = field(default_factory=list)
    # Features kept although they overlap a sibling a little, each naming it.
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _FeatureRow:
    number: int
    code: str
    name: str
    name_en: str
    parent_code: str | None
    geometry: dict
    properties: dict


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
    """Create or update the area with this code under this parent; returns it and what happened."""
    parse_area_geometry(geometry)
    values: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "name_en": name_en,
        "geometry": geometry,
        "geometry_derived": geometry_derived,
        "properties": properties if properties is not None else {},
    }
    area = Area.objects.filter(parent=parent, code=code).first()
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


def _read_features(
    features: Sequence[dict],
    *,
    code_field: str,
    name_field: str,
    name_en_field: str | None,
    parent_field: str | None,
) -> list[_FeatureRow]:
    rows, problems, seen = [], [], {}
    for number, feature in enumerate(features, start=1):
        props = (feature or {}).get("properties") or {}
        code = props.get(code_field)
        name = props.get(name_field)
        parent_code = props.get(parent_field) if parent_field else None
        if code in (None, ""):
            problems.append(f"feature {number}: property {code_field!r} is missing")
            continue
        if name in (None, ""):
            problems.append(f"feature {number} ({code}): property {name_field!r} is missing")
            continue
        if parent_field and parent_code in (None, ""):
            problems.append(f"feature {number} ({code}): property {parent_field!r} is missing")
            continue
        key = (str(parent_code), str(code))
        if key in seen:
            problems.append(f"feature {number} ({code}): same code as feature {seen[key]}")
            continue
        seen[key] = number
        try:
            geom = parse_area_geometry(feature.get("geometry"))
        except GeometryError as exc:
            problems.append(f"feature {number} ({code} {name}): {exc}")
            continue
        rows.append(
            _FeatureRow(
                number=number,
                code=str(code),
                name=str(name),
                name_en=str(props.get(name_en_field) or "") if name_en_field else "",
                parent_code=None if parent_code is None else str(parent_code),
                geometry=to_geojson(geom),
                properties=props,
            )
        )
    if problems:
        raise AreaImportError(problems)
    return rows


@transaction.atomic
def areas_import_features(
    *,
    features: Sequence[dict],
    kind: str,
    code_field: str,
    name_field: str,
    name_en_field: str | None = None,
    parent_field: str | None = None,
    parent_kind: str | None = None,
    under: Area | None = None,
) -> AreaImportResult:
    """Import GeoJSON features as areas of one kind; re-importing updates, never duplicates.

    Parents named by ``parent_field`` are created under ``under`` when missing, with the union
    of their children as geometry. A bad file raises AreaImportError naming every bad feature,
    and nothing is saved.
    """
    if kind not in AreaKind.values:
        raise AreaImportError([f"unknown area kind {kind!r}; one of {', '.join(AreaKind.values)}"])
    if parent_field and parent_kind not in AreaKind.values:
        raise AreaImportError(["--parent-kind must name an area kind when --parent-field is set"])
    if parent_kind and AreaKind.level(parent_kind) >= AreaKind.level(kind):
        raise AreaImportError([f"a {parent_kind} cannot be the parent of a {kind}"])
    if not features:
        raise AreaImportError(["the file has no features"])
    rows = _read_features(
        features,
        code_field=code_field,
        name_field=name_field,
        name_en_field=name_en_field,
        parent_field=parent_field,
    )
    result = AreaImportResult()
    parents: dict[str | None, Area | None] = {None: under}
    if parent_field:
        for parent_code in sorted({row.parent_code for row in rows}):
            children = [
                parse_area_geometry(row.geometry) for row in rows if row.parent_code == parent_code
            ]
            existing = Area.objects.filter(parent=under, code=parent_code).first()
            if existing is not None and existing.kind != parent_kind:
                raise AreaImportError(
                    [f"parent {parent_code!r} exists as a {existing.kind}, not a {parent_kind}"]
                )
            if existing is not None and not existing.geometry_derived:
                parents[parent_code] = existing
                continue
            try:
                parent, outcome = area_upsert(
                    kind=parent_kind,
                    code=parent_code,
                    name=existing.name if existing else parent_code,
                    name_en=existing.name_en if existing else "",
                    parent=under,
                    geometry=union_geojson(children),
                    geometry_derived=True,
                )
            except ValidationError as exc:
                raise AreaImportError([f"parent {parent_code}: {' '.join(exc.messages)}"]) from exc
            result.parents_created += outcome == "created"
            parents[parent_code] = parent
    problems = []
    for row in rows:
        label = f"feature {row.number} ({row.code} {row.name})"
        try:
            area, outcome = area_upsert(
                kind=kind,
                code=row.code,
                name=row.name,
                name_en=row.name_en,
                parent=parents[row.parent_code],
                geometry=row.geometry,
                properties=row.properties,
            )
        except ValidationError as exc:
            # Every feature is checked (an overlap with a sibling, a bad parent), then nothing
            # is kept: the transaction rolls back.
            problems.append(f"{label}: {' '.join(exc.messages)}")
            continue
        except Exception as exc:
            raise AreaImportError([*problems, f"{label}: {exc}"]) from exc
        setattr(result, outcome, getattr(result, outcome) + 1)
        result.areas.append(area)
        result.warnings += [f"{label}: {note}" for note in area.overlap_notes]
    if problems:
        raise AreaImportError(problems)
    transaction.on_commit(lambda: areas_changed.send(sender=Area))
    return result
