"""Reads of market data, always scoped to the user.

- A market is visible to anybody with a membership in a compound it serves
  or in the compound it is run from.
- Draft windows are visible only to who manages the market.
- An order is visible to its household, to staff of the household's compound
  or building (their usual scope), and to the market's operators (who buy,
  sort and pack for every compound the market serves)."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from wanjia.core.roles import CAPABILITIES, Role
from wanjia.core.scoping import can, scope_q
from wanjia.estates.models import Household
from wanjia.estates.selectors import compounds_visible_to, get_or_404

from .access import can_manage, can_operate, own_household_ids
from .models import (
    Market,
    Offer,
    Order,
    OrderLine,
    OrderStatus,
    OrderWindow,
    Payment,
    PaymentKind,
    PurchaseLine,
    PurchaseOrder,
    WindowStatus,
)
from .payments import payment_state

__all__ = ["get_or_404"]


def markets_visible_to(user):
    visible = compounds_visible_to(user).values("pk")
    return (
        Market.objects.filter(Q(compounds__in=visible) | Q(compound__in=visible))
        .distinct()
        .select_related("compound", "compound__company")
    )


def markets_for_console(user) -> list:
    """The markets whose console page ``user`` may use (operate, order for
    residents, or read orders), each with ``served`` (compounds it serves)."""
    return [
        m
        for m in markets_visible_to(user).annotate(served=Count("compounds", distinct=True))
        if can_operate(user, m)
        or can(user, "market.order_for_resident", compound=m.compound)
        or can(user, "market.view_orders", compound=m.compound)
    ]


def compounds_to_start_market(user) -> list:
    """Compounds where ``user`` may set up a market."""
    return [c for c in compounds_visible_to(user) if can(user, "market.manage", compound=c)]


def can_open_market_home(user) -> bool:
    """What the console's 菜篮子 page requires; the menu asks the same."""
    return bool(markets_for_console(user) or compounds_to_start_market(user))


def markets_operated_by(user):
    """Markets whose operator compound the user works in with an operating role."""
    roles = CAPABILITIES["market.operate"] | CAPABILITIES["market.manage"]
    return Market.objects.filter(scope_q(user, roles=roles, compound="compound_id")).select_related(
        "compound"
    )


def windows_visible_to(user):
    markets = list(markets_visible_to(user))
    managed = [m.pk for m in markets if can_manage(user, m)]
    return (
        OrderWindow.objects.filter(market__in=[m.pk for m in markets])
        .filter(~Q(status=WindowStatus.DRAFT) | Q(market__in=managed))
        .select_related("market", "market__compound")
    )


def windows_for_compound(user, compound):
    return windows_visible_to(user).filter(market__compounds=compound).distinct()


def offers_of(window):
    return window.offers.select_related("item").order_by("sort", "id")


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


def purchase_orders_of(window):
    return (
        PurchaseOrder.objects.filter(window=window)
        .select_related("supplier")
        .prefetch_related("lines__item")
        .order_by("supplier__name")
    )


def window_counts(window) -> dict:
    agg = Order.objects.filter(window=window).aggregate(
        live=Count("pk", filter=Q(status=OrderStatus.PLACED)),
        cancelled=Count("pk", filter=Q(status=OrderStatus.CANCELLED)),
        packed=Count("pk", filter=Q(status=OrderStatus.PLACED, packed_at__isnull=False)),
        handed=Count("pk", filter=Q(status=OrderStatus.PLACED, handed_at__isnull=False)),
        revenue=Sum("total", filter=Q(status=OrderStatus.PLACED)),
    )
    agg["revenue"] = agg["revenue"] or Decimal("0.00")
    return agg


def sorting_board(window) -> list[dict]:
    """Per building: bags packed x of y (live orders only), in building order."""
    rows = (
        Order.objects.filter(window=window, status=OrderStatus.PLACED)
        .values("building_id", "building__name", "building__sort", "compound__name")
        .annotate(
            total=Count("pk"),
            packed=Count("pk", filter=Q(packed_at__isnull=False)),
            handed=Count("pk", filter=Q(handed_at__isnull=False)),
        )
        .order_by("compound__name", "building__sort", "building__name")
    )
    return [
        {
            "building_id": r["building_id"],
            "building": r["building__name"],
            "compound": r["compound__name"],
            "total": r["total"],
            "packed": r["packed"],
            "handed": r["handed"],
            "percent": int(r["packed"] * 100 / r["total"]) if r["total"] else 0,
        }
        for r in rows
    ]


