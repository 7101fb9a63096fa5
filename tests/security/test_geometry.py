"""Finding 12: area geometry is bounded. A boundary over the vertex limit is refused on every
write path (the admin's GeoJSON form, ``import_areas``) with a message naming the limit, a
station overlapping its sibling is refused naming it, and a map's answer carries geometry
simplified for its zoom, so a large (allowed) boundary stays a few hundred KB on the wire.
"""

import subprocess

import pytest

from .conftest import area_id, django_shell, sql

# The default AREA_MAX_VERTICES, and the map answer the dashboards may download at most.
VERTEX_LIMIT = 100_000
MAP_ANSWER_LIMIT = 300_000  # bytes


def zigzag(vertices: int, *, lon: float, lat: float, step: float, digits: int) -> str:
    """A valid Polygon of exactly ``vertices`` positions (the closing one included) as
    compact GeoJSON text: a saw-toothed top edge over a straight bottom edge."""
    teeth = vertices - 3
    points = [
        f"[{lon + n * step:.{digits}f},{lat + 0.01 + (n % 2) * 0.001:.{digits}f}]"
        for n in range(teeth)
    ]
    last = lon + (teeth - 1) * step
    points += [f"[{last:.{digits}f},{lat:.{digits}f}]", f"[{lon:.{digits}f},{lat:.{digits}f}]"]
    points.append(points[0])
    return '{"type":"Polygon","coordinates":[[' + ",".join(points) + "]]}"


@pytest.fixture(scope="module")
def pudong(site):
    """浦东's id, one of its stations (id, name, geometry) and one of its patrol zones."""
    district = area_id(site, "浦东新区")
    station = sql(
        site,
        "SELECT id, name, geometry::text FROM areas_area WHERE parent_id = %s ORDER BY path "
        "LIMIT 1",
        [district],
    )[0]
    zone = sql(site, "SELECT id FROM areas_area WHERE parent_id = %s LIMIT 1", [station[0]])[0][0]
    return {"district": district, "station": station, "zone": zone}


@pytest.fixture
def admin(session_of):
    return session_of("admin")


def _add_area(admin, *, kind: str, code: str, parent: int, geometry: str):
    """The admin's "add area" form, posted as the browser posts it (multipart)."""
    fields = {
        "kind": kind,
        "code": code,
        "name": f"{code}巡区",
        "name_en": "",
        "parent": str(parent),
        "geometry": geometry,
        "properties": "{}",
        "_save": "Save",
    }
    return admin.post(
        "/admin/areas/area/add/",
        files={name: (None, value) for name, value in fields.items()},
        allow_redirects=False,
    )


def _areas_with_code(site, code: str) -> int:
    return sql(site, "SELECT count(*) FROM areas_area WHERE code = %s", [code])[0][0]


def _forget(site, code: str) -> None:
    sql(site, "DELETE FROM areas_area WHERE code = %s", [code])


def test_admin_refuses_a_beat_over_the_vertex_limit(site, admin, pudong):
    try:
        geometry = zigzag(VERTEX_LIMIT + 1, lon=121.5, lat=31.1, step=1e-5, digits=5)
        answer = _add_area(
            admin, kind="beat", code="SEC-VERTS", parent=pudong["zone"], geometry=geometry
        )
        assert answer.status_code == 200, f"HTTP {answer.status_code}: the form was accepted"
        assert "100,001 vertices" in answer.text
        assert "AREA_MAX_VERTICES" in answer.text
        assert _areas_with_code(site, "SEC-VERTS") == 0
        # A million never gets in either (the body alone is over the upload limit).
        million = zigzag(1_000_000, lon=121.5, lat=31.1, step=1e-6, digits=6)
        answer = _add_area(
            admin, kind="beat", code="SEC-MILLION", parent=pudong["zone"], geometry=million
        )
        assert answer.status_code != 302
        assert _areas_with_code(site, "SEC-MILLION") == 0
    finally:
        _forget(site, "SEC-VERTS")
        _forget(site, "SEC-MILLION")


