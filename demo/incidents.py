"""Three years of realistic demo incidents, built through the same bulk path as real imports.

Rhythms: more calls on Friday and Saturday, in summer, and from late morning to late
evening; persistent hotspots around each station and its night market; a category mix like
city bureau reports; and year-over-year trends worth finding (theft down about 19%, telecom
fraud down about 12% a year, fights rising in one district).
"""

import math
import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from itertools import accumulate, islice
from zoneinfo import ZoneInfo

from django.conf import settings
from shapely import contains_xy, prepare
from shapely.geometry import Point, shape

from areas.choices import AreaKind
from areas.models import Area
from demo.addresses import addresses_by_station, as_reported
from incidents.ingest import INGEST_CHUNK, IngestChunk, IngestReport, incidents_ingest_chunks

SOURCE_SYSTEM = "demo"
DEFAULT_COUNT = 200_000
YEARS = 3
RISING_FIGHTS_DISTRICT = "310107"  # 普陀区
SETTLED_AFTER = timedelta(hours=1)

# (category code, share of all incidents, yearly trend factor)
CATEGORY_MIX = [
    ("theft_burglary", 0.040, 0.81), ("theft_pickpocket", 0.030, 0.81),
    ("theft_motor_vehicle", 0.008, 0.81), ("theft_from_vehicle", 0.020, 0.81),
    ("theft_ebike", 0.060, 0.81), ("theft_cable", 0.004, 0.81), ("theft_other", 0.040, 0.81),
    ("fraud_telecom_order_brushing", 0.030, 0.88), ("fraud_telecom_romance", 0.015, 0.88),
    ("fraud_telecom_livestream", 0.010, 0.88), ("fraud_telecom_investment", 0.015, 0.88),
    ("fraud_telecom_impersonate_officials", 0.008, 0.88),
    ("fraud_telecom_impersonate_service", 0.012, 0.88), ("fraud_other", 0.010, 0.95),
    ("robbery", 0.004, 0.9), ("assault", 0.012, 1.0), ("tax_evasion", 0.002, 1.0),
    ("illegal_fundraising", 0.002, 1.0), ("drug_use", 0.006, 1.0), ("gambling", 0.008, 1.0),
    ("fight", 0.060, 1.0), ("provocation", 0.020, 1.0), ("public_disorder", 0.015, 1.0),
    ("traffic_accident_property", 0.120, 1.0), ("traffic_accident_injury", 0.030, 1.0),
    ("traffic_accident_fatal", 0.002, 0.97), ("drunk_driving", 0.015, 0.95),
    ("illegal_parking", 0.060, 1.0), ("fire", 0.006, 1.0), ("fire_hazard", 0.010, 1.0),
    ("ebike_charging", 0.010, 1.0), ("drowning_risk", 0.004, 1.0),
    ("dispute_family", 0.040, 1.0), ("dispute_neighbor", 0.050, 1.0),
    ("dispute_labor", 0.020, 1.0), ("dispute_economic", 0.020, 1.0),
    ("missing_person", 0.010, 1.0), ("lost_property", 0.040, 1.0),
    ("assistance_other", 0.040, 1.0), ("non_police_12345", 0.080, 1.0),
    ("other", 0.030, 1.0),
]  # fmt: skip
CRIMINAL_PREFIXES = ("theft", "fraud", "robbery", "assault", "tax", "illegal_fund", "drug", "gambl")
WEEKDAY_FACTOR = [0.95, 0.93, 0.95, 0.98, 1.08, 1.12, 1.0]
HOUR_WEIGHTS = [
    2.0, 1.4, 1.0, 0.7, 0.6, 0.7, 1.2, 2.2, 3.2, 3.8, 4.2, 4.4,
    4.3, 4.1, 4.2, 4.4, 4.6, 4.9, 5.2, 5.4, 5.2, 4.6, 3.6, 2.6,
]  # fmt: skip


def _season_factor(day: date) -> float:
    # Peaks in late July, lowest in late January.
    return 1.0 + 0.15 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 205) / 365.25)


