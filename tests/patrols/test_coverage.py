"""Patrol coverage: unit-minutes from GPS tracks against incidents, per h3 cell, beat and zone.

Every expected figure is computed here from the test's own tracks and incidents, with h3 and
the ping-gap cap, and compared with what patrols.coverage and the API return.
"""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

import h3
import pytest
from django.conf import settings
from django.utils import timezone

from accounts.choices import Role
from analysis.models import Forecast, ForecastCell
from areas.choices import AreaKind
from incidents.ingest import incidents_ingest
from incidents.models import Incident
from patrols import services
from patrols.coverage import _at_resolution, coverage
from patrols.models import PatrolUnit

from ..factories import AreaFactory, square

pytestmark = pytest.mark.django_db
URL = "/api/v1/patrols/coverage/"
PERIOD_MINUTES = 120

# Named places: (lon, lat). Zones and beats are laid out in `world` below.
POINTS = {
    "P1": (120.02, 30.02),  # beat B11 of zone Z1
    "P2": (120.03, 30.03),  # beat B11 of zone Z1
    "P3": (120.07, 30.02),  # beat B12 of zone Z1
    "P4": (120.02, 30.08),  # zone Z1, in no beat
    "P5": (120.12, 30.02),  # beat B21 of zone Z2
    "P6": (120.50, 30.50),  # district A's station, in no zone
    "P7": (120.17, 30.07),  # zone Z2, in no beat
    "PB": (122.02, 30.02),  # beat BB of zone ZB in district B
}
# Squares of the patrol areas: name -> (kind, parent name or station key, south-west, size).
LAYOUT = {
    "Z1": (AreaKind.PATROL_ZONE, "station_a", (120.0, 30.0), 0.1),
    "Z2": (AreaKind.PATROL_ZONE, "station_a", (120.1, 30.0), 0.1),
    "ZB": (AreaKind.PATROL_ZONE, "station_b", (122.0, 30.0), 0.1),
    "B11": (AreaKind.BEAT, "Z1", (120.0, 30.0), 0.05),
    "B12": (AreaKind.BEAT, "Z1", (120.05, 30.0), 0.05),
    "B21": (AreaKind.BEAT, "Z2", (120.1, 30.0), 0.05),
    "BB": (AreaKind.BEAT, "ZB", (122.0, 30.0), 0.05),
}
UNIT_HOMES = {"U1": "Z1", "U2": "Z1", "U3": "Z2", "UB": "ZB"}
# (unit, minutes after the start of the period, place). Gaps of 2, 10 (over the cap), 3, 14 ...
PINGS = [
    ("U1", -10, "P1"),  # before the period
    ("U1", 0, "P1"),
    ("U1", 2, "P1"),
    ("U1", 4, "P2"),
    ("U1", 14, "P3"),
    ("U1", 16, "P3"),
    ("U2", 30, "P1"),
    ("U2", 33, "P4"),
    ("U2", 34, "P5"),  # a unit of Z1 in Z2: counted where it is
    ("U2", 37, "P6"),
    ("U3", 100, "P5"),
    ("U3", 103, "P5"),
    ("U3", 117, "P5"),  # the last in the period: counts until its end only
    ("U3", PERIOD_MINUTES, "P7"),  # at the end: outside [start, end)
    ("UB", 10, "PB"),
    ("UB", 12, "PB"),
]
# (minutes after the start, place) of each incident.
INCIDENTS = [
    (5, "P1"),
    (6, "P1"),
    (50, "P1"),
    (20, "P3"),
    (70, "P4"),
    (80, "P5"),
    (90, "P5"),
    (95, "P7"),
    (40, "P6"),
    (60, "PB"),
    (-30, "P1"),  # before the period
    (PERIOD_MINUTES, "P3"),  # at the end: outside [start, end)
]


@dataclass
class World:
    areas: dict
    start: object
    end: object

    def at(self, minutes: float):
        return self.start + timedelta(minutes=minutes)


