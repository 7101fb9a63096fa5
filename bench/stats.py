"""Benchmark: the statistics summary from the daily rollups against a raw query of the incidents.

Targets: ``stats_summary`` (current, 同比 and 环比 counts of one area, category and window)
answers at p95 within 30 ms, and at least 50x faster (median over the queries) than one raw
aggregate over the incident table giving the same three counts, in the same run. A miss is
printed, never failed; a differing answer fails the run, after the output.

Usage, from the project root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safecity_bench \\
        .venv/bin/python bench/stats.py [--incidents 1000000] [--queries 300] [--seed 1]

The benchmark needs PostgreSQL and uses its own database, as ``bench/ingest.py`` does: it
drops and recreates it, migrates it and builds the demo city (``seed_demo --incidents 0``).
Incidents are complete rows generated in Python (points in the demo city placed with the area
locator, leaf categories of the taxonomy, three years of calls ending now) and written with
COPY through ``bulk_insert`` in chunks: ``incidents_ingest`` would spend minutes validating
rows that are valid by construction. The table is then vacuumed and analysed, so the raw query
runs with an index-only-capable table and fresh planner statistics, and ``rollups_rebuild``
builds the rollups from it. The rollup cube (``stats/cube.py``) is then loaded with the
``count`` measure, timed, as a process's first summaries would start it in the background.

Each query draws an area (any area, or the whole city: every incident, placed or not), a
category (any node, or all), a window and an end day within the last year. The summary is
timed as the API calls it, Subject built as ``subject_for`` does; the raw answer is timed as
one SQL statement with a filtered count per period over the incidents of the subject in the
span of the three periods. A few untimed warm-up queries of both kinds run first.

Output is ``name: value`` lines, headline figures last.
"""

import argparse
import math
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

SCRIPT_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = SCRIPT_DIR.parent
# Run as a script, this file's folder leads sys.path, and "stats" would import this file
# instead of the stats app.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != SCRIPT_DIR]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.ingest import STREETS, SUMMARIES, bench_database_url, fail, setup_django  # noqa: E402

CHUNK = 50_000
SOURCE_SYSTEM = "statsbench"
YEARS = 3
SPAN_SECONDS = YEARS * 365 * 24 * 3600
# Share of points drawn anywhere in the city's bounding box (water, outside every district).
STRAY_SHARE = 0.01
WINDOWS = ["day", "wtd", "7d", "28d", "mtd", "qtd", "ytd", "365d"]
WARMUP_QUERIES = 10
TARGET_P95_MS = 30.0
TARGET_SPEEDUP = 50.0

RAW_COUNTS = """
SELECT COUNT(*) FILTER (WHERE reported_at >= %s AND reported_at < %s),
       COUNT(*) FILTER (WHERE reported_at >= %s AND reported_at < %s),
       COUNT(*) FILTER (WHERE reported_at >= %s AND reported_at < %s)
FROM incidents_incident
WHERE reported_at >= %s AND reported_at < %s
"""


# --- incident generation --------------------------------------------------------------------


