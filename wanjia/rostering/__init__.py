"""Roster engine (shared by patrol and care duty): dataclasses in, dataclasses out, no Django inside.

A roster puts guards on shifts for ``days`` days. The conventions every
function here shares (``check`` is the reference):

* A shift belongs to the day it starts on; the night may run past midnight
  (Wanjia's default night is 22:00–06:00). Leave on a date forbids every shift
  starting that date.
* Cover is **exact**: ``need(day, shift)`` guards, no more, no fewer.
* One shift a day per guard; at least ``min_rest_hours`` (default 8) from the
  end of any shift to the start of the guard's next one, so no day shift
  (08:00) after a night (ending 06:00).
* At most ``max_consecutive_nights`` nights in a row (per guard).
* Weekly hours: at most ``weekly_hours_cap`` hours in **any 7 consecutive
  days** (rolling; the whole horizon when shorter). History before the horizon
  is not known to the engine.
* Night fairness (hard): nights per guard differ by at most ``night_fairness``
  among guards with at most ``fairness_leave_days`` leave days in the horizon.
  When that alone makes the roster impossible, ``solve`` relaxes it (minimises
  the spread) and says so with a ``fairness_relaxed`` reason.
* Preferences (soft): ``prefers_on`` / ``prefers_off`` (``"*"`` = the whole day).

``solve`` uses CP-SAT (fixed seed; a wall-clock budget), ``greedy`` is the
baseline, ``check`` re-checks any roster. ``RosterResult.status``:

* ``optimal`` / ``feasible``: every hard rule holds (but see a
  ``fairness_relaxed`` reason; its ``proven`` fact says whether a fair roster
  was proved impossible or merely not found in time);
* ``infeasible``: no roster keeps every rule. ``assignments`` is then the best
  partial roster (every rule kept but cover, fairness soft) and ``reasons``
  name each short day and shift with its facts (``understaffed``: needed,
  available, on leave, on another shift, resting, at the hours cap, at the
  nights limit) and ``blocked_by`` each rule group whose removal alone covers
  more (``rule``: rest, nights, hours or roles; ``uncovered_without_rule``);
  greedy's ``infeasible`` means its roster breaks the rules ``check`` lists;
* ``unknown``: CP-SAT found no roster in the time given.
 Reasons carry a code and facts for
the app to render in Chinese; their ``str()`` is English, for logs.
"""

from .cpsat import solve
from .diagnose import static_reasons
from .greedy import greedy
from .model import (
    WHOLE_DAY,
    Assignment,
    Guard,
    Reason,
    RosterProblem,
    RosterResult,
    RosterStats,
    Shift,
)
from .rules import check, nights_per_guard, preference_hits, stats

__all__ = [
    "WHOLE_DAY",
    "Assignment",
    "Guard",
    "Reason",
    "RosterProblem",
    "RosterResult",
    "RosterStats",
    "Shift",
    "check",
    "greedy",
    "nights_per_guard",
    "preference_hits",
    "solve",
    "static_reasons",
    "stats",
]
