"""The pages: a resident orders on the phone, staff run the window from the
console, print-outs and Excel exports work, and tenancy holds on every page."""

from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from wanjia.core.models import AuditLog
from wanjia.core.today import cards_for
from wanjia.market import services
from wanjia.market.models import Offer, Order, OrderStatus, PurchaseLine, WindowStatus
from wanjia.market.services import LineIn

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def form(kit, idem="form-1", **qty):
    data = {f"qty_{o.pk}": "0" for o in kit.offers.values()}
    data.update({f"qty_{kit.offers[n].pk}": str(q) for n, q in qty.items()})
    return {**data, "fulfilment": "door", "idem": idem, "note": ""}


def test_resident_browses_and_orders_a_bundle(world, kit, login):
    client = login(world.resident_a)
    home = client.get(reverse("market_h5_home"))
    assert home.status_code == 200 and kit.window.title in home.content.decode()
    page = client.get(reverse("market_h5_window", args=[kit.window.pk]))
    assert page.status_code == 200 and "家常蔬菜包" in page.content.decode()
    cart = client.post(
        reverse("market_h5_cart", args=[kit.window.pk]), form(kit, 家常蔬菜包=2), **HX
    )
    bundle = kit.offers["家常蔬菜包"]
    assert f"¥{bundle.price * 2:.2f}" in cart.content.decode()
    res = client.post(
        reverse("market_h5_place", args=[kit.window.pk]), form(kit, 家常蔬菜包=1), **HX
    )
    order = Order.objects.get(household=world.home)
    assert res.status_code == 200 and res["HX-Redirect"] == reverse(
        "market_h5_order", args=[order.pk]
    )
    # the same form sent again (a double tap) is the same order
    again = client.post(
        reverse("market_h5_place", args=[kit.window.pk]), form(kit, 家常蔬菜包=1), **HX
    )
    assert again["HX-Redirect"] == res["HX-Redirect"] and Order.objects.count() == 1
    mine = client.get(reverse("market_h5_orders")).content.decode()
    assert "家常蔬菜包×1" in mine and order.code in mine
    detail = client.get(reverse("market_h5_order", args=[order.pk])).content.decode()
    assert "取消订单" in detail and "修改订单" in detail
    # the window page now leads to the order
    assert client.get(reverse("market_h5_window", args=[kit.window.pk])).status_code == 302


def test_resident_form_errors_answer_in_place(world, kit, login):
    client = login(world.resident_a)
    res = client.post(reverse("market_h5_place", args=[kit.window.pk]), form(kit, 土豆=5), **HX)
    assert res.status_code == 422 and "每户限购 3" in res.content.decode()
    res = client.post(reverse("market_h5_place", args=[kit.window.pk]), form(kit), **HX)
    assert res.status_code == 422 and "请至少选择一件商品" in res.content.decode()
    assert not Order.objects.exists()


def test_resident_changes_and_cancels(world, kit, login):
    client = login(world.resident_a)
    client.post(reverse("market_h5_place", args=[kit.window.pk]), form(kit, 土豆=1), **HX)
    order = Order.objects.get()
    edit = client.get(reverse("market_h5_window", args=[kit.window.pk]) + "?edit=1")
    assert edit.status_code == 200 and "保存修改" in edit.content.decode()
    client.post(reverse("market_h5_change", args=[order.pk]), form(kit, 土豆=2, 苹果=1), **HX)
    assert Order.objects.get().lines.count() == 2
    client.post(reverse("market_h5_cancel", args=[order.pk]), **HX)
    assert Order.objects.get().status == OrderStatus.CANCELLED
    assert Offer.objects.get(pk=kit.offers["土豆"].pk).stock_left == 100


def test_other_compounds_see_nothing(world, kit, login):
    order = services.order_place(
        actor=world.resident_a,
        window=kit.window,
        household=world.home,
        lines=[LineIn(kit.offers["土豆"].pk, 1)],
    )
    outsider = login(world.outsider_b)
    for name, args in [
        ("market_detail", [kit.market.pk]),
        ("market_window", [kit.window.pk]),
        ("market_orders", [kit.window.pk]),
        ("market_staff_order", [order.pk]),
        ("market_bag", [order.code]),
        ("market_labels", [kit.window.pk]),
    ]:
        assert outsider.get(reverse(name, args=args)).status_code == 404, name
    assert (
        login(world.outsider_b).get(reverse("market_h5_order", args=[order.pk])).status_code == 404
    )


