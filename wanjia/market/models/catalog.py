"""The market, its suppliers, catalog items (and bundles), supplier items and reference prices."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
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
