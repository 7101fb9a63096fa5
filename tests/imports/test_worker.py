"""Import jobs on a real Celery worker (and on embedded mode's thread): progress seen while the
import's transaction is still open, a cancel that keeps nothing, an atomic failure that
changes nothing, and a POST that answers before the import ends."""

import csv
import io
import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from incidents.models import Incident

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

SPEC = {"fields": {"source_ref": "id", "reported_at": "time", "category": "kind"}}
ENDED = {"succeeded", "failed", "cancelled"}


def big_csv(rows: int, *, bad_row: int | None = None) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "time", "kind"])
    for number in range(1, rows + 1):
        moment = "not a time" if number == bad_row else f"2024-01-01T{number % 24:02d}:00:00"
        writer.writerow([f"W{number}", moment, "fight"])
    return SimpleUploadedFile("big.csv", buffer.getvalue().encode(), "text/csv")


@pytest.fixture
def client(make_user, api_client_for):
    return api_client_for(make_user(role=Role.ADMINISTRATOR))


@pytest.fixture
def worker_queue(settings, celery_worker_process):
    settings.IMPORT_QUEUE = celery_worker_process
    return celery_worker_process


def start(client, upload, **fields) -> str:
    data = {"file": upload, "source_system": "w", "mapping_spec": json.dumps(SPEC), **fields}
    response = client.post("/api/v1/imports/", data, format="multipart")
    assert response.status_code == 202, response.json()
    return response.json()["id"]


def watch(client, job_id, *, until=lambda body: body["state"] in ENDED, seconds=180):
    """Poll the job until ``until``; every answer seen."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/imports/{job_id}/").json()
        seen.append(body)
        if until(body):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not get there: {seen[-1]}")


def test_progress_shows_before_the_import_ends(client, worker_queue):
    job_id = start(client, big_csv(40_000))
    seen = watch(client, job_id)
    assert seen[-1]["state"] == "succeeded"
    assert seen[-1]["progress"]["created"] == 40_000
    during = [
        body["progress"]
        for body in seen
        if body["state"] == "running" and 0 < body["progress"]["rows_done"] < 40_000
    ]
    assert during, "no progress was seen while the import ran"
    assert during[-1]["rate"] > 0 and during[-1]["seconds_left"] is not None
    assert Incident.objects.count() == 40_000


def test_a_cancelled_import_keeps_nothing(client, worker_queue):
    job_id = start(client, big_csv(100_000))
    watch(client, job_id, until=lambda body: body["progress"]["rows_done"] > 0)
    assert client.post(f"/api/v1/imports/{job_id}/cancel/").status_code == 200
    final = watch(client, job_id)[-1]
    assert final["state"] == "cancelled", final
    assert Incident.objects.count() == 0


def test_an_atomic_import_with_a_bad_row_changes_nothing(client, worker_queue):
    job_id = start(client, big_csv(12_000, bad_row=11_000), atomic="true")
    final = watch(client, job_id)[-1]
    assert final["state"] == "failed"
    assert final["first_errors"][0] == {
        "row": 11_000,
        "field": "reported_at",
        "message": "not a date-time: 'not a time'",
        "value": "not a time",
    }
    assert Incident.objects.count() == 0


def test_embedded_mode_answers_the_post_before_the_import_ends(client, eager_celery):
    began = time.monotonic()
    job_id = start(client, big_csv(30_000))
    answered = time.monotonic() - began
    final = watch(client, job_id)[-1]
    assert final["state"] == "succeeded"
    # The POST only stored and checked the file; the import ran on a thread after it.
    assert answered < (time.monotonic() - began) / 2
    assert Incident.objects.count() == 30_000
