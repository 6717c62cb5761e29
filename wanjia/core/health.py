"""Health and readiness for a load balancer or an orchestrator.

``/healthz``: the process answers (no database, no cache: a liveness probe
must not restart every app machine because PostgreSQL is slow).

``/readyz``: this process can serve — the database answers a query, the cache
stores and reads back a value, the job queue's storage answers. 200 with each
check's result when all pass, 503 naming the one that failed, so the proxy
takes the machine out of rotation until it recovers. Neither needs a login
nor writes anything a user sees; neither is cached."""

import time
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone()[0] != 1:
            raise RuntimeError("SELECT 1 did not answer 1")


def _cache() -> None:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return what was stored")
    finally:
        cache.delete(key)


def _queue() -> dict:
    from huey.contrib.djhuey import HUEY

    return {"pending": HUEY.storage.queue_size()}


CHECKS = (("database", _database), ("cache", _cache), ("queue", _queue))


@never_cache
@require_GET
def readyz(request):
    results, ready = {}, True
    for name, check in CHECKS:
        started = time.perf_counter()
        try:
            extra = check() or {}
        except Exception as exc:  # any failure means "not ready", and says which
            ready = False
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            results[name] = {"ok": True, **extra}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )
