"""Benchmark: bulk incident ingest into PostgreSQL against a plain COPY of the same rows.

Target: ``incidents_ingest`` sustains at least 20,000 rows/s *with* row validation, area
assignment (point → district/station/patrol zone) and h3 cells, and stays within 5x of a plain
``COPY`` of the same rows in the same run. A miss is printed, never failed.

Usage, from the project root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safecity_bench \\
        .venv/bin/python bench/ingest.py [--rows 200000] [--seed 1]

The benchmark needs PostgreSQL. It drops and recreates its own database (the name in
``DATABASE_URL`` if it ends in ``_bench``, otherwise that name plus ``_bench``), migrates it
and builds the demo city (``seed_demo``). Row generation and the COPY buffer are built outside
the timings; the ingest is fed in chunks of 5,000 inside one transaction, as
``import_incidents`` does, and its timing includes validation, placement, h3 and the commit.
The COPY baseline runs first, into the same table, under its own source system.

``--format xlsx`` instead imports the same generated rows from an XLSX workbook and from a CSV
file, read, mapped and ingested as ``import_incidents`` does, into the same benchmark database
(``bench/ingest_formats.py``).

Output is ``name: value`` lines, headline figures last.
"""

import argparse
import io
import os
import random
import sys
import time
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

SOURCE_SYSTEM = "bench"
COPY_SOURCE_SYSTEM = "copybench"
TARGET_ROWS_PER_S = 20_000
TARGET_SLOWDOWN = 5.0
TZ = ZoneInfo("Asia/Shanghai")
# A fixed "now" keeps the generated rows identical from run to run; all times fall before it.
ANCHOR = datetime(2025, 1, 1, tzinfo=TZ)
SPAN_SECONDS = 365 * 24 * 3600
# Share of points drawn anywhere in the city's bounding box (water, outside every district).
STRAY_SHARE = 0.02

STREETS = ["人民路", "南京东路", "淮海中路", "延安西路", "中山北路", "世纪大道", "浦东大道"]
STREETS += ["四川北路", "长寿路", "曹杨路", "漕溪北路", "虹桥路", "张杨路", "共和新路"]
SUMMARIES = [
    "报警人称其电动车被盗",
    "报警人称手机在地铁站被扒窃",
    "两车发生剐蹭，双方争执",
    "邻里因噪音发生纠纷",
    "报警人称接到冒充客服电话被骗",
    "路人发现有人晕倒在路边",
    "商户称有人醉酒滋事",
    "报警人称家中被盗，门锁被撬",
]

COPY_COLUMNS = (
    "public_id",
    "source",
    "source_system",
    "source_ref",
    "category_id",
    "category_path",
    "priority",
    "status",
    "reported_at",
    "dispatched_at",
    "on_scene_at",
    "closed_at",
    "response_seconds",
    "lon",
    "lat",
    "address",
    "area_path",
    "h3_r7",
    "h3_r9",
    "money_involved",
    "arrested",
    "transfer_agency",
    "transfer_outcome",
    "summary",
    "created_at",
    "updated_at",
)


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def bench_database_url() -> tuple[str, dict, str]:
    """(the original URL, its parsed config, the benchmark database's name)."""
    import environ

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        fail(
            "DATABASE_URL is not set; point it at PostgreSQL, e.g. "
            "postgres://postgres@127.0.0.1:5432/safecity_bench"
        )
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # environ raises several types for a bad URL
        fail(f"cannot parse DATABASE_URL: {exc}")
    if "postgresql" not in config.get("ENGINE", ""):
        fail(f"DATABASE_URL must point at PostgreSQL, not {config.get('ENGINE')!r}")
    name = config.get("NAME") or "safecity"
    bench_name = name if name.endswith("_bench") else f"{name}_bench"
    return url, config, bench_name


