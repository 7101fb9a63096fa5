"""The data-quality queue's API: counts, lists and fixes, scoped to the caller."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from incidents.models import Incident
from quality.models import QualityDismissal

pytestmark = pytest.mark.django_db


def test_unlocated_incident_is_counted_and_listed_with_its_reason(
    officer, api_client_for, unlocated, make_incident
):
    item = unlocated("U1")
    make_incident("LOCATED")
    client = api_client_for(officer)
    assert client.get("/api/v1/quality/").json()["unlocated"] == 1
    listed = client.get("/api/v1/quality/unlocated/").json()["results"]
    assert [(row["public_id"], row["unlocated_reason"]) for row in listed] == [
        (str(item.public_id), "no_match")
    ]


def test_fuzzy_geocode_below_the_review_score_is_listed(officer, api_client_for, fuzzy, settings):
    settings.QUALITY_REVIEW_SCORE = 95
    doubtful, _sure = fuzzy("F1", 80), fuzzy("F2", 97)
    listed = api_client_for(officer).get("/api/v1/quality/low_confidence/").json()["results"]
    assert [row["public_id"] for row in listed] == [str(doubtful.public_id)]


def test_placing_an_unlocated_incident_takes_it_out_of_the_queue(
    officer, api_client_for, unlocated
):
    item = unlocated("U1")
    client = api_client_for(officer)
    response = client.post(
        f"/api/v1/quality/unlocated/{item.public_id}/place/",
        {"lon": 120.4, "lat": 30.4},
        format="json",
    )
    assert response.status_code == 200, response.json()
    item.refresh_from_db()
    assert (item.lon, item.lat, item.unlocated_reason) == (120.4, 30.4, "")
    assert client.get("/api/v1/quality/").json()["unlocated"] == 0
    assert AuditEvent.objects.filter(action="update", object_id=str(item.pk)).exists()


def test_moving_a_doubtful_geocode_records_the_point_as_given(officer, api_client_for, fuzzy):
    item = fuzzy("F1", 80)
    response = api_client_for(officer).post(
        f"/api/v1/quality/low_confidence/{item.public_id}/place/",
        {"lon": 120.6, "lat": 30.6},
        format="json",
    )
    assert response.status_code == 200, response.json()
    item.refresh_from_db()
    assert (item.lon, item.lat, item.geocode_quality) == (120.6, 30.6, "")


def test_placing_outside_the_officers_jurisdiction_is_refused(officer, api_client_for, unlocated):
    item = unlocated("U1")
    response = api_client_for(officer).post(
        f"/api/v1/quality/unlocated/{item.public_id}/place/",
        {"lon": 122.5, "lat": 30.5},
        format="json",
    )
    assert response.status_code == 400
    assert Incident.objects.get(pk=item.pk).lat is None


def test_dismissing_accepts_an_unlocatable_incident(officer, api_client_for, unlocated):
    item = unlocated("U1")
    client = api_client_for(officer)
    response = client.post(
        f"/api/v1/quality/unlocated/{item.public_id}/dismiss/", {"note": "地址不详"}, format="json"
    )
    assert response.status_code == 201
    dismissal = QualityDismissal.objects.get()
    assert (dismissal.kind, dismissal.incident, dismissal.by, dismissal.note) == (
        "unlocated",
        item,
        officer,
        "地址不详",
    )
    assert client.get("/api/v1/quality/").json()["unlocated"] == 0
    assert client.get("/api/v1/quality/unlocated/").json()["results"] == []


def test_a_dismissal_keeps_the_incident_in_other_kinds_queues(officer, api_client_for, fuzzy):
    item = fuzzy("F1", 80)
    QualityDismissal.objects.create(kind="unlocated", incident=item, by=officer)
    assert api_client_for(officer).get("/api/v1/quality/").json()["low_confidence"] == 1


def test_another_districts_items_are_not_listed_nor_fixable(
    officer, api_client_for, unlocated, two_districts
):
    theirs = unlocated("B1", area=two_districts[1])
    client = api_client_for(officer)
    assert client.get("/api/v1/quality/").json()["unlocated"] == 0
    assert client.get("/api/v1/quality/unlocated/").json()["results"] == []
    base = f"/api/v1/quality/unlocated/{theirs.public_id}"
    assert client.post(f"{base}/dismiss/", {}, format="json").status_code == 404
    place = client.post(f"{base}/place/", {"lon": 120.4, "lat": 30.4}, format="json")
    assert place.status_code == 404
    assert not QualityDismissal.objects.exists()


def test_a_viewer_may_list_but_not_fix(make_user, two_districts, api_client_for, unlocated):
    from accounts.choices import Role

    viewer = make_user(role=Role.VIEWER, home_area=two_districts[0])
    item = unlocated("U1")
    client = api_client_for(viewer)
    assert client.get("/api/v1/quality/").json()["unlocated"] == 1
    response = client.post(
        f"/api/v1/quality/unlocated/{item.public_id}/dismiss/", {}, format="json"
    )
    assert response.status_code == 403


def test_an_unknown_kind_is_not_found(officer, api_client_for):
    assert api_client_for(officer).get("/api/v1/quality/nonsense/").status_code == 404


def test_arrival_before_dispatch_is_an_impossible_timeline(
    officer, api_client_for, make_incident, wrong_timeline
):
    wrong = wrong_timeline("T1")
    make_incident("OK", dispatched_at=wrong.reported_at + timedelta(minutes=1))
    listed = api_client_for(officer).get("/api/v1/quality/timeline/").json()["results"]
    assert [row["public_id"] for row in listed] == [str(wrong.public_id)]


def test_correcting_the_times_takes_the_incident_out_of_the_queue(
    officer, api_client_for, wrong_timeline
):
    wrong = wrong_timeline("T1")
    client = api_client_for(officer)
    dispatched = wrong.reported_at + timedelta(minutes=2)
    response = client.post(
        f"/api/v1/quality/timeline/{wrong.public_id}/times/",
        {"dispatched_at": dispatched.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    wrong.refresh_from_db()
    assert wrong.dispatched_at == dispatched
    assert client.get("/api/v1/quality/").json()["timeline"] == 0
    assert AuditEvent.objects.filter(action="update", object_id=str(wrong.pk)).exists()


def test_a_correction_that_is_still_impossible_is_refused(officer, api_client_for, wrong_timeline):
    wrong = wrong_timeline("T1")
    response = api_client_for(officer).post(
        f"/api/v1/quality/timeline/{wrong.public_id}/times/",
        {"closed_at": (wrong.reported_at + timedelta(minutes=30)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "on_scene_at"


def test_same_category_near_in_space_and_time_is_a_suspected_duplicate(
    officer, api_client_for, make_incident, settings
):
    settings.QUALITY_DUPLICATE_METRES, settings.QUALITY_DUPLICATE_MINUTES = 200, 30
    reported = timezone.now() - timedelta(hours=2)
    first = make_incident("D1", reported_at=reported, lon=120.5, lat=30.5)
    second = make_incident(
        "D2", reported_at=reported + timedelta(minutes=10), lon=120.5005, lat=30.5005
    )
    make_incident("FAR", reported_at=reported, lon=120.52, lat=30.5)
    make_incident("LATER", reported_at=reported + timedelta(hours=1), lon=120.5, lat=30.5)
    listed = api_client_for(officer).get("/api/v1/quality/duplicate/").json()["results"]
    assert {row["public_id"] for row in listed} == {str(first.public_id), str(second.public_id)}


def test_keeping_both_of_a_pair_takes_the_pair_out_of_the_queue(officer, api_client_for, near_pair):
    first, _second = near_pair()
    client = api_client_for(officer)
    assert client.get("/api/v1/quality/").json()["duplicate"] == 2
    response = client.post(
        f"/api/v1/quality/duplicate/{first.public_id}/dismiss/", {}, format="json"
    )
    assert response.status_code == 201
    assert client.get("/api/v1/quality/").json()["duplicate"] == 0


def test_another_districts_incident_makes_no_suspected_duplicate(
    officer, api_client_for, make_incident, two_districts
):
    reported = timezone.now() - timedelta(hours=2)
    make_incident("D1", reported_at=reported)
    make_incident("B1", area=two_districts[1], reported_at=reported)
    assert api_client_for(officer).get("/api/v1/quality/").json()["duplicate"] == 0
