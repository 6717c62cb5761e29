"""Periodic jobs: today's visits from 06:00 local, and the escalation sweep.
Both are idempotent (see ``services.visits`` and ``services.escalations``):
the generator runs every five minutes from 06:00 so a worker that was down at
06:00 still makes the day's visits, and makes each once."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_periodic_task(crontab(minute="*/5"))
def generate_visits() -> int:
    return services.visits_generate_due()


@db_periodic_task(crontab(minute="*"))
def sweep_escalations() -> dict:
    """Every minute: cut-offs passed become chains; due steps fire once."""
    return services.escalations_sweep()


@db_periodic_task(crontab(minute="*/5"))
def notify_overdue_followups() -> int:
    """Every five minutes: each follow-up past its due time told once."""
    return services.followups_notify_overdue()


@db_task()
def build_duty(job_id: int, compound_id: int, start: str, days: int) -> None:
    """The duty-roster job (``services.duty.duty_run`` claims the job first)."""
    from .services.duty import duty_run

    duty_run(job_id, compound_id, start, days)