def bags(window, *, building_id=None):
    """Live orders with their lines, in sorting order (compound, building, unit, floor, room)."""
    qs = Order.objects.filter(window=window, status=OrderStatus.PLACED)
    if building_id:
        qs = qs.filter(building_id=building_id)
    return orders_with_lines(
        qs.select_related("household", "household__unit", "building", "compound", "slot")
    ).order_by(
        "compound__name",
        "building__sort",
        "building__name",
        "household__unit__name",
        "household__floor",
        "household__room",
    )


def pick_lists(window, *, building_id=None) -> list[dict]:
    """Per building: what to take from the receiving floor (units per item)
    and, per household, what goes into its bag."""
    buildings: dict[int, dict] = {}
    for order in bags(window, building_id=building_id):
        entry = buildings.setdefault(
            order.building_id,
            {
                "building": order.building,
                "compound": order.compound,
                "totals": defaultdict(int),
                "bags": [],
            },
        )
        lines = [ln for ln in order.lines.all() if ln.qty_filled]
        for ln in lines:
            entry["totals"][ln.offer.item] += ln.qty_filled
        entry["bags"].append({"order": order, "lines": lines})
    for entry in buildings.values():
        entry["totals"] = sorted(entry["totals"].items(), key=lambda kv: (kv[0].sort, kv[0].name))
    return list(buildings.values())


def window_report(window) -> dict:
    """Orders, households, fill rate, our price against the reference and when
    packing finished, for one window."""
    counts = window_counts(window)
    live = OrderLine.objects.filter(order__window=window, order__status=OrderStatus.PLACED)
    per_offer = {
        r["offer_id"]: r
        for r in live.values("offer_id").annotate(ordered=Sum("qty"), filled=Sum("qty_filled"))
    }
    offers, ordered, filled, ours, reference = [], 0, 0, Decimal(0), Decimal(0)
    for offer in Offer.objects.filter(window=window).select_related("item").order_by("sort", "id"):
        row = per_offer.get(offer.pk, {"ordered": 0, "filled": 0})
        offers.append({"offer": offer, "ordered": row["ordered"], "filled": row["filled"]})
        ordered += row["ordered"]
        filled += row["filled"]
        ours += offer.price * row["filled"]
        reference += offer.reference_price * row["filled"]
    households = (
        Order.objects.filter(window=window, status=OrderStatus.PLACED)
        .values("household_id")
        .distinct()
        .count()
    )
    return {
        "window": window,
        "orders": counts["live"],
        "cancelled": counts["cancelled"],
        "on_behalf": Order.objects.filter(
            window=window, status=OrderStatus.PLACED, on_behalf=True
        ).count(),
        "households": households,
        "units_ordered": ordered,
        "units_filled": filled,
        "fill_rate": (Decimal(filled) / ordered * 100).quantize(Decimal("0.1"))
        if ordered
        else None,
        "revenue": counts["revenue"],
        "price_vs_reference": (ours / reference * 100).quantize(Decimal("0.1"))
        if reference
        else None,
        "saved": (reference - ours).quantize(Decimal("0.01")),
        "packed": counts["packed"],
        "handed": counts["handed"],
        "packing_finished_at": window.packed_at,
        "paid": _paid_total(window),
        "offers": offers,
    }


def _paid_total(window) -> Decimal:
    rows = Payment.objects.filter(order__window=window).values("kind").annotate(s=Sum("amount"))
    sums = {r["kind"]: r["s"] for r in rows}
    return sums.get(PaymentKind.PAYMENT, Decimal(0)) - sums.get(PaymentKind.REFUND, Decimal(0))


# ---- what the pages show (moved out of the views) ------------------------------------------


def served_compound_ids(window) -> set[int]:
    """The compounds whose households ``window``'s market serves."""
    return set(window.market.compounds.values_list("pk", flat=True))


def placed_orders_by_window(households, windows) -> dict:
    """The households' live (placed) order in each of ``windows``, by window id."""
    return {
        o.window_id: o
        for o in Order.objects.filter(
            household__in=households, window__in=windows, status=OrderStatus.PLACED
        )
    }


def markets_serving(user, households):
    """The markets ``user`` sees that serve one of ``households``' compounds."""
    return markets_visible_to(user).filter(compounds__in=[h.compound_id for h in households])


def slot_of(window, pk):
    """One of ``window``'s pickup slots, or None."""
    return window.slots.filter(pk=pk).first()


def my_order(user, pk):
    """One of ``user``'s own orders, or None."""
    return my_orders(user).filter(pk=pk).first()


