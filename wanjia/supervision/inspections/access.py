"""The inspections area's permissions (imported by supervision/access.py)."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.roles import R
from wanjia.core.scoping import can, can_anywhere, memberships_of

INSPECT = "supervision.inspect"
RECTIFY = "supervision.rectify"
NOTICE_SEND = "supervision.notice_send"
NOTICE_REPLY = "supervision.notice_reply"

declare("supervision", INSPECT, _("监督检查、下发整改通知并验收"), {R.REGULATOR})
declare(
    "supervision", RECTIFY, _("查看检查问题并提交整改材料"), {R.COMPANY_ADMIN, R.COMPOUND_MANAGER}
)
declare("supervision", NOTICE_SEND, _("向物业企业发通知"), {R.REGULATOR})
declare("supervision", NOTICE_REPLY, _("阅读并回复监管通知"), {R.COMPANY_ADMIN, R.COMPOUND_MANAGER})


def may_inspect_anywhere(user) -> bool:
    return can_anywhere(user, INSPECT)


def may_rectify_anywhere(user) -> bool:
    return can_anywhere(user, RECTIFY)


def may_inspect(user, compound) -> bool:
    return can(user, INSPECT, compound=compound)


def may_rectify(user, compound) -> bool:
    return can(user, RECTIFY, compound=compound)


def company_ids(user) -> set[int]:
    """The companies whose notices ``user`` reads and answers: a company
    admin's company, a compound manager's compound's company."""
    found = set()
    for m in memberships_of(user):
        if m.role not in (R.COMPANY_ADMIN, R.COMPOUND_MANAGER):
            continue
        if m.company_id:
            found.add(m.company_id)
        elif m.compound_id:
            from wanjia.core.models import Compound

            cid = Compound.objects.filter(pk=m.compound_id).values_list("company_id", flat=True)
            found.update(c for c in cid if c)
    return found


def regions(user) -> list:
    """The regions over which ``user`` is the authority."""
    return [m.region for m in memberships_of(user) if m.role == R.REGULATOR and m.region_id]
