"""Liveness/readiness probe for load balancers and the docker-compose healthcheck.

`GET /healthz/` answers 200 `{"status": "ok", "database": true}` when the database answers a
`SELECT 1`, and 503 `{"status": "error", "database": false}` when it does not. No login, no
session, no template: it must stay cheap and work while the rest of the site is broken.
"""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("healthz: database check failed")
        return JsonResponse({"status": "error", "database": False}, status=503)
    return JsonResponse({"status": "ok", "database": True})
