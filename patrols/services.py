"""Patrol writes and the questions dispatchers ask: pings, standards, nearest units."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.policy import require
from incidents.ingest.rows import FUTURE_TOLERANCE, parse_datetime
from safecity.core import live
from safecity.core.bulk import bulk_insert
from safecity.core.crs import Crs, to_wgs84
from safecity.core.times import EARLIEST

from .choices import UnitStatus
from .models import PatrolUnit, Position, ResponseStandard

EARTH_RADIUS_M = 6_371_000
FEED = "positions"


@dataclass
class PingRejection:
    index: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "message": self.message}


def positions_ingest(*, pings: list, user=None) -> dict:
    """Store a batch of GPS pings; bad ones are rejected one by one with the reason.

    A ping moves its unit: ``user`` may report only for units whose home zone they may change
    (their jurisdiction); ``user`` None is the platform itself, for any unit. Repeated
    (unit, time) pings are kept once. Each unit's latest position moves forward only.
    """
    require(user, "patrols.add_position")
    now = timezone.now()
    tz = timezone.get_default_timezone()
    units = PatrolUnit.objects.all() if user is None else PatrolUnit.objects.for_user(user)
    known = {
        unit.code: unit
        for unit in units.only("id", "code", "name", "kind", "status", "home_path", "last_seen_at")
    }
    rejected: list[PingRejection] = []
    rows: dict[tuple[int, datetime], list] = {}
    for index, ping in enumerate(pings):
        at, problem = _checked_time(ping, known, now, tz)
        if problem:
            rejected.append(PingRejection(index, *problem))
            continue
        unit = known[ping["unit"]]
        # Stored in WGS84 whatever system the device reports in.
        lon, lat = to_wgs84(float(ping["lon"]), float(ping["lat"]), ping.get("crs") or Crs.WGS84)
        rows[(unit.id, at)] = [
            unit.id,
            at,
            lon,
            lat,
            _optional_float(ping.get("speed_kmh")),
            _optional_float(ping.get("heading")),
        ]
    with transaction.atomic():
        existing = set()
        if rows:
            times = [at for _, at in rows]
            existing = set(
                Position.objects.filter(
                    unit_id__in={unit_id for unit_id, _ in rows},
                    at__gte=min(times),
                    at__lte=max(times),
                ).values_list("unit_id", "at")
            )
        new_rows = [row for key, row in rows.items() if key not in existing]
        bulk_insert(Position, ["unit_id", "at", "lon", "lat", "speed_kmh", "heading"], new_rows)
        moved = _move_units(new_rows, known)
        if moved:
            transaction.on_commit(lambda: positions_publish(moved))
    return {
        "stored": len(new_rows),
        # Repeated within the batch, or already stored.
        "duplicates": len(pings) - len(rejected) - len(new_rows),
        "rejected": len(rejected),
        "errors": [r.as_dict() for r in rejected],
    }


def _optional_float(value):
    return None if value in (None, "") else float(value)


def _checked_time(ping, known, now, tz) -> tuple[datetime | None, tuple[str, str] | None]:
    """The ping's time, or what is wrong with the ping."""
    try:
        at = parse_datetime(ping.get("at"), tz) if isinstance(ping, dict) else None
    except (TypeError, ValueError):
        at = None
    return at, _ping_problem(ping, at, known, now)


def _ping_problem(ping, at, known, now) -> tuple[str, str] | None:
    if not isinstance(ping, dict):
        return "ping", "expected an object"
    unit = ping.get("unit")
    if not isinstance(unit, str) or unit not in known:
        return "unit", f"no patrol unit {unit!r} in your jurisdiction"
    if at is None:
        return "at", f"not a date-time: {ping.get('at')!r}"
    if at > now + FUTURE_TOLERANCE:
        return "at", "is in the future"
    if at < EARLIEST:
        return "at", f"is before {EARLIEST:%Y-%m-%d}"
    try:
        lon, lat = float(ping.get("lon")), float(ping.get("lat"))
    except (TypeError, ValueError, OverflowError):
        return "lon", "coordinates must be numbers"
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or math.isnan(lon) or math.isnan(lat):
        return "lon", f"coordinates out of range: {ping.get('lon')}, {ping.get('lat')}"
    if (ping.get("crs") or Crs.WGS84) not in Crs.values:
        return "crs", f"must be one of {', '.join(Crs.values)}"
    for name in ("speed_kmh", "heading"):
        try:
            value = _optional_float(ping.get(name))
        except (TypeError, ValueError, OverflowError):
            return name, "must be a number"
        if value is not None and not math.isfinite(value):
            return name, "must be a finite number"
    return None


