"""Orders, their lines and payments."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalog import MONEY
from .windows import Offer, OrderWindow, PickupSlot


class Fulfilment(models.TextChoices):
    DOOR = "door", _("送货到门")
    PICKUP = "pickup", _("到点自提")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("已下单")
    CANCELLED = "cancelled", _("已取消")


# Where an order stands, as every page and the API name it (one definition: the
# list, the order page, the resident's home and the API read Order.stage).
ORDER_STAGES = {
    "cancelled": _("已取消"),
    "delivered": _("已送达"),
    "packed": _("已装袋"),
    "open": _("已下单 · 可修改"),
    "preparing": _("已截单 · 备货中"),
}


class Order(models.Model):
    """One household's order in one window, which is also its bag: at most one
    live order per household and window (a partial unique index), so a second
    tap or a second family member changes the order rather than doubling it."""

    window = models.ForeignKey(OrderWindow, on_delete=models.PROTECT, related_name="orders")
    household = models.ForeignKey(
        "estates.Household", on_delete=models.PROTECT, related_name="market_orders"
    )
    compound = models.ForeignKey("core.Compound", on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey("core.Building", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("订单号"), max_length=20, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    fulfilment = models.CharField(
        _("取货方式"), max_length=10, choices=Fulfilment.choices, default=Fulfilment.DOOR
    )
    slot = models.ForeignKey(
        PickupSlot, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf = models.BooleanField(_("代下单"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    total = models.DecimalField(_("金额"), default=Decimal("0.00"), **MONEY)
    placed_at = models.DateTimeField(_("下单时间"), default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    adjusted_at = models.DateTimeField(_("缺货调整于"), null=True, blank=True)
    packed_at = models.DateTimeField(_("装袋于"), null=True, blank=True)
    packed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_at = models.DateTimeField(_("交付于"), null=True, blank=True)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["window", "household"],
                condition=Q(status="placed"),
                name="market_one_live_order_per_household",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="market_order_total_nonneg"),
        ]
        indexes = [
            models.Index(fields=["window", "status", "building"]),
            models.Index(fields=["household", "status"]),
        ]

    def __str__(self):
        return self.code

    @property
    def is_live(self) -> bool:
        return self.status == OrderStatus.PLACED

    def stage(self, now=None) -> str:
        """cancelled / delivered (handed over) / packed / open (the window still
        takes changes) / preparing (past the cutoff, not packed yet)."""
        if self.status == OrderStatus.CANCELLED:
            return "cancelled"
        if self.handed_at:
            return "delivered"
        if self.packed_at:
            return "packed"
        return "open" if self.window.accepting(now) else "preparing"

    @property
    def stage_label(self) -> str:
        return str(ORDER_STAGES[self.stage()])


class OrderLine(models.Model):
    """``qty`` is what was ordered; ``qty_filled`` what the household gets after
    receiving (lower only when a shortage was shared out); ``amount`` is always
    ``unit_price × qty_filled``."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="lines")
    qty = models.PositiveIntegerField(_("数量"))
    qty_filled = models.PositiveIntegerField(_("实配数量"))
    unit_price = models.DecimalField(_("单价"), **MONEY)
    amount = models.DecimalField(_("金额"), **MONEY)

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        ordering = ["order_id", "offer_id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "offer"], name="market_line_unique_offer"),
            models.CheckConstraint(condition=Q(qty__gte=1), name="market_line_qty_positive"),
            models.CheckConstraint(
                condition=Q(qty_filled__lte=F("qty")), name="market_line_filled_le_qty"
            ),
        ]

    @property
    def short(self) -> int:
        return self.qty - self.qty_filled


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("收款")
    REFUND = "refund", _("退款")


class Payment(models.Model):
    """Money that staff saw change hands, recorded through a payment channel
    (services.payments). Nothing marks an order paid except these rows."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(
        _("类型"), max_length=10, choices=PaymentKind.choices, default=PaymentKind.PAYMENT
    )
    channel = models.CharField(_("方式"), max_length=20)
    amount = models.DecimalField(_("金额"), **MONEY)
    reference = models.CharField(_("凭证号"), max_length=100, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("收付款记录")
        verbose_name_plural = _("收付款记录")
        ordering = ["order_id", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="market_payment_positive")
        ]
