"""Writes to incidents: ingest (one, many, files, devices), updates and lifecycle transitions."""

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import h3
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.policy import NOT_YOURS, may_write_over, require
from areas.choices import AreaKind
from areas.locator import AreaLocator, Located, get_locator
from areas.scoping import Scope, scope_for
from audit.services import audit_changes, audit_record
from safecity.core.bulk import bulk_insert_started, uuid4_texts
from stats.days import area_key_of, local_day
from stats.marks import rollups_mark_dirty_for, rollups_marks_batched

from .choices import ALLOWED_TRANSITIONS, H3_RESOLUTIONS, STATUS_TIME_FIELD, IncidentStatus
from .ingest.rows import FUTURE_TOLERANCE, Problem, RowError, parse_row, response_seconds
from .models import Category, DeviceEvent, DeviceEventType, Incident, IncidentStatusChange
from .signals import device_event_received, incidents_created

# Fields an ingest may set; a re-ingest compares these to tell "updated" from "unchanged".
INGESTED_FIELDS = (
    "source",
    "category_id",
    "category_path",
    "priority",
    "status",
    "reported_at",
    "occurred_at",
    "dispatched_at",
    "on_scene_at",
    "closed_at",
    "filed_at",
    "solved_at",
    "response_seconds",
    "lon",
    "lat",
    "address",
    "area_id",
    "area_path",
    "district_id",
    "station_id",
    "patrol_zone_id",
    "beat_id",
    "h3_r7",
    "h3_r9",
    "money_involved",
    "loss",
    "recovered",
    "arrested",
    "transfer_agency",
    "transferred_at",
    "transfer_outcome",
    "summary",
)
BULK_BATCH_SIZE = 2000
# Times an insert that lost a race with other writers is sorted again before giving up.
RACE_RETRIES = 5


class TransitionError(Exception):
    """A lifecycle step that is not allowed from the incident's current status."""


@dataclass
class Rejection:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class IngestReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[Rejection] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    # For the audit trail: references of created rows, before → after of updated ones.
    created_refs: list[tuple[str, str]] = field(default_factory=list)
    changes: list[tuple[Incident, dict]] = field(default_factory=list)
    # The row number of each accepted row's (source system, reference), to reject it later.
    row_of: dict[tuple[str, str], int] = field(default_factory=dict)

    def merge(self, other: "IngestReport") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        self.errors.extend(other.errors)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [error.as_dict() for error in self.errors],
        }


def active_categories() -> dict[str, tuple[int, str]]:
    return {
        code: (pk, path)
        for pk, code, path in Category.objects.filter(is_active=True).values_list(
            "id", "code", "path"
        )
    }


def _area_columns(located: Located) -> dict:
    """The incident's area columns for a place: its deepest area and one per level."""
    leaf = located.leaf
    columns = {"area_id": leaf.id if leaf else None, "area_path": leaf.path if leaf else ""}
    for kind, name in (
        (AreaKind.DISTRICT, "district_id"),
        (AreaKind.STATION, "station_id"),
        (AreaKind.PATROL_ZONE, "patrol_zone_id"),
        (AreaKind.BEAT, "beat_id"),
    ):
        ref = located.by_kind.get(kind)
        columns[name] = ref.id if ref else None
    return columns


def _assign_cells(values: dict) -> None:
    if values["lat"] is None:
        values["h3_r7"] = values["h3_r9"] = ""
        return
    r7, r9 = H3_RESOLUTIONS
    values["h3_r7"] = h3.latlng_to_cell(values["lat"], values["lon"], r7)
    values["h3_r9"] = h3.latlng_to_cell(values["lat"], values["lon"], r9)


def _scope_problem(values: dict, scope: Scope) -> Problem | None:
    if scope.everything:
        return None
    if values["lat"] is None:
        return Problem("lon", "a location is required to place the incident in your jurisdiction")
    if not scope.covers(values["area_path"]):
        return Problem("lon", "the location is outside your jurisdiction")
    return None


@dataclass
class IngestChunk:
    """Rows for ``incidents_ingest_chunks``, numbered from ``first_row_number``. Rows the caller
    could not even read are None in ``rows`` and described in ``prior_rejections``."""

    rows: Sequence[dict | None]
    first_row_number: int = 1
    prior_rejections: Sequence[Rejection] = ()


