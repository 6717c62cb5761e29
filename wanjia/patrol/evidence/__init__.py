"""Reads for the outposts, the night timeline and the monthly evidence report
for the 平安小区 (smart-safe compound) rating, and the regulator's figures
computed from them.

Every window here is a run of *nights*: the nights of local dates
``first``..``last`` run from 12:00 on ``first`` to 12:00 the day after
``last`` (as ``selectors.completion`` counts them), so a round at 02:00 on the
1st belongs to the last night of the month before. What has not happened yet
is not counted: stops not yet due, outpost hours still to come."""

from .figures import (
    figure_incident_response,
    figure_missed_per_100,
    figure_missed_per_100_many,
    figure_outpost_cover,
    register,
)
from .intervals import clip, gaps_in, merge, minutes, month_nights, nights_window
from .outposts import (
    compound_outposts,
    cover,
    outpost_rows,
    outpost_shift_rows,
    outposts_visible_to,
    shifts_from,
    staff_of,
)
from .report import DEFINITIONS, evidence
from .timeline import night_timeline

__all__ = [
    "DEFINITIONS",
    "clip",
    "compound_outposts",
    "cover",
    "evidence",
    "figure_incident_response",
    "figure_missed_per_100",
    "figure_missed_per_100_many",
    "figure_outpost_cover",
    "gaps_in",
    "merge",
    "minutes",
    "month_nights",
    "night_timeline",
    "nights_window",
    "outpost_rows",
    "outpost_shift_rows",
    "outposts_visible_to",
    "register",
    "shifts_from",
    "staff_of",
]
