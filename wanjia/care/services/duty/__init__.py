"""24-hour duty (值班) of a care compound:

- ``shifts``: the two 12-hour shifts and the rules;
- ``team``: who is on the duty team (chosen, else the compound's staff) and
  their leave;
- ``problem``: the team as a problem for the shared pure engine
  (``wanjia.rostering``, the one patrol's rosters use), the stored roster read
  back and checked;
- ``build``: the request and the kernel job that solves and stores it;
- ``edit``: a manager's hand edit, re-checked;
- ``desk``: the handover notes between shifts and the audited reveal of an
  on-duty phone;
- ``reasons``: broken rules as sentences in the reader's language.

Callers import from the package (``from wanjia.care.services import duty``)."""

from .build import duty_build, duty_request, duty_run, ready
from .desk import (
    HANDOVER_GRACE,
    handover_acknowledge,
    handover_write,
    masked,
    may_see_duty,
    phone_reveal,
)
from .edit import duty_edit
from .problem import assignments_in, build_problem, leave_days, problems_in
from .reasons import describe, describe_all, reason_json
from .shifts import (
    COVER,
    JOB_KIND,
    MAX_NIGHTS,
    SHIFT_BY_KEY,
    SHIFTS,
    SOLVE_SECONDS,
    TASK,
    WEEKLY_HOURS,
    ShiftDef,
    shift_label,
    week_start,
)
from .team import leave_add, leave_remove, staff_of, team_of, team_set

__all__ = [
    "COVER",
    "HANDOVER_GRACE",
    "JOB_KIND",
    "MAX_NIGHTS",
    "SHIFTS",
    "SHIFT_BY_KEY",
    "SOLVE_SECONDS",
    "TASK",
    "WEEKLY_HOURS",
    "ShiftDef",
    "assignments_in",
    "build_problem",
    "describe",
    "describe_all",
    "duty_build",
    "duty_edit",
    "duty_request",
    "duty_run",
    "handover_acknowledge",
    "handover_write",
    "leave_add",
    "leave_days",
    "leave_remove",
    "masked",
    "may_see_duty",
    "phone_reveal",
    "problems_in",
    "ready",
    "reason_json",
    "shift_label",
    "staff_of",
    "team_of",
    "team_set",
    "week_start",
]