# Rows a chunk of a pipelined ingest holds: enough for COPY to pay, few enough to overlap.
INGEST_CHUNK = 5000


def chunked(
    rows: Sequence[dict | None], *, prior_rejections: Sequence[Rejection] = ()
) -> Iterable[IngestChunk]:
    """A list of rows (numbered from 1) as chunks, each with its own unreadable rows."""
    for start in range(0, len(rows), INGEST_CHUNK):
        end = start + INGEST_CHUNK
        yield IngestChunk(
            rows[start:end],
            first_row_number=start + 1,
            prior_rejections=[r for r in prior_rejections if start < r.row <= end],
        )


@dataclass(frozen=True)
class _IngestContext:
    """What validating and placing rows needs from the database, read once per ingest."""

    user: object  # None: the platform itself
    scope: Scope
    categories: dict[str, tuple[int, str]]
    locator: AreaLocator
    source_system: str | None
    default_tz: ZoneInfo | None


def _ingest_context(user, source_system: str | None, default_tz: ZoneInfo | None):
    require(user, "incidents.add_incident")
    return _IngestContext(
        user=user,
        scope=scope_for(user) if user is not None else Scope(everything=True),
        categories=active_categories(),
        locator=get_locator(),
        source_system=source_system,
        default_tz=default_tz,
    )


def incidents_ingest(
    *,
    rows: Sequence[dict],
    user=None,
    source_system: str | None = None,
    default_tz: ZoneInfo | None = None,
    first_row_number: int = 1,
    atomic: bool = False,
    return_incidents: bool = False,
    prior_rejections: Sequence["Rejection"] = (),
) -> IngestReport:
    """Validate, place and upsert incident rows; bad rows are reported, the rest are saved.

    ``user`` None is the system itself (file imports, the demo): no jurisdiction limit.
    With ``atomic``, nothing is saved when any row is rejected. ``prior_rejections`` are rows
    the caller could not even read (their places in ``rows`` hold None); they count as rejected.
    """
    context = _ingest_context(user, source_system, default_tz)
    report, accepted = _prepare(IngestChunk(rows, first_row_number, prior_rejections), context)
    existing = None
    if atomic:
        # Rows over records the caller may not change are found before anything is written.
        existing = _existing(accepted)
        accepted = _refuse_foreign(accepted, existing, report, context)
        if report.rejected:
            return report
    try:
        with transaction.atomic():
            _upsert(accepted, report, context, existing=existing, return_incidents=return_incidents)
            if atomic and report.rejected:  # a record created meanwhile, by someone else
                raise _NothingSaved
            _audit_ingest(report)
    except _NothingSaved:
        report.created = report.updated = report.unchanged = 0
        report.incidents.clear()
    return report


class _NothingSaved(Exception):
    """An atomic ingest with a rejected row: roll back what was written."""


def incidents_ingest_chunks(
    chunks: Iterable[IngestChunk],
    *,
    user=None,
    source_system: str | None = None,
    default_tz: ZoneInfo | None = None,
    on_chunk: Callable[[IngestChunk, IngestReport], None] | None = None,
) -> IngestReport:
    """Ingest a stream of chunks in one transaction (within the caller's, if any): a file
    import or a bulk load. Returns the totals; ``on_chunk`` gets each chunk's own report once
    its rows are written.

    The work is pipelined: while a chunk's new rows are copied into the table (a COPY in a
    worker thread, the server on the other core), the next chunk is validated and placed.
    Dirty marks for the statistics are written once, at the end.
    """
    context = _ingest_context(user, source_system, default_tz)
    total = IngestReport()
    in_flight: _ChunkWrite | None = None
    # References seen so far in the whole load: a repeat is rejected wherever it falls.
    seen: dict[tuple[str, str], int] = {}
    with transaction.atomic(), rollups_marks_batched():
        try:
            for chunk in chunks:
                report, accepted = _prepare(chunk, context, seen)
                if in_flight:
                    _finish_chunk(in_flight, total, on_chunk)
                in_flight = _ChunkWrite(chunk, report, accepted, context)
            if in_flight:
                _finish_chunk(in_flight, total, on_chunk)
                in_flight = None
        finally:
            if in_flight:  # an error elsewhere: let the COPY end before the rollback
                in_flight.abandon()
    return total


