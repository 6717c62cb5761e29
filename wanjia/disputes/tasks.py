"""Periodic jobs: escalate cases past their level's time limit, plan sweeps.

Both are idempotent: the escalation is a conditional UPDATE on the deadline the
job saw, the sweep plan inserts with ``ignore_conflicts``."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/5"))
def escalate_overdue_cases() -> int:
    """Every five minutes: move overdue cases up a level, reassign, notify."""
    return services.cases_escalate_overdue()


@db_periodic_task(crontab(hour="0", minute="15"))
def plan_sweeps() -> int:
    """Each night: make sure every building has its sweep for the current period."""
    return services.sweeps_plan_all()
