"""After the cutoff: purchase orders, receiving from 05:00 with the quality
check, sharing out shortages, packing bags and handing them over, and
recording payments."""

import math
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.notify import notify

from .. import shortage
from ..access import require_manage, require_operate, users_by_household
from ..errors import Conflict
from ..models import (
    OfferSource,
    Order,
    OrderLine,
    OrderStatus,
    OrderWindow,
    PurchaseLine,
    PurchaseOrder,
    PurchaseStatus,
    WindowStatus,
)
from .bags import (
    bag_hand_over,  # noqa: F401  (re-exported)
    bag_pack,  # noqa: F401  (re-exported)
    bag_unpack,  # noqa: F401  (re-exported)
    payment_record,  # noqa: F401  (re-exported)
)
from .catalog import CENT, text

# --- purchase orders --------------------------------------------------------------


def offer_units(window: OrderWindow, *, field: str = "qty") -> dict[int, int]:
    """Units ordered (``qty``) or to be handed out (``qty_filled``) per offer."""
    rows = (
        OrderLine.objects.filter(order__window=window, order__status=OrderStatus.PLACED)
        .values("offer_id")
        .annotate(units=Sum(field))
    )
    return {r["offer_id"]: r["units"] or 0 for r in rows}


def purchase_orders_build(*, window: OrderWindow) -> list[PurchaseOrder]:
    """One purchase order per supplier: Σ units ordered × quantity per unit,
    plus the market's spare percentage, rounded up to whole units. Called by
    the cutoff inside its transaction; rebuilding replaces draft orders."""
    units = offer_units(window)
    need: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    spend: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for src in OfferSource.objects.filter(offer__window=window):
        ordered = units.get(src.offer_id, 0)
        if ordered:
            need[(src.supplier_id, src.item_id)] += src.qty * ordered
            spend[(src.supplier_id, src.item_id)] += src.qty * ordered * src.unit_cost
    spare = window.market.spare_pct
    PurchaseOrder.objects.filter(window=window, status=PurchaseStatus.DRAFT).delete()
    by_supplier: dict[int, list] = defaultdict(list)
    for (supplier_id, item_id), demand in sorted(need.items()):
        unit_cost = (spend[(supplier_id, item_id)] / demand).quantize(CENT)
        to_buy = Decimal(math.ceil(demand * (1 + spare / 100)))
        by_supplier[supplier_id].append((item_id, demand, to_buy, unit_cost))
    stamp = timezone.localtime(window.closes_at).strftime("%Y%m%d")
    made = []
    for supplier_id, rows in by_supplier.items():
        po = PurchaseOrder.objects.create(
            window=window,
            supplier_id=supplier_id,
            number=f"PO{stamp}-{window.pk}-{supplier_id}",
            spare_pct=spare,
        )
        lines = PurchaseLine.objects.bulk_create(
            [
                PurchaseLine(
                    purchase_order=po,
                    item_id=item_id,
                    demand_qty=demand,
                    order_qty=to_buy,
                    unit_cost=cost,
                    amount=(to_buy * cost).quantize(CENT),
                )
                for item_id, demand, to_buy, cost in rows
            ]
        )
        po.total = sum((ln.amount for ln in lines), Decimal("0.00"))
        po.save(update_fields=["total"])
        made.append(po)
    return made


def purchase_order_mark_sent(*, actor, po: PurchaseOrder) -> PurchaseOrder:
    require_manage(actor, po.window.market)
    with transaction.atomic():
        done = PurchaseOrder.objects.filter(pk=po.pk, status=PurchaseStatus.DRAFT).update(
            status=PurchaseStatus.SENT, sent_at=timezone.now()
        )
        if not done:
            raise Conflict(_("采购单已发送。"))
        audit(
            actor=actor,
            action="market.purchase.sent",
            obj=po,
            compound=po.window.market.compound,
            detail={"number": po.number, "total": str(po.total)},
        )
    po.refresh_from_db()
    return po


# --- receiving ----------------------------------------------------------------------


def receiving_opens_at(window: OrderWindow) -> datetime:
    """Receiving starts at the market's hour (05:00) on the delivery day, local time."""
    naive = datetime.combine(window.delivery_date, window.market.receiving_from)
    return timezone.make_aware(naive)


def _qty(value, field: str, label: str) -> Decimal:
    try:
        qty = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValidationError({field: _("%(label)s应为数字。") % {"label": label}}) from None
    if not qty.is_finite() or qty < 0 or qty > Decimal("1000000") or qty != qty.quantize(CENT):
        raise ValidationError(
            {field: _("%(label)s应为不小于 0 的数，最多两位小数。") % {"label": label}}
        )
    return qty


def receive_line(
    *, actor, line: PurchaseLine, received_qty, rejected_qty=0, reason: str = ""
) -> PurchaseLine:
    """Record what arrived and what failed the quality check (精挑选)."""
    window = OrderWindow.objects.select_related("market").get(pk=line.purchase_order.window_id)
    require_operate(actor, window.market)
    if window.status != WindowStatus.CLOSED:
        raise Conflict(_("只有已截单、未完成验收的窗口可以验收。"))
    opens = receiving_opens_at(window)
    if timezone.now() < opens:
        raise Conflict(
            _("验收从 %(at)s 开始。") % {"at": f"{timezone.localtime(opens):%m-%d %H:%M}"}
        )
    received = _qty(received_qty, "received_qty", _("实收数量"))
    rejected = _qty(rejected_qty or 0, "rejected_qty", _("不合格数量"))
    if rejected > received:
        raise ValidationError({"rejected_qty": _("不合格数量不能多于实收数量。")})
    reason = text(reason, "reject_reason", label=_("不合格原因"), max_len=200, required=False)
    if rejected and not reason:
        raise ValidationError({"reject_reason": _("请写明不合格原因（如：黄叶、压坏）。")})
    with transaction.atomic():
        line.received_qty, line.rejected_qty, line.reject_reason = received, rejected, reason
        line.received_at, line.received_by = timezone.now(), actor
        line.save(
            update_fields=[
                "received_qty",
                "rejected_qty",
                "reject_reason",
                "received_at",
                "received_by",
            ]
        )
        audit(
            actor=actor,
            action="market.receiving.recorded",
            obj=line.purchase_order,
            compound=window.market.compound,
            detail={"item": line.item.name, "received": str(received), "rejected": str(rejected)},
        )
    return line


