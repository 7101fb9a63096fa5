"""The patrol unit's admin page: its last day's track and home zone outline on a Leaflet map."""

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib import admin
from django.utils import timezone

from accounts.choices import Role
from areas.choices import AreaKind
from patrols import services
from patrols.admin import PatrolUnitAdmin
from patrols.models import PatrolUnit

from ..areas.test_admin_map import is_tile_failure
from ..browser import chromium_page, log_in, save_screenshot
from ..factories import AreaFactory, UserFactory, square

ZONE_SOUTH_WEST, ZONE_SIZE = (120.4, 30.4), 0.2
# (minutes before the last ping, lon, lat): the last day's track, oldest first.
TRACK = [(50, 120.45, 30.45), (30, 120.48, 30.47), (10, 120.52, 30.50), (0, 120.55, 30.52)]


@pytest.fixture
def zone(two_districts):
    return AreaFactory(
        kind=AreaKind.PATROL_ZONE,
        parent=two_districts[0].children.get(),
        geometry=square(*ZONE_SOUTH_WEST, ZONE_SIZE),
    )


def make_unit(code: str, zone) -> PatrolUnit:
    return PatrolUnit.objects.create(
        code=code, name=f"巡逻{code}", kind="patrol_car", home_zone=zone
    )


def ping(code: str, at, lon: float, lat: float) -> dict:
    return {"unit": code, "at": at.isoformat(), "lon": lon, "lat": lat}


@pytest.fixture
def tracked_unit(zone):
    """A unit with TRACK in the last day, a ping from the day before that, and a neighbour
    whose pings are its own."""
    unit, neighbour = make_unit("A-1", zone), make_unit("A-2", zone)
    last = (timezone.now() - timedelta(minutes=5)).replace(microsecond=0)
    services.positions_ingest(
        pings=[
            ping("A-1", last - timedelta(days=1, minutes=1), 120.41, 30.41),
            *(ping("A-1", last - timedelta(minutes=m), lon, lat) for m, lon, lat in TRACK),
            ping("A-2", last - timedelta(minutes=20), 120.58, 30.58),
        ]
    )
    unit.refresh_from_db()
    assert neighbour.positions.exists()
    return unit


@pytest.fixture
def boss(db):
    # Made outside the browser block: ORM calls inside it would open a connection of their own.
    return UserFactory(username="boss", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


def admin_map(page, user, unit: PatrolUnit) -> None:
    log_in(page, user.username, "pw-for-tests-1", next_page="/admin/")
    page.goto(f"/admin/patrols/patrolunit/{unit.pk}/change/")
    page.wait_for_selector("[data-point-map] .leaflet-overlay-pane path")


def outline(page):
    # The zone outline is the dashed path; the track and the marker are solid.
    return page.locator('[data-point-map] .leaflet-overlay-pane path[stroke-dasharray="4"]')


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_unit_page_maps_the_last_days_track_and_the_home_zone(live_server, boss, tracked_unit):
    with chromium_page(live_server.url) as page:
        admin_map(page, boss, tracked_unit)
        save_screenshot(page, "admin-patrol-unit-map")

        track = page.evaluate(
            "document.querySelector('[data-point-map]').trackLine.getLatLngs()"
            ".map(p => [p.lng, p.lat])"
        )
        marker = page.evaluate(
            "(() => { const p = document.querySelector('[data-point-map]').pointMarker"
            ".getLatLng(); return [p.lng, p.lat]; })()"
        )
        paths = page.locator("[data-point-map] .leaflet-overlay-pane path").count()
        zone_box = outline(page).bounding_box()
        track_box = page.locator(
            '[data-point-map] .leaflet-overlay-pane path:not([stroke-dasharray="4"])'
        ).first.bounding_box()
        errors = [m for m in page.console_errors if not is_tile_failure(m)]

    assert track == [[lon, lat] for _, lon, lat in TRACK]
    assert marker == pytest.approx([tracked_unit.last_lon, tracked_unit.last_lat])
    assert marker == pytest.approx(list(TRACK[-1][1:]))
    assert paths == 3  # the zone outline, the track and the last position
    # The track lies inside the zone, on screen too: the map was fitted to both.
    assert zone_box["x"] <= track_box["x"] and zone_box["y"] <= track_box["y"]
    assert track_box["x"] + track_box["width"] <= zone_box["x"] + zone_box["width"]
    assert track_box["y"] + track_box["height"] <= zone_box["y"] + zone_box["height"]
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_unit_never_seen_shows_its_home_zone_alone(live_server, boss, zone):
    unit = make_unit("A-9", zone)

    with chromium_page(live_server.url) as page:
        admin_map(page, boss, unit)
        outlines = outline(page).count()
        paths = page.locator("[data-point-map] .leaflet-overlay-pane path").count()
        drawn = page.evaluate(
            "(() => { const e = document.querySelector('[data-point-map]');"
            " return [Boolean(e.trackLine), Boolean(e.pointMarker)]; })()"
        )
        errors = [m for m in page.console_errors if not is_tile_failure(m)]

    assert (outlines, paths) == (1, 1)
    assert drawn == [False, False]
    assert errors == []


def rendered_track(unit: PatrolUnit) -> list[list[float]]:
    html = PatrolUnitAdmin(PatrolUnit, admin.site).track_map(unit)
    return json.loads(unescape(re.search(r'data-track="([^"]*)"', html).group(1)))


@pytest.mark.django_db
def test_the_map_data_hold_the_last_days_track_and_the_home_zone(tracked_unit):
    html = PatrolUnitAdmin(PatrolUnit, admin.site).track_map(tracked_unit)
    boundary = json.loads(unescape(re.search(r'data-boundary="([^"]*)"', html).group(1)))

    assert boundary == square(*ZONE_SOUTH_WEST, ZONE_SIZE)
    assert rendered_track(tracked_unit) == [[lat, lon] for _, lon, lat in TRACK]


@pytest.mark.django_db
def test_a_long_track_ends_at_the_last_position(zone):
    unit = make_unit("A-1", zone)
    last = (timezone.now() - timedelta(minutes=5)).replace(microsecond=0)
    # A ping every 10 s for 14 hours: more than the map draws.
    pings = [
        ping("A-1", last - timedelta(seconds=10 * n), 120.45 + n * 1e-5, 30.45) for n in range(5040)
    ]
    services.positions_ingest(pings=pings)
    unit.refresh_from_db()

    track = rendered_track(unit)

    assert track[-1] == [unit.last_lat, unit.last_lon]
