"""Merging a suspected duplicate into the incident it repeats: audited, out of the queue, and
counted once by the statistics."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from audit.models import AuditEvent
from incidents.ingest import incidents_ingest
from incidents.models import Incident
from stats.services import rollups_recompute_dirty

pytestmark = pytest.mark.django_db


def merge(client, duplicate, into):
    return client.post(
        f"/api/v1/quality/duplicate/{duplicate.public_id}/merge/",
        {"into": str(into.public_id)},
        format="json",
    )


def test_merging_records_the_duplicate_audited_and_empties_the_pair(
    officer, api_client_for, near_pair
):
    first, second = near_pair()
    client = api_client_for(officer)
    partners = client.get(f"/api/v1/quality/duplicate/{second.public_id}/partners/").json()
    assert [row["public_id"] for row in partners] == [str(first.public_id)]

    response = merge(client, second, first)

    assert response.status_code == 200, response.json()
    second.refresh_from_db()
    assert second.duplicate_of == first
    assert client.get("/api/v1/quality/").json()["duplicate"] == 0
    change = AuditEvent.objects.filter(action="update", object_id=str(second.pk)).latest("id")
    assert change.changes["duplicate_of"] == [None, str(first.public_id)]


def test_an_incident_cannot_be_merged_into_itself(officer, api_client_for, near_pair):
    first, _ = near_pair()
    response = merge(api_client_for(officer), first, first)
    assert response.status_code == 400
    assert Incident.objects.get(pk=first.pk).duplicate_of is None


def test_an_incident_cannot_be_merged_into_a_merged_one(officer, api_client_for, near_pair):
    first, second = near_pair()
    third = near_pair("E")[0]
    client = api_client_for(officer)
    assert merge(client, second, first).status_code == 200
    response = merge(client, third, second)
    assert response.status_code == 400
    assert Incident.objects.get(pk=third.pk).duplicate_of is None


def test_an_incident_cannot_be_merged_into_another_districts(
    officer, api_client_for, near_pair, make_incident, two_districts
):
    first, _ = near_pair()
    theirs = make_incident("B1", area=two_districts[1])
    assert merge(api_client_for(officer), first, theirs).status_code == 404
    assert Incident.objects.get(pk=first.pk).duplicate_of is None


def test_the_duplicates_of_a_merged_incident_follow_it(officer, near_pair):
    from incidents.services import incident_merge_duplicate

    first, second = near_pair()
    third = near_pair("E")[0]
    incident_merge_duplicate(duplicate=third, into=second, user=officer)
    incident_merge_duplicate(duplicate=second, into=first, user=officer)
    assert set(first.duplicates.all()) == {second, third}


def test_a_merged_duplicate_is_counted_once_by_the_statistics(
    settings, city, two_districts, make_user, api_client_for, officer
):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    reported = timezone.now() - timedelta(days=1)
    rows = [
        {
            "source_ref": ref,
            "category": "theft_burglary",
            "reported_at": (reported + timedelta(minutes=minutes)).isoformat(),
            "lon": 120.5,
            "lat": 30.5,
        }
        for ref, minutes in (("CALL-1", 0), ("CALL-2", 4), ("OTHER", 600))
    ]
    incidents_ingest(rows=rows, source_system="t")
    rollups_recompute_dirty()
    analyst = api_client_for(make_user(role=Role.CITY_ANALYST, home_area=city))

    def counted() -> int:
        answer = analyst.get("/api/v1/stats/summary", {"window": "28d"}).json()
        return answer["measures"]["count"]["current"]

    before = counted()
    assert before == len(rows)
    first, second = Incident.objects.filter(source_ref__startswith="CALL").order_by("source_ref")
    assert merge(api_client_for(officer), second, first).status_code == 200
    assert rollups_recompute_dirty() >= 1

    after = counted()
    assert after == before - 1
    assert after == Incident.objects.filter(duplicate_of__isnull=True).count()


def test_merging_on_the_page(client, officer, near_pair):
    first, second = near_pair()
    client.force_login(officer)
    page = client.get("/quality/?kind=duplicate").content.decode()
    assert f'<option value="{first.public_id}">' in page
    response = client.post(
        "/quality/?kind=duplicate",
        {
            "form": "merge",
            "merge-incident": str(second.public_id),
            "merge-into": str(first.public_id),
        },
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.duplicate_of == first


def test_a_merged_duplicate_is_counted_once_by_the_spike_alerts(officer, near_pair):
    from types import SimpleNamespace

    from incidents.alert_kinds import SpikeKind
    from incidents.services import incident_merge_duplicate

    first, second = near_pair()
    rule = SimpleNamespace(window_hours=24, area_id=None, categories=[], per_area_kind="")
    counted = SpikeKind()._counts(rule, timezone.now())
    incident_merge_duplicate(duplicate=second, into=first, user=officer)
    assert SpikeKind()._counts(rule, timezone.now()) == {None: counted[None] - 1}
