"""Every write of satisfaction: rate, the unhappy loop's steps (return call,
fix, re-rate, appeal, decision), the overdue sweep, surveys and answers.

Each loop step moves the loop by a conditional UPDATE on the stage it expects,
so two people pressing the same button do one step; the sweep marks an overdue
step with its own conditional UPDATE, so each overdue notice goes out once
however many sweeps run at once.

A survey answer is not audited and not timed: the audit log is readable by
the company, and a time beside a household would say who answered."""

from .common import (  # noqa: F401
    APPEAL_WINDOW,
    CALL_DAYS,
    FIX_DAYS,
    RERATE_WINDOW,
    WINDOW,
    unhappy_level,
)
from .loops import (  # noqa: F401
    loop_appeal,
    loop_call,
    loop_decide,
    loop_fix,
    loops_sweep,
)
from .ratings import (  # noqa: F401
    _open_loop,  # tests open a loop beside a rating they made directly
    rating_give,
    rating_record,
    rating_rerate,
)
from .surveys import (  # noqa: F401
    MAX_QUESTIONS,
    survey_answer,
    survey_create,
)
