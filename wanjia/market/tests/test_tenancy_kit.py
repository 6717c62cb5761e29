"""The market's URLs (console, sorting floor, resident H5, API) through the
kernel's tenancy kit.

Each compound runs its own market (A's manager in A, B's manager in B) with:
a draft window, an open window holding the resident's order (in B: one its
manager placed for a household, 代下单), an empty open window, a closed window
whose purchase lines all arrived (receiving open: its delivery day is past), and
a received window whose one bag is packed."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from wanjia.core.testkit import Endpoint, cases, check, is_missing
from wanjia.market import services
from wanjia.market.models import (
    Market,
    Offer,
    Order,
    OrderWindow,
    Payment,
    PurchaseLine,
    PurchaseOrder,
    WindowStatus,
)
from wanjia.market.services import LineIn
from wanjia.market.testing import fair_price, make_market, open_window

pytestmark = pytest.mark.django_db

A_PEOPLE = (
    "resident_a",
    "manager_a",
    "leader_a",
    "secretary_a",
    "staff_a",
    "volunteer_a",
    "company_admin_a",
)
EVERYONE = (*A_PEOPLE, "outsider_b", "regulator")
MANAGE = ("manager_a", "company_admin_a")
OPERATE = (*MANAGE, "staff_a")
VIEW_ORDERS = (*OPERATE, "leader_a", "secretary_a")
# a market's and a window's console pages ask for the role over the market's
# compound: a building leader (whose role sits on one building) is refused them,
# though they see their building's orders one by one
CONSOLE = (*OPERATE, "secretary_a")
NO_CONSOLE_OR_LEADER = (*("resident_a", "volunteer_a", "regulator"), "leader_a")
# 代下单 (the leader for their building) or a resident for their own household
ORDER_FOR = (*OPERATE, "leader_a")
# see the market (its compound is theirs) but have no console role in it
NO_CONSOLE = ("resident_a", "volunteer_a", "regulator")
NOT_MANAGERS = ("resident_a", "leader_a", "secretary_a", "staff_a", "volunteer_a", "regulator")


def _side(manager, compound, home, spare_home):
    kit = make_market(manager=manager, compound=compound, name=f"{compound.name}菜篮子")
    draft = open_window(kit, manager=manager, title="草稿", names=["土豆"], publish=False)
    live = open_window(kit, manager=manager, title="明早蔬菜")
    offer = kit.offers["大白菜"]
    order = services.order_place(
        actor=manager, window=live, household=home, lines=[LineIn(offer.pk, 1)]
    )
    fresh = open_window(kit, manager=manager, title="周末水果")
    closed = open_window(kit, manager=manager, title="已截单")
    services.order_place(
        actor=manager, window=closed, household=home, lines=[LineIn(kit.offers["鸡蛋"].pk, 1)]
    )
    services.window_close(actor=manager, window=closed)
    # receiving opens at 05:00 on the delivery day: make that day yesterday
    OrderWindow.objects.filter(pk=closed.pk).update(
        delivery_date=timezone.localdate() - timedelta(days=1)
    )
    for line in PurchaseLine.objects.filter(purchase_order__window=closed):
        services.receive_line(actor=manager, line=line, received_qty=line.order_qty)
    received = open_window(kit, manager=manager, title="已验收")
    bag = services.order_place(
        actor=manager, window=received, household=home, lines=[LineIn(kit.offers["苹果"].pk, 1)]
    )
    services.window_close(actor=manager, window=received)
    OrderWindow.objects.filter(pk=received.pk).update(status=WindowStatus.RECEIVED)
    Order.objects.filter(pk=bag.pk).update(packed_at=timezone.now())
    return SimpleNamespace(
        market=kit.market,
        draft=draft,
        draft_offer=Offer.objects.get(window=draft),
        live=live,
        live_offer=offer,
        order=order,
        fresh=fresh,
        closed=OrderWindow.objects.get(pk=closed.pk),
        po=PurchaseOrder.objects.filter(window=closed).order_by("id").first(),
        line=PurchaseLine.objects.filter(purchase_order__window=closed).order_by("id").first(),
        received=received,
        bag=Order.objects.get(pk=bag.pk),
        spare_home=spare_home,
        items=kit.items,
    )


@pytest.fixture(scope="module")
def market_world(world_once, django_db_blocker):
    w = world_once
    with django_db_blocker.unblock():
        b_spare = w.b.households.exclude(pk=w.b_home.pk).order_by("id").first()
        w.market = {
            "a": _side(w.manager_a, w.a, w.home, w.other_home),
            "b": _side(w.outsider_b, w.b, w.b_home, b_spare),
        }
    return w


def _of(name):
    return lambda world, side: getattr(world.market[side], name)


def _side_of(world, market_id):
    return next(s for s in world.market.values() if s.market.pk == market_id)


def market_row(world, obj):
    return tuple(Market.objects.filter(pk=obj.pk).values_list("markup_cap_pct", "pickup_point"))


def windows_of(world, obj):
    return OrderWindow.objects.filter(market_id=obj.pk).count()


def window_row(world, obj):
    window = OrderWindow.objects.get(pk=obj.pk)
    offers = tuple(window.offers.order_by("id").values_list("id", "stock", "accepting"))
    return window.status, offers, window.slots.count(), window.orders.count()


def offer_row(world, obj):
    return window_row(world, obj.window)


def order_row(world, obj):
    order = Order.objects.get(pk=obj.pk)
    lines = tuple(order.lines.order_by("id").values_list("offer_id", "qty"))
    payments = Payment.objects.filter(order=order).count()
    return order.status, order.packed_at, order.handed_at, lines, payments


def po_row(world, obj):
    return tuple(PurchaseOrder.objects.filter(pk=obj.pk).values_list("status", "sent_at"))


def line_row(world, obj):
    return tuple(PurchaseLine.objects.filter(pk=obj.pk).values_list("received_qty", "received_by"))


def window_url(suffix=""):
    return lambda o: f"/console/market/w/{o.pk}/{suffix}"


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def new_window(world, obj):
    now = timezone.now()
    return {
        "title": "下周蔬菜",
        "opens_at": _local(now + timedelta(days=1)),
        "closes_at": _local(now + timedelta(days=1, hours=4)),
        "delivery_date": (timezone.localdate() + timedelta(days=3)).isoformat(),
    }


def offer_add(world, obj):
    item = _side_of(world, obj.market_id).items["鸡蛋"]
    price = fair_price(item, on_date=obj.delivery_date, markup=obj.market.markup_cap_pct)
    return {"item": item.pk, "price": str(price), "stock": "20", "limit_per_household": "2"}


def order_for(world, obj):
    """代下单 for the household of the window's compound that has no order yet."""
    side = _side_of(world, obj.market_id)
    return {
        "household": side.spare_home.pk,
        f"qty_{side.live_offer.pk}": "1",
        "idem": f"kit-{obj.pk}",
    }


