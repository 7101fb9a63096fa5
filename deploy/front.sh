#!/bin/sh
# The front for `make serve`: fill in the nginx templates and run nginx in the foreground.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
: "${NGINX_PREFIX:?}" "${SERVE_HOST:?}" "${SERVE_PORT:?}" "${HTTP_UPSTREAM:?}" "${WS_UPSTREAM:?}"
nginx="$(command -v nginx || true)"
[ -n "$nginx" ] || nginx=/usr/sbin/nginx
if [ ! -x "$nginx" ]; then
  echo "nginx is not installed (Debian: apt install nginx); it is the front of make serve" >&2
  exit 1
fi
mkdir -p "$NGINX_PREFIX"
NGINX_USER_DIRECTIVE=""
if [ "$(id -u)" = 0 ]; then NGINX_USER_DIRECTIVE="user root;"; fi
export NGINX_USER_DIRECTIVE
vars='${NGINX_USER_DIRECTIVE} ${NGINX_PREFIX} ${SERVE_HOST} ${SERVE_PORT} ${HTTP_UPSTREAM} ${WS_UPSTREAM}'
envsubst "$vars" <"$here/nginx/safecity.conf.template" >"$NGINX_PREFIX/safecity.conf"
envsubst "$vars" <"$here/nginx/nginx.conf.template" >"$NGINX_PREFIX/nginx.conf"
exec "$nginx" -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -e stderr -g 'daemon off;'
