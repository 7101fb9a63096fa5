"""Benchmark: dashboard pages' first figures in headless Chromium against the login page.

Target (issue 9): a page shows its first figures within 1.5 s on the demo city in headless
Chromium; heavy data (maps, series) loads after, from JSON endpoints, never blocking the page.
The first figures are rendered by the server into the HTML, so they are on screen once the
document is parsed: the time to them is Navigation Timing's ``domContentLoadedEventEnd`` (from
navigation start). The login page, a trivial server-rendered page timed the same way in the
same run, is the baseline each page is set beside. A miss is printed, never failed; a page
that answers with an HTTP error or does not load fails the run, after the output.

Usage, from the project root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safecity_bench_pages \\
        .venv/bin/python bench/pages.py [--incidents 200000] [--repeat 7] [--warmup 1]
        [--seed 2024] [--keep] [--reuse]

The benchmark needs PostgreSQL, redis-server and Debian's chromium. It drops and recreates
its own database (the name in ``DATABASE_URL`` if it ends in ``_bench_pages``, otherwise that
name, less any ``_bench``, plus ``_bench_pages``), migrates it and builds the real demo city
with ``manage.py seed_demo --incidents N`` (200,000 by default, as ``make run`` builds it;
``--incidents`` shrinks it), with Django embedded (no ``REDIS_URL``), so whatever the seed
queues runs in line. The site is then served as the page tests serve it
(``tests/dashboards/conftest.py``): daphne on a free port with ``safecity.settings.test``
(static files from the finders, no collectstatic), no map tiles (``MAP_TILES_URL`` empty),
and a redis-server of its own for the cache and channel layer. ``--reuse`` serves a database
an earlier ``--keep`` run left, as it is; ``--keep`` leaves the database for later.

Chromium is launched headless with the page tests' arguments (``tests/browser.py``), one
context each for ``analyst`` and ``commander`` (logged in with the demo password) and one
anonymous context for the login page. Each round times the login page, then every page,
for each user in turn; the first ``--warmup`` rounds are untimed (the first is reported as
the cold load), the next ``--repeat`` rounds are timed. A load is over when the network is
idle (Playwright's ``networkidle``); its figures then come from the page's own Performance
entries: ``responseEnd`` (the HTML received), ``domContentLoadedEventEnd`` (first figures),
first contentful paint, and the end of the last resource (network idle, the heavy data) and of
the last JSON request (``fetch``/XHR). The overview's heavy data is after its first figures
when, in every timed load, it made JSON requests and both the last of them and the network
idle end after ``domContentLoadedEventEnd``.

Output is ``name: value`` lines, per page and user the medians in ms, headline figures last.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = SCRIPT_DIR.parent
# Run as a script, this file's folder leads sys.path, and bench/alerts.py and bench/stats.py
# would be imported instead of the alerts and stats apps.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != SCRIPT_DIR]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.alerts import wait_for_health  # noqa: E402
from bench.ingest import (  # noqa: E402
    _connect_args,
    _with_database,
    bench_database_url,
    fail,
    recreate_database,
)
from bench.stats import percentile  # noqa: E402

DATABASE_SUFFIX = "_bench_pages"
SETTINGS = "safecity.settings.test"
DEMO_PASSWORD = "SafeCity-demo-2024"
USERS = ("analyst", "commander")
BASELINE = "/accounts/login/"
PAGES = {
    "overview": "/",
    "incidents": "/incidents/",
    "compstat": "/compstat/",
    "campaigns": "/campaigns/",
    "patrols": "/patrols/",
    "mediation": "/mediation/",
    "alerts": "/alerts/",
}
TARGET_FIRST_FIGURES_MS = 1500.0
STARTUP_SECONDS = 60.0
LOAD_TIMEOUT_MS = 60_000
# As tests/browser.py launches Chromium for the page tests.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Resource Timing keeps 250 entries by default; a map page may ask for more.
INIT_SCRIPT = "performance.setResourceTimingBufferSize(10000);"
TIMINGS = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const resources = performance.getEntriesByType('resource');
    const json = resources.filter(r => r.initiatorType === 'fetch'
                                       || r.initiatorType === 'xmlhttprequest');
    const last = list => list.reduce((end, r) => Math.max(end, r.responseEnd), 0);
    return {
        status: nav.responseStatus || 0,
        html_bytes: nav.decodedBodySize,
        response_end: nav.responseEnd,
        dom_content_loaded: nav.domContentLoadedEventEnd,
        load: nav.loadEventEnd,
        first_paint: paint ? paint.startTime : null,
        resources: resources.length,
        json: json.length,
        json_done: json.length ? last(json) : null,
        json_after_dcl: json.filter(r => r.responseEnd > nav.domContentLoadedEventEnd).length,
        network_idle: Math.max(nav.loadEventEnd, last(resources)),
    };
}"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--incidents",
        type=int,
        default=200_000,
        help="demo incidents to seed (default 200000, the real demo city)",
    )
    parser.add_argument(
        "--repeat", type=int, default=7, help="timed loads of each page and user (default 7)"
    )
    parser.add_argument(
        "--warmup", type=int, default=1, help="untimed rounds before the timed ones (default 1)"
    )
    parser.add_argument(
        "--seed", type=int, default=2024, help="seed_demo's random seed (default 2024, its own)"
    )
    parser.add_argument("--keep", action="store_true", help="leave the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="serve the database a --keep run left, without recreating or seeding it",
    )
    args = parser.parse_args(argv)
    if args.incidents < 0:
        parser.error("--incidents must not be negative")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


# --- setup ----------------------------------------------------------------------------------


def database() -> tuple[str, dict, str]:
    """(DATABASE_URL, its parsed config, the benchmark database's name)."""
    url, config, _ = bench_database_url()
    name = config.get("NAME") or "safecity"
    if not name.endswith(DATABASE_SUFFIX):
        name = name.removesuffix("_bench") + DATABASE_SUFFIX
    return url, config, name


def site_env(database_url: str, var_dir: str, redis_url: str | None) -> dict:
    """The environment of manage.py and daphne, as the page tests' site has it."""
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MAP_TILES_URL": "",
        "SAFECITY_VAR_DIR": var_dir,
    }
    env.pop("DJANGO_DEBUG", None)
    for key in ("REDIS_URL", "CHANNEL_LAYER_URL"):
        env.pop(key, None)
    if redis_url:
        env["REDIS_URL"] = env["CHANNEL_LAYER_URL"] = redis_url
    return env