def change_lines(world, obj):
    return {f"qty_{obj.lines.first().offer_id}": "2"}


def api_lines(world, obj):
    return {"lines": [{"offer": obj.lines.first().offer_id, "qty": 2}]}


def api_order(world, obj):
    """A resident's order in an open window (the window's id is in the body)."""
    offer = world.market["a"].fresh.offers.first() if is_missing(obj) else obj.offers.first()
    return {"window": obj.pk, "lines": [{"offer": offer.pk, "qty": 1}]}


def on_window(name, which, suffix, *, allowed=CONSOLE, forbidden=NO_CONSOLE_OR_LEADER, **kw):
    """A console page or action of one window (its market's compound is A or B)."""
    if kw.get("method", "get") != "get" and "state" not in kw:
        kw["state"] = window_row
    return Endpoint(
        name, window_url(suffix), allowed=allowed, forbidden=forbidden, obj=_of(which), **kw
    )


def on_bag(name, suffix, **kw):
    """An action on the packed bag: the resident sees their own order (403),
    the volunteer and the regulator do not see it (404)."""
    return Endpoint(
        name,
        lambda o: f"/console/market/bags/{o.pk}/{suffix}",
        method="post",
        allowed=OPERATE,
        forbidden=("resident_a", "leader_a", "secretary_a"),
        hidden=("volunteer_a", "regulator"),
        obj=_of("bag"),
        state=order_row,
        **kw,
    )


