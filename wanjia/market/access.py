"""Who may do what in a market. The scoped reads are in ``selectors``; these
checks answer 403 for a record the user can already see."""

from django.core.exceptions import PermissionDenied

from wanjia.core.models import Membership
from wanjia.core.roles import Role
from wanjia.core.scoping import can, memberships_of


def can_manage(user, market) -> bool:
    """Suppliers, catalog, prices, windows, cutoff: the operator's managers."""
    return can(user, "market.manage", compound=market.compound)


def can_operate(user, market) -> bool:
    """Receiving, sorting, payments: the operator's managers and staff."""
    return can(user, "market.operate", compound=market.compound)


def require_manage(user, market) -> None:
    if not can_manage(user, market):
        raise PermissionDenied


def require_operate(user, market) -> None:
    if not can_operate(user, market):
        raise PermissionDenied


def own_household_ids(user) -> set[int]:
    """Households the user lives in: their resident memberships, which sit on
    the household (read once per request with the other memberships)."""
    return {
        m.household_id
        for m in memberships_of(user)
        if m.role == Role.RESIDENT and m.household_id is not None
    }


def orders_for_household_as(user, household) -> str:
    """How ``user`` may order for ``household``: "self" (a resident of it),
    "behalf" (staff ordering for a resident without a phone, 代下单), or
    PermissionDenied."""
    if household.pk in own_household_ids(user):
        return "self"
    if can(
        user,
        "market.order_for_resident",
        compound=household.compound,
        building_id=household.building_id,
    ):
        return "behalf"
    raise PermissionDenied


def household_users(household) -> list:
    """Everybody to tell about a household's order: its residents' accounts
    and users with a resident membership on it."""
    from wanjia.core.models import User

    return list(
        User.objects.filter(is_active=True)
        .filter(
            pk__in=Membership.objects.filter(household=household, role=Role.RESIDENT).values(
                "user_id"
            )
        )
        .union(User.objects.filter(is_active=True, resident__household=household))
    )