def within(west: float, south: float, size: float) -> set[str]:
    return {
        point
        for point, (lon, lat) in POINTS.items()
        if west < lon < west + size and south < lat < south + size
    }


def contains(name: str, point: str) -> bool:
    _, _, (west, south), size = LAYOUT[name]
    lon, lat = POINTS[point]
    return west < lon < west + size and south < lat < south + size


def place(point: str, kind: str) -> str | None:
    """The name of the area of ``kind`` containing ``point``, by the squares of LAYOUT."""
    found = [name for name, (k, *_rest) in LAYOUT.items() if k == kind and contains(name, point)]
    assert len(found) <= 1
    return found[0] if found else None


def cell(point: str, resolution: int) -> str:
    lon, lat = POINTS[point]
    return h3.latlng_to_cell(lat, lon, resolution)


@pytest.fixture
def world(two_districts):
    district_a, district_b = two_districts
    areas = {
        "district_a": district_a,
        "district_b": district_b,
        "station_a": district_a.children.get(),
        "station_b": district_b.children.get(),
    }
    for name, (kind, parent, (west, south), size) in LAYOUT.items():
        areas[name] = AreaFactory(
            kind=kind, name=name, parent=areas[parent], geometry=square(west, south, size)
        )
    for code, home in UNIT_HOMES.items():
        PatrolUnit.objects.create(
            code=code.lower(), name=code, kind="patrol_car", home_zone=areas[home]
        )
    start = (timezone.now() - timedelta(hours=4)).replace(second=0, microsecond=0)
    made = World(areas=areas, start=start, end=start + timedelta(minutes=PERIOD_MINUTES))
    report = services.positions_ingest(
        pings=[
            {
                "unit": unit.lower(),
                "at": made.at(minute).isoformat(),
                "lon": POINTS[point][0],
                "lat": POINTS[point][1],
            }
            for unit, minute, point in PINGS
        ]
    )
    assert report["stored"] == len(PINGS)
    saved = incidents_ingest(
        rows=[
            {
                "source_ref": f"COV-{number}",
                "category": "theft",
                "reported_at": made.at(minute).isoformat(),
                "lon": POINTS[point][0],
                "lat": POINTS[point][1],
            }
            for number, (minute, point) in enumerate(INCIDENTS)
        ],
        source_system="coverage-test",
    )
    assert Incident.objects.count() == len(INCIDENTS), saved
    # Distinct places must fall in distinct cells, or the figures below would say less.
    for resolution in (8, 9):
        assert len({cell(point, resolution) for point in POINTS}) == len(POINTS)
    return made


