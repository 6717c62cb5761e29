"""The vegetable basket (菜篮子): a fair-price group-buy run by the property
company for the compounds it serves.

A market buys from suppliers, sells catalog items (and bundles of them) in
order windows, and each window ends with purchase orders, receiving, shortage
sharing and one sorted, labelled bag per household.

Money is ``Decimal`` with two places (yuan); quantities a resident orders are
whole units of the item (份/斤/个); quantities bought from a supplier may be
fractional (bundles contain 0.5 kg of something)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 10, "decimal_places": 2}
QTY = {"max_digits": 12, "decimal_places": 2}


class ShortageRule(models.TextChoices):
    FIRST_COME = "first_come", _("先到先得：按下单先后足额分配")
    PRO_RATA = "pro_rata", _("按比例：每户按订购量同比例分配")


class Market(models.Model):
    """One group-buy operation. ``compound`` is where it is run from (its
    managers manage it); ``compounds`` are the compounds whose households may
    order."""

    name = models.CharField(_("名称"), max_length=100)
    compound = models.ForeignKey(
        "core.Compound",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("运营小区"),
    )
    compounds = models.ManyToManyField(
        "core.Compound", related_name="markets", verbose_name=_("服务小区")
    )
    markup_cap_pct = models.DecimalField(
        _("加价上限(%)"), max_digits=5, decimal_places=2, default=Decimal("3.00")
    )
    spare_pct = models.DecimalField(
        _("采购富余(%)"), max_digits=5, decimal_places=2, default=Decimal("5.00")
    )
    shortage_rule = models.CharField(
        _("缺货分配规则"),
        max_length=20,
        choices=ShortageRule.choices,
        default=ShortageRule.PRO_RATA,
    )
    pickup_point = models.CharField(_("自提点"), max_length=100, blank=True)
    receiving_from = models.TimeField(_("验收开始时间"), default="05:00")
    ready_by = models.TimeField(_("备齐时间"), default="08:00")
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("菜篮子市场")
        verbose_name_plural = _("菜篮子市场")
        ordering = ["id"]

    def __str__(self):
        return self.name


class SupplierKind(models.TextChoices):
    FARM = "farm", _("蔬菜基地")
    WHOLESALER = "wholesaler", _("批发商")
    OTHER = "other", _("其他")


class Supplier(models.Model):
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="suppliers")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(
        _("类型"), max_length=20, choices=SupplierKind.choices, default=SupplierKind.FARM
    )
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    active = models.BooleanField(_("合作中"), default=True)

    class Meta:
        verbose_name = _("供应商")
        verbose_name_plural = _("供应商")
        ordering = ["market_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["market", "name"], name="market_supplier_unique_name")
        ]

    def __str__(self):
        return self.name


class Category(models.TextChoices):
    VEGETABLE = "vegetable", _("蔬菜")
    FRUIT = "fruit", _("水果")
    MEAT_EGG = "meat_egg", _("肉禽蛋")
    STAPLE = "staple", _("粮油")
    BUNDLE = "bundle", _("菜包")
    OTHER = "other", _("其他")


class CatalogItem(models.Model):
    """Something a resident can buy: one product (白菜 约1kg/份) or a bundle
    (蔬菜包) made of products."""

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("品名"), max_length=60)
    category = models.CharField(
        _("类别"), max_length=20, choices=Category.choices, default=Category.VEGETABLE
    )
    unit = models.CharField(_("单位"), max_length=10, default="份")
    spec = models.CharField(_("规格"), max_length=60, blank=True)
    is_bundle = models.BooleanField(_("组合菜包"), default=False)
    active = models.BooleanField(_("在售"), default=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("商品")
        verbose_name_plural = _("商品")
        ordering = ["market_id", "sort", "name"]
        constraints = [
            models.UniqueConstraint(fields=["market", "name"], name="market_item_unique_name")
        ]

    def __str__(self):
        return f"{self.name}（{self.spec}）" if self.spec else self.name


class BundleComponent(models.Model):
    """``qty`` units of ``item`` in one unit of ``bundle``."""

    bundle = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="components")
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    qty = models.DecimalField(_("数量"), **QTY)

    class Meta:
        verbose_name = _("菜包组成")
        verbose_name_plural = _("菜包组成")
        ordering = ["bundle_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="market_bundle_unique_item"),
            models.CheckConstraint(condition=Q(qty__gt=0), name="market_bundle_qty_positive"),
        ]


class SupplierItem(models.Model):
    """What a supplier sells us and at what cost per catalog unit."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="supplier_items")
    cost = models.DecimalField(_("进价（每单位）"), **MONEY)
    active = models.BooleanField(_("供应中"), default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("供货")
        verbose_name_plural = _("供货")
        ordering = ["item_id", "cost"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "item"], name="market_supply_unique"),
            models.CheckConstraint(condition=Q(cost__gt=0), name="market_supply_cost_positive"),
        ]


class ReferencePrice(models.Model):
    """The market reference price of an item on a day (e.g. from the price
    bureau's monitoring of the wet market), entered or imported from Excel."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="references")
    on_date = models.DateField(_("日期"))
    price = models.DecimalField(_("参考价"), **MONEY)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("市场参考价")
        verbose_name_plural = _("市场参考价")
        ordering = ["item_id", "-on_date"]
        constraints = [
            models.UniqueConstraint(fields=["item", "on_date"], name="market_ref_unique_day"),
            models.CheckConstraint(condition=Q(price__gt=0), name="market_ref_price_positive"),
        ]


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


class Fulfilment(models.TextChoices):
    DOOR = "door", _("送货到门")
    PICKUP = "pickup", _("到点自提")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("已下单")
    CANCELLED = "cancelled", _("已取消")


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
