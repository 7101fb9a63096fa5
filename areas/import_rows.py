"""An area file's features checked and made into rows, before anything is written: every
property present, every boundary valid, each code once (or merged, when asked)."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import shapely
from shapely.geometry import shape

from .codes import normalize_code
from .geometry import GeometryError, parse_area_geometry, to_geojson, union_geojson
from .sources import AreaImportError


@dataclass(frozen=True)
class FeatureRow:
    """One area to write: a feature of the file, or several merged."""

    numbers: tuple[int, ...]
    code: str
    name: str
    name_en: str
    parent_code: str | None
    geometry: dict
    properties: dict

    @property
    def key(self) -> tuple[str | None, str]:
        parent = None if self.parent_code is None else normalize_code(self.parent_code)
        return parent, normalize_code(self.code)

    @property
    def label(self) -> str:
        return f"feature {self.numbers[0]} ({self.code} {self.name})"


@dataclass
class FeatureRows:
    rows: list[FeatureRow] = field(default_factory=list)
    # One line for each code whose features were merged, naming them.
    merged: list[str] = field(default_factory=list)


def feature_rows(
    features: Sequence[dict],
    *,
    code_field: str,
    name_field: str,
    name_en_field: str | None = None,
    parent_field: str | None = None,
    parent_code: str | None = None,
    merge_duplicates: bool = False,
) -> FeatureRows:
    """The rows of ``features``, or AreaImportError naming every bad feature. Codes are
    compared as ``normalize_code`` does; a code repeated under one parent is refused, or with
    ``merge_duplicates`` its boundaries are joined into one (the first feature's properties)."""
    groups: dict[tuple[str | None, str], list[FeatureRow]] = {}
    problems = []
    for number, feature in enumerate(features, start=1):
        props = (feature or {}).get("properties") or {}
        code = props.get(code_field)
        name = props.get(name_field)
        parent = props.get(parent_field) if parent_field else parent_code
        if code in (None, ""):
            problems.append(f"feature {number}: property {code_field!r} is missing")
            continue
        if name in (None, ""):
            problems.append(f"feature {number} ({code}): property {name_field!r} is missing")
            continue
        if parent_field and parent in (None, ""):
            problems.append(f"feature {number} ({code}): property {parent_field!r} is missing")
            continue
        try:
            geom = parse_area_geometry(feature.get("geometry"))
        except GeometryError as exc:
            problems.append(f"feature {number} ({code} {name}): {exc}")
            continue
        row = FeatureRow(
            numbers=(number,),
            code=str(code).strip(),
            name=str(name),
            name_en=str(props.get(name_en_field) or "") if name_en_field else "",
            parent_code=None if parent is None else str(parent).strip(),
            # A WKT "POLYGON Z" or GeoJSON with heights: a boundary has no use for them.
            geometry=to_geojson(shapely.force_2d(geom)),
            properties=props,
        )
        groups.setdefault(row.key, []).append(row)
    result = FeatureRows()
    for group in groups.values():
        if len(group) == 1:
            result.rows.append(group[0])
        elif merge_duplicates:
            result.rows.append(_merged(group))
            result.merged.append(_repeated(group, "merged"))
        else:
            problems.append(_repeated(group, "refused") + "; merge duplicates to join them")
    if problems:
        raise AreaImportError(problems)
    return result


def _merged(group: list[FeatureRow]) -> FeatureRow:
    return replace(
        group[0],
        numbers=tuple(number for row in group for number in row.numbers),
        geometry=union_geojson(shape(row.geometry) for row in group),
    )


def _repeated(group: list[FeatureRow], outcome: str) -> str:
    first = group[0]
    under = f" under parent {first.parent_code!r}" if first.parent_code is not None else ""
    spelled = sorted({row.code for row in group})
    numbers = ", ".join(str(row.numbers[0]) for row in group)
    return f"code {' / '.join(map(repr, spelled))}{under} repeated in features {numbers}: {outcome}"
