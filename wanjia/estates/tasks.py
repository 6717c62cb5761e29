"""Background work for the registry: a resident import runs as a Huey task with a
``core.Job`` record the import page shows as a progress bar.

The upload is kept under ``MEDIA_ROOT/imports/`` only until its task has run
(web and worker must share MEDIA_ROOT when they run on different machines);
a periodic sweep removes uploads and ends jobs that a lost worker left behind."""

import logging
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from wanjia.core.jobs import (
    enqueue,
    job_create,
    job_fail,
    job_finish,
    job_heartbeat,
    job_progress,
    job_start,
)
from wanjia.core.models import Job, JobStatus

from .figures import tally_refresh
from .importer import residents_import

log = logging.getLogger(__name__)

IMPORT_KIND = "estates.import"
STALE_AFTER = timedelta(hours=24)
# Share of the bar for reading and checking the file; writing gets the rest.
# Measured on the 100,000-row benchmark: checking takes about three quarters.
VALIDATE_SHARE = 0.75
PERMILLE = 1000


def imports_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_submit(*, actor, compound, upload, language: str) -> Job:
    """Store ``upload``, create the job and enqueue its task once committed."""
    dest = imports_dir() / f"{uuid.uuid4().hex}.xlsx"
    with dest.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        with transaction.atomic():
            job = job_create(
                actor=actor,
                kind=IMPORT_KIND,
                compound=compound,
                message=_("已上传“%(name)s”，等待处理。") % {"name": upload.name[:100]},
            )
            enqueue(
                "wanjia.estates.tasks.import_residents_task",
                job=job,
                job_id=job.pk,
                path=str(dest),
                filename=upload.name[:200],
                language=language,
            )
    except Exception:
        dest.unlink(missing_ok=True)
        raise
    return job


@db_task()
def import_residents_task(job_id: int, path: str, filename: str, language: str) -> None:
    """Run one import job. Idempotent: a job already claimed is left alone."""
    job = Job.objects.select_related("compound", "created_by").filter(pk=job_id).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        if job is None or not job_start(job=job, message=_("正在读取文件…")):
            return
        try:
            with job_heartbeat(job):
                _run_import(job, path, filename)
        except Exception:
            log.exception("import job %s failed", job_id)
            job_fail(job=job, message=_("导入失败：系统出错，未导入任何数据。请稍后重试。"))
        finally:
            Path(path).unlink(missing_ok=True)


def _run_import(job: Job, path: str, filename: str) -> None:
    try:
        result = residents_import(
            actor=job.created_by,
            compound=job.compound,
            path=path,
            filename=filename,
            on_progress=_reporter(job),
        )
    except PermissionDenied:
        job_fail(job=job, message=_("您已没有该小区的导入权限，未导入任何数据。"))
        return
    if result.ok:
        message = _("导入完成：%(rows)d行，新增居民%(n)d位。") % {
            "rows": result.rows,
            "n": result.created["residents"],
        }
        job_finish(job=job, result=result.as_dict(), message=message)
    else:
        message = _("文件中有%(n)d处错误，未导入任何数据。请改正后重新上传。") % {
            "n": result.error_count
        }
        job_fail(job=job, message=message, result=result.as_dict())


def _reporter(job: Job):
    """Map the importer's (phase, done, total) onto one bar in permille, and
    report at most every half second (the page polls once a second)."""
    last = [0.0]

    def report(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and done < total:
            return
        last[0] = now
        if phase == "validate":
            share = VALIDATE_SHARE * done / total if total else 0
            if total:
                message = _("正在检查第%(done)d行，共%(total)d行…") % {"done": done, "total": total}
            else:  # the file does not say how many rows it has
                message = _("正在检查第%(done)d行…") % {"done": done}
        else:
            share = VALIDATE_SHARE + (1 - VALIDATE_SHARE) * done / max(total, 1)
            message = _("正在写入：已写入%(done)d位居民，共%(total)d位…") % {
                "done": done,
                "total": total,
            }
        known = bool(total) or phase != "validate"
        job_progress(
            job=job,
            progress=min(int(share * PERMILLE), PERMILLE),
            total=PERMILLE if known else 0,
            message=message,
        )

    return report


@db_periodic_task(crontab(minute="17"))
def imports_sweep() -> None:
    """Hourly: end import jobs a lost worker left active, delete stale uploads."""
    cutoff = timezone.now() - STALE_AFTER
    stale = Job.objects.filter(
        kind=IMPORT_KIND, status__in=(JobStatus.QUEUED, JobStatus.RUNNING), created_at__lt=cutoff
    )
    for job in stale:
        job_fail(job=job, message=_("导入任务超时未完成，未导入任何数据。请重新上传。"))
    for path in imports_dir().glob("*.xlsx"):
        if path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)


# Huey matches crontabs in UTC: 16:05 UTC is 00:05 in Asia/Shanghai, just after
# the date (and with it who counts as elderly) has moved on.
@db_periodic_task(crontab(hour="16", minute="5"))
def registry_recount() -> int:
    """Nightly: recount every compound's registry tally (``RegistryTally``)."""
    return len(tally_refresh())
