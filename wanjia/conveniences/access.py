"""Who may do what with convenience services: set services up and lift a
suspension (the compound's managers), serve them — the day's roster, marking
attended or no-show, the print queue, booking for a resident without a phone
(staff and managers) — and book for one's own household (residents)."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.roles import Role
from wanjia.core.scoping import can, can_anywhere, memberships_of

R = Role
MANAGE = declare(
    "conveniences",
    "conveniences.manage",
    _("设置便民服务、生成时段、解除暂停预约"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
)
SERVE = declare(
    "conveniences",
    "conveniences.serve",
    _("查看当日预约、登记到场或爽约、处理打印、为居民代约"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.STAFF},
)
BOOK = declare(
    "conveniences",
    "conveniences.book",
    _("为本户预约便民服务"),
    {R.RESIDENT},
)


def can_manage(user, compound) -> bool:
    return can(user, "conveniences.manage", compound=compound)


def can_serve(user, compound) -> bool:
    return can(user, "conveniences.serve", compound=compound)


def manages_anywhere(user) -> bool:
    return can_anywhere(user, "conveniences.manage")


def serves_anywhere(user) -> bool:
    return can_anywhere(user, "conveniences.serve")


def books_anywhere(user) -> bool:
    return can_anywhere(user, "conveniences.book")


def own_household_ids(user) -> set[int]:
    """The households the user lives in (resident memberships)."""
    return {
        m.household_id
        for m in memberships_of(user)
        if m.role == Role.RESIDENT and m.household_id is not None
    }


def may_book_for(user, household) -> str:
    """ "self" for one's own household, "behalf" for staff of its compound
    (代约), "" when neither."""
    if household.pk in own_household_ids(user):
        return "self"
    if can_serve(user, household.compound):
        return "behalf"
    return ""
