"""The delivery pages: the manager plans a sorted window and reads the plan,
its drawing, run sheets and live board; the courier closes bags at the door
by pickup code or by scanning the label; the resident sees the code and the
time. Tenancy holds on every page (wrong role 403, other tenant 404)."""

import xml.etree.ElementTree as ET
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone

from wanjia.delivery import codes, services, svg
from wanjia.delivery.models import Courier, Delivery, DeliveryPlan, DeliveryStatus, PlanStatus
from wanjia.delivery.testing import post_courier, sorted_window
from wanjia.estates.models import Duty, StaffDuty, StaffMember
from wanjia.estates.testing import make_user
from wanjia.market.models import Order, OrderWindow, WindowStatus

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Wrong-code counts live in the cache: each test starts from none."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "delivery-pages",
        }
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def kit(world):
    return sorted_window(world)


@pytest.fixture
def courier_user(db):
    """A courier's own account: no role anywhere, only the route."""
    return make_user("courier_wang", display_name="老王")


def plan_for(world, kit) -> DeliveryPlan:
    plan = services.plan_request(
        actor=world.manager_a, window=kit.window, couriers=kit.couriers, seconds=1
    )
    services.plan_run(plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DONE, plan.error
    return plan


@pytest.fixture
def planned(world, kit, courier_user):
    post_courier(world, kit, user=courier_user, name="老王")
    return plan_for(world, kit)


def bag_of(plan, household) -> Delivery:
    return Delivery.objects.select_related("order", "stop").get(
        plan=plan, order__household=household
    )


def text(res) -> str:
    return res.content.decode()


# --- the manager ------------------------------------------------------------------------


def test_manager_reads_home_window_plan_sheets_board_and_map(world, kit, planned, login):
    client = login(world.manager_a)
    route = planned.routes.get()
    home = text(client.get(reverse("delivery_home")))
    assert kit.window.title in home and reverse("delivery_plan", args=[planned.pk]) in home
    assert reverse("delivery_couriers", args=[kit.market.pk]) in home
    assert "0</b> / 12" in home

    window = text(client.get(reverse("delivery_window", args=[kit.window.pk])))
    assert "老王" in window and "重新规划" in window and 'value="06:00"' in window

    page = client.get(reverse("delivery_plan", args=[planned.pk]))
    body = text(page)
    assert page.status_code == 200
    assert "12 / 12" in body and "全部菜袋都排进了路线" in body
    # every bag on time: the advice leads with the couriers this plan uses
    assert "本方案用 <b>1</b> 名配送员即可按时送完，今天共 1 名" in body
    assert "今天的配送员最早 <b>" in body
    assert reverse("delivery_route", args=[route.pk]) in body and "<svg" in body
    assert planned.finish_at and timezone.localtime(planned.finish_at).strftime("%H:%M") in body

    sheets = text(client.get(reverse("delivery_sheets", args=[planned.pk])))
    assert "配送路线单 · 老王" in sheets and "配送员签名" in sheets
    for order in kit.orders:
        assert order.household.code in sheets and order.code in sheets
    assert "13500000000" not in sheets and "张伟" not in sheets  # no phones, no names
    one = client.get(reverse("delivery_sheets", args=[planned.pk]) + f"?route={route.pk}")
    assert one.status_code == 200 and text(one).count('data-testid="sheet"') == 1
    assert client.get(reverse("delivery_sheets", args=[planned.pk]) + "?route=x").status_code == 404

    board = client.get(reverse("delivery_board", args=[planned.pk]))
    assert board.status_code == 200 and 'hx-trigger="every 10s"' in text(board)
    part = client.get(reverse("delivery_board", args=[planned.pk]) + "?part=board", **HX)
    assert "<html" not in text(part) and 'data-testid="delivered-total">0' in text(part)

    drawing = client.get(reverse("delivery_map", args=[planned.pk]))
    assert drawing["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(drawing.content)
    assert len(root.findall(f".//{SVG_NS}polyline")) == planned.routes.count()


def test_failed_plan_shows_its_error(world, kit, login):
    post_courier(world, kit, name="小李")
    kit.market.compound.__class__.objects.filter(pk=kit.market.compound_id).update(lat=None)
    plan = services.plan_request(
        actor=world.manager_a, window=kit.window, couriers=kit.couriers, seconds=1
    )
    services.plan_run(plan.pk)
    page = text(login(world.manager_a).get(reverse("delivery_plan", args=[plan.pk])))
    assert "规划没有完成" in page and "市场所在小区没有坐标" in page


def test_plan_page_polls_while_the_job_runs_then_reloads(world, kit, login):
    post_courier(world, kit, name="小李")
    plan = services.plan_request(
        actor=world.manager_a, window=kit.window, couriers=kit.couriers, seconds=1
    )
    client = login(world.manager_a)
    page = text(client.get(reverse("delivery_plan", args=[plan.pk])))
    assert f"job-{plan.job_id}" in page and "part=watch" in page
    watch = reverse("delivery_plan", args=[plan.pk]) + "?part=watch"
    assert client.get(watch, **HX).status_code == 204
    services.plan_run(plan.pk)
    assert client.get(watch, **HX)["HX-Refresh"] == "true"


@pytest.mark.django_db(transaction=True)
def test_plan_from_the_window_page(world, kit, login):
    post_courier(world, kit, name="小李")
    courier = kit.couriers[0]
    client = login(world.manager_a)
    res = client.post(
        reverse("delivery_window", args=[kit.window.pk]),
        {"start": "06:10", "deadline": "08:00", "seconds": "1", "couriers": [courier.pk]},
    )
    plan = DeliveryPlan.objects.get()
    assert res.status_code == 302 and res["Location"] == reverse("delivery_plan", args=[plan.pk])
    assert plan.status == PlanStatus.DONE  # Huey runs at once in tests, after the commit
    assert f"{timezone.localtime(plan.start_at):%H:%M}" == "06:10"


def test_window_form_refuses_in_place(world, kit, login):
    post_courier(world, kit, name="小李")
    client = login(world.manager_a)
    url = reverse("delivery_window", args=[kit.window.pk])
    res = client.post(url, {"start": "6点", "deadline": "08:00", "seconds": "x"})
    body = text(res)
    assert res.status_code == 422 and "出发时间应为 时:分" in body and "计算时长应为整数秒" in body
    res = client.post(url, {"start": "06:00", "deadline": "05:00", "seconds": "1"})
    assert res.status_code == 422 and "请至少选择一名配送员" in text(res)
    res = client.post(
        url, {"start": "06:00", "deadline": "05:00", "seconds": "1", "couriers": kit.couriers[0].pk}
    )
    assert "送达截止时间应晚于出发时间" in text(res)
    OrderWindow.objects.filter(pk=kit.window.pk).update(status=WindowStatus.OPEN)
    res = client.post(
        url, {"start": "06:00", "deadline": "08:00", "seconds": "1", "couriers": kit.couriers[0].pk}
    )
    assert res.status_code == 422 and "截单后才能规划配送路线" in text(res)
    assert not DeliveryPlan.objects.exists()


# --- tenancy ----------------------------------------------------------------------------


def test_wrong_role_403_other_tenant_404(world, kit, planned, login):
    route = planned.routes.get()
    bag = bag_of(planned, world.home)
    pages = [
        reverse("delivery_plan", args=[planned.pk]),
        reverse("delivery_sheets", args=[planned.pk]),
        reverse("delivery_board", args=[planned.pk]),
        reverse("delivery_map", args=[planned.pk]),
        reverse("delivery_route", args=[route.pk]),
        reverse("delivery_window", args=[kit.window.pk]),
        reverse("delivery_couriers", args=[kit.market.pk]),
    ]
    for user, status in (
        (world.resident_a, 403),
        (world.volunteer_a, 403),
        (world.outsider_b, 404),
    ):
        client = login(user)
        for url in pages:
            assert client.get(url).status_code == status, (user, url)
        code = {"method": "code", "code": codes.pickup_code(bag.order.code)}
        assert client.post(reverse("delivery_confirm", args=[bag.pk]), code).status_code == status
        fail = {"reason": "nobody"}
        assert client.post(reverse("delivery_fail", args=[bag.pk]), fail).status_code == status
        scan = {"scanned": bag.order.code}
        assert client.post(reverse("delivery_scan", args=[route.pk]), scan).status_code == status
    bag.refresh_from_db()
    assert (
        bag.status == DeliveryStatus.PENDING
        and Order.objects.get(pk=bag.order_id).handed_at is None
    )
    # a staff member watches (board, sheets) but does not plan
    staff = login(world.staff_a)
    assert staff.get(reverse("delivery_board", args=[planned.pk])).status_code == 200
    assert staff.post(reverse("delivery_window", args=[kit.window.pk]), {}).status_code == 403


# --- the courier ------------------------------------------------------------------------


def test_courier_goes_to_own_route(world, planned, courier_user, login):
    client = login(courier_user)
    route = planned.routes.get()
    res = client.get(reverse("delivery_home"))
    assert res.status_code == 302 and res["Location"] == reverse("delivery_mine")
    mine = text(client.get(reverse("delivery_mine")))
    assert reverse("delivery_route", args=[route.pk]) in mine
    page = text(client.get(reverse("delivery_route", args=[route.pk])))
    assert "已送 0 / 12" in page and "输入取货码" in page and 'inputmode="numeric"' in page
    assert 'capture="environment"' in page and reverse("delivery_scan", args=[route.pk]) in page
    assert world.home.code in page and "张伟" not in page
    # the courier does not see the planner's pages
    assert client.get(reverse("delivery_plan", args=[planned.pk])).status_code == 404


def test_hand_off_by_pickup_code(world, planned, courier_user, login):
    client = login(courier_user)
    bag = bag_of(planned, world.home)
    url = reverse("delivery_confirm", args=[bag.pk])
    wrong = str((int(codes.pickup_code(bag.order.code)) + 1) % 10**6).zfill(6)
    res = client.post(url, {"method": "code", "code": wrong, "progress": "1"}, **HX)
    assert res.status_code == 422 and "取货码不对" in text(res) and f'id="d-{bag.pk}"' in text(res)
    bag.refresh_from_db()
    assert (
        bag.status == DeliveryStatus.PENDING
        and Order.objects.get(pk=bag.order_id).handed_at is None
    )

    right = codes.pickup_code(bag.order.code)
    res = client.post(url, {"method": "code", "code": right, "progress": "1"}, **HX)
    bag.refresh_from_db()
    order = Order.objects.get(pk=bag.order_id)
    assert res.status_code == 200 and bag.status == DeliveryStatus.DELIVERED
    assert order.handed_at == bag.delivered_at and order.handed_by == courier_user
    at = timezone.localtime(order.handed_at).strftime("%H:%M")
    assert f"已于 {at} 送达" in text(res) and "已送 1 / 12" in text(res)
    assert 'hx-swap-oob="true"' in text(res)

    again = client.post(url, {"method": "code", "code": right}, **HX)
    assert again.status_code == 422 and "不能重复确认" in text(again)

    resident = text(login(world.resident_a).get(reverse("market_h5_order", args=[order.pk])))
    assert f"已于 {at} 送达门口" in resident


def test_hand_off_by_scanning_the_label(world, planned, courier_user, login):
    client = login(courier_user)
    route = planned.routes.get()
    bag = bag_of(planned, world.other_home)
    url = reverse("delivery_scan", args=[route.pk])
    label = f"http://testserver/console/market/bag/{bag.order.code}/"
    res = client.post(url, {"scanned": label, "progress": "1"}, **HX)
    bag.refresh_from_db()
    assert res.status_code == 200 and bag.status == DeliveryStatus.DELIVERED and bag.method == "qr"
    assert "已确认送达" in text(res) and f'id="d-{bag.pk}"' in text(res)
    again = client.post(url, {"scanned": bag.order.code}, **HX)
    assert again.status_code == 422 and "不能重复确认" in text(again)
    unknown = client.post(url, {"scanned": "NOPE-123"}, **HX)
    assert unknown.status_code == 422 and "没有找到这一袋" in text(unknown)
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 1


def test_label_page_offers_the_hand_off(world, planned, courier_user, login):
    bag = bag_of(planned, world.home)
    label = reverse("market_bag", args=[bag.order.code])
    # the courier (no market role) lands on the bag in their route
    res = login(courier_user).get(label)
    assert res.status_code == 302
    assert res["Location"] == reverse("delivery_route", args=[bag.stop.route_id]) + f"#d-{bag.pk}"
    # the manager standing in sees the button on the bag page and uses it
    manager = login(world.manager_a)
    page = text(manager.get(label))
    assert 'data-testid="bag-handoff"' in page and "确认送达" in page
    res = manager.post(
        reverse("delivery_confirm", args=[bag.pk]),
        {"method": "qr", "code": bag.order.code, "compact": "1"},
        **HX,
    )
    bag.refresh_from_db()
    assert res.status_code == 200 and bag.status == DeliveryStatus.DELIVERED
    assert 'data-testid="bag-handoff"' not in text(manager.get(label))
    assert login(world.outsider_b).get(label).status_code == 404


def test_fail_with_reason_and_board_counts(world, planned, courier_user, login):
    client = login(courier_user)
    first, second, third = Delivery.objects.filter(plan=planned).order_by("pk")[:3]
    fail = reverse("delivery_fail", args=[first.pk])
    res = client.post(fail, {"reason": ""}, **HX)
    assert res.status_code == 422 and "请选择未送达的原因" in text(res)
    res = client.post(fail, {"reason": "other", "note": ""}, **HX)
    assert res.status_code == 422 and "请写明原因" in text(res)
    res = client.post(fail, {"reason": "nobody", "note": "敲门无人", "progress": "1"}, **HX)
    first.refresh_from_db()
    assert res.status_code == 200 and first.status == DeliveryStatus.FAILED
    assert "无人应答" in text(res) and "1 袋未送达" in text(res)
    for bag in (second, third):
        code = codes.pickup_code(bag.order.code)
        client.post(reverse("delivery_confirm", args=[bag.pk]), {"method": "code", "code": code})
    board = text(
        login(world.manager_a).get(
            reverse("delivery_board", args=[planned.pk]) + "?part=board", **HX
        )
    )
    assert 'data-testid="delivered-total">2<small> / 12' in board
    assert 'data-testid="failed-total">1<' in board and 'data-testid="unserved-total">0<' in board
    # a bag the market handed over at its pick-up point counts as delivered too
    fourth = Delivery.objects.filter(plan=planned, status=DeliveryStatus.PENDING).first()
    Order.objects.filter(pk=fourth.order_id).update(handed_at=timezone.now())
    board = text(
        login(world.manager_a).get(
            reverse("delivery_board", args=[planned.pk]) + "?part=board", **HX
        )
    )
    assert 'data-testid="delivered-total">3<small> / 12' in board
    # without htmx the courier is sent back to the bag on the route
    res = client.post(fail, {"reason": "access"})
    assert res.status_code == 302 and res["Location"].endswith(f"#d-{first.pk}")


def test_photo_is_kept_and_shown_to_who_may_see_it(
    world, planned, courier_user, login, settings, tmp_path
):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    raw = BytesIO()
    Image.new("RGB", (40, 30), "red").save(raw, "PNG")
    raw.name = "door.png"
    raw.seek(0)
    bag = bag_of(planned, world.home)
    client = login(courier_user)
    code = codes.pickup_code(bag.order.code)
    res = client.post(
        reverse("delivery_confirm", args=[bag.pk]),
        {"method": "code", "code": code, "photo": raw},
        **HX,
    )
    assert res.status_code == 200 and reverse("delivery_photo", args=[bag.pk]) in text(res)
    photo = login(world.manager_a).get(reverse("delivery_photo", args=[bag.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert login(world.outsider_b).get(reverse("delivery_photo", args=[bag.pk])).status_code == 404
    other = bag_of(planned, world.other_home)
    assert client.get(reverse("delivery_photo", args=[other.pk])).status_code == 404  # no photo


# --- the resident -----------------------------------------------------------------------


def test_resident_sees_pickup_code_then_eta(world, kit, courier_user, login):
    order = Order.objects.get(window=kit.window, household=world.home)
    client = login(world.resident_a)
    url = reverse("market_h5_order", args=[order.pk])
    before = text(client.get(url))
    assert codes.pickup_code(order.code) in before and "送到时隔着门告诉配送员" in before
    assert "前送达" not in before
    post_courier(world, kit, user=courier_user, name="老王")
    plan = plan_for(world, kit)
    bag = bag_of(plan, world.home)
    after = text(client.get(url))
    assert "预计 " in after and "前送达" in after and codes.pickup_code(order.code) in after
    shown = after.split("预计 ")[1][:5]
    assert shown >= timezone.localtime(bag.stop.eta).strftime("%H:%M")


# --- couriers ---------------------------------------------------------------------------


def test_couriers_add_edit_and_refuse_in_place(world, kit, login):
    staff = StaffMember.objects.create(company=world.a.company, compound=world.a, name="赵师傅")
    StaffDuty.objects.create(staff=staff, duty=Duty.COURIER)
    client = login(world.manager_a)
    url = reverse("delivery_couriers", args=[kit.market.pk])
    page = text(client.get(url))
    assert "赵师傅" in page and f"s-{staff.pk}" in page and f"v-{world.volunteer_a.pk}" in page
    res = client.post(url, {"person": f"s-{staff.pk}", "mode": "foot", "capacity": "abc"}, **HX)
    assert res.status_code == 422 and "每趟袋数应为数字" in text(res) and "<html" not in text(res)
    res = client.post(url, {"person": "", "mode": "foot"}, **HX)
    assert res.status_code == 422 and "请从名单中选择员工或志愿者" in text(res)
    assert not Courier.objects.exists()
    res = client.post(url, {"person": f"s-{staff.pk}", "mode": "foot"}, **HX)
    courier = Courier.objects.get()
    assert res["HX-Redirect"] == url and courier.capacity == 6 and float(courier.speed_kmh) == 4.5
    res = client.post(url, {"person": f"v-{world.volunteer_a.pk}", "mode": "ebike"})
    assert res.status_code == 302 and Courier.objects.get(is_volunteer=True).capacity == 12
    roster = text(client.get(url))
    assert "志愿者" in roster and "赵师傅" in roster

    edit = reverse("delivery_courier_edit", args=[courier.pk])
    assert client.get(edit).status_code == 200
    res = client.post(edit, {"mode": "foot", "shift_start": "07:00", "shift_end": "06:00"})
    assert res.status_code == 422 and "下岗时间应晚于上岗时间" in text(res)
    res = client.post(
        edit,
        {
            "mode": "tricycle",
            "speed_kmh": "",
            "capacity": "20",
            "shift_start": "06:00",
            "shift_end": "09:00",
        },
    )
    courier.refresh_from_db()
    assert res.status_code == 302 and not courier.active and courier.capacity == 20
    assert login(world.staff_a).get(edit).status_code == 403
    assert login(world.outsider_b).get(edit).status_code == 404


# --- the drawing ------------------------------------------------------------------------


def test_route_drawing_is_valid_svg_with_one_line_per_route():
    p = svg.Place
    data = svg.MapData(
        depot=p(29.580, 105.050, "菜篮子<市场>"),
        gates=(p(29.585, 105.056, "和平苑 & 东门"),),
        routes=(
            svg.RouteLine("老王", ((p(29.581, 105.051, "1栋"), p(29.582, 105.052, "2栋")),)),
            svg.RouteLine(
                "小李",
                ((p(29.584, 105.055, "3栋"),), (p(29.586, 105.057, "4栋"),)),
            ),
        ),
        unserved=(p(29.59, 105.06, "远处"),),
        title="测试",
        legend_unserved="未能安排",
    )
    root = ET.fromstring(svg.route_map(data))
    lines = root.findall(f".//{SVG_NS}polyline")
    assert len(lines) == 2
    # the second route goes back to the market between its two trips
    points = lines[1].get("points").split()
    assert len(points) == 5 and points[0] == points[2] == points[4]
    texts = "".join(t.text or "" for t in root.iter(f"{SVG_NS}text"))
    assert (
        "老王" in texts and "小李" in texts and "菜篮子<市场>" in texts and "和平苑 & 东门" in texts
    )
    xs = [float(v.split(",")[0]) for v in points]
    assert all(0 <= x <= svg.WIDTH for x in xs)
    # north is up: the northern stop is drawn higher than the market
    ys = [float(v.split(",")[1]) for v in points]
    assert ys[1] < ys[0]


def test_a_run_reads_done_only_when_every_bag_is_delivered(world, kit, planned, login):
    """One label (selectors.run_state) on the home row, window and plan pages:
    a computed plan is "方案已生成", its run 待出发 → 配送中 → 已送完."""
    from wanjia.delivery.models import Delivery, DeliveryStatus

    client = login(world.manager_a)

    def home():
        return text(client.get(reverse("delivery_home")))

    assert "待出发" in home() and "已完成" not in home()
    for url in (
        reverse("delivery_plan", args=[planned.pk]),
        reverse("delivery_window", args=[kit.window.pk]),
    ):
        body = text(client.get(url))
        assert "方案已生成" in body and "已完成" not in body
    bags = Delivery.objects.filter(plan=planned).order_by("pk")
    Delivery.objects.filter(pk__in=list(bags.values_list("pk", flat=True)[:3])).update(
        status=DeliveryStatus.DELIVERED
    )
    assert "3</b> / 12" in home() and "配送中" in home() and "已完成" not in home()
    bags.update(status=DeliveryStatus.DELIVERED)
    assert "12</b> / 12" in home() and "已送完" in home()
