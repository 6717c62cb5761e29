"""Reads of couriers: a market's roster, who is posted, the people who may be made couriers."""

from wanjia.core.scoping import scope_q

from ..models import Courier
from .routes import _watch_roles


def couriers_visible_to(user):
    return Courier.objects.filter(
        scope_q(user, roles=_watch_roles(), compound="market__compound_id")
    ).select_related("market", "market__compound", "user")


def active_couriers(market) -> list:
    return list(market.couriers.filter(active=True).order_by("name", "id"))


def market_couriers(market, ids) -> list:
    return list(Courier.objects.filter(market=market, pk__in=ids))


def is_posted_courier(user) -> bool:
    """Whether ``user`` is an active courier of some market (a staff account may
    hold no role of its own)."""
    return Courier.objects.filter(user=user, active=True).exists()


def couriers_listed(user, *, market=None):
    couriers = couriers_visible_to(user)
    if market is not None:
        couriers = couriers.filter(market=market)
    return couriers.order_by("market_id", "-active", "name", "id")


def one_of(people, pk):
    """One of ``people`` (eligible staff or volunteers) by id, or None."""
    return people.filter(pk=pk).first()


def market_couriers_by_id(market_id, ids) -> list:
    return list(Courier.objects.filter(pk__in=set(ids), market=market_id))


def courier_roster(market) -> list:
    return list(market.couriers.select_related("user").order_by("-active", "name", "id"))


def with_compound(staff):
    return staff.select_related("compound")


def couriers_of_members(user):
    """Couriers of markets in any compound ``user`` belongs to."""
    return Courier.objects.filter(scope_q(user, compound="market__compound_id")).select_related(
        "market", "market__compound", "user"
    )
