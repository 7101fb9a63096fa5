"""Writes to single incidents: create, update or upsert one, lifecycle transitions, merging a
duplicate, handing a record to the jurisdiction it lies in, and device events. Ingesting many
rows lives in ``incidents.ingest``; placing stored incidents again in ``incidents.replacing``."""

import uuid
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
from .ingest.placing import LEVEL_COLUMNS
from .ingest.plan import (
    INGESTED_FIELDS,
    ingest_context,
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
    row = _row_from_incident(incident) | data
    if "category_defaulted" not in data and row["category"] != incident.category.code:
        row["category_defaulted"] = False  # a person chose it
    # Without a point it stays in the area it is in, whoever changes it.
    context = ingest_context(user, None, None, unlocated_area_id=incident.area_id)
    values = _placed_row(row, context)
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
            "category_defaulted",
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


# Marked for the catalogue: a page shows them in its language, the API as written.
NOT_ITSELF = gettext_noop("an incident cannot repeat itself")
ALREADY_MERGED = gettext_noop("that incident is itself merged into another")
LIES_NOWHERE = gettext_noop("the incident lies in no area")


@transaction.atomic
def incident_merge_duplicate(*, duplicate: Incident, into: Incident, user) -> Incident:
    """Record ``duplicate`` as a repeat of ``into`` (the same event reported twice): it stays,
    for the trail, but the statistics leave it out (the incidents metric source counts only
    incidents that are no one's duplicate), so the event counts once. Its duplicates, if any,
    follow it to ``into``. RowError if it cannot be done."""
    require(user, "incidents.change_incident", area_path=duplicate.area_path)
    duplicate = Incident.objects.select_for_update().get(pk=duplicate.pk)
    if duplicate.pk == into.pk:
        raise RowError([Problem("into", NOT_ITSELF)])
    if into.duplicate_of_id is not None:
        raise RowError([Problem("into", ALREADY_MERGED)])
    if duplicate.duplicate_of_id == into.pk:
        return duplicate
    before = duplicate.duplicate_of.public_id if duplicate.duplicate_of_id else None
    duplicate.duplicate_of = into
    duplicate.save(update_fields=["duplicate_of", "updated_at"])
    Incident.objects.filter(duplicate_of=duplicate).update(duplicate_of=into)
    audit_record(
        action="update",
        obj=duplicate,
        changes=audit_changes(
            {"duplicate_of": before and str(before)}, {"duplicate_of": str(into.public_id)}
        ),
    )
    rollups_mark_dirty_for(Incident, {stats_key(duplicate.reported_at, duplicate.area_path)})
    return duplicate


@transaction.atomic
def incident_refile(*, incident: Incident, user) -> Incident:
    """Hand an incident filed in one jurisdiction but lying in another to the one its point
    lies in: its filed area becomes the containing area of the filed area's level (or its
    deepest area). Statistics follow the point, not the filing, so none are marked."""
    require(user, "incidents.change_incident", area_path=incident.area_path)
    locked = Incident.objects.select_for_update(of=("self",)).select_related("filed_area")
    incident = locked.get(pk=incident.pk)
    if incident.area_id is None:
        raise RowError([Problem("lon", LIES_NOWHERE)])
    filed_kind = incident.filed_area.kind if incident.filed_area else None
    column = dict(LEVEL_COLUMNS).get(filed_kind, "area_id")
    target = getattr(incident, column) or incident.area_id
    if target == incident.filed_area_id:
        return incident
    before = str(incident.filed_area) if incident.filed_area else None
    incident.filed_area_id = target
    incident.save(update_fields=["filed_area", "updated_at"])
    audit_record(
        action="update",
        obj=incident,
        changes=audit_changes({"filed_area": before}, {"filed_area": str(incident.filed_area)}),
    )
    return incident


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
