"""Periodic jobs: reminders before a task (each sent once) and the sweep
that closes a check-in left open for 12 hours (each closed once). Both are
idempotent: a retry or a second worker finds nothing left to do."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/5"))
def send_reminders() -> int:
    return services.reminders_send()


@db_periodic_task(crontab(minute="*/10"))
def close_open_checkins() -> int:
    return services.sweep_open_checkins()
