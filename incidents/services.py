"""Writes to single incidents: create, update or upsert one, lifecycle
transitions, area reassignment after the area tree changes, and device events. Ingesting many
rows lives in ``incidents.ingest``."""

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.policy import NOT_YOURS, may_write_over, require
from areas.locator import get_locator
from areas.scoping import scope_for
from audit.services import audit_changes, audit_record
from geocoding.choices import GeocodeQuality
from stats.marks import rollups_mark_dirty_for

from .choices import ALLOWED_TRANSITIONS, STATUS_TIME_FIELD, IncidentStatus
from .ingest import incidents_ingest
from .ingest.plan import (
    BULK_BATCH_SIZE,
    INGESTED_FIELDS,
    area_columns,
    assign_cells,
    ingest_context,
    place_by_address,
    prepare_rows,
    scope_problem,
    stats_key,
)
from .ingest.rows import FUTURE_TOLERANCE, Problem, RowError, response_seconds
from .models import DeviceEvent, DeviceEventType, Incident, IncidentStatusChange
from .signals import device_event_received, incidents_created

ALREADY_RECORDED = gettext_noop("already recorded: the source system and reference are taken")


class TransitionError(Exception):
    """A lifecycle step that is not allowed from the incident's current status. Its text is
    the API's answer; ``reason`` (``unknown``, ``not_allowed``, ``earlier``, ``future``) with
    the ``current`` and ``wanted`` statuses let a page say it in its own language."""

    def __init__(self, message: str, *, reason: str, current: str = "", wanted: str = ""):
        super().__init__(message)
        self.reason, self.current, self.wanted = reason, current, wanted


def incident_upsert(*, data: dict, user) -> tuple[Incident, str]:
    """Ingest one incident (idempotent by source system and reference): the incident and
    whether it was ``created``, ``updated`` or ``unchanged``; RowError if refused."""
    report = incidents_ingest(rows=[data], user=user, return_incidents=True)
    if report.rejected:
        raise RowError([Problem(e.field, e.message) for e in report.errors])
    incident = report.incidents[0]
    incident.refresh_from_db()
    outcome = "created" if report.created else "updated" if report.updated else "unchanged"
    return incident, outcome


@transaction.atomic
def incident_create(*, data: dict, user) -> Incident:
    """Record one new incident: validated, placed and scope-checked as every ingested row is.
    Without a reference it gets one of its own (source system ``web``). RowError if refused,
    or if the source system and reference are already taken."""
    if not data.get("source_ref"):
        data = {**data, "source_system": data.get("source_system") or "web"}
        data["source_ref"] = new_reference(timezone.now())
    values = _placed_row(data, ingest_context(user, None, None))
    try:
        with transaction.atomic():
            incident = Incident.objects.create(**values)
    except IntegrityError:
        raise RowError([Problem("source_ref", ALREADY_RECORDED)]) from None
    audit_record(action="create", obj=incident)
    rollups_mark_dirty_for(Incident, {stats_key(incident.reported_at, incident.area_path)})
    incidents_created.send(sender=Incident, rows=[values])
    return incident


@transaction.atomic
def incident_update(*, incident: Incident, data: dict, user) -> Incident:
    """Change an incident's facts; lifecycle times change only through transitions. The
    caller must be allowed to change it where it is and where the change puts it."""
    require(user, "incidents.change_incident", area_path=incident.area_path)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    values = _placed_row(_row_from_incident(incident) | data, ingest_context(user, None, None))
    if user is not None and not may_write_over(
        user,
        "incidents.change_incident",
        existing_path=incident.area_path,
        new_path=values["area_path"],
    ):
        raise RowError([Problem("lon", NOT_YOURS)])
    changed = [name for name in INGESTED_FIELDS if getattr(incident, name) != values[name]]
    if not changed:
        return incident
    stale = {stats_key(incident.reported_at, incident.area_path)}
    before = {name: getattr(incident, name) for name in changed}
    for name in changed:
        setattr(incident, name, values[name])
    incident.save(update_fields=[*changed, "updated_at"])
    audit_record(
        action="update",
        obj=incident,
        changes=audit_changes(before, {name: values[name] for name in changed}),
    )
    stale.add(stats_key(incident.reported_at, incident.area_path))
    rollups_mark_dirty_for(Incident, stale)
    return incident


