"""The platform's processes as the fault tests start them: web servers, Celery workers and
beats, and a PostgreSQL cluster of the test's own.

Each command line is written here once. A web instance is served as ``make serve`` serves it
(deploy/serve.sh: nginx in front of gunicorn's HTTP workers and daphne's WebSockets).
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path

import pytest
from django.conf import settings

from ..alerts.test_live import wait_until_http_answers
from ..conftest import free_port, require

BIN = Path(sys.executable).parent
MANAGE = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
STOP_SECONDS = 20.0


SERVE = str(Path(settings.BASE_DIR) / "deploy" / "serve.sh")
# collectstatic copies only what changed into a folder the instances of one pytest worker share
# (they start one after another).
STATIC_ROOT = Path(tempfile.gettempdir()) / "-".join(
    filter(None, ["safecity-test-static", os.environ.get("PYTEST_XDIST_WORKER")])
)


def web_env(port: int, var_dir: Path, env: dict) -> dict:
    """The environment of deploy/serve.sh serving HTTP and WebSockets on ``port``."""
    return env | {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SERVE_PROCESSES": "front http ws",
        "VENV": str(BIN.parent),
        "SAFECITY_VAR_DIR": str(var_dir),
        "STATIC_ROOT": str(STATIC_ROOT),
        "WEB_WORKERS": env.get("WEB_WORKERS", "2"),
        "WEB_THREADS": env.get("WEB_THREADS", "2"),
    }


def worker_command(name: str) -> list[str]:
    return [
        str(BIN / "celery"),
        "-A",
        "safecity",
        "worker",
        "--hostname",
        f"{name}@%h",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]


def beat_command(schedule_file: Path) -> list[str]:
    return [
        str(BIN / "celery"),
        "-A",
        "safecity",
        "beat",
        "--schedule",
        str(schedule_file),
        "--loglevel=INFO",
    ]


def platform_env(*, database_url: str, redis_url: str, var_dir: Path, **extra: str) -> dict:
    """The environment of one instance of the platform on the real stack."""
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_URL": redis_url,
        # The settings of the real stack, not the test suite's.
        "DJANGO_SETTINGS_MODULE": "safecity.settings.base",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MAP_TILES_URL": "",
        "SAFECITY_VAR_DIR": str(var_dir),
        **extra,
    }
    return env


def wait_until(condition: Callable[[], object], *, seconds: float, what: str):
    """The first true value of ``condition()``, polled until ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds} s")
        time.sleep(0.2)


@dataclass
class Started:
    """A process of the platform and the file its output goes to."""

    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """Die at once, as a crash or the OOM killer does: no cleanup of its own."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@dataclass
class WebInstance:
    url: str
    ws_url: str
    started: Started


@dataclass
class Processes:
    """Starts the platform's processes into ``log_dir``; stops every one at the end."""

    log_dir: Path
    started: list[Started] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict) -> Started:
        log = self.log_dir / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, env=env, cwd=settings.BASE_DIR, stdout=output, stderr=subprocess.STDOUT
            )
        self.started.append(Started(process, log))
        return self.started[-1]

    def web(self, name: str, env: dict) -> WebInstance:
        port = free_port()
        var_dir = self.log_dir / name
        var_dir.mkdir(exist_ok=True)
        started = self.start(name, [SERVE], web_env(port, var_dir, env))
        wait_until_http_answers(f"http://127.0.0.1:{port}/healthz", started.process)
        return WebInstance(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", started)

    def worker(self, name: str, env: dict) -> Started:
        started = self.start(name, worker_command(name), env)
        wait_until(lambda: " ready." in started.output(), seconds=90, what=f"{name} ready")
        return started

    def beat(self, name: str, env: dict) -> Started:
        return self.start(name, beat_command(self.log_dir / f"{name}-schedule"), env)

    def stop_all(self) -> None:
        for started in reversed(self.started):
            started.stop()


def manage(env: dict, *args: str) -> str:
    """A management command run against ``env``'s database; its standard output."""
    result = subprocess.run([*MANAGE, *args], env=env, capture_output=True, text=True)
    if result.returncode:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of the test's own, which it may stop and start at will."""

    bin_dir: Path
    data_dir: Path
    port: int
    run_as: list[str]  # runuser prefix when we are root: initdb refuses to run as root

    def _run(self, *command: str) -> None:
        subprocess.run([*self.run_as, *command], check=True, capture_output=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -h 127.0.0.1 -k {self.data_dir} -c fsync=off"
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "start",
            "--wait",
            "--timeout=60",
            "-D",
            str(self.data_dir / "data"),
            "-l",
            str(self.data_dir / "postgres.log"),
            "-o",
            options,
        )

    def stop(self) -> None:
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "stop",
            "--wait",
            "-m",
            "fast",
            "-D",
            str(self.data_dir / "data"),
        )

    def create_database(self, name: str) -> None:
        self._run(
            str(self.bin_dir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
        )


def private_postgres_cluster():
    """A new cluster in a temporary directory, started on a free port (a generator: stops and
    removes it when closed)."""
    initdb = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    require(bool(initdb), "PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    bin_dir = Path(initdb[-1]).parent
    run_as: list[str] = []
    # tempfile's directory, not pytest's: the cluster's owner must be able to reach it.
    data_dir = Path(tempfile.mkdtemp(prefix="safecity-pg-"))
    if os.geteuid() == 0:
        require(shutil.which("runuser") is not None, "runuser is needed to run initdb as root")
        shutil.chown(data_dir, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    cluster = PrivatePostgres(bin_dir, data_dir, free_port(), run_as)
    try:
        cluster._run(
            str(bin_dir / "initdb"),
            "-D",
            str(data_dir / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        cluster.start()
        yield cluster
    finally:
        subprocess.run(
            [
                *run_as,
                str(bin_dir / "pg_ctl"),
                "stop",
                "-m",
                "immediate",
                "-D",
                str(data_dir / "data"),
            ],
            capture_output=True,
        )
        shutil.rmtree(data_dir, ignore_errors=True)
