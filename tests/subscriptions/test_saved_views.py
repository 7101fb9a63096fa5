"""Saved views over the API: saved from a page's path and query, listed, shared only with
those whose jurisdiction covers the view's area, deleted by their owner, and the home view the
site root opens."""

from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from accounts.choices import Role
from subscriptions.models import SavedView

from ..factories import api_key

pytestmark = pytest.mark.django_db

LIST = "/api/v1/views/"


def save(client, name="盗窃近28天", path="/incidents/", query="", shared=False):
    return client.post(LIST, {"name": name, "path": path, "query": query, "shared": shared})


@pytest.fixture
def people(two_districts, make_user):
    district_a, district_b = two_districts
    station_a = district_a.children.get()
    return {
        "a": make_user(Role.DISTRICT_COMMANDER, district_a),
        "a2": make_user(Role.DISTRICT_COMMANDER, district_a),
        "b": make_user(Role.DISTRICT_COMMANDER, district_b),
        "station_a": make_user(Role.STATION_OFFICER, station_a),
        "analyst": make_user(Role.CITY_ANALYST, None),
    }


def test_a_view_keeps_the_pages_path_and_selection(people, two_districts, api_client_for):
    district_a, _ = two_districts
    query = f"area={district_a.pk}&window=custom&from=2026-01-01&to=2026-01-31&category=theft"
    answer = save(api_client_for(people["a"]), query=query + "&page=3")
    assert answer.status_code == 201, answer.json()
    view = SavedView.objects.get(pk=answer.json()["id"])
    assert (view.path, view.area, view.owner) == ("/incidents/", district_a, people["a"])
    # The list's page number is not part of the selection.
    assert parse_qs(view.query) == parse_qs(query)
    assert answer.json()["url"] == f"/incidents/?{view.query}"


def test_a_view_without_an_area_is_of_the_owners_jurisdiction(
    people, two_districts, api_client_for
):
    district_a, _ = two_districts
    answer = save(api_client_for(people["a"]), query="window=7d")
    assert answer.status_code == 201
    assert answer.json()["area"] == district_a.pk
    assert parse_qs(answer.json()["query"])["area"] == [str(district_a.pk)]


@pytest.mark.parametrize("path", ["/api/v1/areas/", "/admin/", "https://evil.test/", "/nowhere/"])
def test_only_pages_of_the_shell_are_saved(people, api_client_for, path):
    answer = save(api_client_for(people["a"]), path=path)
    assert answer.status_code == 400 and "path" in answer.json()
    assert not SavedView.objects.exists()


def test_a_view_of_another_district_is_refused(people, two_districts, api_client_for):
    _, district_b = two_districts
    answer = save(api_client_for(people["a"]), query=f"area={district_b.pk}")
    assert answer.status_code == 400 and "query" in answer.json()


def test_names_are_unique_per_owner(people, api_client_for):
    assert save(api_client_for(people["a"]), name="同名").status_code == 201
    assert save(api_client_for(people["a"]), name="同名").status_code == 400
    assert save(api_client_for(people["a2"]), name="同名").status_code == 201


def test_a_shared_view_is_seen_only_where_its_area_is_covered(people, api_client_for):
    mine = save(api_client_for(people["a"]), name="共享的", shared=True).json()
    private = save(api_client_for(people["a"]), name="私人的").json()

    def visible(who):
        return {view["id"] for view in api_client_for(people[who]).get(LIST).json()}

    assert visible("a") == {mine["id"], private["id"]}
    # The district's other commander and the city analyst see the shared one only; district
    # B's commander and the station officer (whose jurisdiction is smaller than the district)
    # see neither, and opening it reads as 404.
    assert visible("a2") == visible("analyst") == {mine["id"]}
    assert visible("b") == visible("station_a") == set()
    assert api_client_for(people["b"]).get(f"{LIST}{mine['id']}/").status_code == 404
    assert api_client_for(people["a2"]).get(f"{LIST}{mine['id']}/").json()["mine"] is False


def test_only_the_owner_deletes_or_changes_a_shared_view(people, api_client_for):
    view = save(api_client_for(people["a"]), shared=True).json()
    other = api_client_for(people["a2"])
    assert other.delete(f"{LIST}{view['id']}/").status_code == 403
    assert other.patch(f"{LIST}{view['id']}/", {"name": "改名"}).status_code == 403
    owner = api_client_for(people["a"])
    assert owner.patch(f"{LIST}{view['id']}/", {"shared": False}).json()["shared"] is False
    assert other.get(f"{LIST}{view['id']}/").status_code == 404
    assert owner.delete(f"{LIST}{view['id']}/").status_code == 204
    assert not SavedView.objects.filter(pk=view["id"]).exists()


def test_the_site_root_opens_the_home_view(people, two_districts, api_client_for, client):
    district_a, _ = two_districts
    view = save(api_client_for(people["a"]), query=f"area={district_a.pk}&window=7d").json()
    other = save(api_client_for(people["a"]), name="另一个", path="/alerts/", shared=True).json()
    owner = api_client_for(people["a"])
    assert owner.post(f"{LIST}{view['id']}/home/").json()["is_home"] is True
    client.force_login(people["a"])
    answer = client.get("/")
    assert answer.status_code == 302 and answer["Location"] == view["url"]
    # With a selection the overview is itself; the saved view's link opens it.
    assert client.get(f"/?area={district_a.pk}").status_code == 200
    opened = client.get(reverse("view-open", kwargs={"pk": other["id"]}))
    assert opened["Location"] == other["url"]
    # Another user may take a shared view as theirs.
    colleague = api_client_for(people["a2"])
    assert colleague.post(f"{LIST}{other['id']}/home/").status_code == 200
    assert {v["id"] for v in colleague.get(LIST).json() if v["is_home"]} == {other["id"]}
    # Cleared, the root is the overview again.
    assert owner.delete(f"{LIST}{view['id']}/home/").status_code == 204
    assert client.get("/").status_code == 200


def test_a_home_view_out_of_scope_is_not_opened(people, two_districts, api_client_for, client):
    district_a, district_b = two_districts
    user = people["a"]
    view = save(api_client_for(user), query=f"area={district_a.pk}").json()
    api_client_for(user).post(f"{LIST}{view['id']}/home/")
    user.home_area = district_b
    user.save()
    client.force_login(user)
    assert client.get("/").status_code == 200
    assert client.get(reverse("view-open", kwargs={"pk": view["id"]})).status_code == 404


def test_a_token_needs_the_subscriptions_scope(people, client):
    read_only = api_key(people["a"], scopes=["subscriptions:read"])
    headers = {"HTTP_AUTHORIZATION": f"Token {read_only}"}
    assert client.get(LIST, **headers).status_code == 200
    body = {"name": "x", "path": "/incidents/"}
    assert client.post(LIST, body, content_type="application/json", **headers).status_code == 403
    other = api_key(people["a"], scopes=["stats:read"])
    assert client.get(LIST, HTTP_AUTHORIZATION=f"Token {other}").status_code == 403


@pytest.mark.parametrize("area", ["99999999999999999999999", "１２", "-1", "x"])
def test_an_area_that_is_no_id_is_refused(people, api_client_for, area):
    answer = save(api_client_for(people["a"]), query=f"area={area}")
    assert answer.status_code == 400 and "query" in answer.json()
