"""Periodic jobs fire once however many consumers run their schedulers."""

import threading
from datetime import datetime

import pytest
from django.conf import settings
from django.db import connection
from huey.contrib.djhuey import HUEY

from wanjia.core import periodic, tasks  # noqa: F401 (registers core's periodic tasks)
from wanjia.core.models import PeriodicClaim

TICK = datetime(2026, 12, 4, 19, 17, 5)  # naive UTC, as Huey's scheduler passes it


def _second_consumer():
    """Another consumer's Huey over the same storage (another machine's process)."""
    other = type(HUEY)(HUEY.name, immediate=False, **HUEY.storage_kwargs)
    other._registry = HUEY._registry  # the same code: the same tasks registered
    assert other.read_periodic.__func__ is HUEY.read_periodic.__func__
    return other


@pytest.mark.django_db
def test_the_settings_use_the_claiming_huey():
    assert isinstance(HUEY, periodic.ClaimedPeriodic)
    assert settings.HUEY["huey_class"].startswith("wanjia.core.periodic.")


@pytest.mark.django_db
def test_two_schedulers_in_one_minute_enqueue_each_task_once():
    first = {periodic.task_key(t) for t in HUEY.read_periodic(TICK)}
    assert "wanjia.core.tasks.retry_due_outbox" in first  # every minute
    assert "wanjia.core.tasks.prune_login_failures" in first  # daily at 19:17
    other = _second_consumer()
    assert {periodic.task_key(t) for t in other._registry.periodic_tasks} >= first
    assert other.read_periodic(TICK.replace(second=41)) == []
    assert PeriodicClaim.objects.filter(task="wanjia.core.tasks.retry_due_outbox").count() == 1
    # the next minute is a new tick: the minute task again, not the daily one
    later = {
        periodic.task_key(t) for t in _second_consumer().read_periodic(TICK.replace(minute=18))
    }
    assert "wanjia.core.tasks.retry_due_outbox" in later
    assert "wanjia.core.tasks.prune_login_failures" not in later


@pytest.mark.django_db
def test_a_scheduler_without_its_database_enqueues_nothing(monkeypatch):
    def down(task, slot):
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(periodic, "claim", down)
    assert HUEY.read_periodic(TICK) == []


@pytest.mark.django_db
def test_old_claims_are_pruned():
    periodic.claim("x", datetime(2026, 12, 1, 1, 0))
    periodic.claim("x", datetime(2026, 12, 4, 1, 0))
    from django.utils import timezone

    now = timezone.make_aware(datetime(2026, 12, 4, 12, 0))
    assert periodic.prune(now) == 1
    assert PeriodicClaim.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_schedulers_claim_a_tick_once():
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs PostgreSQL")
    won, barrier = [], threading.Barrier(8)

    def scheduler():
        from django.db import connection as own

        try:
            barrier.wait()
            won.append(periodic.claim("wanjia.core.tasks.sweep_jobs", TICK))
        finally:
            own.close()

    threads = [threading.Thread(target=scheduler) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == [False] * 7 + [True]
