import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from geocoding.models import AddressLoad, StandardAddress

pytestmark = pytest.mark.django_db
HEADER = ["地址", "经度", "纬度", "辖区编码"]
ROWS = [
    ["上海市浦东新区张杨路500号", "121.52", "31.23", "pudong"],
    ["上海市长宁区仙霞路108号", "121.40", "31.21", ""],
    ["", "121.4", "31.2", ""],
    ["张杨路 ５００ 號", "121.6", "31.3", ""],
    ["仙霞路1号", "east", "31.2", ""],
]


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def run(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_addresses", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_addresses_loads_a_csv_and_reports_rejected_rows(tmp_path):
    out, err = run(write_csv(tmp_path / "table.csv", ROWS))
    assert "created 2, updated 0, unchanged 0, rejected 3" in out
    assert "row 3: no address" in err
    assert "row 4: repeats an earlier row's address" in err
    assert "row 5: lon and lat must be numbers" in err
    stored = StandardAddress.objects.get(key="张杨路500号")
    assert (stored.lon, stored.lat, stored.area_codes, stored.source) == (
        121.52,
        31.23,
        "pudong",
        "standard",
    )


def test_import_addresses_loads_an_xlsx(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["address", "lon", "lat"])
    sheet.append(["上海市浦东新区张杨路500号", 121.52, 31.23])
    sheet.append(["仙霞路108号", 121.4, 31.21])
    book.save(tmp_path / "table.xlsx")
    out, _ = run(tmp_path / "table.xlsx", "--source", "bureau")
    assert "created 2" in out
    assert set(StandardAddress.objects.values_list("key", "source")) == {
        ("张杨路500号", "bureau"),
        ("仙霞路108号", "bureau"),
    }


def test_reimport_changes_only_what_changed(tmp_path):
    path = write_csv(tmp_path / "table.csv", ROWS[:2])
    run(path)
    out, _ = run(path)
    assert "created 0, updated 0, unchanged 2, rejected 0" in out
    moved = [["张杨路500号", "121.53", "31.24", "pudong"], ROWS[1], ["新路1号", "121", "31", ""]]
    out, _ = run(write_csv(tmp_path / "again.csv", moved))
    assert "created 1, updated 1, unchanged 1, rejected 0" in out
    assert StandardAddress.objects.count() == 3
    assert StandardAddress.objects.get(key="张杨路500号").lon == 121.53
    assert AddressLoad.objects.count() == 3


def test_import_addresses_refuses_a_table_without_coordinates(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("地址\n张杨路500号\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no column for lon, lat"):
        run(path)
