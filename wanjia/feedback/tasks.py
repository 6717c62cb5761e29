"""The unhappy loop's sweep: each overdue step notified once (see
``services.loops_sweep``)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/5"))
def sweep_loops() -> dict:
    return services.loops_sweep()
