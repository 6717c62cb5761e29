"""What every disputes service shares: the policy of a compound, the case link, text checks and the case timeline."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wanjia.core.roles import CAPABILITIES, Role

from .. import access  # noqa: F401  (declares disputes.* before STAFF_SIDE reads it)
from ..models import (
    CaseEvent,
    Policy,
)

STALE = gettext_noop("案件状态已经变化，请刷新后再试。")
# who may open a case for others (a resident opens one for their own household)
STAFF_SIDE = CAPABILITIES["disputes.report"] - {Role.RESIDENT}


def policy_for(compound) -> Policy:
    """The compound's policy, or an unsaved one holding the defaults."""
    try:
        return compound.dispute_policy
    except Policy.DoesNotExist:
        return Policy(compound=compound)


def case_url(case) -> str:
    return reverse("disputes_case", args=[case.pk])


def _text(value, field: str, label: str, max_len: int, *, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > max_len:
        raise ValidationError(
            {field: _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": max_len}}
        )
    return value


def _event(case, kind, *, actor=None, from_level="", to_level="", mediator=None, reason=""):
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        from_level=from_level,
        to_level=to_level,
        mediator=mediator,
        reason=reason[:300],
    )
