"""A compound's roster built as a kernel job — what patrol's team rosters and
care's duty roster share: the horizon check, the request (job, audit, enqueue
in one transaction) and the run (claimed once, heartbeat, failure told, result
kept). What a roster is and how it is solved stays with each app."""

from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit
from .errors import Invalid
from .jobs import (
    enqueue,
    job_create,
    job_fail,
    job_finish,
    job_heartbeat,
    job_progress,
    job_start,
)

MAX_DAYS = 56


def check_horizon(start, days, *, max_days: int = MAX_DAYS) -> None:
    """Field errors for a start date outside the past 31 days to a year ahead,
    or a number of days outside 1..``max_days``."""
    errors = {}
    if not isinstance(start, date):
        errors["start"] = [_("请填写开始日期（如 2026-03-02）。")]
    else:
        today = timezone.localdate()
        if not today - timedelta(days=31) <= start <= today + timedelta(days=366):
            errors["start"] = [_("开始日期应在过去 31 天到未来一年之间。")]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= max_days:
        errors["days"] = [_("天数应在 1 到 %(n)s 之间。") % {"n": max_days}]
    if errors:
        raise Invalid(errors)


def roster_job_request(
    *, actor, compound, start: date, days: int, kind: str, task: str, action: str
):
    """Queue ``task`` to build ``days`` days from ``start`` (the caller has
    checked the permission and that there is somebody to roster)."""
    check_horizon(start, days)
    with transaction.atomic():
        job = job_create(actor=actor, kind=kind, compound=compound, total=100)
        audit(
            actor=actor,
            action=action,
            compound=compound,
            detail={"start": start.isoformat(), "days": days, "job": job.pk},
        )
        enqueue(
            task,
            job=job,
            job_id=job.pk,
            compound_id=compound.pk,
            start=start.isoformat(),
            days=days,
        )
    return job


def roster_job_run(job_id: int, compound_id: int, start: str, days: int, build: Callable):
    """The job: claim it (a task delivered twice finds it claimed and does
    nothing: None), ``build(compound=, start=, days=)`` under a heartbeat, end
    the job with the result (a dict with ``saved``) or tell of the failure."""
    from .models import Compound, Job

    job = Job.objects.get(pk=job_id)
    if not job_start(job=job, message=_("正在排班…")):
        return None
    try:
        compound = Compound.objects.get(pk=compound_id)
        with job_heartbeat(job):
            job_progress(job=job, progress=10, message=_("正在计算排班…"))
            result = build(compound=compound, start=date.fromisoformat(start), days=days)
    except Exception:
        job_fail(job=job, message=_("排班出错，请稍后重试。"))
        raise
    message = _("排班完成") if result["saved"] else _("无法排出满足全部规则的班表")
    job_finish(job=job, result=result, message=message)
    return result


def shown_range(params, *, default_start: date, default_days: int) -> tuple[date, int]:
    """The range a roster page shows from its ``start`` and ``days``
    parameters; an unreadable value falls back to the default rather than
    failing, and the days are kept within 1..``MAX_DAYS``."""
    try:
        start = (
            date.fromisoformat(params.get("start", "")) if params.get("start") else default_start
        )
    except ValueError:
        start = default_start
    try:
        days = int(params.get("days") or default_days)
    except ValueError:
        days = default_days
    return start, min(max(days, 1), MAX_DAYS)
