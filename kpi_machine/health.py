"""Liveness/readiness probe for load balancers and the docker-compose healthcheck.

`GET /healthz/` answers 200 `{"status": "ok", "database": true}` when the database answers a
`SELECT 1`, and 503 `{"status": "error", "database": false}` when it does not. No login, no
session, no template: it must stay cheap and work while the rest of the site is broken.

It also reports the Celery broker: `"broker": "ok"`, `"unreachable"` or `"eager"` (the embedded
run, no broker). An unreachable broker does not fail the probe (saves still work: the recompute
outbox keeps their recomputes) but makes the status "degraded". The broker check connects with
a one-second timeout and its answer is kept for ten seconds.
"""

import logging
import threading
import time

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)
BROKER_CHECK_TTL = 10.0
_broker_state: dict = {"checked": 0.0, "state": None}
_broker_lock = threading.Lock()


def broker_state() -> str:
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    with _broker_lock:
        if _broker_state["state"] and time.monotonic() - _broker_state["checked"] < BROKER_CHECK_TTL:
            return _broker_state["state"]
    from kpi_machine.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=1.0)
        state = "ok"
    except Exception as error:  # noqa: BLE001  (any failure to connect means the same)
        log.warning("healthz: broker unreachable (%s)", error.__class__.__name__)
        state = "unreachable"
    with _broker_lock:
        _broker_state.update(checked=time.monotonic(), state=state)
    return state


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("healthz: database check failed")
        return JsonResponse({"status": "error", "database": False, "broker": broker_state()}, status=503)
    broker = broker_state()
    status = "degraded" if broker == "unreachable" else "ok"
    return JsonResponse({"status": status, "database": True, "broker": broker})