def _finish_chunk(write: "_ChunkWrite", total: IngestReport, on_chunk) -> None:
    write.finish()
    _audit_ingest(write.report)
    total.merge(write.report)
    if on_chunk:
        on_chunk(write.chunk, write.report)


class _ChunkWrite:
    """One chunk's writes: updates at once, new rows by a COPY left running until finish()."""

    def __init__(
        self,
        chunk: IngestChunk,
        report: IngestReport,
        accepted: list[dict],
        context: _IngestContext,
    ):
        self.chunk, self.report, self.context = chunk, report, context
        self.plan = _plan(accepted, report, context, return_incidents=False)
        self.wait = None
        if self.plan.new_rows:
            self.savepoint = transaction.savepoint()
            self.wait = _insert_new(self.plan.new_rows, wait=False)

    def finish(self) -> None:
        new_rows = self.plan.new_rows
        if self.wait:
            try:
                self.wait()
            except IntegrityError:
                # A concurrent ingest created some of these since we looked: sort them again.
                transaction.savepoint_rollback(self.savepoint)
                _upsert(new_rows, self.report, self.context, return_incidents=False, retries=1)
                new_rows = []
            else:
                transaction.savepoint_commit(self.savepoint)
        _after_write(new_rows, self.plan.stale, self.report)

    def abandon(self) -> None:
        if self.wait:
            with contextlib.suppress(Exception):
                self.wait()


def _prepare(
    chunk: IngestChunk, context: _IngestContext, seen: dict[tuple[str, str], int] | None = None
) -> tuple[IngestReport, list[dict]]:
    """Validate and place a chunk's rows (no database work): its report so far, and the rows
    accepted, as model field values. ``seen`` holds the row number of each reference met
    earlier in the same load."""
    prior = chunk.prior_rejections
    report = IngestReport(rejected=len(prior), errors=list(prior))
    now = timezone.now()
    parsed: list[tuple[int, dict]] = []
    seen = {} if seen is None else seen
    for offset, row in enumerate(chunk.rows):
        number = chunk.first_row_number + offset
        if row is None:
            continue
        if context.source_system and isinstance(row, dict):
            row = {**row, "source_system": context.source_system}
        try:
            values = parse_row(
                row, categories=context.categories, default_tz=context.default_tz, now=now
            )
        except RowError as exc:
            report.rejected += 1
            report.errors.extend(Rejection(number, p.field, p.message) for p in exc.problems)
            continue
        key = (values["source_system"], values["source_ref"])
        if key in seen:
            report.rejected += 1
            report.errors.append(
                Rejection(number, "source_ref", f"repeats row {seen[key]} of this batch")
            )
            continue
        seen[key] = number
        report.row_of[key] = number
        parsed.append((number, values))

    located = context.locator.locate_many([(v["lon"], v["lat"]) for _, v in parsed])
    # Places are shared by the points in them: their columns are worked out once each.
    columns_of: dict[int, dict] = {}
    accepted: list[dict] = []
    for (number, values), place in zip(parsed, located, strict=True):
        columns = columns_of.get(id(place))
        if columns is None:
            columns = columns_of[id(place)] = _area_columns(place)
        values.update(columns)
        _assign_cells(values)
        problem = _scope_problem(values, context.scope)
        if problem:
            report.rejected += 1
            report.errors.append(Rejection(number, problem.field, problem.message))
        else:
            accepted.append(values)
    report.errors.sort(key=lambda error: error.row)
    return report, accepted


# A call with more rows than this is recorded as one bulk event; updates are always itemised.
AUDIT_ITEMISED_CREATES = 100
AUDIT_MAX_LISTED_REFS = 10_000


def _audit_ingest(report: IngestReport) -> None:
    for incident, changes in report.changes:
        audit_record(action="update", obj=incident, changes=changes)
    if report.created and len(report.created_refs) <= AUDIT_ITEMISED_CREATES:
        created = {(i.source_system, i.source_ref): i for i in report.incidents}
        for system, ref in report.created_refs:
            incident = created.get((system, ref))
            audit_record(
                action="create",
                obj=incident,
                object_type="incidents.incident",
                object_id="" if incident else f"{system}:{ref}",
                object_repr=f"{system}:{ref}",
            )
    elif report.created:
        refs = report.created_refs
        audit_record(
            action="bulk_ingest",
            object_type="incidents.incident",
            detail=(
                f"created {report.created}, updated {report.updated}, "
                f"unchanged {report.unchanged}, rejected {report.rejected}"
            ),
            changes={
                "created": [f"{system}:{ref}" for system, ref in refs[:AUDIT_MAX_LISTED_REFS]],
                "created_listed": min(len(refs), AUDIT_MAX_LISTED_REFS),
            },
        )


