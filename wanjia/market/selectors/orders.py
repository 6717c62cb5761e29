"""Reads of orders, scoped: a household's own, the ones staff may place for, a window's
list, lines and payments."""

from decimal import Decimal

from django.db.models import Prefetch, Q, Sum
from django.utils import timezone

from wanjia.core import rows
from wanjia.core.roles import CAPABILITIES, Role
from wanjia.core.scoping import scope_q
from wanjia.estates.models import Household
from wanjia.estates.selectors import get_or_404

from ..access import own_household_ids
from ..models import (
    Market,
    Offer,
    Order,
    OrderLine,
    OrderStatus,
    OrderWindow,
    Payment,
    PaymentKind,
    WindowStatus,
)
from ..payments import payment_state
from .markets import markets_operated_by

__all__ = ["get_or_404"]


def orders_visible_to(user):
    roles = CAPABILITIES["market.view_orders"] | {Role.RESIDENT}
    own = scope_q(
        user, roles=roles, compound="compound_id", building="building_id", household="household_id"
    )
    operated = markets_operated_by(user).values("pk")
    return Order.objects.filter(own | Q(window__market__in=operated)).select_related(
        "window", "window__market", "household", "household__unit", "building", "slot"
    )


def orders_with_lines(queryset):
    return queryset.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("offer__item"))
    )


def my_orders(user):
    """The orders of the user's own households (the resident's "my orders")."""
    return orders_with_lines(
        Order.objects.filter(household_id__in=own_household_ids(user)).select_related(
            "window", "window__market", "household", "slot"
        )
    ).order_by("-placed_at")


def own_households(user):
    return Household.objects.filter(pk__in=own_household_ids(user)).select_related(
        "building", "unit", "compound"
    )


def households_orderable_by(user):
    """Households the user may order for: their own, and (代下单) those in the
    compounds/buildings where their role allows ordering for residents."""
    roles = CAPABILITIES["market.order_for_resident"]
    q = scope_q(user, roles=roles, compound="compound_id", building="building_id", household="id")
    return Household.objects.filter(q | Q(pk__in=own_household_ids(user))).select_related(
        "building", "unit", "compound"
    )


def households_orderable_in(user, window):
    """The households ``user`` may order for in ``window`` (代下单): those the
    user may order for, among the compounds the window's market serves."""
    served = window.market.compounds.values("pk")
    return households_orderable_by(user).filter(compound__in=served)


def may_order_for(user, window) -> bool:
    """Whether the 代下单 page of ``window`` opens for ``user`` (tabs ask the same)."""
    return window.status == WindowStatus.OPEN and households_orderable_in(user, window).exists()


def live_order_of(window, household):
    return orders_with_lines(
        Order.objects.filter(window=window, household=household, status=OrderStatus.PLACED)
    ).first()


def open_windows_for_households(user, households):
    """Windows residents of these households can order in now or soon."""
    compounds = {h.compound_id for h in households}
    now = timezone.now()
    return (
        OrderWindow.objects.filter(
            status=WindowStatus.OPEN, closes_at__gt=now, market__compounds__in=compounds
        )
        .distinct()
        .select_related("market")
        .order_by("closes_at")
    )


def paid_amount(order) -> Decimal:
    rows = Payment.objects.filter(order=order).values("kind").annotate(s=Sum("amount"))
    sums = {r["kind"]: r["s"] for r in rows}
    return sums.get(PaymentKind.PAYMENT, Decimal(0)) - sums.get(PaymentKind.REFUND, Decimal(0))


def order_payment_state(order) -> tuple[Decimal, str]:
    paid = paid_amount(order)
    return paid, payment_state(order.total, paid)


def placed_orders_by_window(households, windows) -> dict:
    """The households' live (placed) order in each of ``windows``, by window id."""
    return {
        o.window_id: o
        for o in Order.objects.filter(
            household__in=households, window__in=windows, status=OrderStatus.PLACED
        )
    }


def my_order(user, pk):
    """One of ``user``'s own orders, or None."""
    return my_orders(user).filter(pk=pk).first()


