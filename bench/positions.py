"""Benchmark: patrol ping ingest through the batch path against a raw insert of the same rows.

Target: ``positions_ingest`` stores at least 5,000 pings/s on PostgreSQL *with* validation,
duplicate detection, moving each unit's latest position and publishing it to the channel
layer, fed as a device gateway posts to ``POST /api/v1/patrols/positions/``. The raw insert
(``bulk_insert`` of the already-prepared rows, no validation) of the same pings in the same
batches, timed in the same run, is the floor it is set beside. A miss is printed, never failed;
a ping rejected, lost or not moving its unit, or a failed push, fails the run, after the output.

Usage, from the project root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safecity_bench_positions \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/positions.py [--pings 100000] [--units 200] [--batch 2000]

The benchmark needs PostgreSQL; ``REDIS_URL`` is optional but wanted, as the real stack
publishes through Redis. It drops and recreates its own database (the name in
``DATABASE_URL`` if it ends in ``_bench_positions``, otherwise that name, less any
``_bench``, plus ``_bench_positions``), migrates it and builds the demo city
(``seed_demo --incidents 0``) with Django embedded, so nothing the seed does is queued for a
Celery worker on the shared broker. The timed pushes then go through the real stack's Redis
channel layer (``CHANNEL_LAYERS`` as the settings build it with ``REDIS_URL``), under a key
prefix of the benchmark's own so that no server on the same Redis draws its units.

``--units`` patrol units, one a patrol zone in turn, each report every few seconds; a
gateway posts the pings of all units in batches of ``--batch`` in time order, times as ISO
strings as they arrive over HTTP, with the jurisdiction of a city-wide user as the endpoint
passes it. Pings and rows are built outside the timings. Each round empties the position
table and clears the units' last positions before each path, so both insert the same pings
into the same empty table, one transaction a batch; the batch path's timing includes the
commit and the publish after it. One untimed batch through each path warms up first; medians
over ``--rounds`` rounds are reported.

Output is ``name: value`` lines, headline figures last.
"""

import argparse
import logging
import math
import os
import random
import runpy
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

SCRIPT_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = SCRIPT_DIR.parent
# Run as a script, this file's folder leads sys.path, and bench/alerts.py and bench/stats.py
# would be imported instead of the alerts and stats apps.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != SCRIPT_DIR]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.ingest import TZ, bench_database_url, fail, setup_django  # noqa: E402
from bench.stats import percentile  # noqa: E402

