"""Rows an import mapping filed under its fallback category carry a marker on every ingest
path; the queue lists them, and a person sets the real category or accepts the fallback."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from imports.mapping import mapping_from_spec
from incidents.ingest import chunked, incidents_ingest, incidents_ingest_chunks
from incidents.models import Incident
from stats.models import DirtyDay

pytestmark = pytest.mark.django_db

REPORTED = (timezone.now() - timedelta(hours=2)).replace(microsecond=0).isoformat()
SPEC = {
    "fields": {
        "source_ref": "编号",
        "reported_at": "时间",
        "category": {"column": "类别", "values": {"盗窃": "theft"}, "default": "other"},
        "lon": "经度",
        "lat": "纬度",
    }
}


def records(prefix: str) -> list[dict]:
    """One record the map knows, one it lacks."""
    return [
        {"编号": f"{prefix}-KNOWN", "时间": REPORTED, "类别": "盗窃", "经度": 120.5, "纬度": 30.5},
        {
            "编号": f"{prefix}-ODD",
            "时间": REPORTED,
            "类别": "奇怪的事",
            "经度": 120.5,
            "纬度": 30.5,
        },
    ]


def marked(prefix: str) -> dict[str, tuple[str, bool]]:
    return {
        ref: (code, flag)
        for ref, code, flag in Incident.objects.filter(source_ref__startswith=prefix).values_list(
            "source_ref", "category__code", "category_defaulted"
        )
    }


EXPECTED = {"-KNOWN": ("theft", False), "-ODD": ("other", True)}


def expected(prefix: str) -> dict[str, tuple[str, bool]]:
    return {prefix + suffix: value for suffix, value in EXPECTED.items()}


def test_a_mapping_fallback_marks_the_incident_when_copied_in_bulk(two_districts):
    mapping = mapping_from_spec(SPEC)
    rows = [mapping.to_row(record) for record in records("COPY")]
    report = incidents_ingest_chunks(chunked(rows), source_system="file")
    assert report.created == 2
    assert marked("COPY") == expected("COPY")


def test_a_mapping_fallback_marks_the_incident_when_created_one_by_one(two_districts):
    mapping = mapping_from_spec(SPEC)
    rows = [mapping.to_row(record) for record in records("ONE")]
    report = incidents_ingest(rows=rows, return_incidents=True)
    assert report.created == 2
    assert marked("ONE") == expected("ONE")


def test_a_rest_client_may_say_its_category_is_a_fallback(officer, api_client_for):
    row = {"source_ref": "REST-ODD", "category": "other", "reported_at": REPORTED}
    row |= {"lon": 120.5, "lat": 30.5, "category_defaulted": True}
    response = api_client_for(officer).post("/api/v1/incidents/", row, format="json")
    assert response.status_code == 201, response.json()
    assert Incident.objects.get(source_ref="REST-ODD").category_defaulted is True


def test_a_flag_that_is_not_true_or_false_is_refused(officer, api_client_for):
    row = {"source_ref": "R", "category": "other", "reported_at": REPORTED}
    row |= {"lon": 120.5, "lat": 30.5, "category_defaulted": "perhaps"}
    response = api_client_for(officer).post("/api/v1/incidents/", row, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "category_defaulted"


def test_setting_the_real_category_takes_it_out_of_the_queue_audited_and_marked(
    officer, api_client_for, make_incident
):
    item = make_incident("ODD", category_defaulted=True)
    make_incident("KNOWN")
    client = api_client_for(officer)
    assert client.get("/api/v1/quality/").json()["default_category"] == 1
    listed = client.get("/api/v1/quality/default_category/").json()["results"]
    assert [row["public_id"] for row in listed] == [str(item.public_id)]
    DirtyDay.objects.all().delete()

    response = client.post(
        f"/api/v1/quality/default_category/{item.public_id}/category/",
        {"category": "theft_burglary"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    item.refresh_from_db()
    assert (item.category.code, item.category_defaulted) == ("theft_burglary", False)
    assert item.category_path.endswith("/theft_burglary/")
    assert client.get("/api/v1/quality/").json()["default_category"] == 0
    change = AuditEvent.objects.filter(action="update", object_id=str(item.pk)).latest("id")
    assert "category_id" in change.changes and "category_defaulted" in change.changes
    assert DirtyDay.objects.filter(source="incidents").exists()


def test_an_unknown_category_is_refused_and_the_item_stays(officer, api_client_for, make_incident):
    item = make_incident("ODD", category_defaulted=True)
    client = api_client_for(officer)
    response = client.post(
        f"/api/v1/quality/default_category/{item.public_id}/category/",
        {"category": "no-such-code"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "category"
    assert client.get("/api/v1/quality/").json()["default_category"] == 1


def test_accepting_the_fallback_keeps_the_category(officer, api_client_for, make_incident):
    item = make_incident("ODD", category_defaulted=True)
    client = api_client_for(officer)
    response = client.post(
        f"/api/v1/quality/default_category/{item.public_id}/dismiss/", {}, format="json"
    )
    assert response.status_code == 201
    assert client.get("/api/v1/quality/").json()["default_category"] == 0
    item.refresh_from_db()
    assert item.category_defaulted is True


def test_changing_the_category_elsewhere_clears_the_marker(officer, make_incident):
    from incidents.services import incident_update

    item = make_incident("ODD", category_defaulted=True)
    incident_update(incident=item, data={"category": "theft_burglary"}, user=officer)
    item.refresh_from_db()
    assert item.category_defaulted is False


def test_changing_another_fact_keeps_the_marker(officer, make_incident):
    from incidents.services import incident_update

    item = make_incident("ODD", category_defaulted=True)
    incident_update(incident=item, data={"summary": "补充"}, user=officer)
    item.refresh_from_db()
    assert item.category_defaulted is True


def test_setting_the_category_on_the_page(client, officer, make_incident):
    item = make_incident("ODD", category_defaulted=True)
    client.force_login(officer)
    page = client.get("/quality/?kind=default_category").content.decode()
    assert str(item.public_id) in page and 'data-form="category"' in page
    response = client.post(
        "/quality/?kind=default_category",
        {
            "form": "category",
            "category-incident": str(item.public_id),
            "category-category": "theft_burglary",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.category.code, item.category_defaulted) == ("theft_burglary", False)
