import pytest

from accounts.choices import Role
from areas.choices import AreaKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def commander(two_districts, make_user):
    district_a, _ = two_districts
    return make_user(role=Role.DISTRICT_COMMANDER, home_area=district_a)


def test_district_user_lists_only_their_subtree(two_districts, commander, api_client_for):
    district_a, district_b = two_districts
    response = api_client_for(commander).get("/api/v1/areas/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()}
    assert ids == {district_a.pk, district_a.children.get().pk}
    assert district_b.pk not in ids


def test_district_user_gets_404_for_another_district(two_districts, commander, api_client_for):
    _, district_b = two_districts
    client = api_client_for(commander)
    assert client.get(f"/api/v1/areas/{district_b.pk}/").status_code == 404
    station_b = district_b.children.get()
    assert client.get(f"/api/v1/areas/{station_b.pk}/").status_code == 404


def test_city_analyst_sees_every_area(two_districts, make_user, api_client_for, city):
    analyst = make_user(role=Role.CITY_ANALYST)
    rows = api_client_for(analyst).get("/api/v1/areas/").json()
    assert len(rows) == 5


def test_user_without_home_area_sees_nothing(two_districts, make_user, api_client_for):
    viewer = make_user(role=Role.VIEWER)
    assert api_client_for(viewer).get("/api/v1/areas/").json() == []


def test_anonymous_requests_are_refused(client, two_districts):
    assert client.get("/api/v1/areas/").status_code in (401, 403)


def test_detail_includes_geometry(two_districts, commander, api_client_for):
    district_a, _ = two_districts
    body = api_client_for(commander).get(f"/api/v1/areas/{district_a.pk}/").json()
    assert body["geometry"]["type"] == "Polygon"
    assert body["kind"] == AreaKind.DISTRICT


def test_geojson_on_request(two_districts, commander, api_client_for):
    response = api_client_for(commander).get("/api/v1/areas/?format=geojson")
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 2
    assert {f["geometry"]["type"] for f in body["features"]} == {"Polygon"}


def test_filter_by_kind(two_districts, commander, api_client_for):
    rows = api_client_for(commander).get("/api/v1/areas/?kind=station").json()
    assert [row["kind"] for row in rows] == ["station"]


def test_tree_is_nested_from_the_top_of_the_scope(two_districts, commander, api_client_for):
    district_a, _ = two_districts
    tree = api_client_for(commander).get("/api/v1/areas/tree/").json()
    assert [node["id"] for node in tree] == [district_a.pk]
    assert [child["kind"] for child in tree[0]["children"]] == ["station"]


def test_locate_returns_only_areas_in_scope(two_districts, commander, api_client_for):
    client = api_client_for(commander)
    inside_a = client.get("/api/v1/areas/locate/?lon=120.5&lat=30.5").json()
    assert [row["kind"] for row in inside_a] == ["district", "station"]
    inside_b = client.get("/api/v1/areas/locate/?lon=122.5&lat=30.5").json()
    assert inside_b == []


def test_locate_rejects_bad_coordinates(commander, api_client_for):
    response = api_client_for(commander).get("/api/v1/areas/locate/?lon=200&lat=x")
    assert response.status_code == 400
    assert set(response.json()) == {"lon", "lat"}


def test_map_boundaries_are_simplified_for_the_zoom_asked(two_districts, commander, api_client_for):
    import math

    district_a, _ = two_districts
    angles = [2 * math.pi * n / 9999 for n in range(9999)]
    ring = [[120.5 + 0.3 * math.cos(a), 30.5 + 0.3 * math.sin(a)] for a in angles]
    district_a.geometry = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    district_a.save()
    client = api_client_for(commander)

    def vertices(**params):
        body = client.get("/api/v1/areas/", {"format": "geojson", **params}).json()
        drawn = next(f for f in body["features"] if f["id"] == district_a.pk)
        return len(drawn["geometry"]["coordinates"][0])

    assert vertices(zoom=8) < vertices() < vertices(zoom=16) < 10_000
    detail = client.get(f"/api/v1/areas/{district_a.pk}/", {"format": "geojson", "zoom": 8})
    assert len(detail.json()["geometry"]["coordinates"][0]) == vertices(zoom=8)
    # The JSON detail is the stored boundary, for editing.
    stored = client.get(f"/api/v1/areas/{district_a.pk}/").json()["geometry"]
    assert len(stored["coordinates"][0]) == 10_000
    assert client.get("/api/v1/areas/", {"format": "geojson", "zoom": 99}).status_code == 400
