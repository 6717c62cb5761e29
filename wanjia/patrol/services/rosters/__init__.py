"""Rosters of a compound's patrol team (guards and volunteers):

- ``shifts``: the three shifts, the cover and the rules per role;
- ``problem``: the team, their leave and wishes as an engine problem, and the
  stored roster read back and checked;
- ``build``: the request and the background job that solves and stores it (the
  horizon replaced in one transaction);
- ``edit``: the supervisor's hand edit of one cell, saved and re-checked;
- ``absences``: leave and weekly wishes;
- ``reasons``: why a roster cannot exist, as sentences in the reader's language.

The engine is pure (``wanjia.rostering``); nothing here solves anything. Callers
import from the package (``from wanjia.patrol.services import rosters``)."""

from .absences import (
    MAX_LEAVE_DAYS,
    leave_add,
    leave_remove,
    wish_add,
    wish_label,
    wish_remove,
    wishes_of,
)
from .build import ready, roster_build, roster_request, roster_run
from .edit import roster_edit
from .problem import (
    assignments_in,
    block_around,
    build_problem,
    leave_days,
    members_of,
    problems_in,
    wish_days,
)
from .reasons import ROLES, RULES, WHY, describe, describe_all, reason_json
from .shifts import (
    COVER,
    JOB_KIND,
    LIMITS,
    ROLE_COVER,
    SHIFT_BY_KEY,
    SHIFTS,
    SOLVE_SECONDS,
    TASK,
    WEEKDAYS,
    WHOLE_DAY,
    ShiftDef,
    shift_label,
    tonight,
    week_start,
)

__all__ = [
    "COVER",
    "JOB_KIND",
    "LIMITS",
    "MAX_LEAVE_DAYS",
    "ROLES",
    "ROLE_COVER",
    "RULES",
    "SHIFTS",
    "SHIFT_BY_KEY",
    "SOLVE_SECONDS",
    "TASK",
    "WEEKDAYS",
    "WHOLE_DAY",
    "WHY",
    "ShiftDef",
    "assignments_in",
    "block_around",
    "build_problem",
    "describe",
    "describe_all",
    "leave_add",
    "leave_days",
    "leave_remove",
    "members_of",
    "problems_in",
    "ready",
    "reason_json",
    "roster_build",
    "roster_edit",
    "roster_request",
    "roster_run",
    "shift_label",
    "tonight",
    "week_start",
    "wish_add",
    "wish_days",
    "wish_label",
    "wish_remove",
    "wishes_of",
]
