"""A cancel carries no body, and is taken whatever body a client sends: JSON from a page's
script as well as a form."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role

pytestmark = pytest.mark.django_db

SPEC = {"fields": {"source_ref": "id", "reported_at": "time", "category": "kind"}}


@pytest.mark.parametrize("body_format", ["json", "multipart"])
def test_a_queued_job_is_cancelled_by_a_post_of_either_format(
    make_user, api_client_for, body_format
):
    client = api_client_for(make_user(role=Role.ADMINISTRATOR))
    upload = SimpleUploadedFile("a.csv", b"id,time,kind\nQ1,2024-03-01T08:00:00,fight\n")
    data = {"file": upload, "source_system": "q", "mapping_spec": json.dumps(SPEC)}
    job = client.post("/api/v1/imports/", data, format="multipart").json()
    response = client.post(f"/api/v1/imports/{job['id']}/cancel/", {}, format=body_format)
    assert response.status_code == 200, response.content
    assert response.json()["cancel_requested"] is True