DATABASE_SUFFIX = "_bench_positions"
UNIT_PREFIX = "posbench-"
GATEWAY_USERNAME = "positionbench_gateway"
COLUMNS = ["unit_id", "at", "lon", "lat", "speed_kmh", "heading"]
PING_EVERY = timedelta(seconds=5)
TARGET_PINGS_PER_S = 5000
LIVE_LOGGER = "safecity.core.live"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pings", type=int, default=100_000, help="pings a round (default 100000)")
    parser.add_argument("--units", type=int, default=200, help="patrol units (default 200)")
    parser.add_argument(
        "--batch", type=int, default=2000, help="pings a gateway request (default 2000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    for name in ("pings", "units", "batch", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


# --- setup ----------------------------------------------------------------------------------


def database() -> tuple[str, dict, str]:
    """(DATABASE_URL, its parsed config, the benchmark database's name)."""
    url, config, _ = bench_database_url()
    name = config.get("NAME") or "safecity"
    if not name.endswith(DATABASE_SUFFIX):
        name = name.removesuffix("_bench") + DATABASE_SUFFIX
    return url, config, name


def stack_channel_layers(redis_url: str, channel_layer_url: str | None) -> dict:
    """CHANNEL_LAYERS as the settings build them for the real stack, under a key prefix of the
    benchmark's own: a server on the same Redis would otherwise draw its units on live maps."""
    import redis

    try:
        redis.Redis.from_url(channel_layer_url or redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        fail(f"cannot reach Redis at {channel_layer_url or redis_url}: {exc}")
    stack = {"REDIS_URL": redis_url}
    if channel_layer_url:
        stack["CHANNEL_LAYER_URL"] = channel_layer_url
    os.environ.update(stack)
    try:
        layers = runpy.run_path(str(PROJECT_ROOT / "safecity" / "settings" / "base.py"))
    finally:
        for key in stack:
            os.environ.pop(key)
    config = layers["CHANNEL_LAYERS"]["default"]["CONFIG"]
    config["prefix"] = f"{config.get('prefix', 'safecity')}-bench"
    return layers["CHANNEL_LAYERS"]


def create_units(count: int):
    """The benchmark's units, one a patrol zone in turn, and the city-wide gateway user that
    reports for them (an administrator: the role that may post pings for every unit)."""
    from django.db import transaction

    from accounts.choices import Role
    from accounts.models import User
    from areas.choices import AreaKind
    from areas.models import Area
    from patrols.choices import UnitKind, UnitStatus
    from patrols.models import PatrolUnit

    zones = list(Area.objects.filter(kind=AreaKind.PATROL_ZONE).order_by("code"))
    if not zones:
        fail("seed_demo built no patrol zones")
    kinds = list(UnitKind)
    with transaction.atomic():
        units = [
            PatrolUnit.objects.create(
                code=f"{UNIT_PREFIX}{number:04d}",
                name=f"基准巡逻单元{number}",
                kind=kinds[number % len(kinds)],
                home_zone=zones[number % len(zones)],
                status=UnitStatus.ON_PATROL,
            )
            for number in range(count)
        ]
        gateway = User(
            username=GATEWAY_USERNAME,
            role=Role.ADMINISTRATOR,
            home_area=Area.objects.get(parent=None),
        )
        gateway.set_unusable_password()
        gateway.save()
    return units, gateway


# --- ping generation ------------------------------------------------------------------------


def generate_pings(units, count: int, seed: int, end: datetime):
    """``count`` pings as a gateway posts them (ISO times, in time order, every unit each tick)
    and the same pings as the rows the batch path inserts; each unit's last ping time."""
    from shapely.geometry import shape

    rng = random.Random(seed)
    ticks = math.ceil(count / len(units))
    walkers = []
    for unit in units:
        point = shape(unit.home_zone.geometry).representative_point()
        walkers.append([unit, point.x, point.y, rng.uniform(0, 360)])
    pings, rows, last_at = [], [], {}
    for tick in range(ticks):
        at = end - (ticks - 1 - tick) * PING_EVERY
        stamp = at.isoformat()
        for walker in walkers[: count - len(pings)]:
            unit, x, y, heading = walker
            heading = (heading + rng.gauss(0, 30)) % 360
            step = rng.uniform(0, 0.0005)  # up to ~50 m in five seconds
            x += step * math.cos(math.radians(heading))
            y += step * math.sin(math.radians(heading))
            walker[1:] = x, y, heading
            lon, lat = round(x, 6), round(y, 6)
            speed = round(step * 111_000 / PING_EVERY.total_seconds() * 3.6, 1)
            heading_deg = float(round(heading))
            pings.append(
                {"unit": unit.code, "at": stamp, "lon": lon, "lat": lat,
                 "speed_kmh": speed, "heading": heading_deg}
            )  # fmt: skip
            rows.append([unit.id, at, lon, lat, speed, heading_deg])
            last_at[unit.id] = at
    return pings, rows, last_at


def batches(items: list, size: int) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]


# --- the two paths --------------------------------------------------------------------------


def empty_positions() -> None:
    """No pings stored and no unit seen: the state both paths start from."""
    from django.db import connection

    from patrols.models import PatrolUnit, Position

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {connection.ops.quote_name(Position._meta.db_table)}")
    PatrolUnit.objects.update(last_lon=None, last_lat=None, last_seen_at=None)


def run_raw_insert(row_batches: list[list]) -> float:
    """Seconds to bulk_insert the prepared rows, one transaction a batch."""
    from django.db import transaction

    from patrols.models import Position
    from safecity.core.bulk import bulk_insert

    started = time.perf_counter()
    for rows in row_batches:
        with transaction.atomic():
            bulk_insert(Position, COLUMNS, rows)
    return time.perf_counter() - started


def run_batch_path(ping_batches: list[list], gateway) -> tuple[list[float], dict]:
    """Seconds each batch took through positions_ingest (commit and publish included), and the
    reports' totals."""
    from patrols.services import positions_ingest

    times = []
    totals = {"stored": 0, "duplicates": 0, "rejected": 0}
    for number, pings in enumerate(ping_batches):
        started = time.perf_counter()
        report = positions_ingest(pings=pings, user=gateway)
        times.append(time.perf_counter() - started)
        for key in totals:
            totals[key] += report[key]
        for error in report["errors"][:5]:
            print(f"rejected ping {error['index']} of batch {number}: {error['message']}")
    return times, totals


class WarningCounter(logging.Handler):
    """Counts warnings: the channel layer's failed pushes are logged, never raised."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1


# --- run ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url, config, name = database()
    # Django runs embedded (no REDIS_URL): its seed would otherwise queue area reassignment
    # for a Celery worker on the shared broker. Only the channel layer is pointed at Redis.
    redis_url = os.environ.pop("REDIS_URL", "")
    channel_layer_url = os.environ.pop("CHANNEL_LAYER_URL", None)
    layers = stack_channel_layers(redis_url, channel_layer_url) if redis_url else None
    started = time.perf_counter()
    setup_django(url, config, name)
    units, gateway = create_units(args.units)
    setup_s = time.perf_counter() - started

    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone

    from patrols.api.views import MAX_PINGS
    from patrols.models import PatrolUnit, Position

    if args.batch > MAX_PINGS:
        fail(f"--batch {args.batch} is over the endpoint's limit of {MAX_PINGS} pings a request")
    if layers is not None:
        # channels drops its layer instances when the setting changes.
        override_settings(CHANNEL_LAYERS=layers).enable()
        layer = layers["default"]["CONFIG"]
        channel_layer = f"redis, {layer['hosts'][0]['address']}, prefix {layer['prefix']}"
    else:
        channel_layer = "in-memory (REDIS_URL not set: no Redis round trips timed)"
    push_warnings = WarningCounter()
    logging.getLogger(LIVE_LOGGER).addHandler(push_warnings)

    started = time.perf_counter()
    end = timezone.now().astimezone(TZ).replace(microsecond=0) - timedelta(minutes=1)
    pings, rows, last_at = generate_pings(units, args.pings, args.seed, end)
    ping_batches, row_batches = batches(pings, args.batch), batches(rows, args.batch)
    generate_s = time.perf_counter() - started

    # One untimed batch each, so first-use costs (connections, the channel layer) fall outside.
    empty_positions()
    run_raw_insert(row_batches[:1])
    empty_positions()
    run_batch_path(ping_batches[:1], gateway)

    raw_s, batch_s, request_ms, problems = [], [], [], []
    for number in range(args.rounds):
        empty_positions()
        raw_s.append(run_raw_insert(row_batches))
        raw_stored = Position.objects.count()
        empty_positions()
        times, totals = run_batch_path(ping_batches, gateway)
        batch_s.append(sum(times))
        request_ms += [t * 1000 for t in times]
        stored = Position.objects.count()
        seen = dict(
            PatrolUnit.objects.filter(code__startswith=UNIT_PREFIX).values_list(
                "id", "last_seen_at"
            )
        )
        not_moved = sum(1 for unit_id, at in last_at.items() if seen.get(unit_id) != at)
        if raw_stored != args.pings:
            problems.append(f"round {number + 1}: raw insert stored {raw_stored}")
        if totals["stored"] != args.pings or stored != args.pings:
            problems.append(
                f"round {number + 1}: batch path reported {totals['stored']} stored, "
                f"{totals['duplicates']} duplicates, {totals['rejected']} rejected; "
                f"{stored} in the table"
            )
        if not_moved:
            problems.append(f"round {number + 1}: {not_moved} units not at their last ping")
    empty_positions()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres = cursor.fetchone()[0].split(",")[0]

    raw_rates = [args.pings / s for s in raw_s]
    batch_rates = [args.pings / s for s in batch_s]
    slowdowns = [b / r for b, r in zip(batch_s, raw_s, strict=True)]
    rate = statistics.median(batch_rates)
    if push_warnings.count:
        problems.append(f"{push_warnings.count} pushes to the channel layer failed")

    print(f"database: {name}")
    print(f"postgres: {postgres}")
    print(f"channel_layer: {channel_layer}")
    print(f"setup_s: {setup_s:.2f}")
    print(f"generate_s: {generate_s:.2f}")
    print(f"units: {len(units)}")
    print(f"units_in_gateway_scope: {PatrolUnit.objects.for_user(gateway).count()}")
    print(f"pings_per_round: {args.pings}")
    print(f"pings_per_request: {args.batch}")
    print(f"requests_per_round: {len(ping_batches)}")
    print(f"rounds: {args.rounds}")
    print(f"raw_insert_s: {', '.join(f'{s:.3f}' for s in raw_s)}")
    print(f"batch_path_s: {', '.join(f'{s:.3f}' for s in batch_s)}")
    print(f"batch_request_p50_ms: {percentile(request_ms, 0.5):.1f}")
    print(f"batch_request_p99_ms: {percentile(request_ms, 0.99):.1f}")
    print(f"push_failures: {push_warnings.count}")
    print(f"raw_insert_pings_per_s: {statistics.median(raw_rates):.0f}")
    print(f"batch_vs_raw_insert: {statistics.median(slowdowns):.1f}x")
    print(f"pings_per_s: {rate:.0f}")
    verdict = "met" if rate >= TARGET_PINGS_PER_S else "MISSED"
    print(f"target_{TARGET_PINGS_PER_S}_per_s: {verdict}")
    sys.stdout.flush()
    if problems:
        fail("; ".join(problems))


if __name__ == "__main__":
    main()
