"""The analysis API on ingested incidents: every figure recomputed here from the incidents the
test made (cells with h3 directly, Gi* with PySAL, Knox pairs one by one), and the same
jurisdiction rules as the statistics API."""

import csv
import io
import itertools
import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import h3
import numpy as np
import pytest
from django.conf import settings

from accounts.choices import Role
from analysis.knox import local_metres
from incidents.ingest import incidents_ingest

from .test_hotspots import pysal_z
from .test_knox import reference_band

pytestmark = pytest.mark.django_db

TZ = ZoneInfo(settings.TIME_ZONE)
END = date(2024, 6, 30)
# A cluster in district A's station (conftest: A at 120–122°E, B at 122–124°E, 30–32°N).
CLUSTER = (120.50, 30.50)


def incident_rows():
    """Background incidents over both districts, a dense cluster in A, and burglaries that
    repeat near one another within days; the times cover the half year up to END."""
    rng = np.random.default_rng(4)
    rows = []
    start = datetime(2024, 1, 1, 8, tzinfo=TZ)
    for i in range(300):
        lon, lat = rng.uniform(120.40, 122.60), rng.uniform(30.40, 30.60)
        rows.append(
            (f"B{i}", "fight", lon, lat, start + timedelta(hours=float(rng.uniform(0, 4300))))
        )
    for i in range(120):
        lon, lat = CLUSTER[0] + rng.normal() * 0.004, CLUSTER[1] + rng.normal() * 0.004
        rows.append(
            (f"C{i}", "fight", lon, lat, start + timedelta(hours=float(rng.uniform(0, 4300))))
        )
    for i in range(40):
        lon, lat = rng.uniform(120.45, 120.55), rng.uniform(30.45, 30.55)
        when = start + timedelta(hours=float(rng.uniform(0, 4000)))
        rows.append((f"R{i}", "theft_burglary", lon, lat, when))
        rows.append((f"R{i}n", "theft_burglary", lon + 0.0003, lat, when + timedelta(days=2)))
    return rows


ROWS = incident_rows()


@pytest.fixture
def incidents(city, two_districts):
    report = incidents_ingest(
        rows=[
            {
                "source_ref": ref,
                "category": code,
                "reported_at": when.isoformat(),
                "lon": lon,
                "lat": lat,
            }
            for ref, code, lon, lat, when in ROWS
        ],
        source_system="t",
    )
    assert (report.created, report.rejected) == (len(ROWS), 0)
    return two_districts


@pytest.fixture
def analyst(make_user, city):
    return make_user(role=Role.CITY_ANALYST, home_area=city)


def expected_counts(
    *, first: date, last: date, west_of=None, east_of=None, category=None, resolution=8
):
    counts = {}
    for _, code, lon, lat, when in ROWS:
        if not first <= when.astimezone(TZ).date() <= last:
            continue
        if west_of is not None and lon >= west_of:
            continue
        if east_of is not None and lon < east_of:
            continue
        if category is not None and code != category:
            continue
        cell = h3.latlng_to_cell(lat, lon, resolution)
        counts[cell] = counts.get(cell, 0) + 1
    return counts


def expected_z(counts: dict, k: int) -> dict:
    """Gi* by PySAL over the occupied cells and their k-ring neighbours, built here."""
    cells = sorted({ring for cell in counts for ring in h3.grid_disk(cell, k)})
    index = {cell: i for i, cell in enumerate(cells)}
    from scipy import sparse

    pairs = [(index[c], index[n]) for c in cells for n in h3.grid_disk(c, k) if n in index]
    rows, columns = zip(*pairs, strict=True)
    weights = sparse.csr_matrix((np.ones(len(pairs)), (rows, columns)), shape=(len(cells),) * 2)
    z = pysal_z(np.array([counts.get(cell, 0) for cell in cells]), weights)
    return dict(zip(cells, z, strict=True))


