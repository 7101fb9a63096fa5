"""h3 cells for the spatial statistics: binning counts, the study region, k-ring weights and
cell outlines. Pure helpers on cell ids and numpy arrays; nothing here reads the database."""

from collections.abc import Iterable

import h3
import numpy as np
from scipy import sparse

# The resolutions a client may ask for: from districts (5, ~250 km²) to blocks (10, ~0.015 km²).
MIN_RESOLUTION, MAX_RESOLUTION = 5, 10
DEFAULT_RESOLUTION = 8
# Neighbours are the cells within this many rings (grid distance) of a cell, itself included.
DEFAULT_K = 1


def study_cells(occupied: Iterable[str], k: int) -> list[str]:
    """The cells the statistic is computed over: every cell holding an event and the cells
    within ``k`` rings of one, so each event's neighbourhood is complete and the empty ground
    between clusters counts as the zeros it is (sorted, for reproducible order)."""
    cells: set[str] = set()
    for cell in occupied:
        cells.update(h3.grid_disk(cell, k))
    return sorted(cells)


def ring_weights(cells: list[str], k: int) -> sparse.csr_matrix:
    """Binary weights: w_ij = 1 when cell j is within ``k`` rings of cell i (i itself
    included, as Gi* wants), among ``cells``; a sparse n × n matrix in ``cells``' order."""
    index = {cell: i for i, cell in enumerate(cells)}
    rows: list[int] = []
    columns: list[int] = []
    for i, cell in enumerate(cells):
        for neighbour in h3.grid_disk(cell, k):
            j = index.get(neighbour)
            if j is not None:
                rows.append(i)
                columns.append(j)
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, columns)), shape=(len(cells), len(cells)))


def cell_polygon(cell: str) -> list[list[list[float]]]:
    """A cell's outline as GeoJSON polygon coordinates (lon, lat; the ring closed)."""
    ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(cell)]
    ring.append(ring[0])
    return [ring]


def cell_centre(cell: str) -> tuple[float, float]:
    """A cell's centre as (lon, lat)."""
    lat, lon = h3.cell_to_latlng(cell)
    return lon, lat
