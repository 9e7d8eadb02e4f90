#!/bin/sh
# Container entrypoint. `web` (the default command) migrates, collects static files for
# WhiteNoise and serves with gunicorn; any other command (celery worker/beat, manage.py ...)
# runs as given.
set -eu

if [ "$#" -eq 0 ] || [ "$1" = "web" ]; then
  python manage.py migrate --no-input
  python manage.py collectstatic --no-input --verbosity 0
  exec gunicorn kpi_machine.wsgi \
    --bind 0.0.0.0:8000 \
    --workers "${GUNICORN_WORKERS:-3}" \
    --worker-tmp-dir /dev/shm \
    --access-logfile - \
    --error-logfile -
fi

exec "$@"