def test_wrong_role_gets_403(world, kit, login):
    resident = login(world.resident_a)
    assert resident.get(reverse("market_catalog", args=[kit.market.pk])).status_code == 403
    assert resident.post(reverse("market_window_close", args=[kit.window.pk])).status_code == 403
    assert Offer.objects.filter(window=kit.window, accepting=True).exists()
    staff = login(world.staff_a)
    assert staff.get(reverse("market_prices", args=[kit.market.pk])).status_code == 403
    assert login(world.volunteer_a).get(reverse("market_home")).status_code == 403


def test_a_manager_sets_up_a_window_with_fair_prices(world, kit, login):
    client = login(world.manager_a)
    res = client.post(
        reverse("market_window_new", args=[kit.market.pk]),
        {
            "title": "周末",
            "opens_at": "2030-01-01T18:00",
            "closes_at": "2030-01-01T22:00",
            "delivery_date": "2030-01-02",
        },
    )
    window = kit.market.windows.get(title="周末")
    assert res.status_code == 302 and window.status == WindowStatus.DRAFT
    hint = client.get(
        reverse("market_price_hint", args=[window.pk]), {"item": kit.items["大白菜"].pk}
    )
    assert "参考价" in hint.content.decode()
    res = client.post(
        reverse("market_offer_add", args=[window.pk]),
        {
            "item": kit.items["大白菜"].pk,
            "price": "9.99",
            "stock": "10",
            "limit_per_household": "2",
        },
        **HX,
    )
    # 2030: no reference within 7 days -> refused in place, nothing added
    assert res.status_code == 422 and "参考价" in res.content.decode()
    assert not window.offers.exists()


def test_the_unfair_price_is_refused_in_place(world, kit, login):
    client = login(world.manager_a)
    now = timezone.localtime()
    window = services.window_create(
        actor=world.manager_a,
        market=kit.market,
        title="今晚",
        opens_at=now,
        closes_at=now + timedelta(hours=3),
        delivery_date=now.date() + timedelta(days=1),
    )
    res = client.post(
        reverse("market_offer_add", args=[window.pk]),
        {
            "item": kit.items["大白菜"].pk,
            "price": "2.50",
            "stock": "10",
            "limit_per_household": "2",
        },
        **HX,
    )
    assert res.status_code == 422 and "不符合平价规则" in res.content.decode()
    res = client.post(
        reverse("market_offer_add", args=[window.pk]),
        {
            "item": kit.items["大白菜"].pk,
            "price": "2.06",
            "stock": "10",
            "limit_per_household": "2",
        },
        **HX,
    )
    assert res.status_code == 200 and window.offers.count() == 1
    client.post(reverse("market_window_open", args=[window.pk]))
    window.refresh_from_db()
    assert window.status == WindowStatus.OPEN


def test_staff_order_for_a_resident_without_a_phone(world, kit, login):
    client = login(world.staff_a)
    found = client.get(
        reverse("market_order_for", args=[kit.window.pk]), {"q": world.other_home.room}
    )
    assert world.other_home.code in found.content.decode()
    page = client.get(
        reverse("market_order_for", args=[kit.window.pk]), {"household": world.other_home.pk}
    )
    assert page.status_code == 200 and "代下单" in page.content.decode()
    data = {**form(kit, 家常蔬菜包=1), "household": world.other_home.pk}
    res = client.post(reverse("market_order_for_place", args=[kit.window.pk]), data, **HX)
    order = Order.objects.get(household=world.other_home)
    assert res["HX-Redirect"] == reverse("market_staff_order", args=[order.pk])
    assert order.on_behalf and order.placed_by == world.staff_a
    assert AuditLog.objects.filter(
        action="market.order.placed_on_behalf", object_id=str(order.pk)
    ).exists()
    # a household of another compound cannot be ordered for
    data["household"] = world.b_home.pk
    assert (
        client.post(reverse("market_order_for_place", args=[kit.window.pk]), data, **HX).status_code
        == 404
    )


def _run_to_sorting(world, kit):
    for home, user in [(world.home, world.resident_a), (world.other_home, world.staff_a)]:
        services.order_place(
            actor=user,
            window=kit.window,
            household=home,
            lines=[LineIn(kit.offers["家常蔬菜包"].pk, 2)],
        )
    services.window_close(actor=world.manager_a, window=kit.window)
    kit.window.refresh_from_db()
    return timezone.make_aware(datetime.combine(kit.window.delivery_date, time(5, 10)))


