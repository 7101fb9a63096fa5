"""gunicorn for SafeCity's HTTP: a fixed set of worker processes (each with a fixed set of
threads when WEB_THREADS > 1), so each keeps one database connection (``CONN_MAX_AGE``) and an
instance never opens more than ``WEB_WORKERS × WEB_THREADS`` of them for HTTP (see the
README, "Serving")."""

import os

bind = [os.environ.get("HTTP_BIND", "127.0.0.1:8001")]
workers = int(os.environ.get("WEB_WORKERS", os.cpu_count() or 2))
# One request at a time a process: the views are Python, so threads of one process take turns
# on one core and each more only adds waiting. Sync workers accept a connection only when idle,
# so a request goes to a free process; a threaded worker accepts while busy and queues it
# behind its own (bench/load.py, 200,000 incidents, 64 clients, 2 workers, the same machine:
# sync 476–520 requests/s, p99 263–336 ms; gthread × 1 thread 365–460, p99 323–390 ms).
# WEB_THREADS above 1 makes gunicorn use gthread: for deployments with long requests (large
# exports), so one of them does not hold up the process's other clients.
worker_class = os.environ.get("WEB_WORKER_CLASS", "sync")
threads = int(os.environ.get("WEB_THREADS", 1))
# Requests queue in the listen backlog while every process is busy. Threaded workers keep the
# front's connections open, so their keep-alive outlasts the front's idle ones.
backlog = 2048
keepalive = 75
# A sync worker busy with one request this long is restarted and the request cut off (a very
# large export); threaded workers (WEB_THREADS=2) keep signalling while a request runs.
timeout = 120
graceful_timeout = 30
# The front logs nothing per request either; errors still go to the log.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Heartbeat files in memory, not on a container's overlay disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "safecity-http"
