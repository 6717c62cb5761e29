"""Long background jobs (imports, route planning...): the record's life cycle and
the page that shows its progress.

A module registers its job kind once (``register_kind``), creates a job in the
request (``job_create``), enqueues its Huey task through ``enqueue``, and
the task calls ``job_start`` → ``job_progress``… → ``job_finish`` / ``job_fail``.
The page at ``/jobs/<id>/`` (``job_status``) shows a progress bar; its htmx
partial polls itself every second until the job ends, so a user can leave and
come back at any time.

Progress is written twice: to the job row, and to the shared cache. A job that
reports progress from inside its own long transaction (an import writing
100,000 rows atomically) cannot make the row update visible before commit; the
cache copy is visible at once to every process, and the page prefers it while
the job runs.

Faults. Every Huey task of the product is enqueued through ``enqueue``: a
``QueuedTask`` row written in the caller's transaction and sent to the queue on
commit, so a queue outage (Redis down) delays the work and never loses it, and
the request still answers. A running job carries a heartbeat (``job_heartbeat``);
``jobs_sweep`` (every minute) re-sends pending tasks and ends, or requeues, a
running job whose worker went silent (SIGKILL, OOM, a lost machine), and tells
the person who started it. Both claim rows by conditional UPDATE, so many
consumers sweeping at once act on each row once."""

import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import Job, JobStatus, QueuedTask, TaskStatus
from .notify import notify
from .roles import CAPABILITIES
from .scoping import get_or_404, scope_q

log = logging.getLogger(__name__)

LIVE_TTL_SECONDS = 6 * 3600
MESSAGE_MAX = 300
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


def silent() -> timedelta:
    """How long a running job may go without a beat before its worker is taken
    for dead (settings.JOB_SILENT_SECONDS; the fault tests shorten it)."""
    return timedelta(seconds=getattr(settings, "JOB_SILENT_SECONDS", 60))


def heartbeat_every() -> timedelta:
    # six beats per silence: a busy machine delays a beat, not six
    return silent() / 6


# A task whose send failed (queue down) is tried again after RESEND; a claim
# that was never completed (the sender died) expires after the same lease.
RESEND = timedelta(seconds=30)
SWEEP_BATCH = 200
WAITING = _("已排队：后台服务暂时不可用，恢复后会自动开始。")


@dataclass(frozen=True)
class JobKind:
    """How a kind of job is shown and who besides its creator may watch it.

    ``capability``: holders of this capability over the job's compound see the
    job too (two managers of one compound see each other's imports).
    ``result_template`` is included once the job has ended, with ``job`` and
    ``result`` in its context. ``back`` gives the page to return to."""

    kind: str
    title: str
    capability: str | None = None
    result_template: str | None = None
    back: Callable[[Job], str] | None = None
    # Safe to run again from the start after a worker died mid-way (its writes
    # are one transaction): the sweeper requeues it up to ``max_attempts``.
    rerun: bool = False
    max_attempts: int = 2
    # Called (in the sweeper's transaction) when a silent job is given up, so
    # the app can mark its own record failed too (a plan, an import).
    on_abandoned: Callable[[Job], None] | None = None


_KINDS: dict[str, JobKind] = {}


def register_kind(
    kind: str,
    *,
    title,
    capability: str | None = None,
    result_template: str | None = None,
    back: Callable[[Job], str] | None = None,
    rerun: bool = False,
    max_attempts: int = 2,
    on_abandoned: Callable[[Job], None] | None = None,
) -> JobKind:
    if capability is not None and capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r} for job kind {kind!r}")
    _KINDS[kind] = JobKind(
        kind, title, capability, result_template, back, rerun, max_attempts, on_abandoned
    )
    return _KINDS[kind]


def kind_of(job: Job) -> JobKind:
    return _KINDS.get(job.kind) or JobKind(job.kind, _("后台任务"))


# ---- services -------------------------------------------------------------


def job_create(*, actor, kind: str, compound=None, total: int = 0, message: str = "") -> Job:
    return Job.objects.create(
        kind=kind,
        compound=compound,
        created_by=actor if getattr(actor, "pk", None) else None,
        total=max(total, 0),
        message=str(message)[:MESSAGE_MAX],
    )


def job_start(*, job: Job, message: str = "") -> bool:
    """Claim a queued job for running. False when it was already claimed or
    ended: a task delivered twice then does its work once."""
    now = timezone.now()
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        message=str(message)[:MESSAGE_MAX],
        heartbeat_at=now,
        attempts=F("attempts") + 1,
    )
    if updated:
        job.status = JobStatus.RUNNING
        job.message = str(message)[:MESSAGE_MAX]
        job.heartbeat_at = now
    return bool(updated)


