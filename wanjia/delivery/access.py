"""Who may do what in delivery. Planning and couriers belong to the managers of
the market's own compound; the hand-off to the courier on the route (or a
manager standing in); the board to anybody who runs the market."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.roles import Role as R
from wanjia.core.scoping import can

# 无接触配送: couriers, planning, re-planning for the market's compound
declare(
    "delivery",
    "delivery.plan",
    _("管理配送员、规划配送路线"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
)
# the live board and run sheets: who runs the market
declare(
    "delivery",
    "delivery.watch",
    _("查看配送看板与路单"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.STAFF, R.PARTY_SECRETARY},
)
# carry bags on a route of one's own (staff couriers and volunteers)
declare("delivery", "delivery.deliver", _("送货上门（自己的路线）"), {R.STAFF, R.VOLUNTEER})


def can_plan(user, market) -> bool:
    return can(user, "delivery.plan", compound=market.compound)


def can_watch(user, market) -> bool:
    return can(user, "delivery.watch", compound=market.compound)


def require_plan(user, market) -> None:
    if not can_plan(user, market):
        raise PermissionDenied


def can_hand_off(user, route) -> bool:
    """The route's own courier, or who plans for the market."""
    if route is None:
        return False
    if route.courier.user_id is not None and route.courier.user_id == getattr(user, "pk", None):
        return True
    return can_plan(user, route.plan.window.market)
