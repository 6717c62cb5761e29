"""Who may do what in a market. The scoped reads are in ``selectors``; these
checks answer 403 for a record the user can already see."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.roles import Role
from wanjia.core.scoping import can, memberships_of

R = Role
# 菜篮子: suppliers, catalog, prices, windows, cutoff, purchase orders
declare(
    "market",
    "market.manage",
    _("管理菜篮子：供应商、商品、价格、订购窗口、采购"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
)
# receiving, sorting, bags, payments: the market staff on the floor
declare(
    "market",
    "market.operate",
    _("收货、分拣、装袋、收款"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.STAFF},
)
# order for a household (a resident for their own, staff 代下单 for those without phones)
declare("market", "market.order", _("为自家下单"), {R.RESIDENT})
declare(
    "market",
    "market.order_for_resident",
    _("代居民下单"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.STAFF, R.BUILDING_LEADER},
)
# see orders and reports of a served compound
declare(
    "market",
    "market.view_orders",
    _("查看订单与报表"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.STAFF, R.BUILDING_LEADER, R.PARTY_SECRETARY},
)


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


def users_by_household(household_ids) -> dict[int, list]:
    """Everybody to tell about each household's order: users with a resident
    membership on it - the people whose "my orders" page opens it (a user only
    linked to a resident record cannot open the order, so a notice linking
    there would be a dead link). One query."""

    from wanjia.core.models import User

    ids = set(household_ids)
    rows = (
        User.objects.filter(is_active=True)
        .filter(memberships__household_id__in=list(ids), memberships__role=Role.RESIDENT)
        .values_list("pk", "memberships__household_id")
    )
    found: dict[int, dict[int, None]] = {}
    for user_id, household in rows:
        if household in ids:
            found.setdefault(household, {})[user_id] = None
    users = User.objects.in_bulk({u for per in found.values() for u in per})
    return {h: [users[u] for u in per] for h, per in found.items()}
