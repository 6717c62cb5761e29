"""Night patrol (平安小区): checkpoints on the compound plan, routes and their
schedules, the runs generated from them with a due time per stop, the guards'
check-ins (with integrity flags that inform, never block) and the incidents
found on a round.

``rounds``: checkpoints, routes, schedules, runs, check-ins, incidents;
``teams``: teams, roster shifts, leave and wishes, outposts and their shifts.

Every row carries its compound (directly or through its parent) so that
``wanjia.core.scoping.scope_q`` filters it in one place."""

from .rounds import (
    LAT,
    LNG,
    PERCENT,
    CheckIn,
    Checkpoint,
    CheckpointKind,
    Flag,
    HandedTo,
    Incident,
    IncidentCategory,
    Route,
    RouteStop,
    Run,
    RunStatus,
    RunStop,
    Schedule,
    Severity,
)
from .teams import Leave, Outpost, OutpostShift, RosterShift, ShiftWish, Team, TeamMember, TeamRole

__all__ = [
    "CheckIn",
    "Checkpoint",
    "CheckpointKind",
    "Flag",
    "HandedTo",
    "Incident",
    "IncidentCategory",
    "LAT",
    "LNG",
    "Leave",
    "Outpost",
    "OutpostShift",
    "PERCENT",
    "RosterShift",
    "Route",
    "RouteStop",
    "Run",
    "RunStatus",
    "RunStop",
    "Schedule",
    "Severity",
    "ShiftWish",
    "Team",
    "TeamMember",
    "TeamRole",
]
