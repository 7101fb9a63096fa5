"""The forecast model, its scoring and the backtest, against computations written out here."""

import math

import h3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.forecast.backtest import METHODS, origin_days, run_backtest
from analysis.forecast.model import Events, ForecastParams, Grid, Model, prior_counts
from analysis.forecast.scoring import score

DAY = 86_400.0
# A small town (lon, lat) and a parameter set with every part switched on.
TOWN = (-78.48, 38.03)
PARAMS = ForecastParams(
    half_life_days=30.0,
    lookback_days=200.0,
    bandwidth_m=300.0,
    trigger_share=0.2,
    trigger_mean_days=5.0,
    trigger_bandwidth_m=150.0,
)


def random_rows(seed: int, count: int, days: float = 300.0) -> list[tuple[float, float, float]]:
    """(unix seconds, lon, lat) of ``count`` events over ``days`` days around TOWN, half of
    them around two hot points."""
    rng = np.random.default_rng(seed)
    rows = []
    for number in range(count):
        centre = [TOWN, (-78.47, 38.035), (-78.49, 38.025)][number % 3]
        spread = 0.01 if number % 3 == 0 else 0.002
        rows.append(
            (
                float(rng.uniform(0, days)) * DAY,
                centre[0] + float(rng.normal(0, spread)),
                centre[1] + float(rng.normal(0, spread)),
            )
        )
    return rows


def by_cell(grid: Grid, values: np.ndarray) -> dict[str, float]:
    return {cell: float(values[number]) for number, cell in enumerate(grid.cells)}


def test_pai_pei_and_hit_rate_match_a_hand_computation():
    # 20 cells of equal area; 20 events in the test period.
    forecast = np.zeros(20)
    forecast[[0, 1, 2, 3, 4]] = [9, 5, 5, 5, 1]
    actual = np.zeros(20)
    actual[[0, 1, 3, 4, 10]] = [2, 3, 6, 1, 8]

    # 5% of 20 cells is 1 cell: cell 0 (2 events); the best single cell is cell 10 (8).
    five = score(forecast, actual, 0.05)
    assert five["hit_rate"] == pytest.approx(2 / 20)
    assert five["pai"] == pytest.approx((2 / 20) / (1 / 20))  # Chainey: (n/N) / (a/A)
    assert five["best_pai"] == pytest.approx((8 / 20) / (1 / 20))
    assert five["pei"] == pytest.approx(((2 / 20) / (1 / 20)) / ((8 / 20) / (1 / 20)))
    # 10% is 2 cells: cell 0, and one of cells 1-3 tied at 5, i.e. a third of their 9 events
    # on average; the best two cells are 10 and 3 (14 events).
    ten = score(forecast, actual, 0.10)
    assert ten["hit_rate"] == pytest.approx((2 + 9 / 3) / 20)
    assert ten["pai"] == pytest.approx(((2 + 9 / 3) / 20) / (2 / 20))
    assert ten["pei"] == pytest.approx((2 + 9 / 3) / 14)
    # 1% is a fifth of a cell: a fifth of cell 0's events; at best a fifth of cell 10's.
    one = score(forecast, actual, 0.01)
    assert one["pai"] == pytest.approx((0.2 * 2 / 20) / 0.01)
    assert one["pei"] == pytest.approx((0.2 * 2) / (0.2 * 8))


def test_no_events_in_the_test_period_give_no_score():
    assert score(np.ones(5), np.zeros(5), 0.05) is None


