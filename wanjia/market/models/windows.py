"""Order windows and what each offers: offers, their sources and pickup slots."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalog import MONEY, QTY, CatalogItem, Market, Supplier


class WindowStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("已发布")
    CLOSED = "closed", _("已截单")
    RECEIVED = "received", _("已验收")
    PACKED = "packed", _("已分拣")


class OrderWindow(models.Model):
    """An ordering period (e.g. 18:00–22:00) for the next morning's delivery.

    ``status`` is the workflow; whether orders are accepted *now* also depends
    on the clock (see ``phase``)."""

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="windows")
    title = models.CharField(_("名称"), max_length=100)
    opens_at = models.DateTimeField(_("开始接单"))
    closes_at = models.DateTimeField(_("截单时间"))
    delivery_date = models.DateField(_("配送日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=WindowStatus.choices, default=WindowStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("截单于"), null=True, blank=True)
    received_at = models.DateTimeField(_("验收完成于"), null=True, blank=True)
    packed_at = models.DateTimeField(_("分拣完成于"), null=True, blank=True)

    class Meta:
        verbose_name = _("订购窗口")
        verbose_name_plural = _("订购窗口")
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["status", "closes_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="market_window_closes_after_open"
            )
        ]

    def __str__(self):
        return self.title

    def phase(self, now=None) -> str:
        """draft / scheduled / open / closing (past cutoff, job not run yet) /
        closed / received / packed."""
        now = now or timezone.now()
        if self.status == WindowStatus.OPEN:
            if now < self.opens_at:
                return "scheduled"
            return "open" if now < self.closes_at else "closing"
        return self.status

    def accepting(self, now=None) -> bool:
        return self.phase(now) == "open"


class Offer(models.Model):
    """An item on sale in one window, with its price (checked against the
    fair-price rule), stock and per-household limit.

    ``stock_left`` only ever changes by conditional UPDATE; ``accepting`` is
    cleared by the cutoff on every offer row so that a purchase racing the
    cutoff re-checks it on the row it writes (see services.orders)."""

    window = models.ForeignKey(OrderWindow, on_delete=models.CASCADE, related_name="offers")
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="offers")
    price = models.DecimalField(_("售价"), **MONEY)
    unit_cost = models.DecimalField(_("成本"), **MONEY)
    reference_price = models.DecimalField(_("参考价"), **MONEY)
    stock = models.PositiveIntegerField(_("库存"))
    stock_left = models.IntegerField(_("剩余"))
    limit_per_household = models.PositiveSmallIntegerField(_("每户限购"), default=2)
    accepting = models.BooleanField(default=False, editable=False)
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("在售商品")
        verbose_name_plural = _("在售商品")
        ordering = ["window_id", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["window", "item"], name="market_offer_unique_item"),
            models.CheckConstraint(
                condition=Q(stock_left__gte=0) & Q(stock_left__lte=F("stock")),
                name="market_offer_stock_bounds",
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="market_offer_price_positive"),
            models.CheckConstraint(
                condition=Q(limit_per_household__gte=1), name="market_offer_limit_positive"
            ),
        ]

    def __str__(self):
        return str(self.item)

    @property
    def sold(self) -> int:
        return self.stock - self.stock_left


class OfferSource(models.Model):
    """Where one unit of an offer comes from: one row for a plain item, one per
    component for a bundle. Snapshotted when the offer is priced, so a later
    change of supplier cost never rewrites what a window was priced on; the
    cutoff sums these into purchase orders."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="sources")
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    qty = models.DecimalField(_("每份数量"), **QTY)
    unit_cost = models.DecimalField(_("进价"), **MONEY)

    class Meta:
        ordering = ["offer_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "item"], name="market_source_unique_item")
        ]


class PickupSlot(models.Model):
    """A time at the pick-up point; ``taken`` changes by conditional UPDATE."""

    window = models.ForeignKey(OrderWindow, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    capacity = models.PositiveIntegerField(_("名额"))
    taken = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("自提时段")
        verbose_name_plural = _("自提时段")
        ordering = ["window_id", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(taken__lte=F("capacity")), name="market_slot_within_capacity"
            )
        ]

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        return f"{start:%H:%M}–{end:%H:%M}"
