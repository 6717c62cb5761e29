"""Who may do what in delivery. Planning and couriers belong to the managers of
the market's own compound; the hand-off to the courier on the route (or a
manager standing in); the board to anybody who runs the market."""

from django.core.exceptions import PermissionDenied

from wanjia.core.scoping import can


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