@dataclass
class _Plan:
    """What a batch of accepted rows comes to against the table: rows to create, and the
    (day, area) keys of the changes already made."""

    new_rows: list[dict]
    stale: set[tuple]


def _plan(
    accepted: list[dict],
    report: IngestReport,
    context: _IngestContext,
    *,
    return_incidents: bool,
    existing: dict[tuple[str, str], Incident] | None = None,
) -> _Plan:
    """Sort rows into new, changed and unchanged; changed incidents are updated now. Rows
    over incidents the caller may not change are rejected. ``existing``: the stored incidents
    of the rows, when already looked up."""
    if existing is None:
        existing = _existing(accepted)
    accepted = _refuse_foreign(accepted, existing, report, context)
    new_rows: list[dict] = []
    to_update: list[Incident] = []
    unchanged = 0
    stale: set[tuple] = set()
    for values in accepted:
        incident = existing.get((values["source_system"], values["source_ref"]))
        if incident is None:
            new_rows.append(values)
            continue
        changed = [name for name in INGESTED_FIELDS if getattr(incident, name) != values[name]]
        if changed:
            stale.add(stats_key(incident.reported_at, incident.area_path))
            stale.add(stats_key(values["reported_at"], values["area_path"]))
            report.changes.append(
                (
                    incident,
                    audit_changes(
                        {name: getattr(incident, name) for name in changed},
                        {name: values[name] for name in changed},
                    ),
                )
            )
            for name in changed:
                setattr(incident, name, values[name])
            to_update.append(incident)
        else:
            unchanged += 1
        if return_incidents:
            report.incidents.append(incident)
    if to_update:
        now = timezone.now()
        for incident in to_update:
            incident.updated_at = now
        Incident.objects.bulk_update(
            to_update, [*INGESTED_FIELDS, "updated_at"], batch_size=BULK_BATCH_SIZE
        )
        report.updated += len(to_update)
    report.unchanged += unchanged
    return _Plan(new_rows, stale)


def _refuse_foreign(
    accepted: list[dict],
    existing: dict[tuple[str, str], Incident],
    report: IngestReport,
    context: _IngestContext,
) -> list[dict]:
    """The rows the caller may write: new ones, and those over incidents they may change where
    the incidents are and where the rows put them. The others are rejected, saying nothing of
    the incident."""
    if context.user is None or not existing:
        return accepted
    allowed = []
    for values in accepted:
        key = (values["source_system"], values["source_ref"])
        incident = existing.get(key)
        if incident is None or may_write_over(
            context.user,
            "incidents.change_incident",
            existing_path=incident.area_path,
            new_path=values["area_path"],
        ):
            allowed.append(values)
            continue
        report.rejected += 1
        report.errors.append(Rejection(report.row_of.get(key, 0), "source_ref", NOT_YOURS))
    if len(allowed) != len(accepted):
        report.errors.sort(key=lambda error: error.row)
    return allowed


def _existing(accepted: list[dict]) -> dict[tuple[str, str], Incident]:
    """The stored incidents with the rows' (source system, reference)."""
    by_system: dict[str, list[str]] = {}
    for values in accepted:
        by_system.setdefault(values["source_system"], []).append(values["source_ref"])
    existing: dict[tuple[str, str], Incident] = {}
    table = connection.ops.quote_name(Incident._meta.db_table)
    for system, refs in by_system.items():
        if connection.vendor == "postgresql":
            # One array parameter: a new batch (the usual case) costs one index probe a row
            # and no model instances.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id FROM {table} WHERE source_system = %s AND source_ref = ANY(%s)",
                    [system, refs],
                )
                ids = [pk for (pk,) in cursor.fetchall()]
            found = Incident.objects.filter(pk__in=ids) if ids else ()
        else:
            found = (
                incident
                for start in range(0, len(refs), 5000)
                for incident in Incident.objects.filter(
                    source_system=system, source_ref__in=refs[start : start + 5000]
                )
            )
        for incident in found:
            existing[(system, incident.source_ref)] = incident
    return existing


