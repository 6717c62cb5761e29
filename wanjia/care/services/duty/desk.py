"""The duty desk: who may see the board, the handover notes between shifts
and the audited reveal of an on-duty phone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import pii
from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid

from ...access import can_manage, can_view, can_visit
from ...models import DutyShift, Handover


def may_see_duty(user, compound) -> bool:
    """The duty board: the compound's managers and viewers, and its caretakers."""
    return can_view(user, compound) or can_visit(user, compound)


def _on_shift(compound, user, now: datetime, grace: timedelta) -> DutyShift | None:
    """The user's shift running at ``now`` (or ended less than ``grace`` ago)."""
    return (
        DutyShift.objects.filter(
            compound=compound, user=user, starts_at__lte=now, ends_at__gt=now - grace
        )
        .order_by("-starts_at")
        .first()
    )


HANDOVER_GRACE = timedelta(hours=2)


def handover_write(*, actor, compound, text: str, now: datetime | None = None) -> Handover:
    """The outgoing person's note for the next shift: written by whoever is on
    duty (or came off duty within two hours), or a manager."""
    now = now or timezone.now()
    shift = _on_shift(compound, actor, now, HANDOVER_GRACE)
    if shift is None and not can_manage(actor, compound):
        raise Forbidden(_("只有当班人员或项目经理可以写交班记录。"))
    text = (text or "").strip()
    if not text:
        raise Invalid({"text": [_("请写交班内容。")]})
    if len(text) > 1000:
        raise Invalid({"text": [_("交班内容最多 1000 字。")]})
    if shift is None:
        local = timezone.localtime(now)
        key = "day" if time(8) <= local.time() < time(20) else "night"
        day = local.date() - timedelta(days=1) if local.time() < time(8) else local.date()
    else:
        key, day = shift.shift, shift.date
    with transaction.atomic():
        note = Handover.objects.create(
            compound=compound, date=day, shift=key, author=actor, text=text, created_at=now
        )
        audit(
            actor=actor,
            action="care.handover.written",
            obj=note,
            compound=compound,
            detail={"date": day.isoformat(), "shift": key},
        )
    return note


def handover_acknowledge(*, actor, handover: Handover, now: datetime | None = None) -> Handover:
    """The incoming person (on duty now, or starting within two hours) or a
    manager takes the note over; once (409 the second time)."""
    now = now or timezone.now()
    compound = handover.compound
    incoming = DutyShift.objects.filter(
        compound=compound,
        user=actor,
        starts_at__lte=now + HANDOVER_GRACE,
        ends_at__gt=now,
    ).exists()
    if not (incoming or can_manage(actor, compound)):
        raise Forbidden(_("只有接班人员或项目经理可以确认接班。"))
    if handover.author_id == actor.pk and not can_manage(actor, compound):
        raise Conflict(_("不能确认自己写的交班记录。"))
    with transaction.atomic():
        done = Handover.objects.filter(pk=handover.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=actor
        )
        if not done:
            raise Conflict(_("这条交班记录已经有人确认接班了。"))
        audit(
            actor=actor,
            action="care.handover.acknowledged",
            obj=handover,
            compound=compound,
        )
    handover.refresh_from_db()
    return handover


def phone_reveal(*, actor, shift: DutyShift) -> str:
    """The full phone of someone on the duty board, for who may see the board;
    every reveal audited."""
    if not may_see_duty(actor, shift.compound):
        raise Forbidden
    phone = shift.user.phone or ""
    if not phone:
        raise Invalid({"phone": [_("此人没有登记手机号。")]})
    audit(
        actor=actor,
        action="care.duty.phone_revealed",
        obj=shift,
        compound=shift.compound,
        detail={"user": shift.user_id},
    )
    return phone


def masked(user) -> str:
    return pii.mask_phone(user.phone or "") if user and user.phone else ""
