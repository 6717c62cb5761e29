"""Reads behind buying, receiving, sorting and packing a window: purchase orders,
counts, the sorting board, bags, pick lists and the window report."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from wanjia.estates.selectors import get_or_404

from ..models import (
    Offer,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentKind,
    PurchaseLine,
    PurchaseOrder,
)
from .orders import orders_with_lines


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


def window_purchase_orders(window) -> list:
    return list(window.purchase_orders.select_related("supplier"))


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