def _beat(job: Job) -> None:
    """One beat, in the shared cache first (seen at once by every process, even
    while the job holds a long transaction or a SQLite write lock), then on the
    row (seen by the sweeper when the cache is gone)."""
    now = timezone.now()
    try:
        cache.set(_beat_key(job), now.timestamp(), LIVE_TTL_SECONDS)
    except Exception:  # a cache outage must not stop the job
        log.warning("heartbeat of job %s not cached", job.pk, exc_info=True)
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(heartbeat_at=now)


def _beats_in_cache(job: Job, since) -> bool:
    try:
        last = cache.get(_beat_key(job))
    except Exception:
        return False
    return bool(last) and last >= since.timestamp()


def _beat_key(job: Job) -> str:
    return _live_key(job).replace(":live", ":beat")


@contextmanager
def job_heartbeat(job: Job, *, every: timedelta | None = None):
    """Beat for ``job`` from a side thread while the body runs (a solver may be
    silent for minutes). The thread dies with the process, so a killed worker
    stops beating: that is what the sweeper sees."""
    stop = threading.Event()
    every = every or heartbeat_every()

    def run():
        try:
            while not stop.wait(every.total_seconds()):
                try:
                    _beat(job)
                except DatabaseError:  # a locked SQLite file: the next beat will do
                    log.warning("heartbeat of job %s skipped", job.pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run, name=f"job-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def job_progress(
    *, job: Job, progress: int, total: int | None = None, message: str | None = None
) -> None:
    """Record how far a running job has come (absolute values, not increments)."""
    fields = {"progress": max(progress, 0)}
    if total is not None:
        fields["total"] = max(total, 0)
    if message is not None:
        fields["message"] = str(message)[:MESSAGE_MAX]
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        heartbeat_at=timezone.now(), **fields
    )
    for key, value in fields.items():
        setattr(job, key, value)
    cache.set_many(
        {
            _live_key(job): {"progress": job.progress, "total": job.total, "message": job.message},
            _beat_key(job): timezone.now().timestamp(),
        },
        LIVE_TTL_SECONDS,
    )


def job_finish(*, job: Job, result: dict | None = None, message: str = "") -> bool:
    return _end(job, JobStatus.DONE, result, message)


def job_fail(*, job: Job, message: str, result: dict | None = None) -> bool:
    return _end(job, JobStatus.FAILED, result, message)


def _end(job: Job, status: str, result: dict | None, message: str) -> bool:
    """End an active job once; an ended job is never flipped again."""
    fields = {
        "status": status,
        "result": result or {},
        "message": str(message)[:MESSAGE_MAX],
        "finished_at": timezone.now(),
    }
    if status == JobStatus.DONE:
        fields["progress"] = job.total
    updated = Job.objects.filter(pk=job.pk, status__in=ACTIVE).update(**fields)
    if updated:
        for key, value in fields.items():
            setattr(job, key, value)
    cache.delete_many([_live_key(job), _beat_key(job)])
    return bool(updated)


def _live_key(job: Job) -> str:
    # created_at in the key: a test database and a dev server reusing job ids
    # never read each other's progress from the shared cache.
    return f"wanjia:job:{job.pk}:{int(job.created_at.timestamp() * 1_000_000)}:live"


# ---- enqueue through the database ------------------------------------------


def enqueue(task: str, *, job: Job | None = None, **kwargs) -> QueuedTask:
    """Ask for Huey task ``task`` (a dotted path, "wanjia.delivery.tasks.plan_window")
    to run with ``kwargs`` (JSON values). The row is part of the caller's
    transaction: a rolled-back request asks for nothing; a committed one is sent
    on commit, or by ``jobs_sweep`` if the queue was down."""
    row = QueuedTask.objects.create(task=task, kwargs=kwargs, job=job)
    transaction.on_commit(lambda: task_send(row.pk))
    return row