def haversine_m(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def reference_expected(rows, origin_day, horizon, params, resolution) -> dict[str, float]:
    """The model's formula (analysis/forecast/__init__.py) written out event by event."""
    spacing = math.sqrt(3) * h3.average_hexagon_edge_length(resolution, unit="m")

    def kernel(lon, lat, bandwidth):
        rings = max(1, math.ceil(3 * bandwidth / spacing))
        disk = h3.grid_disk(h3.latlng_to_cell(lat, lon, resolution), rings)
        raw = {}
        for cell in disk:
            c_lat, c_lon = h3.cell_to_latlng(cell)
            raw[cell] = math.exp(-0.5 * (haversine_m(lon, lat, c_lon, c_lat) / bandwidth) ** 2)
        total = sum(raw.values())
        return {cell: value / total for cell, value in raw.items()}

    ages = [origin_day - t / DAY for t, _, _ in rows]
    read = [a > 0 and a <= params.lookback_days for a in ages]
    history = min(params.lookback_days, max(a for a, r in zip(ages, read, strict=True) if r))
    decay = math.log(2) / params.half_life_days
    weighted_days = (1 - math.exp(-decay * history)) / decay
    expected: dict[str, float] = {}
    for (_, lon, lat), age, is_read in zip(rows, ages, read, strict=True):
        if not is_read:
            continue
        background = horizon * (1 - params.trigger_share) * math.exp(-decay * age) / weighted_days
        for cell, weight in kernel(lon, lat, params.bandwidth_m).items():
            expected[cell] = expected.get(cell, 0.0) + background * weight
        omega = params.trigger_mean_days
        offspring = params.trigger_share * (
            math.exp(-age / omega) - math.exp(-(age + horizon) / omega)
        )
        for cell, weight in kernel(lon, lat, params.trigger_bandwidth_m).items():
            expected[cell] = expected.get(cell, 0.0) + offspring * weight
    return expected


@pytest.mark.parametrize("resolution", [8, 9])
def test_the_model_gives_its_formula_cell_by_cell(resolution):
    rows = random_rows(seed=resolution, count=60)
    grid = Grid(resolution)
    model = Model(Events.build(rows, grid), PARAMS)
    origin_day = 250.0

    got = by_cell(grid, model.expected(origin_day, 28))
    want = reference_expected(rows, origin_day, 28, PARAMS, resolution)

    assert set(want) <= set(got)
    assert got == pytest.approx({cell: want.get(cell, 0.0) for cell in got}, rel=1e-9, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    origin_day=st.floats(20.0, 280.0),
    horizon=st.sampled_from([7, 28]),
)
def test_events_after_an_origin_do_not_change_its_forecast(seed, origin_day, horizon):
    rows = random_rows(seed=seed, count=80)
    earlier = [row for row in rows if row[0] / DAY < origin_day]
    grid_all, grid_earlier = Grid(8), Grid(8)
    everything = Model(Events.build(rows, grid_all), PARAMS).expected(origin_day, horizon)
    only_earlier = Model(Events.build(earlier, grid_earlier), PARAMS).expected(origin_day, horizon)

    with_later = by_cell(grid_all, everything)
    without = by_cell(grid_earlier, only_earlier)
    assert with_later == pytest.approx(
        {cell: without.get(cell, 0.0) for cell in with_later}, rel=1e-12, abs=1e-15
    )
    recent = prior_counts(Events.build(rows, Grid(8)), origin_day, 28).sum()
    assert recent == sum(1 for t, _, _ in earlier if origin_day - t / DAY <= 28)


def test_the_baselines_count_each_cells_events_in_the_days_before_the_origin():
    rows = random_rows(seed=7, count=200)
    grid = Grid(9)
    events = Events.build(rows, grid)
    origin_day = 200.0
    for days in (28, 365):
        got = by_cell(grid, prior_counts(events, origin_day, days))
        want: dict[str, float] = {}
        for t, lon, lat in rows:
            if 0 < origin_day - t / DAY <= days:
                cell = h3.latlng_to_cell(lat, lon, 9)
                want[cell] = want.get(cell, 0) + 1
        assert {cell: count for cell, count in got.items() if count} == want


def test_the_backtest_scores_each_origin_on_its_own_horizon_only():
    rows = random_rows(seed=3, count=400)
    grid = Grid(9)
    events = Events.build(rows, grid)
    region = np.arange(len(grid))
    origins = origin_days(301.0, 28, 4)
    base = run_backtest(events, region, origins=origins, horizon_days=28, params=PARAMS)
    # Events in the last test period only: the earlier origins' forecasts and test periods
    # are untouched, so their scores are too.
    later = rows + [(300.0 * DAY, TOWN[0], TOWN[1])] * 5
    grid_later = Grid(9)
    events_later = Events.build(later, grid_later)
    more = run_backtest(
        events_later,
        np.arange(len(grid_later)),
        origins=origins,
        horizon_days=28,
        params=PARAMS,
    )

    assert origins == [189.0, 217.0, 245.0, 273.0]
    assert [o["events"] for o in base["origins"]] == [
        sum(1 for t, _, _ in rows if origin <= t / DAY < origin + 28) for origin in origins
    ]
    for before, after in zip(base["origins"][:-1], more["origins"][:-1], strict=True):
        assert before["scores"] == after["scores"]
    assert more["origins"][-1]["events"] == base["origins"][-1]["events"] + 5
    summary = base["summary"]
    for method in METHODS:
        pais = [o["scores"][method]["5%"]["pai"] for o in base["origins"]]
        assert summary[method]["5%"]["pai"]["mean"] == pytest.approx(np.mean(pais))
        assert summary[method]["5%"]["pai"]["sd"] == pytest.approx(np.std(pais, ddof=1))
