"""The mediation pages that write, through Django's test client: a post that works redirects
to the case with a message; one the form or the service refuses answers 400 with the message
next to its field and what was typed; another district's case is a 404, a role without the
permission a 403."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from areas.models import Area
from incidents.ingest import incidents_ingest
from incidents.models import Incident
from mediation.choices import ALLOWED_TRANSITIONS, CaseStatus
from mediation.models import DisputeCase, DisputeType, FollowUp
from mediation.services import case_create, followup_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(two_districts):
    return Area.objects.get(parent=two_districts[0])


@pytest.fixture
def other_station(two_districts):
    return Area.objects.get(parent=two_districts[1])


@pytest.fixture
def officer(station, make_user):
    return make_user(role=Role.STATION_OFFICER, home_area=station)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def case(station, officer):
    return case_create(
        user=officer,
        area=station,
        type=DisputeType.objects.get(code="neighbour"),
        summary="楼上楼下噪音纠纷",
        source="patrol",
        parties=[{"name": "张三丰", "phone": "13812345678", "role": "申请人"}],
    )


def field_errors(response, name: str, field: str) -> list[str]:
    return list(response.context["forms"][name].errors.get(field, []))


def test_a_case_opened_on_the_page_is_saved_and_the_page_redirects_to_it(officer_client, station):
    response = officer_client.post(
        reverse("dash-dispute-case-new"),
        {"form": "case", "case-type": "labour", "case-source": "screening",
         "case-risk": "medium", "case-summary": "工地欠薪", "case-area": station.pk,
         "case-parties": "王五，13900001111，申请人\n赵六"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["forms"]["case"].errors
    case = DisputeCase.objects.get()
    assert response["Location"] == reverse("dash-dispute-case", args=[case.public_id])
    assert (case.type.code, case.area, case.status) == ("labour", station, CaseStatus.SCREENED)
    assert case.parties == [
        {"name": "王五", "phone": "13900001111", "role": "申请人"},
        {"name": "赵六", "phone": "", "role": ""},
    ]
    page = officer_client.get(response["Location"])
    assert "已登记矛盾纠纷。" in page.content.decode()


def test_a_location_outside_the_jurisdiction_is_refused_next_to_the_field_with_the_input_kept(
    officer_client, other_station
):
    lon, lat = other_station.geometry["coordinates"][0][0]
    response = officer_client.post(
        reverse("dash-dispute-case-new"),
        {"form": "case", "case-type": "family", "case-source": "walk_in", "case-risk": "low",
         "case-summary": "家庭矛盾", "case-lon": lon + 0.5, "case-lat": lat + 0.5},
    )  # fmt: skip
    assert response.status_code == 400
    assert field_errors(response, "case", "lon") == ["该位置不在你辖区的任何区域内"]
    html = response.content.decode()
    assert 'data-errors="lon"' in html and "家庭矛盾" in html
    assert not DisputeCase.objects.exists()


def test_a_case_from_an_incident_is_linked_and_the_same_incident_twice_is_refused(
    officer_client, officer
):
    incidents_ingest(
        rows=[{"source_ref": "D1", "category": "dispute_labor", "lon": 120.5, "lat": 30.5,
               "reported_at": (timezone.now() - timedelta(hours=2)).isoformat(),
               "summary": "工人讨薪"}],
        source_system="t",
    )  # fmt: skip
    incident = Incident.objects.get()
    prefilled = officer_client.get(
        reverse("dash-dispute-case-new"), {"incident": incident.public_id}
    )
    form = prefilled.context["forms"]["case"]
    assert form.initial["type"].code == "labour" and form.initial["summary"] == "工人讨薪"
    body = {"form": "case", "case-incident": incident.public_id, "case-type": "labour",
            "case-source": "call_110", "case-risk": "low", "case-summary": "工人讨薪"}  # fmt: skip
    opened = officer_client.post(reverse("dash-dispute-case-new"), body)
    assert opened.status_code == 302, opened.context["forms"]["case"].errors
    case = DisputeCase.objects.get()
    assert (case.incident, case.area_path) == (incident, incident.area_path)
    again = officer_client.post(reverse("dash-dispute-case-new"), body)
    assert again.status_code == 400
    assert field_errors(again, "case", "incident") == ["已有矛盾纠纷案件"]


def test_the_transition_form_offers_only_the_steps_the_status_allows(officer_client, case):
    page = officer_client.get(reverse("dash-dispute-case", args=[case.public_id]))
    offered = {value for value, _ in page.context["forms"]["transition"].fields["to"].choices}
    assert offered == set(ALLOWED_TRANSITIONS[CaseStatus.SCREENED])


def test_a_transfer_without_its_agency_answers_400_next_to_the_agency(officer_client, case):
    url = reverse("dash-dispute-case", args=[case.public_id])
    response = officer_client.post(
        url, {"form": "transition", "transition-to": "transferred", "transition-note": "转劳动"}
    )
    assert response.status_code == 400
    assert field_errors(response, "transition", "agency") == ["请选择流转部门"]
    assert 'value="transferred" selected' in response.content.decode()
    assert DisputeCase.objects.get().status == CaseStatus.SCREENED
    moved = officer_client.post(
        url,
        {"form": "transition", "transition-to": "transferred",
         "transition-agency": "labour_bureau", "transition-note": "转劳动"},
    )  # fmt: skip
    assert moved.status_code == 302 and moved["Location"] == url
    case.refresh_from_db()
    assert (case.status, case.transferred_to) == (CaseStatus.TRANSFERRED, "labour_bureau")
    assert case.changes.last().note == "转劳动"


def test_a_final_case_offers_no_transition_and_the_service_refuses_one_posted(officer_client, case):
    url = reverse("dash-dispute-case", args=[case.public_id])
    body = {"form": "transition", "transition-to": "resolved"}
    assert officer_client.post(url, body).status_code == 302
    page = officer_client.get(url)
    assert "transition" not in page.context["forms"]
    again = officer_client.post(url, body)
    assert again.status_code == 400
    assert field_errors(again, "transition", "to") == [
        "不能从 resolved（已是最终状态） 转为 resolved"
    ]
    assert DisputeCase.objects.get().changes.count() == 2


def test_follow_ups_are_recorded_and_completed_on_the_case_page(officer_client, case):
    url = reverse("dash-dispute-case", args=[case.public_id])
    due = (timezone.localtime() + timedelta(days=3)).replace(second=0, microsecond=0)
    added = officer_client.post(
        url,
        {"form": "follow_up", "follow_up-due_at": due.strftime("%Y-%m-%dT%H:%M"),
         "follow_up-note": "电话回访"},
    )  # fmt: skip
    assert added.status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.due_at, follow_up.note) == (due, "电话回访")
    missing = officer_client.post(url, {"form": "follow_up", "follow_up-note": "上门"})
    assert missing.status_code == 400 and field_errors(missing, "follow_up", "due_at")
    assert "上门" in missing.content.decode()
    done = officer_client.post(
        url, {"form": "complete", "complete-follow_up": follow_up.pk, "complete-outcome": "已和解"}
    )
    assert done.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.outcome == "已和解"
    twice = officer_client.post(
        url, {"form": "complete", "complete-follow_up": follow_up.pk, "complete-outcome": "x"}
    )
    assert twice.status_code == 400
    assert "该回访已完成" in twice.content.decode()


def test_another_districts_officer_gets_404_for_the_case_and_its_forms(
    client, case, other_station, make_user
):
    client.force_login(make_user(role=Role.STATION_OFFICER, home_area=other_station))
    url = reverse("dash-dispute-case", args=[case.public_id])
    assert client.get(url).status_code == 404
    posted = client.post(url, {"form": "transition", "transition-to": "resolved"})
    assert posted.status_code == 404
    follow_up = followup_create(case=case, due_at=timezone.now() + timedelta(days=1))
    completed = client.post(url, {"form": "complete", "complete-follow_up": follow_up.pk})
    assert completed.status_code == 404
    assert DisputeCase.objects.get().status == CaseStatus.SCREENED


def test_a_role_without_the_permission_is_not_offered_the_forms_and_gets_403(
    client, case, station, two_districts, make_user
):
    client.force_login(make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0]))
    url = reverse("dash-dispute-case", args=[case.public_id])
    page = client.get(url)
    assert page.status_code == 200 and page.context["forms"] == {}
    assert client.post(url, {"form": "transition", "transition-to": "resolved"}).status_code == 403
    assert client.get(reverse("dash-dispute-case-new")).status_code == 403
    new = client.post(
        reverse("dash-dispute-case-new"),
        {"form": "case", "case-type": "family", "case-source": "walk_in", "case-risk": "low",
         "case-summary": "x", "case-area": station.pk},
    )  # fmt: skip
    assert new.status_code == 403 and not DisputeCase.objects.filter(summary="x").exists()