def _upsert(
    accepted: list[dict],
    report: IngestReport,
    context: _IngestContext,
    *,
    return_incidents: bool,
    retries: int = 0,
    existing: dict[tuple[str, str], Incident] | None = None,
) -> None:
    plan = _plan(accepted, report, context, return_incidents=return_incidents, existing=existing)
    new_rows = plan.new_rows
    if new_rows:
        try:
            with transaction.atomic():
                if return_incidents:
                    created = Incident.objects.bulk_create(
                        [Incident(**values) for values in new_rows], batch_size=BULK_BATCH_SIZE
                    )
                else:
                    _insert_new(new_rows)
        except IntegrityError:
            if retries >= RACE_RETRIES:
                raise
            # A concurrent ingest created some of these since we looked: sort them again (as
            # updates of what it made, if the caller may change that). Each round sees what
            # the writers before it committed, so only a new writer each time keeps it going.
            _upsert(
                new_rows, report, context, return_incidents=return_incidents, retries=retries + 1
            )
            new_rows = []
        else:
            if return_incidents:
                report.incidents.extend(created)
    _after_write(new_rows, plan.stale, report)


def _after_write(new_rows: list[dict], stale: set[tuple], report: IngestReport) -> None:
    """Count the created rows, mark the statistics they and the updates touched, tell others."""
    report.created += len(new_rows)
    report.created_refs.extend((v["source_system"], v["source_ref"]) for v in new_rows)
    stale.update(stats_key(values["reported_at"], values["area_path"]) for values in new_rows)
    rollups_mark_dirty_for(Incident, stale)
    if new_rows:
        incidents_created.send(sender=Incident, rows=new_rows)


def stats_key(reported_at: datetime, area_path: str) -> tuple:
    """The (local day, area) whose statistics an incident counts in."""
    return local_day(reported_at), area_key_of(area_path)


_INSERT_COLUMNS = ("source_system", "source_ref", *INGESTED_FIELDS)


def _insert_new(new_rows: list[dict], *, wait: bool = True):
    """Insert new rows; with ``wait`` False, return the function that waits for the insert."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        now = now.isoformat()  # once, not once a row
    public_ids = uuid4_texts(len(new_rows))
    finished = bulk_insert_started(
        Incident,
        (*_INSERT_COLUMNS, "public_id", "created_at", "updated_at"),
        (
            [*map(values.__getitem__, _INSERT_COLUMNS), public_id, now, now]
            for values, public_id in zip(new_rows, public_ids, strict=True)
        ),
    )
    if not wait:
        return finished
    finished()
    return None


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


def incident_create(*, data: dict, user) -> Incident:
    """Ingest one incident (idempotent by source system and reference); RowError if refused."""
    return incident_upsert(data=data, user=user)[0]


@transaction.atomic
def incident_update(*, incident: Incident, data: dict, user) -> Incident:
    """Change an incident's facts; lifecycle times change only through transitions."""
    require(user, "incidents.change_incident", area_path=incident.area_path)
    row = _row_from_incident(incident) | data
    report = incidents_ingest(rows=[row], user=user, return_incidents=True)
    if report.rejected:
        raise RowError([Problem(e.field, e.message) for e in report.errors])
    incident.refresh_from_db()
    return incident


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
    return row


@transaction.atomic
def incident_transition(
    *, incident: Incident, to_status: str, user=None, at: datetime | None = None, note: str = ""
) -> Incident:
    """Move an incident one step along its lifecycle; TransitionError says why not."""
    require(user, "incidents.change_incident", area_path=incident.area_path)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if to_status not in IncidentStatus.values:
        raise TransitionError(f"unknown status {to_status!r}")
    if to_status not in ALLOWED_TRANSITIONS[incident.status]:
        raise TransitionError(
            f"cannot go from {incident.status} to {to_status}"
            + _transition_hint(incident.status, to_status)
        )
    at = at or timezone.now()
    current_time = getattr(incident, STATUS_TIME_FIELD[incident.status])
    if current_time and at < current_time:
        raise TransitionError(f"{to_status} time is earlier than the {incident.status} time")
    if at > timezone.now() + (FUTURE_TOLERANCE):
        raise TransitionError("the transition time is in the future")
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
        values = _area_columns(place)
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
        problem = _scope_problem({"lat": data.get("lat"), "area_path": area_path}, scope_for(user))
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
