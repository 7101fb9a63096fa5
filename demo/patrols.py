"""Demo patrol units and the last day of their GPS tracks, per district."""

import math
import random
from datetime import timedelta

from django.utils import timezone
from shapely import contains_xy, prepare
from shapely.geometry import shape

from areas.choices import AreaKind
from areas.models import Area
from incidents.models import Incident
from patrols.choices import UnitKind, UnitStatus
from patrols.models import PatrolUnit, ResponseStandard
from patrols.services import positions_ingest

from .areas import CITY_CODE

UNITS_PER_DISTRICT = (UnitKind.PATROL_CAR, UnitKind.PTU, UnitKind.RAPID_RESPONSE)
PING_EVERY = timedelta(minutes=2)
# 城区 (the old city districts) answer within 3 minutes; the rest of the city within 5.
CENTRAL_DISTRICTS = {"310101", "310104", "310105", "310106", "310107", "310109", "310110"}


def build_demo_standards() -> None:
    """The city's response standards: built before the incidents, whose compliance is judged
    against them when their days are rolled up."""
    city = Area.objects.get(parent=None, code=CITY_CODE)
    ResponseStandard.objects.get_or_create(
        area=city, defaults={"dispatch_seconds": 60, "arrive_seconds": 300}
    )
    for district in Area.objects.filter(parent=city, code__in=CENTRAL_DISTRICTS):
        ResponseStandard.objects.get_or_create(
            area=district, defaults={"dispatch_seconds": 60, "arrive_seconds": 180}
        )


def build_demo_patrols(*, seed: int) -> int:
    """Units and a day of tracks; does nothing if the demo units exist."""
    if PatrolUnit.objects.filter(code__startswith="demo-").exists():
        return 0
    rng = random.Random(seed)
    city = Area.objects.get(parent=None, code=CITY_CODE)
    build_demo_standards()
    now = timezone.now().replace(second=0, microsecond=0)
    created = 0
    for district in Area.objects.filter(parent=city, kind=AreaKind.DISTRICT).order_by("code"):
        zones = list(
            Area.objects.filter(path__startswith=district.path, kind=AreaKind.PATROL_ZONE)
        ) or [district]
        # The first unit of each district patrols its first station (by code), so that station
        # (the demo officer's, in the demo district) always has a unit on patrol, whatever the
        # random draw gives the others.
        first = Area.objects.filter(parent=district, kind=AreaKind.STATION).order_by("code").first()
        first_zones = [z for z in zones if first and z.path.startswith(first.path)] or zones
        for number, kind in enumerate(UNITS_PER_DISTRICT, start=1):
            zone = rng.choice(first_zones if number == 1 else zones)
            unit = PatrolUnit.objects.create(
                code=f"demo-{district.code}-{number}",
                name=f"{district.name}{kind.label}{number}",
                kind=kind,
                home_zone=zone,
                strength=rng.randrange(2, 7),
                vehicle=f"沪A·{rng.randrange(10000, 99999)}警",
                status=UnitStatus.ON_PATROL if number < 3 else UnitStatus.OFF_DUTY,
            )
            positions_ingest(pings=_track(rng, unit, zone, now))
            created += 1
    return created


def _track(rng: random.Random, unit: PatrolUnit, zone: Area, end) -> list[dict]:
    """A day of pings through the zone at patrol speed, ending now: the unit heads from one
    of the zone's past incident sites to another, wandering on the way, as patrols that
    follow the hotspots do."""
    polygon = shape(zone.geometry)
    prepare(polygon)
    point = polygon.representative_point()
    x, y = point.x, point.y
    sites = list(
        Incident.objects.filter(area_path__startswith=zone.path, lon__isnull=False)
        .order_by("-reported_at")
        .values_list("lon", "lat")[:500]
    )
    target = rng.choice(sites) if sites else None
    heading = rng.uniform(0, 360)
    pings = []
    at = end - timedelta(days=1)
    while at <= end:
        step = rng.uniform(0.0005, 0.004)  # up to ~400 m in two minutes
        if target is not None:
            dx, dy = target[0] - x, target[1] - y
            if math.hypot(dx, dy) < 0.002:  # there: linger, then on to the next site
                target = rng.choice(sites) if rng.random() < 0.2 else target
                step /= 4
            heading = math.degrees(math.atan2(dy, dx))
        heading = (heading + rng.gauss(0, 40)) % 360
        nx = x + step * math.cos(math.radians(heading))
        ny = y + step * math.sin(math.radians(heading))
        if contains_xy(polygon, nx, ny):
            x, y = nx, ny
        else:
            heading = (heading + 180) % 360
        pings.append(
            {"unit": unit.code, "at": at, "lon": round(x, 6), "lat": round(y, 6),
             "speed_kmh": round(step * 111_000 / 120 * 3.6, 1), "heading": round(heading)}
        )  # fmt: skip
        at += PING_EVERY
    return pings