def new_reference(now: datetime) -> str:
    """A reference for an incident recorded here: its local date and a random part."""
    return f"{timezone.localtime(now):%Y%m%d}-{uuid.uuid4().hex[:10].upper()}"


def _row_from_incident(incident: Incident) -> dict:
    row = {
        name: getattr(incident, name)
        for name in (
            "source",
            "source_system",
            "source_ref",
            "priority",
            "lon",
            "lat",
            "address",
            "money_involved",
            "loss",
            "recovered",
            "arrested",
            "transfer_agency",
            "transferred_at",
            "transfer_outcome",
            "summary",
            *(STATUS_TIME_FIELD.values()),
            "occurred_at",
        )
    }
    row["category"] = incident.category.code
    if incident.geocode_quality in (GeocodeQuality.EXACT, GeocodeQuality.FUZZY):
        # A point from the address table is looked up again, so a changed address moves it.
        row["lon"] = row["lat"] = None
    return row


def _placed_row(row: dict, context) -> dict:
    report, accepted = prepare_rows([row], context)
    if report.rejected:
        raise RowError([Problem(error.field, error.message) for error in report.errors])
    return accepted[0]


@transaction.atomic
def incident_transition(
    *, incident: Incident, to_status: str, user=None, at: datetime | None = None, note: str = ""
) -> Incident:
    """Move an incident one step along its lifecycle; TransitionError says why not."""
    require(user, "incidents.change_incident", area_path=incident.area_path)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    steps = {"current": incident.status, "wanted": to_status}
    if to_status not in IncidentStatus.values:
        raise TransitionError(f"unknown status {to_status!r}", reason="unknown", **steps)
    if to_status not in ALLOWED_TRANSITIONS[incident.status]:
        raise TransitionError(
            f"cannot go from {incident.status} to {to_status}"
            + _transition_hint(incident.status, to_status),
            reason="not_allowed",
            **steps,
        )
    at = at or timezone.now()
    current_time = getattr(incident, STATUS_TIME_FIELD[incident.status])
    if current_time and at < current_time:
        raise TransitionError(
            f"{to_status} time is earlier than the {incident.status} time",
            reason="earlier",
            **steps,
        )
    if at > timezone.now() + (FUTURE_TOLERANCE):
        raise TransitionError("the transition time is in the future", reason="future", **steps)
    previous = incident.status
    setattr(incident, STATUS_TIME_FIELD[to_status], at)
    incident.status = to_status
    incident.response_seconds = response_seconds(
        {"reported_at": incident.reported_at, "on_scene_at": incident.on_scene_at}
    )
    incident.save(
        update_fields=[STATUS_TIME_FIELD[to_status], "status", "response_seconds", "updated_at"]
    )
    IncidentStatusChange.objects.create(
        incident=incident, from_status=previous, to_status=to_status, at=at, by=user, note=note
    )
    audit_record(
        action="transition",
        obj=incident,
        changes=audit_changes(
            {"status": previous, STATUS_TIME_FIELD[to_status]: None},
            {"status": to_status, STATUS_TIME_FIELD[to_status]: at},
        ),
        detail=note,
    )
    return incident


def _transition_hint(current: str, wanted: str) -> str:
    if current == wanted:
        return f": the incident is already {current}"
    if wanted == IncidentStatus.SOLVED:
        return ": a case must be filed before it is solved"
    if current == IncidentStatus.SOLVED:
        return ": a solved case is final"
    return ""


def incidents_reassign_areas(*, incident_ids: Iterable[int] | None = None) -> int:
    """Recompute incidents' areas (all located ones by default); returns how many moved."""
    queryset = Incident.objects.exclude(lat=None)
    if incident_ids is not None:
        queryset = queryset.filter(pk__in=list(incident_ids))
    fields = ["area_id", "area_path", "district_id", "station_id", "patrol_zone_id", "beat_id"]
    locator = get_locator()
    moved = 0
    batch: list[Incident] = []
    rows = queryset.only("id", "lon", "lat", "reported_at", *fields).order_by("pk")
    for incident in rows.iterator(chunk_size=5000):
        batch.append(incident)
        if len(batch) == 5000:
            moved += _reassign_batch(batch, locator, fields)
            batch = []
    if batch:
        moved += _reassign_batch(batch, locator, fields)
    return moved