def window_orders_listed(user, window, *, q: str = "", status: str = ""):
    """The window's orders ``user`` sees, by order code, household code or room and
    status, with their lines, building by building (every one: the page pages them)."""
    orders = orders_visible_to(user).filter(window=window)
    if q:
        orders = orders.filter(
            Q(code__iexact=q) | Q(household__code__icontains=q) | Q(household__room=q)
        )
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    return (
        orders_with_lines(orders)
        .select_related("household__compound", "household__building")
        .order_by("building__sort", "household__room", "pk")
    )


def households_matching(households, q: str, *, limit: int = 20):
    """代下单's household finder: code, room or a resident's name."""
    return households.filter(
        Q(code__icontains=q) | Q(room=q) | Q(residents__name__contains=q)
    ).distinct()[:limit]


def order_lines(order) -> list:
    return list(order_lines_queryset(order))


def order_payments(order) -> list:
    return list(order.payments.select_related("recorded_by"))


def orderable_household(user, pk):
    """A household ``user`` may order for (404 otherwise)."""
    return get_or_404(households_orderable_by(user).select_related("compound"), pk=pk)


def window_to_order_in(user, pk, offer_ids: list) -> OrderWindow | None:
    """The window with its market and the market's compound; ``user``'s own
    homes that the market serves, as ``window.own_homes``; and, when that is
    exactly one home, the wanted offers among ``offer_ids`` with their items,
    as ``window.offers_read`` (what ``services.orders`` would read for that
    home's compound). None when there is no such window.

    A resident's order reads all three in one statement (bench/bench_market.py:
    three round trips were two fifths of an order's reads), unscoped: the
    caller proves the window is visible (one such home does). Plain SQL: the
    ORM compiled these joins on every order (bench.peak.profile)."""
    own = sorted(own_household_ids(user))
    ids = sorted({i for i in offer_ids if isinstance(i, int) and 0 < i < 2**63})
    compound = Market._meta.get_field("compound").related_model
    item = Offer._meta.get_field("item").related_model
    served = Market._meta.get_field("compounds").remote_field.through._meta.db_table
    homes = f"h.id IN ({', '.join(['%s'] * len(own))})" if own else "1 = 0"
    offers = f"o.id IN ({', '.join(['%s'] * len(ids))})" if ids else "1 = 0"
    found = rows.select(
        [
            (OrderWindow, "w"),
            (Market, "m"),
            (compound, "c"),
            (Household, "h"),
            (compound, "hc"),
            (Offer, "o"),
            (item, "i"),
        ],
        f"FROM {OrderWindow._meta.db_table} w JOIN {Market._meta.db_table} m ON m.id = w.market_id"  # noqa: S608 (names are ours)
        f" JOIN {compound._meta.db_table} c ON c.id = m.compound_id"
        f" LEFT JOIN ({Household._meta.db_table} h JOIN {compound._meta.db_table} hc"
        f" ON hc.id = h.compound_id) ON {homes} AND EXISTS (SELECT 1 FROM {served} s"
        " WHERE s.market_id = w.market_id AND s.compound_id = h.compound_id)"
        f" LEFT JOIN ({Offer._meta.db_table} o JOIN {item._meta.db_table} i ON i.id = o.item_id)"
        f" ON o.window_id = w.id AND {offers} AND h.id IS NOT NULL"
        " WHERE w.id = %s ORDER BY h.id, o.id",
        [*own, *ids, pk],
    )
    if not found:
        return None
    window, window.market, window.market.compound = found[0][:3]
    window.own_homes, seen = [], set()
    for _w, _m, _c, home, its_compound, _o, _i in found:
        if home is not None and home.pk not in seen:
            seen.add(home.pk)
            home.compound = its_compound
            window.own_homes.append(home)
    if len(window.own_homes) == 1:
        read = {}
        for *_, offer, its_item in found:
            if offer is not None:
                offer.item = its_item
                read[offer.pk] = offer
        window.offers_read = (window.own_homes[0].compound_id, tuple(ids), read)
    return window


def my_orders_listed(user, *, window=None):
    orders = my_orders(user)
    if window is not None:
        orders = orders.filter(window_id=window)
    return orders.order_by("-placed_at", "-id")


def order_lines_queryset(order):
    return order.lines.select_related("offer__item")
