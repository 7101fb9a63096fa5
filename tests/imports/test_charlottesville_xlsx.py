"""The real Charlottesville reports as an XLSX workbook (made here from the CSV, with number
and date cells as a spreadsheet holds them) import through the API exactly as the command
imports the CSV."""

import csv
import io
import json
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from accounts.choices import Role
from imports.jobs import import_job_run
from imports.models import ImportJob
from incidents.models import Incident

pytestmark = pytest.mark.django_db

MAPPING = "docs/examples/charlottesville.mapping.json"


def command_on_csv(path) -> str:
    out = StringIO()
    call_command(
        "import_incidents", str(path), f"--mapping={MAPPING}", "--source=charlottesville",
        "--no-progress", stdout=out, stderr=StringIO(),
    )  # fmt: skip
    return out.getvalue().splitlines()[0]


def workbook_of(path) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("incidents")
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        sheet.append(header)
        for row in reader:
            record = dict(zip(header, row, strict=True))
            record["record_id"] = int(record["record_id"])
            reported = datetime.fromisoformat(record["date_reported"]).astimezone(UTC)
            record["date_reported"] = reported.replace(tzinfo=None)  # Excel has no zones
            for name in ("lon", "lat"):
                record[name] = float(record[name]) if record[name] else None
            sheet.append([record[name] for name in header])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_charlottesville_workbook_imports_through_the_api_as_the_csv_does(
    shared_data, make_user, api_client_for
):
    path = shared_data / "charlottesville" / "incidents.csv"
    by_command = command_on_csv(path)
    assert by_command == "9265 created, 0 updated, 0 unchanged, 0 rejected"
    Incident.objects.all().delete()

    client = api_client_for(make_user(role=Role.ADMINISTRATOR))
    upload = SimpleUploadedFile("incidents.xlsx", workbook_of(path))
    spec = json.loads(Path(MAPPING).read_text(encoding="utf-8"))
    response = client.post(
        "/api/v1/imports/",
        {"file": upload, "source_system": "charlottesville", "mapping_spec": json.dumps(spec)},
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    assert response.json()["file_format"] == "xlsx"
    import_job_run(job_id=ImportJob.objects.get(public_id=response.json()["id"]).pk)
    body = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    progress = body["progress"]
    by_api = (
        f"{progress['created']} created, {progress['updated']} updated, "
        f"{progress['unchanged']} unchanged, {progress['rejected']} rejected"
    )
    assert (body["state"], by_api) == ("succeeded", by_command)
    # The same values: the CSV, imported again by the command, changes none of them.
    assert command_on_csv(path) == "0 created, 0 updated, 9265 unchanged, 0 rejected"
