"""An upload's format is judged by the name it was sent with (a stored upload's own path has
no extension): a text file named .xlsx is refused as no workbook, JSON lines are JSON lines."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from imports.models import ImportJob

pytestmark = pytest.mark.django_db

SPEC = {"fields": {"source_ref": "id", "reported_at": "time", "category": "kind"}}


@pytest.fixture
def client(make_user, api_client_for):
    return api_client_for(make_user(role=Role.STATION_OFFICER))


def test_a_text_file_named_xlsx_is_refused_as_no_workbook_by_the_preview(client):
    upload = SimpleUploadedFile("reports.xlsx", b"id,time,kind\nA1,2024-03-01,fight\n")
    response = client.post("/api/v1/imports/preview/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "reports.xlsx: not an XLSX workbook" in response.json()["file"][0]


def test_a_text_file_named_xlsx_is_refused_by_the_import_and_no_job_is_made(client):
    upload = SimpleUploadedFile("reports.xlsx", b"id,time,kind\nA1,2024-03-01,fight\n")
    data = {"file": upload, "source_system": "t", "mapping_spec": json.dumps(SPEC)}
    response = client.post("/api/v1/imports/", data, format="multipart")
    assert response.status_code == 400
    assert "not an XLSX workbook" in response.json()["file"][0]
    assert not ImportJob.objects.exists()


def test_json_lines_are_previewed_as_json_lines_by_their_name(client):
    line = {"id": "J1", "time": "2024-03-01T08:00:00", "kind": "fight"}
    upload = SimpleUploadedFile("reports.jsonl", (json.dumps(line) + "\n").encode())
    response = client.post("/api/v1/imports/preview/", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.json()
    assert (response.json()["file_format"], response.json()["header"]) == (
        "jsonl",
        ["id", "time", "kind"],
    )
