"""The incident form pages through Django's test client: a refused post answers 400 with the
input kept and the reason next to its field, in the page's language; a good one redirects
with a message; the permission and the jurisdiction decide who may see and post each form."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from accounts.choices import Role
from areas.models import Area
from geocoding.services import address_table_import
from incidents import services
from incidents.choices import ALLOWED_TRANSITIONS, IncidentStatus
from incidents.forms import STEP_STATUS
from incidents.ingest.plan import OUTSIDE_JURISDICTION
from incidents.ingest.rows import IN_FUTURE
from incidents.models import Category, Incident

pytestmark = pytest.mark.django_db

NEW = reverse("dash-incident-new")


@pytest.fixture
def stations(two_districts):
    """The station of each district, (ours, theirs)."""
    return tuple(Area.objects.get(parent=district) for district in two_districts)


@pytest.fixture
def officer(make_user, stations):
    return make_user(role=Role.STATION_OFFICER, home_area=stations[0])


def inside(area: Area) -> tuple[float, float]:
    """A point inside an area's (square) boundary: its centre."""
    ring = area.geometry["coordinates"][0]
    return (
        (min(x for x, _ in ring) + max(x for x, _ in ring)) / 2,
        (min(y for _, y in ring) + max(y for _, y in ring)) / 2,
    )


def in_chinese(message: str) -> str:
    """A service's English message as the Chinese page shows it (from the zh-hans catalogue)."""
    with translation.override("zh-hans"):
        shown = translation.gettext(message)
    assert shown != message, f"{message!r} has no Chinese translation"
    return shown


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def entry(point, **overrides) -> dict:
    category = Category.objects.filter(is_active=True, parent__isnull=False).order_by("path")[0]
    data = {
        "form": "incident",
        "incident-category": category.code,
        "incident-source": "call_110",
        "incident-priority": "2",
        "incident-reported_at": local(timezone.now() - timedelta(minutes=20)),
        "incident-lon": f"{point[0]:.6f}",
        "incident-lat": f"{point[1]:.6f}",
        "incident-address": "人民路 12 号",
        "incident-loss": "1500.50",
        "incident-summary": "电瓶车被盗",
    }
    data.update(overrides)
    return data


def recorded(officer_area: Area, **overrides) -> Incident:
    lon, lat = inside(officer_area)
    data = {
        "category": "theft",
        "reported_at": timezone.now() - timedelta(hours=1),
        "lon": lon,
        "lat": lat,
    }
    return services.incident_create(data=data | overrides, user=None)


def test_recording_an_incident_redirects_to_it_with_a_message(client, officer, stations):
    client.force_login(officer)
    data = entry(inside(stations[0]))
    response = client.post(NEW, data, follow=True)
    incident = Incident.objects.get()
    assert response.redirect_chain == [(reverse("dash-incident", args=[incident.public_id]), 302)]
    assert incident.category.code == data["incident-category"]
    assert incident.station_id == stations[0].pk
    assert incident.loss == Decimal(data["incident-loss"])
    assert incident.source_system == "web" and incident.source_ref
    assert incident.source_ref in response.content.decode()
    assert [m.message for m in response.context["messages"]] == [
        f"已登记警情 {incident.source_ref}。"
    ]


def test_a_point_outside_the_jurisdiction_answers_400_beside_the_point(client, officer, stations):
    client.force_login(officer)
    data = entry(inside(stations[1]))
    response = client.post(NEW, data)
    assert response.status_code == 400
    form = response.context["forms"]["incident"]
    assert form.errors["lon"] == [in_chinese(OUTSIDE_JURISDICTION)]
    # What was typed comes back as typed.
    for name, value in data.items():
        if name != "form":
            assert form[name.removeprefix("incident-")].value() == value
    assert not Incident.objects.exists()