ENDPOINTS = [
    # ---- console: the market
    Endpoint(
        "market_home",
        "/console/market/",
        allowed=(*CONSOLE, "outsider_b"),
        forbidden=NO_CONSOLE_OR_LEADER,
    ),
    Endpoint(
        "market_detail",
        "/console/market/{pk}/",
        allowed=CONSOLE,
        forbidden=NO_CONSOLE_OR_LEADER,
        obj=_of("market"),
    ),
    Endpoint(
        "market_settings",
        "/console/market/{pk}/settings/",
        method="post",
        body={
            "markup_cap_pct": "4",
            "spare_pct": "5",
            "shortage_rule": "pro_rata",
            "pickup_point": "北门",
        },
        allowed=MANAGE,
        forbidden=NOT_MANAGERS,
        obj=_of("market"),
        state=market_row,
    ),
    Endpoint(
        "market_window_new",
        "/console/market/{pk}/windows/new/",
        method="post",
        body=new_window,
        allowed=MANAGE,
        forbidden=NOT_MANAGERS,
        obj=_of("market"),
        state=windows_of,
    ),
    *(
        Endpoint(
            f"market_{page}",
            f"/console/market/{{pk}}/{page}/",
            allowed=MANAGE,
            forbidden=NOT_MANAGERS,
            obj=_of("market"),
        )
        for page in ("suppliers", "catalog", "prices")
    ),
    Endpoint(
        "market_prices_template",
        "/console/market/{pk}/prices/template.xlsx",
        allowed=MANAGE,
        forbidden=NOT_MANAGERS,
        obj=_of("market"),
    ),
    # ---- console: a window (a draft is seen by its managers only)
    on_window("market_window", "live", ""),
    on_window(
        "market_offer_add",
        "draft",
        "offers/",
        method="post",
        body=offer_add,
        allowed=MANAGE,
        forbidden=(),
        hidden=NOT_MANAGERS,
    ),
    Endpoint(
        "market_offer_remove",
        lambda o: f"/console/market/w/{o.window_id}/offers/{o.pk}/remove/",
        method="post",
        allowed=MANAGE,
        hidden=NOT_MANAGERS,
        obj=_of("draft_offer"),
        state=offer_row,
    ),
    Endpoint(
        "market_offer_restock",
        lambda o: f"/console/market/w/{o.window_id}/offers/{o.pk}/restock/",
        method="post",
        body={"extra": "5"},
        allowed=MANAGE,
        forbidden=NOT_MANAGERS,
        obj=_of("live_offer"),
        state=offer_row,
    ),
    on_window(
        "market_price_hint",
        "live",
        "price-hint/",
        allowed=MANAGE,
        forbidden=NOT_MANAGERS,
    ),
    on_window(
        "market_slot_add",
        "live",
        "slots/",
        method="post",
        body=lambda world, obj: {
            "starts_at": _local(timezone.now() + timedelta(days=1)),
            "ends_at": _local(timezone.now() + timedelta(days=1, hours=1)),
            "capacity": "10",
        },
        allowed=MANAGE,
        forbidden=NOT_MANAGERS,
    ),
    on_window(
        "market_window_open",
        "draft",
        "open/",
        method="post",
        allowed=MANAGE,
        forbidden=(),
        hidden=NOT_MANAGERS,
    ),
    on_window(
        "market_window_close",
        "live",
        "close/",
        method="post",
        allowed=MANAGE,
        forbidden=NOT_MANAGERS,
    ),
    # ---- console: orders and 代下单
    # the list shows each user only the orders they may see (a resident their
    # own, the leader their building's): anyone who sees the window may open it
    on_window("market_orders", "live", "orders/", allowed=(*A_PEOPLE, "regulator"), forbidden=()),
    # a resident may use the same form for their own household
    on_window(
        "market_order_for",
        "live",
        "order-for/",
        allowed=(*ORDER_FOR, "resident_a"),
        forbidden=("volunteer_a", "regulator", "secretary_a"),
    ),
    on_window(
        "market_order_for_place",
        "live",
        "order-for/place/",
        method="post",
        body=order_for,
        allowed=ORDER_FOR,
        forbidden=(),
        hidden=(*NO_CONSOLE, "secretary_a"),
    ),
    Endpoint(
        "market_staff_order",
        "/console/market/orders/{pk}/",
        allowed=(*VIEW_ORDERS, "resident_a"),
        hidden=("volunteer_a", "regulator"),
        obj=_of("order"),
    ),
    Endpoint(
        "market_order_pay",
        "/console/market/orders/{pk}/pay/",
        method="post",
        body={"channel": "cash", "amount": "1.00", "kind": "payment"},
        allowed=OPERATE,
        forbidden=("resident_a", "leader_a", "secretary_a"),
        hidden=("volunteer_a", "regulator"),
        obj=_of("order"),
        state=order_row,
    ),
    Endpoint(
        "market_order_cancel",
        "/console/market/orders/{pk}/cancel/",
        method="post",
        allowed=(*ORDER_FOR, "resident_a"),
        forbidden=("secretary_a",),
        hidden=("volunteer_a", "regulator"),
        obj=_of("order"),
        state=order_row,
    ),
    # ---- console: purchase, receiving, sorting, report
    on_window("market_purchase", "closed", "purchase/"),
    on_window("market_purchase_xlsx", "closed", "purchase.xlsx"),
    Endpoint(
        "market_purchase_sent",
        lambda o: f"/console/market/w/{o.window_id}/purchase/{o.pk}/sent/",
        method="post",
        allowed=MANAGE,
        forbidden=NOT_MANAGERS,
        obj=_of("po"),
        state=po_row,
    ),
    on_window("market_receiving", "closed", "receiving/"),
    Endpoint(
        "market_receiving_line",
        lambda o: f"/console/market/w/{o.purchase_order.window_id}/receiving/{o.pk}/",
        method="post",
        body={"received_qty": "1", "rejected_qty": "0"},
        allowed=OPERATE,
        forbidden=("resident_a", "leader_a", "secretary_a", "volunteer_a", "regulator"),
        obj=_of("line"),
        state=line_row,
    ),
    on_window(
        "market_receiving_finish",
        "closed",
        "receiving/finish/",
        method="post",
        allowed=OPERATE,
        forbidden=("resident_a", "leader_a", "secretary_a", "volunteer_a", "regulator"),
    ),
    on_window("market_picklists", "received", "picklists/"),
    on_window("market_labels", "received", "labels/"),
    on_window("market_bags_xlsx", "received", "bags.xlsx"),
    on_window("market_sorting", "received", "sorting/"),
    on_window("market_report", "received", "report/"),
    on_bag("market_bag_pack", "pack/"),
    on_bag("market_bag_unpack", "unpack/"),
    on_bag("market_bag_hand_over", "hand-over/"),
    Endpoint(
        "market_bag",
        lambda o: f"/console/market/bag/{'Z' * 8 if is_missing(o) else o.code}/",
        allowed=(*VIEW_ORDERS, "resident_a"),
        hidden=("volunteer_a", "regulator"),
        obj=_of("bag"),
    ),
    # ---- resident H5
    Endpoint("market_h5_home", "/h5/market/", allowed=EVERYONE),
    Endpoint("market_h5_orders", "/h5/market/orders/", allowed=EVERYONE),
    Endpoint(
        "market_h5_window",
        "/h5/market/w/{pk}/",
        allowed=("resident_a",),
        forbidden=tuple(p for p in A_PEOPLE if p != "resident_a") + ("regulator",),
        obj=_of("fresh"),
    ),
    Endpoint(
        "market_h5_cart",
        "/h5/market/w/{pk}/cart/",
        method="post",
        allowed=(*A_PEOPLE, "regulator"),
        obj=_of("fresh"),
    ),
    Endpoint(
        "market_h5_place",
        "/h5/market/w/{pk}/place/",
        method="post",
        body=lambda world, obj: {f"qty_{obj.offers.first().pk}": "1", "idem": "kit-h5"},
        allowed=("resident_a",),
        hidden=tuple(p for p in A_PEOPLE if p != "resident_a") + ("regulator",),
        obj=_of("fresh"),
        state=lambda world, obj: Order.objects.filter(window_id=obj.pk).count(),
    ),
    Endpoint(
        "market_h5_order",
        "/h5/market/orders/{pk}/",
        allowed=("resident_a",),
        hidden=tuple(p for p in A_PEOPLE if p != "resident_a") + ("regulator",),
        obj=_of("order"),
        # B's order is its manager's 代下单: nobody of B lives there, so only
        # the "missing" comparison for A's order and the outsider apply
    ),
    Endpoint(
        "market_h5_change",
        "/h5/market/orders/{pk}/change/",
        method="post",
        body=change_lines,
        allowed=("resident_a",),
        hidden=tuple(p for p in A_PEOPLE if p != "resident_a") + ("regulator",),
        obj=_of("order"),
        state=order_row,
    ),
    Endpoint(
        "market_h5_cancel",
        "/h5/market/orders/{pk}/cancel/",
        method="post",
        allowed=("resident_a",),
        hidden=tuple(p for p in A_PEOPLE if p != "resident_a") + ("regulator",),
        obj=_of("order"),
        state=order_row,
    ),
    # ---- API
    Endpoint("api_window_list", "/api/v1/market/windows", api=True, allowed=EVERYONE),
    Endpoint(
        "api_window_detail",
        "/api/v1/market/windows/{pk}",
        api=True,
        allowed=(*A_PEOPLE, "regulator"),
        obj=_of("live"),
    ),
    Endpoint(
        "api_order_create",
        "/api/v1/market/orders",
        method="post",
        api=True,
        body=api_order,
        id_in_body=True,
        headers={"Idempotency-Key": "kit-order"},
        allowed=("resident_a",),
        forbidden=("secretary_a", "volunteer_a", "regulator"),
        obj=_of("fresh"),
        state=lambda world, obj: Order.objects.filter(window_id=obj.pk).count(),
    ),
    Endpoint("api_order_list", "/api/v1/market/orders", api=True, allowed=EVERYONE),
    Endpoint(
        "api_order_detail",
        "/api/v1/market/orders/{pk}",
        api=True,
        allowed=(*VIEW_ORDERS, "resident_a"),
        hidden=("volunteer_a", "regulator"),
        obj=_of("order"),
    ),
    Endpoint(
        "api_order_update",
        "/api/v1/market/orders/{pk}",
        method="put",
        api=True,
        body=api_lines,
        allowed=(*ORDER_FOR, "resident_a"),
        forbidden=("secretary_a",),
        hidden=("volunteer_a", "regulator"),
        obj=_of("order"),
        state=order_row,
    ),
    Endpoint(
        "api_order_cancel",
        "/api/v1/market/orders/{pk}/cancel",
        method="post",
        api=True,
        allowed=(*ORDER_FOR, "resident_a"),
        forbidden=("secretary_a",),
        hidden=("volunteer_a", "regulator"),
        obj=_of("order"),
        state=order_row,
    ),
]


@pytest.mark.parametrize("case", cases("market", ENDPOINTS))
def test_tenancy(case, market_world, login, api):
    check(case, market_world, login, api)