def _move_units(rows: list[list], known: dict) -> list[tuple[PatrolUnit, list]]:
    """Move each unit to its latest ping if that is newer than where it was last seen (checked
    in the database, so concurrent batches cannot move a unit back); the units moved."""
    latest: dict[int, list] = {}
    for row in rows:
        if row[0] not in latest or row[1] > latest[row[0]][1]:
            latest[row[0]] = row
    if not latest:
        return []
    by_id = {unit.id: unit for unit in known.values()}
    if connection.vendor == "postgresql":
        moved_ids = _move_units_in_one_statement(latest)
    else:
        moved_ids = [
            unit_id
            for unit_id, (_, at, lon, lat, *_rest) in latest.items()
            if PatrolUnit.objects.filter(pk=unit_id)
            .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=at))
            .update(last_lon=lon, last_lat=lat, last_seen_at=at)
        ]
    return [(by_id[unit_id], latest[unit_id]) for unit_id in moved_ids]


def _move_units_in_one_statement(latest: dict[int, list]) -> list[int]:
    table = connection.ops.quote_name(PatrolUnit._meta.db_table)
    values = ", ".join(["(%s::integer, %s::timestamptz, %s::float8, %s::float8)"] * len(latest))
    params = [value for row in latest.values() for value in row[:4]]  # unit id, at, lon, lat
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS u SET last_lon = v.lon, last_lat = v.lat, last_seen_at = v.at "
            f"FROM (VALUES {values}) AS v (id, at, lon, lat) "
            "WHERE u.id = v.id AND (u.last_seen_at IS NULL OR u.last_seen_at < v.at) "
            "RETURNING u.id",
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def live_position(unit: PatrolUnit, row: list | None = None) -> dict:
    """A unit's position as live maps show it: from a ping row, or where it was last seen."""
    if row is None:
        at, lon, lat, speed, heading = unit.last_seen_at, unit.last_lon, unit.last_lat, None, None
    else:
        _, at, lon, lat, speed, heading = row
    return {
        "unit": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "status": unit.status,
        "at": at.isoformat() if at else None,
        "lon": lon,
        "lat": lat,
        "speed_kmh": speed,
        "heading": heading,
    }


def positions_publish(moved: list[tuple[PatrolUnit, list]]) -> bool:
    """Push units' new positions to the live maps of their zone and every area above it, one
    message per map group."""
    by_path: dict[str, list] = {}
    for unit, row in moved:
        by_path.setdefault(unit.home_path, []).append(live_position(unit, row))
    return live.publish(
        FEED, by_path, lambda positions: {"type": "positions.message", "positions": positions}
    )


def positions_prune(*, now: datetime | None = None) -> int:
    """Delete pings older than the retention setting; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PATROL_POSITION_RETENTION_DAYS)
    deleted, _ = Position.objects.filter(at__lt=cutoff).delete()
    return deleted


def standards_by_area() -> dict[int, tuple[int, int]]:
    """Every area's own standard: {area id: (dispatch, arrive) seconds}."""
    return {
        area_id: (dispatch, arrive)
        for area_id, dispatch, arrive in ResponseStandard.objects.values_list(
            "area_id", "dispatch_seconds", "arrive_seconds"
        )
    }


def standard_for(
    area_path: str,
    *,
    default: tuple[int, int] | None = None,
    table: dict[int, tuple[int, int]] | None = None,
) -> tuple[int, int]:
    """(dispatch, arrive) seconds for an area: its own standard, or its nearest ancestor's, or
    ``default`` (the city default setting when not given). ``table``: standards_by_area(),
    when asking for many areas at once."""
    table = standards_by_area() if table is None else table
    ids = [int(part) for part in area_path.strip("/").split("/") if part]
    for area_id in reversed(ids):
        if area_id in table:
            return table[area_id]
    return default or settings.RESPONSE_STANDARD_DEFAULT


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def suggested_units(*, incident, units, limit: int = 5, now: datetime | None = None) -> list:
    """The nearest available units (on patrol, seen recently) to an incident, nearest first,
    with straight-line distance and the arrival estimate at the configured speed."""
    if incident.lat is None:
        return []
    now = now or timezone.now()
    fresh = now - timedelta(minutes=settings.PATROL_POSITION_FRESH_MINUTES)
    candidates = units.filter(
        status=UnitStatus.ON_PATROL, last_seen_at__gte=fresh, last_lat__isnull=False
    )
    speed = settings.PATROL_SPEED_KMH * 1000 / 3600
    ranked = []
    for unit in candidates:
        metres = distance_m(unit.last_lon, unit.last_lat, incident.lon, incident.lat)
        ranked.append((metres, unit))
    ranked.sort(key=lambda pair: (pair[0], pair[1].code))
    return [
        {
            "unit": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "distance_m": round(metres),
            "eta_seconds": round(metres / speed),
            "last_seen_at": unit.last_seen_at,
        }
        for metres, unit in ranked[:limit]
    ]