def recreate_database(config: dict, name: str) -> None:
    import psycopg2
    import psycopg2.errors
    from psycopg2 import sql

    connection = psycopg2.connect(**_connect_args(config, "postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            # No FORCE: a database still in use is most likely another benchmark run.
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg2.errors.ObjectInUse:
        fail(f"database {name} is in use (another benchmark run?); try again when it is free")
    finally:
        connection.close()


def _connect_args(config: dict, dbname: str) -> dict:
    args = {"dbname": dbname}
    for key, arg in (
        ("HOST", "host"),
        ("PORT", "port"),
        ("USER", "user"),
        ("PASSWORD", "password"),
    ):
        if config.get(key):
            args[arg] = config[key]
    return args


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def setup_django(url: str, config: dict, name: str) -> None:
    recreate_database(config, name)
    os.environ["DATABASE_URL"] = _with_database(url, name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "safecity.settings.base"
    import django

    django.setup()
    from django.core.management import call_command, load_command_class

    call_command("migrate", verbosity=0)
    # Areas (and users) only: newer seed_demo also ingests demo incidents unless told not to.
    options = ["--seed", "1"]
    seed_demo = load_command_class("demo", "seed_demo")
    if "--incidents" in seed_demo.create_parser("manage.py", "seed_demo")._option_string_actions:
        options += ["--incidents", "0"]
    call_command(seed_demo, *options, stdout=io.StringIO())


# --- row generation -------------------------------------------------------------------------


def _points(count: int, rng: random.Random) -> list[tuple[float, float]]:
    """Points mostly inside the demo districts, a few anywhere in the city's bounding box."""
    import numpy as np
    import shapely
    from shapely.geometry import shape

    from areas.choices import AreaKind
    from areas.models import Area

    districts = [shape(a.geometry) for a in Area.objects.filter(kind=AreaKind.DISTRICT)]
    if not districts:
        fail("seed_demo built no districts")
    city = shapely.union_all(districts)
    shapely.prepare(city)
    min_x, min_y, max_x, max_y = city.bounds
    points: list[tuple[float, float]] = []
    while len(points) < count:
        batch = max(1024, 2 * (count - len(points)))
        xs = np.array([rng.uniform(min_x, max_x) for _ in range(batch)])
        ys = np.array([rng.uniform(min_y, max_y) for _ in range(batch)])
        inside = shapely.contains_xy(city, xs, ys)
        for x, y, ok in zip(xs.tolist(), ys.tolist(), inside.tolist(), strict=True):
            if ok or rng.random() < STRAY_SHARE:
                points.append((round(x, 6), round(y, 6)))
    return points[:count]


def generate_rows(count: int, seed: int, codes: list[str]) -> list[dict]:
    """``count`` canonical ingest rows, the same for the same seed."""
    rng = random.Random(seed)
    points = _points(count, rng)
    rows = []
    for number, (lon, lat) in enumerate(points):
        reported = ANCHOR - timedelta(seconds=rng.randrange(3600, SPAN_SECONDS))
        row = {
            "source_ref": f"B{seed}-{number:08d}",
            "category": rng.choice(codes),
            "reported_at": reported,
            "lon": lon,
            "lat": lat,
            "address": f"上海市{rng.choice(STREETS)}{rng.randrange(1, 2000)}号",
            "priority": rng.choices((1, 2, 3, 4), weights=(5, 20, 60, 15))[0],
            "summary": rng.choice(SUMMARIES),
        }
        # Most calls are dispatched, attended and closed; some stop earlier.
        stage = rng.choices((0, 1, 2, 3), weights=(5, 5, 10, 80))[0]
        at = reported
        for name in ("dispatched_at", "on_scene_at", "closed_at")[:stage]:
            at += timedelta(seconds=rng.randrange(30, 1800))
            row[name] = at
        if rng.random() < 0.2:
            row["money_involved"] = f"{rng.randrange(1, 5_000_000) / 100:.2f}"
        rows.append(row)
    return rows


# --- COPY baseline --------------------------------------------------------------------------


def _csv_field(value) -> str:
    if value is None:
        return ""  # unquoted empty is NULL in COPY ... (FORMAT csv)
    if isinstance(value, bool | int | float | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return '"' + text.replace('"', '""') + '"'


def copy_buffer(rows: list[dict], categories: dict[str, tuple[int, str]]) -> io.StringIO:
    """The rows as the COPY columns, one CSV line each; no validation, areas or h3."""
    now = datetime.now(TZ)
    lines = []
    for row in rows:
        category_id, category_path = categories[row["category"]]
        dispatched = row.get("dispatched_at")
        on_scene = row.get("on_scene_at")
        closed = row.get("closed_at")
        status = (
            "closed"
            if closed
            else "on_scene"
            if on_scene
            else "dispatched"
            if dispatched
            else "reported"
        )
        response = int((on_scene - row["reported_at"]).total_seconds()) if on_scene else None
        values = (
            uuid.uuid4(),
            "call_110",
            COPY_SOURCE_SYSTEM,
            row["source_ref"],
            category_id,
            category_path,
            row["priority"],
            status,
            row["reported_at"],
            dispatched,
            on_scene,
            closed,
            response,
            row["lon"],
            row["lat"],
            row["address"],
            "",
            "",
            "",
            row.get("money_involved"),
            0,
            "",
            "",
            row["summary"],
            now,
            now,
        )
        lines.append(",".join(_csv_field(v) for v in values))
    buffer = io.StringIO("\n".join(lines) + "\n")
    return buffer


def run_copy(buffer: io.StringIO) -> float:
    """Seconds to COPY the buffer into incidents_incident and commit, on its own connection."""
    import psycopg2
    from django.db import connection

    raw = psycopg2.connect(
        **_connect_args(connection.settings_dict, connection.settings_dict["NAME"])
    )
    statement = f"COPY incidents_incident ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
    try:
        with raw.cursor() as cursor:
            started = time.perf_counter()
            cursor.copy_expert(statement, buffer)
            raw.commit()
            return time.perf_counter() - started
    finally:
        raw.close()


# --- ingest ---------------------------------------------------------------------------------


def run_ingest(rows: list[dict]) -> tuple[float, int, int]:
    """(seconds, created, rejected) for ingesting ``rows`` as ``import_incidents`` does: in
    chunks, pipelined, in one transaction, the commit included."""
    from django.db import transaction

    from incidents.ingest import chunked, incidents_ingest_chunks

    started = time.perf_counter()
    with transaction.atomic():
        report = incidents_ingest_chunks(chunked(rows), source_system=SOURCE_SYSTEM)
    elapsed = time.perf_counter() - started
    for error in report.errors[:5]:
        print(f"rejected row {error.row}: {error.field}: {error.message}")
    return elapsed, report.created, report.rejected


def python_reference_us() -> float:
    """Microseconds for ``sum(range(1000))``, the best of a few repeats."""
    import timeit

    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows to load (default 200000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--format",
        choices=("rows", "xlsx"),
        default="rows",
        help="rows: the ingest against COPY (default); xlsx: importing XLSX against CSV",
    )
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if args.format == "xlsx":
        from bench.ingest_formats import main as read_formats

        read_formats(args.rows, args.seed)
        return

    url, config, name = bench_database_url()
    started = time.perf_counter()
    setup_django(url, config, name)
    setup_s = time.perf_counter() - started

    from areas.locator import get_locator
    from incidents.ingest import active_categories
    from incidents.models import Category, Incident

    codes = sorted(Category.objects.filter(is_active=True).values_list("code", flat=True))
    started = time.perf_counter()
    rows = generate_rows(args.rows, args.seed, codes)
    generate_s = time.perf_counter() - started
    buffer = copy_buffer(rows, active_categories())

    copy_s = run_copy(buffer)
    del buffer

    # Build the point → area trees once up front, as a warm worker process would have them.
    started = time.perf_counter()
    get_locator()
    locator_s = time.perf_counter() - started

    ingest_s, created, rejected = run_ingest(rows)
    stored = Incident.objects.filter(source_system=SOURCE_SYSTEM).count()
    placed = Incident.objects.filter(source_system=SOURCE_SYSTEM, district__isnull=False).count()
    copied = Incident.objects.filter(source_system=COPY_SOURCE_SYSTEM).count()

    copy_rate = args.rows / copy_s
    ingest_rate = args.rows / ingest_s
    slowdown = copy_rate / ingest_rate
    meets_rate = ingest_rate >= TARGET_ROWS_PER_S
    meets_ratio = slowdown <= TARGET_SLOWDOWN

    print(f"database: {name}")
    stack = "real (recompute queued to Redis)" if os.environ.get("REDIS_URL") else "embedded"
    print(f"stack: {stack}")
    # This machine's pure-Python speed, to compare runs on different machines (a 2020s desktop
    # core takes about 7 µs).
    print(f"python_sum_range_1000_us: {python_reference_us():.1f}")
    print(f"setup_s: {setup_s:.2f}")
    print(f"generate_s: {generate_s:.2f}")
    print(f"locator_build_s: {locator_s:.3f}")
    print(f"copied_rows: {copied}")
    print(f"ingest_created: {created}")
    print(f"ingest_rejected: {rejected}")
    print(f"ingest_stored: {stored}")
    print(f"ingest_placed_in_district: {placed}")
    print(f"copy_s: {copy_s:.3f}")
    print(f"ingest_s: {ingest_s:.3f}")
    print(f"target_rows_per_s: {TARGET_ROWS_PER_S} ({'met' if meets_rate else 'MISSED'})")
    print(f"target_slowdown: {TARGET_SLOWDOWN:g} ({'met' if meets_ratio else 'MISSED'})")
    print(f"rows: {args.rows}")
    print(f"copy_rows_per_s: {copy_rate:.0f}")
    print(f"ingest_rows_per_s: {ingest_rate:.0f}")
    print(f"ingest_vs_copy_slowdown: {slowdown:.2f}")
    assert rejected == 0, f"{rejected} rows rejected"
    assert created == args.rows == stored, f"created {created}, stored {stored} of {args.rows}"


if __name__ == "__main__":
    main()
