#!/usr/bin/env bash
# Load test on loopback: the demo council served by gunicorn (the production shape: DEBUG off,
# PostgreSQL, WhiteNoise), then wrk with 50 connections for 60 s on each of the CMT scorecard
# (signed in as cmt: a session cookie), an indicator page (signed in) and /public/ (anonymous).
# Prints requests/s, p50/p99 latency, errors and the load average for docs/benchmarks.md.
#
#   scripts/load.sh                      all three pages, 50 connections, 60 s each
#   DURATION=10s CONNECTIONS=20 scripts/load.sh
#
# Settings (environment): LOAD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
# kpi_machine_load; loaded with the demo when empty), PORT (8765), WORKERS (gunicorn workers, 3
# as docker-compose), THREADS (wrk threads, 2), DURATION (60s), CONNECTIONS (50), PAGES
# (space-separated paths; "signed-in" ones are those not under /public/).
# Needs wrk (Debian: apt-get install -y wrk).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"
PY="${ROOT}/.venv/bin/python"
GUNICORN="${ROOT}/.venv/bin/gunicorn"
PORT="${PORT:-8765}"
WORKERS="${WORKERS:-3}"
THREADS="${THREADS:-2}"
DURATION="${DURATION:-60s}"
CONNECTIONS="${CONNECTIONS:-50}"
PAGES="${PAGES:-/scorecards/cmt/ /indicators/STF15/ /public/}"
export DATABASE_URL="${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kpi_machine_load}"

command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }

# The server's environment: production settings on plain HTTP at 127.0.0.1.
export DEBUG=false SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 SECURE_HSTS_PRELOAD=false \
  SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false STATIC_MANIFEST=false \
  ALLOWED_HOSTS=127.0.0.1 CELERY_TASK_ALWAYS_EAGER=true LOG_LEVEL=WARNING
SECRET_KEY="$("${PY}" -c 'import secrets; print(secrets.token_urlsafe(64))')"
export SECRET_KEY

if [[ "${DATABASE_URL}" == postgres* ]]; then
  name="${DATABASE_URL##*/}"
  base="${DATABASE_URL%/*}"
  psql "${base}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '${name}'" | grep -q 1 \
    || psql "${base}/postgres" -qc "CREATE DATABASE ${name}"
fi
echo "== preparing the demo council in ${DATABASE_URL} (loaded once; later runs reuse it)"
DEBUG=true "${PY}" manage.py prepare_embedded >/dev/null 2>&1

# A signed-in session for the CMT user, made as django.contrib.auth.login would.
SESSION="$("${PY}" manage.py shell --no-imports -c '
import time
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from kpi_machine.middleware import IdleSessionTimeoutMiddleware
user = get_user_model().objects.get(username="cmt")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session[IdleSessionTimeoutMiddleware.KEY] = int(time.time())
session.create()
print(session.session_key)
' | tail -n 1)"

LOG="$(mktemp /tmp/kpi-load-gunicorn-XXXXXX.log)"
"${GUNICORN}" kpi_machine.wsgi --bind "127.0.0.1:${PORT}" --workers "${WORKERS}" \
  --worker-tmp-dir /dev/shm --timeout 30 --error-logfile "${LOG}" &
SERVER=$!
trap 'kill "${SERVER}" 2>/dev/null || true; wait "${SERVER}" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -fsS "http://127.0.0.1:${PORT}/healthz/" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:${PORT}/healthz/" >/dev/null

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, gunicorn ${WORKERS} sync workers, wrk ${THREADS} threads x ${CONNECTIONS} connections x ${DURATION}"
printf '| page | requests/s | p50 | p99 | errors (non-2xx, socket) | requests | load average before → after |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | --- |\n'
for page in ${PAGES}; do
  cookie=()
  [[ "${page}" == /public/* ]] || cookie=(-H "Cookie: sessionid=${SESSION}")
  url="http://127.0.0.1:${PORT}${page}"
  status="$(curl -s -o /dev/null -w '%{http_code}' "${cookie[@]}" "${url}")"
  [ "${status}" = "200" ] || { echo "${page} answers ${status}, not 200: is the session valid?" >&2; exit 1; }
  before="$(cut -d' ' -f1-3 /proc/loadavg)"
  out="$(wrk -t"${THREADS}" -c"${CONNECTIONS}" -d"${DURATION}" --timeout 30s --latency \
    -H "Accept-Encoding: gzip" "${cookie[@]}" "${url}")"
  after="$(cut -d' ' -f1-3 /proc/loadavg)"
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"${out}")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"${out}")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"${out}")"
  total="$(awk '/requests in/ {print $1}' <<<"${out}")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"${out}")"
  socket="$(awk -F'[ ,]+' '/Socket errors:/ {print $4 + $6 + $8 + $10}' <<<"${out}")"
  printf '| `%s` | %s | %s | %s | %s, %s | %s | %s → %s |\n' "${page}" "${rps}" "${p50}" "${p99}" \
    "${non2xx:-0}" "${socket:-0}" "${total}" "${before}" "${after}"
done
if grep -q "Traceback\|WORKER TIMEOUT" "${LOG}"; then
  echo "gunicorn reported errors (${LOG}):" >&2
  grep -m 5 "Traceback\|WORKER TIMEOUT" "${LOG}" >&2
fi