def _usable_by_item(window: OrderWindow) -> tuple[dict[int, Decimal], list[str]]:
    usable: dict[int, Decimal] = defaultdict(Decimal)
    missing = []
    for line in PurchaseLine.objects.filter(purchase_order__window=window).select_related("item"):
        if line.received_qty is None:
            missing.append(line.item.name)
        else:
            usable[line.item_id] += line.usable_qty
    return usable, missing


def _shortage_lines(window: OrderWindow) -> list[shortage.Line]:
    needs: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for src in OfferSource.objects.filter(offer__window=window):
        needs[src.offer_id][src.item_id] = src.qty
    live = OrderLine.objects.filter(order__window=window, order__status=OrderStatus.PLACED)
    return [
        shortage.Line(id=pk, qty=qty, need=needs[offer_id], rank=(placed_at, order_id))
        for pk, qty, offer_id, placed_at, order_id in live.values_list(
            "pk", "qty", "offer_id", "order__placed_at", "order_id"
        )
    ]


def receiving_finish(*, actor, window: OrderWindow) -> dict:
    """Close receiving: share any shortage out by the market's rule, adjust the
    affected lines and order totals, and tell those households. Returns
    {"short_items": [...], "orders_adjusted": n}."""
    require_operate(actor, window.market)
    usable, missing = _usable_by_item(window)
    if missing:
        raise ValidationError(
            {"receiving": _("还有商品未验收：%(items)s。") % {"items": "、".join(missing)}}
        )
    with transaction.atomic():
        if not OrderWindow.objects.filter(pk=window.pk, status=WindowStatus.CLOSED).update(
            status=WindowStatus.RECEIVED, received_at=timezone.now()
        ):
            raise Conflict(_("只有已截单、未完成验收的窗口可以完成验收。"))
        lines = _shortage_lines(window)
        outcome = shortage.share(lines, usable, window.market.shortage_rule)
        adjusted = _apply_shortage(window, lines, outcome)
        PurchaseOrder.objects.filter(window=window).update(status=PurchaseStatus.RECEIVED)
        audit(
            actor=actor,
            action="market.receiving.finished",
            obj=window,
            compound=window.market.compound,
            detail={
                "rule": window.market.shortage_rule,
                "short_items": sorted(outcome.short_items),
                "orders_adjusted": len(adjusted),
            },
        )
    return {"short_items": sorted(outcome.short_items), "orders_adjusted": len(adjusted)}


def _apply_shortage(window: OrderWindow, lines, outcome) -> list[Order]:
    """Write the shared-out quantities, recompute the affected orders' totals
    and tell their households. A handful of queries whatever the count (a
    city market's window may have thousands of orders)."""
    shorted = {ln.id: outcome.filled[ln.id] for ln in outcome.shorted_lines(lines)}
    if not shorted:
        return []
    changed = list(OrderLine.objects.filter(pk__in=list(shorted)).select_related("offer__item"))
    by_order: dict[int, list[OrderLine]] = defaultdict(list)
    for line in changed:
        line.qty_filled = shorted[line.pk]
        line.amount = line.unit_price * line.qty_filled
        by_order[line.order_id].append(line)
    OrderLine.objects.bulk_update(changed, ["qty_filled", "amount"], batch_size=1000)
    totals = dict(
        OrderLine.objects.filter(order_id__in=list(by_order))
        .values("order_id")
        .annotate(t=Sum("amount"))
        .values_list("order_id", "t")
    )
    orders = list(Order.objects.filter(pk__in=list(by_order)))
    users = users_by_household({o.household_id for o in orders})
    now = timezone.now()
    for order in orders:
        before = order.total
        order.total, order.adjusted_at = totals.get(order.pk) or Decimal("0.00"), now
        if users.get(order.household_id):
            _tell_shortage(window, order, by_order[order.pk], before, users[order.household_id])
    Order.objects.bulk_update(orders, ["total", "adjusted_at"], batch_size=1000)
    return orders


def _tell_shortage(
    window: OrderWindow, order: Order, lines: list[OrderLine], before: Decimal, recipients
) -> None:
    from django.urls import reverse

    def parts():
        return "；".join(
            _("%(name)s 订 %(qty)s%(unit)s，实配 %(filled)s%(unit)s")
            % {
                "name": ln.offer.item.name,
                "qty": ln.qty,
                "filled": ln.qty_filled,
                "unit": ln.offer.item.unit,
            }
            for ln in lines
        )

    def body():  # called by notify() under each reader's language
        return _(
            "您在「%(window)s」的订单 %(code)s 因到货不足已按「%(rule)s」调整：%(parts)s。"
            "应付金额由 ¥%(before)s 调整为 ¥%(after)s。"
        ) % {
            "window": window.title,
            "code": order.code,
            "rule": window.market.get_shortage_rule_display(),
            "parts": parts(),
            "before": before,
            "after": order.total,
        }

    notify(
        recipients=recipients,
        title=lambda: _("菜篮子订单缺货调整"),
        body=body,
        link=reverse("market_h5_order", args=[order.pk]),
        kind="market.shortage",
    )
