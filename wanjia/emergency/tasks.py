"""Background work: the opening job (enqueued through ``core.jobs.enqueue``)
and the chase of missing daily reports (every five minutes; each compound
chased once a day, see ``services.reports.reports_chase``)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task()
def prepare_event(job_id: int, event_id: int) -> None:
    services.event_prepare(job_id, event_id)


@db_periodic_task(crontab(minute="*/5"))
def chase_reports() -> int:
    return services.reports_chase()


@db_task()
def tell_directive(directive_id: int) -> None:
    services.directive_tell(directive_id)


@db_periodic_task(crontab(minute="*/5"))
def remind_directives() -> int:
    return services.directives_remind()
