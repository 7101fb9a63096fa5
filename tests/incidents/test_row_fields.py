"""The ingest row is declared once (incidents.ingest.rows.ROW_FIELD_TABLE): the row parser, the
REST input serializer and the OpenAPI schema all agree with it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from accounts.choices import Role
from incidents.ingest import incidents_ingest
from incidents.ingest.rows import (
    INPUT_ONLY_FIELDS,
    ROW_FIELD_TABLE,
    FieldKind,
    RowError,
    parse_row,
)

pytestmark = pytest.mark.django_db

REPORTED = timezone.now().replace(microsecond=0) - timedelta(hours=2)
CATEGORIES = {"theft": (1, "/1/")}


@pytest.fixture(scope="module")
def input_schema() -> dict:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema["components"]["schemas"]["IncidentInputRequest"]


def valid_row(**overrides) -> dict:
    return {
        "source_ref": "R1",
        "category": "theft",
        "reported_at": REPORTED.isoformat(),
        "lon": 120.5,
        "lat": 30.5,
        **overrides,
    }


def test_the_schema_documents_every_row_field_and_no_other(input_schema):
    assert list(input_schema["properties"]) == [spec.name for spec in ROW_FIELD_TABLE]


def test_the_schema_requires_what_the_row_requires(input_schema):
    assert sorted(input_schema["required"]) == sorted(
        spec.name for spec in ROW_FIELD_TABLE if spec.required
    )


def test_the_parser_requires_what_the_table_requires():
    with pytest.raises(RowError) as caught:
        parse_row({}, categories=CATEGORIES)
    required = {p.field for p in caught.value.problems if p.message == "is required"}
    assert required == {spec.name for spec in ROW_FIELD_TABLE if spec.required}


@pytest.mark.parametrize(
    "spec", [spec for spec in ROW_FIELD_TABLE if spec.max_length], ids=lambda spec: spec.name
)
def test_text_limits_are_the_same_in_the_schema_and_the_parser(spec, input_schema):
    assert input_schema["properties"][spec.name]["maxLength"] == spec.max_length
    parse_row(valid_row(**{spec.name: "a" * spec.max_length}), categories=CATEGORIES)
    with pytest.raises(RowError) as caught:
        parse_row(valid_row(**{spec.name: "a" * (spec.max_length + 1)}), categories=CATEGORIES)
    assert [p.field for p in caught.value.problems] == [spec.name]


@pytest.mark.parametrize(
    "spec", [spec for spec in ROW_FIELD_TABLE if spec.choices], ids=lambda spec: spec.name
)
def test_choices_are_the_same_in_the_schema_and_the_parser(spec, input_schema):
    documented_field = input_schema["properties"][spec.name]
    # A field with help text wraps its enum's reference to carry the description beside it.
    reference = documented_field.get("$ref") or documented_field["allOf"][0]["$ref"]
    reference = reference.rsplit("/", 1)[-1]
    documented = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert documented[reference]["enum"] == spec.choices.values
    for value in spec.choices.values:
        parsed = parse_row(valid_row(**{spec.name: value}), categories=CATEGORIES)
        assert spec.name in INPUT_ONLY_FIELDS or parsed[spec.name]
    with pytest.raises(RowError):
        parse_row(valid_row(**{spec.name: "not-a-choice"}), categories=CATEGORIES)


@pytest.mark.parametrize(
    "spec",
    [spec for spec in ROW_FIELD_TABLE if spec.kind in (FieldKind.COORDINATE, FieldKind.INTEGER)],
    ids=lambda spec: spec.name,
)
def test_number_bounds_are_the_same_in_the_schema_and_the_parser(spec, input_schema):
    documented = input_schema["properties"][spec.name]
    assert (documented["minimum"], documented["maximum"]) == (spec.minimum, spec.maximum)
    partner = {"lon": "lat", "lat": "lon"}.get(spec.name)
    for outside in (spec.minimum - 1, spec.maximum + 1):
        row = valid_row(**{spec.name: outside})
        if partner is None:
            row.pop("lon"), row.pop("lat")
        with pytest.raises(RowError) as caught:
            parse_row(row, categories=CATEGORIES)
        assert [p.field for p in caught.value.problems] == [spec.name]


def test_a_too_long_transfer_agency_is_refused_alike_by_the_rest_create_and_the_bulk_ingest(
    two_districts, make_user, api_client_for
):
    officer = make_user(role=Role.STATION_OFFICER, home_area=two_districts[0])
    row = valid_row(category="theft_burglary", transfer_agency="检" * 101)
    client = api_client_for(officer)

    created = client.post("/api/v1/incidents/", row, format="json")
    bulk = client.post("/api/v1/incidents/bulk/", [row], format="json")
    ingested = incidents_ingest(rows=[row], user=officer)

    problem = {"field": "transfer_agency", "message": "longer than 100 characters"}
    assert (created.status_code, created.json()) == (400, {"errors": [problem]})
    assert bulk.status_code == 200
    # A row's rejection also shows the bad value (up to REJECTED_VALUE_LENGTH characters).
    rejection = {"row": 1, **problem, "value": "检" * 101}
    assert bulk.json()["errors"] == [rejection]
    assert [error.as_dict() for error in ingested.errors] == [rejection]
