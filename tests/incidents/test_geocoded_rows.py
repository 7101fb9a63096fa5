"""Incident rows with an address and no point are placed from the standard address table."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from geocoding import geocoder
from geocoding.choices import GeocodeQuality, UnlocatedReason
from geocoding.services import address_table_import
from incidents.ingest import IngestChunk, incidents_ingest, incidents_ingest_chunks
from incidents.models import Incident
from incidents.services import incident_update

pytestmark = pytest.mark.django_db
REPORTED = (timezone.now() - timedelta(hours=1)).replace(microsecond=0).isoformat()


@pytest.fixture
def address_table(two_districts):
    table = [
        ("上海市浦东新区张杨路500号", 122.5, 30.5),
        ("上海市长宁区仙霞路108号", 120.5, 30.5),
    ]
    address_table_import(
        records=iter(
            (n, {"address": a, "lon": lon, "lat": lat}, "") for n, (a, lon, lat) in enumerate(table)
        ),
        header=["address", "lon", "lat"],
        source="test",
        name="test.csv",
    )
    return two_districts


def row(ref: str, **values) -> dict:
    return {"source_ref": ref, "category": "theft", "reported_at": REPORTED, **values}


def test_a_row_with_only_an_address_is_placed_in_its_area(address_table):
    _, district_b = address_table
    report = incidents_ingest(rows=[row("A1", address="张杨路 ５００ 號")])
    assert report.created == 1
    incident = Incident.objects.get(source_ref="A1")
    assert (incident.lon, incident.lat, incident.district_id) == (122.5, 30.5, district_b.id)
    assert incident.geocode_quality == GeocodeQuality.EXACT
    assert incident.geocoded_address == "上海市浦东新区张杨路500号"
    assert incident.h3_r9


def test_a_near_address_is_placed_with_its_fuzzy_score(address_table):
    incidents_ingest(rows=[row("A2", address="仙霞路108号楼")])
    incident = Incident.objects.get(source_ref="A2")
    assert incident.geocode_quality == GeocodeQuality.FUZZY
    assert incident.geocode_score >= geocoder.FUZZY_THRESHOLD
    assert incident.district_id == address_table[0].id


def test_an_address_not_in_the_table_stays_unlocated_with_the_reason(address_table):
    incidents_ingest(rows=[row("A3", address="南京西路108号"), row("A4")])
    below, bare = Incident.objects.order_by("source_ref").filter(source_ref__in=["A3", "A4"])
    assert below.lat is None and below.area_id is None
    assert below.geocode_quality == GeocodeQuality.UNLOCATED
    assert below.unlocated_reason == UnlocatedReason.BELOW_THRESHOLD
    assert bare.unlocated_reason == UnlocatedReason.NO_ADDRESS


def test_a_given_point_is_kept_and_not_geocoded(address_table):
    incidents_ingest(rows=[row("A5", address="张杨路500号", lon=120.2, lat=30.2)])
    incident = Incident.objects.get(source_ref="A5")
    assert (incident.lon, incident.geocode_quality) == (120.2, GeocodeQuality.GIVEN)


def test_changing_a_geocoded_address_moves_the_incident(address_table):
    district_a, _ = address_table
    incidents_ingest(rows=[row("A6", address="张杨路500号")])
    incident = incident_update(
        incident=Incident.objects.get(source_ref="A6"), data={"address": "仙霞路108号"}, user=None
    )
    assert (incident.lon, incident.district_id) == (120.5, district_a.id)


def test_a_large_batch_uses_the_table_held_in_memory(address_table, monkeypatch):
    monkeypatch.setattr(geocoder, "FEW_ADDRESSES", 1)
    monkeypatch.setattr(geocoder, "_held", {})
    incidents_ingest(rows=[row(f"B{n}", address="张杨路500号") for n in range(3)])
    assert set(
        Incident.objects.filter(source_ref__startswith="B").values_list("lon", flat=True)
    ) == {122.5}
    assert len(geocoder._held["index"]) == 2


def test_unlocated_incidents_are_placed_once_the_table_has_their_address(two_districts):
    _, district_b = two_districts
    incidents_ingest(rows=[row("C1", address="张杨路500号"), row("C2", address="无名路1号")])
    assert Incident.objects.get(source_ref="C1").unlocated_reason == UnlocatedReason.NO_MATCH
    address_table_import(
        records=iter(
            [(1, {"address": "上海市浦东新区张杨路500号", "lon": 122.5, "lat": 30.5}, "")]
        ),
        header=["address", "lon", "lat"],
        source="test",
        name="test.csv",
    )
    call_command("geocode_incidents", stdout=StringIO())
    placed, still = Incident.objects.filter(source_ref__in=["C1", "C2"]).order_by("source_ref")
    assert (placed.lon, placed.district_id, placed.geocode_quality) == (
        122.5,
        district_b.id,
        GeocodeQuality.EXACT,
    )
    assert placed.h3_r9 and placed.unlocated_reason == ""
    assert still.lat is None and still.unlocated_reason == UnlocatedReason.NO_MATCH


@pytest.mark.timeout(120)
def test_a_pipelined_load_places_addresses_while_its_copy_runs(address_table):
    """Each chunk is prepared while the previous one's COPY holds the connection; placing its
    addresses must not query that connection (it once waited forever for the COPY)."""
    addresses = ["张杨路500号", "仙霞路108号", "没有这个地方1号"]
    rows = [row(f"P{n}", address=addresses[n % 3]) for n in range(9)]
    chunks = [
        IngestChunk(rows[start : start + 3], first_row_number=start + 1) for start in (0, 3, 6)
    ]
    report = incidents_ingest_chunks(chunks)
    assert report.created == len(rows)
    placed = Incident.objects.filter(source_ref__startswith="P")
    assert placed.exclude(geocode_quality=GeocodeQuality.UNLOCATED).count() == 6
    assert placed.filter(unlocated_reason=UnlocatedReason.NO_MATCH).count() == 3
