"""Benchmark: a command centre's load on the platform served the real-stack way.

Target (issue 22), on the 2-core VM at 64 clients: no server errors, the PostgreSQL
connections held never above the configured bound, p99 at most 250 ms (``p99_vs_mean_wait``
gives it in units of the average wait of a closed-loop client, which a machine's speed does
not change), and
``served_vs_inprocess`` at least 1.2 (both cores used, little lost to serving); at 256
clients, no server errors either (slower is allowed, failing is not).

Usage, from the project root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safecity_bench_load \\
        .venv/bin/python bench/load.py [--clients 64] [--more-clients 256] [--seconds 20]
        [--incidents 200000] [--seed 2024] [--keep] [--reuse]

It drops and recreates its own database (the name in ``DATABASE_URL`` less any ``_bench``,
plus ``_bench_load``), migrates it and seeds the demo city with ``manage.py seed_demo
--incidents N`` (200,000 by default, as ``make run`` builds it). ``--reuse`` serves a database
an earlier ``--keep`` run left. The platform is then served as ``make serve`` serves it
(``deploy/serve.sh``: nginx in front, gunicorn for HTTP, daphne for WebSockets, a Celery
worker and beat) on a free loopback port, against a redis-server of the benchmark's own.

Each client has an API token of its own, of one of the demo roles in turn (administrator, city
analyst, district commander, station officer), and sends requests one after another over one
kept-alive connection: summaries, time series, breakdowns, incident lists and CompStat tables,
drawn at random, and now and then an incident POST in its jurisdiction. A run lasts
``--seconds`` (at most ``--max-requests`` requests). The baseline, measured in the same run
before the load, is the same request mix sent through Django's test client in one thread of
this process, against the same database and Redis (``inprocess_requests_per_s``).

While the load runs, a thread samples the connections PostgreSQL holds for the database every
50 ms (``pg_connections_max``); the bound is what the serving settings allow
(``pg_connections_bound``, see the README's "Serving"). Output is ``name: value`` lines: per
endpoint the p50 and p99 in ms, then the headline figures last.
"""

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

SCRIPT_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = SCRIPT_DIR.parent
# Run as a script, this file's folder leads sys.path, and bench/alerts.py and bench/stats.py
# would be imported instead of the alerts and stats apps.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != SCRIPT_DIR]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.ingest import (  # noqa: E402
    _connect_args,
    _with_database,
    bench_database_url,
    fail,
    recreate_database,
)
from bench.pages import free_port, manage, start_redis, stop  # noqa: E402
from bench.stats import percentile  # noqa: E402

DATABASE_SUFFIX = "_bench_load"
ROLES = ("admin", "analyst", "commander", "officer")
# Serving settings of the run: the defaults of deploy/serve.sh and deploy/gunicorn.conf.py, or
# what the environment sets, written out so the bound below follows from them.
WEB_WORKERS = int(os.environ.get("WEB_WORKERS", os.cpu_count() or 2))
WEB_THREADS = int(os.environ.get("WEB_THREADS", 1))
WORKER_CONCURRENCY = int(os.environ.get("WORKER_CONCURRENCY", 2))
# One POST in this many requests.
POST_EVERY = 50
REQUEST_TIMEOUT_SECONDS = 30.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (64)")
    parser.add_argument(
        "--more-clients", type=int, default=256, help="the second, heavier run (256; 0: none)"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="length of a run (20)")
    parser.add_argument(
        "--max-requests", type=int, default=100_000, help="most requests in a run (100000)"
    )
    parser.add_argument(
        "--baseline-seconds", type=float, default=10.0, help="length of the baseline (10)"
    )
    parser.add_argument(
        "--incidents", type=int, default=200_000, help="demo incidents seeded (200000)"
    )
    parser.add_argument("--seed", type=int, default=2024, help="random seed (2024)")
    parser.add_argument(
        "--serve",
        choices=sorted(SERVERS),
        default="stack",
        help="how the platform is served: stack (make serve, the default), daphne (one daphne "
        "process for all, as before), asgi (gunicorn with uvicorn workers for all)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the database for --reuse")
    parser.add_argument("--reuse", action="store_true", help="serve the database --keep left")
    return parser.parse_args(argv)


def database() -> tuple[str, dict, str]:
    url, config, _ = bench_database_url()
    name = (config.get("NAME") or "safecity").removesuffix(DATABASE_SUFFIX).removesuffix("_bench")
    return url, config, name + DATABASE_SUFFIX


