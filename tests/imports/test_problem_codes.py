"""A refused upload's answer names the kind of problem (``file_problem``) beside the message,
for the import page to say it in its own language."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role

pytestmark = pytest.mark.django_db

SPEC = {"fields": {"source_ref": "id", "reported_at": "time", "category": "kind"}}


def bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 50_000_000)
    return buffer.getvalue()


@pytest.fixture
def client(make_user, api_client_for):
    return api_client_for(make_user(role=Role.STATION_OFFICER))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("a.xlsx", b"id,time,kind\n1,2024-01-01,fight\n", "not_workbook"),
        ("a.xlsx", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504, "encrypted"),
        ("a.xlsx", bomb(), "zip_bomb"),
        ("a.csv", b"id,time,kind\n1,\xff\xfe\xff,fight\n", "encoding"),
        ("a.csv", b"id,time,kind\n", "no_rows"),
    ],
)
def test_a_refused_preview_names_the_kind_of_problem(client, name, content, code):
    upload = SimpleUploadedFile(name, content)
    response = client.post("/api/v1/imports/preview/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert response.json()["file_problem"] == code
    assert response.json()["file"][0]


def test_an_import_of_a_file_without_the_mapped_columns_names_the_kind_of_problem(client):
    upload = SimpleUploadedFile("a.csv", b"id,kind\n1,fight\n")
    data = {"file": upload, "source_system": "c", "mapping_spec": json.dumps(SPEC)}
    response = client.post("/api/v1/imports/", data, format="multipart")
    assert response.status_code == 400
    assert response.json()["file_problem"] == "missing_columns"
    assert "missing column(s) time" in response.json()["file"][0]
