"""Demo data of the vegetable basket: 桂香苑菜篮子, run from QX-A01 for the
compounds of its property company, with farms and a wholesaler, a catalog with
two bundles, a week of reference prices, two past windows (one delivered and
paid, one received with a shortage and half packed) and a window open now.

Idempotent: the market is found by its name in QX-A01; a later run only makes
sure a window is open (the cutoff job closes the previous one on time).
Everything is written through the services, so the demo obeys the fair-price
rule, the stock rules and the audit log like real data. The past windows are
run "now" and then moved back to their dates with plain UPDATEs of their
timestamps (the only writes here that bypass a service: history cannot be
placed through services that refuse the past)."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from wanjia.core.models import Membership, User
from wanjia.core.roles import Role
from wanjia.demo.constants import DEMO_COMPOUND_CODE
from wanjia.estates.models import Compound, Household

from . import services
from .errors import Conflict
from .models import (
    CatalogItem,
    Category,
    Market,
    Order,
    OrderStatus,
    OrderWindow,
    Payment,
    PurchaseLine,
    PurchaseOrder,
    ShortageRule,
    WindowStatus,
)
from .services import LineIn

MARKET_NAME = "桂香苑菜篮子"
SEED = "wanjia-market-demo"
# name, category, unit, spec, cost, reference; the farm grows vegetables, the
# wholesaler brings eggs, meat and staples.
CATALOG = [
    ("大白菜", Category.VEGETABLE, "份", "约1kg/份", "1.80", "2.60"),
    ("土豆", Category.VEGETABLE, "份", "约1kg/份", "2.60", "3.60"),
    ("西红柿", Category.VEGETABLE, "份", "约500g/份", "3.20", "4.50"),
    ("青椒", Category.VEGETABLE, "份", "约500g/份", "2.90", "4.00"),
    ("黄瓜", Category.VEGETABLE, "份", "约500g/份", "2.40", "3.40"),
    ("胡萝卜", Category.VEGETABLE, "份", "约500g/份", "1.60", "2.40"),
    ("菠菜", Category.VEGETABLE, "把", "约400g/把", "2.20", "3.20"),
    ("蒜苗", Category.VEGETABLE, "把", "约250g/把", "2.80", "4.00"),
    ("鸡蛋", Category.MEAT_EGG, "盒", "10枚/盒", "8.60", "11.00"),
    ("猪肉（前腿）", Category.MEAT_EGG, "份", "约500g/份", "13.50", "16.80"),
    ("大米", Category.STAPLE, "袋", "5kg/袋", "24.00", "29.90"),
    ("菜籽油", Category.STAPLE, "瓶", "1.8L/瓶", "26.00", "32.00"),
    ("苹果", Category.FRUIT, "份", "约1kg/份", "6.80", "9.60"),
]
BUNDLES = [
    (
        "家常蔬菜包",
        "5样 约3.5kg",
        [("大白菜", "1"), ("土豆", "1"), ("西红柿", "1"), ("青椒", "1"), ("胡萝卜", "1")],
    ),
    (
        "老人轻便菜包",
        "3样 约1kg",
        [("西红柿", "1"), ("菠菜", "1"), ("鸡蛋", "0.5")],
    ),
]
SUPPLIER_OF = {Category.VEGETABLE: 0, Category.FRUIT: 0, Category.MEAT_EGG: 1, Category.STAPLE: 2}


def load(*, stdout) -> None:
    home = Compound.objects.filter(code=DEMO_COMPOUND_CODE).select_related("company").first()
    admin = User.objects.filter(username="company_admin").first()
    manager = User.objects.filter(username="manager").first()
    if home is None or admin is None or manager is None:
        stdout.write("market demo: base city or demo accounts missing, skipped")
        return
    market = Market.objects.filter(compound=home, name=MARKET_NAME).first()
    if market is None:
        market = _build(home, admin, manager, stdout)
    window = _ensure_open_window(market, manager)
    stdout.write(
        f"market demo: {market.name}, open window «{window.title}» until {timezone.localtime(window.closes_at):%m-%d %H:%M}"
    )


def _build(home, admin, manager, stdout) -> Market:
    served = list(
        Compound.objects.filter(company=home.company, code__startswith="QX-").order_by("code")[:8]
    )
    market = services.market_create(
        actor=admin,
        compound=home,
        name=MARKET_NAME,
        compounds=served,
        markup_cap_pct="3",
        spare_pct="5",
        shortage_rule=ShortageRule.PRO_RATA,
        pickup_point="桂香苑南门物业服务中心旁",
    )
    _catalog(market, manager)
    rng = random.Random(SEED)
    courier = User.objects.filter(username="courier").first() or manager
    # The latest delivery day whose 05:00 receiving has begun: today after 05:30.
    now = timezone.localtime()
    latest = now.date() if now.time() >= time(5, 30) else now.date() - timedelta(days=1)
    _past_window(
        market, manager, admin, courier, rng, delivery=latest - timedelta(days=2), finish=True
    )
    _past_window(market, manager, admin, courier, rng, delivery=latest, finish=False)
    stdout.write(f"market demo: {len(served)} compounds served, 2 past windows with orders")
    return market


def _catalog(market, manager) -> None:
    suppliers = [
        services.supplier_save(
            actor=manager,
            market=market,
            name="白马镇蔬菜基地",
            contact="周师傅",
            phone="0832-6120101",
            address="白马镇新桥村",
        ),
        services.supplier_save(
            actor=manager,
            market=market,
            name="东兴禽蛋肉类批发",
            kind="wholesaler",
            contact="黄老板",
            phone="0832-6120202",
        ),
        services.supplier_save(
            actor=manager,
            market=market,
            name="清溪粮油批发部",
            kind="wholesaler",
            contact="李经理",
            phone="0832-6120303",
        ),
    ]
    rng = random.Random(f"{SEED}:prices")
    today = timezone.localdate()
    items = {}
    for n, (name, category, unit, spec, cost, ref) in enumerate(CATALOG):
        item = services.item_save(
            actor=manager,
            market=market,
            name=name,
            category=category,
            unit=unit,
            spec=spec,
            sort=10 + n,
        )
        services.supplier_item_set(
            actor=manager, supplier=suppliers[SUPPLIER_OF[category]], item=item, cost=cost
        )
        for back in range(10):
            wiggle = Decimal(rng.randint(-8, 12)) / 100
            services.reference_price_set(
                actor=manager,
                item=item,
                on_date=today - timedelta(days=back),
                price=max(Decimal(ref) + wiggle, Decimal(cost)),
                source="清溪市价格监测中心",
            )
        items[name] = item
    for n, (name, spec, parts) in enumerate(BUNDLES):
        bundle = services.item_save(
            actor=manager,
            market=market,
            name=name,
            unit="袋",
            spec=spec,
            is_bundle=True,
            sort=n + 1,
        )
        services.bundle_set_components(
            actor=manager, bundle=bundle, components=[(items[c], q) for c, q in parts]
        )


def _publish(
    market, manager, *, title, opens_at, closes_at, delivery_date, stock_scale=1
) -> OrderWindow:
    window = services.window_create(
        actor=manager,
        market=market,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        delivery_date=delivery_date,
    )
    for item in CatalogItem.objects.filter(market=market, active=True).order_by("sort"):
        pricing = services.pricing_for(item, on_date=delivery_date)
        stock = (120 if item.is_bundle else 60) * stock_scale
        services.offer_save(
            actor=manager,
            window=window,
            item=item,
            price=pricing.cap(market.markup_cap_pct),
            stock=stock,
            limit_per_household=2 if item.is_bundle else 3,
        )
    return services.window_open(actor=manager, window=window)


def _households(market, rng, count):
    ids = list(
        Household.objects.filter(compound__in=market.compounds.all())
        .order_by("id")
        .values_list("id", flat=True)
    )
    chosen = rng.sample(ids, min(count, len(ids)))
    return list(
        Household.objects.filter(pk__in=chosen)
        .select_related("compound")
        .order_by("building_id", "id")
    )


def _resident_home():
    user = User.objects.filter(username="resident").first()
    membership = Membership.objects.filter(
        user=user, role=Role.RESIDENT, household__isnull=False
    ).first()
    return user, (membership.household if membership else None)


def _place_many(window, households, staff, rng) -> int:
    offers = list(window.offers.select_related("item"))
    bundles = [o for o in offers if o.item.is_bundle]
    placed = 0
    for household in households:
        picks = {rng.choice(bundles).pk: rng.randint(1, 2)} if rng.random() < 0.7 else {}
        for offer in rng.sample(offers, rng.randint(0, 3)):
            picks.setdefault(offer.pk, rng.randint(1, min(2, offer.limit_per_household)))
        if not picks:
            continue
        try:
            services.order_place(
                actor=staff,
                window=window,
                household=household,
                lines=[LineIn(o, q) for o, q in picks.items()],
                fulfilment="pickup" if rng.random() < 0.25 else "door",
            )
            placed += 1
        except (Conflict, ValidationError):  # sold out for this pick: skip the household
            continue
    return placed


def _resident_order(window, lines: dict[str, int]):
    user, home = _resident_home()
    if home is None or not window.market.compounds.filter(pk=home.compound_id).exists():
        return None
    offers = {o.item.name: o for o in window.offers.select_related("item")}
    return services.order_place(
        actor=user,
        window=window,
        household=home,
        lines=[LineIn(offers[n].pk, q) for n, q in lines.items()],
    )


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _past_window(market, manager, admin, courier, rng, *, delivery, finish: bool) -> None:
    """A window run now and moved back: opened D-1 18:00, closed 22:00,
    received and packed on D (the delivery day)."""
    now = timezone.now()
    window = _publish(
        market,
        manager,
        title=f"{delivery:%m月%d日} 早市",
        opens_at=now - timedelta(minutes=30),
        closes_at=now + timedelta(hours=1),
        delivery_date=timezone.localtime(now + timedelta(hours=1)).date(),
    )
    _resident_order(window, {"家常蔬菜包": 1, "青椒": 2, "鸡蛋": 1})
    _place_many(window, _households(market, rng, 90 if finish else 120), admin, rng)
    services.window_close(actor=manager, window=window)
    _move_back(window, delivery)
    window.refresh_from_db()
    _receive(window, courier, rng, short_item="青椒")
    services.receiving_finish(actor=courier, window=window)
    bags = list(
        Order.objects.filter(window=window, status=OrderStatus.PLACED).order_by("building_id", "id")
    )
    to_pack = bags if finish else bags[: int(len(bags) * 0.6)]
    for order in to_pack:
        services.bag_pack(actor=courier, order=order)
        if finish:
            order.refresh_from_db()
            services.bag_hand_over(actor=courier, order=order)
            services.payment_record(
                actor=courier,
                order=order,
                channel=rng.choice(["cash", "transfer"]),
                amount=order.total,
                reference=f"{rng.randint(1000, 9999)}",
            )
    _move_done_back(window, delivery)


def _move_back(window, delivery) -> None:
    eve = delivery - timedelta(days=1)
    opens, closes = _at(eve, 18), _at(eve, 22)
    OrderWindow.objects.filter(pk=window.pk).update(
        opens_at=opens,
        closes_at=closes,
        closed_at=closes,
        delivery_date=delivery,
        created_at=opens - timedelta(hours=2),
    )
    orders = list(Order.objects.filter(window=window).order_by("id").values_list("id", flat=True))
    for n, pk in enumerate(orders):
        Order.objects.filter(pk=pk).update(
            placed_at=opens + timedelta(seconds=int(n * 14400 / max(len(orders), 1)))
        )
    for po in PurchaseOrder.objects.filter(window=window):
        PurchaseOrder.objects.filter(pk=po.pk).update(
            number=f"PO{eve:%Y%m%d}-{window.pk}-{po.supplier_id}",
            created_at=closes,
            sent_at=closes + timedelta(minutes=15),
            status="sent",
        )


def _receive(window, courier, rng, *, short_item: str) -> None:
    for line in PurchaseLine.objects.filter(purchase_order__window=window).select_related(
        "item", "purchase_order__window__market"
    ):
        if line.item.name == short_item:
            received = (line.demand_qty * Decimal("0.8")).quantize(Decimal("1"))
            services.receive_line(
                actor=courier,
                line=line,
                received_qty=received,
                rejected_qty=3,
                reason="部分黄叶、压伤",
            )
        else:
            services.receive_line(
                actor=courier, line=line, received_qty=line.order_qty, rejected_qty=0
            )


def _move_done_back(window, delivery) -> None:
    """Receiving 05:00–05:50, packing until about 07:40, hand-off after."""
    start = _at(delivery, 5, 50)
    OrderWindow.objects.filter(pk=window.pk).update(received_at=start)
    OrderWindow.objects.filter(pk=window.pk, packed_at__isnull=False).update(
        packed_at=_at(delivery, 7, 42)
    )
    PurchaseLine.objects.filter(purchase_order__window=window).update(
        received_at=_at(delivery, 5, 20)
    )
    packed = list(
        Order.objects.filter(window=window, packed_at__isnull=False)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for n, pk in enumerate(packed):
        at = start + timedelta(seconds=int(n * 6600 / max(len(packed), 1)))
        Order.objects.filter(pk=pk).update(packed_at=at)
        Order.objects.filter(pk=pk, handed_at__isnull=False).update(
            handed_at=at + timedelta(minutes=40)
        )
        Payment.objects.filter(order_id=pk).update(recorded_at=at + timedelta(minutes=40))
    Order.objects.filter(window=window, adjusted_at__isnull=False).update(adjusted_at=start)


def _ensure_open_window(market, manager) -> OrderWindow:
    """An order window open now: from 18:00 (or an hour ago, whichever is
    earlier) to 22:00 (or three hours from now, whichever is later), for
    delivery the next morning. A few households have ordered already."""
    now = timezone.now()
    current = (
        OrderWindow.objects.filter(
            market=market,
            status=WindowStatus.OPEN,
            opens_at__lte=now,
            closes_at__gt=now + timedelta(minutes=30),
        )
        .order_by("closes_at")
        .first()
    )
    if current is not None:
        return current
    today = timezone.localdate()
    opens = min(_at(today, 18), now - timedelta(hours=1))
    closes = max(_at(today, 22), now + timedelta(hours=3))
    delivery = timezone.localtime(closes).date() + timedelta(days=1)
    window = _publish(
        market,
        manager,
        title=f"{delivery:%m月%d日} 早市",
        opens_at=opens,
        closes_at=closes,
        delivery_date=delivery,
    )
    admin = User.objects.filter(username="company_admin").first() or manager
    _place_many(
        window,
        _households(market, random.Random(f"{SEED}:{delivery}"), 30),
        admin,
        random.Random(f"{SEED}:{delivery}:o"),
    )
    return window
