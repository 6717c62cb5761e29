"""Periodic jobs: generate the rounds ahead, and sweep overdue checkpoints.
Both are idempotent (see ``services.runs``)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_periodic_task(crontab(minute="*/30"))
def generate_runs() -> int:
    """Every half hour: the rounds of the next 36 hours exist."""
    return services.runs_generate()


@db_periodic_task(crontab(minute="*"))
def sweep_overdue() -> int:
    """Every minute: alert once for each checkpoint overdue past the grace."""
    return services.stops_sweep_overdue()


@db_task()
def build_roster(job_id: int, compound_id: int, start: str, days: int) -> None:
    """The roster job (``services.rosters.roster_run`` claims the job first)."""
    from .services.rosters import roster_run

    roster_run(job_id, compound_id, start, days)
