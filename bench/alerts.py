"""Benchmark: live alert delivery to WebSockets against a raw Redis PUBLISH round trip.

Target: with ``--sockets`` district commanders' sockets open across the districts and fatal
accidents posted at a steady rate through the REST API, an alert reaches every socket of its
district at p99 within 250 ms of the POST being sent, and no delivery is lost. The raw
round trip of a Redis PUBLISH to a subscriber, timed in the same run, is the floor it is set
beside. A missed latency target is printed, never failed; a lost or failed delivery, or a POST
that was refused, fails the run, after the output.

Usage, from the project root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safecity \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/alerts.py [--sockets 500] [--incidents 200] [--rate 10]

The benchmark needs PostgreSQL and Redis. It drops and recreates its own database (the name
in ``DATABASE_URL`` plus ``_alertbench``), migrates it and builds the demo city
(``seed_demo --incidents 0``). The demo's alert rules are disabled and one instant rule is
created (critical, fatal traffic accidents, no cooldown), so every posted incident raises
exactly one alert. One district commander a socket, spread round-robin over the districts,
each with an API token, and one city analyst who posts.

daphne serves ``safecity.asgi`` in a subprocess on the benchmark database and ``REDIS_URL``
(channel layer, cache and broker); the benchmark's own Django runs embedded (no ``REDIS_URL``),
so nothing its setup does (area reassignment after the seed, ...) is queued for a worker.
After ``/healthz`` answers, the Redis baseline runs (PUBLISH to a subscribed connection, one
message at a time), the sockets connect (``Authorization: Token``) and read their backlog, a
few untimed incidents of a category no rule matches warm the server up, and then the fatal
accidents are posted, each at the representative point of a random district. Latency is from
just before a POST is sent to the moment a socket's client reads the alert, for every socket
of the incident's district; a delivery still missing ``--grace`` seconds after the last POST
answered is lost. CPU used by daphne and by this client while posting, and the load average,
tell a busy machine apart.

``--channel-layer-socket-timeout 30``, off by default and named in the output, is a stopgap
that lets the latency be measured while a fault stands: it gives daphne a
``CHANNEL_LAYER_URL`` whose read timeout outlasts channels_redis's 5-s BZPOPMIN. redis-py 8
times reads out after 5 s by default, and each time the layer is idle that long one consumer
dies and its socket is closed (django/channels_redis#422).

Output is ``name: value`` lines, headline figures last.
"""

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SCRIPT_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = SCRIPT_DIR.parent
# Run as a script, this file's folder leads sys.path, and "alerts" would import this file
# instead of the alerts app.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != SCRIPT_DIR]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.ingest import _with_database, bench_database_url, fail, setup_django  # noqa: E402
from bench.stats import percentile  # noqa: E402

