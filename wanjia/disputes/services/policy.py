"""The per-compound policy: time limits, follow-up and reopen periods."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.scoping import can

from ..models import (
    Policy,
    SweepPeriod,
)

# ---------------------------------------------------------------- policy


POLICY_FIELDS = {
    "building_days": (1, 60),
    "compound_days": (1, 90),
    "community_days": (1, 180),
    "street_days": (1, 365),
    "followup_days": (1, 90),
    "reopen_days": (0, 365),
}


def policy_update(*, actor, compound, data: dict) -> Policy:
    if not can(actor, "disputes.configure", compound=compound):
        raise PermissionDenied
    errors, clean = {}, {}
    for name, (low, high) in POLICY_FIELDS.items():
        if name in data:
            value = data[name]
            if not isinstance(value, int) or not low <= value <= high:
                errors[name] = [_("应为%(low)s到%(high)s之间的整数。") % {"low": low, "high": high}]
            else:
                clean[name] = value
    if "sweep_period" in data:
        if data["sweep_period"] not in SweepPeriod.values:
            errors["sweep_period"] = [_("排查周期只能是每周或每月。")]
        else:
            clean["sweep_period"] = data["sweep_period"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy, _created = Policy.objects.update_or_create(compound=compound, defaults=clean)
        audit(actor=actor, action="disputes.policy.updated", obj=compound, detail=clean)
    return policy
