"""A ready market for tests, benchmarks and the demo: suppliers, a catalog with
a bundle, costs, reference prices and a window at fair prices, all written
through the services (so every rule they enforce holds here too)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from . import services
from .models import CatalogItem, Category, Market, Offer, OrderWindow, ShortageRule, Supplier

# name, category, unit, spec, cost at the farm, wet-market reference price
PRODUCTS = [
    ("大白菜", Category.VEGETABLE, "份", "约1kg/份", "2.00", "2.80"),
    ("土豆", Category.VEGETABLE, "份", "约1kg/份", "3.00", "4.00"),
    ("西红柿", Category.VEGETABLE, "份", "约500g/份", "3.50", "4.60"),
    ("青椒", Category.VEGETABLE, "份", "约500g/份", "3.20", "4.20"),
    ("鸡蛋", Category.MEAT_EGG, "盒", "10枚/盒", "9.00", "11.50"),
    ("苹果", Category.FRUIT, "份", "约1kg/份", "7.00", "9.80"),
]
# name, spec, [(component, qty per bundle)]
BUNDLES = [
    ("家常蔬菜包", "4样 约3kg", [("大白菜", "1"), ("土豆", "1"), ("西红柿", "1"), ("青椒", "0.5")]),
]


@dataclass
class MarketKit:
    market: Market
    suppliers: list[Supplier]
    items: dict[str, CatalogItem]
    window: OrderWindow | None = None
    offers: dict[str, Offer] = field(default_factory=dict)


def make_market(
    *,
    manager,
    compound,
    served=(),
    name: str = "幸福菜篮子",
    rule: str = ShortageRule.PRO_RATA,
    spare: str = "5",
    markup: str = "3",
    on_date: date | None = None,
) -> MarketKit:
    market = services.market_create(
        actor=manager,
        compound=compound,
        name=name,
        compounds=[compound, *served],
        markup_cap_pct=markup,
        spare_pct=spare,
        shortage_rule=rule,
        pickup_point="小区南门菜篮子服务点",
    )
    farm = services.supplier_save(
        actor=manager, market=market, name="白马蔬菜基地", phone="0832-1234567"
    )
    eggs = services.supplier_save(
        actor=manager, market=market, name="东兴禽蛋批发", kind="wholesaler"
    )
    on_date = on_date or timezone.localdate()
    items: dict[str, CatalogItem] = {}
    for n, (pname, category, unit, spec, cost, ref) in enumerate(PRODUCTS):
        item = services.item_save(
            actor=manager,
            market=market,
            name=pname,
            category=category,
            unit=unit,
            spec=spec,
            sort=n + 10,
        )
        services.supplier_item_set(
            actor=manager,
            supplier=eggs if category == Category.MEAT_EGG else farm,
            item=item,
            cost=cost,
        )
        for back in (0, 1, 2):
            services.reference_price_set(
                actor=manager,
                item=item,
                on_date=on_date - timedelta(days=back),
                price=Decimal(ref) + Decimal("0.10") * back,
                source="市发改委价格监测",
            )
        items[pname] = item
    for bname, spec, parts in BUNDLES:
        bundle = services.item_save(
            actor=manager, market=market, name=bname, unit="袋", spec=spec, is_bundle=True, sort=1
        )
        services.bundle_set_components(
            actor=manager, bundle=bundle, components=[(items[c], q) for c, q in parts]
        )
        items[bname] = bundle
    return MarketKit(market=market, suppliers=[farm, eggs], items=items)


def fair_price(item: CatalogItem, *, on_date: date, markup: Decimal) -> Decimal:
    return services.pricing_for(item, on_date=on_date).cap(markup)


def open_window(
    kit: MarketKit,
    *,
    manager,
    stock: int = 100,
    limit: int = 3,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    delivery_date: date | None = None,
    title: str = "明早蔬菜",
    names: list[str] | None = None,
    publish: bool = True,
) -> OrderWindow:
    """A window open now (by default: opened an hour ago, closes in three
    hours), every item (or ``names``) at its highest fair price."""
    now = timezone.now()
    opens_at = opens_at or now - timedelta(hours=1)
    closes_at = closes_at or now + timedelta(hours=3)
    delivery_date = delivery_date or timezone.localtime(closes_at).date() + timedelta(days=1)
    window = services.window_create(
        actor=manager,
        market=kit.market,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        delivery_date=delivery_date,
    )
    kit.offers = {}
    for n, name in enumerate(names or list(kit.items)):
        item = kit.items[name]
        price = fair_price(item, on_date=delivery_date, markup=kit.market.markup_cap_pct)
        kit.offers[name] = services.offer_save(
            actor=manager,
            window=window,
            item=item,
            price=price,
            stock=stock,
            limit_per_household=limit,
            sort=n,
        )
    if publish:
        window = services.window_open(actor=manager, window=window)
    kit.window = window
    return window
