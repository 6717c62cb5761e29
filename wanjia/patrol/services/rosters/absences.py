"""A team member's leave and weekly shift wishes, which the next roster built
honours (leave always, wishes as far as the rules allow)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Invalid

from ... import access
from ...models import Leave, ShiftWish, TeamMember
from .problem import members_of
from .shifts import SHIFT_BY_KEY, WEEKDAYS, WHOLE_DAY, shift_label

MAX_LEAVE_DAYS = 92


def _team_member(actor, compound, user_id) -> tuple[TeamMember | None, dict]:
    """The compound's team member ``user_id`` for a manager's form, and the
    form's errors so far (a field error when there is no such member)."""
    if not access.can_manage(actor, compound):
        raise Forbidden
    try:
        member = {m.user_id: m for m in members_of(compound)}.get(int(user_id))
    except (TypeError, ValueError):
        member = None
    return member, {} if member is not None else {"user": [_("请选择本小区巡逻队的队员。")]}


def leave_add(*, actor, compound, user_id, start, end, note: str = "") -> Leave:
    """A team member's leave (dates included); the next roster built keeps them
    off those days, and a shift already on them is flagged on the grid."""
    member, errors = _team_member(actor, compound, user_id)
    if not isinstance(start, date):
        errors["start"] = [_("请填写日期。")]
    if not isinstance(end, date):
        errors["end"] = [_("请填写日期。")]
    elif isinstance(start, date) and end < start:
        errors["end"] = [_("结束日期不能早于开始日期。")]
    elif isinstance(start, date) and (end - start).days >= MAX_LEAVE_DAYS:
        errors["end"] = [_("一次请假最多 %(n)s 天。") % {"n": MAX_LEAVE_DAYS}]
    note = (note or "").strip()
    if len(note) > 100:
        errors["note"] = [_("备注最多 100 字。")]
    if errors:
        raise Invalid(errors)
    leave = Leave.objects.create(
        compound=compound, user_id=member.user_id, start=start, end=end, note=note
    )
    audit(
        actor=actor,
        action="patrol.leave.added",
        obj=leave,
        compound=compound,
        detail={"user": member.user_id, "start": start.isoformat(), "end": end.isoformat()},
    )
    return leave


def leave_remove(*, actor, leave: Leave) -> None:
    if not access.can_manage(actor, leave.compound):
        raise Forbidden
    audit(
        actor=actor,
        action="patrol.leave.removed",
        obj=leave,
        compound=leave.compound,
        detail={"user": leave.user_id, "start": leave.start.isoformat()},
    )
    leave.delete()


def wishes_of(compound) -> list[ShiftWish]:
    return list(
        ShiftWish.objects.filter(compound=compound)
        .select_related("user")
        .order_by("user__display_name", "user__username", "weekday", "shift", "id")
    )


def wish_add(*, actor, compound, user_id, weekday, shift: str, wants, note: str = "") -> ShiftWish:
    """A member's weekly wish ("no nights on Fridays", "early shift on Mondays");
    the next roster built honours as many as the rules allow. The same member,
    day and shift again replaces the earlier wish."""
    member, errors = _team_member(actor, compound, user_id)
    try:
        weekday = int(weekday)
    except (TypeError, ValueError):
        weekday = 0
    if not 1 <= weekday <= 7:
        errors["weekday"] = [_("请选择星期几。")]
    if shift != WHOLE_DAY and shift not in SHIFT_BY_KEY:
        errors["shift"] = [_("请选择班次。")]
    if wants not in ("1", "0", True, False):
        errors["wants"] = [_("请选择愿意上还是不愿意上。")]
    elif wants in ("1", True) and shift == WHOLE_DAY:
        errors["shift"] = [_("“愿意上”请选择具体班次。")]
    note = (note or "").strip()
    if len(note) > 100:
        errors["note"] = [_("备注最多 100 字。")]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        wish, _created = ShiftWish.objects.update_or_create(
            compound=compound,
            user_id=member.user_id,
            weekday=weekday,
            shift=shift,
            defaults={"wants": wants in ("1", True), "note": note},
        )
        audit(
            actor=actor,
            action="patrol.wish.added",
            obj=wish,
            compound=compound,
            detail={"user": member.user_id, "weekday": weekday, "shift": shift},
        )
    return wish


def wish_remove(*, actor, wish: ShiftWish) -> None:
    if not access.can_manage(actor, wish.compound):
        raise Forbidden
    audit(
        actor=actor,
        action="patrol.wish.removed",
        obj=wish,
        compound=wish.compound,
        detail={"user": wish.user_id, "weekday": wish.weekday, "shift": wish.shift},
    )
    wish.delete()


def wish_label(wish: ShiftWish) -> str:
    day = dict(WEEKDAYS)[wish.weekday]
    shift = _("全天") if wish.shift == WHOLE_DAY else shift_label(wish.shift)
    if wish.wants:
        return _("%(day)s愿意上%(shift)s") % {"day": day, "shift": shift}
    return _("%(day)s不上%(shift)s") % {"day": day, "shift": shift}