DATABASE_SUFFIX = "_alertbench"
FATAL_ACCIDENT = "traffic_accident_fatal"
# Matched by no rule once the demo rules are disabled: warms the server without an alert.
WARMUP_CATEGORY = "theft_burglary"
WARMUP_POSTS = 5
USERNAME_PREFIX = "alertbench"
TARGET_P99_MS = 250.0
STARTUP_SECONDS = 60.0
CONNECT_TIMEOUT_SECONDS = 60.0
# Sockets opening at once: enough to connect 500 quickly without a burst of refused handshakes.
CONNECT_CONCURRENCY = 25
POST_TIMEOUT_SECONDS = 30.0
POST_THREADS = 16
REDIS_WARMUP_MESSAGES = 50
# How long the server gets to take closed sockets out of their groups before it is stopped.
LEAVE_SECONDS = 10.0
# The channel layer's key prefix, as safecity/settings/base.py configures it (daphne is
# started with this environment).
ALERT_GROUP_KEYS = f"{os.environ.get('REDIS_KEY_PREFIX', 'safecity')}:group:alerts.*"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=500, help="sockets to open (default 500)")
    parser.add_argument(
        "--incidents", type=int, default=200, help="fatal accidents to post (default 200)"
    )
    parser.add_argument(
        "--rate", type=float, default=10.0, help="incidents posted a second (default 10)"
    )
    parser.add_argument(
        "--grace",
        type=float,
        default=5.0,
        help="seconds after the last POST before a missing delivery is lost (default 5)",
    )
    parser.add_argument(
        "--redis-messages",
        type=int,
        default=1000,
        help="PUBLISH round trips for the baseline (default 1000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--channel-layer-socket-timeout",
        type=float,
        metavar="SECONDS",
        help="give daphne CHANNEL_LAYER_URL=REDIS_URL?socket_timeout=SECONDS: a stopgap while "
        "redis-py's default read timeout (5 s) cuts the channel layer's 5-s BZPOPMIN",
    )
    args = parser.parse_args(argv)
    for name in ("sockets", "incidents", "redis_messages"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.rate <= 0:
        parser.error("--rate must be positive")
    if args.grace < 0:
        parser.error("--grace must not be negative")
    return args


# --- setup ----------------------------------------------------------------------------------


def database_and_redis() -> tuple[str, dict, str, str]:
    """(DATABASE_URL, its parsed config, the benchmark database's name, REDIS_URL)."""
    url, config, _ = bench_database_url()
    name = config.get("NAME") or "safecity"
    if not name.endswith(DATABASE_SUFFIX):
        name += DATABASE_SUFFIX
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        fail("REDIS_URL is not set; point it at Redis, e.g. redis://127.0.0.1:6379/0")
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        fail(f"cannot reach Redis at {redis_url}: {exc}")
    return url, config, name, redis_url


def create_users_and_rule(sockets: int) -> tuple[list[dict], str, dict[int, tuple], int]:
    """Socket users (token, district id) round-robin over the districts, the poster's token,
    each district's representative point and name, and how many demo rules were disabled."""
    from django.db import transaction
    from django.utils import timezone
    from shapely.geometry import shape

    from accounts.choices import Role
    from accounts.models import TOKEN_PREFIX_LENGTH, ApiToken, User, hash_token_key
    from alerts.choices import RuleKind, Severity
    from alerts.models import AlertRule
    from areas.choices import AreaKind
    from areas.models import Area

    districts = list(Area.objects.filter(kind=AreaKind.DISTRICT).order_by("code"))
    if not districts:
        fail("seed_demo built no districts")
    city = Area.objects.get(parent=None)
    points = {}
    for district in districts:
        point = shape(district.geometry).representative_point()
        points[district.pk] = (round(point.x, 6), round(point.y, 6), district.name)

    with transaction.atomic():
        disabled = AlertRule.objects.filter(enabled=True).update(enabled=False)
        AlertRule.objects.create(
            name="致死交通事故（告警基准）",
            name_en="Fatal traffic accident (alert benchmark)",
            kind=RuleKind.INSTANT,
            severity=Severity.CRITICAL,
            categories=[FATAL_ACCIDENT],
            cooldown_minutes=0,
        )
        users = [
            User(
                username=f"{USERNAME_PREFIX}{number:05d}",
                role=Role.DISTRICT_COMMANDER,
                home_area=districts[number % len(districts)],
            )
            for number in range(sockets)
        ]
        poster = User(username=f"{USERNAME_PREFIX}_poster", role=Role.ADMINISTRATOR, home_area=city)
        for user in (*users, poster):
            user.set_unusable_password()
        User.objects.bulk_create([*users, poster])
        users = list(User.objects.filter(username__startswith=USERNAME_PREFIX).order_by("pk"))
        keys = {user.pk: ApiToken.generate_key() for user in users}
        expires = timezone.now() + timedelta(days=1)
        ApiToken.objects.bulk_create(
            ApiToken(
                user=user,
                prefix=keys[user.pk][:TOKEN_PREFIX_LENGTH],
                key_hash=hash_token_key(keys[user.pk]),
                scopes=["alerts:read", "incidents:write"],
                expires_at=expires,
            )
            for user in users
        )
    by_user = keys
    poster = next(u for u in users if u.role == Role.ADMINISTRATOR)
    socket_users = [
        {"token": by_user[u.pk], "district": u.home_area_id}
        for u in users
        if u.role == Role.DISTRICT_COMMANDER
    ]
    return socket_users, by_user[poster.pk], points, disabled


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_daphne(
    database_url: str, redis_url: str, port: int, log, args: argparse.Namespace
) -> subprocess.Popen:
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "safecity.settings.base",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("CHANNEL_LAYER_URL", None)
    if args.channel_layer_socket_timeout is not None:
        env["CHANNEL_LAYER_URL"] = with_socket_timeout(redis_url, args.channel_layer_socket_timeout)
    return subprocess.Popen(
        [
            str(PROJECT_ROOT / ".venv" / "bin" / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "safecity.asgi:application",
        ],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def with_socket_timeout(redis_url: str, seconds: float) -> str:
    parts = urlsplit(redis_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "socket_timeout"]
    query.append(("socket_timeout", f"{seconds:g}"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def alert_group_members(redis_url: str) -> dict[bytes, set[bytes]]:
    """Every alert group's members (channel names) in the channel layer's Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    return {key: set(client.zrange(key, 0, -1)) for key in client.scan_iter(match=ALERT_GROUP_KEYS)}


def members_added(redis_url: str, before: dict[bytes, set[bytes]]) -> dict[bytes, set[bytes]]:
    return {
        key: added
        for key, members in alert_group_members(redis_url).items()
        if (added := members - before.get(key, set()))
    }


def wait_for_leaves(redis_url: str, before: dict[bytes, set[bytes]], seconds: float) -> None:
    """Give the server time to handle the sockets' disconnects (leaving their groups)."""
    deadline = time.monotonic() + seconds
    while members_added(redis_url, before) and time.monotonic() < deadline:
        time.sleep(0.2)


def remove_members_added(redis_url: str, before: dict[bytes, set[bytes]]) -> int:
    """Take out of the alert groups the channels this run's daphne left there (a leave that
    failed): they would receive, for a day, every alert a later run pushes."""
    import redis

    client = redis.Redis.from_url(redis_url)
    return sum(client.zrem(key, *added) for key, added in members_added(redis_url, before).items())


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_health(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"daphne exited with code {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as error:
            last = f"{error.code}: {error.read()[:300]!r}"
        except OSError as error:
            last = str(error)
        time.sleep(0.2)
    fail(f"daphne's /healthz did not answer 200 within {STARTUP_SECONDS:g} s ({last})")


def stop_daphne(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- Redis baseline -------------------------------------------------------------------------


async def redis_publish_round_trips(redis_url: str, count: int) -> list[float]:
    """Seconds from PUBLISH to the subscriber reading it, one message in flight at a time."""
    import redis.asyncio as aioredis

    channel = f"alertbench:{uuid.uuid4().hex}"
    publisher = aioredis.Redis.from_url(redis_url)
    subscriber = aioredis.Redis.from_url(redis_url)
    pubsub = subscriber.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(channel)
    while await pubsub.get_message(timeout=1.0) is not None:
        pass  # the subscribe confirmation, if get_message did not drop it
    payload = json.dumps({"type": "alert", "title": "x" * 200}).encode()
    times = []
    try:
        for number in range(REDIS_WARMUP_MESSAGES + count):
            started = time.perf_counter()
            await publisher.publish(channel, payload)
            message = None
            while message is None:
                message = await pubsub.get_message(timeout=5.0)
                if message is None and time.perf_counter() - started > 5.0:
                    raise RuntimeError("a PUBLISH did not reach the subscriber within 5 s")
            if number >= REDIS_WARMUP_MESSAGES:
                times.append(time.perf_counter() - started)
    finally:
        await pubsub.unsubscribe(channel)
        await pubsub.aclose()
        await subscriber.aclose()
        await publisher.aclose()
    return times


# --- sockets --------------------------------------------------------------------------------


class Listener:
    """One socket's reader: when (perf_counter and wall clock) each alert arrived."""

    def __init__(self, number: int, token: str, district: int):
        self.number = number
        self.token = token
        self.district = district
        self.connection = None
        self.backlog_size = 0
        # incident public id → [(perf_counter, wall time, alert created_at), ...]
        self.received: dict[str, list[tuple[float, float, str]]] = {}
        self.closed_early: str | None = None
        self.closing = False
        self.task: asyncio.Task | None = None

    async def open(self, ws_url: str, origin: str) -> None:
        from websockets.asyncio.client import connect

        self.connection = await connect(
            ws_url,
            additional_headers={"Authorization": f"Token {self.token}"},
            origin=origin,
            open_timeout=CONNECT_TIMEOUT_SECONDS,
        )
        while True:
            message = json.loads(await self.connection.recv())
            if message.get("type") == "backlog":
                self.backlog_size = len(message.get("alerts", []))
                return

    async def listen(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.connection:
                arrived = time.perf_counter()
                wall = time.time()
                message = json.loads(raw)
                if message.get("type") != "alert" or message.get("event") != "created":
                    continue
                alert = message["alert"]
                self.received.setdefault(alert["incident"], []).append(
                    (arrived, wall, alert["created_at"])
                )
        except ConnectionClosed as exc:
            if not self.closing:
                self.closed_early = f"{exc.rcvd.code if exc.rcvd else 'no close frame'}"
        else:
            if not self.closing:
                self.closed_early = "closed by the server"


async def open_listeners(
    users: list[dict], ws_url: str, origin: str
) -> tuple[list[Listener], list[str]]:
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
    listeners = [Listener(n, user["token"], user["district"]) for n, user in enumerate(users)]
    failures: list[str] = []

    async def open_one(listener: Listener) -> None:
        async with limit:
            try:
                await listener.open(ws_url, origin)
            except Exception as exc:  # a refused or timed-out handshake is counted, not raised
                failures.append(f"socket {listener.number}: {type(exc).__name__}: {exc}")
                listener.connection = None

    await asyncio.gather(*(open_one(listener) for listener in listeners))
    connected = [listener for listener in listeners if listener.connection is not None]
    for listener in connected:
        listener.task = asyncio.create_task(listener.listen())
    return connected, failures


async def close_listeners(listeners: list[Listener]) -> None:
    for listener in listeners:
        listener.closing = True
    await asyncio.gather(
        *(listener.connection.close() for listener in listeners), return_exceptions=True
    )
    await asyncio.gather(*(listener.task for listener in listeners), return_exceptions=True)


# --- posting --------------------------------------------------------------------------------


def post_incident(base_url: str, token: str, body: dict) -> tuple[float, float, float, int, dict]:
    """(perf_counter sent, wall time sent, perf_counter answered, status, answer) of one POST."""
    request = urllib.request.Request(
        f"{base_url}/api/v1/incidents/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    wall = time.time()
    sent = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT_SECONDS) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except OSError as error:
        return sent, wall, time.perf_counter(), 0, {"error": str(error)}
    answered = time.perf_counter()
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {"error": raw[:300].decode("utf-8", "replace")}
    return sent, wall, answered, status, answer


def incident_body(ref: str, category: str, point: tuple) -> dict:
    lon, lat, district_name = point
    return {
        "source_ref": ref,
        "category": category,
        "reported_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
        "lon": lon,
        "lat": lat,
        "address": f"{district_name}基准路1号",
        "summary": "两车相撞，一人当场死亡（告警基准）",
    }


async def post_at_rate(
    base_url: str,
    token: str,
    bodies: list[dict],
    rate: float,
    executor: ThreadPoolExecutor,
) -> list[tuple[float, float, float, int, dict]]:
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    tasks = []
    for number, body in enumerate(bodies):
        delay = started + number / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(loop.run_in_executor(executor, post_incident, base_url, token, body))
    return await asyncio.gather(*tasks)


async def wait_for_deliveries(listeners: list[Listener], expected: set, grace: float) -> float:
    """Seconds waited after the last POST until every expected delivery arrived (or grace)."""
    started = time.perf_counter()
    while time.perf_counter() - started < grace:
        if all(incident in listener.received for incident, listener in expected):
            break
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


# --- run ------------------------------------------------------------------------------------


async def run(args, users, poster_token, points, base_url, redis_url, server_pid) -> dict:
    ws_url = base_url.replace("http://", "ws://") + "/ws/alerts/"
    rng = random.Random(args.seed)
    result: dict = {}

    redis_times = await redis_publish_round_trips(redis_url, args.redis_messages)
    result["redis_ms"] = [t * 1000 for t in redis_times]

    started = time.perf_counter()
    listeners, failures = await open_listeners(users, ws_url, base_url)
    result["connect_s"] = time.perf_counter() - started
    result["listeners"] = listeners
    result["connect_failures"] = failures
    if not listeners:
        # Nothing could receive an alert: posting would measure nothing.
        return result | {"outcomes": [], "post_s": 0.0, "expected": set(), "waited_s": 0.0}

    with ThreadPoolExecutor(max_workers=POST_THREADS) as executor:
        district_ids = sorted(points)
        warmup = [
            incident_body(f"warmup-{n}", WARMUP_CATEGORY, points[rng.choice(district_ids)])
            for n in range(WARMUP_POSTS)
        ]
        for outcome in await post_at_rate(base_url, poster_token, warmup, 100.0, executor):
            if outcome[3] != 201:
                fail(f"warm-up POST answered {outcome[3]}: {outcome[4]}")

        bodies = [
            incident_body(f"fatal-{n:06d}", FATAL_ACCIDENT, points[rng.choice(district_ids)])
            for n in range(args.incidents)
        ]
        started = time.perf_counter()
        result["load_before"] = os.getloadavg()[0]
        server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
        outcomes = await post_at_rate(base_url, poster_token, bodies, args.rate, executor)
        result["post_s"] = time.perf_counter() - started
        result["server_cpu"] = (cpu_seconds(server_pid) - server_cpu) / result["post_s"]
        result["client_cpu"] = (time.process_time() - client_cpu) / result["post_s"]
        result["load_after"] = os.getloadavg()[0]
    result["outcomes"] = outcomes

    by_district: dict[int, list[Listener]] = {}
    for listener in listeners:
        by_district.setdefault(listener.district, []).append(listener)
    expected = set()
    for _, _, _, status, answer in outcomes:
        if status == 201:
            for listener in by_district.get(answer.get("district"), []):
                expected.add((answer["id"], listener))
    result["expected"] = expected
    result["waited_s"] = await wait_for_deliveries(listeners, expected, args.grace)
    await close_listeners(listeners)
    return result


def summarize(args, result: dict, name: str, setup_s: float, disabled_rules: int, extra: dict):
    from alerts.models import Alert
    from incidents.models import Incident

    listeners: list[Listener] = result["listeners"]
    outcomes = result["outcomes"]
    expected = result["expected"]
    sent_at = {}
    refused = []
    for sent, wall, answered, status, answer in outcomes:
        if status == 201:
            sent_at[answer["id"]] = (sent, wall, answered, answer.get("district"))
        else:
            refused.append((status, answer))

    latencies, created_to_receipt, post_to_answer = [], [], []
    # incident → receipt times at its sockets: the first, and how far the last trails it
    arrivals_by_incident: dict[str, list[float]] = {}
    received = duplicates = unexpected = 0
    for listener in listeners:
        for incident, arrivals in listener.received.items():
            duplicates += len(arrivals) - 1
            if (incident, listener) not in expected:
                unexpected += len(arrivals)
                continue
            received += 1
            arrived, wall, created_at = arrivals[0]
            latencies.append((arrived - sent_at[incident][0]) * 1000)
            arrivals_by_incident.setdefault(incident, []).append(arrived)
            created = datetime.fromisoformat(created_at).timestamp()
            created_to_receipt.append((wall - created) * 1000)
    for sent, _, answered, _ in sent_at.values():
        post_to_answer.append((answered - sent) * 1000)
    lost = len(expected) - received
    unplaced = sum(1 for *_, district in sent_at.values() if district is None)
    closed_early = [listener for listener in listeners if listener.closed_early]
    incidents_stored = Incident.objects.filter(source_ref__startswith="fatal-").count()
    alerts_raised = Alert.objects.filter(rule__name_en__contains="alert benchmark").count()
    redis_ms = result["redis_ms"]
    redis_p50, redis_p99 = percentile(redis_ms, 0.5), percentile(redis_ms, 0.99)

    for status, answer in refused[:5]:
        print(f"refused_post: {status} {str(answer)[:200]}")
    for failure in result["connect_failures"][:5]:
        print(f"connect_failure: {failure}")
    print(f"database: {name}")
    print(f"setup_s: {setup_s:.2f}")
    print(f"districts: {extra['districts']}")
    print(f"demo_rules_disabled: {disabled_rules}")
    print(f"daphne_start_s: {extra['daphne_start_s']:.2f}")
    print(f"daphne_log: {extra['log_path']}")
    timeout = args.channel_layer_socket_timeout
    print(f"daphne_channel_layer_socket_timeout_s: {'default' if timeout is None else timeout}")
    print(f"server_warnings: {extra['server_warnings']}")
    print(f"server_tracebacks: {extra['server_tracebacks']}")
    # Channels of earlier servers still in the groups: each alert is pushed to them as well.
    print(f"alert_group_members_before: {extra['group_members_before']}")
    # Channels whose leave failed at the end, taken out of the groups by the benchmark.
    print(f"alert_group_members_left_by_run: {extra['group_members_left']}")
    print(f"sockets_requested: {args.sockets}")
    print(f"sockets_connected: {len(listeners)}")
    print(f"sockets_failed: {len(result['connect_failures'])}")
    codes = ", ".join(sorted({str(listener.closed_early) for listener in closed_early}))
    print(f"sockets_closed_early: {len(closed_early)}" + (f" (close {codes})" if codes else ""))
    print(f"sockets_per_district: {extra['per_district']}")
    print(f"sockets_connect_s: {result['connect_s']:.2f}")
    print(f"rate_per_s: {args.rate:g}")
    print(f"incidents_posted: {len(outcomes)}")
    print(f"incidents_refused: {len(refused)}")
    print(f"incidents_stored: {incidents_stored}")
    print(f"incidents_unplaced: {unplaced}")
    print(f"alerts_raised: {alerts_raised}")
    print(f"post_s: {result['post_s']:.2f}")
    if outcomes:
        print(f"achieved_rate_per_s: {len(outcomes) / result['post_s']:.2f}")
        # Shares of one core while posting; the machine's cores are shared by both.
        print(f"server_cpu_while_posting_pct: {result['server_cpu'] * 100:.0f}")
        print(f"client_cpu_while_posting_pct: {result['client_cpu'] * 100:.0f}")
        print(f"load_average_1m: {result['load_before']:.2f} -> {result['load_after']:.2f}")
    if post_to_answer:
        print(f"post_answer_p50_ms: {percentile(post_to_answer, 0.5):.1f}")
        print(f"post_answer_p99_ms: {percentile(post_to_answer, 0.99):.1f}")
    if created_to_receipt:
        print(f"alert_created_to_receipt_p50_ms: {percentile(created_to_receipt, 0.5):.1f}")
        print(f"alert_created_to_receipt_p99_ms: {percentile(created_to_receipt, 0.99):.1f}")
    if arrivals_by_incident:
        first = [(min(t) - sent_at[i][0]) * 1000 for i, t in arrivals_by_incident.items()]
        spread = [(max(t) - min(t)) * 1000 for t in arrivals_by_incident.values()]
        print(f"alert_first_socket_p50_ms: {percentile(first, 0.5):.1f}")
        print(f"alert_first_socket_p99_ms: {percentile(first, 0.99):.1f}")
        print(f"alert_fanout_spread_p50_ms: {percentile(spread, 0.5):.1f}")
        print(f"alert_fanout_spread_p99_ms: {percentile(spread, 0.99):.1f}")
    print(f"grace_s: {args.grace:g}")
    print(f"waited_after_last_post_s: {result['waited_s']:.2f}")
    print(f"deliveries_expected: {len(expected)}")
    print(f"deliveries_received: {received}")
    print(f"deliveries_unexpected: {unexpected}")
    print(f"deliveries_duplicated: {duplicates}")
    print(f"messages_lost: {lost if listeners else 'n/a (no socket connected)'}")
    print(f"redis_publish_messages: {len(redis_ms)}")
    print(f"redis_publish_p50_ms: {redis_p50:.3f}")
    print(f"redis_publish_p99_ms: {redis_p99:.3f}")
    if latencies:
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        print(f"alert_latency_max_ms: {max(latencies):.1f}")
        verdict = "met" if p99 <= TARGET_P99_MS else "MISSED"
        print(f"target_alert_latency_p99_ms: {TARGET_P99_MS:g} ({verdict})")
        print(f"alert_latency_p50_ms: {p50:.1f}")
        print(f"alert_latency_p99_ms: {p99:.1f}")
        print(f"p99_vs_redis_publish: {p99 / redis_p99:.1f}")
    else:
        print(f"target_alert_latency_p99_ms: {TARGET_P99_MS:g} (MISSED: nothing received)")
    sys.stdout.flush()
    problems = []
    if refused:
        problems.append(f"{len(refused)} of {len(outcomes)} POSTs refused")
    if result["connect_failures"]:
        problems.append(f"{len(result['connect_failures'])} sockets failed to connect")
    if lost:
        problems.append(f"{lost} of {len(expected)} deliveries lost")
    if unexpected or duplicates:
        problems.append(f"{unexpected} unexpected and {duplicates} duplicated deliveries")
    if closed_early:
        problems.append(f"{len(closed_early)} sockets closed by the server during the run")
    if not expected:
        problems.append("no delivery was expected (no socket in the incidents' districts)")
    if problems:
        fail("; ".join(problems))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url, config, name, redis_url = database_and_redis()
    # The benchmark process itself stays off Redis (embedded mode): its seed would otherwise
    # queue area reassignment for a Celery worker on the shared broker.
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CHANNEL_LAYER_URL", None)
    log_level = os.environ.get("LOG_LEVEL")
    os.environ["LOG_LEVEL"] = "ERROR"
    started = time.perf_counter()
    setup_django(url, config, name)
    users, poster_token, points, disabled = create_users_and_rule(args.sockets)
    setup_s = time.perf_counter() - started
    from django.db import connection

    connection.close()
    if log_level is None:
        os.environ.pop("LOG_LEVEL")
    else:
        os.environ["LOG_LEVEL"] = log_level

    per_district: dict[int, int] = {}
    for user in users:
        per_district[user["district"]] = per_district.get(user["district"], 0) + 1
    extra = {
        "districts": len(points),
        "per_district": f"{min(per_district.values())}-{max(per_district.values())}",
    }

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = Path(tempfile.gettempdir()) / f"alertbench-daphne-{port}.log"
    extra["log_path"] = log_path
    members_before = alert_group_members(redis_url)
    extra["group_members_before"] = sum(len(m) for m in members_before.values())
    with log_path.open("w") as log:
        started = time.perf_counter()
        process = start_daphne(_with_database(url, name), redis_url, port, log, args)
        try:
            wait_for_health(base_url, process, log_path)
            extra["daphne_start_s"] = time.perf_counter() - started
            result = asyncio.run(
                run(args, users, poster_token, points, base_url, redis_url, process.pid)
            )
            wait_for_leaves(redis_url, members_before, LEAVE_SECONDS)
        finally:
            stop_daphne(process)
            extra["group_members_left"] = remove_members_added(redis_url, members_before)
    log_text = log_path.read_text(errors="replace")
    extra["server_tracebacks"] = log_text.count("Traceback")
    complaints = [
        line for line in log_text.splitlines() if " WARNING " in line or " ERROR " in line
    ]
    extra["server_warnings"] = len(complaints)
    for line in complaints[:10]:
        print(f"server_log: {line[:200]}")
    summarize(args, result, name, setup_s, disabled, extra)


if __name__ == "__main__":
    main()