def expected(
    world: World, *, units: set[str], incidents_at: set[str] | None, resolution: int, cap: int
) -> dict:
    """Coverage computed from PINGS and INCIDENTS: ``units`` whose tracks count, the places
    whose incidents count (None: all)."""
    cells: dict[str, list] = {}
    beats: dict[str, list] = {}
    zone_cells: dict[str, dict[str, list]] = {}

    def add(point: str, minutes: float, incidents: int) -> None:
        key = cell(point, resolution)
        cells.setdefault(key, [0.0, 0])
        cells[key][0] += minutes
        cells[key][1] += incidents
        beat, zone = place(point, AreaKind.BEAT), place(point, AreaKind.PATROL_ZONE)
        if beat:
            beats.setdefault(beat, [0.0, 0])
            beats[beat][0] += minutes
            beats[beat][1] += incidents
        if zone:
            zone_cells.setdefault(zone, {}).setdefault(key, [0.0, 0])
            zone_cells[zone][key][0] += minutes
            zone_cells[zone][key][1] += incidents

    for unit in units:
        track = sorted(
            (minute, point)
            for code, minute, point in PINGS
            if code == unit and 0 <= minute < PERIOD_MINUTES
        )
        for index, (minute, point) in enumerate(track):
            following = track[index + 1][0] if index + 1 < len(track) else PERIOD_MINUTES
            add(point, min(following - minute, cap), 0)
    for minute, point in INCIDENTS:
        if not 0 <= minute < PERIOD_MINUTES:
            continue
        if incidents_at is not None and point not in incidents_at:
            continue
        add(point, 0.0, 1)

    zones = {}
    for zone, by_cell in zone_cells.items():
        minutes = [by_cell[key][0] for key in sorted(by_cell)]
        counts = [by_cell[key][1] for key in sorted(by_cell)]
        total_incidents, total_minutes = sum(counts), sum(minutes)
        hotspots, held = [], 0
        for key in sorted(by_cell, key=lambda k: -by_cell[k][1]):
            if 2 * held >= total_incidents:
                break
            hotspots.append(key)
            held += by_cell[key][1]
        try:
            alignment = statistics.correlation(minutes, counts)
        except statistics.StatisticsError:  # fewer than two cells, or a constant series
            alignment = None
        zones[zone] = {
            "unit_minutes": total_minutes,
            "incidents": total_incidents,
            "cells": len(by_cell),
            "alignment": alignment,
            "hotspots": hotspots,
            "hotspot_cells_share": len(hotspots) / len(by_cell) if hotspots else None,
            "hotspot_minutes_share": (
                sum(by_cell[key][0] for key in hotspots) / total_minutes
                if hotspots and total_minutes
                else None
            ),
        }
    return {
        "unit_minutes": sum(minutes for minutes, _ in cells.values()),
        "incidents": sum(count for _, count in cells.values()),
        "cells": {key: tuple(value) for key, value in cells.items()},
        "beats": {world.areas[name].id: tuple(value) for name, value in beats.items()},
        "zones": {world.areas[name].id: figures for name, figures in zones.items()},
    }


def units_of(*codes: str):
    return PatrolUnit.objects.filter(code__in=[code.lower() for code in codes])


def run(world: World, *, resolution: int = 8):
    return coverage(
        units=PatrolUnit.objects.all(),
        incidents=Incident.objects.all(),
        start=world.start,
        end=world.end,
        resolution=resolution,
    )


def approx(value):
    return None if value is None else pytest.approx(value, abs=1e-4)


def test_unit_minutes_per_cell_beat_and_zone_follow_the_tracks_up_to_the_gap_cap(world):
    result = run(world)
    want = expected(
        world,
        units=set(UNIT_HOMES),
        incidents_at=None,
        resolution=8,
        cap=settings.PATROL_PING_GAP_MINUTES,
    )

    assert result["unit_minutes"] == pytest.approx(want["unit_minutes"])
    assert {c["cell"]: c["unit_minutes"] for c in result["cells"]} == {
        key: pytest.approx(minutes) for key, (minutes, _) in want["cells"].items()
    }
    assert {b["id"]: b["unit_minutes"] for b in result["beats"]} == {
        beat: pytest.approx(minutes) for beat, (minutes, _) in want["beats"].items()
    }
    assert {z["id"]: z["unit_minutes"] for z in result["zones"]} == {
        zone: pytest.approx(figures["unit_minutes"]) for zone, figures in want["zones"].items()
    }


def test_a_unit_silent_for_longer_than_the_gap_counts_only_the_gap(world, settings):
    settings.PATROL_PING_GAP_MINUTES = 3
    result = run(world)
    want = expected(world, units=set(UNIT_HOMES), incidents_at=None, resolution=8, cap=3)
    default = expected(world, units=set(UNIT_HOMES), incidents_at=None, resolution=8, cap=5)

    assert want["unit_minutes"] < default["unit_minutes"]  # the setting changes the answer
    assert result["unit_minutes"] == pytest.approx(want["unit_minutes"])
    assert {c["cell"]: c["unit_minutes"] for c in result["cells"]} == {
        key: pytest.approx(minutes) for key, (minutes, _) in want["cells"].items()
    }