class IncidentGenerator:
    """Complete incident rows for ``bulk_insert``, the same for the same seed and "now"."""

    def __init__(self, seed: int, now: datetime):
        import numpy as np
        import shapely
        from shapely.geometry import shape

        from areas.choices import AreaKind
        from areas.locator import get_locator
        from areas.models import Area
        from incidents.ingest import INGESTED_FIELDS
        from incidents.models import Category

        self.np = np
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.now = now
        districts = [shape(a.geometry) for a in Area.objects.filter(kind=AreaKind.DISTRICT)]
        if not districts:
            fail("seed_demo built no districts")
        self.city = shapely.union_all(districts)
        shapely.prepare(self.city)
        self.locator = get_locator()
        active = list(Category.objects.filter(is_active=True).values_list("id", "path"))
        parents = {path.rsplit("/", 2)[0] + "/" for _, path in active}
        # Incidents are filed under leaf categories; their parents count them through the path.
        self.categories = [(pk, path) for pk, path in active if path not in parents]
        if not self.categories:
            fail("the taxonomy has no active categories")
        # An uneven mix, as in real call data: some categories common, some rare.
        weights = self.rng.pareto(1.5, len(self.categories)) + 0.05
        self.category_weights = weights / weights.sum()
        self.columns = (
            "source_system",
            "source_ref",
            *INGESTED_FIELDS,
            "public_id",
            "created_at",
            "updated_at",
        )
        self.number = 0

    def _points(self, count: int):
        np, rng = self.np, self.rng
        import shapely

        min_x, min_y, max_x, max_y = self.city.bounds
        lons, lats = [], []
        found = 0
        while found < count:
            batch = max(1024, 2 * (count - found))
            xs = rng.uniform(min_x, max_x, batch)
            ys = rng.uniform(min_y, max_y, batch)
            keep = shapely.contains_xy(self.city, xs, ys) | (rng.random(batch) < STRAY_SHARE)
            lons.append(xs[keep])
            lats.append(ys[keep])
            found += int(keep.sum())
        lons = np.round(np.concatenate(lons)[:count], 6)
        lats = np.round(np.concatenate(lats)[:count], 6)
        return lons.tolist(), lats.tolist()

    def rows(self, count: int) -> list[list]:
        import h3

        from areas.choices import AreaKind
        from incidents.choices import H3_RESOLUTIONS

        rng = self.rng
        lons, lats = self._points(count)
        located = self.locator.locate_many(list(zip(lons, lats, strict=True)))
        offsets = rng.integers(1, SPAN_SECONDS, count).tolist()
        category_picks = rng.choice(len(self.categories), count, p=self.category_weights).tolist()
        priorities = rng.choice([1, 2, 3, 4], count, p=[0.05, 0.2, 0.6, 0.15]).tolist()
        # How far each call got: reported only, dispatched, on scene, closed.
        stages = rng.choice(4, count, p=[0.05, 0.05, 0.1, 0.8]).tolist()
        gaps = rng.integers(30, 1800, (count, 3)).tolist()
        money = rng.random(count) < 0.2
        cents = rng.integers(100, 5_000_000, count).tolist()
        arrested = (rng.random(count) < 0.05).tolist()
        streets = rng.integers(0, len(STREETS), count).tolist()
        houses = rng.integers(1, 2000, count).tolist()
        summaries = rng.integers(0, len(SUMMARIES), count).tolist()
        money = money.tolist()
        r7, r9 = H3_RESOLUTIONS
        kinds = (AreaKind.DISTRICT, AreaKind.STATION, AreaKind.PATROL_ZONE, AreaKind.BEAT)
        statuses = ("reported", "dispatched", "on_scene", "closed")
        now = self.now
        rows = []
        for i in range(count):
            self.number += 1
            lon, lat, place = lons[i], lats[i], located[i]
            reported = now - timedelta(seconds=offsets[i])
            moments = [None, None, None]
            at = reported
            for step in range(stages[i]):
                at += timedelta(seconds=gaps[i][step])
                moments[step] = at if at <= now else None
            dispatched, on_scene, closed = moments
            status = statuses[max((n + 1 for n, m in enumerate(moments) if m), default=0)]
            response = int((on_scene - reported).total_seconds()) if on_scene else None
            category_id, category_path = self.categories[category_picks[i]]
            leaf = place.leaf
            by_kind = [place.by_kind.get(kind) for kind in kinds]
            amount = f"{cents[i] / 100:.2f}" if money[i] else None
            values = {
                "source": "call_110",
                "category_id": category_id,
                "category_path": category_path,
                "priority": priorities[i],
                "status": status,
                "reported_at": reported,
                "occurred_at": None,
                "dispatched_at": dispatched,
                "on_scene_at": on_scene,
                "closed_at": closed,
                "filed_at": None,
                "solved_at": None,
                "response_seconds": response,
                "lon": lon,
                "lat": lat,
                "address": f"上海市{STREETS[streets[i]]}{houses[i]}号",
                # Points given with the calls: no geocoding, nothing for the quality queue.
                "geocode_quality": "",
                "geocode_score": None,
                "geocoded_address": "",
                "unlocated_reason": "",
                "area_id": leaf.id if leaf else None,
                "area_path": leaf.path if leaf else "",
                "district_id": by_kind[0].id if by_kind[0] else None,
                "station_id": by_kind[1].id if by_kind[1] else None,
                "patrol_zone_id": by_kind[2].id if by_kind[2] else None,
                "beat_id": by_kind[3].id if by_kind[3] else None,
                "h3_r7": h3.latlng_to_cell(lat, lon, r7),
                "h3_r9": h3.latlng_to_cell(lat, lon, r9),
                "money_involved": amount,
                "loss": amount,
                "recovered": None,
                "arrested": 1 if arrested[i] else 0,
                "transfer_agency": "",
                "transferred_at": None,
                "transfer_outcome": "",
                "summary": SUMMARIES[summaries[i]],
                "source_system": SOURCE_SYSTEM,
                "source_ref": f"S{self.seed}-{self.number:08d}",
                "public_id": uuid.uuid4(),
                "created_at": now,
                "updated_at": now,
            }
            rows.append([values[column] for column in self.columns])
        return rows


