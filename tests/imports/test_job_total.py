"""A job on a workbook that declares no size (a write-only export) still gets its row total,
so its progress can say how far it is."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.choices import Role
from imports.jobs import import_job_run
from imports.models import ImportJob

pytestmark = pytest.mark.django_db

SPEC = {"fields": {"source_ref": "id", "reported_at": "time", "category": "kind"}}


def undeclared_workbook(rows: int) -> SimpleUploadedFile:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("reports")
    sheet.append(["id", "time", "kind"])
    for number in range(1, rows + 1):
        sheet.append([f"U{number}", f"2024-01-01T{number % 24:02d}:00:00", "fight"])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("undeclared.xlsx", buffer.getvalue())


def test_a_workbook_without_a_declared_size_gets_its_row_total_when_the_job_runs(
    make_user, api_client_for
):
    client = api_client_for(make_user(role=Role.ADMINISTRATOR))
    data = {"file": undeclared_workbook(7), "source_system": "u", "mapping_spec": json.dumps(SPEC)}
    response = client.post("/api/v1/imports/", data, format="multipart")
    assert response.status_code == 202, response.json()
    assert response.json()["rows_total"] is None
    import_job_run(job_id=ImportJob.objects.get(public_id=response.json()["id"]).pk)
    body = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert (body["rows_total"], body["progress"]["rows_done"], body["progress"]["created"]) == (
        7,
        7,
        7,
    )