def test_incidents_are_counted_per_cell_beat_and_zone_within_the_period(world):
    result = run(world, resolution=9)
    want = expected(
        world,
        units=set(UNIT_HOMES),
        incidents_at=None,
        resolution=9,
        cap=settings.PATROL_PING_GAP_MINUTES,
    )

    assert result["resolution"] == 9
    assert result["incidents"] == want["incidents"] == 10
    assert {c["cell"]: c["incidents"] for c in result["cells"]} == {
        key: count for key, (_, count) in want["cells"].items()
    }
    assert {b["id"]: b["incidents"] for b in result["beats"]} == {
        beat: count for beat, (_, count) in want["beats"].items()
    }
    assert {z["id"]: (z["incidents"], z["cells"]) for z in result["zones"]} == {
        zone: (figures["incidents"], figures["cells"]) for zone, figures in want["zones"].items()
    }


def test_zone_alignment_is_the_correlation_of_minutes_and_incidents_over_its_cells(world):
    result = run(world)
    want = expected(
        world,
        units=set(UNIT_HOMES),
        incidents_at=None,
        resolution=8,
        cap=settings.PATROL_PING_GAP_MINUTES,
    )
    zone_id = {name: world.areas[name].id for name in ("Z1", "Z2", "ZB")}

    alignment = {z["id"]: z["alignment"] for z in result["zones"]}
    assert alignment == {zone: approx(f["alignment"]) for zone, f in want["zones"].items()}
    assert alignment[zone_id["Z1"]] is not None  # several cells, varying: a real correlation
    assert alignment[zone_id["ZB"]] is None  # one cell: no correlation to speak of


def test_hotspot_shares_are_those_of_the_fewest_cells_holding_half_the_incidents(world):
    result = run(world)
    want = expected(
        world,
        units=set(UNIT_HOMES),
        incidents_at=None,
        resolution=8,
        cap=settings.PATROL_PING_GAP_MINUTES,
    )
    z1 = world.areas["Z1"].id

    assert want["zones"][z1]["hotspots"] == [cell("P1", 8)]  # 3 of Z1's 5 incidents
    shares = {
        z["id"]: (z["hotspot_cells_share"], z["hotspot_minutes_share"]) for z in result["zones"]
    }
    assert shares == {
        zone: (approx(f["hotspot_cells_share"]), approx(f["hotspot_minutes_share"]))
        for zone, f in want["zones"].items()
    }


def test_names_come_with_the_zones_and_beats(world):
    result = run(world)

    names = {z["id"]: z["name"] for z in result["zones"]} | {
        b["id"]: b["name"] for b in result["beats"]
    }
    assert names == {
        world.areas[name].id: name for name in ("Z1", "Z2", "ZB", "B11", "B12", "B21", "BB")
    }


@pytest.fixture
def commander_a(world, make_user):
    return make_user(role=Role.DISTRICT_COMMANDER, home_area=world.areas["district_a"])


@pytest.fixture
def commander_b(world, make_user):
    return make_user(role=Role.DISTRICT_COMMANDER, home_area=world.areas["district_b"])


def period(world: World, **extra) -> dict:
    return {"since": world.start.isoformat(), "until": world.end.isoformat(), **extra}


def figures(result: dict) -> dict:
    """The API's answer in the shape of ``expected``."""
    return {
        "unit_minutes": result["unit_minutes"],
        "incidents": result["incidents"],
        "cells": {c["cell"]: (c["unit_minutes"], c["incidents"]) for c in result["cells"]},
        "beats": {b["id"]: (b["unit_minutes"], b["incidents"]) for b in result["beats"]},
        "zones": {
            z["id"]: (z["unit_minutes"], z["incidents"], z["cells"], z["alignment"])
            for z in result["zones"]
        },
    }


