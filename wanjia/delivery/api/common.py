"""What every delivery endpoint shares: the router, the error map, the order
of refusals and the lookups that turn an id into a scoped record.

Order of refusals, as in the other routers: a role that may never do the thing
is a 403 before any lookup; a record outside the caller's scope is a 404 with
the body of a missing one; a record in scope where the caller's role there is
not enough is a 403 again (from the service); a clash with the state of things
(window still open, bag already delivered) is a 409."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Router

from wanjia.core.schemas import COMMON_ERRORS, ErrorOut
from wanjia.core.scoping import can_anywhere
from wanjia.market.api import conflicts_as_409

from .. import selectors

router = Router(tags=["delivery"])

WRITE_ERRORS = {**COMMON_ERRORS, 409: ErrorOut}

__all__ = ["WRITE_ERRORS", "conflicts_as_409", "router"]


def require_watch(user) -> None:
    """Who plans or watches somewhere; anybody else is refused before a lookup."""
    if not (can_anywhere(user, "delivery.watch") or can_anywhere(user, "delivery.plan")):
        raise PermissionDenied


def require_plan_anywhere(user) -> None:
    if not can_anywhere(user, "delivery.plan"):
        raise PermissionDenied


def require_courier(user) -> None:
    """Who may hand bags over: a courier role, a posted courier (a staff
    account may hold no role of its own), or who plans (standing in)."""
    if can_anywhere(user, "delivery.deliver") or can_anywhere(user, "delivery.plan"):
        return
    if not selectors.is_posted_courier(user):
        raise PermissionDenied


def markets_watched_by(user):
    return selectors.markets_watched_by(user)


def local(moment: datetime | None) -> datetime | None:
    """Times leave in the service's zone (Asia/Shanghai), as a person reads them."""
    return timezone.localtime(moment) if moment else None


def aware(moment: datetime | None) -> datetime | None:
    """A time without an offset is local time (what a manager types), never UTC."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment)
