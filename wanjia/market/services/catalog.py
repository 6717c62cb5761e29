"""Markets, suppliers, catalog items, bundles, supplier costs and reference
prices, and the fair-price rule (平价格) every offer is checked against."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation

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
    ReferencePrice,
    ShortageRule,
    Supplier,
    SupplierItem,
    SupplierKind,
)

CENT = Decimal("0.01")
# A reference price older than this no longer tells what the wet market charges.
REFERENCE_MAX_AGE = timedelta(days=7)


def money(value, field: str, *, label: str) -> Decimal:
    """A positive amount in yuan with at most two decimals, or a field error."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("%(label)s应为金额，例如 3.50。") % {"label": label}}
        ) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationError(
            {field: _("%(label)s应为大于 0、最多两位小数的金额。") % {"label": label}}
        )
    if amount >= Decimal("100000000"):
        raise ValidationError({field: _("%(label)s过大。") % {"label": label}})
    return amount


def percent(value, field: str, *, label: str, high: int = 100) -> Decimal:
    try:
        pct = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("%(label)s应为数字。") % {"label": label}}) from None
    if not pct.is_finite() or pct < 0 or pct > high or pct != pct.quantize(CENT):
        raise ValidationError(
            {field: _("%(label)s应在 0 到 %(high)s 之间。") % {"label": label, "high": high}}
        )
    return pct


def pct_text(pct: Decimal) -> str:
    """3.00 → "3", 2.50 → "2.5" (``normalize`` would print 10 as "1E+1")."""
    shown = f"{pct:f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def text(value, field: str, *, label: str, max_len: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > max_len:
        raise ValidationError(
            {field: _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_len}}
        )
    return value


def _choice(value, choices, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("请选择%(label)s。") % {"label": label}})
    return value


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


# --- reference prices -------------------------------------------------------------


def reference_price_set(
    *, actor, item: CatalogItem, on_date: date, price, source: str = ""
) -> ReferencePrice:
    require_manage(actor, item.market)
    if item.is_bundle:
        raise ValidationError({"item": _("菜包的参考价由组成商品的参考价计算。")})
    price = money(price, "price", label=_("参考价"))
    source = text(source, "source", label=_("来源"), max_len=100, required=False)
    with transaction.atomic():
        row, _created = ReferencePrice.objects.update_or_create(
            item=item,
            on_date=on_date,
            defaults={"price": price, "source": source, "created_by": actor},
        )
        audit(
            actor=actor,
            action="market.reference.set",
            obj=row,
            compound=item.market.compound,
            detail={"item": item.name, "date": on_date.isoformat(), "price": str(price)},
        )
    return row


# --- the fair-price rule ------------------------------------------------------------


@dataclass
class Source:
    item: CatalogItem
    supplier: Supplier
    qty: Decimal  # of ``item`` in one unit of what is sold
    unit_cost: Decimal


@dataclass
class Pricing:
    """What the fair-price rule needs to know about one unit of an item."""

    sources: list[Source]
    cost: Decimal
    reference: Decimal
    reference_date: date | None

    def cap(self, markup_pct: Decimal) -> Decimal:
        """The highest fair price: cost + markup, never above the reference."""
        by_cost = (self.cost * (1 + markup_pct / 100)).quantize(CENT, rounding=ROUND_DOWN)
        return min(by_cost, self.reference)


def pricing_for(item: CatalogItem, *, on_date: date, supplier: Supplier | None = None) -> Pricing:
    """Cost and reference of one unit of ``item`` on ``on_date``: a plain item
    from ``supplier`` (or its cheapest active one), a bundle as the sum of its
    components, each from its cheapest supplier. A missing cost or a missing or
    stale reference is a field error naming the item."""
    if item.is_bundle:
        parts = [(c.item, c.qty) for c in item.components.select_related("item")]
        if not parts:
            raise ValidationError(
                {"item": _("菜包「%(name)s」还没有设置组成。") % {"name": item.name}}
            )
    else:
        parts = [(item, Decimal(1))]
    sources, reference, newest = [], Decimal(0), None
    for part, qty in parts:
        sources.append(_source(part, qty, supplier if not item.is_bundle else None))
        ref = _reference(part, on_date)
        reference += ref.price * qty
        newest = ref.on_date if newest is None else min(newest, ref.on_date)
    cost = sum((s.unit_cost * s.qty for s in sources), Decimal(0)).quantize(CENT)
    return Pricing(sources, cost, reference.quantize(CENT), newest)


def _source(item: CatalogItem, qty: Decimal, supplier: Supplier | None) -> Source:
    rows = SupplierItem.objects.filter(item=item, active=True, supplier__active=True)
    if supplier is not None:
        rows = rows.filter(supplier=supplier)
    row = rows.select_related("supplier").order_by("cost", "supplier_id").first()
    if row is None:
        raise ValidationError(
            {"item": _("「%(name)s」还没有供应商进价，无法核定平价。") % {"name": item.name}}
        )
    return Source(item=item, supplier=row.supplier, qty=qty, unit_cost=row.cost)


def _reference(item: CatalogItem, on_date: date) -> ReferencePrice:
    ref = item.references.filter(on_date__lte=on_date).order_by("-on_date").first()
    if ref is None or on_date - ref.on_date > REFERENCE_MAX_AGE:
        raise ValidationError(
            {
                "item": _("「%(name)s」没有 %(days)s 天内的市场参考价，请先录入或导入参考价。")
                % {"name": item.name, "days": REFERENCE_MAX_AGE.days}
            }
        )
    return ref


def fair_price_check(*, price: Decimal, pricing: Pricing, markup_pct: Decimal) -> None:
    """Refuse a price above cost + markup or above the market reference, with
    the numbers that show why and the highest price that would pass."""
    by_cost = (pricing.cost * (1 + markup_pct / 100)).quantize(CENT, rounding=ROUND_DOWN)
    problems = []
    if price > by_cost:
        problems.append(
            _("高于成本 ¥%(cost)s 加价 %(pct)s%% 的上限 ¥%(cap)s")
            % {"cost": pricing.cost, "pct": pct_text(markup_pct), "cap": by_cost}
        )
    if price > pricing.reference:
        problems.append(_("高于市场参考价 ¥%(ref)s") % {"ref": pricing.reference})
    if problems:
        raise ValidationError(
            {
                "price": _("售价 ¥%(price)s 不符合平价规则：%(why)s。最高可定 ¥%(cap)s。")
                % {
                    "price": price,
                    "why": _("，").join(problems),
                    "cap": pricing.cap(markup_pct),
                }
            }
        )
