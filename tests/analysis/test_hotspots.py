"""Gi* hot spots against PySAL's esda.G_Local with the same k-ring weights, and the FDR
classes against Benjamini–Hochberg's step-up rule written out here."""

import warnings

import esda
import h3
import libpysal
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.cells import ring_weights, study_cells, study_region
from analysis.hotspots import CONFIDENCE_LEVELS, classes, gi_star, hot_spots, two_sided_p

CENTRE = h3.latlng_to_cell(31.23, 121.47, 8)


def pysal_weights(weights) -> libpysal.weights.W:
    """The same neighbours as a PySAL W (G_Local with star=True adds each cell itself)."""
    neighbours = {
        i: [int(j) for j in weights[i].indices if j != i] for i in range(weights.shape[0])
    }
    return libpysal.weights.W(neighbours, silence_warnings=True)


def pysal_z(counts, weights) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(
            counts.astype(float), pysal_weights(weights), transform="B", permutations=0, star=True
        ).Zs


def region(radius: int, k: int) -> tuple[list[str], object]:
    cells = study_cells(h3.grid_disk(CENTRE, radius), k)
    return cells, ring_weights(cells, k)


@pytest.mark.parametrize("k", [1, 2])
def test_gi_star_equals_pysal_g_local(k):
    cells, weights = region(6, k)
    counts = np.random.default_rng(k).poisson(3.0, len(cells))
    counts[:10] += 25  # a cluster
    assert np.allclose(gi_star(counts, weights), pysal_z(counts, weights), atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=60), min_size=37, max_size=37).filter(
        lambda values: len(set(values)) > 1
    )
)
def test_gi_star_equals_pysal_for_any_counts(values):
    cells, weights = region(2, 1)
    counts = np.zeros(len(cells), dtype=np.int64)
    counts[: len(values)] = values
    if len(set(counts.tolist())) < 2:
        return
    assert np.allclose(gi_star(counts, weights), pysal_z(counts, weights), atol=1e-8)


def test_gi_star_per_column_equals_each_column_alone():
    cells, weights = region(4, 1)
    counts = np.random.default_rng(3).poisson(2.0, (len(cells), 5))
    together = gi_star(counts, weights)
    for step in range(5):
        assert np.allclose(together[:, step], gi_star(counts[:, step], weights))


def test_equal_counts_have_no_pattern():
    cells, weights = region(2, 1)
    assert not gi_star(np.full(len(cells), 4), weights).any()


def benjamini_hochberg_significant(p: np.ndarray, alpha: float) -> np.ndarray:
    """The step-up rule: reject the k smallest p where k is the largest with p_(k) ≤ k α / m."""
    m = len(p)
    order = np.argsort(p)
    passing = [rank for rank in range(1, m + 1) if p[order[rank - 1]] <= rank * alpha / m]
    significant = np.zeros(m, dtype=bool)
    if passing:
        significant[order[: max(passing)]] = True
    return significant


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_fdr_classes_follow_the_step_up_rule(seed):
    cells, weights = region(5, 1)
    rng = np.random.default_rng(seed)
    counts = rng.poisson(2.0, len(cells))
    counts[rng.integers(0, len(cells), 8)] += rng.integers(5, 30, 8)
    result = hot_spots(cells, counts, weights, fdr=True)
    p = two_sided_p(pysal_z(counts, weights))
    expected = np.zeros(len(cells), dtype=np.int8)
    for level, alpha in reversed(CONFIDENCE_LEVELS):
        expected[benjamini_hochberg_significant(p, alpha)] = level
    expected = expected * np.sign(result.z).astype(np.int8)
    assert (result.classes == expected).all()
    assert sum(result.class_counts().values()) == len(cells)


def test_without_fdr_classes_come_from_the_raw_p():
    z = np.array([3.0, -2.0, 1.7, -1.0, 0.0])
    p = two_sided_p(z)
    assert classes(z, p).tolist() == [3, -2, 1, 0, 0]


def test_a_planted_cluster_is_hot_and_empty_ground_not():
    cells, weights = region(8, 1)
    counts = np.random.default_rng(7).poisson(1.0, len(cells))
    centre = cells.index(CENTRE)
    hot = [cells.index(cell) for cell in h3.grid_disk(CENTRE, 1)]
    counts[hot] += 20
    result = hot_spots(cells, counts, weights)
    assert result.classes[centre] == 3
    assert (result.classes[hot] > 0).all()


def test_study_cells_are_the_occupied_and_their_rings():
    occupied = [CENTRE, h3.grid_disk(CENTRE, 5)[-1]]
    cells = study_cells(occupied, 1)
    assert set(cells) == set(h3.grid_disk(occupied[0], 1)) | set(h3.grid_disk(occupied[1], 1))


@pytest.mark.parametrize("k", [1, 2])
def test_the_study_region_is_its_cells_and_their_ring_weights(k):
    occupied = [CENTRE, h3.grid_disk(CENTRE, 7)[-1], h3.grid_disk(CENTRE, 3)[5]]
    cells, weights = study_region(occupied, k)
    assert cells == study_cells(occupied, k)
    assert (weights != ring_weights(cells, k)).nnz == 0
