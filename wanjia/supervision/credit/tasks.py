"""The daily computation of credit scores (05:10, after the night's sweeps);
fired once however many consumers run (the scheduler claims the tick and the
body claims the day), and a rerun stores the same rows."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="10", hour="5"))
def compute_credit_scores() -> int:
    return services.scores_run()
