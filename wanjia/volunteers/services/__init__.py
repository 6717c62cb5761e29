"""Every write of the volunteers app: applications and teams (``people``),
tasks, sign-ups and hours (``tasks``), the thanks wall and certificates
(``wall``)."""

from .people import (
    application_decide,
    apply,
    ensure_teams,
    team_set,
    volunteer_for,
)
from .tasks import (
    AUTO_CLOSE_AFTER,
    REMIND_BEFORE,
    check_in,
    check_out,
    hours_confirm,
    post_task_intent,
    reminders_send,
    signup,
    sweep_open_checkins,
    task_cancel,
    task_post,
    withdraw,
)
from .wall import STARS, certificate_issue, stars_for, thanks_create, thanks_moderate

__all__ = [
    "AUTO_CLOSE_AFTER",
    "REMIND_BEFORE",
    "STARS",
    "application_decide",
    "apply",
    "certificate_issue",
    "check_in",
    "check_out",
    "ensure_teams",
    "hours_confirm",
    "post_task_intent",
    "reminders_send",
    "signup",
    "stars_for",
    "sweep_open_checkins",
    "task_cancel",
    "task_post",
    "team_set",
    "thanks_create",
    "thanks_moderate",
    "volunteer_for",
    "withdraw",
]
