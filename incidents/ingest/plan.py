"""What a batch of rows comes to before anything is written: rows validated, placed in the area
tree and in h3 cells, checked against the caller's jurisdiction; then, against the stored
incidents, which rows create, which update (done at once), which change nothing and which are
refused as not the caller's to change."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import h3
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.policy import NOT_YOURS, may_write_over, require
from areas.choices import AreaKind
from areas.locator import AreaLocator, Located, get_locator
from areas.scoping import Scope, scope_for
from audit.services import audit_changes
from geocoding.choices import GeocodeQuality, UnlocatedReason
from geocoding.geocoder import Geocode, geocode_addresses
from stats.days import area_key_of, local_day

from ..choices import H3_RESOLUTIONS
from ..models import Category, Incident
from .report import IngestReport, Rejection, rejected_value
from .rows import Problem, RowError, parse_row

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


def active_categories() -> dict[str, tuple[int, str]]:
    return {
        code: (pk, path)
        for pk, code, path in Category.objects.filter(is_active=True).values_list(
            "id", "code", "path"
        )
    }


def area_columns(located: Located) -> dict:
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


def assign_cells(values: dict) -> None:
    if values["lat"] is None:
        values["h3_r7"] = values["h3_r9"] = ""
        return
    r7, r9 = H3_RESOLUTIONS
    values["h3_r7"] = h3.latlng_to_cell(values["lat"], values["lon"], r7)
    values["h3_r9"] = h3.latlng_to_cell(values["lat"], values["lon"], r9)


# Marked for the catalogue: a page shows them in its language, the API as written.
LOCATION_REQUIRED = gettext_noop(
    "a location is required to place the incident in your jurisdiction"
)
OUTSIDE_JURISDICTION = gettext_noop("the location is outside your jurisdiction")


def scope_problem(values: dict, scope: Scope) -> Problem | None:
    if scope.everything:
        return None
    if values["lat"] is None:
        return Problem("lon", LOCATION_REQUIRED)
    if not scope.covers(values["area_path"]):
        return Problem("lon", OUTSIDE_JURISDICTION)
    return None


def stats_key(reported_at: datetime, area_path: str) -> tuple:
    """The (local day, area) whose statistics an incident counts in."""
    return local_day(reported_at), area_key_of(area_path)


@dataclass(frozen=True)
class IngestContext:
    """What validating and placing rows needs from the database, read once per ingest."""

    user: object  # None: the platform itself
    scope: Scope
    categories: dict[str, tuple[int, str]]
    locator: AreaLocator
    source_system: str | None
    default_tz: ZoneInfo | None
    # Addresses to points. A pipelined ingest gives one that reads nothing from the database:
    # its connection is busy with a COPY while the next chunk is prepared.
    geocode: Callable[[Sequence[str]], list[Geocode]] = geocode_addresses


def ingest_context(
    user,
    source_system: str | None,
    default_tz: ZoneInfo | None,
    geocode: Callable[[Sequence[str]], list[Geocode]] = geocode_addresses,
):
    require(user, "incidents.add_incident")
    return IngestContext(
        user=user,
        scope=scope_for(user) if user is not None else Scope(everything=True),
        categories=active_categories(),
        locator=get_locator(),
        source_system=source_system,
        default_tz=default_tz,
        geocode=geocode,
    )


def prepare_rows(
    rows: Sequence[dict | None],
    context: IngestContext,
    *,
    first_row_number: int = 1,
    prior_rejections: Sequence[Rejection] = (),
    seen: dict[tuple[str, str], int] | None = None,
) -> tuple[IngestReport, list[dict]]:
    """Validate and place rows numbered from ``first_row_number`` (no database work but the
    standard address table's, for rows with an address and no point): their
    report so far, and the rows accepted, as model field values. ``prior_rejections`` are the
    rows the caller could not read (None in ``rows``); ``seen`` holds the row number of each
    reference met earlier in the same load."""
    report = IngestReport(rejected=len(prior_rejections), errors=list(prior_rejections))
    now = timezone.now()
    parsed: list[tuple[int, dict, dict]] = []
    seen = {} if seen is None else seen
    for offset, row in enumerate(rows):
        number = first_row_number + offset
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
            report.errors.extend(
                Rejection(number, p.field, p.message, rejected_value(row, p.field))
                for p in exc.problems
            )
            continue
        key = (values["source_system"], values["source_ref"])
        if key in seen:
            report.rejected += 1
            report.errors.append(
                Rejection(
                    number,
                    "source_ref",
                    f"repeats row {seen[key]} of this batch",
                    rejected_value(row, "source_ref"),
                )
            )
            continue
        seen[key] = number
        report.row_of[key] = number
        parsed.append((number, values, row))

    place_by_address([values for _, values, _ in parsed], context.geocode)
    located = context.locator.locate_many([(v["lon"], v["lat"]) for _, v, _ in parsed])
    # Places are shared by the points in them: their columns are worked out once each.
    columns_of: dict[int, dict] = {}
    accepted: list[dict] = []
    for (number, values, row), place in zip(parsed, located, strict=True):
        columns = columns_of.get(id(place))
        if columns is None:
            columns = columns_of[id(place)] = area_columns(place)
        values.update(columns)
        assign_cells(values)
        problem = scope_problem(values, context.scope)
        if problem:
            report.rejected += 1
            report.errors.append(
                Rejection(number, problem.field, problem.message, _place_value(row))
            )
        else:
            accepted.append(values)
    report.errors.sort(key=lambda error: error.row)
    return report, accepted


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
    for values, geocode in zip(with_address, found, strict=True):
        values.update(
            lon=geocode.lon,
            lat=geocode.lat,
            geocode_quality=geocode.quality,
            geocode_score=geocode.score,
            geocoded_address=geocode.matched_address,
            unlocated_reason=geocode.reason,
        )


def _place_value(row: dict) -> str:
    """A row's location as it gave it, for a rejection about where it is."""
    lon, lat = rejected_value(row, "lon"), rejected_value(row, "lat")
    return f"{lon}, {lat}" if lon or lat else ""


@dataclass
class WritePlan:
    """What a batch of accepted rows comes to against the table: rows to create, and the
    (day, area) keys of the changes already made."""

    new_rows: list[dict]
    stale: set[tuple]


def plan_writes(
    accepted: list[dict],
    report: IngestReport,
    context: IngestContext,
    *,
    return_incidents: bool,
    existing: dict[tuple[str, str], Incident] | None = None,
) -> WritePlan:
    """Sort rows into new, changed and unchanged; changed incidents are updated now. Rows
    over incidents the caller may not change are rejected. ``existing``: the stored incidents
    of the rows, when already looked up."""
    if existing is None:
        existing = existing_incidents(accepted)
    accepted = refuse_foreign(accepted, existing, report, context)
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
    return WritePlan(new_rows, stale)


def refuse_foreign(
    accepted: list[dict],
    existing: dict[tuple[str, str], Incident],
    report: IngestReport,
    context: IngestContext,
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
        report.errors.append(
            Rejection(report.row_of.get(key, 0), "source_ref", NOT_YOURS, values["source_ref"])
        )
    if len(allowed) != len(accepted):
        report.errors.sort(key=lambda error: error.row)
    return allowed


def existing_incidents(accepted: list[dict]) -> dict[tuple[str, str], Incident]:
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
