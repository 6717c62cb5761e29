"""Per-user rate limits in the shared cache (the file cache by default, Redis at
scale), so every app process counts against the same budget.

A fixed one-minute window: simple, and enough to make enumeration (guessing a
phone number digit by digit) slow. The file cache's ``incr`` is a read and a
write, so two processes may both read the same count; the limit can then be
exceeded by a request or two, never by an order of magnitude. Redis's is atomic."""

import time

from django.core.cache import cache


def over_limit(user, bucket: str, *, per_minute: int) -> bool:
    """Count one request of ``user`` in ``bucket``; True when this one is over
    ``per_minute`` in the current minute. Keyed by user id and join time, so a
    reset database that reuses ids never inherits another user's count."""
    joined = int(user.date_joined.timestamp()) if getattr(user, "date_joined", None) else 0
    key = f"ratelimit:{bucket}:{user.pk}:{joined}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > per_minute