def manage(env: dict, *arguments: str) -> float:
    """Seconds ``manage.py`` took; its output is shown only if it fails."""
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "manage.py"), *arguments],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    if finished.returncode:
        sys.stderr.write(finished.stdout[-3000:] + finished.stderr[-3000:])
        fail(f"manage.py {' '.join(arguments)} exited with code {finished.returncode}")
    return time.perf_counter() - started


def count_rows(config: dict, name: str) -> dict[str, int]:
    import psycopg2

    tables = {
        "incidents": "incidents_incident",
        "areas": "areas_area",
        "campaigns": "campaigns_campaign",
        "dispute_cases": "mediation_disputecase",
        "alerts": "alerts_alert",
    }
    counts = {}
    connection = psycopg2.connect(**_connect_args(config, name))
    try:
        for key, table in tables.items():
            with connection.cursor() as cursor:
                try:
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")
                    counts[key] = cursor.fetchone()[0]
                except psycopg2.Error:
                    connection.rollback()
                    counts[key] = -1
    finally:
        connection.close()
    return counts


def drop_database(config: dict, name: str) -> str:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(**_connect_args(config, "postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        return "yes"
    except psycopg2.Error as exc:
        return f"no ({str(exc).strip()[:120]})"
    finally:
        connection.close()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis() -> tuple[str, subprocess.Popen]:
    """A redis-server of the benchmark's own on a free port, answering: (url, process)."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        fail("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.2)
    for _ in range(100):
        try:
            client.ping()
            return url, process
        except redis.ConnectionError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    stop(process)
    fail(f"redis-server on port {port} did not answer")


def start_daphne(env: dict, port: int, log) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "daphne"),
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


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- browser --------------------------------------------------------------------------------


def new_context(browser, base_url: str):
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return page


def log_in(page, username: str) -> None:
    page.goto(BASELINE)
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        fail(f"cannot log in as {username} with the demo password")


def load(page, path: str) -> dict:
    """One load of ``path`` in ``page`` until the network is idle: its timings, or an error."""
    page.console_errors.clear()
    try:
        response = page.goto(path, wait_until="networkidle", timeout=LOAD_TIMEOUT_MS)
    except Exception as exc:  # Playwright's TimeoutError and network errors alike
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
    timings = page.evaluate(TIMINGS)
    status = response.status if response is not None else timings["status"]
    if status >= 400:
        timings["error"] = f"HTTP {status}"
    if path != BASELINE and "/accounts/login/" in page.url:
        timings["error"] = "redirected to the login page"
    timings["console_errors"] = list(page.console_errors)
    return timings


def run(base_url: str, args: argparse.Namespace) -> tuple[dict, str]:
    """Samples by (user, page key), the baseline's under (None, "login"); Chromium's version."""
    from playwright.sync_api import sync_playwright

    samples: dict[tuple, list[dict]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            anonymous = new_context(browser, base_url)
            pages = {}
            for username in USERS:
                pages[username] = new_context(browser, base_url)
                log_in(pages[username], username)
            for number in range(args.warmup + args.repeat):
                timed = number >= args.warmup
                for username in USERS:
                    runs = [((None, "login"), anonymous, BASELINE)]
                    runs += [((username, key), pages[username], p) for key, p in PAGES.items()]
                    for key, page, path in runs:
                        sample = load(page, path)
                        sample["timed"] = timed
                        sample["round"] = number
                        samples.setdefault(key, []).append(sample)
            return samples, browser.version
        finally:
            browser.close()


# --- report ---------------------------------------------------------------------------------


def median_of(samples: list[dict], field: str) -> float | None:
    values = [s[field] for s in samples if s.get(field) is not None]
    return statistics.median(values) if values else None


def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def summarize(args, samples: dict, extra: dict) -> None:
    errors = []
    for (username, key), loads in samples.items():
        for sample in loads:
            if "error" in sample:
                errors.append(
                    f"{username or 'anonymous'} {PAGES.get(key, BASELINE)}: "
                    f"{sample['error']} (round {sample['round']})"
                )
    console = {}
    for (username, key), loads in samples.items():
        for sample in loads:
            for message in sample.get("console_errors", []):
                console.setdefault((username, key, message[:160]), 0)
                console[(username, key, message[:160])] += 1

    baseline = [s for s in samples[(None, "login")] if s["timed"] and "error" not in s]
    if not baseline:
        for line in errors[:20]:
            print(f"page_error: {line}")
        fail("the login page never loaded: no baseline")
    baseline_ms = statistics.median(s["dom_content_loaded"] for s in baseline)

    for line in errors[:20]:
        print(f"page_error: {line}")
    for (username, key, message), count in list(console.items())[:20]:
        print(
            f"console_error: {username or 'anonymous'} {PAGES.get(key, BASELINE)}: "
            f"{message} (x{count})"
        )
    print(f"database: {extra['name']}")
    print(f"database_dropped: {extra.get('dropped', 'no (--keep)')}")
    print(f"setup_s: {extra['setup_s']:.1f}")
    if "seed_s" in extra:
        print(f"migrate_s: {extra['migrate_s']:.1f}")
        print(f"seed_demo_s: {extra['seed_s']:.1f}")
    for table, count in extra["counts"].items():
        print(f"{table}: {count}")
    print(f"chromium: {extra['chromium']}")
    print(f"cpus: {os.cpu_count()}")
    print(f"load_average_1m: {extra['load_before']:.2f} -> {extra['load_after']:.2f}")
    print(f"daphne_start_s: {extra['daphne_start_s']:.2f}")
    print(f"daphne_log: {extra['log_path']}")
    print(f"server_warnings: {extra['server_warnings']}")
    print(f"server_tracebacks: {extra['server_tracebacks']}")
    print(f"warmup_rounds: {args.warmup}")
    print(f"timed_loads_per_page: {args.repeat}")
    print(f"baseline_login_response_end_ms: {ms(median_of(baseline, 'response_end'))}")
    print(
        f"baseline_login_first_figures_p95_ms: "
        f"{percentile([s['dom_content_loaded'] for s in baseline], 0.95):.0f}"
    )
    print(f"baseline_login_first_figures_ms: {baseline_ms:.0f}")

    worst = None  # (median, username, key)
    measured = 0
    overview_after = []
    for username in USERS:
        for key in PAGES:
            loads = samples[(username, key)]
            good = [s for s in loads if s["timed"] and "error" not in s]
            name = f"{key}_{username}"
            if args.warmup and "error" not in loads[0]:
                print(f"{name}_cold_first_figures_ms: {ms(loads[0]['dom_content_loaded'])}")
            if not good:
                print(f"{name}_first_figures_ms: n/a (failed)")
                continue
            measured += 1
            first = [s["dom_content_loaded"] for s in good]
            median = statistics.median(first)
            print(f"{name}_html_kb: {statistics.median(s['html_bytes'] for s in good) / 1024:.0f}")
            print(f"{name}_response_end_ms: {ms(median_of(good, 'response_end'))}")
            print(f"{name}_first_paint_ms: {ms(median_of(good, 'first_paint'))}")
            print(f"{name}_json_requests: {statistics.median(s['json'] for s in good):g}")
            print(f"{name}_json_done_ms: {ms(median_of(good, 'json_done'))}")
            print(f"{name}_network_idle_ms: {ms(median_of(good, 'network_idle'))}")
            if len(good) < len([s for s in loads if s["timed"]]):
                print(f"{name}_failed_loads: {len([s for s in loads if s['timed']]) - len(good)}")
            print(f"{name}_first_figures_p95_ms: {percentile(first, 0.95):.0f}")
            print(f"{name}_first_figures_vs_login: {median / baseline_ms:.2f}")
            print(f"{name}_first_figures_ms: {median:.0f}")
            if worst is None or median > worst[0]:
                worst = (median, username, key)
            if key == "overview":
                overview_after += [
                    s["json"] > 0
                    and s["json_done"] > s["dom_content_loaded"]
                    and s["dom_content_loaded"] < s["network_idle"]
                    for s in good
                ]

    heavy_after = bool(overview_after) and all(overview_after)
    print(f"pages_measured: {measured} of {len(USERS) * len(PAGES)}")
    print(f"overview_heavy_after_first: {'yes' if heavy_after else 'no'}")
    if worst is None:
        print("first_figures_worst_page_ms: n/a (no page loaded)")
        print(f"first_figures_target_{TARGET_FIRST_FIGURES_MS:.0f}ms: missed")
    else:
        median, username, key = worst
        print(f"first_figures_worst_page: {PAGES[key]} as {username}")
        print(f"first_figures_worst_page_vs_login: {median / baseline_ms:.2f}")
        print(f"first_figures_worst_page_ms: {median:.0f}")
        verdict = "met" if median <= TARGET_FIRST_FIGURES_MS else "missed"
        print(f"first_figures_target_{TARGET_FIRST_FIGURES_MS:.0f}ms: {verdict}")
    sys.stdout.flush()
    if errors:
        fail(f"{len(errors)} page loads failed (page_error lines above)")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url, config, name = database()
    if shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists():
        fail("Debian's chromium is not installed")
    database_url = _with_database(url, name)
    var_dir = tempfile.mkdtemp(prefix="pagebench-var-")
    extra: dict = {"name": name}
    started = time.perf_counter()
    if args.reuse:
        try:
            extra["counts"] = count_rows(config, name)
        except Exception as exc:  # psycopg2.OperationalError: no such database
            fail(f"--reuse: cannot open {name}: {str(exc).strip()[:200]}")
    else:
        recreate_database(config, name)
        embedded = site_env(database_url, var_dir, None)
        extra["migrate_s"] = manage(embedded, "migrate", "--noinput", "-v0")
        options = ["--seed", str(args.seed), "--incidents", str(args.incidents)]
        extra["seed_s"] = manage(embedded, "seed_demo", *options)
        extra["counts"] = count_rows(config, name)
    extra["setup_s"] = time.perf_counter() - started

    redis_url, redis_process = start_redis()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = Path(tempfile.gettempdir()) / f"pagebench-daphne-{port}.log"
    extra["log_path"] = log_path
    try:
        with log_path.open("w") as log:
            started = time.perf_counter()
            process = start_daphne(site_env(database_url, var_dir, redis_url), port, log)
            try:
                wait_for_health(base_url, process, log_path)
                extra["daphne_start_s"] = time.perf_counter() - started
                extra["load_before"] = os.getloadavg()[0]
                samples, extra["chromium"] = run(base_url, args)
                extra["load_after"] = os.getloadavg()[0]
            finally:
                stop(process)
    finally:
        stop(redis_process)
        shutil.rmtree(var_dir, ignore_errors=True)
        if not args.keep:
            extra["dropped"] = drop_database(config, name)
    log_text = log_path.read_text(errors="replace")
    extra["server_tracebacks"] = log_text.count("Traceback")
    complaints = [
        line for line in log_text.splitlines() if " WARNING " in line or " ERROR " in line
    ]
    extra["server_warnings"] = len(complaints)
    for line in complaints[:10]:
        print(f"server_log: {line[:200]}")
    summarize(args, samples, extra)


if __name__ == "__main__":
    main()