def load_incidents(count: int, seed: int) -> tuple[float, float]:
    """(generation seconds, load seconds) for ``count`` incidents, chunk by chunk."""
    from django.db import transaction
    from django.utils import timezone

    from incidents.models import Incident
    from safecity.core.bulk import bulk_insert

    now = timezone.localtime().replace(microsecond=0)
    generate_s = load_s = 0.0
    started = time.perf_counter()
    generator = IncidentGenerator(seed, now)
    generate_s += time.perf_counter() - started
    for start in range(0, count, CHUNK):
        started = time.perf_counter()
        rows = generator.rows(min(CHUNK, count - start))
        generate_s += time.perf_counter() - started
        started = time.perf_counter()
        with transaction.atomic():
            bulk_insert(Incident, generator.columns, rows)
        load_s += time.perf_counter() - started
    return generate_s, load_s


# --- queries --------------------------------------------------------------------------------


def like_prefix(path: str) -> str:
    """A LIKE pattern for "starts with ``path``" (category codes contain underscores)."""
    escaped = path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def raw_counts(cursor, area_path: str, category_path: str, periods: list) -> tuple:
    """The count of each period, in one statement over the incident table."""
    from stats.days import day_bounds

    bounds = [(day_bounds(p.start)[0], day_bounds(p.end)[1]) for p in periods]
    params = [moment for pair in bounds for moment in pair]
    params += [min(start for start, _ in bounds), max(end for _, end in bounds)]
    statement = RAW_COUNTS
    if area_path:
        statement += " AND area_path LIKE %s"
        params.append(like_prefix(area_path))
    if category_path:
        statement += " AND category_path LIKE %s"
        params.append(like_prefix(category_path))
    cursor.execute(statement, params)
    return tuple(cursor.fetchone())


def draw_queries(count: int, rng: random.Random, today: date) -> list[tuple]:
    """(area key, area path, category key, category path, window, end day) per query."""
    from areas.models import Area
    from incidents.models import Category
    from stats.models import ALL_CATEGORIES, EVERYWHERE

    areas = [(EVERYWHERE, ""), *Area.objects.order_by("id").values_list("id", "path")]
    categories = [(ALL_CATEGORIES, ""), *Category.objects.order_by("id").values_list("id", "path")]
    queries = []
    for _ in range(count):
        area_key, area_path = rng.choice(areas)
        category_key, category_path = rng.choice(categories)
        window = rng.choice(WINDOWS)
        end = today - timedelta(days=rng.randrange(365))
        queries.append((area_key, area_path, category_key, category_path, window, end))
    return queries