def test_a_refusal_is_in_english_on_an_english_page(client, officer, stations):
    client.force_login(officer)
    client.cookies.load({"django_language": "en"})
    # The locale middleware leaves the language it chose active: the tests after this one
    # get back the one before.
    with translation.override(translation.get_language()):
        response = client.post(NEW, entry(inside(stations[1])), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["forms"]["incident"].errors["lon"] == [OUTSIDE_JURISDICTION]


def test_a_future_time_is_refused_beside_the_time(client, officer, stations):
    client.force_login(officer)
    later = local(timezone.now() + timedelta(hours=2))
    response = client.post(NEW, entry(inside(stations[0]), **{"incident-reported_at": later}))
    assert response.status_code == 400
    assert response.context["forms"]["incident"].errors["reported_at"] == [in_chinese(IN_FUTURE)]


def test_a_form_of_the_wrong_shape_answers_400_with_the_forms_own_message(
    client, officer, stations
):
    client.force_login(officer)
    response = client.post(NEW, entry(inside(stations[0]), **{"incident-loss": "-3"}))
    assert response.status_code == 400
    assert response.context["forms"]["incident"].errors["loss"]
    assert not Incident.objects.exists()


def test_an_unknown_form_name_answers_400(client, officer):
    client.force_login(officer)
    assert client.post(NEW, {"form": "nonsense"}).status_code == 400


def test_a_role_without_the_add_permission_gets_403(client, make_user, two_districts):
    client.force_login(make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0]))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"form": "incident"}).status_code == 403
    listing = client.get(reverse("dash-incidents"))
    assert listing.status_code == 200
    assert NEW not in listing.content.decode()


def test_the_list_links_to_the_entry_page_for_those_who_may_record(client, officer):
    client.force_login(officer)
    assert NEW in client.get(reverse("dash-incidents")).content.decode()


def test_the_steps_offered_are_those_allowed_from_the_status(client, officer, stations):
    incident = recorded(stations[0])
    client.force_login(officer)
    response = client.get(reverse("dash-incident", args=[incident.public_id]))
    offered = {name for name in response.context["forms"] if name in STEP_STATUS}
    allowed = ALLOWED_TRANSITIONS[incident.status]
    assert offered == {name for name, status in STEP_STATUS.items() if status in allowed}


def test_a_step_redirects_and_records_the_time_and_note(client, officer, stations):
    incident = recorded(stations[0])
    client.force_login(officer)
    url = reverse("dash-incident", args=[incident.public_id])
    at = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=30)
    response = client.post(
        url, {"form": "on_scene", "on_scene-at": local(at), "on_scene-note": "已到现场"}
    )
    assert response.status_code == 302 and response["Location"] == url
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ON_SCENE and incident.on_scene_at == at
    assert incident.status_changes.get().note == "已到现场"


def test_a_step_earlier_than_the_last_is_refused_beside_the_time(client, officer, stations):
    incident = recorded(stations[0])
    client.force_login(officer)
    before = local(incident.reported_at - timedelta(hours=1))
    response = client.post(
        reverse("dash-incident", args=[incident.public_id]),
        {"form": "dispatch", "dispatch-at": before, "dispatch-note": "迟到的记录"},
    )
    assert response.status_code == 400
    form = response.context["forms"]["dispatch"]
    assert form.errors["at"] == ["“已派警”的时间早于“已接警”的时间。"]
    assert form["note"].value() == "迟到的记录"
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REPORTED


def test_a_step_no_longer_allowed_is_refused_above_its_form(client, officer, stations):
    incident = recorded(stations[0])
    services.incident_transition(incident=incident, to_status=IncidentStatus.CLOSED)
    client.force_login(officer)
    response = client.post(
        reverse("dash-incident", args=[incident.public_id]),
        {"form": "on_scene", "on_scene-at": local(timezone.now())},
    )
    assert response.status_code == 400
    assert response.context["forms"]["on_scene"].non_field_errors() == [
        "警情当前为“已处结”，不能变为“已到场”。"
    ]


def test_editing_facts_to_a_point_in_another_district_is_refused(client, officer, stations):
    incident = recorded(stations[0])
    client.force_login(officer)
    lon, lat = inside(stations[1])
    response = client.post(
        reverse("dash-incident", args=[incident.public_id]),
        {"form": "facts", "facts-category": "theft", "facts-lon": lon, "facts-lat": lat},
    )
    assert response.status_code == 400
    assert response.context["forms"]["facts"].errors["lon"] == [in_chinese(OUTSIDE_JURISDICTION)]
    incident.refresh_from_db()
    assert incident.station_id == stations[0].pk


