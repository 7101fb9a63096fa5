"""The demo city seeded into a PostgreSQL database of its own and served by a real daphne.

Seeding takes seconds, so a suite that needs it (the dashboard pages, the API fuzzing) builds
one site per session under its own database name (``<test database>_<suffix>``): one suite's
writes never reach another's.
"""

import os
import signal
import subprocess
import sys
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


def _stop(process: subprocess.Popen, *, group: bool) -> None:
    signal_of = (lambda sig: os.killpg(process.pid, sig)) if group else process.send_signal
    if process.poll() is None:
        signal_of(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        signal_of(signal.SIGKILL)
        process.wait()


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


SERVE = str(Path(settings.BASE_DIR) / "deploy" / "serve.sh")


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
    name = f"{database['NAME']}_{suffix}"
    if not name.startswith("test_"):
        name = f"test_{name}"
    admin = _admin_connection(database)
    _drop_database(admin, name)
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    database_url = (
        f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@"
        f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{name}"
    )
    # A redis-server of the site's own (cache, queue, channel layer): parallel runs of the
    # suite must not hear each other's pushes.
    redis_url, redis_process = start_redis_server()
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "safecity.settings.test",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MAP_TILES_URL": "",
        "SAFECITY_VAR_DIR": str(var_dir),
        **(extra_env or {}),
    }
    log = var_dir / "daphne.log"
    process = None
    try:
        subprocess.run([*MANAGE, "migrate", "--noinput", "-v0"], env=env, check=True)
        subprocess.run(
            [*MANAGE, "seed_demo", "--seed", "7", "--incidents", DEMO_INCIDENTS],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
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