def task_send(pk: int, *, now=None) -> bool:
    """Hand one pending task to the queue, once. Never raises: a queue outage
    leaves the row pending (and its job says it is waiting)."""
    now = now or timezone.now()
    claimed = QueuedTask.objects.filter(pk=pk, status=TaskStatus.PENDING, due_at__lte=now).update(
        due_at=now + RESEND, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    row = QueuedTask.objects.get(pk=pk)
    try:
        import_string(row.task)(**row.kwargs)
    except Exception as exc:  # Redis down, a timeout...: the sweeper sends it later
        log.warning("task %s (%s) not sent: %s", row.pk, row.task, exc)
        QueuedTask.objects.filter(pk=pk, status=TaskStatus.PENDING).update(error=str(exc)[:300])
        if row.job_id:
            Job.objects.filter(pk=row.job_id, status=JobStatus.QUEUED).update(message=WAITING)
        return False
    QueuedTask.objects.filter(pk=pk).update(
        status=TaskStatus.SENT, sent_at=timezone.now(), error=""
    )
    return True


def jobs_sweep(*, now=None) -> dict:
    """Re-send pending tasks and deal with silent running jobs. Each row is
    claimed by a conditional UPDATE, so concurrent sweepers act on it once."""
    now = now or timezone.now()
    due = QueuedTask.objects.filter(status=TaskStatus.PENDING, due_at__lte=now)
    sent = sum(
        task_send(pk, now=now)
        for pk in due.order_by("due_at").values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    cutoff = now - silent()
    quiet = Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    requeued = failed = 0
    for job in quiet.select_related("created_by")[:SWEEP_BATCH]:
        if _beats_in_cache(job, cutoff):  # alive inside its own long transaction
            continue
        outcome = _abandoned(job, now)
        requeued += outcome == "requeued"
        failed += outcome == "failed"
    return {"sent": sent, "requeued": requeued, "failed": failed}


def _abandoned(job: Job, now) -> str:
    """Requeue a silent job when its kind may run again, else end it failed;
    tell whoever started it either way."""
    kind = kind_of(job)
    fence = Q(pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at)
    task = QueuedTask.objects.filter(job=job).order_by("-pk").first()
    with transaction.atomic():
        if kind.rerun and task is not None and job.attempts < kind.max_attempts:
            message = _("后台进程中断，已自动重新排队。")
            if not Job.objects.filter(fence).update(status=JobStatus.QUEUED, message=message):
                return ""
            QueuedTask.objects.filter(pk=task.pk).update(status=TaskStatus.PENDING, due_at=now)
            transaction.on_commit(lambda: task_send(task.pk))
            outcome, title = "requeued", _("“%(title)s”因后台进程中断而重新开始。")
        else:
            message = _("后台进程中断，任务未完成。请重新发起。")
            fields = {"status": JobStatus.FAILED, "message": message, "finished_at": now}
            if not Job.objects.filter(fence).update(**fields):
                return ""
            if kind.on_abandoned:
                kind.on_abandoned(job)
            outcome, title = "failed", _("“%(title)s”因后台进程中断而失败。")
        cache.delete_many([_live_key(job), _beat_key(job)])
        if job.created_by_id:
            notify(
                recipients=[job.created_by],
                # rendered in the reader's language, not this worker's
                title=lambda: str(title % {"title": kind.title}),
                body=message,
                link=reverse("job_status", kwargs={"job_id": job.pk}),
                kind="core.job",
            )
    log.warning("job %s (%s) went silent: %s", job.pk, job.kind, outcome)
    return outcome


# ---- selectors ------------------------------------------------------------


def jobs_visible_to(user):
    """Jobs ``user`` may watch: their own (still within a compound they belong to),
    and jobs of kinds whose capability they hold over the job's compound."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    if user.is_superuser:
        return Job.objects.all()
    in_my_compounds = Q(compound__isnull=True) | scope_q(user, compound="compound_id")
    q = Q(created_by=user) & in_my_compounds
    for kind in _KINDS.values():
        if kind.capability:
            roles = CAPABILITIES[kind.capability]
            q |= Q(kind=kind.kind) & scope_q(user, roles=roles, compound="compound_id")
    return Job.objects.filter(q).select_related("compound", "created_by")


def with_live_progress(job: Job) -> Job:
    """The job with the freshest progress a running task has reported."""
    if job.status == JobStatus.RUNNING:
        live = cache.get(_live_key(job))
        if live and live["progress"] >= job.progress:
            job.progress, job.total, job.message = live["progress"], live["total"], live["message"]
    return job


# ---- page -----------------------------------------------------------------


@login_required
def job_status(request, job_id: int):
    """The job page; an htmx request gets only the progress partial (which keeps
    polling itself every second while the job is active)."""
    job = with_live_progress(get_or_404(jobs_visible_to(request.user), pk=job_id))
    kind = kind_of(job)
    context = {
        "job": job,
        "kind": kind,
        "result": job.result,
        "active": job.status in ACTIVE,
        "back_url": kind.back(job) if kind.back else "",
    }
    template = "core/_job_progress.html" if request.htmx else "core/job.html"
    return render(request, template, context)