def test_a_transfer_is_recorded_through_the_update_service(client, officer, stations):
    incident = recorded(stations[0])
    client.force_login(officer)
    url = reverse("dash-incident", args=[incident.public_id])
    page = client.get(url).content.decode()
    # The usual agencies are offered (any other may be typed).
    offered = re.findall(r'<option value="([^"]*)">', page.split("<datalist", 1)[1])
    assert offered[: len(settings.INCIDENT_TRANSFER_AGENCIES)] == list(
        settings.INCIDENT_TRANSFER_AGENCIES
    )
    at = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=5)
    response = client.post(
        url,
        {
            "form": "transfer",
            "transfer-transfer_agency": "12345市民服务热线",
            "transfer-transferred_at": local(at),
            "transfer-transfer_outcome": "已受理",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.transfer_agency, incident.transferred_at, incident.transfer_outcome) == (
        "12345市民服务热线",
        at,
        "已受理",
    )


def test_another_districts_incident_reads_and_posts_as_404(client, officer, stations):
    theirs = recorded(stations[1])
    client.force_login(officer)
    url = reverse("dash-incident", args=[theirs.public_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"form": "close", "close-at": local(timezone.now())}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == IncidentStatus.REPORTED


def test_a_reader_without_the_change_permission_gets_no_forms_and_403_on_post(
    client, make_user, two_districts, stations
):
    incident = recorded(stations[0])
    client.force_login(make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0]))
    url = reverse("dash-incident", args=[incident.public_id])
    response = client.get(url)
    assert response.status_code == 200 and response.context["forms"] == {}
    assert 'class="entry' not in response.content.decode()
    assert client.post(url, {"form": "close", "close-at": local(timezone.now())}).status_code == 403


def test_the_address_search_finds_places_in_scope_only(client, officer, stations):
    recorded(stations[0], address="幸福路 8 号")
    recorded(stations[1], address="幸福路 9 号")
    client.force_login(officer)
    found = client.get(reverse("incident-places"), {"q": "幸福路"}).json()["results"]
    assert [place["label"] for place in found if place["kind"] == "address"] == ["幸福路 8 号"]
    name = stations[1].name
    assert not client.get(reverse("incident-places"), {"q": name}).json()["results"]
    mine = client.get(reverse("incident-places"), {"q": stations[0].name}).json()["results"]
    assert [place["label"] for place in mine] == [stations[0].name]


def test_editing_facts_changes_them_through_the_update_service(client, officer, stations):
    incident = recorded(stations[0], loss=Decimal("10.00"), summary="旧的案情")
    client.force_login(officer)
    url = reverse("dash-incident", args=[incident.public_id])
    facts = client.get(url).context["forms"]["facts"]
    # The form starts from the incident as it is.
    assert facts["category"].value() == incident.category.code
    assert facts["summary"].value() == "旧的案情"
    other = Category.objects.filter(is_active=True).exclude(pk=incident.category_id).first()
    response = client.post(
        url,
        {
            "form": "facts",
            "facts-category": other.code,
            "facts-lon": incident.lon,
            "facts-lat": incident.lat,
            "facts-loss": "99.50",
            "facts-summary": "新的案情",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.category_id, incident.loss, incident.summary) == (
        other.pk,
        Decimal("99.50"),
        "新的案情",
    )


def test_the_incident_page_offers_a_dispute_case_to_those_who_may_open_one(
    client, officer, make_user, stations, two_districts
):
    incident = recorded(stations[0])
    page_address = reverse("dash-incident", args=[incident.public_id])
    new_case = f"{reverse('dash-dispute-case-new')}?incident={incident.public_id}"
    client.force_login(officer)
    assert officer.has_perm("mediation.add_disputecase")
    assert new_case in client.get(page_address).content.decode()
    # The link leads to the new-case page with the incident filled in.
    assert str(incident.public_id) in client.get(new_case).content.decode()

    analyst = make_user(role=Role.CITY_ANALYST)
    assert not analyst.has_perm("mediation.add_disputecase")
    client.force_login(analyst)
    shown = client.get(page_address)
    assert shown.status_code == 200
    assert reverse("dash-dispute-case-new") not in shown.content.decode()


def test_an_entry_with_only_an_address_is_placed_from_the_address_table(client, officer, stations):
    lon, lat = inside(stations[0])
    address_table_import(
        records=iter([(1, {"address": "上海市长宁区人民路12号", "lon": lon, "lat": lat}, "")]),
        header=["address", "lon", "lat"],
        source="test",
        name="test.csv",
    )
    client.force_login(officer)
    response = client.post(NEW, entry((0, 0), **{"incident-lon": "", "incident-lat": ""}))
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert (incident.lon, incident.station_id) == (lon, stations[0].pk)
    assert incident.geocoded_address == "上海市长宁区人民路12号"
