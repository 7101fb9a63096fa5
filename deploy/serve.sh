#!/bin/sh
# The real stack served by hand (`make serve`): migrate, collect the static files, then run the
# Procfile's processes with honcho — nginx in front on HOST:PORT, gunicorn for HTTP, daphne for
# WebSockets, a Celery worker and beat. DATABASE_URL and REDIS_URL come from the environment.
# SERVE_PROCESSES names a subset of the Procfile's processes (default: all of them).
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  echo "serve runs the real stack: set DATABASE_URL and REDIS_URL (make run is embedded mode)" >&2
  exit 2
fi
venv="${VENV:-$root/.venv}"
export PATH="$venv/bin:$PATH"
export SERVE_HOST="${HOST:-127.0.0.1}" SERVE_PORT="${PORT:-8000}"
export SAFECITY_VAR_DIR="${SAFECITY_VAR_DIR:-$root/var}"
run="$SAFECITY_VAR_DIR/run"
mkdir -p "$run"
rm -f "$run/http.sock" "$run/ws.sock"
export HTTP_BIND="unix:$run/http.sock" HTTP_UPSTREAM="unix:$run/http.sock"
export WS_SOCKET="$run/ws.sock" WS_UPSTREAM="unix:$run/ws.sock"
export NGINX_PREFIX="$SAFECITY_VAR_DIR/nginx"
export WORKER_CONCURRENCY="${WORKER_CONCURRENCY:-2}"
# Behind the front, the client's address is the one it appended to X-Forwarded-For.
export AUDIT_TRUST_X_FORWARDED_FOR=true TRUSTED_PROXY_COUNT="${TRUSTED_PROXY_COUNT:-1}"
python manage.py migrate --noinput -v0
python manage.py collectstatic --noinput -v0
# shellcheck disable=SC2086  # a list of process names
exec honcho -f "$root/Procfile" -d "$root" start ${SERVE_PROCESSES:-}