def test_a_window_from_cutoff_to_packed_bags_in_the_console(world, kit, login):
    at = _run_to_sorting(world, kit)
    client = login(world.manager_a)
    window = kit.window
    purchase = client.get(reverse("market_purchase", args=[window.pk])).content.decode()
    assert "采购单" in purchase and "白马蔬菜基地" in purchase
    book = load_workbook(
        BytesIO(client.get(reverse("market_purchase_xlsx", args=[window.pk])).content)
    )
    assert "白马蔬菜基地" in book.sheetnames
    with time_machine.travel(at):
        client = login(world.manager_a)  # a new day, a new session
        for line in PurchaseLine.objects.filter(purchase_order__window=window):
            qty = "3" if line.item.name == "土豆" else str(line.order_qty)  # 土豆: 4 asked, 3 came
            res = client.post(
                reverse("market_receiving_line", args=[window.pk, line.pk]),
                {"received_qty": qty, "rejected_qty": "0"},
                **HX,
            )
            assert res.status_code == 200, res.content.decode()
        client.post(reverse("market_receiving_finish", args=[window.pk]))
    window.refresh_from_db()
    assert window.status == WindowStatus.RECEIVED
    assert (
        Order.objects.filter(adjusted_at__isnull=False).count() == 1
    )  # 2+2 asked, 3 came: 2 and 1
    picks = client.get(reverse("market_picklists", args=[window.pk])).content.decode()
    assert "拣货单" in picks and world.home.room in picks
    labels = client.get(reverse("market_labels", args=[window.pk])).content.decode()
    assert labels.count('data-testid="label"') == 2 and labels.count("<svg") >= 2
    assert world.home.code in labels
    sheets = load_workbook(
        BytesIO(client.get(reverse("market_bags_xlsx", args=[window.pk])).content)
    )
    assert sheets["袋标签"].max_row == 3 and "/console/market/bag/" in sheets["袋标签"]["I2"].value
    board = client.get(reverse("market_sorting", args=[window.pk])).content.decode()
    assert "已装 0 / 2 袋" in board
    for order in Order.objects.filter(window=window):
        res = client.post(reverse("market_bag_pack", args=[order.pk]), **HX)
        assert res.status_code == 200 and "撤销装袋" in res.content.decode()
    assert (
        "已装 2 / 2 袋"
        in client.get(
            reverse("market_sorting", args=[window.pk]), {"part": "board"}, **HX
        ).content.decode()
    )
    window.refresh_from_db()
    assert window.status == WindowStatus.PACKED
    report = client.get(reverse("market_report", args=[window.pk])).content.decode()
    assert "满足率" in report and "分拣完成" in report
    # the bag a label's QR code opens, and payment on hand-off
    order = Order.objects.filter(window=window).first()
    bag = client.get(reverse("market_bag", args=[order.code]))
    assert bag.status_code == 200 and order.code in bag.content.decode()
    res = client.post(
        reverse("market_order_pay", args=[order.pk]),
        {"channel": "cash", "amount": str(order.total), "kind": "payment"},
        **HX,
    )
    assert "已付清" in res.content.decode()


def test_setup_pages_and_the_public_board(world, kit, login, client):
    manager = login(world.manager_a)
    for name in ["market_home", "console_home"]:
        assert manager.get(reverse(name)).status_code == 200
    for name in ["market_detail", "market_suppliers", "market_catalog", "market_prices"]:
        assert manager.get(reverse(name, args=[kit.market.pk])).status_code == 200, name
    template = load_workbook(
        BytesIO(manager.get(reverse("market_prices_template", args=[kit.market.pk])).content)
    )
    assert template.active["A1"].value == "商品"
    board = client.get(reverse("market_board", args=[kit.market.pk]))  # anonymous: public
    assert board.status_code == 200 and "市场参考价" in board.content.decode()
    assert str(kit.offers["大白菜"].price) in board.content.decode()


def test_todays_cards(world, kit):
    cards = cards_for(world.manager_a)
    assert any(kit.window.title in c.title for c in cards)
    services.order_place(
        actor=world.resident_a,
        window=kit.window,
        household=world.home,
        lines=[LineIn(kit.offers["土豆"].pk, 1)],
    )
    assert any(c.title == "菜篮子订单" for c in cards_for(world.resident_a))
    services.window_close(actor=world.manager_a, window=kit.window)
    titles = [c.title for c in cards_for(world.manager_a)]
    assert any("待发送采购单" in t for t in titles) and any("验收" in t for t in titles)


