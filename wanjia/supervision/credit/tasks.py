"""Credit's daily job (Huey): after the rollups, this month's scores."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import score_due


# 18:45 UTC = 02:45 in Asia/Shanghai, after the rollups at 02:30.
@db_periodic_task(crontab(hour="18", minute="45"))
def daily_scores() -> list[str]:
    return score_due()
