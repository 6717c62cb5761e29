"""Who may do what with volunteers and thanks.

Apply: a resident (or a volunteer joining another team). Manage: approve or
decline, teams and leaders, moderate the thanks wall (the compound's managers
and the party secretary). Post tasks and confirm their hours: staff too (a
task's owner confirms its hours; a manager may confirm any). Serve: sign up,
check in and out (the volunteer role, granted on approval). Thank: residents
and volunteers. Everyone in the compound sees its wall.

A resident's membership is a household's; ``holds`` counts a building or
household membership as a membership of the compound it lies in."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.roles import CAPABILITIES, STAFF_SIDE, Role
from wanjia.core.scoping import can_anywhere, memberships_of, roles_for

R = Role
APPLY = declare("volunteers", "volunteers.apply", _("申请成为志愿者"), {R.RESIDENT, R.VOLUNTEER})
MANAGE = declare(
    "volunteers",
    "volunteers.manage",
    _("审核志愿者、管理服务队与感谢墙"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY},
)
POST = declare(
    "volunteers",
    "volunteers.post",
    _("发布志愿任务并确认时长"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY, R.STAFF},
)
SERVE = declare("volunteers", "volunteers.serve", _("报名志愿任务、签到签退"), {R.VOLUNTEER})
THANK = declare("volunteers", "volunteers.thank", _("在感谢墙上致谢"), {R.RESIDENT, R.VOLUNTEER})


def _roles_in(user, compound) -> set[str]:
    roles = roles_for(user, compound=compound)
    for m in memberships_of(user):
        if m.compound_id == compound.pk:
            roles.add(m.role)
    return roles


def holds(user, action: str, compound) -> bool:
    return bool(_roles_in(user, compound) & CAPABILITIES[action])


def in_compound(user, compound) -> bool:
    return bool(_roles_in(user, compound))


def can_manage(user, compound) -> bool:
    return holds(user, "volunteers.manage", compound)


def can_post(user, compound) -> bool:
    return holds(user, "volunteers.post", compound)


def can_serve(user, compound) -> bool:
    return holds(user, "volunteers.serve", compound)


def can_apply(user, compound) -> bool:
    return holds(user, "volunteers.apply", compound)


def can_thank(user, compound) -> bool:
    return holds(user, "volunteers.thank", compound)


def may_confirm(user, task) -> bool:
    """The task's owner (who posts may confirm) or a manager of the compound."""
    if can_manage(user, task.compound):
        return True
    return task.owner_id == user.pk and can_post(user, task.compound)


def posts_anywhere(user) -> bool:
    return can_anywhere(user, "volunteers.post")


def manages_anywhere(user) -> bool:
    return can_anywhere(user, "volunteers.manage")


def serves_anywhere(user) -> bool:
    return can_anywhere(user, "volunteers.serve")


def applies_anywhere(user) -> bool:
    return can_anywhere(user, "volunteers.apply")


def thanks_anywhere(user) -> bool:
    return can_anywhere(user, "volunteers.thank")


def h5_anywhere(user) -> bool:
    return serves_anywhere(user) or applies_anywhere(user)


def sees_wall_console(user, compound) -> bool:
    """The console's wall: the compound's staff side and the regulator."""
    return bool(_roles_in(user, compound) & (STAFF_SIDE | {R.REGULATOR}))


def wall_console_anywhere(user) -> bool:
    return getattr(user, "is_superuser", False) or bool(
        {m.role for m in memberships_of(user)} & (STAFF_SIDE | {R.REGULATOR})
    )