def test_order_list_and_order_page_show_one_status(world, kit, login):
    """Past the cut-off (before the close job runs) an order can no longer be
    changed: the list, the staff page and the resident's pages all say 截单,
    from the same rule (window.accepting) that refuses the change."""
    order = services.order_place(
        actor=world.resident_a,
        window=kit.window,
        household=world.home,
        lines=[LineIn(kit.offers["大白菜"].pk, 1)],
    )
    after_cutoff = kit.window.closes_at + timedelta(minutes=5)
    with time_machine.travel(after_cutoff, tick=False):
        assert kit.window.status == WindowStatus.OPEN and not kit.window.accepting()
        staff, resident = login(world.manager_a), login(world.resident_a)
        pages = [
            staff.get(reverse("market_orders", args=[kit.window.pk])),
            staff.get(reverse("market_staff_order", args=[order.pk])),
            resident.get(reverse("market_h5_orders")),
            resident.get(reverse("market_h5_order", args=[order.pk])),
        ]
        for page in pages:
            html = page.content.decode()
            assert page.status_code == 200
            assert "已截单 · 备货中" in html and "可修改" not in html


def test_api_names_the_order_stage_as_the_pages_do(world, kit, login, api):
    """The API's status_label is the label on the staff list, the order page and
    the resident's home, at each stage: open, past the cut-off, packed, cancelled."""
    import re

    order = services.order_place(
        actor=world.resident_a,
        window=kit.window,
        household=world.home,
        lines=[LineIn(kit.offers["大白菜"].pk, 1)],
    )
    staff, resident, client = login(world.manager_a), login(world.resident_a), api(world.manager_a)

    def labels():
        shown = []
        for who, url in [
            (staff, reverse("market_orders", args=[kit.window.pk]) + "?status=all"),
            (staff, reverse("market_staff_order", args=[order.pk])),
            (resident, reverse("market_h5_order", args=[order.pk])),
            (resident, reverse("market_h5_home")),
        ]:
            html = who.get(url).content.decode()
            shown += re.findall(r'data-stage="(\w+)"[^>]*>([^<]+)<', html)
        body = client.get(f"/api/v1/market/orders/{order.pk}").json()
        return body, {(s, label.strip().split(" · 缺货")[0]) for s, label in shown}

    body, shown = labels()
    assert (body["stage"], body["status_label"]) == ("open", "已下单 · 可修改")
    assert shown == {("open", "已下单 · 可修改")}
    with time_machine.travel(kit.window.closes_at + timedelta(minutes=5), tick=False):
        body, shown = labels()
        assert (body["stage"], body["status_label"]) == ("preparing", "已截单 · 备货中")
        assert shown == {("preparing", "已截单 · 备货中")}
    order.packed_at = timezone.now()
    order.save(update_fields=["packed_at"])
    body, shown = labels()
    assert (body["stage"], body["status_label"]) == ("packed", "已装袋")
    assert shown == {("packed", "已装袋")}
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED, packed_at=None)
    body, shown = labels()
    assert (body["stage"], body["status_label"]) == ("cancelled", "已取消")
    assert shown == {("cancelled", "已取消")}


def test_order_list_pages_with_the_total(world, kit, login, monkeypatch):
    """Every order of a window is reachable, page by page, and the pager says how
    many there are (the list stopped at 300 without a word)."""
    import re

    from wanjia.market.views import floor_orders

    monkeypatch.setattr(floor_orders, "ORDERS_PER_PAGE", 1)
    for home in (world.home, world.other_home):
        services.order_place(
            actor=world.manager_a,
            window=kit.window,
            household=home,
            lines=[LineIn(kit.offers["大白菜"].pk, 1)],
        )
    client = login(world.manager_a)
    url = reverse("market_orders", args=[kit.window.pk])
    codes = []
    for page in (1, 2):
        html = client.get(f"{url}?page={page}").content.decode()
        assert 'data-total="2"' in html and "共 2 条" in html
        codes += re.findall(r'<td class="title-cell"><a href="[^"]+">([^<]+)</a>', html)
    assert sorted(codes) == sorted(Order.objects.values_list("code", flat=True))


def test_order_list_costs_the_same_queries_for_more_orders(world, kit, login):
    """Each row's household label read its building once per order (N+1)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.manager_a)
    url = reverse("market_orders", args=[kit.window.pk])
    homes = list(world.a.households.order_by("id")[:4])

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    services.order_place(
        actor=world.manager_a,
        window=kit.window,
        household=homes[0],
        lines=[LineIn(kit.offers["大白菜"].pk, 1)],
    )
    before = cost()
    for home in homes[1:]:
        services.order_place(
            actor=world.manager_a,
            window=kit.window,
            household=home,
            lines=[LineIn(kit.offers["大白菜"].pk, 1)],
        )
    assert cost() == before
