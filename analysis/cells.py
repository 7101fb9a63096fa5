"""h3 cells for the spatial statistics: binning counts, the study region, k-ring weights and
cell outlines. Pure helpers on cell ids and numpy arrays; nothing here reads the database."""

from collections.abc import Iterable
from itertools import chain

import h3
import numpy as np
from h3.api import basic_int
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
    # On h3's integer API: the string one spends most of its time writing cell ids.
    cells: set[int] = set()
    for cell in occupied:
        cells.update(basic_int.grid_disk(h3.str_to_int(cell), k))
    return sorted(h3.int_to_str(cell) for cell in cells)


def ring_weights(cells: list[str], k: int) -> sparse.csr_matrix:
    """Binary weights: w_ij = 1 when cell j is within ``k`` rings of cell i (i itself
    included, as Gi* wants), among ``cells``; a sparse n × n matrix in ``cells``' order."""
    numbers = [h3.str_to_int(cell) for cell in cells]
    index = {cell: i for i, cell in enumerate(numbers)}
    rows: list[int] = []
    columns: list[int] = []
    for i, cell in enumerate(numbers):
        for neighbour in basic_int.grid_disk(cell, k):
            j = index.get(neighbour)
            if j is not None:
                rows.append(i)
                columns.append(j)
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, columns)), shape=(len(cells), len(cells)))


def point_cells(lat: Iterable[float], lon: Iterable[float], resolution: int) -> dict[str, int]:
    """How many of the points fall in each cell at ``resolution``."""
    counts: dict[int, int] = {}
    for y, x in zip(lat, lon, strict=True):
        cell = basic_int.latlng_to_cell(y, x, resolution)
        counts[cell] = counts.get(cell, 0) + 1
    return {h3.int_to_str(cell): count for cell, count in counts.items()}


def study_region(occupied: Iterable[str], k: int) -> tuple[list[str], sparse.csr_matrix]:
    """``study_cells`` and their ``ring_weights`` at once: each cell's disk found once, and
    the neighbours matched to their rows by numpy (a city has tens of thousands of cells)."""
    disks: dict[int, list[int]] = {}
    for cell in occupied:
        number = h3.str_to_int(cell)
        disks[number] = basic_int.grid_disk(number, k)
    numbers = np.array(sorted({member for disk in disks.values() for member in disk}), np.uint64)
    ordered = [disks.get(cell) or basic_int.grid_disk(cell, k) for cell in numbers.tolist()]
    sizes = np.fromiter((len(disk) for disk in ordered), dtype=np.int64, count=len(ordered))
    neighbours = np.fromiter(chain.from_iterable(ordered), dtype=np.uint64, count=int(sizes.sum()))
    rows = np.repeat(np.arange(len(numbers)), sizes)
    columns = np.searchsorted(numbers, neighbours)
    inside = columns < len(numbers)
    inside[inside] = numbers[columns[inside]] == neighbours[inside]
    rows, columns = rows[inside], columns[inside]
    data = np.ones(len(rows), dtype=np.float64)
    weights = sparse.csr_matrix((data, (rows, columns)), shape=(len(numbers), len(numbers)))
    return [h3.int_to_str(cell) for cell in numbers.tolist()], weights


def cell_polygon(cell: str) -> list[list[list[float]]]:
    """A cell's outline as GeoJSON polygon coordinates (lon, lat; the ring closed)."""
    ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(cell)]
    ring.append(ring[0])
    return [ring]


def cell_centre(cell: str) -> tuple[float, float]:
    """A cell's centre as (lon, lat)."""
    lat, lon = h3.cell_to_latlng(cell)
    return lon, lat
