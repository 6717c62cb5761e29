"""Escalation, by hand and on timeout (conditional UPDATEs, so the periodic job and a mediator cannot both escalate one case)."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit

from .. import access
from ..models import (
    OPEN_STATUSES,
    Case,
    EventKind,
    Level,
    next_level,
)
from .common import STALE, _event, _text, policy_for
from .intake import _tell_arrival

# ---------------------------------------------------------------- escalation


def case_escalate(*, actor, case: Case, reason: str = "", timed_out: bool = False) -> Case:
    """Move ``case`` one level up, reassign it and notify. ``timed_out`` is the
    periodic job's call (no actor); a person must be able to mediate the case."""
    if not timed_out and not access.can_mediate(actor, case):
        raise PermissionDenied
    if not case.is_open:
        raise ValidationError({"status": _("案件已化解，不能上报。")})
    target = next_level(case.level)
    if target is None:
        raise ValidationError({"level": _("已在街道层级，无法继续上报。")})
    reason = _text(reason, "reason", _("上报理由"), 300, required=False)
    now = timezone.now()
    mediator = access.pick_mediator(case, target)
    with transaction.atomic():
        seen = Case.objects.filter(pk=case.pk, level=case.level, status__in=OPEN_STATUSES)
        if timed_out:
            seen = seen.filter(due_at__lte=now)
        changed = seen.update(
            level=target,
            level_since=now,
            due_at=now + timedelta(days=policy_for(case.compound).days_for(target)),
            mediator=mediator,
            timeouts=F("timeouts") + (1 if timed_out else 0),
        )
        if not changed:
            if timed_out:
                return case  # a person acted first; nothing to do
            raise ValidationError({"level": _(STALE)})
        old = case.level
        case.refresh_from_db()
        _event(
            case,
            EventKind.TIMED_OUT if timed_out else EventKind.ESCALATED,
            actor=actor,
            from_level=old,
            to_level=target,
            mediator=mediator,
            # the system's own reason for a time-out is not stored: the timeline
            # words it in each reader's language from from_level (a stored
            # phrase read Chinese on an English page)
            reason=reason or "",
        )
        audit(
            actor=actor,
            action="disputes.case.escalated",
            obj=case,
            detail={"from": old, "to": target, "timed_out": timed_out},
        )

        def title():  # in each reader's language
            return (_("矛盾纠纷超时上报：%(c)s") if timed_out else _("矛盾纠纷上报：%(c)s")) % {
                "c": case.get_category_display()
            }

        _tell_arrival(case, target, title=title, kind="disputes.escalated", exclude=actor)
    return case


def cases_escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every open case whose level time limit has passed (the periodic
    job). Each case is its own transaction, so one failure stops no other."""
    now = now or timezone.now()
    due = (
        Case.objects.filter(status__in=OPEN_STATUSES, due_at__lte=now)
        .exclude(level=Level.STREET)
        .select_related("compound__community__parent", "building")
        .order_by("due_at")
    )
    moved = 0
    for case in due.iterator(chunk_size=200):
        before = case.level
        case = case_escalate(actor=None, case=case, timed_out=True)
        moved += case.level != before
    return moved
