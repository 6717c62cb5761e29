"""The roll call: a responder answers for themself ("are you safe, can you
serve"); a vulnerable resident's answer is marked by the compound's staff
after a call or a knock. Unknown is what is left to work down."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Invalid

from .. import access
from ..models import Answer, Group, RollCallEntry
from .events import timeline


def may_answer(user, entry: RollCallEntry) -> bool:
    if entry.group == Group.RESPONDER and entry.user_id == user.pk:
        return True
    return access.can_respond(user, entry.compound)


def roll_answer(*, actor, entry: RollCallEntry, answer, can_serve=None) -> RollCallEntry:
    if not may_answer(actor, entry):
        raise Forbidden
    from .reports import _active

    _active(entry.event)
    if answer not in (Answer.SAFE, Answer.NEEDS_HELP, Answer.UNKNOWN):
        raise Invalid({"answer": [gettext("请选择：平安、需要帮助或未确认。")]})
    if entry.group == Group.RESPONDER:
        if can_serve in ("1", "true", True, "yes"):
            can_serve = True
        elif can_serve in ("0", "false", False, "no"):
            can_serve = False
        elif can_serve in (None, ""):
            can_serve = None
        else:
            raise Invalid({"can_serve": [gettext("请选择能否参加值守。")]})
    else:
        can_serve = None
    now = timezone.now()
    with transaction.atomic():
        RollCallEntry.objects.filter(pk=entry.pk).update(
            answer=answer,
            can_serve=can_serve,
            answered_at=None if answer == Answer.UNKNOWN else now,
            answered_by=actor,
        )
        entry.refresh_from_db()
        timeline(entry.event, "roll", compound=entry.compound, at=now, answer=answer)
        audit(actor=actor, action="emergency.roll.answered", obj=entry, compound=entry.compound)
    return entry
