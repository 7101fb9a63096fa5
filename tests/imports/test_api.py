"""The import API: jobs created by upload (checked at once, queued), run as their user, with
dry runs, error reports, previews and stored mappings. The job runs here by calling its
service; tests/imports/test_worker.py runs jobs on a real Celery worker."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from audit.models import AuditEvent
from imports.jobs import import_job_run
from imports.models import ImportJob
from incidents.models import Incident

pytestmark = pytest.mark.django_db

SPEC = {
    "fields": {
        "source_ref": "编号",
        "reported_at": "报警时间",
        "category": {"column": "类别", "values": {"打架": "fight"}},
        "lon": "经度",
        "lat": "纬度",
    },
    "time_zone": "Asia/Shanghai",
}
HEADER = ["编号", "报警时间", "类别", "经度", "纬度"]


def csv_upload(rows, name="警情.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), "text/csv")


def post_import(client, upload, **fields):
    data = {"file": upload, "source_system": "tests", "mapping_spec": json.dumps(SPEC), **fields}
    return client.post("/api/v1/imports/", data, format="multipart")


ROWS = [
    ["A1", "2024-03-01 08:00", "打架", "120.5", "30.5"],
    ["A2", "2024-03-01 09:00", "打架", "122.5", "30.5"],  # the other district
    ["A3", "2024-03-01 10:00", "斗殴", "120.5", "30.5"],  # no such category
]


@pytest.fixture
def officer(make_user, two_districts):
    return make_user(role=Role.STATION_OFFICER, home_area=two_districts[0])


def run_job(response) -> dict:
    job = ImportJob.objects.get(public_id=response.json()["id"])
    import_job_run(job_id=job.pk)
    return job


def test_an_upload_answers_202_with_the_queued_job(officer, api_client_for):
    response = post_import(api_client_for(officer), csv_upload(ROWS))
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["state"], body["rows_total"], body["file_format"]) == ("queued", 3, "csv")
    assert body["progress"]["rows_done"] == 0


def test_a_job_imports_as_its_user_rows_outside_their_jurisdiction_rejected(
    officer, api_client_for
):
    client = api_client_for(officer)
    response = post_import(client, csv_upload(ROWS))
    run_job(response)
    body = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert body["state"] == "succeeded"
    counts = {k: body["progress"][k] for k in ("created", "updated", "unchanged", "rejected")}
    assert counts == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 2}
    assert [(e["row"], e["field"], e["value"]) for e in body["first_errors"]] == [
        (2, "lon", "122.5, 30.5"),
        (3, "category", "斗殴"),
    ]
    assert list(Incident.objects.values_list("source_ref", flat=True)) == ["A1"]


def test_a_dry_run_writes_nothing_and_answers_what_it_would_do(officer, api_client_for):
    client = api_client_for(officer)
    response = post_import(client, csv_upload(ROWS), dry_run="true")
    run_job(response)
    body = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert (body["state"], body["kept"], body["progress"]["created"]) == ("succeeded", False, 1)
    assert body["progress"]["rejected"] == 2
    assert Incident.objects.count() == 0


def test_the_errors_csv_lists_rejected_rows_with_their_values_and_records(officer, api_client_for):
    client = api_client_for(officer)
    response = post_import(client, csv_upload(ROWS))
    run_job(response)
    download = client.get(
        client.get(f"/api/v1/imports/{response.json()['id']}/").json()["errors_csv"]
    )
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["row"], r["field"], r["value"]) for r in rows] == [
        ("2", "lon", "122.5, 30.5"),
        ("3", "category", "斗殴"),
    ]
    assert "A3" in rows[1]["record"]


def test_an_import_is_audited_with_file_hash_mapping_and_counts(officer, api_client_for):
    response = post_import(api_client_for(officer), csv_upload(ROWS))
    job = run_job(response)
    event = AuditEvent.objects.get(object_type="imports.importjob", action="bulk_ingest")
    assert event.actor_id == officer.pk
    assert event.changes["sha256"] == ImportJob.objects.get(pk=job.pk).sha256
    assert event.changes["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 2}
    assert event.changes["file_name"] == "警情.csv"


def test_a_user_sees_only_their_own_jobs_and_an_administrator_all(
    officer, make_user, two_districts, api_client_for
):
    other = make_user(role=Role.STATION_OFFICER, home_area=two_districts[1])
    mine = post_import(api_client_for(officer), csv_upload(ROWS)).json()["id"]
    theirs = post_import(api_client_for(other), csv_upload(ROWS)).json()["id"]
    client = api_client_for(officer)
    assert [job["id"] for job in client.get("/api/v1/imports/").json()["results"]] == [mine]
    assert client.get(f"/api/v1/imports/{theirs}/").status_code == 404
    admin = api_client_for(make_user(role=Role.ADMINISTRATOR))
    assert {job["id"] for job in admin.get("/api/v1/imports/").json()["results"]} == {mine, theirs}


def test_a_bad_file_is_refused_at_once_naming_the_problem(officer, api_client_for):
    upload = SimpleUploadedFile("a.csv", "编号,类别\nA1,打架\n".encode(), "text/csv")
    response = post_import(api_client_for(officer), upload)
    assert response.status_code == 400
    assert (
        "missing column(s) 報警時間".replace("報警時間", "报警时间") in response.json()["file"][0]
    )
    assert ImportJob.objects.count() == 0


def test_a_viewer_may_not_import(make_user, api_client_for, city):
    viewer = make_user(role=Role.VIEWER, home_area=city)
    assert post_import(api_client_for(viewer), csv_upload(ROWS)).status_code == 403


def test_cancelling_a_queued_job_ends_it_without_running(officer, api_client_for):
    client = api_client_for(officer)
    response = post_import(client, csv_upload(ROWS))
    cancelled = client.post(f"/api/v1/imports/{response.json()['id']}/cancel/").json()
    assert (cancelled["state"], cancelled["error"]) == ("cancelled", "cancelled before it started")
    run_job(response)  # a worker that takes it up afterwards leaves it
    body = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert body["state"] == "cancelled"
    assert Incident.objects.count() == 0


def test_a_preview_shows_header_rows_a_proposed_mapping_and_distinct_values(
    officer, api_client_for
):
    upload = csv_upload([*ROWS, ["A4", "2024-03-01 11:00", "打架", "", ""]])
    response = api_client_for(officer).post(
        "/api/v1/imports/preview/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["header"] == HEADER
    assert body["rows"][0] == ["A1", "2024-03-01 08:00", "打架", "120.5", "30.5"]
    fields = body["proposed_mapping"]["fields"]
    assert (fields["source_ref"], fields["reported_at"], fields["lon"]) == (
        "编号",
        "报警时间",
        "经度",
    )
    assert fields["category"]["column"] == "类别"
    assert body["missing_fields"] == []
    assert body["distinct_values"]["category"] == [
        {"value": "打架", "count": 3},
        {"value": "斗殴", "count": 1},
    ]


def test_mappings_are_saved_as_versions_and_read_by_name(officer, api_client_for):
    client = api_client_for(officer)
    for zone in ("Asia/Shanghai", "UTC"):
        response = client.post(
            "/api/v1/import-mappings/",
            {"name": "接警系统", "spec": {**SPEC, "time_zone": zone}},
            format="json",
        )
        assert response.status_code == 201, response.json()
    body = client.get("/api/v1/import-mappings/接警系统/").json()
    assert body["versions"] == [2, 1]
    assert body["latest"]["spec"]["time_zone"] == "UTC"
    assert body["latest"]["author"] == officer.username
    bad = client.post("/api/v1/import-mappings/", {"name": "x", "spec": {}}, format="json")
    assert bad.status_code == 400


def test_a_job_takes_a_stored_mapping_by_name(officer, api_client_for):
    client = api_client_for(officer)
    client.post("/api/v1/import-mappings/", {"name": "接警系统", "spec": SPEC}, format="json")
    data = {"file": csv_upload(ROWS), "source_system": "tests", "mapping": "接警系统"}
    response = client.post("/api/v1/imports/", data, format="multipart")
    assert (response.json()["mapping"], response.json()["mapping_version"]) == ("接警系统", 1)


def test_a_file_over_the_upload_limit_is_a_413_naming_it(officer, api_client_for, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 50
    response = post_import(api_client_for(officer), csv_upload(ROWS))
    assert response.status_code == 413
    assert "50" in response.json()["detail"]
    assert ImportJob.objects.count() == 0


def test_a_job_left_running_by_a_dead_worker_fails_when_its_task_comes_again(
    officer, api_client_for
):
    client = api_client_for(officer)
    response = post_import(client, csv_upload(ROWS))
    ImportJob.objects.filter(public_id=response.json()["id"]).update(state="running")
    run_job(response)  # the task, delivered again after its worker was killed
    body = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert body["state"] == "failed"
    assert "stopped before it ended: nothing was saved" in body["error"]
    assert Incident.objects.count() == 0