def run_queries(queries: list[tuple]) -> tuple[list, list, list]:
    """(summary seconds, raw seconds, mismatches) over the queries."""
    from django.db import connection

    from stats.registry import get_source
    from stats.selectors import Subject, stats_summary
    from stats.windows import previous_period, same_period_last_year, window_period

    source = get_source("incidents")
    summary_times, raw_times, mismatches = [], [], []
    with connection.cursor() as cursor:
        for area_key, area_path, category_key, category_path, window, end in queries:
            period = window_period(window, end)
            subject = Subject(source, area_key, area_path, category_key, category_path)
            started = time.perf_counter()
            result = stats_summary(
                subject=subject, window=window, period=period, measures=["count"]
            )
            summary_times.append(time.perf_counter() - started)

            periods = [
                period,
                same_period_last_year(period),
                previous_period(window, period),
            ]
            started = time.perf_counter()
            raw = raw_counts(cursor, area_path, category_path, periods)
            raw_times.append(time.perf_counter() - started)

            count = result["measures"]["count"]
            answer = (count["current"], count["yoy"]["base"], count["pop"]["base"])
            if answer != raw:
                subject_names = (area_path or "*", category_path or "*")
                mismatches.append((*subject_names, window, end, answer, raw))
    return summary_times, raw_times, mismatches


