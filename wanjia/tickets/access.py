"""Who may do what with tickets: a resident reports for their own household
and follows its tickets (and common-area tickets they chose to follow); staff
work the compound's tickets (accept, start, finish: their own or unassigned
ones) and report for residents; managers assign, make return visits and
export; a company's admin also edits the company's categories and targets."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.models import ScopeType
from wanjia.core.roles import Role
from wanjia.core.scoping import can, can_anywhere, memberships_of

R = Role
REPORT = declare("tickets", "tickets.report", _("为自家或公共区域报事报修、评价"), {R.RESIDENT})
WORK = declare(
    "tickets",
    "tickets.work",
    _("受理、处理报修工单，代居民报修"),
    {R.STAFF, R.COMPOUND_MANAGER, R.COMPANY_ADMIN},
)
MANAGE = declare(
    "tickets",
    "tickets.manage",
    _("派单、回访、导出报修工单"),
    {R.COMPOUND_MANAGER, R.COMPANY_ADMIN},
)
# The authority reads a ticket when a credit deduction cites it as evidence
# (supervision): read only, nothing on the page acts.
VIEW = declare(
    "tickets",
    "tickets.view",
    _("查看报修工单及处理记录（只读）"),
    {R.STAFF, R.COMPOUND_MANAGER, R.COMPANY_ADMIN, R.REGULATOR},
)
CATEGORIES = declare("tickets", "tickets.categories", _("设置报修类别与时限"), {R.COMPANY_ADMIN})


def can_work(user, compound) -> bool:
    return can(user, "tickets.work", compound=compound)


def can_manage(user, compound) -> bool:
    return can(user, "tickets.manage", compound=compound)


def can_view(user, compound) -> bool:
    return can(user, "tickets.view", compound=compound)


def views_anywhere(user) -> bool:
    return can_anywhere(user, "tickets.view")


def works_anywhere(user) -> bool:
    return can_anywhere(user, "tickets.work")


def manages_anywhere(user) -> bool:
    return can_anywhere(user, "tickets.manage")


def edits_categories_anywhere(user) -> bool:
    return can_anywhere(user, "tickets.categories")


def can_edit_categories(user, company) -> bool:
    return any(
        m.role in (R.COMPANY_ADMIN,)
        and m.scope_type == ScopeType.COMPANY
        and m.company_id == company.pk
        for m in memberships_of(user)
    ) or getattr(user, "is_superuser", False)


def households_of(user) -> set[int]:
    """The households ``user`` reports for as a resident."""
    return {
        m.household_id
        for m in memberships_of(user)
        if m.role == R.RESIDENT and m.scope_type == ScopeType.HOUSEHOLD
    }


def has_household(user) -> bool:
    return bool(households_of(user))


def may_act(user, ticket) -> bool:
    """Work this ticket: who manages the compound, or staff on an unassigned
    ticket or their own."""
    if can_manage(user, ticket.compound):
        return True
    return can_work(user, ticket.compound) and ticket.assignee_id in (None, user.pk)


def may_rate(user, ticket) -> bool:
    """The household that reported it (or the reporter themselves)."""
    return ticket.reported_by_id == user.pk or (
        ticket.household_id is not None and ticket.household_id in households_of(user)
    )