@pytest.mark.parametrize("resolution", [8, 7, 10])
def test_hotspots_equal_pysal_on_the_cells_counted_here(
    incidents, analyst, api_client_for, resolution
):
    response = api_client_for(analyst).get(
        "/api/v1/analysis/hotspots",
        {"window": "365d", "date": END.isoformat(), "resolution": resolution},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    counts = expected_counts(first=END - timedelta(days=364), last=END, resolution=resolution)
    z = expected_z(counts, 1)
    shown = {row["cell"]: row for row in data["cells"]}
    assert {cell: row["count"] for cell, row in shown.items() if row["count"]} == counts
    assert data["cells_tested"] == len(z)
    assert sum(data["classes"].values()) == len(z)
    for cell, row in shown.items():
        assert row["z"] == pytest.approx(z[cell], abs=1e-3)
    centre = h3.latlng_to_cell(CLUSTER[1], CLUSTER[0], resolution)
    if resolution == 8:
        assert shown[centre]["class"] == 3


def test_hotspots_of_a_district_and_category(incidents, analyst, api_client_for):
    district_a, _ = incidents
    response = api_client_for(analyst).get(
        "/api/v1/analysis/hotspots",
        {
            "window": "ytd",
            "date": END.isoformat(),
            "area": district_a.pk,
            "category": "theft_burglary",
            "k": 2,
        },
    )
    assert response.status_code == 200, response.content
    counts = expected_counts(
        first=date(2024, 1, 1), last=END, west_of=122, category="theft_burglary"
    )
    z = expected_z(counts, 2)
    shown = {row["cell"]: row for row in response.json()["cells"]}
    assert {cell: row["count"] for cell, row in shown.items() if row["count"]} == counts
    assert all(row["z"] == pytest.approx(z[cell], abs=1e-3) for cell, row in shown.items())


def test_a_commander_sees_only_their_district(incidents, make_user, api_client_for):
    district_a, district_b = incidents
    commander = make_user(role=Role.DISTRICT_COMMANDER, home_area=district_b)
    client = api_client_for(commander)
    for path in ("hotspots", "emerging", "near-repeat"):
        outside = client.get(f"/api/v1/analysis/{path}", {"area": district_a.pk, "window": "365d"})
        assert outside.status_code == 404, path
    response = client.get("/api/v1/analysis/hotspots", {"window": "365d", "date": END.isoformat()})
    counts = expected_counts(first=END - timedelta(days=364), last=END)
    in_b = expected_counts(first=END - timedelta(days=364), last=END, east_of=122)
    shown = {row["cell"]: row["count"] for row in response.json()["cells"] if row["count"]}
    assert shown == in_b and len(shown) < len(counts)


def test_hotspots_as_geojson_and_csv(incidents, analyst, api_client_for):
    client = api_client_for(analyst)
    query = {"window": "365d", "date": END.isoformat()}
    answer = client.get("/api/v1/analysis/hotspots", query).json()
    geojson = client.get("/api/v1/analysis/hotspots", {**query, "format": "geojson"}).json()
    assert geojson["type"] == "FeatureCollection"
    assert {k: v for k, v in geojson.items() if k not in ("type", "features")} == {
        k: v for k, v in answer.items() if k != "cells"
    }
    assert [f["properties"] for f in geojson["features"]] == answer["cells"]
    first = geojson["features"][0]
    ring = first["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7
    table = client.get("/api/v1/analysis/hotspots", {**query, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert [(r["cell"], int(r["count"]), r["class_name"]) for r in rows] == [
        (c["cell"], c["count"], c["class_name"]) for c in answer["cells"]
    ]


def test_emerging_categories_cover_every_cell_tested(incidents, analyst, api_client_for):
    response = api_client_for(analyst).get(
        "/api/v1/analysis/emerging", {"window": "ytd", "date": END.isoformat(), "step": "week"}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert len(data["steps"]) == ((END - date(2024, 1, 1)).days + 1) // 7
    assert data["steps"][-1]["to"] == END.isoformat()
    assert sum(data["categories"].values()) == data["cells_tested"]
    first = date.fromisoformat(data["steps"][0]["from"])
    counts = expected_counts(first=first, last=END)
    assert sum(row["count"] for row in data["cells"]) <= sum(counts.values()) == data["events"]
    centre = h3.latlng_to_cell(CLUSTER[1], CLUSTER[0], 8)
    assert next(r for r in data["cells"] if r["cell"] == centre)["category"].endswith("_hot")


def test_emerging_needs_enough_steps(incidents, analyst, api_client_for):
    response = api_client_for(analyst).get("/api/v1/analysis/emerging", {"window": "28d"})
    assert response.status_code == 400
    assert "window" in response.json()


def test_near_repeat_table_counts_every_pair(incidents, analyst, api_client_for):
    query = {"window": "ytd", "date": END.isoformat(), "distance": 100, "distance_bands": 3}
    query |= {"days": 7, "time_bands": 2, "permutations": 49, "seed": 3}
    response = api_client_for(analyst).get("/api/v1/analysis/near-repeat", query)
    assert response.status_code == 200, response.content
    data = response.json()
    events = [row for row in ROWS if row[1] == "theft_burglary"]
    x, y = local_metres(np.array([e[2] for e in events]), np.array([e[3] for e in events]))
    start = datetime(2024, 1, 1, tzinfo=TZ)
    days = [(e[4] - start).total_seconds() / 86400 for e in events]
    table = np.zeros((4, 3), dtype=int)
    for i, j in itertools.combinations(range(len(events)), 2):
        distance = math.hypot(x[i] - x[j], y[i] - y[j])
        table[reference_band(distance, 100, 3), reference_band(abs(days[i] - days[j]), 7, 2)] += 1
    shown = np.array([[cell["observed"] for cell in row["cells"]] for row in data["rows"]])
    assert data["events"] == len(events)
    assert (shown == table).all()
    assert data["zone"] == {"metres": 100.0, "days": 7.0}
    again = api_client_for(analyst).get("/api/v1/analysis/near-repeat", query).json()
    assert again == data  # the seed makes the permutations repeatable


def test_the_endpoints_are_in_the_openapi_schema(analyst, api_client_for):
    schema = api_client_for(analyst).get("/api/schema/", {"format": "json"}).json()
    for path in ("hotspots", "emerging", "near-repeat"):
        operation = schema["paths"][f"/api/v1/analysis/{path}"]["get"]
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert {"area", "category", "window"} <= names