def percentile(values: list[float], share: float) -> float:
    """Linear-interpolated percentile (``share`` in 0..1) of a non-empty list."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def time_cube_update(loaded_generation: int) -> tuple[float, float]:
    """(seconds to bring the cube up to date after one incident today was recomputed, seconds
    to load it whole at that generation): what each serving process pays a minute."""
    from django.utils import timezone

    from incidents.ingest import incidents_ingest
    from stats.cube import cube_reset, cube_warm
    from stats.registry import get_source
    from stats.services import rollups_recompute_dirty

    source = get_source("incidents")
    row = {
        "source_ref": f"BENCH-CUBE-{uuid.uuid4().hex[:8]}",
        "category": "fight",
        "reported_at": timezone.now().isoformat(),
    }
    incidents_ingest(rows=[row], source_system="bench")
    rollups_recompute_dirty()  # if the ingest's own commit did not already
    started = time.perf_counter()
    updated = cube_warm(source=source, measures=["count"])
    update_s = time.perf_counter() - started
    cube_reset()
    started = time.perf_counter()
    reloaded = cube_warm(source=source, measures=["count"])
    reload_s = time.perf_counter() - started
    if updated is None or reloaded is None or updated.generation != reloaded.generation:
        fail("the rollups changed while the cube was timed")
    if updated.generation <= loaded_generation:
        fail("the new incident's day was not recomputed")
    if updated.rows != reloaded.rows:
        fail(f"the updated cube holds {updated.rows} rows, a reload {reloaded.rows}")
    return update_s, reload_s


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--incidents", type=int, default=1_000_000, help="incidents to load (default 1000000)"
    )
    parser.add_argument("--queries", type=int, default=300, help="queries to time (default 300)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.incidents < 1:
        parser.error("--incidents must be at least 1")
    if args.queries < 1:
        parser.error("--queries must be at least 1")

    url, config, name = bench_database_url()
    # The real stack's setting (it is off in embedded mode, i.e. without REDIS_URL).
    os.environ.setdefault("STATS_CUBE", "true")
    started = time.perf_counter()
    setup_django(url, config, name)
    setup_s = time.perf_counter() - started

    from django.db import connection
    from django.utils import timezone

    from areas.choices import AreaKind
    from areas.models import Area
    from incidents.models import Category, Incident, IncidentDaily
    from stats.cube import cube_warm
    from stats.registry import get_source
    from stats.services import rollups_rebuild

    generate_s, load_s = load_incidents(args.incidents, args.seed)
    stored = Incident.objects.count()
    placed = Incident.objects.exclude(area_path="").count()

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE incidents_incident")
    vacuum_s = time.perf_counter() - started

    started = time.perf_counter()
    rollup_days = rollups_rebuild()
    rebuild_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {IncidentDaily._meta.db_table}")
    rollup_rows = IncidentDaily.objects.count()

    started = time.perf_counter()
    cube = cube_warm(source=get_source("incidents"), measures=["count"])
    cube_load_s = time.perf_counter() - started
    if cube is None or cube.segments is None:
        fail("the rollup cube did not load (STATS_CUBE_MAX_ROWS, or rollups still changing)")

    cube_update_s, cube_reload_s = time_cube_update(cube.generation)

    today = timezone.localdate()
    run_queries(draw_queries(WARMUP_QUERIES, random.Random(f"{args.seed}:warmup"), today))
    queries = draw_queries(args.queries, random.Random(f"{args.seed}:queries"), today)
    summary_times, raw_times, mismatches = run_queries(queries)

    summary_ms = [s * 1000 for s in summary_times]
    raw_ms = [s * 1000 for s in raw_times]
    summary_p95 = percentile(summary_ms, 0.95)
    raw_p95 = percentile(raw_ms, 0.95)
    speedup_median = statistics.median(r / s for r, s in zip(raw_ms, summary_ms, strict=True))
    speedup_total = sum(raw_ms) / sum(summary_ms)
    meets_p95 = summary_p95 <= TARGET_P95_MS
    meets_speedup = speedup_median >= TARGET_SPEEDUP

    # The speedup depends mostly on how many incidents the subject holds: by area level.
    kinds = dict(Area.objects.values_list("path", "kind"))
    levels: dict[str, list[float]] = {}
    for query, summary, raw in zip(queries, summary_ms, raw_ms, strict=True):
        levels.setdefault(kinds.get(query[1], "everywhere"), []).append(raw / summary)

    for area, category, window, end, answer, raw in mismatches[:10]:
        print(f"mismatch: area {area} category {category} {window} to {end}: {answer} != {raw}")
    print(f"database: {name}")
    print(f"setup_s: {setup_s:.2f}")
    print(f"areas: {Area.objects.count()}")
    print(f"categories: {Category.objects.count()}")
    print(f"incidents: {stored}")
    print(f"incidents_placed_in_area: {placed}")
    print(f"generate_s: {generate_s:.2f}")
    print(f"load_s: {load_s:.2f}")
    print(f"load_rows_per_s: {args.incidents / load_s:.0f}")
    print(f"vacuum_analyze_s: {vacuum_s:.2f}")
    print(f"rollup_rebuild_s: {rebuild_s:.2f}")
    print(f"rollup_days: {rollup_days}")
    print(f"rollup_rows: {rollup_rows}")
    print(f"cube_load_s: {cube_load_s:.2f}")
    print(f"cube_day_update_s: {cube_update_s:.3f}")
    print(f"cube_reload_s: {cube_reload_s:.3f}")
    print(f"cube_day_update_vs_reload: {cube_update_s / cube_reload_s:.3f}")
    print(f"cube_rows: {cube.rows}")
    print(f"queries: {len(queries)}")
    print(f"mismatches: {len(mismatches)}")
    print(f"summary_p50_ms: {percentile(summary_ms, 0.5):.3f}")
    print(f"summary_max_ms: {max(summary_ms):.3f}")
    print(f"raw_p50_ms: {percentile(raw_ms, 0.5):.2f}")
    print(f"raw_max_ms: {max(raw_ms):.2f}")
    for level in ("everywhere", *AreaKind.values):
        if level in levels:
            ratios = levels[level]
            median = statistics.median(ratios)
            print(f"speedup_median_{level}: {median:.1f} ({len(ratios)} queries)")
    print(f"speedup_min: {min(r / s for r, s in zip(raw_ms, summary_ms, strict=True)):.1f}")
    print(f"target_summary_p95_ms: {TARGET_P95_MS:g} ({'met' if meets_p95 else 'MISSED'})")
    print(f"target_speedup_median: {TARGET_SPEEDUP:g} ({'met' if meets_speedup else 'MISSED'})")
    print(f"summary_p95_ms: {summary_p95:.3f}")
    print(f"raw_p95_ms: {raw_p95:.2f}")
    print(f"speedup_median: {speedup_median:.1f}")
    print(f"speedup_total: {speedup_total:.1f}")
    assert stored == args.incidents, f"stored {stored} of {args.incidents} incidents"
    assert not mismatches, f"{len(mismatches)} of {len(queries)} summaries differ from raw counts"


if __name__ == "__main__":
    main()