def site_env(database_url: str, redis_url: str, var_dir: str) -> dict:
    """The environment of the served platform: the real stack's settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "STATS_", "API_THROTTLE"))
    }
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "safecity.settings.base",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MAP_TILES_URL": "",
        "SAFECITY_VAR_DIR": var_dir,
        "WEB_WORKERS": str(WEB_WORKERS),
        "WEB_THREADS": str(WEB_THREADS),
        "WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
        "LOG_LEVEL": "WARNING",
    }
    return env


def _serve_stack(port: int) -> list[str]:
    return [str(PROJECT_ROOT / "deploy" / "serve.sh")]


def _serve_daphne(port: int) -> list[str]:
    bin_dir = Path(sys.executable).parent
    return [
        str(bin_dir / "daphne"),
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "safecity.asgi:application",
    ]


def _serve_asgi(port: int) -> list[str]:
    bin_dir = Path(sys.executable).parent
    return [
        str(bin_dir / "gunicorn"),
        "-k",
        "uvicorn_worker.UvicornWorker",
        "-w",
        str(WEB_WORKERS),
        "-b",
        f"127.0.0.1:{port}",
        "safecity.asgi:application",
    ]


# The platform's processes for each way of serving it (only "stack" runs worker and beat).
SERVERS = {"stack": _serve_stack, "daphne": _serve_daphne, "asgi": _serve_asgi}


def connection_bound() -> int:
    """The most connections one served instance may open, by the README's formula ("The real
    stack"): a kept one per HTTP thread, one per HTTP process for the statistics copy's reload,
    one for the WebSocket server's work, one per worker process and two for beat."""
    return WEB_WORKERS * WEB_THREADS + WEB_WORKERS + 1 + WORKER_CONCURRENCY + 2


# --- the request mix ---------------------------------------------------------------------------


def request_mix(rng: random.Random) -> list[tuple[str, str]]:
    """(endpoint name, path) of the reads a command centre's screens poll."""
    windows = ("day", "7d", "28d", "mtd", "ytd")
    mix = []
    for window in windows:
        mix.append(("summary", f"/api/v1/stats/summary?window={window}"))
        measures = "count,money_involved,loss"
        mix.append(("summary", f"/api/v1/stats/summary?window={window}&measure={measures}"))
    mix.append(("timeseries", "/api/v1/stats/timeseries?window=28d&interval=day"))
    mix.append(("timeseries", "/api/v1/stats/timeseries?window=365d&interval=week"))
    mix.append(("breakdown", "/api/v1/stats/breakdown?by=area&window=7d"))
    mix.append(("breakdown", "/api/v1/stats/breakdown?by=category&window=28d"))
    mix.append(("breakdown", "/api/v1/stats/breakdown?by=hour_weekday&window=28d"))
    mix.append(("incidents", "/api/v1/incidents/?page_size=50"))
    mix.append(("incidents", "/api/v1/incidents/?page_size=20&status=reported"))
    mix.append(("compstat", "/api/v1/stats/compstat"))
    rng.shuffle(mix)
    return mix


class Client:
    """One screen: its token, its jurisdiction's points for POSTs, its own random draw."""

    def __init__(self, number: int, token: str, points: list[tuple[float, float]], seed: int):
        self.number = number
        self.token = token
        self.points = points
        self.rng = random.Random(seed * 1000 + number)
        self.mix = request_mix(self.rng)
        self.sent = 0

    def next_request(self) -> tuple[str, str, str, bytes | None]:
        """(endpoint name, method, path, body)."""
        self.sent += 1
        if self.points and self.sent % POST_EVERY == 0:
            lon, lat = self.rng.choice(self.points)
            body = {
                "source_ref": f"LOAD-{self.number}-{self.sent}-{self.rng.randrange(10**9)}",
                "category": "theft",
                "reported_at": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
                "lon": lon + self.rng.uniform(-0.002, 0.002),
                "lat": lat + self.rng.uniform(-0.002, 0.002),
                "address": "负载基准路1号",
                "summary": "负载基准",
            }
            return "incident_post", "POST", "/api/v1/incidents/", json.dumps(body).encode()
        name, path = self.rng.choice(self.mix)
        return name, "GET", path, None


# --- setup ------------------------------------------------------------------------------------


def seed(env: dict, incidents: int, seed_value: int) -> None:
    # Seeded embedded-style (no Redis): whatever the seed queues runs in line.
    seed_env = {k: v for k, v in env.items() if k not in ("REDIS_URL", "CHANNEL_LAYER_URL")}
    manage(seed_env, "migrate", "--noinput", "-v0")
    manage(seed_env, "seed_demo", "--incidents", str(incidents), "--seed", str(seed_value))


