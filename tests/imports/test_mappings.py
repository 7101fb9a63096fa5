"""Stored mappings (named, versioned, shared) and mappings proposed from a file's header."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from imports.mapping import MappingError
from imports.proposal import missing_fields, propose_fields, propose_mapping
from imports.selectors import mapping_version_latest
from imports.services import mapping_save
from incidents.models import Incident

pytestmark = pytest.mark.django_db

SPEC = {"fields": {"source_ref": "id", "reported_at": "time", "category": "kind"}}


def test_saving_a_mapping_by_an_existing_name_adds_a_version(make_user):
    author = make_user()
    first = mapping_save(name="公安接警系统", spec=SPEC, user=author)
    second = mapping_save(name="公安接警系统", spec={**SPEC, "time_zone": "UTC"}, user=author)
    assert (first.number, second.number) == (1, 2)
    assert second.mapping_id == first.mapping_id
    assert mapping_version_latest("公安接警系统").spec["time_zone"] == "UTC"
    assert second.author == author


def test_a_mapping_with_a_problem_is_not_saved():
    with pytest.raises(MappingError, match="'reported_at' must be mapped"):
        mapping_save(name="broken", spec={"fields": {"source_ref": "id", "category": "k"}})
    assert mapping_version_latest("broken") is None


def test_the_command_takes_a_stored_mapping_by_name(tmp_path):
    mapping_save(name="old", spec={**SPEC, "time_zone": "Asia/Shanghai"})
    mapping_save(name="old", spec={**SPEC, "time_zone": "UTC"})
    data = tmp_path / "a.csv"
    data.write_text("id,time,kind\n1,2024-01-10 08:00,fight\n")
    call_command(
        "import_incidents", str(data), "--mapping=old", "--source=s", "--no-progress",
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    assert Incident.objects.get().reported_at.isoformat() == "2024-01-10T08:00:00+00:00"


def test_the_command_refuses_a_mapping_that_is_neither_file_nor_name(tmp_path):
    data = tmp_path / "a.csv"
    data.write_text("id,time,kind\n1,2024-01-10 08:00,fight\n")
    with pytest.raises(CommandError, match="nor a stored mapping"):
        call_command("import_incidents", str(data), "--mapping=nope", "--source=s")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["警情编号", "报警时间", "警情类别", "案发地址", "经度", "纬度"],
            {
                "source_ref": "警情编号",
                "reported_at": "报警时间",
                "category": "警情类别",
                "address": "案发地址",
                "lon": "经度",
                "lat": "纬度",
            },
        ),
        (
            ["Record ID", "Date Reported", "OFFENSE", "Address", "Longitude", "Latitude"],
            {
                "source_ref": "Record ID",
                "reported_at": "Date Reported",
                "category": "Offense".upper(),
                "address": "Address",
                "lon": "Longitude",
                "lat": "Latitude",
            },
        ),
        (
            ["案由", "接警时间", "案件编号", "地址"],
            {
                "category": "案由",
                "reported_at": "接警时间",
                "source_ref": "案件编号",
                "address": "地址",
            },
        ),
    ],
)
def test_a_header_in_chinese_or_english_is_matched_to_fields(header, expected):
    assert propose_fields(header) == expected


def test_a_near_name_is_matched_and_a_stranger_is_not():
    proposed = propose_fields(["date_reportd", "lattitude", "weather"])
    assert proposed == {"reported_at": "date_reportd", "lat": "lattitude"}


def test_a_proposal_maps_category_values_that_are_taxonomy_codes_or_names(db):
    spec = propose_mapping(["id", "offense"], category_values=["fight", "Space Piracy"])
    assert spec["fields"]["category"]["values"] == {"fight": "fight"}
    assert missing_fields(spec) == ["reported_at"]
    json.dumps(spec)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"category": {"column": "k", "default": []}}, "text, numbers or true/false"),
        ({"category": {"column": "k", "values": {"a": {"b": 1}}}}, "text, numbers or true/false"),
        ({"reported_at": {"column": "t", "format": 5}}, "format must be"),
        ({"category": {"column": "k", "values": {"a": "no_such_code"}}}, "no_such_code"),
    ],
)
def test_a_mapping_with_values_of_the_wrong_kind_is_refused(fields, message):
    spec = {"fields": {**SPEC["fields"], **fields}}
    with pytest.raises(MappingError, match=message):
        mapping_save(name="odd", spec=spec)
