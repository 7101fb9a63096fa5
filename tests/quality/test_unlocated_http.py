"""Over real HTTP: a station officer's incident whose address the standard address table cannot
place is accepted into the officer's own station and queued as unlocated with the reason, from
the REST API and from the entry form alike; a point outside the station is still refused; the
row sent again by an officer of the whole district leaves it in the station."""

import http.cookiejar
import re
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.services import api_token_create
from areas.choices import AreaKind
from areas.models import Area
from geocoding.choices import GeocodeQuality, UnlocatedReason
from incidents.ingest.plan import OUTSIDE_JURISDICTION
from incidents.models import Incident

from ..faults.http import call, token_header

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def station_officer(two_districts, make_user):
    station = Area.objects.get(parent=two_districts[0], kind=AreaKind.STATION)
    return make_user(role=Role.STATION_OFFICER, home_area=station)


def reported() -> str:
    return (timezone.now() - timedelta(hours=1)).replace(microsecond=0).isoformat()


def assert_queued_in_the_station(incident: Incident, officer) -> None:
    assert incident.lat is None
    assert (incident.area_id, incident.area_path) == (officer.home_area_id, officer.home_area.path)
    assert incident.station_id == officer.home_area_id
    assert incident.district_id == officer.home_area.parent_id
    assert incident.filed_area_id == officer.home_area_id
    assert incident.geocode_quality == GeocodeQuality.UNLOCATED
    assert incident.unlocated_reason == UnlocatedReason.NO_MATCH


def test_rest_accepts_an_unplaceable_address_into_the_officers_station(
    live_server, station_officer
):
    _, key = api_token_create(
        user=station_officer, scopes=["incidents:read", "incidents:write"], days=1
    )
    row = {"source_ref": "R1", "category": "theft", "reported_at": reported()}
    created = call(
        f"{live_server.url}/api/v1/incidents/",
        headers=token_header(key),
        body=row | {"address": "无名路1号"},
    )
    assert created.status == 201, created.json()
    incident = Incident.objects.get(source_ref="R1")
    assert_queued_in_the_station(incident, station_officer)

    queue = call(f"{live_server.url}/api/v1/quality/unlocated/", headers=token_header(key))
    assert [(item["public_id"], item["unlocated_reason"]) for item in queue.json()["results"]] == [
        (str(incident.public_id), UnlocatedReason.NO_MATCH)
    ]

    outside = call(
        f"{live_server.url}/api/v1/incidents/",
        headers=token_header(key),
        body=row | {"source_ref": "R2", "lon": 122.5, "lat": 30.5},
    )
    assert outside.status == 400
    assert outside.json()["errors"] == [{"field": "lon", "message": OUTSIDE_JURISDICTION}]


def session_for(base_url: str, username: str) -> urllib.request.OpenerDirector:
    """A browser-like session: cookies kept, logged in through the login form."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login = f"{base_url}/accounts/login/"
    token = CSRF.search(opener.open(login).read().decode()).group(1)
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    opener.open(login, urllib.parse.urlencode(form).encode())
    return opener


def test_the_entry_form_accepts_an_unplaceable_address_into_the_officers_station(
    live_server, station_officer
):
    opener = session_for(live_server.url, station_officer.username)
    page = f"{live_server.url}/incidents/new/"
    token = CSRF.search(opener.open(page).read().decode()).group(1)
    when = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    form = {
        "csrfmiddlewaretoken": token,
        "form": "incident",
        "incident-category": "theft",
        "incident-source": "call_110",
        "incident-priority": "3",
        "incident-reported_at": when,
        "incident-address": "无名路2号",
    }
    answer = opener.open(page, urllib.parse.urlencode(form).encode())
    incident = Incident.objects.get(address="无名路2号")
    # Recorded, the form leads to the new incident's page.
    assert answer.status == 200
    assert answer.url.endswith(f"/incidents/{incident.public_id}/")
    assert_queued_in_the_station(incident, station_officer)


def test_a_district_officer_sending_the_row_again_leaves_it_in_the_station(
    station_officer, make_user, two_districts
):
    from incidents.ingest import incidents_ingest

    row = {
        "source_ref": "R3",
        "category": "theft",
        "reported_at": reported(),
        "address": "无名路3号",
    }
    incidents_ingest(rows=[row], user=station_officer)
    district_officer = make_user(role=Role.STATION_OFFICER, home_area=two_districts[0])
    report = incidents_ingest(rows=[row], user=district_officer)
    assert (report.unchanged, report.rejected) == (1, 0)
    assert_queued_in_the_station(Incident.objects.get(source_ref="R3"), station_officer)
