"""The minute sweep: warnings, escalations and the 7-day auto-close, each
fired once (see ``services.sweep``)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*"))
def sweep_tickets() -> dict:
    return services.tickets_sweep()
