"""The admin's "Import areas" page imports an uploaded file through the command's service,
for staff administrators allowed to add areas, and no one else. (The admin site admits staff
administrators only, and the administrator role carries every permission.)"""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from shapely.geometry import Point, shape

from accounts.choices import Role
from areas.choices import AreaKind
from areas.models import Area
from safecity.core.crs import gcj02_to_wgs84

from ..factories import UserFactory, square
from .area_files import beats, csv_bytes, feature, geojson_bytes, zipped_shapefile

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:areas_area_import")


def administrator():
    return UserFactory(role=Role.ADMINISTRATOR, is_staff=True)


def upload(client, name: str, content: bytes, **fields):
    data = {
        "file": SimpleUploadedFile(name, content),
        "file_format": "auto",
        "kind": AreaKind.BEAT,
        "code_field": "BEAT_NO",
        "name_field": "NAME",
        "parent_field": "DISTRICT",
        "parent_kind": AreaKind.DISTRICT,
        "wkt_field": "WKT",
        "create_parents": "on",
        **fields,
    }
    return client.post(IMPORT_URL, data)


def test_an_administrator_allowed_to_add_areas_imports_a_csv(client, shared_data):
    features = beats(shared_data)
    client.force_login(administrator())
    answer = upload(client, "beats.csv", csv_bytes(features, ["BEAT_NO", "NAME", "DISTRICT"]))

    assert answer.status_code == 302 and answer["Location"] == reverse(
        "admin:areas_area_changelist"
    )
    assert Area.objects.filter(kind=AreaKind.BEAT).count() == len(features)
    districts = sorted({str(item["properties"]["DISTRICT"]) for item in features}, key=int)
    shown = [str(message) for message in get_messages(answer.wsgi_request)]
    assert f"beats.csv: {len(features)} created, 0 updated, 0 unchanged, " in shown[0]
    assert f"parents created: {', '.join(f'district {code}' for code in districts)}" in shown


def test_the_upload_takes_a_shapefile_with_a_constant_parent_and_merged_codes(client):
    features = [feature("A", square(121, 31)), feature("A", square(121.5, 31))]
    client.force_login(administrator())
    answer = upload(client, "areas.zip", zipped_shapefile(features, ["code", "name"]),
                    kind=AreaKind.STATION, code_field="code", name_field="name",
                    parent_field="", parent_code="PD", merge_duplicates="on")  # fmt: skip

    assert answer.status_code == 302
    station = Area.objects.get(kind=AreaKind.STATION)
    assert station.parent.code == "PD" and station.geometry["type"] == "MultiPolygon"


def test_a_bad_file_is_shown_on_the_form_and_nothing_is_saved(client, shared_data):
    client.force_login(administrator())
    answer = upload(client, "beats.csv", b"BEAT_NO,NAME,DISTRICT\n10,Belmont,2\n")

    assert answer.status_code == 200
    assert "no column &#x27;WKT&#x27; with the WKT boundary" in answer.content.decode()
    assert Area.objects.count() == 0


def test_refusing_to_create_parents_names_the_missing_ones_on_the_form(client, shared_data):
    features = beats(shared_data)
    client.force_login(administrator())
    content = csv_bytes(features, ["BEAT_NO", "NAME", "DISTRICT"])
    answer = upload(client, "beats.csv", content, create_parents="")

    districts = sorted({str(item["properties"]["DISTRICT"]) for item in features})
    missing = ", ".join(f"&#x27;{code}&#x27;" for code in districts)
    assert f"parents missing, not created: {missing}" in answer.content.decode()
    assert Area.objects.count() == 0


def test_the_area_list_links_to_the_import_page(client):
    client.force_login(administrator())
    assert IMPORT_URL in client.get(reverse("admin:areas_area_changelist")).content.decode()
    assert client.get(IMPORT_URL).status_code == 200


def test_a_user_who_is_not_staff_is_sent_to_log_in(client, shared_data):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, is_staff=False))
    content = csv_bytes(beats(shared_data), ["BEAT_NO", "NAME", "DISTRICT"])
    answer = upload(client, "beats.csv", content)

    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
    assert Area.objects.count() == 0


def test_staff_of_another_role_is_sent_to_log_in_even_when_allowed_to_add_areas(
    client, shared_data, two_districts
):
    commander = UserFactory(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0], is_staff=True)
    commander.user_permissions.add(Permission.objects.get(codename="add_area"))
    client.force_login(commander)
    areas_before = Area.objects.count()
    content = csv_bytes(beats(shared_data), ["BEAT_NO", "NAME", "DISTRICT"])
    answer = upload(client, "beats.csv", content)

    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
    assert Area.objects.count() == areas_before


def test_an_administrator_without_the_add_permission_is_refused(client, shared_data, monkeypatch):
    from areas.admin import AreaAdmin

    monkeypatch.setattr(AreaAdmin, "has_add_permission", lambda self, request: False)
    client.force_login(administrator())
    content = csv_bytes(beats(shared_data), ["BEAT_NO", "NAME", "DISTRICT"])

    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, "beats.csv", content).status_code == 403
    assert Area.objects.count() == 0


def test_the_import_page_speaks_chinese_and_english(client):
    client.force_login(administrator())
    chinese = client.get(IMPORT_URL).content.decode()
    client.cookies["django_language"] = "en"
    # The locale middleware leaves English active in this thread: put back what was there.
    with translation.override(translation.get_language()):
        english = client.get(IMPORT_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "导入辖区" in chinese and "合并重复编码" in chinese
    assert "Import areas" in english and "Merge duplicate codes" in english
    assert "合并重复编码" not in english


def test_boundaries_uploaded_in_gcj02_are_stored_in_wgs84(client):
    drawn = square(121.4990, 31.2390, 0.0015)  # round the Oriental Pearl Tower, as AutoNavi has it
    client.force_login(administrator())
    answer = upload(client, "tower.geojson", geojson_bytes([feature("PEARL", drawn)]),
                    kind=AreaKind.STATION, code_field="code", name_field="name",
                    parent_field="", parent_code="PD", crs="gcj02")  # fmt: skip

    assert answer.status_code == 302
    stored = shape(Area.objects.get(code="PEARL").geometry)
    assert stored.boundary.distance(Point(gcj02_to_wgs84(121.4990, 31.2390))) < 1e-7
    assert stored.boundary.distance(Point(121.4990, 31.2390)) > 1e-3
