"""An import's points may be in GCJ-02 or BD-09: said by the mapping (``crs``), overridden by
the job (``coordinate_system``), or per row by a mapped column; they are stored in WGS84."""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts.choices import Role
from imports.jobs import import_job_run
from imports.mapping import MappingError, mapping_from_spec
from imports.models import ImportJob
from imports.wizard import wizard_config
from incidents.models import Incident
from tests.conftest import PEARL_TOWER_BD09, PEARL_TOWER_GCJ02

pytestmark = pytest.mark.django_db

FIELDS = {
    "source_ref": "编号",
    "reported_at": "报警时间",
    "category": {"column": "类别", "values": {"打架": "fight"}},
    "lon": "经度",
    "lat": "纬度",
}
HEADER = ["编号", "报警时间", "类别", "经度", "纬度"]


def csv_upload(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("警情.csv", buffer.getvalue().encode("utf-8"), "text/csv")


def import_file(client, rows, spec, **fields):
    data = {"file": csv_upload(rows), "source_system": "tests", "mapping_spec": json.dumps(spec)}
    response = client.post("/api/v1/imports/", {**data, **fields}, format="multipart")
    assert response.status_code == 202, response.json()
    import_job_run(job_id=ImportJob.objects.get(public_id=response.json()["id"]).pk)
    return response.json()


@pytest.fixture
def client(make_user, city, api_client_for):
    return api_client_for(make_user(role=Role.ADMINISTRATOR, home_area=city))


def pearl_tower_row(ref, point, *extra):
    return [ref, "2024-03-01 08:00", "打架", str(point[0]), str(point[1]), *extra]


def test_a_mapping_in_gcj02_places_its_points_in_wgs84(client, split_at_pearl_tower):
    import_file(
        client,
        [HEADER, pearl_tower_row("A1", PEARL_TOWER_GCJ02)],
        {"fields": FIELDS, "crs": "gcj02"},
    )
    incident = Incident.objects.get()
    assert incident.district_id == split_at_pearl_tower[0].id
    assert (incident.lon, incident.lat) == pytest.approx((121.49527, 31.24170), abs=1e-5)


def test_the_jobs_coordinate_system_overrides_the_mappings(client, split_at_pearl_tower):
    job = import_file(
        client,
        [HEADER, pearl_tower_row("A1", PEARL_TOWER_BD09)],
        {"fields": FIELDS, "crs": "gcj02"},
        coordinate_system="bd09",
    )
    assert ImportJob.objects.get(public_id=job["id"]).coordinate_system == "bd09"
    assert Incident.objects.get().district_id == split_at_pearl_tower[0].id


def test_a_mapped_crs_column_says_each_rows_system(client, split_at_pearl_tower):
    west, east = split_at_pearl_tower
    rows = [
        [*HEADER, "坐标系"],
        pearl_tower_row("A1", PEARL_TOWER_BD09, "bd09"),
        pearl_tower_row("A2", PEARL_TOWER_GCJ02, ""),  # the mapping's wgs84: read as it is
    ]
    import_file(client, rows, {"fields": {**FIELDS, "crs": "坐标系"}})
    placed = dict(Incident.objects.values_list("source_ref", "district_id"))
    assert placed == {"A1": west.id, "A2": east.id}


def test_a_mapping_with_an_unknown_system_is_refused():
    with pytest.raises(MappingError, match="crs"):
        mapping_from_spec({"fields": FIELDS, "crs": "epsg3857"})


def test_the_wizard_offers_the_three_systems_once_per_file_not_per_column():
    config = wizard_config()
    assert [value for value, _label in config["coordinate_systems"]] == ["wgs84", "gcj02", "bd09"]
    assert "crs" not in [field["name"] for field in config["fields"]]


def test_import_incidents_crs_overrides_the_mapping_files(tmp_path, city, split_at_pearl_tower):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"fields": FIELDS, "crs": "bd09"}), encoding="utf-8")
    path = tmp_path / "警情.csv"
    path.write_bytes(csv_upload([HEADER, pearl_tower_row("A1", PEARL_TOWER_GCJ02)]).read())
    call_command(
        "import_incidents", str(path), f"--mapping={mapping}", "--source=tests", "--crs=gcj02",
        "--no-progress", stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    assert Incident.objects.get().district_id == split_at_pearl_tower[0].id
