"""Input files: XLSX read as a stream, and every kind of bad file refused with a clear reason
before anything is written."""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from incidents.models import Incident

pytestmark = pytest.mark.django_db

FIELDS = {"source_ref": "id", "reported_at": "time", "category": "kind"}
HEADER = ["id", "time", "kind"]


def mapping_file(tmp_path, **spec):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"fields": FIELDS, **spec}, ensure_ascii=False))
    return path


def run(data, mapping):
    out = StringIO()
    call_command(
        "import_incidents",
        str(data),
        f"--mapping={mapping}",
        "--source=files",
        "--no-progress",
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def workbook(path, rows, *, header=HEADER, sheets=()):
    book = Workbook()
    sheet = book.active
    sheet.title = "警情"
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    for name in sheets:
        book.create_sheet(name)
    book.save(path)
    return path


def refused(data, mapping, match):
    with pytest.raises(CommandError, match=match):
        run(data, mapping)
    assert Incident.objects.count() == 0


def test_an_xlsx_sheet_imports_with_date_cells_in_the_import_time_zone(tmp_path):
    data = workbook(
        tmp_path / "a.xlsx",
        [[3374, datetime(2024, 1, 10, 8, 0), "fight"], ["B-2", "2024-01-10T09:00:00Z", "fight"]],
    )
    output = run(data, mapping_file(tmp_path, time_zone="Asia/Shanghai"))
    assert output.startswith("2 created, 0 updated, 0 unchanged, 0 rejected")
    # A number cell is a reference like the text "3374", not "3374.0".
    assert Incident.objects.get(source_ref="3374").reported_at == datetime(
        2024, 1, 10, 0, 0, tzinfo=UTC
    )
    assert Incident.objects.get(source_ref="B-2").reported_at == datetime(
        2024, 1, 10, 9, 0, tzinfo=UTC
    )


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    data = tmp_path / "a.xlsx"
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    refused(data, mapping_file(tmp_path), "not an XLSX workbook")


def test_text_declared_as_xlsx_is_refused(tmp_path):
    data = tmp_path / "a.xlsx"
    data.write_text("id,time,kind\n")
    refused(data, mapping_file(tmp_path, format="xlsx"), "not an XLSX workbook")


def test_an_encrypted_workbook_is_refused(tmp_path):
    data = tmp_path / "a.xlsx"
    data.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    refused(data, mapping_file(tmp_path), "encrypted")


def test_an_empty_file_is_refused(tmp_path):
    data = tmp_path / "a.csv"
    data.write_bytes(b"")
    refused(data, mapping_file(tmp_path), "empty file")


def test_an_empty_sheet_is_refused(tmp_path):
    data = workbook(tmp_path / "a.xlsx", [], header=None)
    refused(data, mapping_file(tmp_path), "sheet 警情 is empty")


def test_a_sheet_with_a_header_only_is_refused(tmp_path):
    data = workbook(tmp_path / "a.xlsx", [])
    refused(data, mapping_file(tmp_path), "no rows below the header")


def test_a_sheet_without_the_mapped_columns_names_them(tmp_path):
    data = workbook(tmp_path / "a.xlsx", [["1", "x"]], header=["id", "kind"])
    refused(data, mapping_file(tmp_path), r"missing column\(s\) time")


def test_a_named_sheet_that_is_absent_is_refused_listing_the_sheets(tmp_path):
    data = workbook(tmp_path / "a.xlsx", [["1", "2024-01-10", "fight"]], sheets=["其他"])
    refused(data, mapping_file(tmp_path, sheet="Sheet9"), "its sheets are 警情, 其他")


def test_a_csv_in_an_unknown_encoding_says_what_was_tried(tmp_path):
    data = tmp_path / "a.csv"
    data.write_bytes(b"id,time,kind\n1,\xff\xfe\xff,fight\n")
    refused(data, mapping_file(tmp_path), "tried utf-8, utf-8-sig, gb18030")


def test_a_gb18030_csv_is_read_without_naming_its_encoding(tmp_path):
    data = tmp_path / "a.csv"
    text = "编号,时间,类别\nA1,2024-01-10 08:00,fight\n"
    data.write_bytes(text.encode("gb18030"))
    mapping = tmp_path / "m.json"
    fields = {"source_ref": "编号", "reported_at": "时间", "category": "类别"}
    mapping.write_text(json.dumps({"fields": fields}, ensure_ascii=False))
    assert run(data, mapping).startswith("1 created")


def test_a_workbook_expanding_past_the_ratio_limit_is_refused_as_a_zip_bomb(tmp_path):
    data = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(data, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    assert data.stat().st_size < 100_000
    refused(data, mapping_file(tmp_path), "zip bomb")


def test_a_workbook_expanding_past_the_size_limit_is_refused(tmp_path, settings):
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = 2000
    data = workbook(tmp_path / "a.xlsx", [["1", "2024-01-10", "fight"]])
    refused(data, mapping_file(tmp_path), "more than the limit of 2,000")


def test_rows_of_a_csv_and_of_the_same_xlsx_import_alike(tmp_path):
    rows = [[f"R{i}", f"2024-01-{i + 1:02d}T08:00:00", "fight"] for i in range(9)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    (tmp_path / "a.csv").write_text(buffer.getvalue())
    workbook(tmp_path / "a.xlsx", rows)
    mapping = mapping_file(tmp_path)
    assert run(tmp_path / "a.csv", mapping).startswith("9 created")
    assert run(tmp_path / "a.xlsx", mapping).startswith("0 created, 0 updated, 9 unchanged")


def test_a_csv_the_csv_reader_cannot_read_is_refused(tmp_path):
    data = tmp_path / "a.csv"
    data.write_text("id,time,kind\n1,2024-01-10," + "x" * 200_000 + "\n")
    refused(data, mapping_file(tmp_path), "not a readable CSV file")
