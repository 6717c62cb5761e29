"""Ordering, cutoff, purchase orders, receiving, shortages, sorting, payments,
report: the services, as the operation runs them."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from wanjia.core.models import AuditLog, Notification
from wanjia.core.roles import Role
from wanjia.estates.testing import grant, make_user
from wanjia.market import selectors, services
from wanjia.market.errors import Conflict
from wanjia.market.models import (
    Offer,
    Order,
    OrderStatus,
    OrderWindow,
    PaymentKind,
    PurchaseLine,
    PurchaseOrder,
    ShortageRule,
    WindowStatus,
)
from wanjia.market.services import LineIn
from wanjia.market.tasks import cutoff_due_windows
from wanjia.market.testing import make_market, open_window

pytestmark = pytest.mark.django_db


def place(kit, user, household, **qty):
    lines = [LineIn(kit.offers[name].pk, q) for name, q in qty.items()]
    return services.order_place(actor=user, window=kit.window, household=household, lines=lines)


def fresh(offer):
    return Offer.objects.get(pk=offer.pk)


def resident_of(household, name="李娜"):
    user = grant(make_user(display_name=name), Role.RESIDENT, household)
    return user


# --- placing, changing, cancelling -------------------------------------------------


def test_a_resident_orders_for_their_household(world, kit):
    order = place(kit, world.resident_a, world.home, 家常蔬菜包=2, 鸡蛋=1)
    bundle, eggs = kit.offers["家常蔬菜包"], kit.offers["鸡蛋"]
    assert order.total == bundle.price * 2 + eggs.price
    assert order.total == order.lines.aggregate(t=Sum("amount"))["t"]
    assert fresh(bundle).stock_left == 98 and fresh(eggs).stock_left == 99
    assert not order.on_behalf
    assert AuditLog.objects.filter(action="market.order.placed", object_id=str(order.pk)).exists()


def test_second_order_of_a_household_is_refused_and_changes_nothing(world, kit):
    place(kit, world.resident_a, world.home, 土豆=1)
    other_member = resident_of(world.home, "张小伟")
    with pytest.raises(Conflict, match="已有订单"):
        place(kit, other_member, world.home, 土豆=2)
    assert fresh(kit.offers["土豆"]).stock_left == 99
    assert Order.objects.filter(household=world.home).count() == 1


def test_the_per_household_limit_is_a_field_error(world, kit):
    with pytest.raises(ValidationError) as exc:
        place(kit, world.resident_a, world.home, 土豆=4)  # limit 3
    assert "每户限购 3" in exc.value.message_dict["lines.0.qty"][0]
    assert fresh(kit.offers["土豆"]).stock_left == 100


def test_out_of_stock_is_a_conflict_that_rolls_back_every_line(world, kit):
    tomato = kit.offers["西红柿"]
    Offer.objects.filter(pk=tomato.pk).update(stock_left=1, stock=1)
    with pytest.raises(Conflict, match="仅剩 1"):
        place(kit, world.resident_a, world.home, 土豆=1, 西红柿=2)
    assert fresh(kit.offers["土豆"]).stock_left == 100
    assert not Order.objects.exists()


def test_change_moves_only_the_difference_and_cancel_returns_everything(world, kit):
    order = place(kit, world.resident_a, world.home, 土豆=2, 青椒=1)
    order = services.order_change(
        actor=world.resident_a,
        order=order,
        lines=[LineIn(kit.offers["土豆"].pk, 3), LineIn(kit.offers["苹果"].pk, 1)],
    )
    assert fresh(kit.offers["土豆"]).stock_left == 97
    assert fresh(kit.offers["青椒"]).stock_left == 100
    assert fresh(kit.offers["苹果"]).stock_left == 99
    assert order.total == kit.offers["土豆"].price * 3 + kit.offers["苹果"].price
    services.order_cancel(actor=world.resident_a, order=order)
    assert all(fresh(o).stock_left == 100 for o in kit.offers.values())
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    # the household may order again after cancelling
    assert place(kit, world.resident_a, world.home, 土豆=1).status == OrderStatus.PLACED


def test_lines_must_belong_to_the_window(world, kit):
    elsewhere = make_market(manager=world.manager_a, compound=world.a, name="另一个")
    other = open_window(elsewhere, manager=world.manager_a, names=["土豆"])
    with pytest.raises(ValidationError) as exc:
        services.order_place(
            actor=world.resident_a,
            window=kit.window,
            household=world.home,
            lines=[LineIn(elsewhere.offers["土豆"].pk, 1)],
        )
    assert "lines.0.offer" in exc.value.message_dict
    assert other.pk != kit.window.pk


def test_who_may_order_for_a_household(world, kit):
    # another household's resident, a volunteer, the regulator: no
    for user in (resident_of(world.other_home), world.volunteer_a, world.regulator):
        with pytest.raises(PermissionDenied):
            place(kit, user, world.home, 土豆=1)
    # staff (代下单) and the building leader of that building: yes, audited as such
    order = place(kit, world.staff_a, world.home, 土豆=1)
    assert order.on_behalf
    assert AuditLog.objects.filter(
        action="market.order.placed_on_behalf", actor=world.staff_a
    ).exists()
    services.order_cancel(actor=world.leader_a, order=order)


def test_a_household_outside_the_markets_compounds_is_refused(world, kit):
    b_resident = resident_of(world.b_home)
    with pytest.raises(ValidationError):
        place(kit, b_resident, world.b_home, 土豆=1)


def test_pickup_slots_fill_up(world, kit):
    window = kit.window
    start = window.closes_at + timedelta(hours=9)
    slot = services.slot_add(
        actor=world.manager_a,
        window=window,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        capacity=1,
    )
    kwargs = {"fulfilment": "pickup", "slot": slot}
    services.order_place(
        actor=world.resident_a,
        window=window,
        household=world.home,
        lines=[LineIn(kit.offers["土豆"].pk, 1)],
        **kwargs,
    )
    with pytest.raises(Conflict, match="约满"):
        services.order_place(
            actor=resident_of(world.other_home),
            window=window,
            household=world.other_home,
            lines=[LineIn(kit.offers["土豆"].pk, 1)],
            **kwargs,
        )
    with pytest.raises(ValidationError):  # a window with slots needs one for pick-up
        services.order_place(
            actor=resident_of(world.other_home, "王五"),
            window=window,
            household=world.other_home,
            lines=[LineIn(kit.offers["土豆"].pk, 1)],
            fulfilment="pickup",
        )


# --- cutoff ----------------------------------------------------------------------------


def test_orders_after_cutoff_are_refused_even_before_the_job_runs(world, kit):
    order = place(kit, world.resident_a, world.home, 土豆=1)
    with time_machine.travel(kit.window.closes_at + timedelta(seconds=1)):
        with pytest.raises(Conflict, match="已截单"):
            place(kit, resident_of(world.other_home), world.other_home, 土豆=1)
        with pytest.raises(Conflict, match="已截单"):
            services.order_cancel(actor=world.resident_a, order=order)
        with pytest.raises(Conflict, match="已截单"):
            services.order_change(
                actor=world.resident_a, order=order, lines=[LineIn(kit.offers["土豆"].pk, 2)]
            )
    assert fresh(kit.offers["土豆"]).stock_left == 99


def test_the_cutoff_job_closes_due_windows_once_and_builds_purchase_orders(world, kit):
    place(kit, world.resident_a, world.home, 家常蔬菜包=2, 土豆=1, 鸡蛋=3)
    place(kit, resident_of(world.other_home), world.other_home, 土豆=3)
    assert cutoff_due_windows.call_local() == 0  # not due yet
    with time_machine.travel(kit.window.closes_at + timedelta(minutes=1)):
        assert cutoff_due_windows.call_local() == 1
        assert cutoff_due_windows.call_local() == 0  # idempotent
    window = OrderWindow.objects.get(pk=kit.window.pk)
    assert window.status == WindowStatus.CLOSED
    assert not Offer.objects.filter(window=window, accepting=True).exists()
    lines = {
        ln.item.name: ln
        for ln in PurchaseLine.objects.filter(purchase_order__window=window).select_related("item")
    }
    # 土豆: 2 bundles x 1 + 1 + 3 = 6, plus 5% spare -> ceil(6.3) = 7
    assert (lines["土豆"].demand_qty, lines["土豆"].order_qty) == (Decimal(6), Decimal(7))
    # 青椒 only in bundles: 2 x 0.5 = 1 -> ceil(1.05) = 2
    assert (lines["青椒"].demand_qty, lines["青椒"].order_qty) == (Decimal(1), Decimal(2))
    suppliers = {po.supplier.name: po for po in PurchaseOrder.objects.filter(window=window)}
    assert set(suppliers) == {"白马蔬菜基地", "东兴禽蛋批发"}
    eggs = suppliers["东兴禽蛋批发"].lines.get()
    assert (eggs.order_qty, eggs.amount) == (Decimal(4), Decimal("36.00"))  # ceil(3.15) x 9.00
    assert all(po.total == sum(ln.amount for ln in po.lines.all()) for po in suppliers.values())


def test_a_manager_may_close_early_and_a_resident_may_not(world, kit):
    with pytest.raises(PermissionDenied):
        services.window_close(actor=world.resident_a, window=kit.window)
    assert services.window_close(actor=world.manager_a, window=kit.window)
    window = OrderWindow.objects.get(pk=kit.window.pk)
    assert window.closes_at <= timezone.now()
    with pytest.raises(Conflict):
        place(kit, world.resident_a, world.home, 土豆=1)


def test_a_scheduled_window_does_not_take_orders_yet(world):
    kit = make_market(manager=world.manager_a, compound=world.a)
    soon = timezone.now() + timedelta(hours=2)
    open_window(kit, manager=world.manager_a, opens_at=soon, closes_at=soon + timedelta(hours=3))
    with pytest.raises(Conflict, match="开始"):
        place(kit, world.resident_a, world.home, 土豆=1)


def test_offers_are_frozen_once_published(world, kit):
    with pytest.raises(Conflict):
        services.offer_save(
            actor=world.manager_a, window=kit.window, item=kit.items["土豆"], price="1.00", stock=5
        )
    offer = services.offer_restock(actor=world.manager_a, offer=kit.offers["土豆"], extra=10)
    assert (offer.stock, offer.stock_left) == (110, 110)


# --- receiving and shortages ------------------------------------------------------------


def _closed_with_orders(world, kit, rule=ShortageRule.PRO_RATA):
    kit.market.shortage_rule = rule
    kit.market.save()
    homes = list(world.a.households.order_by("id")[:4])
    orders = []
    for n, (home, qty) in enumerate(zip(homes, [3, 3, 2, 2], strict=True)):
        user = world.resident_a if home == world.home else resident_of(home, f"住户{n}")
        orders.append(place(kit, user, home, 土豆=qty, 鸡蛋=1))
    services.window_close(actor=world.manager_a, window=kit.window)
    return OrderWindow.objects.get(pk=kit.window.pk), orders


def _receiving_time(window):
    return timezone.make_aware(datetime.combine(window.delivery_date, time(5, 0)))


def _receive_all(window, manager, **usable):
    for line in PurchaseLine.objects.filter(purchase_order__window=window).select_related("item"):
        qty = usable.get(line.item.name, line.order_qty)
        services.receive_line(
            actor=manager, line=line, received_qty=qty + 1, rejected_qty=1, reason="压坏"
        )


def test_receiving_starts_at_five_local_time(world, kit):
    window, _orders = _closed_with_orders(world, kit)
    line = PurchaseLine.objects.filter(purchase_order__window=window).first()
    with time_machine.travel(_receiving_time(window) - timedelta(minutes=1)):
        with pytest.raises(Conflict, match="05:00"):
            services.receive_line(actor=world.staff_a, line=line, received_qty=1)
    with time_machine.travel(_receiving_time(window)):
        services.receive_line(actor=world.staff_a, line=line, received_qty=1)
        _bad_receiving(world, line)


def _bad_receiving(world, line):
    with pytest.raises(ValidationError):
        services.receive_line(
            actor=world.staff_a, line=line, received_qty=1, rejected_qty=2, reason="坏"
        )
    with pytest.raises(ValidationError, match="原因"):
        services.receive_line(actor=world.staff_a, line=line, received_qty=3, rejected_qty=1)


def test_receiving_needs_every_line_recorded(world, kit):
    window, _orders = _closed_with_orders(world, kit)
    with time_machine.travel(_receiving_time(window)):
        with pytest.raises(ValidationError, match="未验收"):
            services.receiving_finish(actor=world.staff_a, window=window)


def test_pro_rata_shortage_adjusts_orders_and_tells_households(world, kit):
    window, orders = _closed_with_orders(world, kit)
    with time_machine.travel(_receiving_time(window) + timedelta(minutes=30)):
        _receive_all(window, world.staff_a, 土豆=Decimal(5))  # 10 ordered, 5 usable
        result = services.receiving_finish(actor=world.staff_a, window=window)
    assert result["orders_adjusted"] == 4
    potato = kit.offers["土豆"]
    filled = [
        o.lines.get(offer=potato).qty_filled
        for o in Order.objects.filter(pk__in=[o.pk for o in orders]).order_by("id")
    ]
    assert filled == [2, 1, 1, 1]  # 1.5/1.5/1/1 -> floors 1/1/1/1, one left to the earliest .5
    for order in Order.objects.filter(pk__in=[o.pk for o in orders]):
        assert order.total == order.lines.aggregate(t=Sum("amount"))["t"]
        assert order.adjusted_at is not None
    note = Notification.objects.get(recipient=world.resident_a, kind="market.shortage")
    assert "按比例" in note.body and "土豆 订 3份，实配 2份" in note.body
    assert OrderWindow.objects.get(pk=window.pk).status == WindowStatus.RECEIVED


def test_first_come_shortage_serves_earliest_orders_in_full(world, kit):
    window, orders = _closed_with_orders(world, kit, rule=ShortageRule.FIRST_COME)
    with time_machine.travel(_receiving_time(window)):
        _receive_all(window, world.staff_a, 土豆=Decimal(5))
        services.receiving_finish(actor=world.staff_a, window=window)
    potato = kit.offers["土豆"]
    filled = [
        o.lines.get(offer=potato).qty_filled
        for o in Order.objects.filter(pk__in=[o.pk for o in orders]).order_by("placed_at", "id")
    ]
    assert filled == [3, 2, 0, 0]


# --- sorting, hand-off, payments, report -----------------------------------------------------


def test_packing_every_bag_finishes_the_window_and_the_report_says_so(world, kit):
    window, orders = _closed_with_orders(world, kit)
    with pytest.raises(Conflict, match="验收完成"):
        services.bag_pack(actor=world.staff_a, order=orders[0])
    with time_machine.travel(_receiving_time(window)):
        _receive_all(window, world.staff_a, 土豆=Decimal(5))
        services.receiving_finish(actor=world.staff_a, window=window)
    board = selectors.sorting_board(window)
    assert sum(b["total"] for b in board) == 4 and sum(b["packed"] for b in board) == 0
    with pytest.raises(PermissionDenied):
        services.bag_pack(actor=world.resident_a, order=orders[0])
    for order in orders:
        assert services.bag_pack(actor=world.staff_a, order=order)
    assert not services.bag_pack(actor=world.staff_a, order=orders[0])  # already packed
    window.refresh_from_db()
    assert window.status == WindowStatus.PACKED and window.packed_at is not None
    report = selectors.window_report(window)
    assert (report["orders"], report["households"]) == (4, 4)
    assert report["units_ordered"] == 14 and report["units_filled"] == 9
    assert report["fill_rate"] == Decimal("64.3")
    assert report["price_vs_reference"] < 100
    assert report["packing_finished_at"] == window.packed_at


def test_payments_are_recorded_by_staff_through_a_channel(world, kit):
    order = place(kit, world.resident_a, world.home, 土豆=2)
    with pytest.raises(PermissionDenied):
        services.payment_record(
            actor=world.resident_a, order=order, channel="cash", amount=order.total
        )
    with pytest.raises(ValidationError) as exc:
        services.payment_record(
            actor=world.staff_a, order=order, channel="transfer", amount=order.total
        )
    assert "reference" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.payment_record(
            actor=world.staff_a, order=order, channel="wechat_pay", amount=order.total
        )
    assert selectors.order_payment_state(order)[1] == "unpaid"
    services.payment_record(actor=world.staff_a, order=order, channel="cash", amount="1.00")
    assert selectors.order_payment_state(order)[1] == "partial"
    services.payment_record(
        actor=world.staff_a,
        order=order,
        channel="transfer",
        amount=order.total - Decimal("1.00"),
        reference="8841",
    )
    assert selectors.order_payment_state(order) == (order.total, "paid")
    services.payment_record(
        actor=world.staff_a, order=order, channel="cash", amount="0.50", kind=PaymentKind.REFUND
    )
    assert selectors.order_payment_state(order)[1] == "partial"
    assert (
        AuditLog.objects.filter(action="market.payment.payment", object_id=str(order.pk)).count()
        == 2
    )


def test_an_open_epidemic_makes_delivery_contactless(world, kit, login, monkeypatch):
    """While an epidemic covers the compound (asked through the kernel intent
    ``emergency.active_for``), pick-up is refused with a field error and the
    order form offers door delivery only; a flood, or another compound, keeps
    pick-up."""
    from wanjia.core import intents

    open_now = {world.a.pk: [{"id": 1, "kind": "epidemic", "grade": "IV", "title": "疫情防控演练"}]}
    monkeypatch.setitem(intents._OFFERS, "emergency.active_for", lambda cid: open_now.get(cid, []))
    lines = [LineIn(kit.offers["土豆"].pk, 1)]
    with pytest.raises(ValidationError) as refused:
        services.order_place(
            actor=world.resident_a,
            window=kit.window,
            household=world.home,
            lines=lines,
            fulfilment="pickup",
        )
    assert "fulfilment" in refused.value.message_dict
    assert not Order.objects.exists()
    page = login(world.resident_a).get(f"/h5/market/w/{kit.window.pk}/").content.decode()
    assert 'data-testid="contactless-only"' in page and 'value="pickup"' not in page
    services.order_place(
        actor=world.resident_a, window=kit.window, household=world.home, lines=lines
    )  # to the door
    open_now[world.a.pk] = [{"id": 2, "kind": "flood", "grade": "III", "title": "防汛"}]
    services.order_place(
        actor=resident_of(world.other_home),
        window=kit.window,
        household=world.other_home,
        lines=lines,
        fulfilment="pickup",
    )
