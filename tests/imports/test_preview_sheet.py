"""The preview of another sheet of a workbook, chosen by name before any mapping exists (the
import page's sheet picker)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.choices import Role

pytestmark = pytest.mark.django_db


def two_sheet_workbook() -> SimpleUploadedFile:
    book = Workbook()
    book.active.title = "notes"
    book.active.append(["note"])
    book.active.append(["see the other sheet"])
    reports = book.create_sheet("reports")
    reports.append(["编号", "报警时间", "类别"])
    reports.append(["B1", "2024-03-01 08:00", "打架"])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("two.xlsx", buffer.getvalue())


def test_a_preview_reads_the_sheet_named(make_user, api_client_for):
    client = api_client_for(make_user(role=Role.STATION_OFFICER))
    response = client.post(
        "/api/v1/imports/preview/",
        {"file": two_sheet_workbook(), "sheet": "reports"},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["sheet"], body["sheet_names"]) == ("reports", ["notes", "reports"])
    assert body["header"] == ["编号", "报警时间", "类别"]
    assert body["missing_fields"] == []


def test_a_preview_of_a_sheet_the_workbook_lacks_is_refused_naming_its_sheets(
    make_user, api_client_for
):
    client = api_client_for(make_user(role=Role.STATION_OFFICER))
    response = client.post(
        "/api/v1/imports/preview/",
        {"file": two_sheet_workbook(), "sheet": "nope"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "notes, reports" in response.json()["file"][0]
