"""Periodic jobs of the inspections area: overdue rectification notices and
reminders before a notice's reply deadline, each fired once per record."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/5"))
def sweep_inspections() -> dict:
    return {
        "overdue": services.rectification_sweep(),
        "reminded": services.notice_remind_sweep(),
    }