def setup_django(env: dict) -> None:
    for key in ("DATABASE_URL", "REDIS_URL", "CHANNEL_LAYER_URL", "DJANGO_ALLOWED_HOSTS"):
        os.environ[key] = env[key]
    os.environ["DJANGO_SETTINGS_MODULE"] = "safecity.settings.base"
    os.environ["MAP_TILES_URL"] = ""
    os.environ["SAFECITY_VAR_DIR"] = env["SAFECITY_VAR_DIR"]
    import django

    django.setup()


def make_clients(count: int, seed_value: int) -> list[Client]:
    """A token per client, by role in turn, and points inside each role's jurisdiction."""
    from accounts.models import User
    from accounts.services import api_token_create
    from incidents.models import Incident

    users = {user.username: user for user in User.objects.filter(username__in=ROLES)}
    if len(users) != len(ROLES):
        fail(f"the demo users {', '.join(ROLES)} are missing: was the city seeded?")
    points = {}
    for username, user in users.items():
        if not user.has_perm("incidents.add_incident"):
            points[username] = []  # reads only
            continue
        rows = (
            Incident.objects.filter(area_path__startswith=user.home_area.path)
            .exclude(lon=None)
            .values_list("lon", "lat")[:200]
        )
        points[username] = [(float(lon), float(lat)) for lon, lat in rows]
    clients = []
    for number in range(count):
        username = ROLES[number % len(ROLES)]
        scopes = ["stats:read", "incidents:read", "incidents:write"]
        _, key = api_token_create(
            user=users[username], scopes=scopes, days=1, name=f"load benchmark {number}"
        )
        clients.append(Client(number, key, points[username], seed_value))
    return clients


# --- the baseline: the same requests in this process, one thread ----------------------------


def inprocess_rate(clients: list[Client], seconds: float) -> tuple[float, int]:
    """Requests a second through Django's test client in one thread; server errors seen."""
    from django.db import connections
    from django.test import Client as TestClient

    test_client = TestClient(SERVER_NAME="127.0.0.1")
    errors = 0

    def one(client: Client) -> int:
        _, method, path, body = client.next_request()
        headers = {"HTTP_AUTHORIZATION": f"Token {client.token}"}
        if method == "POST":
            response = test_client.post(path, body, content_type="application/json", **headers)
        else:
            response = test_client.get(path, **headers)
        return response.status_code

    for client in clients[: len(ROLES)]:  # warm up: every role, every endpoint
        for _ in range(len(client.mix)):
            one(client)
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        status = one(clients[done % len(clients)])
        errors += status >= 500
        done += 1
    elapsed = time.perf_counter() - started
    connections.close_all()
    return done / elapsed, errors


# --- the load: N clients over real sockets ---------------------------------------------------


async def _send(reader, writer, method: str, path: str, body: bytes | None, token: str):
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token {token}\r\n"
        "Accept: application/json\r\n"
    )
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    writer.write((head + "\r\n").encode() + (body or b""))
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection")
    status = int(status_line.split()[1])
    length, chunked, closing = None, False, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection" and value == "close":
            closing = True
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()
        closing = True
    return status, closing


async def _run_client(client: Client, port: int, deadline: float, budget: list, results: list):
    reader = writer = None
    while time.perf_counter() < deadline and budget[0] > 0:
        budget[0] -= 1
        name, method, path, body = client.next_request()
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            status, closing = await asyncio.wait_for(
                _send(reader, writer, method, path, body, client.token), REQUEST_TIMEOUT_SECONDS
            )
        except (TimeoutError, OSError, ValueError, IndexError):
            status, closing = 0, True
        results.append((name, status, time.perf_counter() - started))
        if closing and writer is not None:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def run_load(clients: list[Client], port: int, seconds: float, max_requests: int) -> tuple:
    """(results, elapsed seconds): results are (endpoint, status, seconds) per request."""
    results: list = []
    budget = [max_requests]

    async def main():
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(_run_client(client, port, deadline, budget, results) for client in clients)
        )

    started = time.perf_counter()
    asyncio.run(main())
    return results, time.perf_counter() - started


class ConnectionSampler(threading.Thread):
    """The most connections PostgreSQL holds for the database, sampled every 50 ms."""

    def __init__(self, config: dict, name: str):
        super().__init__(daemon=True)
        import psycopg2

        self.connection = psycopg2.connect(**_connect_args(config, name))
        self.connection.autocommit = True
        self.name_ = name
        self.most = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        with self.connection.cursor() as cursor:
            while not self.stopping.wait(0.05):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.name_],
                )
                self.most = max(self.most, cursor.fetchone()[0])

    def finish(self) -> int:
        self.stopping.set()
        self.join()
        self.connection.close()
        return self.most


