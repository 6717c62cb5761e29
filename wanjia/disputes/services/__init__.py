"""Every write to disputes: intake, escalation (by hand and on timeout), sessions,
resolution, rating, follow-up, reopening, sweeps and the per-compound policy.

State changes are conditional UPDATEs on the state the caller saw
(``WHERE status IN open AND level = seen``), so the periodic job and a
mediator acting at the same moment cannot both escalate one case.

One module per part (common, intake, escalation, mediation, policy, sweeps);
this package exports them all, so callers import ``wanjia.disputes.services``."""

from .common import (
    STAFF_SIDE,
    STALE,
    case_url,
    policy_for,
)
from .escalation import (
    case_escalate,
    cases_escalate_overdue,
)
from .intake import case_open
from .mediation import (
    case_followup,
    case_rate,
    case_reopen,
    case_resolve,
    session_add,
)
from .policy import (
    POLICY_FIELDS,
    policy_update,
)
from .sweeps import (
    can_sweep,
    period_bounds,
    sweep_complete,
    sweeps_plan,
    sweeps_plan_all,
)

__all__ = [
    "POLICY_FIELDS",
    "STAFF_SIDE",
    "STALE",
    "can_sweep",
    "case_escalate",
    "case_followup",
    "case_open",
    "case_rate",
    "case_reopen",
    "case_resolve",
    "case_url",
    "cases_escalate_overdue",
    "period_bounds",
    "policy_for",
    "policy_update",
    "session_add",
    "sweep_complete",
    "sweeps_plan",
    "sweeps_plan_all",
]
