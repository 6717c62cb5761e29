"""Who may do what in care: manage the care list and the escalation timings
(the compound's managers), visit and record outcomes (staff, volunteers and
party members — each sees only the people assigned to them), watch the
escalation board (managers and the party secretary, who carries the community
step), and read health notes (every read audited). A resident holds none of
these: the care list is never shown to residents."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.roles import Role
from wanjia.core.scoping import can, can_anywhere

R = Role
MANAGE = declare(
    "care",
    "care.manage",
    _("管理关爱名单、探访频次与升级时限"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
)
VISIT = declare(
    "care",
    "care.visit",
    _("探访分配给自己的关爱对象并记录结果"),
    {R.STAFF, R.VOLUNTEER, R.PARTY_SECRETARY},
)
VIEW = declare(
    "care",
    "care.view",
    _("查看关爱探访与升级处置看板"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY},
)
HEALTH = declare(
    "care",
    "care.health",
    _("查看关爱对象的健康情况（留痕）"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.STAFF},
)


def can_manage(user, compound) -> bool:
    return can(user, "care.manage", compound=compound)


def can_view(user, compound) -> bool:
    return can(user, "care.view", compound=compound) or can_manage(user, compound)


def can_visit(user, compound) -> bool:
    return can(user, "care.visit", compound=compound)


def can_read_health(user, compound) -> bool:
    return can(user, "care.health", compound=compound)


def visits_anywhere(user) -> bool:
    return can_anywhere(user, "care.visit")


def views_anywhere(user) -> bool:
    return can_anywhere(user, "care.view") or can_anywhere(user, "care.manage")


def manages_anywhere(user) -> bool:
    return can_anywhere(user, "care.manage")


def sees_person(user, person) -> bool:
    """A manager or viewer of the compound sees everyone on its list; a
    caretaker only the people assigned to them."""
    if can_view(user, person.compound):
        return True
    return can_visit(user, person.compound) and person.caretakers.filter(pk=user.pk).exists()


def may_record(user, visit) -> bool:
    """Record a visit's outcome: its caretaker, any caretaker of the person,
    or who manages the compound."""
    if can_manage(user, visit.compound):
        return True
    if not can_visit(user, visit.compound):
        return False
    return visit.caretaker_id == user.pk or visit.person.caretakers.filter(pk=user.pk).exists()
