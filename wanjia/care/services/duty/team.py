"""Who is on the duty team, and their leave.

The compound's duty team (``CareSettings.duty_team``) when the manager has
chosen one, else every staff member of the compound."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Invalid
from wanjia.core.models import Membership, ScopeType, User
from wanjia.core.roles import Role

from ...access import can_manage
from ...models import CareSettings, DutyLeave


def team_of(compound) -> list[User]:
    """The compound's duty team: the chosen members, else its staff."""
    conf = CareSettings.objects.filter(compound=compound).first()
    chosen = list(conf.duty_team.filter(is_active=True)) if conf and conf.pk else []
    if chosen:
        return sorted(chosen, key=lambda u: (u.name, u.pk))
    return staff_of(compound)


def staff_of(compound) -> list[User]:
    ids = Membership.objects.filter(
        role=Role.STAFF, scope_type=ScopeType.COMPOUND, compound=compound
    ).values("user_id")
    return sorted(User.objects.filter(pk__in=ids, is_active=True), key=lambda u: (u.name, u.pk))


def team_set(*, actor, compound, user_ids) -> list[User]:
    """Choose the duty team among the compound's staff (none, or all of them:
    every staff member, newcomers included)."""
    if not can_manage(actor, compound):
        raise Forbidden
    staff = {u.pk: u for u in staff_of(compound)}
    try:
        ids = {int(x) for x in user_ids}
    except (TypeError, ValueError):
        ids = {-1}
    if not ids <= set(staff):
        raise Invalid({"team": [_("值班人员须是本小区的工作人员。")]})
    if ids == set(staff):
        ids = set()  # every staff member ticked: "all staff", as when none is chosen
    with transaction.atomic():
        conf = CareSettings.objects.filter(compound=compound).first()
        if conf is None and not ids:
            return team_of(compound)  # nothing chosen and nothing stored: nothing to change
        if conf is None:
            conf = CareSettings.objects.create(compound=compound)
        conf.duty_team.set([staff[i] for i in ids])
        audit(
            actor=actor,
            action="care.duty.team_set",
            obj=compound,
            compound=compound,
            detail={"users": sorted(ids)},
        )
    return team_of(compound)


def leave_add(*, actor, compound, user_id, start, end, note: str = "") -> DutyLeave:
    if not can_manage(actor, compound):
        raise Forbidden
    team = {u.pk: u for u in team_of(compound)}
    errors = {}
    try:
        member = team.get(int(user_id))
    except (TypeError, ValueError):
        member = None
    if member is None:
        errors["user"] = [_("请选择本小区的值班人员。")]
    if not isinstance(start, date):
        errors["start"] = [_("请填写日期。")]
    if not isinstance(end, date):
        errors["end"] = [_("请填写日期。")]
    elif isinstance(start, date) and end < start:
        errors["end"] = [_("结束日期不能早于开始日期。")]
    elif isinstance(start, date) and (end - start).days >= 92:
        errors["end"] = [_("一次请假最多 %(n)s 天。") % {"n": 92}]
    note = (note or "").strip()
    if len(note) > 100:
        errors["note"] = [_("备注最多 100 字。")]
    if errors:
        raise Invalid(errors)
    leave = DutyLeave.objects.create(
        compound=compound, user=member, start=start, end=end, note=note
    )
    audit(
        actor=actor,
        action="care.duty.leave_added",
        obj=leave,
        compound=compound,
        detail={"user": member.pk, "start": start.isoformat(), "end": end.isoformat()},
    )
    return leave


def leave_remove(*, actor, leave: DutyLeave) -> None:
    if not can_manage(actor, leave.compound):
        raise Forbidden
    audit(
        actor=actor,
        action="care.duty.leave_removed",
        obj=leave,
        compound=leave.compound,
        detail={"user": leave.user_id, "start": leave.start.isoformat()},
    )
    leave.delete()
