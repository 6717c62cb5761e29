"""Every write of the care app (keyword-only, ``actor=``, audited)."""

from .escalations import (
    escalation_acknowledge,
    escalation_open,
    escalation_resolve,
    escalations_sweep,
    settings_for,
    settings_set,
    step_owner,
)
from .followups import followup_close, followup_open, followup_reassign, followups_notify_overdue
from .people import (
    absence_add,
    contact_reveal,
    health_read,
    person_create,
    person_update,
)
from .visits import record_outcome, visits_generate, visits_generate_due

__all__ = [
    "absence_add",
    "contact_reveal",
    "escalation_acknowledge",
    "followup_close",
    "followup_open",
    "followup_reassign",
    "followups_notify_overdue",
    "escalation_open",
    "escalation_resolve",
    "escalations_sweep",
    "health_read",
    "person_create",
    "person_update",
    "record_outcome",
    "settings_for",
    "settings_set",
    "step_owner",
    "visits_generate",
    "visits_generate_due",
]
