"""The rollups' daily job (Huey). Each tick runs once however many consumers
run (core.periodic); a rerun rewrites the same rows."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import rollup_due


# Huey matches crontabs in UTC: 18:30 UTC is 02:30 in Asia/Shanghai, a quiet hour.
@db_periodic_task(crontab(hour="18", minute="30"))
def daily_rollups() -> list[str]:
    return rollup_due()
