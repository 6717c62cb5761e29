"""Who may do what on patrol: manage the checkpoints and routes and print the
QR sheets (the compound's managers), walk the rounds and check in (the guards,
volunteers and the party secretary who leads the patrols), watch the board
(managers, the secretary, the regulator)."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.roles import Role
from wanjia.core.scoping import can, can_anywhere, roles_for

R = Role
MANAGE = declare(
    "patrol",
    "patrol.manage",
    _("管理巡更点、路线与排程，打印二维码"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
)
PATROL = declare(
    "patrol",
    "patrol.patrol",
    _("巡逻签到、上报发现"),
    {R.STAFF, R.VOLUNTEER, R.PARTY_SECRETARY},
)
VIEW = declare(
    "patrol",
    "patrol.view",
    _("查看巡逻看板与记录"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY, R.REGULATOR},
)


def can_manage(user, compound) -> bool:
    return can(user, "patrol.manage", compound=compound)


def can_patrol(user, compound) -> bool:
    return can(user, "patrol.patrol", compound=compound)


def can_view(user, compound) -> bool:
    return can(user, "patrol.view", compound=compound) or can_manage(user, compound)


def patrols_anywhere(user) -> bool:
    return can_anywhere(user, "patrol.patrol")


def views_anywhere(user) -> bool:
    return can_anywhere(user, "patrol.view") or can_anywhere(user, "patrol.manage")


def manages_anywhere(user) -> bool:
    return can_anywhere(user, "patrol.manage")


def can_hand_over(user, compound) -> bool:
    """Turn an incident into a dispute case or a repair ticket: who manages the
    compound's patrol, and its party secretary who leads the patrols."""
    return can_manage(user, compound) or Role.PARTY_SECRETARY in roles_for(user, compound=compound)
