"""Where an incident row is: its point, found in the standard address table when it came
without one, the areas containing it (or, without a point, the area it was put in), and its
h3 cells. The one list of the fields this decides (``PLACE_FIELDS``) serves the ingest and the
bulk re-placing of stored incidents alike."""

from collections.abc import Callable, Sequence

import h3

from areas.choices import AreaKind
from areas.locator import AreaRef, Located
from areas.models import Area
from geocoding.choices import GeocodeQuality, UnlocatedReason
from geocoding.geocoder import Geocode, geocode_addresses

from ..choices import H3_RESOLUTIONS

# How a point was found, or why there is none.
GEOCODE_FIELDS = ("geocode_quality", "geocode_score", "geocoded_address", "unlocated_reason")
# The areas an incident lies in, derived from its point (or, unlocated, where it was filed).
AREA_FIELDS = ("area_id", "area_path", "district_id", "station_id", "patrol_zone_id", "beat_id")
# Everything placing an incident decides: the point, how it was found, its areas and cells.
PLACE_FIELDS = ("lon", "lat", *GEOCODE_FIELDS, *AREA_FIELDS, "h3_r7", "h3_r9")
# The incident's column for the containing area of each level.
LEVEL_COLUMNS = (
    (AreaKind.DISTRICT, "district_id"),
    (AreaKind.STATION, "station_id"),
    (AreaKind.PATROL_ZONE, "patrol_zone_id"),
    (AreaKind.BEAT, "beat_id"),
)


def area_columns(located: Located) -> dict:
    """The incident's area columns for a place: its deepest area and one per level."""
    leaf = located.leaf
    columns = {"area_id": leaf.id if leaf else None, "area_path": leaf.path if leaf else ""}
    for kind, name in LEVEL_COLUMNS:
        ref = located.by_kind.get(kind)
        columns[name] = ref.id if ref else None
    return columns


def assign_cells(values: dict) -> None:
    if values["lat"] is None:
        values["h3_r7"] = values["h3_r9"] = ""
        return
    r7, r9 = H3_RESOLUTIONS
    values["h3_r7"] = h3.latlng_to_cell(values["lat"], values["lon"], r7)
    values["h3_r9"] = h3.latlng_to_cell(values["lat"], values["lon"], r9)


def area_place(area_id: int | None) -> Located | None:
    """An area as a place: it and the areas above it, as a point inside it would be located."""
    if area_id is None:
        return None
    path = Area.objects.filter(pk=area_id).values_list("path", flat=True).first()
    if not path:
        return None
    ids = [int(part) for part in path.strip("/").split("/")]
    refs = sorted(
        (
            AreaRef(pk, kind, ref_path)
            for pk, kind, ref_path in Area.objects.filter(pk__in=ids).values_list(
                "id", "kind", "path"
            )
        ),
        key=lambda ref: ref.path.count("/"),
    )
    return Located(by_kind={ref.kind: ref for ref in refs})


def place_by_address(
    rows: list[dict], geocode: Callable[[Sequence[str]], list[Geocode]] = geocode_addresses
) -> None:
    """Rows with no point located from the standard address table, all in one batch; each row
    gets how its point was found, or why it has none."""
    unplaced = [values for values in rows if values["lat"] is None]
    for values in rows:
        values.update(
            geocode_quality=GeocodeQuality.GIVEN,
            geocode_score=None,
            geocoded_address="",
            unlocated_reason=UnlocatedReason.NONE,
        )
    with_address = [values for values in unplaced if values["address"].strip()]
    for values in unplaced:
        values.update(
            geocode_quality=GeocodeQuality.UNLOCATED, unlocated_reason=UnlocatedReason.NO_ADDRESS
        )
    found = geocode([values["address"] for values in with_address]) if with_address else []
    for values, place in zip(with_address, found, strict=True):
        values.update(
            lon=place.lon,
            lat=place.lat,
            geocode_quality=place.quality,
            geocode_score=place.score,
            geocoded_address=place.matched_address,
            unlocated_reason=place.reason,
        )