def test_import_refuses_a_million_vertex_beat_naming_the_limit(site, pudong, tmp_path):
    path = tmp_path / "beat.geojson"
    geometry = zigzag(1_000_000, lon=121.5, lat=31.1, step=1e-6, digits=6)
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature",'
        '"properties":{"code":"SEC-IMPORT","name":"百万顶点巡区"},"geometry":' + geometry + "}]}"
    )
    try:
        with pytest.raises(subprocess.CalledProcessError) as refused:
            site.manage(
                "import_areas", str(path), "--kind=beat", "--code-field=code",
                "--name-field=name", f"--under={pudong['zone']}",
            )  # fmt: skip
        assert refused.value.returncode == 2
        assert "feature 1 (SEC-IMPORT 百万顶点巡区)" in refused.value.stderr
        assert "1,000,000 vertices" in refused.value.stderr
        assert _areas_with_code(site, "SEC-IMPORT") == 0
    finally:
        _forget(site, "SEC-IMPORT")


def test_admin_refuses_a_station_over_its_sibling_naming_it(site, admin, pudong):
    _, sibling_name, sibling_geometry = pudong["station"]
    try:
        answer = _add_area(
            admin, kind="station", code="SEC-OVERLAP", parent=pudong["district"],
            geometry=sibling_geometry,
        )  # fmt: skip
        assert answer.status_code == 200, f"HTTP {answer.status_code}: the form was accepted"
        assert sibling_name in answer.text
        assert _areas_with_code(site, "SEC-OVERLAP") == 0
    finally:
        _forget(site, "SEC-OVERLAP")


# A beat of 50,000 vertices (allowed) with a smooth, wavy edge, as a surveyed boundary has.
LARGE_BEAT = """
import math
from areas.models import Area
from areas.services import area_upsert
zone = Area.objects.get(pk={zone})
from shapely.geometry import shape
centre = shape(zone.geometry).representative_point()
count = 50_000
ring = []
for n in range(count - 1):
    angle = 2 * math.pi * n / (count - 1)
    radius = 0.004 * (1 + 0.2 * math.sin(7 * angle) + 0.03 * math.sin(61 * angle))
    ring.append([centre.x + radius * math.cos(angle), centre.y + radius * math.sin(angle)])
ring.append(ring[0])
beat, _ = area_upsert(
    kind="beat", code="SEC-LARGE", name="五万顶点巡区", parent=zone,
    geometry={{"type": "Polygon", "coordinates": [ring]}},
)
print(beat.pk)
"""


def test_map_answers_stay_small_for_a_large_allowed_boundary(site, session_of, pudong):
    try:
        beat = int(django_shell(site, LARGE_BEAT.format(zone=pudong["zone"])).split()[-1])
        commander = session_of("commander")
        answers = {
            "the zone's beats at the map's zoom": (
                "/api/v1/areas/", {"format": "geojson", "parent": pudong["zone"], "zoom": 12}
            ),
            "all of 浦东 at the district map's zoom": (
                "/api/v1/areas/", {"format": "geojson", "within": pudong["district"], "zoom": 11}
            ),
            "all of 浦东 without a zoom": (
                "/api/v1/areas/", {"format": "geojson", "within": pudong["district"]}
            ),
            "the beat alone": (f"/api/v1/areas/{beat}/", {"format": "geojson", "zoom": 14}),
        }  # fmt: skip
        for label, (path, params) in answers.items():
            answer = commander.get(path, params=params)
            assert answer.status_code == 200, label
            assert len(answer.content) < MAP_ANSWER_LIMIT, (label, len(answer.content))
            body = answer.json()
            features = body.get("features", [body])
            drawn = next(f for f in features if f["id"] == beat)
            ring = drawn["geometry"]["coordinates"][0]
            # Still the beat's shape: a closed ring of far fewer, but enough, vertices.
            assert 8 < len(ring) < 50_000 and ring[0] == ring[-1], label
        # The stored boundary is untouched.
        stored = sql(site, "SELECT geometry FROM areas_area WHERE id = %s", [beat])[0][0]
        assert len(stored["coordinates"][0]) == 50_000
    finally:
        _forget(site, "SEC-LARGE")
