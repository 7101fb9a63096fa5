"""Benchmark: Getis-Ord Gi* hot spots and emerging hot spots of a city-wide area, each beside a
plain count per cell (the least any map of cells does) measured in the same run.

Targets (issue 28): Gi* for the whole city at h3 resolution 8 over a year of 200,000
incidents under 2 s; emerging hot spots over 52 weekly steps under 20 s. A miss is printed,
never failed.

Usage, from the project root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safecity_bench \\
        .venv/bin/python bench/analysis.py [--incidents 200000] [--repeats 3] [--seed 1]

As ``bench/stats.py`` does, it drops and recreates its own database (the name of
DATABASE_URL's with ``_bench``), migrates it, builds the demo city and writes the incidents
with COPY (points anywhere in the city, leaf categories, times over the last year). Each
analysis is timed as the API runs it (``analysis.results``: the database read, the cells, the
weights, the statistic and the answer's rows), city-wide at resolution 8 with one ring of
neighbours; the baseline is the same read counted per cell (``analysis.selectors``), for the
whole window and per weekly step. Each figure is the median of ``--repeats`` runs after one
untimed warm-up. Then the engine alone (no database) on the Charlottesville incidents of
``../shared/data`` when present, for realism: Gi* of its cells, and the Knox test of its
burglaries.

Output is ``name: value`` lines, headline figures last.
"""

import argparse
import csv
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

SCRIPT_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = SCRIPT_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != SCRIPT_DIR]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench import stats as stats_bench  # noqa: E402
from bench.ingest import bench_database_url, setup_django  # noqa: E402

TARGET_HOTSPOTS_S = 2.0
TARGET_EMERGING_S = 20.0
CHARLOTTESVILLE = PROJECT_ROOT.parent / "shared" / "data" / "charlottesville" / "incidents.csv"


def timed(function, repeats: int) -> tuple[float, object]:
    """(median seconds of ``repeats`` runs after one warm-up, the last answer)."""
    answer = function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        answer = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), answer


def charlottesville_lines(repeats: int) -> list[str]:
    """The engine alone on real points: Gi* at resolution 9, Knox on the burglaries."""
    import h3
    import numpy as np

    from analysis.cells import ring_weights, study_cells
    from analysis.hotspots import hot_spots
    from analysis.knox import knox_test, local_metres

    if not CHARLOTTESVILLE.is_file():
        return ["charlottesville: absent"]
    rows = []
    with CHARLOTTESVILLE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["lon"] and row["lat"]:
                rows.append(row)
    lon = np.array([float(r["lon"]) for r in rows])
    lat = np.array([float(r["lat"]) for r in rows])

    def gi():
        counts: dict[str, int] = {}
        for y, x in zip(lat, lon, strict=True):
            cell = h3.latlng_to_cell(y, x, 9)
            counts[cell] = counts.get(cell, 0) + 1
        cells = study_cells(counts, 1)
        values = np.array([counts.get(c, 0) for c in cells])
        return hot_spots(cells, values, ring_weights(cells, 1))

    gi_s, result = timed(gi, repeats)
    burglary = [i for i, r in enumerate(rows) if "burglary" in r["offense"].lower()]
    x, y = local_metres(lon[burglary], lat[burglary])
    reported = [rows[i]["date_reported"][:19] for i in burglary]
    from datetime import datetime

    days = np.array(
        [
            (datetime.fromisoformat(t) - datetime(2022, 1, 1)).total_seconds() / 86400
            for t in reported
        ]
    )
    knox_s, knox = timed(
        lambda: knox_test(
            x,
            y,
            days,
            distance_width=100,
            distance_bands=5,
            time_width=7,
            time_bands=4,
            permutations=99,
            rng=np.random.default_rng(1),
        ),
        repeats,
    )
    zone = knox.zone()
    zone_text = "none" if zone is None else f"{zone[0]:g} m, {zone[1]:g} days"
    return [
        f"charlottesville_incidents: {len(rows)}",
        f"charlottesville_gi_cells: {len(result.cells)}",
        f"charlottesville_hot_cells: {int((result.classes > 0).sum())}",
        f"charlottesville_gi_s: {gi_s:.3f}",
        f"charlottesville_burglaries: {len(burglary)}",
        f"charlottesville_knox_99_permutations_s: {knox_s:.3f}",
        f"charlottesville_near_repeat_zone: {zone_text}",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    url, config, name = bench_database_url()
    os.environ.setdefault("STATS_CUBE", "false")
    setup_django(url, config, name)

    from django.db import connection
    from django.utils import timezone

    from analysis.results import emerging_answer, hotspot_answer
    from analysis.selectors import cell_counts, step_cell_counts, time_steps
    from stats.registry import get_source
    from stats.selectors import Subject
    from stats.windows import Period

    # A year of incidents, not bench/stats.py's three.
    stats_bench.SPAN_SECONDS = 364 * 24 * 3600
    generate_s, load_s = stats_bench.load_incidents(args.incidents, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE incidents_incident")

    subject = Subject(get_source("incidents"))  # everywhere: the whole city
    end = timezone.localdate()
    year = Period(end - timedelta(days=364), end)
    weeks = time_steps(year, "week")

    count_s, counts = timed(lambda: cell_counts(subject, year, 8), args.repeats)
    hotspots_s, hotspots = timed(
        lambda: hotspot_answer(subject=subject, period=year, resolution=8, k=1), args.repeats
    )
    step_count_s, _ = timed(lambda: step_cell_counts(subject, weeks, 8), args.repeats)
    emerging_s, emerging = timed(
        lambda: emerging_answer(subject=subject, period=year, step="week", resolution=8, k=1),
        args.repeats,
    )
    real = charlottesville_lines(args.repeats)

    print(f"database: {name}")
    print(f"generate_s: {generate_s:.1f}")
    print(f"load_s: {load_s:.1f}")
    print(f"incidents_in_year: {hotspots['events']}")
    print(f"occupied_cells: {len(counts)}")
    print(f"cells_tested: {hotspots['cells_tested']}")
    print(f"hot_cells: {sum(v for k, v in hotspots['classes'].items() if k.startswith('hot'))}")
    print(f"weekly_steps: {len(emerging['steps'])}")
    print(f"emerging_patterned_cells: {len(emerging['cells'])}")
    for line in real:
        print(line)
    print(f"count_per_cell_s: {count_s:.3f}")
    print(f"count_per_cell_and_week_s: {step_count_s:.3f}")
    print(f"hotspots_vs_count_per_cell: {hotspots_s / count_s:.2f}x")
    print(f"emerging_vs_count_per_cell_and_week: {emerging_s / step_count_s:.2f}x")
    print(
        f"hotspots_s: {hotspots_s:.3f} (target < {TARGET_HOTSPOTS_S:g}: "
        f"{'met' if hotspots_s < TARGET_HOTSPOTS_S else 'MISSED'})"
    )
    print(
        f"emerging_52_weeks_s: {emerging_s:.3f} (target < {TARGET_EMERGING_S:g}: "
        f"{'met' if emerging_s < TARGET_EMERGING_S else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