class _Places:
    """Persistent hotspots: each station has a centre hotspot and a night market."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.stations = []
        for station in Area.objects.filter(kind=AreaKind.STATION).select_related("parent"):
            polygon = shape(station.geometry)
            prepare(polygon)
            hotspots = [polygon.representative_point()] + [
                self._random_point(polygon) for _ in range(2)
            ]
            weight = 1.0 + rng.random() * 2
            self.stations.append((station, polygon, hotspots, weight))
        if not self.stations:
            raise RuntimeError("the demo city has no stations; build its areas first")
        # Cumulative weights, computed once: random.choices would redo them on every pick.
        self.cum_weights = list(accumulate(entry[3] for entry in self.stations))

    def _random_point(self, polygon) -> Point:
        min_x, min_y, max_x, max_y = polygon.bounds
        for _ in range(1000):
            candidate = Point(self.rng.uniform(min_x, max_x), self.rng.uniform(min_y, max_y))
            if polygon.contains(candidate):
                return candidate
        return polygon.representative_point()

    def pick(self) -> tuple[float, float, Area]:
        rng = self.rng
        station, polygon, hotspots, _ = rng.choices(self.stations, cum_weights=self.cum_weights)[0]
        centre = hotspots[0] if rng.random() < 0.5 else rng.choice(hotspots[1:])
        for _ in range(4):
            # About 400 m of spread around the hotspot.
            x, y = centre.x + rng.gauss(0, 0.004), centre.y + rng.gauss(0, 0.0035)
            if contains_xy(polygon, x, y):
                return round(x, 6), round(y, 6), station
        return round(centre.x, 6), round(centre.y, 6), station


def generate_rows(*, seed: int, count: int, end: date) -> Iterator[dict]:
    rng = random.Random(seed)
    tz = ZoneInfo(settings.TIME_ZONE)
    places = _Places(rng)
    address_only = _AddressOnly(seed)
    start = end - timedelta(days=365 * YEARS - 1)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    day_weights = [WEEKDAY_FACTOR[d.weekday()] * _season_factor(d) for d in days]
    base_per_day = count / sum(day_weights)
    codes = [code for code, _, _ in CATEGORY_MIX]
    hours = range(24)
    hour_cum_weights = list(accumulate(HOUR_WEIGHTS))
    number = 0
    now = datetime.now(tz=tz)
    # Calls of the last hour are left out, so every generated incident has its unit on scene
    # (the slowest dispatch and drive take 50 minutes): the only ones still waiting are
    # demo.waiting's, and the response-breach alerts name exactly those.
    settled = now - SETTLED_AFTER
    for day, day_weight in zip(days, day_weights, strict=True):
        year_index = (day - start).days / 365.0
        cum_weights = list(
            accumulate(share * trend**year_index for _, share, trend in CATEGORY_MIX)
        )
        n_today = _poisson(rng, base_per_day * day_weight)
        for _ in range(n_today):
            number += 1
            code = rng.choices(codes, cum_weights=cum_weights)[0]
            lon, lat, station = places.pick()
            hour = rng.choices(hours, cum_weights=hour_cum_weights)[0]
            reported = datetime(day.year, day.month, day.day, hour, tzinfo=tz) + timedelta(
                seconds=rng.randrange(3600)
            )
            if reported <= settled:
                row = _incident_row(rng, now, number, code, reported, lon, lat, station)
                yield address_only(row, station)
        # The rising district gets extra weekend-night fights, more each year.
        extra = _poisson(rng, 0.03 * base_per_day * year_index) if day.weekday() >= 4 else 0
        for _ in range(extra):
            number += 1
            lon, lat, station = _pick_in_district(places, RISING_FIGHTS_DISTRICT)
            hour = rng.choice([20, 21, 22, 23, 0, 1])
            reported = datetime(day.year, day.month, day.day, hour, tzinfo=tz) + timedelta(
                seconds=rng.randrange(3600)
            )
            if reported <= settled:
                row = _incident_row(rng, now, number, "fight", reported, lon, lat, station)
                yield address_only(row, station)


class _AddressOnly:
    """Some reports give only an address, one of the demo table's in the station's area, as
    real ones do; the ingest locates them from the table. Its own random stream, so the rest of
    the demo stays as it was."""

    SHARE = 0.05

    def __init__(self, seed: int):
        self.rng = random.Random(seed + 25)
        self.addresses = addresses_by_station()

    def __call__(self, row: dict, station: Area) -> dict:
        choices = self.addresses.get(station.code)
        if choices and self.rng.random() < self.SHARE:
            row["lon"] = row["lat"] = None
            row["address"] = as_reported(self.rng, self.rng.choice(choices))
        return row


def _pick_in_district(places: _Places, district_code: str):
    for _ in range(200):
        lon, lat, station = places.pick()
        if station.parent.code == district_code:
            return lon, lat, station
    return places.pick()


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    threshold, count, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


PRIORITIES = [1, 2, 3, 4]
PRIORITY_CUM_WEIGHTS = list(accumulate([0.05, 0.2, 0.6, 0.15]))

# Median seconds a unit drives to the scene, by how dense the district is: patrols cover the
# centre's short beats on foot and by scooter, the outer districts' long roads by car.
CENTRAL_DISTRICTS = {"310101", "310104", "310105", "310106", "310107", "310109", "310110"}
OUTER_DISTRICTS = {"310116", "310117", "310118", "310120", "310151"}
TRAVEL_MEDIAN_SECONDS = {"central": 110, "inner": 160, "outer": 260}
# Priority calls go to the nearest unit already on the street: about half the travel.
PRIORITY_TRAVEL_FACTOR = {1: 0.45, 2: 0.7, 3: 1.0, 4: 1.3}


def _district_ring(district_code: str) -> str:
    if district_code in CENTRAL_DISTRICTS:
        return "central"
    return "outer" if district_code in OUTER_DISTRICTS else "inner"


def _response_seconds(rng, priority: int, district_code: str) -> tuple[int, int]:
    """Seconds from the call to dispatch, and from dispatch to arrival on scene.

    Dispatch takes about half a minute for priority calls and under a minute for the rest;
    travel is log-normal around the district ring's median. So in the centre a share of
    priority calls is reached within a minute, most urban calls within 3 to 5 minutes, and
    outer districts take longer (the README's demo section gives the ranges)."""
    dispatch = min(600, max(5, rng.lognormvariate(math.log(25 if priority <= 2 else 45), 0.5)))
    median = TRAVEL_MEDIAN_SECONDS[_district_ring(district_code)]
    median *= PRIORITY_TRAVEL_FACTOR[priority]
    travel = min(2400, max(15, rng.lognormvariate(math.log(median), 0.55)))
    return int(dispatch), int(travel)


def _incident_row(rng, now, number, code, reported, lon, lat, station) -> dict:
    priority = rng.choices(PRIORITIES, cum_weights=PRIORITY_CUM_WEIGHTS)[0]
    to_dispatch, travel = _response_seconds(rng, priority, station.parent.code)
    dispatched = reported + timedelta(seconds=to_dispatch)
    on_scene = dispatched + timedelta(seconds=travel)
    closed = on_scene + timedelta(minutes=rng.randint(10, 120))
    row = {
        "source": "call_110"
        if rng.random() < 0.85
        else rng.choice(["walk_in", "online", "patrol"]),
        "source_ref": f"D{number:08d}",
        "category": code,
        "reported_at": reported,
        "lon": lon,
        "lat": lat,
        "address": f"{station.name}辖区",
        "priority": priority,
    }
    for name, moment in (("dispatched_at", dispatched), ("on_scene_at", on_scene),
                         ("closed_at", closed)):  # fmt: skip
        if moment < now:
            row[name] = moment
    if code.startswith(CRIMINAL_PREFIXES) and "closed_at" in row:
        row["filed_at"] = row["closed_at"]
        amount = round(rng.lognormvariate(math.log(20000 if "fraud" in code else 2500), 1.0), 2)
        row["money_involved"] = row["loss"] = f"{amount:.2f}"
        solved_after = row["closed_at"] + timedelta(days=rng.randint(1, 60))
        if rng.random() < (0.25 if "fraud" in code else 0.45) and solved_after < now:
            row["solved_at"] = solved_after
            row["recovered"] = f"{amount * rng.uniform(0.1, 0.9):.2f}"
            row["arrested"] = rng.randint(1, 3)
    if code == "non_police_12345":
        row["transfer_agency"] = "12345市民服务热线"
        row["transferred_at"] = dispatched
        row["transfer_outcome"] = "已转办"
    return row


def build_demo_incidents(
    *, seed: int, count: int = DEFAULT_COUNT, end: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:  # fmt: skip
    """Generate and ingest the demo incidents through the bulk path, in chunks."""
    end = end or datetime.now(tz=ZoneInfo(settings.TIME_ZONE)).date()
    rows = iter(generate_rows(seed=seed, count=count, end=end))
    batches = iter(lambda: list(islice(rows, INGEST_CHUNK)), [])
    chunks = (
        IngestChunk(batch, first_row_number=1 + number * INGEST_CHUNK)
        for number, batch in enumerate(batches)
    )
    return incidents_ingest_chunks(
        chunks,
        source_system=SOURCE_SYSTEM,
        on_chunk=(lambda chunk, _report: progress(len(chunk.rows))) if progress else None,
    )
