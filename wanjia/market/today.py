"""Today's-work cards of the market.

Staff who run a market see, per window that needs them: orders coming in and
when the window closes, purchase orders to send, receiving from 05:00 (red
once the 08:00 "ready" time is near and it is not finished), and bags packed
x of y. A resident sees their live order(s)."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.today import Card, today_provider

from . import selectors
from .models import OrderStatus, PurchaseLine, PurchaseStatus, WindowStatus
from .services import receiving_opens_at

SOON = timedelta(hours=1)


def _ready_by(window) -> datetime:
    return timezone.make_aware(datetime.combine(window.delivery_date, window.market.ready_by))


def _open_card(window, now) -> Card:
    counts = selectors.window_counts(window)
    closes = timezone.localtime(window.closes_at)
    phase = window.phase(now)
    if phase == "scheduled":
        detail = _("%(at)s 开始接单") % {"at": f"{timezone.localtime(window.opens_at):%m-%d %H:%M}"}
    else:
        detail = _("接单中，%(at)s 截单") % {"at": f"{closes:%m-%d %H:%M}"}
    return Card(
        title=_("菜篮子 · %(t)s") % {"t": window.title},
        count=counts["live"],
        url=reverse("market_window", args=[window.pk]),
        detail=detail,
        status="due" if phase in ("open", "closing") and window.closes_at - now < SOON else "",
        items=[(_("订单列表"), reverse("market_orders", args=[window.pk]))],
    )


def _closed_cards(window, now) -> list[Card]:
    cards = []
    drafts = window.purchase_orders.filter(status=PurchaseStatus.DRAFT).count()
    if drafts:
        cards.append(
            Card(
                title=_("待发送采购单 · %(t)s") % {"t": window.title},
                count=drafts,
                url=reverse("market_purchase", args=[window.pk]),
                detail=_("截单已汇总，请发给供应商"),
                status="due",
            )
        )
    lines = PurchaseLine.objects.filter(purchase_order__window=window)
    total, done = lines.count(), lines.filter(received_qty__isnull=False).count()
    opens = receiving_opens_at(window)
    late = now >= _ready_by(window) - SOON
    cards.append(
        Card(
            title=_("验收 · %(t)s") % {"t": window.title},
            count=total - done,
            url=reverse("market_receiving", args=[window.pk]),
            detail=_("%(at)s 开始验收，已验 %(done)s/%(total)s 项")
            % {"at": f"{timezone.localtime(opens):%m-%d %H:%M}", "done": done, "total": total},
            status="overdue" if late else ("due" if now >= opens else ""),
        )
    )
    return cards


def _sorting_card(window, now) -> Card:
    board = selectors.sorting_board(window)
    total, packed = sum(b["total"] for b in board), sum(b["packed"] for b in board)
    done = window.status == WindowStatus.PACKED
    late = not done and now >= _ready_by(window) - SOON
    return Card(
        title=_("分拣装袋 · %(t)s") % {"t": window.title},
        count=packed,
        url=reverse("market_sorting", args=[window.pk]),
        detail=_("已装 %(packed)s / %(total)s 袋") % {"packed": packed, "total": total},
        status="done" if done else ("overdue" if late else "due"),
        items=[
            (
                f"{b['compound']} {b['building']} · {b['packed']}/{b['total']}",
                reverse("market_sorting", args=[window.pk]) + f"?building={b['building_id']}",
            )
            for b in board
            if b["packed"] < b["total"]
        ][:5],
    )


@today_provider(order=35)
def market_today(user) -> list[Card]:
    markets = list(selectors.markets_operated_by(user))
    if not markets:
        return []
    now = timezone.now()
    recent = now - timedelta(days=2)
    windows = (
        selectors.windows_visible_to(user)
        .filter(market__in=markets)
        .exclude(status=WindowStatus.DRAFT)
        .filter(closes_at__gte=recent)
        .order_by("closes_at")
    )
    cards: list[Card] = []
    for window in windows[:6]:
        if window.status == WindowStatus.OPEN:
            cards.append(_open_card(window, now))
        elif window.status == WindowStatus.CLOSED:
            cards.extend(_closed_cards(window, now))
        elif window.status == WindowStatus.RECEIVED or (
            window.status == WindowStatus.PACKED and window.packed_at and window.packed_at >= recent
        ):
            cards.append(_sorting_card(window, now))
    return cards


@today_provider(order=36)
def my_market_orders(user) -> list[Card]:
    """A resident's live orders of windows not yet handed over."""
    orders = list(
        selectors.my_orders(user)
        .filter(status=OrderStatus.PLACED, handed_at__isnull=True)
        .filter(window__delivery_date__gte=timezone.localdate())[:5]
    )
    if not orders:
        return []
    return [
        Card(
            title=_("菜篮子订单"),
            count=len(orders),
            url=reverse("market_h5_orders"),
            detail=_("截单前可修改或取消"),
            items=[
                (f"{o.window.title} · ¥{o.total}", reverse("market_h5_order", args=[o.pk]))
                for o in orders
            ],
        )
    ]
