"""gunicorn for SafeCity's HTTP: a fixed set of worker processes, each with a fixed set of
threads, so each thread keeps one database connection (``CONN_MAX_AGE``) and an instance never
opens more than ``WEB_WORKERS × WEB_THREADS`` of them for HTTP (see the README, "Serving")."""

import os

bind = [os.environ.get("HTTP_BIND", "127.0.0.1:8001")]
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", os.cpu_count() or 2))
# One thread a process: the views are Python, so threads of one process take turns on one core
# and each more only adds waiting (bench/load.py, 200,000 incidents, 64 clients: 2 workers × 1
# thread 605–697 requests/s, p99 227–278 ms; × 2 threads 536–606, p99 251–295 ms; 3 × 1 653–736,
# p99 276–279 ms). A deployment with long requests (large exports) may give each a second
# thread, so one of them does not hold up the process's other clients.
threads = int(os.environ.get("WEB_THREADS", 1))
# Requests queue in the listen backlog while every thread is busy; the front keeps its
# connections to the workers open, so keep-alive outlasts its idle ones.
backlog = 2048
keepalive = 75
timeout = 120
graceful_timeout = 30
# The front logs nothing per request either; errors still go to the log.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Heartbeat files in memory, not on a container's overlay disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "safecity-http"
