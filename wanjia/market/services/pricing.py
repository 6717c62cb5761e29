"""Reference prices and the fair-price rule: what an item costs from its supplier, the reference price, and whether a sale price keeps to the market's markup."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wanjia.core.audit import audit

from ..access import require_manage
from ..models import (
    CatalogItem,
    ReferencePrice,
    Supplier,
    SupplierItem,
)
from .values import CENT, REFERENCE_MAX_AGE, money, pct_text, text

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