def _reassign_batch(batch: list[Incident], locator, fields: list[str]) -> int:
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
            Incident.objects.bulk_update(changed, fields, batch_size=BULK_BATCH_SIZE)
            rollups_mark_dirty_for(Incident, stale)
    return len(changed)


GEOCODED_FIELDS = [
    "lon",
    "lat",
    "geocode_quality",
    "geocode_score",
    "geocoded_address",
    "unlocated_reason",
    "area_id",
    "area_path",
    "district_id",
    "station_id",
    "patrol_zone_id",
    "beat_id",
    "h3_r7",
    "h3_r9",
]


def incidents_geocode_unlocated(*, incident_ids: Iterable[int] | None = None) -> int:
    """Look the incidents with an address and no point (all by default) up again in the
    standard address table, after it was loaded or changed; returns how many were placed."""
    queryset = Incident.objects.filter(lat=None).exclude(address="")
    if incident_ids is not None:
        queryset = queryset.filter(pk__in=list(incident_ids))
    locator = get_locator()
    placed = 0
    rows = queryset.only("id", "address", "reported_at", *GEOCODED_FIELDS).order_by("pk")
    batch: list[Incident] = []
    for incident in rows.iterator(chunk_size=5000):
        batch.append(incident)
        if len(batch) == 5000:
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
            row.update({name: getattr(incident, name) for name in GEOCODED_FIELDS[6:]})
        assign_cells(row)
        stale.add(stats_key(incident.reported_at, incident.area_path))
        stale.add(stats_key(incident.reported_at, row["area_path"]))
        for name in GEOCODED_FIELDS:
            setattr(incident, name, row[name])
    with transaction.atomic():
        Incident.objects.bulk_update(batch, GEOCODED_FIELDS, batch_size=BULK_BATCH_SIZE)
        rollups_mark_dirty_for(Incident, stale)
    return len(located)


@transaction.atomic
def device_event_receive(*, data: dict, user=None) -> tuple[DeviceEvent, bool]:
    """Store a device event (idempotent by device and event id) and open an incident if its
    type says so; returns the event and whether it was new. RowError when the event lies
    outside the caller's jurisdiction, or repeats an event (or names an incident) of another."""
    require(user, "incidents.add_deviceevent")
    event_type = DeviceEventType.objects.select_related("category").get(code=data["event_type"])
    place = get_locator().locate(data["lon"], data["lat"]) if data.get("lat") is not None else None
    area_path = place.leaf.path if place and place.leaf else ""
    if user is not None:
        problem = scope_problem({"lat": data.get("lat"), "area_path": area_path}, scope_for(user))
        if problem:
            raise RowError([problem])
    key = {"device_id": data["device_id"], "event_id": data["event_id"]}
    existing = DeviceEvent.objects.filter(**key).first()
    if existing is None:
        try:
            with transaction.atomic():
                event = DeviceEvent.objects.create(
                    **key,
                    event_type=event_type,
                    occurred_at=data["occurred_at"],
                    lon=data.get("lon"),
                    lat=data.get("lat"),
                    confidence=data.get("confidence"),
                    media_url=data.get("media_url") or "",
                    payload=data.get("payload") or {},
                    area_path=area_path,
                )
        except IntegrityError:  # the same event, stored by a concurrent request
            existing = DeviceEvent.objects.get(**key)
    if existing is not None:
        # A replay changes nothing, but answers with the event: only to whom it belongs.
        if not may_write_over(user, "incidents.add_deviceevent", existing_path=existing.area_path):
            raise RowError([Problem("event_id", NOT_YOURS)])
        return existing, False
    confident = (data.get("confidence") or 0) >= event_type.min_confidence
    if event_type.creates_incident and event_type.category_id and confident:
        event.incident = incident_create(
            data={
                "source": "device",
                "source_system": "device",
                "source_ref": f"{event.device_id}:{event.event_id}",
                "category": event_type.category.code,
                "priority": event_type.priority,
                "reported_at": event.occurred_at,
                "lon": event.lon,
                "lat": event.lat,
                "summary": f"{event_type.name} · {event.device_id}",
            },
            user=user,
        )
        event.save(update_fields=["incident"])
    device_event_received.send(sender=DeviceEvent, event=event)
    return event, True
