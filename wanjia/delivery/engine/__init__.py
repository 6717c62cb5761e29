"""Courier route planner: dataclasses in, dataclasses out, no Django inside.

The problem is a vehicle routing problem with time windows, capacities, reloads
at the depot (the market) and one shift per courier. It is solved with PyVRP's
iterated local search under a fixed seed and a wall-clock budget.

Conventions (the same for every planner in this module, so their plans compare):

* Times are seconds from a day origin (midnight, or whatever the caller picks).
  A stop's ``latest_s`` is the latest time its hand-off may *start* (the
  Solomon convention); ``eta_s`` is when the hand-off starts.
* Travel time = distance × detour ÷ courier speed, or an imported duration
  matrix. Reported distances are travelled distances (metric × detour), in the
  input's units (metres for geographic points).
* A courier leaves the market at ``start_s``, spends ``load_s`` loading at the
  start of every trip, may go back to reload (``max_trips`` trips at most, no
  limit when ``None``) and must be back at the market by ``end_s``.
* Every schedule is the *earliest* one: leave at shift start, never wait except
  for a stop's ``earliest_s``. Any feasible plan is feasible with it.
* Stops nobody can serve come back in ``Plan.unserved`` with a reason code and
  the facts behind it; nothing is dropped silently.

PyVRP needs integers. Every time is first put on a 0.1 s tick the safe way
(``quantize``: travel and service times and earliest times rounded up, latest
times and shift ends down), so a plan feasible on the tick is feasible for the
exact figures too, and our clock and PyVRP's agree to the tick; distances are
scaled to five significant digits or better. Every returned route is re-timed
here from ``matrices(problem)``, whatever produced it.
"""

from .geometry import Matrices, matrices, metric_matrix, quantize
from .grouping import Grouped, group_stops
from .model import (
    CAPACITY,
    EARTH_RADIUS_M,
    EPS,
    METRICS,
    NO_COURIER,
    NO_TIME,
    NOT_PLANNED,
    REASONS,
    SHIFT,
    TIME_RES,
    TOO_LATE,
    Courier,
    DeadlineAnswer,
    Plan,
    Point,
    Problem,
    Route,
    Sizing,
    Stop,
    Unserved,
    Visit,
)
from .pipeline import plan_nearest
from .sizing import couriers_needed, earliest_deadline
from .solver import (
    EXHAUSTIVE_UP_TO,
    HORIZON,
    NO_IMPROVEMENT,
    ROUND_S,
    ROUNDS,
    IntegerModel,
    integer_model,
    plan,
)
from .timing import evaluate, triage

__all__ = [
    "CAPACITY",
    "EARTH_RADIUS_M",
    "EPS",
    "EXHAUSTIVE_UP_TO",
    "HORIZON",
    "METRICS",
    "NOT_PLANNED",
    "NO_COURIER",
    "NO_IMPROVEMENT",
    "NO_TIME",
    "REASONS",
    "ROUNDS",
    "ROUND_S",
    "SHIFT",
    "TIME_RES",
    "TOO_LATE",
    "Courier",
    "DeadlineAnswer",
    "Grouped",
    "IntegerModel",
    "Matrices",
    "Plan",
    "Point",
    "Problem",
    "Route",
    "Sizing",
    "Stop",
    "Unserved",
    "Visit",
    "couriers_needed",
    "earliest_deadline",
    "evaluate",
    "group_stops",
    "integer_model",
    "matrices",
    "metric_matrix",
    "plan",
    "plan_nearest",
    "quantize",
    "triage",
]