def current_windows(market, now=None, *, limit: int = 3):
    """A market's published windows still of interest (not closed and packed), latest first."""
    now = now or timezone.now()
    return (
        market.windows.exclude(status=WindowStatus.DRAFT)
        .filter(Q(closes_at__gt=now) | ~Q(status=WindowStatus.PACKED))
        .order_by("-opens_at")[:limit]
    )


def window_rows(market, *, limit: int = 30):
    """A market's windows with their live orders counted, latest first."""
    return market.windows.annotate(
        live=Count("orders", filter=Q(orders__status=OrderStatus.PLACED))
    ).order_by("-opens_at")[:limit]


def board_market(pk):
    """An active market for the public price board, or None."""
    return Market.objects.filter(pk=pk, active=True).first()


def board_window(market):
    """The window on sale now, else the latest published one."""
    windows = OrderWindow.objects.filter(market=market).exclude(status=WindowStatus.DRAFT)
    now = timezone.now()
    current = (
        windows.filter(status=WindowStatus.OPEN, closes_at__gt=now).order_by("closes_at").first()
    )
    return current or windows.order_by("-opens_at").first()


def addable_items(market, offers):
    """The market's active items not on offer yet in this window."""
    return market.items.filter(active=True).exclude(pk__in=[o.item_id for o in offers])


def window_purchase_orders(window) -> list:
    return list(window.purchase_orders.select_related("supplier"))


def market_item(market, pk):
    """One of the market's items, or None."""
    return market.items.filter(pk=pk).first()


def market_suppliers(market):
    """The market's suppliers with the items each supplies."""
    return market.suppliers.prefetch_related("items__item")


def plain_items(market):
    """The market's items that are not bundles."""
    return market.items.filter(is_bundle=False)


def plain_item(market, pk):
    return plain_items(market).filter(pk=pk).first()


def bundles(market):
    return market.items.filter(is_bundle=True)


def market_supplier(market, pk):
    """One of the market's suppliers, or None (a new one)."""
    return market.suppliers.filter(pk=pk).first()


def catalog_items(market):
    """The market's catalog with bundle components and supplier costs."""
    return market.items.prefetch_related("components__item", "supplier_items__supplier")


def reference_rows(market, *, today, max_age) -> list[dict]:
    """Each plain item with its latest reference price, up to four before it, and
    whether the latest is older than ``max_age``."""
    rows = []
    for item in plain_items(market).prefetch_related("references"):
        refs = list(item.references.all()[:5])
        latest = refs[0] if refs else None
        rows.append(
            {
                "item": item,
                "latest": latest,
                "history": refs[1:],
                "stale": latest is None or today - latest.on_date > max_age,
            }
        )
    return rows


def _purchase_lines(window):
    return PurchaseLine.objects.filter(purchase_order__window=window)


def receiving_lines(window) -> list:
    """The window's purchase lines by supplier, in the catalog's order."""
    return list(
        _purchase_lines(window)
        .select_related("item", "purchase_order__supplier", "received_by")
        .order_by("purchase_order__supplier__name", "item__sort", "item__name")
    )


def receiving_line(window, pk):
    """One purchase line of ``window`` (404 otherwise)."""
    return get_or_404(
        _purchase_lines(window).select_related("item", "purchase_order__supplier"), pk=pk
    )


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


# ---- what the API returns -------------------------------------------------------------------


def with_slots(windows):
    return windows.prefetch_related("slots")


def window_alone(pk):
    """A window with its market, unscoped: the caller proves it is visible (a
    resident's own home served by it does, on the hottest path)."""
    return OrderWindow.objects.select_related("market", "market__compound").filter(pk=pk).first()


def window_is_visible(user, window) -> bool:
    return windows_visible_to(user).filter(pk=window.pk).exists()


def orderable_household(user, pk):
    """A household ``user`` may order for (404 otherwise)."""
    return get_or_404(households_orderable_by(user).select_related("compound"), pk=pk)


def own_homes_served(user, window) -> list:
    """``user``'s own households that ``window``'s market serves."""
    return list(
        Household.objects.filter(pk__in=own_household_ids(user), compound__markets=window.market_id)
        .select_related("compound")
        .distinct()
    )


def my_orders_listed(user, *, window=None):
    orders = my_orders(user)
    if window is not None:
        orders = orders.filter(window_id=window)
    return orders.order_by("-placed_at", "-id")


def order_lines_queryset(order):
    return order.lines.select_related("offer__item")
