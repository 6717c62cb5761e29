"""A manager's hand edit of one cell of the duty roster, saved and re-checked."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Invalid

from ...access import can_manage
from ...models import DutyShift
from .build import _lock
from .problem import _reasons_in
from .reasons import reason_json
from .shifts import SHIFT_BY_KEY
from .team import team_of


def _key(r) -> tuple:
    return (r.code, r.day, r.shift, r.guard, r.facts.get("after"))


def duty_edit(*, actor, compound, day, shift: str, user_id, assign: bool) -> list[dict]:
    """Put a team member on (or off) one shift of one day. Saved even when it
    breaks a rule (someone called in sick: the board must say who is really on
    duty); the rules it newly breaks come back as reasons."""
    if not can_manage(actor, compound):
        raise Forbidden
    errors = {}
    if not isinstance(day, date):
        errors["date"] = [_("请填写日期。")]
    if shift not in SHIFT_BY_KEY:
        errors["shift"] = [_("请选择班次。")]
    team = {u.pk: u for u in team_of(compound)}
    try:
        member = team.get(int(user_id))
    except (TypeError, ValueError):
        member = None
    if member is None:
        errors["user"] = [_("请选择本小区的值班人员。")]
    if errors:
        raise Invalid(errors)
    first, days = day - timedelta(days=6), 13
    before = {_key(r) for r in _reasons_in(compound, first, days)}
    with transaction.atomic():
        _lock(compound)
        rows = DutyShift.objects.filter(compound=compound, date=day, shift=shift, user=member)
        if assign and not rows.exists():
            starts, ends = SHIFT_BY_KEY[shift].times(day)
            DutyShift.objects.create(
                compound=compound,
                date=day,
                shift=shift,
                starts_at=starts,
                ends_at=ends,
                user=member,
            )
        elif not assign:
            rows.delete()
        new = [
            reason_json(r)
            for r in _reasons_in(compound, first, days)
            if _key(r) not in before and r.code != "fairness"
        ]
        audit(
            actor=actor,
            action="care.duty.edited",
            compound=compound,
            detail={
                "date": day.isoformat(),
                "shift": shift,
                "user": member.pk,
                "assign": bool(assign),
                "broken": [r["code"] for r in new],
            },
        )
    return new
