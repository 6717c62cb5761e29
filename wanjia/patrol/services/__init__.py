"""Every write of the patrol app (keyword-only, ``actor=``, audited)."""

from .checkins import CHECKIN_SALT, checkin, checkpoint_from_token, qr_token, qr_url
from .checkpoints import (
    checkpoint_create,
    checkpoint_retire,
    checkpoint_update,
    route_create,
    schedule_set,
)
from .incidents import incident_hand_over, incident_hand_to_dispute, incident_report
from .runs import GRACE, runs_generate, runs_generate_for, stops_sweep_overdue

__all__ = [
    "CHECKIN_SALT",
    "GRACE",
    "checkin",
    "checkpoint_create",
    "checkpoint_from_token",
    "checkpoint_retire",
    "checkpoint_update",
    "incident_hand_over",
    "incident_hand_to_dispute",
    "incident_report",
    "qr_token",
    "qr_url",
    "route_create",
    "runs_generate",
    "runs_generate_for",
    "schedule_set",
    "stops_sweep_overdue",
]
