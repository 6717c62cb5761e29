"""Order windows and what is on sale in them: create, price each offer under
the fair-price rule, add pick-up slots, open (publish) and close (cutoff).

The cutoff and every purchase write the offer rows: a purchase's conditional
UPDATE carries ``accepting = true`` and the cutoff clears it on every offer
(locking them in id order, the same order purchases lock them in). So a
purchase that races the cutoff either commits before the cutoff reads the
orders, or finds ``accepting`` false on the row it writes and is refused: no
order can slip past the purchase orders."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit

from ..access import require_manage
from ..errors import Conflict
from ..models import (
    CatalogItem,
    Market,
    Offer,
    OfferSource,
    OrderWindow,
    PickupSlot,
    Supplier,
    WindowStatus,
)
from .catalog import fair_price_check, money, pricing_for, text

MAX_STOCK = 1_000_000


def _aware(value: datetime, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError({field: _("请填写日期和时间。")})
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def window_create(
    *, actor, market: Market, title: str, opens_at: datetime, closes_at: datetime, delivery_date
) -> OrderWindow:
    """A draft window; times are local (Asia/Shanghai) when given naive."""
    require_manage(actor, market)
    opens_at, closes_at = _aware(opens_at, "opens_at"), _aware(closes_at, "closes_at")
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("截单时间应晚于开始接单时间。")})
    if closes_at - opens_at > timedelta(days=7):
        raise ValidationError({"closes_at": _("一个窗口最长 7 天。")})
    if delivery_date < timezone.localtime(closes_at).date():
        raise ValidationError({"delivery_date": _("配送日期不能早于截单当天。")})
    window = OrderWindow(
        market=market,
        title=text(title, "title", label=_("名称"), max_len=100),
        opens_at=opens_at,
        closes_at=closes_at,
        delivery_date=delivery_date,
        created_by=actor,
    )
    with transaction.atomic():
        window.save()
        audit(
            actor=actor,
            action="market.window.created",
            obj=window,
            compound=market.compound,
            detail={"opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat()},
        )
    return window


def _require_draft(window: OrderWindow) -> None:
    if window.status != WindowStatus.DRAFT:
        raise Conflict(_("窗口已发布，在售商品和价格不能再改。"))


def _whole(value, field: str, *, label: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: _("%(label)s应为整数。") % {"label": label}}) from None
    if not low <= number <= high:
        raise ValidationError(
            {
                field: _("%(label)s应在 %(low)s 到 %(high)s 之间。")
                % {"label": label, "low": low, "high": high}
            }
        )
    return number


def offer_save(
    *,
    actor,
    window: OrderWindow,
    item: CatalogItem,
    price,
    stock,
    limit_per_household=2,
    supplier: Supplier | None = None,
    sort: int = 0,
) -> Offer:
    """Put ``item`` on sale in a draft window (or change its terms there). The
    price must pass the fair-price rule against today's cost and reference;
    both are kept on the offer, so the price board shows what it was judged on."""
    market = window.market
    require_manage(actor, market)
    _require_draft(window)
    if item.market_id != market.pk or (supplier is not None and supplier.market_id != market.pk):
        raise PermissionDenied
    if not item.active:
        raise ValidationError({"item": _("该商品已停售。")})
    price = money(price, "price", label=_("售价"))
    stock = _whole(stock, "stock", label=_("库存"), low=1, high=MAX_STOCK)
    limit = _whole(limit_per_household, "limit_per_household", label=_("每户限购"), low=1, high=999)
    pricing = pricing_for(item, on_date=window.delivery_date, supplier=supplier)
    fair_price_check(price=price, pricing=pricing, markup_pct=market.markup_cap_pct)
    with transaction.atomic():
        offer, created = Offer.objects.update_or_create(
            window=window,
            item=item,
            defaults={
                "price": price,
                "unit_cost": pricing.cost,
                "reference_price": pricing.reference,
                "stock": stock,
                "stock_left": stock,
                "limit_per_household": limit,
                "sort": sort or item.sort,
            },
        )
        offer.sources.all().delete()
        OfferSource.objects.bulk_create(
            [
                OfferSource(
                    offer=offer, item=s.item, supplier=s.supplier, qty=s.qty, unit_cost=s.unit_cost
                )
                for s in pricing.sources
            ]
        )
        audit(
            actor=actor,
            action="market.offer.created" if created else "market.offer.updated",
            obj=offer,
            compound=market.compound,
            detail={
                "item": item.name,
                "price": str(price),
                "cost": str(pricing.cost),
                "reference": str(pricing.reference),
                "stock": stock,
            },
        )
    return offer


def offer_remove(*, actor, offer: Offer) -> None:
    window = offer.window
    require_manage(actor, window.market)
    _require_draft(window)
    with transaction.atomic():
        audit(
            actor=actor,
            action="market.offer.removed",
            obj=window,
            compound=window.market.compound,
            detail={"item": offer.item.name},
        )
        offer.delete()


def offer_restock(*, actor, offer: Offer, extra) -> Offer:
    """More stock arrived while the window is open: both totals grow together,
    so sold + left = stocked still holds."""
    window = offer.window
    require_manage(actor, window.market)
    extra = _whole(extra, "extra", label=_("补货数量"), low=1, high=MAX_STOCK)
    with transaction.atomic():
        done = Offer.objects.filter(pk=offer.pk, accepting=True).update(
            stock=F("stock") + extra, stock_left=F("stock_left") + extra
        )
        if not done:
            raise Conflict(_("窗口未在接单，不能补货。"))
        audit(
            actor=actor,
            action="market.offer.restocked",
            obj=offer,
            compound=window.market.compound,
            detail={"item": offer.item.name, "extra": extra},
        )
    offer.refresh_from_db()
    return offer


def slot_add(
    *, actor, window: OrderWindow, starts_at: datetime, ends_at: datetime, capacity
) -> PickupSlot:
    require_manage(actor, window.market)
    if window.status not in (WindowStatus.DRAFT, WindowStatus.OPEN):
        raise Conflict(_("窗口已截单，不能再加自提时段。"))
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间应晚于开始时间。")})
    if starts_at < window.closes_at:
        raise ValidationError({"starts_at": _("自提时段应在截单之后。")})
    capacity = _whole(capacity, "capacity", label=_("名额"), low=1, high=100_000)
    with transaction.atomic():
        slot = PickupSlot.objects.create(
            window=window, starts_at=starts_at, ends_at=ends_at, capacity=capacity
        )
        audit(
            actor=actor,
            action="market.slot.added",
            obj=window,
            compound=window.market.compound,
            detail={"slot": str(slot), "capacity": capacity},
        )
    return slot


def window_open(*, actor, window: OrderWindow) -> OrderWindow:
    """Publish a draft: residents see it, and may order from ``opens_at``."""
    require_manage(actor, window.market)
    if not window.offers.exists():
        raise ValidationError({"offers": _("请先添加在售商品。")})
    if window.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("截单时间已过，请新建窗口。")})
    with transaction.atomic():
        done = OrderWindow.objects.filter(pk=window.pk, status=WindowStatus.DRAFT).update(
            status=WindowStatus.OPEN
        )
        if not done:
            raise Conflict(_("窗口已发布。"))
        window.offers.update(accepting=True)
        audit(
            actor=actor, action="market.window.opened", obj=window, compound=window.market.compound
        )
    window.refresh_from_db()
    return window


def window_close(*, actor, window: OrderWindow, now: datetime | None = None) -> bool:
    """The cutoff (截单): lock the window and build the purchase orders.

    Run by the periodic job at ``closes_at`` (actor None) or early by a
    manager. Idempotent: False when the window was not open any more."""
    from .supply import purchase_orders_build

    if actor is not None:
        require_manage(actor, window.market)
    now = now or timezone.now()
    with transaction.atomic():
        done = OrderWindow.objects.filter(pk=window.pk, status=WindowStatus.OPEN).update(
            status=WindowStatus.CLOSED, closed_at=now
        )
        if not done:
            return False
        if now < window.closes_at:  # closed early by hand
            OrderWindow.objects.filter(pk=window.pk).update(
                closes_at=max(now, window.opens_at + timedelta(seconds=1))
            )
        # Wait for purchases holding offer rows, then stop new ones (see module doc).
        # NO KEY UPDATE, like the purchases' own UPDATEs: it does not conflict
        # with the KEY SHARE locks their order lines' foreign keys take.
        list(
            Offer.objects.filter(window=window)
            .order_by("id")
            .select_for_update(no_key=True)
            .values("id")
        )
        Offer.objects.filter(window=window).update(accepting=False)
        window.refresh_from_db()
        purchase_orders_build(window=window)
        audit(
            actor=actor,
            action="market.window.closed",
            obj=window,
            compound=window.market.compound,
            detail={"by": "manager" if actor is not None else "schedule"},
        )
    return True


def windows_due_for_cutoff(now: datetime | None = None):
    now = now or timezone.now()
    return OrderWindow.objects.filter(status=WindowStatus.OPEN, closes_at__lte=now).select_related(
        "market", "market__compound"
    )
