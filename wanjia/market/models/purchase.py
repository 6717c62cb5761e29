"""Purchase orders to suppliers and their lines."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalog import MONEY, QTY, CatalogItem, Supplier
from .windows import OrderWindow


class PurchaseStatus(models.TextChoices):
    DRAFT = "draft", _("待发送")
    SENT = "sent", _("已发送")
    RECEIVED = "received", _("已验收")


class PurchaseOrder(models.Model):
    """What one supplier is asked to deliver for one window: the households'
    demand plus the market's spare percentage, rounded up."""

    window = models.ForeignKey(
        OrderWindow, on_delete=models.CASCADE, related_name="purchase_orders"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("采购单号"), max_length=30, unique=True)
    spare_pct = models.DecimalField(_("富余(%)"), max_digits=5, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=10, choices=PurchaseStatus.choices, default=PurchaseStatus.DRAFT
    )
    total = models.DecimalField(_("采购金额"), default=Decimal("0.00"), **MONEY)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("采购单")
        verbose_name_plural = _("采购单")
        ordering = ["window_id", "supplier__name"]
        constraints = [
            models.UniqueConstraint(fields=["window", "supplier"], name="market_po_unique")
        ]

    def __str__(self):
        return self.number


class PurchaseLine(models.Model):
    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    demand_qty = models.DecimalField(_("订购需求"), **QTY)
    order_qty = models.DecimalField(_("采购数量"), **QTY)
    unit_cost = models.DecimalField(_("进价"), **MONEY)
    amount = models.DecimalField(_("金额"), **MONEY)
    received_qty = models.DecimalField(_("实收"), null=True, blank=True, **QTY)
    rejected_qty = models.DecimalField(_("验收不合格"), default=Decimal("0"), **QTY)
    reject_reason = models.CharField(_("不合格原因"), max_length=200, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("采购明细")
        verbose_name_plural = _("采购明细")
        ordering = ["purchase_order_id", "item__sort", "item__name"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "item"], name="market_pl_unique"),
            models.CheckConstraint(
                condition=Q(rejected_qty__gte=0), name="market_pl_rejected_nonneg"
            ),
        ]

    @property
    def usable_qty(self) -> Decimal | None:
        if self.received_qty is None:
            return None
        return max(self.received_qty - self.rejected_qty, Decimal("0"))
