"""The engine on real incidents (Charlottesville, ../shared/data): Gi* of its cells equals
PySAL's, and the Knox test of its burglaries equals the pairs counted one by one."""

import csv
from datetime import datetime

import numpy as np
import pytest

from analysis.cells import point_cells, study_region
from analysis.hotspots import hot_spots
from analysis.knox import knox_test, local_metres

from .test_hotspots import pysal_z
from .test_knox import reference_knox


@pytest.fixture
def incidents(shared_data) -> list[dict]:
    with (shared_data / "charlottesville" / "incidents.csv").open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["lon"] and row["lat"]]


def test_gi_star_of_the_city_equals_pysal(incidents):
    lat = [float(row["lat"]) for row in incidents]
    lon = [float(row["lon"]) for row in incidents]
    counts = point_cells(lat, lon, 9)
    assert sum(counts.values()) == len(incidents)
    cells, weights = study_region(counts, 1)
    values = np.array([counts.get(cell, 0) for cell in cells])
    result = hot_spots(cells, values, weights)
    assert np.allclose(result.z, pysal_z(values, weights), atol=1e-9)
    # Real calls concentrate: the downtown mall and the corridors are hot at 99%.
    assert (result.classes == 3).sum() > 0


def test_knox_of_the_burglaries_equals_the_pairs_counted(incidents):
    burglaries = [row for row in incidents if "burglary" in row["offense"].lower()]
    assert len(burglaries) > 100
    x, y = local_metres(
        np.array([float(r["lon"]) for r in burglaries]),
        np.array([float(r["lat"]) for r in burglaries]),
    )
    start = datetime.fromisoformat("2022-01-01T00:00:00+00:00")
    days = np.array(
        [
            (
                datetime.fromisoformat(r["date_reported"].replace("Z", "+00:00")) - start
            ).total_seconds()
            / 86400
            for r in burglaries
        ]
    )
    result = knox_test(
        x,
        y,
        days,
        distance_width=200.0,
        distance_bands=3,
        time_width=14.0,
        time_bands=2,
        permutations=9,
        rng=np.random.default_rng(5),
    )
    observed, expected, p = reference_knox(x, y, days, 200.0, 3, 14.0, 2, 9, 5)
    assert (result.observed == observed).all()
    assert np.allclose(result.expected, expected)
    assert np.allclose(result.p, p)
