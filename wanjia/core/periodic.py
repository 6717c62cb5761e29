"""Periodic jobs fire once however many Huey consumers run.

Every consumer runs a scheduler that wakes once a minute and enqueues the
periodic tasks due in that minute (Huey's ``read_periodic``). With two
consumers each tick would be enqueued twice. The Huey classes below claim each
(task, minute) in the database before enqueueing it — a unique row, so exactly
one scheduler wins, on PostgreSQL and on SQLite — and settings use them. A
city may therefore run its periodic jobs on every worker machine (no special
"scheduler" machine to lose); the task bodies still claim their rows, so even
a run enqueued by hand twice does nothing twice.

If the database does not answer, nothing is enqueued that minute (the tasks
need the database anyway) and the scheduler logs it."""

import logging
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from huey import RedisHuey as _RedisHuey
from huey import SqliteHuey as _SqliteHuey

log = logging.getLogger(__name__)

KEEP = timedelta(days=2)


def claim(task: str, slot: datetime) -> bool:
    """Whether this caller won ``task`` for the minute ``slot``."""
    from .models import PeriodicClaim

    if timezone.is_naive(slot):
        slot = slot.replace(tzinfo=UTC)  # Huey keeps naive UTC
    slot = slot.replace(second=0, microsecond=0)
    try:
        with transaction.atomic():
            PeriodicClaim.objects.create(task=task, slot=slot)
    except IntegrityError:
        return False
    return True


def prune(now: datetime | None = None) -> int:
    from .models import PeriodicClaim

    deleted, _ = PeriodicClaim.objects.filter(slot__lt=(now or timezone.now()) - KEEP).delete()
    return deleted


def task_key(task) -> str:
    """The task's registry name: "wanjia.patrol.tasks.sweep_overdue" (the bare
    function name is not unique across apps)."""
    return f"{type(task).__module__}.{type(task).__name__}"


class ClaimedPeriodic:
    """A Huey whose scheduler enqueues a periodic task only when it claims the tick."""

    def read_periodic(self, timestamp):
        due = super().read_periodic(timestamp)
        if not due:
            return due
        slot = timestamp or self._get_timestamp()
        if not connection.in_atomic_block:
            close_old_connections()  # the scheduler is long-lived: drop a dead connection
        try:
            return [task for task in due if claim(task_key(task), slot)]
        except Exception:  # the database is down: enqueue nothing this minute
            log.exception("could not claim periodic tasks for %s; none enqueued", slot)
            return []


class RedisHuey(ClaimedPeriodic, _RedisHuey):
    pass


class SqliteHuey(ClaimedPeriodic, _SqliteHuey):
    pass
