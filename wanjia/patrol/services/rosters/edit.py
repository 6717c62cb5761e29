"""The supervisor's hand edit of one cell of the roster, saved and re-checked."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from wanjia import rostering as engine
from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Invalid

from ... import access
from ...models import RosterShift
from .build import _lock
from .problem import _reasons_in, block_around, members_of
from .reasons import reason_json
from .shifts import SHIFT_BY_KEY


def roster_edit(*, actor, compound, day, shift: str, user_id, assign: bool) -> list[dict]:
    """Put a team member on (or take them off) one shift of one day.

    The edit is saved even when it breaks a rule, and the rules it newly breaks
    are returned (as reasons) for the page to show. A supervisor edits a roster
    because reality changed — a guard called in sick at 19:00, a swap agreed at
    the gate — and the roster must say who is actually on duty tonight; refusing
    would leave it wrong. The flags tell them what to put right later (extra
    rest, hours next week). Refused (field errors, nothing changed): a person
    not in the compound's team, an unknown shift or a bad date."""
    if not access.can_manage(actor, compound):
        raise Forbidden
    errors = {}
    if not isinstance(day, date):
        errors["date"] = [_("请填写日期。")]
    if shift not in SHIFT_BY_KEY:
        errors["shift"] = [_("请选择班次。")]
    members = {m.user_id: m for m in members_of(compound)}
    try:
        member = members.get(int(user_id))
    except (TypeError, ValueError):
        member = None
    if member is None:
        errors["user"] = [_("请选择本小区巡逻队的队员。")]
    if errors:
        raise Invalid(errors)
    first, last = block_around(compound, day)
    first, last = min(first, day), max(last, day)
    days = (last - first).days + 1
    before = _reasons_in(compound, first, days)
    with transaction.atomic():
        _lock(compound)
        rows = RosterShift.objects.filter(
            compound=compound, date=day, shift=shift, user_id=member.user_id
        )
        if assign and not rows.exists():
            starts, ends = SHIFT_BY_KEY[shift].times(day)
            RosterShift.objects.create(
                compound=compound,
                date=day,
                shift=shift,
                starts_at=starts,
                ends_at=ends,
                user_id=member.user_id,
                team_id=member.team_id,
            )
        elif not assign:
            rows.delete()
        after = _reasons_in(compound, first, days)
        seen = {_key(r) for r in before}
        new = [reason_json(r) for r in after if _key(r) not in seen]
        audit(
            actor=actor,
            action="patrol.roster.edited",
            compound=compound,
            detail={
                "date": day.isoformat(),
                "shift": shift,
                "user": member.user_id,
                "assign": bool(assign),
                "broken": [r["code"] for r in new],
            },
        )
    return new


def _key(r: engine.Reason) -> tuple:
    return (r.code, r.day, r.shift, r.guard, r.facts.get("after"), r.facts.get("rule"))
