"""The demo city seeded into a PostgreSQL database of its own and served by a real daphne.

Seeding takes half a minute, so it is done once per test run, into a template database; each
suite that needs a site (the dashboard pages, the API fuzzing, the attacks) gets a copy of it
under its own database name (``test_<database>_<suffix>[_<xdist worker>]``), made by
PostgreSQL in a second or two: one suite's writes never reach another's, nor another worker's.
"""

import os
import signal
import subprocess
import sys
import tempfile
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from django.conf import settings
from psycopg2 import sql

from .alerts.test_live import wait_until_http_answers
from .conftest import free_port, redis_available, require, start_redis_server

DEMO_PASSWORD = "SafeCity-demo-2024"
DEMO_INCIDENTS = "3000"
MANAGE = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]


@dataclass
class DemoSite:
    url: str
    database_url: str
    log: Path  # daphne's output: the tracebacks of server errors
    env: dict = field(repr=False)
    # The site's own redis-server: a test may stop it to see the platform without Redis.
    redis: subprocess.Popen | None = field(default=None, repr=False)

    def manage(self, *args: str) -> str:
        """Run a management command against the site's database; its standard output."""
        result = subprocess.run(
            [*MANAGE, *args], env=self.env, check=True, capture_output=True, text=True
        )
        return result.stdout


# Under pytest-xdist every worker of one run carries the run's id; a run without workers has
# its own. The template made by an earlier run (other code, other migrations) is never reused.
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex


def _admin_connection(database: dict):
    connection = psycopg2.connect(
        dbname="postgres",
        user=database["USER"],
        password=database.get("PASSWORD") or None,
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
    )
    connection.autocommit = True
    return connection


def _drop_database(admin, name: str) -> None:
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _database_url(database: dict, name: str) -> str:
    return (
        f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@"
        f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{name}"
    )


def _test_database_stem(database: dict) -> str:
    """``test_<configured name>``, the same in every worker and before or after pytest-django
    has renamed the test database (``test_<name>_gw0`` under xdist)."""
    name = database["NAME"]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        name = name.removesuffix(f"_{worker}")
    return name if name.startswith("test_") else f"test_{name}"


def _template_name(database: dict) -> str:
    return f"{_test_database_stem(database)}_demo"


def _site_env(database_url: str, redis_url: str, var_dir: Path, extra_env: dict) -> dict:
    return dict(os.environ) | {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "safecity.settings.test",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MAP_TILES_URL": "",
        "SAFECITY_VAR_DIR": str(var_dir),
        **extra_env,
    }


def _ensure_template(admin, database: dict) -> str:
    """The demo city of this run, migrated and seeded once: the template every site copies.

    Callers hold the advisory lock, so the workers of a run build it once between them."""
    name = _template_name(database)
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        )
        row = cursor.fetchone()
    if row is not None and row[0] == RUN_ID:
        return name
    _drop_database(admin, name)
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    # Seeded as a served site would be: with a Redis, so tasks are queued, not run in-process.
    redis_url, redis_process = start_redis_server()
    try:
        with tempfile.TemporaryDirectory(prefix="demo-template-") as var_dir:
            env = _site_env(_database_url(database, name), redis_url, Path(var_dir), {})
            subprocess.run([*MANAGE, "migrate", "--noinput", "-v0"], env=env, check=True)
            subprocess.run(
                [*MANAGE, "seed_demo", "--seed", "7", "--incidents", DEMO_INCIDENTS],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
    except BaseException:
        _drop_database(admin, name)
        raise
    finally:
        redis_process.kill()
        redis_process.wait()
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(RUN_ID)
            )
        )
    return name


def _copy_of_demo_city(admin, database: dict, name: str) -> None:
    """Create database ``name`` as a copy of the run's seeded demo city."""
    lock = zlib.crc32(_template_name(database).encode())
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [lock])
    try:
        template = _ensure_template(admin, database)
        _drop_database(admin, name)
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
    finally:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])


def drop_demo_template() -> None:
    """Drop the run's template (at the end of the run: no worker copies it any more)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return
    admin = _admin_connection(database)
    try:
        _drop_database(admin, _template_name(database))
    finally:
        admin.close()


SERVE = str(Path(settings.BASE_DIR) / "deploy" / "serve.sh")


def _stop(process: subprocess.Popen, *, group: bool) -> None:
    signal_of = (lambda sig: os.killpg(process.pid, sig)) if group else process.send_signal
    if process.poll() is None:
        signal_of(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        signal_of(signal.SIGKILL)
        process.wait()


@contextmanager
def serve_demo_city(
    *, suffix: str, var_dir: Path, extra_env: dict | None = None, stack: str | None = None
):
    """daphne serving the seeded demo city; Redis carries the channel layer and the cache.

    ``extra_env`` sets more of the environment the settings read, for this site only.
    ``stack`` serves it instead as ``make serve`` does (``deploy/serve.sh``: nginx in front
    of gunicorn and daphne), running the Procfile's processes it names ("front http ws").
    """
    database = settings.DATABASES["default"]
    require(database["ENGINE"] == "django.db.backends.postgresql", "the demo site needs PostgreSQL")
    require(redis_available(), "REDIS_URL is not set or Redis does not answer")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = "_".join(filter(None, [_test_database_stem(database), suffix, worker]))
    admin = _admin_connection(database)
    try:
        _copy_of_demo_city(admin, database, name)
    except BaseException:
        admin.close()
        raise
    database_url = _database_url(database, name)
    # A redis-server of the site's own (cache, queue, channel layer): parallel runs of the
    # suite must not hear each other's pushes.
    redis_url, redis_process = start_redis_server()
    env = _site_env(database_url, redis_url, var_dir, extra_env or {})
    log = var_dir / "daphne.log"
    process = None
    try:
        port = free_port()
        daphne = str(Path(sys.executable).parent / "daphne")
        command = [daphne, "-b", "127.0.0.1", "-p", str(port), "safecity.asgi:application"]
        if stack:
            command = [SERVE]
            env |= {
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "SERVE_PROCESSES": stack,
                "VENV": str(Path(sys.executable).parent.parent),
                "STATIC_ROOT": str(var_dir / "static"),
            }
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                env=env,
                cwd=settings.BASE_DIR,
                stdout=output,
                stderr=subprocess.STDOUT,
                # honcho stops every process it started when its group is told to.
                start_new_session=bool(stack),
            )
        wait_until_http_answers(f"http://127.0.0.1:{port}/healthz", process)
        yield DemoSite(
            url=f"http://127.0.0.1:{port}",
            database_url=database_url,
            log=log,
            env=env,
            redis=redis_process,
        )
    finally:
        if process is not None:
            _stop(process, group=bool(stack))
        _drop_database(admin, name)
        admin.close()
        redis_process.kill()
        redis_process.wait()
