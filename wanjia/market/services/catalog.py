"""Markets, suppliers, catalog items, bundles, supplier costs and reference
prices, and the fair-price rule (平价格) every offer is checked against."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.scoping import can

from ..access import require_manage
from ..models import (
    BundleComponent,
    CatalogItem,
    Category,
    Market,
    ShortageRule,
    Supplier,
    SupplierItem,
    SupplierKind,
)
from .pricing import (
    Pricing,  # noqa: F401  (re-exported)
    Source,  # noqa: F401  (re-exported)
    fair_price_check,  # noqa: F401  (re-exported)
    pricing_for,  # noqa: F401  (re-exported)
    reference_price_set,  # noqa: F401  (re-exported)
)
from .values import (
    CENT,
    REFERENCE_MAX_AGE,  # noqa: F401  (re-exported)
    _choice,
    money,
    pct_text,  # noqa: F401  (re-exported)
    percent,
    text,
)

# --- markets --------------------------------------------------------------------


def market_create(
    *,
    actor,
    compound,
    name: str,
    compounds: list,
    markup_cap_pct="3",
    spare_pct="5",
    shortage_rule: str = ShortageRule.PRO_RATA,
    pickup_point: str = "",
) -> Market:
    """A market run from ``compound`` for ``compounds``; the actor must manage
    markets in every one of them (a company admin, usually)."""
    served = list(dict.fromkeys([compound, *compounds]))
    for each in served:
        if not can(actor, "market.manage", compound=each):
            raise PermissionDenied
    market = Market(
        compound=compound,
        name=text(name, "name", label=_("名称"), max_len=100),
        markup_cap_pct=percent(markup_cap_pct, "markup_cap_pct", label=_("加价上限"), high=50),
        spare_pct=percent(spare_pct, "spare_pct", label=_("采购富余"), high=50),
        shortage_rule=_choice(shortage_rule, ShortageRule, "shortage_rule", _("缺货分配规则")),
        pickup_point=text(
            pickup_point, "pickup_point", label=_("自提点"), max_len=100, required=False
        ),
    )
    with transaction.atomic():
        market.save()
        market.compounds.set(served)
        audit(actor=actor, action="market.market.created", obj=market, compound=compound)
    return market


def market_update(
    *, actor, market: Market, markup_cap_pct, spare_pct, shortage_rule: str, pickup_point: str
) -> Market:
    require_manage(actor, market)
    before = {
        "markup_cap_pct": str(market.markup_cap_pct),
        "spare_pct": str(market.spare_pct),
        "shortage_rule": market.shortage_rule,
    }
    market.markup_cap_pct = percent(markup_cap_pct, "markup_cap_pct", label=_("加价上限"), high=50)
    market.spare_pct = percent(spare_pct, "spare_pct", label=_("采购富余"), high=50)
    market.shortage_rule = _choice(shortage_rule, ShortageRule, "shortage_rule", _("缺货分配规则"))
    market.pickup_point = text(
        pickup_point, "pickup_point", label=_("自提点"), max_len=100, required=False
    )
    with transaction.atomic():
        market.save()
        audit(
            actor=actor,
            action="market.market.updated",
            obj=market,
            compound=market.compound,
            detail={"before": before, "markup_cap_pct": str(market.markup_cap_pct)},
        )
    return market


# --- suppliers and items ----------------------------------------------------------


def supplier_save(
    *,
    actor,
    market: Market,
    supplier: Supplier | None = None,
    name: str,
    kind: str = SupplierKind.FARM,
    contact: str = "",
    phone: str = "",
    address: str = "",
    active: bool = True,
) -> Supplier:
    require_manage(actor, market)
    supplier = supplier or Supplier(market=market)
    if supplier.market_id != market.pk:
        raise PermissionDenied
    supplier.name = text(name, "name", label=_("供应商名称"), max_len=100)
    supplier.kind = _choice(kind, SupplierKind, "kind", _("类型"))
    supplier.contact = text(contact, "contact", label=_("联系人"), max_len=50, required=False)
    supplier.phone = text(phone, "phone", label=_("电话"), max_len=20, required=False)
    supplier.address = text(address, "address", label=_("地址"), max_len=200, required=False)
    supplier.active = bool(active)
    _unique(Supplier, market, supplier, _("已有同名供应商。"))
    with transaction.atomic():
        created = supplier.pk is None
        supplier.save()
        audit(
            actor=actor,
            action="market.supplier.created" if created else "market.supplier.updated",
            obj=supplier,
            compound=market.compound,
            detail={"name": supplier.name},
        )
    return supplier


def _unique(model, market, obj, message) -> None:
    clash = model.objects.filter(market=market, name=obj.name).exclude(pk=obj.pk)
    if clash.exists():
        raise ValidationError({"name": message})


def item_save(
    *,
    actor,
    market: Market,
    item: CatalogItem | None = None,
    name: str,
    category: str = Category.VEGETABLE,
    unit: str = "份",
    spec: str = "",
    is_bundle: bool = False,
    sort: int = 0,
    active: bool = True,
) -> CatalogItem:
    require_manage(actor, market)
    item = item or CatalogItem(market=market, is_bundle=bool(is_bundle))
    if item.market_id != market.pk:
        raise PermissionDenied
    item.name = text(name, "name", label=_("品名"), max_len=60)
    item.category = _choice(
        Category.BUNDLE if item.is_bundle else category, Category, "category", _("类别")
    )
    item.unit = text(unit, "unit", label=_("单位"), max_len=10)
    item.spec = text(spec, "spec", label=_("规格"), max_len=60, required=False)
    item.sort = max(int(sort or 0), 0)
    item.active = bool(active)
    _unique(CatalogItem, market, item, _("已有同名商品。"))
    with transaction.atomic():
        created = item.pk is None
        item.save()
        audit(
            actor=actor,
            action="market.item.created" if created else "market.item.updated",
            obj=item,
            compound=market.compound,
            detail={"name": item.name, "bundle": item.is_bundle},
        )
    return item


def bundle_set_components(
    *, actor, bundle: CatalogItem, components: list[tuple[CatalogItem, object]]
) -> None:
    """Replace what one unit of ``bundle`` contains: [(item, qty), ...]."""
    require_manage(actor, bundle.market)
    if not bundle.is_bundle:
        raise ValidationError({"bundle": _("只有菜包可以设置组成。")})
    if not components:
        raise ValidationError({"components": _("菜包至少包含一种商品。")})
    rows, seen = [], set()
    for n, (item, qty) in enumerate(components):
        field = f"components.{n}"
        if item.market_id != bundle.market_id or item.is_bundle:
            raise ValidationError({field: _("菜包只能包含本市场的单品。")})
        if item.pk in seen:
            raise ValidationError({field: _("「%(name)s」重复了。") % {"name": item.name}})
        seen.add(item.pk)
        amount = _positive_qty(qty, field)
        rows.append(BundleComponent(bundle=bundle, item=item, qty=amount))
    with transaction.atomic():
        # Saved unchanged, nothing is written: rows keep their identity and the
        # log shows only real changes.
        current = {c.item_id: c for c in bundle.components.select_for_update()}
        wanted = {r.item_id: r for r in rows}
        if {k: c.qty for k, c in current.items()} == {k: r.qty for k, r in wanted.items()}:
            return
        bundle.components.exclude(item_id__in=wanted).delete()
        for item_id, row in wanted.items():
            if item_id in current and current[item_id].qty != row.qty:
                current[item_id].qty = row.qty
                current[item_id].save(update_fields=["qty"])
        BundleComponent.objects.bulk_create([r for k, r in wanted.items() if k not in current])
        audit(
            actor=actor,
            action="market.bundle.components_set",
            obj=bundle,
            compound=bundle.market.compound,
            detail={"components": [[r.item.name, str(r.qty)] for r in rows]},
        )


def _positive_qty(value, field: str) -> Decimal:
    try:
        qty = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("数量应为数字。")}) from None
    if not qty.is_finite() or qty <= 0 or qty > 1000 or qty != qty.quantize(CENT):
        raise ValidationError({field: _("数量应大于 0，最多两位小数。")})
    return qty


def supplier_item_set(*, actor, supplier: Supplier, item: CatalogItem, cost) -> SupplierItem:
    """What ``supplier`` charges us for one unit of ``item``."""
    require_manage(actor, supplier.market)
    if item.market_id != supplier.market_id or item.is_bundle:
        raise ValidationError({"item": _("请选择本市场的单品（菜包的成本由组成计算）。")})
    cost = money(cost, "cost", label=_("进价"))
    with transaction.atomic():
        row, _created = SupplierItem.objects.update_or_create(
            supplier=supplier,
            item=item,
            defaults={"cost": cost, "active": True, "updated_at": timezone.now()},
        )
        audit(
            actor=actor,
            action="market.supply.cost_set",
            obj=row,
            compound=supplier.market.compound,
            detail={"supplier": supplier.name, "item": item.name, "cost": str(cost)},
        )
    return row
