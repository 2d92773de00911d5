"""Health endpoints for a load balancer and `docker compose`: is the process up, and is it ready to serve.

`/healthz` answers 200 while the process can answer at all; it touches nothing,
so a database outage never gets every web process restarted. `/readyz` answers
200 only when the database and the cache answer and every migration this code
knows has been applied (a new release waiting for `migrate` is not ready),
and 503 naming what is not. Neither needs a session, and neither says more
than "ok" or the name of what failed.
"""

from __future__ import annotations

import functools
import logging

from django.core.cache import cache
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@functools.cache
def known_migrations() -> frozenset[tuple[str, str]]:
    """Every migration on disk: the code does not change while the process runs, so read once."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True


def _cache() -> bool:
    cache.set("readyz", "ok", 10)
    return cache.get("readyz") == "ok"


def _migrations() -> bool:
    return known_migrations() <= set(MigrationRecorder(connection).applied_migrations())


CHECKS = {"database": _database, "cache": _cache, "migrations": _migrations}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    failing = []
    for name, check in CHECKS.items():
        try:
            passed = check()
        except Exception:  # noqa: BLE001 - whatever the failure, the answer is "not ready", and the log says why
            logger.warning("Readiness check %s failed.", name, exc_info=True)
            passed = False
        if not passed:
            failing.append(name)
            if name == "database":
                break  # the migrations cannot be read either
    if failing:
        return JsonResponse({"status": "unavailable", "failing": failing}, status=503)
    return JsonResponse({"status": "ok"})