def wait_until_served(port: int, process: subprocess.Popen, log: Path) -> None:
    import urllib.error
    import urllib.request

    for _ in range(240):
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    sys.stderr.write(log.read_text(errors="replace")[-4000:])
    fail("the served platform did not answer /healthz")


def report(prefix: str, results: list, elapsed: float) -> dict:
    by_endpoint = defaultdict(list)
    for name, _, seconds in results:
        by_endpoint[name].append(seconds * 1000)
    for name in sorted(by_endpoint):
        values = by_endpoint[name]
        print(f"{prefix}{name}_requests: {len(values)}")
        print(f"{prefix}{name}_p50_ms: {percentile(values, 0.5):.1f}")
        print(f"{prefix}{name}_p99_ms: {percentile(values, 0.99):.1f}")
    latencies = [seconds * 1000 for _, _, seconds in results]
    statuses = defaultdict(int)
    for _, status, _ in results:
        statuses[status] += 1
    for status in sorted(statuses):
        print(f"{prefix}status_{status or 'no_answer'}: {statuses[status]}")
    return {
        "rate": len(results) / elapsed,
        "p99": percentile(latencies, 0.99) if latencies else float("nan"),
        "server_errors": sum(n for status, n in statuses.items() if status >= 500 or status == 0),
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url, config, name = database()
    database_url = _with_database(url, name)
    if not args.reuse:
        recreate_database(config, name)
    redis_url, redis_process = start_redis()
    var_dir = tempfile.mkdtemp(prefix="safecity-load-")
    env = site_env(database_url, redis_url, var_dir)
    serving = None
    log = Path(var_dir) / "serve.log"
    try:
        started = time.perf_counter()
        if not args.reuse:
            seed(env, args.incidents, args.seed)
        setup_seconds = time.perf_counter() - started
        setup_django(env)
        clients = make_clients(max(args.clients, args.more_clients), args.seed)
        port = free_port()
        with log.open("wb") as output:
            serving = subprocess.Popen(
                SERVERS[args.serve](port),
                env=env | {"HOST": "127.0.0.1", "PORT": str(port)},
                cwd=PROJECT_ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_served(port, serving, log)
        baseline_rate, baseline_errors = inprocess_rate(clients, args.baseline_seconds)
        # Warm the served processes (imports, the statistics copy) before measuring.
        run_load(clients[: args.clients], port, 3.0, args.max_requests)

        sampler = ConnectionSampler(config, name)
        sampler.start()
        results, elapsed = run_load(clients[: args.clients], port, args.seconds, args.max_requests)
        connections_most = sampler.finish()
        main_run = report("", results, elapsed)
        heavy = None
        if args.more_clients:
            sampler = ConnectionSampler(config, name)
            sampler.start()
            heavy_results, heavy_elapsed = run_load(
                clients[: args.more_clients], port, args.seconds, args.max_requests
            )
            heavy_connections = sampler.finish()
            heavy = report(f"c{args.more_clients}_", heavy_results, heavy_elapsed)
            connections_most = max(connections_most, heavy_connections)
            print(f"c{args.more_clients}_requests_per_s: {heavy['rate']:.1f}")
            print(f"c{args.more_clients}_p99_ms: {heavy['p99']:.1f}")
        print(f"setup_s: {setup_seconds:.1f}")
        print(f"clients: {args.clients}")
        print(f"served_by: {args.serve}")
        print(f"web_workers: {WEB_WORKERS}")
        print(f"web_threads: {WEB_THREADS}")
        print(f"inprocess_requests_per_s: {baseline_rate:.1f}")
        print(f"inprocess_server_errors: {baseline_errors}")
        print(f"requests_per_s: {main_run['rate']:.1f}")
        if heavy is not None:
            print(f"server_errors_{args.more_clients}: {heavy['server_errors']}")
        print(f"pg_connections_bound: {connection_bound()}")
        print(f"pg_connections_max: {connections_most}")
        print(f"p99_ms: {main_run['p99']:.1f}")
        # Closed-loop clients each wait clients / rate on average whatever the order; the p99
        # in those units is the tail a machine's speed does not change.
        mean_wait_ms = 1000 * args.clients / main_run["rate"]
        print(f"p99_vs_mean_wait: {main_run['p99'] / mean_wait_ms:.2f}")
        print(f"server_errors: {main_run['server_errors']}")
        print(f"served_vs_inprocess: {main_run['rate'] / baseline_rate:.2f}")
    finally:
        if serving is not None:
            _stop_group(serving)
        stop(redis_process)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _drop(config, name)


def _stop_group(process: subprocess.Popen) -> None:
    """honcho stops every process it runs when it is told to stop."""
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _drop(config: dict, name: str) -> None:
    from bench.pages import drop_database

    drop_database(config, name)


if __name__ == "__main__":
    main()
