"""Huey tasks of the core app: registration, schedules and what they do."""

from datetime import datetime, timedelta

from django.utils import timezone
from huey.contrib.djhuey import HUEY

from wanjia.core import tasks
from wanjia.core.models import LoginFailure, OutboxMessage, OutboxStatus
from wanjia.core.notify import notify
from wanjia.core.periodic import ClaimedPeriodic

from .test_notify import receiver, webhook  # noqa: F401 (fixtures)


def periodic_at(hour: int, minute: int) -> set[str]:
    """Names of the periodic tasks due at this (UTC, naive) minute — what the
    scheduler would enqueue before claiming the tick (core.periodic)."""
    due = super(ClaimedPeriodic, HUEY).read_periodic(datetime(2026, 3, 2, hour, minute))
    return {type(t).__name__ for t in due}


def test_tasks_are_registered_with_huey():
    names = set(HUEY._registry._registry)
    for task in ("dispatch_outbox", "retry_due_outbox", "prune_login_failures"):
        assert f"wanjia.core.tasks.{task}" in names


def test_outbox_retry_runs_every_minute_and_prune_once_a_day():
    assert "retry_due_outbox" in periodic_at(10, 5)
    assert "retry_due_outbox" in periodic_at(19, 17)
    assert "prune_login_failures" not in periodic_at(10, 5)
    assert "prune_login_failures" in periodic_at(19, 17)  # 03:17 Asia/Shanghai


def test_prune_drops_only_old_login_failures(db):
    old = LoginFailure.objects.create(username="a", at=timezone.now() - timedelta(days=31))
    recent = LoginFailure.objects.create(username="a", at=timezone.now() - timedelta(days=2))
    tasks.prune_login_failures()
    assert not LoginFailure.objects.filter(pk=old.pk).exists()
    assert LoginFailure.objects.filter(pk=recent.pk).exists()


def test_periodic_retry_sends_what_is_due(world, webhook):  # noqa: F811
    notify(recipients=[world.resident_a, world.manager_a], title="x")  # no commit: not sent
    OutboxMessage.objects.filter(recipient_filter()).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    tasks.retry_due_outbox()
    assert len(webhook.posts()) == 1  # the other one is not due yet
    statuses = sorted(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == [OutboxStatus.PENDING, OutboxStatus.SENT]


def recipient_filter():
    from django.db.models import Q

    return Q(notification__recipient__username="mgr_a")


def test_dispatch_task_sends_only_the_given_ids(world, webhook):  # noqa: F811
    notify(recipients=[world.resident_a, world.manager_a], title="x")
    first = OutboxMessage.objects.order_by("pk").first()
    tasks.dispatch_outbox([first.pk])
    assert len(webhook.posts()) == 1
    first.refresh_from_db()
    assert first.status == OutboxStatus.SENT
