"""Long background jobs (imports, route planning...): the record's life cycle and
the page that shows its progress.

A module registers its job kind once (``register_kind``), creates a job in the
request (``job_create``), enqueues a Huey task with ``transaction.on_commit``, and
the task calls ``job_start`` → ``job_progress``… → ``job_finish`` / ``job_fail``.
The page at ``/jobs/<id>/`` (``job_status``) shows a progress bar; its htmx
partial polls itself every second until the job ends, so a user can leave and
come back at any time.

Progress is written twice: to the job row, and to the shared cache. A job that
reports progress from inside its own long transaction (an import writing
100,000 rows atomically) cannot make the row update visible before commit; the
cache copy is visible at once to every process, and the page prefers it while
the job runs."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Job, JobStatus
from .roles import CAPABILITIES
from .scoping import get_or_404, scope_q

LIVE_TTL_SECONDS = 6 * 3600
MESSAGE_MAX = 300
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


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


_KINDS: dict[str, JobKind] = {}


def register_kind(
    kind: str,
    *,
    title,
    capability: str | None = None,
    result_template: str | None = None,
    back: Callable[[Job], str] | None = None,
) -> JobKind:
    if capability is not None and capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r} for job kind {kind!r}")
    _KINDS[kind] = JobKind(kind, title, capability, result_template, back)
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
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, message=str(message)[:MESSAGE_MAX]
    )
    if updated:
        job.status = JobStatus.RUNNING
        job.message = str(message)[:MESSAGE_MAX]
    return bool(updated)


def job_progress(
    *, job: Job, progress: int, total: int | None = None, message: str | None = None
) -> None:
    """Record how far a running job has come (absolute values, not increments)."""
    fields = {"progress": max(progress, 0)}
    if total is not None:
        fields["total"] = max(total, 0)
    if message is not None:
        fields["message"] = str(message)[:MESSAGE_MAX]
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields)
    for key, value in fields.items():
        setattr(job, key, value)
    cache.set(
        _live_key(job),
        {"progress": job.progress, "total": job.total, "message": job.message},
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
    cache.delete(_live_key(job))
    return bool(updated)


def _live_key(job: Job) -> str:
    # created_at in the key: a test database and a dev server reusing job ids
    # never read each other's progress from the shared cache.
    return f"wanjia:job:{job.pk}:{int(job.created_at.timestamp() * 1_000_000)}:live"


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
