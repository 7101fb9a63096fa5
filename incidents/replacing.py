"""Placing stored incidents again in bulk: their areas after the area tree changed, and the
unlocated ones after the standard address table was loaded or changed."""

from collections.abc import Iterable

from django.db import transaction

from areas.locator import get_locator
from stats.marks import rollups_mark_dirty_for

from .ingest.placing import (
    AREA_FIELDS,
    PLACE_FIELDS,
    area_columns,
    assign_cells,
    place_by_address,
)
from .ingest.plan import BULK_BATCH_SIZE, stats_key
from .models import Incident

# Rows read and written at a time.
BATCH = 5000


def incidents_reassign_areas(*, incident_ids: Iterable[int] | None = None) -> int:
    """Recompute incidents' areas (all located ones by default); returns how many moved."""
    queryset = Incident.objects.exclude(lat=None)
    if incident_ids is not None:
        queryset = queryset.filter(pk__in=list(incident_ids))
    locator = get_locator()
    moved = 0
    batch: list[Incident] = []
    rows = queryset.only("id", "lon", "lat", "reported_at", *AREA_FIELDS).order_by("pk")
    for incident in rows.iterator(chunk_size=BATCH):
        batch.append(incident)
        if len(batch) == BATCH:
            moved += _reassign_batch(batch, locator)
            batch = []
    if batch:
        moved += _reassign_batch(batch, locator)
    return moved


def _reassign_batch(batch: list[Incident], locator) -> int:
    changed = []
    stale: set[tuple] = set()
    for incident, place in zip(
        batch, locator.locate_many([(i.lon, i.lat) for i in batch]), strict=True
    ):
        values = area_columns(place)
        if any(getattr(incident, name) != value for name, value in values.items()):
            stale.add(stats_key(incident.reported_at, incident.area_path))
            stale.add(stats_key(incident.reported_at, values["area_path"]))
            for name, value in values.items():
                setattr(incident, name, value)
            changed.append(incident)
    if changed:
        with transaction.atomic():
            Incident.objects.bulk_update(changed, AREA_FIELDS, batch_size=BULK_BATCH_SIZE)
            rollups_mark_dirty_for(Incident, stale)
    return len(changed)


def incidents_geocode_unlocated(*, incident_ids: Iterable[int] | None = None) -> int:
    """Look the incidents with an address and no point (all by default) up again in the
    standard address table, after it was loaded or changed; returns how many were placed."""
    queryset = Incident.objects.filter(lat=None).exclude(address="")
    if incident_ids is not None:
        queryset = queryset.filter(pk__in=list(incident_ids))
    locator = get_locator()
    placed = 0
    rows = queryset.only("id", "address", "reported_at", *PLACE_FIELDS).order_by("pk")
    batch: list[Incident] = []
    for incident in rows.iterator(chunk_size=BATCH):
        batch.append(incident)
        if len(batch) == BATCH:
            placed += _geocode_batch(batch, locator)
            batch = []
    if batch:
        placed += _geocode_batch(batch, locator)
    return placed


def _geocode_batch(batch: list[Incident], locator) -> int:
    values = [{"lon": None, "lat": None, "address": incident.address} for incident in batch]
    place_by_address(values)
    located = [v for v in values if v["lat"] is not None]
    for row, place in zip(
        located, locator.locate_many([(v["lon"], v["lat"]) for v in located]), strict=True
    ):
        row.update(area_columns(place))
    stale: set[tuple] = set()
    for incident, row in zip(batch, values, strict=True):
        if row["lat"] is None:
            # Still unlocated: it stays in the area it was put in (where it was filed).
            row.update({name: getattr(incident, name) for name in AREA_FIELDS})
        assign_cells(row)
        stale.add(stats_key(incident.reported_at, incident.area_path))
        stale.add(stats_key(incident.reported_at, row["area_path"]))
        for name in PLACE_FIELDS:
            setattr(incident, name, row[name])
    with transaction.atomic():
        Incident.objects.bulk_update(batch, PLACE_FIELDS, batch_size=BULK_BATCH_SIZE)
        rollups_mark_dirty_for(Incident, stale)
    return len(located)