def rounded(want: dict) -> dict:
    """``expected`` rounded as the API rounds: minutes to 0.1, correlations to 4 places."""

    def pair(value):
        return (round(value[0], 1), value[1])

    return {
        "unit_minutes": round(want["unit_minutes"], 1),
        "incidents": want["incidents"],
        "cells": {key: pair(value) for key, value in want["cells"].items()},
        "beats": {key: pair(value) for key, value in want["beats"].items()},
        "zones": {
            zone: (
                round(f["unit_minutes"], 1),
                f["incidents"],
                f["cells"],
                None if f["alignment"] is None else round(f["alignment"], 4),
            )
            for zone, f in want["zones"].items()
        },
    }


def test_the_api_gives_a_district_user_the_coverage_of_their_district_only(
    world, commander_a, api_client_for
):
    answer = api_client_for(commander_a).get(URL, period(world, resolution=9))

    assert answer.status_code == 200
    result = answer.json()
    assert result["area"] is None and result["resolution"] == 9
    want = expected(
        world,
        units={"U1", "U2", "U3"},
        incidents_at=within(120, 30, 2),  # district A's square in two_districts
        resolution=9,
        cap=settings.PATROL_PING_GAP_MINUTES,
    )
    assert figures(result) == rounded(want)
    assert world.areas["ZB"].id not in figures(result)["zones"]


def test_the_api_gives_the_coverage_of_one_area_by_its_units_and_its_incidents(
    world, commander_a, api_client_for
):
    zone = world.areas["Z1"]
    answer = api_client_for(commander_a).get(URL, period(world, area=zone.id))

    assert answer.status_code == 200
    result = answer.json()
    assert result["area"] == zone.id and result["resolution"] == 8
    # Z1's units count wherever they patrolled (U2 went into Z2 and beyond); Z1's incidents only.
    want = expected(
        world,
        units={"U1", "U2"},
        incidents_at=within(120.0, 30.0, 0.1),
        resolution=8,
        cap=settings.PATROL_PING_GAP_MINUTES,
    )
    assert figures(result) == rounded(want)


def test_the_api_reads_another_districts_area_as_not_found(
    world, commander_a, commander_b, api_client_for
):
    other_zone = api_client_for(commander_a).get(URL, period(world, area=world.areas["ZB"].id))
    other_district = api_client_for(commander_b).get(
        URL, period(world, area=world.areas["district_a"].id)
    )

    assert (other_zone.status_code, other_district.status_code) == (404, 404)


def test_the_api_default_period_is_the_last_day(world, commander_a, api_client_for):
    answer = api_client_for(commander_a).get(URL)

    assert answer.status_code == 200
    result = answer.json()
    assert datetime.fromisoformat(result["to"]) - datetime.fromisoformat(
        result["from"]
    ) == timedelta(days=1)
    # Everything in this world happened within the last day: all of district A's incidents.
    in_district_a = within(120, 30, 2)
    assert result["incidents"] == sum(1 for _, point in INCIDENTS if point in in_district_a)


@pytest.mark.parametrize(
    ("since_minutes", "until_minutes"), [(60, 30), (60, 60)], ids=["after", "equal"]
)
def test_the_api_rejects_a_since_not_before_until(
    world, commander_a, api_client_for, since_minutes, until_minutes
):
    answer = api_client_for(commander_a).get(
        URL,
        {
            "since": world.at(since_minutes).isoformat(),
            "until": world.at(until_minutes).isoformat(),
        },
    )

    assert answer.status_code == 400
    assert "since" in answer.json()


def test_the_api_rejects_a_period_longer_than_the_limit(
    world, commander_a, api_client_for, settings
):
    settings.PATROL_COVERAGE_MAX_DAYS = 7
    client = api_client_for(commander_a)
    until = world.end

    too_long = client.get(
        URL,
        {"since": (until - timedelta(days=7, minutes=1)).isoformat(), "until": until.isoformat()},
    )
    longest = client.get(
        URL, {"since": (until - timedelta(days=7)).isoformat(), "until": until.isoformat()}
    )

    assert too_long.status_code == 400 and "since" in too_long.json()
    assert longest.status_code == 200


