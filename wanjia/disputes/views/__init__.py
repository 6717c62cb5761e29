"""Console pages of disputes: the board, intake, a case with its actions, the
printable agreement, sweeps, figures and time limits. Resident pages live in
``views_h5``. One module per page group (case, board, sweeps, figures); this
package exports the views the URLs name.

Actions post with htmx and get the case panel back in place; a field error
comes back as 422 with the same panel and the message beside the field."""

from .board import (
    board,
    case_new,
    household_options,
    mine,
)
from .case import (
    SCORE_OPTIONS,
    _int,
    case_agreement,
    case_context,
    case_detail,
    case_escalate,
    case_followup,
    case_rate,
    case_reopen,
    case_resolve,
    case_session,
)
from .figures import (
    PERIODS,
    POLICY_FIELDS,
    figures,
    policy,
)
from .sweeps import (
    sweep_done,
    sweeps,
    sweeps_plan,
)

__all__ = [
    "PERIODS",
    "POLICY_FIELDS",
    "SCORE_OPTIONS",
    "_int",
    "board",
    "case_agreement",
    "case_context",
    "case_detail",
    "case_escalate",
    "case_followup",
    "case_new",
    "case_rate",
    "case_reopen",
    "case_resolve",
    "case_session",
    "figures",
    "household_options",
    "mine",
    "policy",
    "sweep_done",
    "sweeps",
    "sweeps_plan",
]
