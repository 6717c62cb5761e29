"""Background work of the core app (Huey; ``manage.py run_huey`` finds this module).

Every task is idempotent: the outbox claims rows before sending, and pruning
deletes by age, so a task that runs twice or in two consumers does no harm."""

import logging
from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import periodic, retention
from .idempotency import idempotency_purge
from .jobs import jobs_sweep
from .models import LoginFailure
from .notify import outbox_dispatch

log = logging.getLogger(__name__)

# Failed logins older than this no longer count for any lockout and are only
# kept for an inquiry into an attack; a month covers that.
LOGIN_FAILURE_RETENTION = timedelta(days=30)


@db_task()
def dispatch_outbox(ids=None) -> None:
    """Send the given outbox messages now (all due ones when ``ids`` is None)."""
    outbox_dispatch(ids=ids)


@db_periodic_task(crontab(minute="*"))
def retry_due_outbox() -> None:
    """Every minute: messages whose backoff is over, and any whose enqueue was lost.

    Stops claiming after 50 s so that runs do not pile up behind a slow receiver."""
    outbox_dispatch(budget_seconds=50)


@db_periodic_task(crontab(minute="*"))
def sweep_jobs() -> dict:
    """Every minute: send tasks the queue refused (it was down), and end or
    requeue jobs whose worker went silent. Safe in many consumers at once:
    every row is claimed by a conditional UPDATE before anything is done."""
    return jobs_sweep()


def login_failures_prune(*, older_than: timedelta = LOGIN_FAILURE_RETENTION) -> int:
    deleted, _ = LoginFailure.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted


# Huey matches crontabs against UTC (its default, kept in settings): 19:17 UTC is
# 03:17 in Asia/Shanghai, a quiet hour.
@db_periodic_task(crontab(hour="19", minute="17"))
def prune_login_failures() -> None:
    """Daily: drop failed-login rows past their retention."""
    deleted = login_failures_prune()
    if deleted:
        log.info("pruned %s old login failures", deleted)


@db_periodic_task(crontab(hour="19", minute="23"))
def prune_periodic_claims() -> int:
    """Daily: forget which consumer enqueued which tick, two days on."""
    return periodic.prune()


@db_periodic_task(crontab(hour="3", minute="40"))
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Keys after ``idempotency.KEEP``: a retry comes within
    minutes, and the table would otherwise grow with every write of every app."""
    return idempotency_purge()


# 19:47 UTC is 03:47 in Asia/Shanghai, after the rollups (18:30 UTC).
@db_periodic_task(crontab(hour="19", minute="47"))
def retention_daily() -> dict:
    """Daily: prune operational rows past their days, then archive (and only
    then delete) every registered table's months past its retention
    (core.retention). A rerun finds nothing left to do."""
    pruned = retention.prune_operational()
    archived = retention.archive_due()
    return {
        "pruned": pruned,
        "archived": [(r.table, r.period, r.archived, r.deleted) for r in archived],
    }