@pytest.mark.parametrize("resolution", [4, 12, "fine"])
def test_the_api_rejects_a_resolution_out_of_range(world, commander_a, api_client_for, resolution):
    answer = api_client_for(commander_a).get(URL, period(world, resolution=resolution))

    assert answer.status_code == 400
    assert "resolution" in answer.json()


def forecast_favouring(place_name: str, resolution: int = 8) -> Forecast:
    """A stored forecast of all categories expecting 10 incidents in ``place_name``'s cell and
    1 in every other named place's, for the next 7 days."""
    forecast = Forecast.objects.create(
        source="incidents", category="", resolution=resolution, generated_at=timezone.now()
    )
    ForecastCell.objects.bulk_create(
        ForecastCell(
            forecast=forecast,
            cell=cell(point, resolution),
            expected_7=10.0 if point == place_name else 1.0,
            expected_28=0.0,
        )
        for point in POINTS
    )
    return forecast


def test_forecast_hotspots_are_the_top_forecast_cells_of_each_zone(world):
    forecast_favouring("P2")  # Z1's incidents favour P1 (3 of 5); the forecast P2
    result = coverage(
        units=PatrolUnit.objects.all(),
        incidents=Incident.objects.all(),
        start=world.start,
        end=world.end,
        hotspots="forecast",
    )
    want = expected(
        world,
        units=set(UNIT_HOMES),
        incidents_at=None,
        resolution=8,
        cap=settings.PATROL_PING_GAP_MINUTES,
    )
    z1 = world.areas["Z1"].id
    zone = next(z for z in result["zones"] if z["id"] == z1)
    # Z1's forecast cells: P2's (10) holds more than half of 10 + 1 + 1 + 1 (P1, P3, P4).
    z1_cells = {cell(p, 8) for p in POINTS if place(p, AreaKind.PATROL_ZONE) == "Z1"}
    minutes_in_p2 = want["cells"][cell("P2", 8)][0]

    assert result["hotspots"] == "forecast" and result["forecast"]["horizon_days"] == 7
    assert zone["hotspot_minutes_share"] == approx(
        minutes_in_p2 / want["zones"][z1]["unit_minutes"]
    )
    assert zone["hotspot_cells_share"] == approx(1 / len(z1_cells))
    assert zone["hotspot_minutes_share"] != approx(want["zones"][z1]["hotspot_minutes_share"])


def test_the_setting_and_the_api_choose_forecast_hotspots(
    world, commander_a, api_client_for, settings
):
    forecast_favouring("P2")
    z1 = world.areas["Z1"].id
    client = api_client_for(commander_a)

    by_incidents = client.get(URL, period(world)).json()
    by_forecast = client.get(URL, {**period(world), "hotspots": "forecast"}).json()
    settings.PATROL_COVERAGE_HOTSPOTS = "forecast"
    by_setting = client.get(URL, period(world)).json()

    def share(answer):
        return next(z for z in answer["zones"] if z["id"] == z1)["hotspot_minutes_share"]

    assert by_incidents["hotspots"] == "incidents" and by_incidents["forecast"] is None
    assert by_forecast["hotspots"] == by_setting["hotspots"] == "forecast"
    assert share(by_forecast) == share(by_setting) != share(by_incidents)
    assert by_forecast["forecast"]["generated_at"]


@pytest.mark.parametrize("target", [7, 9])
def test_a_forecast_moves_to_another_resolution_keeping_its_expected_total(target):
    cells = {cell(point, 8): float(number + 1) for number, point in enumerate(POINTS)}
    moved = _at_resolution(cells, 8, target)

    assert sum(moved.values()) == pytest.approx(sum(cells.values()))
    assert {h3.get_resolution(c) for c in moved} == {target}
    for source, value in cells.items():
        if target < 8:
            assert moved[h3.cell_to_parent(source, target)] >= value
        else:
            children = h3.cell_to_children(source, target)
            assert sum(moved[c] for c in children) == pytest.approx(value)
