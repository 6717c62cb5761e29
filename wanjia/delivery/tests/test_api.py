"""The delivery API: shapes, and for every endpoint the allowed persona, a
wrong role (403) and another tenant (404), with denied paths changing nothing;
Idempotency-Key on planning; bad input a 4xx naming the field, never a 500."""

import json
from datetime import datetime, time
from types import SimpleNamespace

import pytest
from django.utils import timezone

from wanjia.core.models import AuditLog, IdempotencyKey, Job
from wanjia.delivery import services
from wanjia.delivery.codes import pickup_code
from wanjia.delivery.models import Courier, Delivery, DeliveryPlan, DeliveryStatus, Mode
from wanjia.delivery.testing import post_courier, sorted_window
from wanjia.estates.models import Duty, StaffDuty, StaffMember
from wanjia.market.models import Order
from wanjia.market.testing import make_market, open_window

pytestmark = pytest.mark.django_db

URL = "/api/v1/delivery"


@pytest.fixture(autouse=True)
def _own_cache(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"dapi-api-{tmp_path.name}",
        }
    }


@pytest.fixture
def no_sizing(monkeypatch):
    """Routes without the courier-count questions (tested with planning)."""
    from wanjia.delivery.services import planning

    monkeypatch.setattr(planning, "_sizing", lambda *args, **kwargs: {})


def send(client, method, path, data=None, **headers):
    return getattr(client, method)(
        f"{URL}{path}",
        json.dumps(data) if data is not None else None,
        content_type="application/json",
        headers=headers,
    )


def fields(res) -> list[str]:
    return [e["field"] for e in res.json()["errors"]]


def local(day, hh, mm=0) -> str:
    return timezone.make_aware(datetime.combine(day, time(hh, mm))).isoformat()


@pytest.fixture
def kit(world):
    kit = sorted_window(world)
    post_courier(world, kit, user=world.staff_a, name="赵师傅")
    return kit


@pytest.fixture
def run(world, kit, no_sizing):
    plan = services.plan_request(
        actor=world.manager_a, window=kit.window, couriers=kit.couriers, seconds=1
    )
    services.plan_run(plan.pk)
    plan.refresh_from_db()
    home = Delivery.objects.select_related("order").get(plan=plan, order__household=world.home)
    return SimpleNamespace(kit=kit, plan=plan, home=home)


def duty_staff(company, compound, name="新配送员"):
    staff = StaffMember.objects.create(company=company, compound=compound, name=name)
    StaffDuty.objects.create(staff=staff, duty=Duty.COURIER)
    return staff


# --- couriers ------------------------------------------------------------------------


def test_couriers_of_a_market(world, kit, api):
    market = kit.market.pk
    for user in (world.manager_a, world.staff_a):
        res = api(user).get(f"{URL}/couriers", {"market": market})
        assert res.status_code == 200, res.content
        data = res.json()
        assert data["count"] == 1
        courier = data["items"][0]
        assert courier["name"] == "赵师傅" and courier["market"] == market
        assert courier["mode"] == "tricycle" and courier["capacity"] == 30
        assert courier["shift_start"] == "06:00" and courier["phone"] == "135****0000"
    assert api(world.resident_a).get(f"{URL}/couriers", {"market": market}).status_code == 403
    assert api(world.outsider_b).get(f"{URL}/couriers", {"market": market}).status_code == 404
    assert api(world.outsider_b).get(f"{URL}/couriers").json()["count"] == 0


def test_post_a_staff_courier(world, kit, api):
    staff = duty_staff(world.a.company, world.a)
    body = {"market": kit.market.pk, "staff": staff.pk, "mode": "ebike", "shift_end": "08:30"}
    res = send(api(world.manager_a), "post", "/couriers", body)
    assert res.status_code == 201, res.content
    data = res.json()
    assert data["staff"] == staff.pk and data["mode"] == "ebike"
    assert data["capacity"] == 12 and data["speed_kmh"] == "15.0"  # the mode's defaults
    assert data["shift_end"] == "08:30"
    assert Courier.objects.filter(staff=staff).count() == 1
    # The same person twice is a field error.
    again = send(api(world.manager_a), "post", "/couriers", body)
    assert again.status_code == 422 and fields(again) == ["staff"]


def test_post_a_volunteer_courier(world, kit, api):
    body = {"market": kit.market.pk, "volunteer": world.volunteer_a.pk, "mode": "foot"}
    res = send(api(world.manager_a), "post", "/couriers", body)
    assert res.status_code == 201, res.content
    assert res.json()["is_volunteer"] and res.json()["user"] == world.volunteer_a.pk


def test_posting_couriers_is_for_planners_of_the_market(world, kit, api):
    staff = duty_staff(world.a.company, world.a)
    body = {"market": kit.market.pk, "staff": staff.pk}
    before = Courier.objects.count()
    for user in (world.staff_a, world.resident_a, world.volunteer_a):
        assert send(api(user), "post", "/couriers", body).status_code == 403
    assert send(api(world.outsider_b), "post", "/couriers", body).status_code == 404
    assert Courier.objects.count() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"mode": "horse"}, "mode"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 10**30}, "capacity"),
        ({"speed_kmh": 1e308}, "speed_kmh"),
        ({"shift_start": "25:00"}, "shift_start"),
        ({"shift_start": "six"}, "shift_start"),
        ({"shift_start": "09:00", "shift_end": "08:00"}, "shift_end"),
        ({"phone": "1" * 21}, "phone"),
        ({"staff": None}, "staff"),
        ({"staff": "other-company"}, "staff"),
        ({"staff": 2**63}, "staff"),
        ({"volunteer": "resident"}, "volunteer"),
        ({"market": "x"}, "market"),
    ],
)
def test_bad_courier_input_names_the_field(world, kit, api, change, field):
    staff = duty_staff(world.a.company, world.a)
    body = {"market": kit.market.pk, "staff": staff.pk, **change}
    if change.get("staff") == "other-company":
        body["staff"] = duty_staff(world.b.company, world.b).pk
    if change.get("volunteer") == "resident":
        body = {"market": kit.market.pk, "volunteer": world.resident_a.pk}
    before = Courier.objects.count()
    res = send(api(world.manager_a), "post", "/couriers", body)
    assert res.status_code == 422, res.content
    assert field in fields(res) and res.json()["errors"][0]["message"]
    assert Courier.objects.count() == before


def test_change_a_courier(world, kit, api):
    courier = kit.couriers[0]
    res = send(
        api(world.manager_a),
        "patch",
        f"/couriers/{courier.pk}",
        {"capacity": 20, "active": False, "shift_start": "06:30"},
    )
    assert res.status_code == 200, res.content
    courier.refresh_from_db()
    assert (courier.capacity, courier.active, courier.mode) == (20, False, Mode.TRICYCLE)
    assert res.json()["shift_start"] == "06:30" and not res.json()["active"]


def test_changing_a_courier_is_for_planners_of_the_market(world, kit, api):
    courier = kit.couriers[0]
    path = f"/couriers/{courier.pk}"
    for user in (world.staff_a, world.resident_a):
        assert send(api(user), "patch", path, {"capacity": 1}).status_code == 403
    assert send(api(world.outsider_b), "patch", path, {"capacity": 1}).status_code == 404
    assert (
        send(api(world.manager_a), "patch", "/couriers/999999", {"capacity": 1}).status_code == 404
    )
    bad = send(api(world.manager_a), "patch", path, {"shift_end": "05:00"})
    assert bad.status_code == 422 and fields(bad) == ["shift_end"]
    assert Courier.objects.get(pk=courier.pk).capacity == 30
    assert send(api(world.manager_a), "patch", path, []).status_code == 422


# --- planning ------------------------------------------------------------------------


def plan_body(kit, **extra):
    return {"couriers": [c.pk for c in kit.couriers], "seconds": 1, **extra}


def test_request_a_plan_is_202_with_where_to_follow_it(world, kit, api):
    res = send(api(world.manager_a), "post", f"/windows/{kit.window.pk}/plans", plan_body(kit))
    assert res.status_code == 202, res.content
    data = res.json()
    plan = DeliveryPlan.objects.get()
    assert data == {
        "id": plan.pk,
        "job": plan.job_id,
        "status": "queued",
        "status_url": f"/api/v1/delivery/plans/{plan.pk}",
    }
    follow = api(world.manager_a).get(data["status_url"])
    assert follow.status_code == 200 and follow.json()["progress"]["status"] == "queued"


def test_planning_is_for_planners_of_the_market(world, kit, api):
    path = f"/windows/{kit.window.pk}/plans"
    for user in (world.staff_a, world.resident_a, world.volunteer_a, world.regulator):
        assert send(api(user), "post", path, plan_body(kit)).status_code == 403
    assert send(api(world.outsider_b), "post", path, plan_body(kit)).status_code == 404
    assert (
        send(api(world.manager_a), "post", "/windows/999999/plans", plan_body(kit)).status_code
        == 404
    )
    assert not DeliveryPlan.objects.exists() and not Job.objects.exists()


def test_an_open_window_is_409(world, api):
    market = make_market(manager=world.manager_a, compound=world.a)
    window = open_window(market, manager=world.manager_a)
    courier = services.courier_add(
        actor=world.manager_a, market=market.market, volunteer=world.volunteer_a
    )
    body = {"couriers": [courier.pk], "seconds": 1}
    res = send(api(world.manager_a), "post", f"/windows/{window.pk}/plans", body)
    assert res.status_code == 409 and "截单" in res.json()["detail"]
    assert not DeliveryPlan.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"couriers": []}, "couriers"),
        ({"couriers": "other"}, "couriers"),
        ({"couriers": [2**63]}, "couriers.0"),
        ({"couriers": [0]}, "couriers.0"),
        ({"seconds": 0}, "seconds"),
        ({"seconds": 10**40}, "seconds"),
        ({"start_at": "tomorrow"}, "start_at"),
        ({"start_at": 1700000000}, "start_at"),
        ({"deadline_at": "2024-13-45T08:00"}, "deadline_at"),
        ({"deadline_at": "0001-01-01T00:00:00"}, "deadline_at"),
        (
            {"start_at": "9000-01-01T06:00:00+08:00", "deadline_at": "9000-01-01T08:00:00+08:00"},
            "start_at",
        ),
        ({"start_at": "T08:00", "deadline_at": "T06:00"}, "deadline_at"),
        ({"start_at": "T06:00", "deadline_at": "T06:00"}, "deadline_at"),
        ({"start_at": "T06:00", "deadline_at": "+T20:00"}, "deadline_at"),
    ],
)
def test_bad_plan_input_names_the_field_and_creates_nothing(world, kit, api, change, field):
    day = kit.window.delivery_date
    body = plan_body(kit, **change)
    for name in ("start_at", "deadline_at"):
        value = body.get(name)
        if isinstance(value, str) and value.startswith(("T", "+T")):
            hh = int(value.split("T")[1][:2])
            # naive local times (no offset) are read as Shanghai time
            body[name] = f"{day}T{hh:02d}:00:00"
    if change.get("couriers") == "other":
        other = make_market(manager=world.outsider_b, compound=world.b, name="和平菜篮子")
        stranger = services.courier_add(
            actor=world.outsider_b, market=other.market, staff=duty_staff(world.b.company, world.b)
        )
        body["couriers"] = [stranger.pk]
    res = send(api(world.manager_a), "post", f"/windows/{kit.window.pk}/plans", body)
    assert res.status_code == 422, res.content
    assert field in fields(res)
    assert not DeliveryPlan.objects.exists() and not Job.objects.exists()


def test_naive_times_are_shanghai_time(world, kit, api):
    day = kit.window.delivery_date
    body = plan_body(kit, start_at=f"{day}T06:15:00", deadline_at=f"{day}T07:45")
    res = send(api(world.manager_a), "post", f"/windows/{kit.window.pk}/plans", body)
    assert res.status_code == 202, res.content
    plan = DeliveryPlan.objects.get()
    assert plan.start_at == datetime.fromisoformat(local(day, 6, 15))
    assert timezone.localtime(plan.deadline_at).time() == time(7, 45)


def test_an_idempotency_key_replay_makes_one_plan(world, kit, api):
    client = api(world.manager_a)
    path = f"/windows/{kit.window.pk}/plans"
    first = send(client, "post", path, plan_body(kit), **{"Idempotency-Key": "plan-0600"})
    again = send(client, "post", path, plan_body(kit), **{"Idempotency-Key": "plan-0600"})
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    assert DeliveryPlan.objects.count() == 1 and Job.objects.count() == 1
    other = send(
        client, "post", path, plan_body(kit, seconds=2), **{"Idempotency-Key": "plan-0600"}
    )
    assert other.status_code == 422 and fields(other) == ["Idempotency-Key"]
    bad = send(client, "post", path, plan_body(kit), **{"Idempotency-Key": "含中文"})
    assert bad.status_code == 400 and fields(bad) == ["Idempotency-Key"]
    assert DeliveryPlan.objects.count() == 1
    # Without a key every request is a new plan.
    assert send(client, "post", path, plan_body(kit)).status_code == 202
    assert DeliveryPlan.objects.count() == 2


def test_a_refused_request_is_not_remembered_by_its_key(world, kit, api):
    client = api(world.manager_a)
    path = f"/windows/{kit.window.pk}/plans"
    day = kit.window.delivery_date
    late = plan_body(kit, start_at=local(day, 8), deadline_at=local(day, 7))
    assert send(client, "post", path, late, **{"Idempotency-Key": "k1"}).status_code == 422
    assert not IdempotencyKey.objects.exists()
    assert (
        send(client, "post", path, plan_body(kit), **{"Idempotency-Key": "k1"}).status_code == 202
    )


@pytest.mark.django_db(transaction=True)
def test_a_plan_runs_in_the_background_and_reports_its_result(world, api):
    kit = sorted_window(world)
    post_courier(world, kit, user=world.staff_a, name="赵师傅")
    client = api(world.manager_a)
    day = kit.window.delivery_date
    body = plan_body(kit, deadline_at=local(day, 6, 3))  # nobody can make it
    res = send(client, "post", f"/windows/{kit.window.pk}/plans", body)
    assert res.status_code == 202, res.content
    # Huey runs inline in tests once the request commits.
    data = client.get(res.json()["status_url"]).json()
    assert data["status"] == "done" and data["current"]
    assert data["progress"] == {"status": "done", "percent": 100, "message": "规划完成"}
    assert data["summary"]["bags"] == 12 and data["summary"]["served_bags"] == 0
    assert data["summary"]["unserved_bags"] == 12
    assert data["suggestion"]["couriers_today"] == 1
    assert data["suggestion"]["earliest_deadline"] > data["deadline_at"]
    assert len(data["unserved"]) == 2
    for stop in data["unserved"]:
        assert stop["reason_code"] == "too_late" and "时间窗无法赶上" in stop["reason"]
        assert len(stop["bags"]) == 6 and all(b["status"] == "unserved" for b in stop["bags"])


# --- reading a plan ------------------------------------------------------------------


def test_plan_detail_routes_and_board(world, run, api):
    plan = run.plan
    for user in (world.manager_a, world.staff_a):
        client = api(user)
        detail = client.get(f"{URL}/plans/{plan.pk}")
        assert detail.status_code == 200, detail.content
        assert detail.json()["summary"]["served_bags"] == 12 and detail.json()["unserved"] == []
        routes = client.get(f"{URL}/plans/{plan.pk}/routes")
        assert routes.status_code == 200
        board = client.get(f"{URL}/plans/{plan.pk}/board")
        assert board.status_code == 200
    (route,) = routes.json()
    assert route["courier_name"] == "赵师傅" and route["total"] == 12 and route["delivered"] == 0
    etas = [s["eta"] for s in route["stops"]]
    assert etas == sorted(etas) and [s["seq"] for s in route["stops"]] == [0, 1]
    stop = route["stops"][0]
    assert {"building", "unit", "floors", "top_floor", "elevator", "eta", "bags"} <= set(stop)
    assert stop["floors"] == 3 and stop["top_floor"] == 3 and stop["elevator"] is False
    codes = {b["order"] for s in route["stops"] for b in s["bags"]}
    assert codes == set(Order.objects.values_list("code", flat=True))
    households = {b["household"] for s in route["stops"] for b in s["bags"]}
    assert world.home.code in households
    floors = [b["floor"] for b in stop["bags"]]
    assert floors == sorted(floors)
    # The pickup code is the proof at the door: it never leaves in a listing.
    assert pickup_code(run.home.order.code) not in routes.content.decode()
    data = board.json()
    assert data["totals"] == {"total": 12, "delivered": 0, "failed": 0, "unserved": 0}
    assert data["rows"][0]["courier_name"] == "赵师傅" and data["rows"][0]["percent"] == 0


@pytest.mark.parametrize("suffix", ["", "/routes", "/board"])
def test_plans_are_for_who_watches_the_market(world, run, api, suffix):
    path = f"{URL}/plans/{run.plan.pk}{suffix}"
    for user in (world.resident_a, world.volunteer_a, world.regulator):
        assert api(user).get(path).status_code == 403
    res = api(world.outsider_b).get(path)
    assert res.status_code == 404 and res.json()["detail"]
    missing = api(world.manager_a).get(f"{URL}/plans/999999{suffix}")
    assert missing.status_code == 404 and missing.json() == res.json()
    assert api(world.manager_a).get(f"{URL}/plans/{2**64}{suffix}").status_code == 422


def test_the_board_counts_deliveries(world, run, api):
    services.delivery_confirm(
        actor=world.staff_a,
        delivery=run.home,
        method="code",
        code=pickup_code(run.home.order.code),
    )
    other = run.plan.deliveries.exclude(pk=run.home.pk).first()
    services.delivery_fail(actor=world.staff_a, delivery=other, reason="nobody")
    data = api(world.manager_a).get(f"{URL}/plans/{run.plan.pk}/board").json()
    assert data["totals"] == {"total": 12, "delivered": 1, "failed": 1, "unserved": 0}
    assert data["rows"][0]["delivered"] == 1 and data["rows"][0]["percent"] == 8


# --- the courier ---------------------------------------------------------------------


def test_my_routes(world, run, api):
    res = api(world.staff_a).get(f"{URL}/routes/mine")
    assert res.status_code == 200, res.content
    (route,) = res.json()
    assert route["plan"] == run.plan.pk and route["total"] == 12
    assert route["stops"][0]["bags"][0]["order"]
    for user in (world.resident_a, world.regulator):
        assert api(user).get(f"{URL}/routes/mine").status_code == 403
    # A planner of another compound, and a volunteer not on this plan, see none of it.
    assert api(world.outsider_b).get(f"{URL}/routes/mine").json() == []
    assert api(world.volunteer_a).get(f"{URL}/routes/mine").json() == []


def confirm_body(delivery, **extra):
    return {"method": "code", "code": pickup_code(delivery.order.code), **extra}


def assert_untouched(delivery):
    fresh = Delivery.objects.select_related("order").get(pk=delivery.pk)
    assert fresh.status == DeliveryStatus.PENDING and fresh.order.handed_at is None
    assert not AuditLog.objects.filter(action__startswith="delivery.bag").exists()


def test_confirm_by_pickup_code(world, run, api):
    path = f"/deliveries/{run.home.pk}/confirm"
    res = send(api(world.staff_a), "post", path, confirm_body(run.home))
    assert res.status_code == 200, res.content
    data = res.json()
    assert data["status"] == "delivered" and data["method"] == "code"
    assert data["order"] == run.home.order.code and data["delivered_at"]
    assert data["photo"] is False
    again = send(api(world.staff_a), "post", path, confirm_body(run.home))
    assert again.status_code == 409 and "不能重复确认" in again.json()["detail"]
    assert AuditLog.objects.filter(action="delivery.bag.delivered").count() == 1


def test_confirm_refusals(world, run, api):
    path = f"/deliveries/{run.home.pk}/confirm"
    body = confirm_body(run.home)
    assert send(api(world.resident_a), "post", path, body).status_code == 403
    # Watching the market is not carrying the bag.
    Courier.objects.filter(user=world.staff_a).update(user=None)
    assert send(api(world.staff_a), "post", path, body).status_code == 403
    assert send(api(world.outsider_b), "post", path, body).status_code == 404
    assert send(api(world.volunteer_a), "post", path, body).status_code == 404
    assert send(api(world.manager_a), "post", "/deliveries/999999/confirm", body).status_code == 404
    wrong = send(api(world.manager_a), "post", path, {**body, "code": "12345"})
    assert wrong.status_code == 422 and fields(wrong) == ["code"]
    for bad, field in (
        ({"method": "sms"}, "method"),
        ({"code": "\x00"}, "code"),
        ({"code": "9" * 301}, "code"),
    ):
        res = send(api(world.manager_a), "post", path, {**body, **bad})
        assert res.status_code == 422 and fields(res) == [field]
    assert_untouched(run.home)


def test_a_manager_may_stand_in(world, run, api):
    res = send(
        api(world.manager_a), "post", f"/deliveries/{run.home.pk}/confirm", confirm_body(run.home)
    )
    assert res.status_code == 200 and res.json()["status"] == "delivered"


def test_fail_a_delivery(world, run, api):
    path = f"/deliveries/{run.home.pk}/fail"
    res = send(api(world.staff_a), "post", path, {"reason": "other", "note": "门禁进不去"})
    assert res.status_code == 200, res.content
    assert res.json()["status"] == "failed" and res.json()["fail_note"] == "门禁进不去"
    later = send(
        api(world.staff_a), "post", f"/deliveries/{run.home.pk}/confirm", confirm_body(run.home)
    )
    assert later.status_code == 200 and later.json()["status"] == "delivered"
    assert later.json()["fail_reason"] == ""


def test_fail_refusals(world, run, api):
    path = f"/deliveries/{run.home.pk}/fail"
    assert send(api(world.resident_a), "post", path, {"reason": "nobody"}).status_code == 403
    assert send(api(world.outsider_b), "post", path, {"reason": "nobody"}).status_code == 404
    for body, field in (
        ({"reason": "other"}, "note"),
        ({"reason": "lost"}, "reason"),
        ({}, "reason"),
    ):
        res = send(api(world.staff_a), "post", path, body)
        assert res.status_code == 422 and fields(res) == [field], res.content
    assert_untouched(run.home)


def test_scan_a_label(world, run, api):
    label = f"https://wanjia.example/console/market/bag/{run.home.order.code}/"
    for user in (world.resident_a,):
        assert send(api(user), "post", "/scan", {"code": label}).status_code == 403
    # Not on their route: the manager of B, and the manager of A (who confirms by id).
    assert send(api(world.outsider_b), "post", "/scan", {"code": label}).status_code == 404
    assert send(api(world.manager_a), "post", "/scan", {"code": label}).status_code == 404
    assert send(api(world.staff_a), "post", "/scan", {"code": "NOSUCH"}).status_code == 404
    assert_untouched(run.home)
    res = send(api(world.staff_a), "post", "/scan", {"code": label})
    assert res.status_code == 200, res.content
    assert res.json()["id"] == run.home.pk and res.json()["method"] == "qr"
    again = send(api(world.staff_a), "post", "/scan", {"code": run.home.order.code})
    assert again.status_code == 409


def test_a_replaced_plan_is_409(world, run, api):
    newer = services.plan_request(
        actor=world.manager_a, window=run.kit.window, couriers=run.kit.couriers, seconds=1
    )
    services.plan_run(newer.pk)
    res = send(
        api(world.staff_a), "post", f"/deliveries/{run.home.pk}/confirm", confirm_body(run.home)
    )
    assert res.status_code == 409
    assert_untouched(run.home)


WEIRD = [
    None,
    [],
    "x",
    0,
    {"couriers": None, "seconds": None},
    {"couriers": [True], "seconds": 1.5},
    {"couriers": ["1"], "start_at": "2024-02-30T06:00"},
    {"couriers": [1], "start_at": "9999-12-31T23:59:59+14:00"},
    {"couriers": [1], "start_at": "1900-01-01T00:00:00-12:00"},
    {"couriers": [-1] * 500},
    {"market": -5, "staff": 10**20, "volunteer": "a", "speed_kmh": "NaN", "capacity": 1.5},
    {"market": 1, "staff": 1, "speed_kmh": float("inf")},
    {"mode": None, "shift_start": "99:99", "shift_end": "\x00", "active": "maybe"},
    {"method": "qr", "code": None},
    {"method": "code", "code": "\ud800"},
    {"method": ["qr"], "code": {"a": 1}},
    {"reason": "other", "note": "x" * 10_000},
    {"code": "/bag/" + "A" * 290 + "/"},
]


def test_nothing_answers_500_to_bad_input(world, run, api):
    client = api(world.manager_a)
    paths = [
        ("post", f"/windows/{run.kit.window.pk}/plans"),
        ("post", "/couriers"),
        ("patch", f"/couriers/{run.kit.couriers[0].pk}"),
        ("post", f"/deliveries/{run.home.pk}/confirm"),
        ("post", f"/deliveries/{run.home.pk}/fail"),
        ("post", "/scan"),
    ]
    for method, path in paths:
        for body in WEIRD:
            raw = "not json" if body is None else json.dumps(body, allow_nan=True)
            res = getattr(client, method)(f"{URL}{path}", raw, content_type="application/json")
            assert res.status_code < 500, (path, body, res.status_code)
            if res.status_code >= 400:  # a PATCH of unknown fields only is a no-op 200
                assert res.status_code in (400, 404, 409, 422), (path, body)
                assert res.json()["detail"] and isinstance(res.json()["errors"], list)
    for path in ("/plans/-1", "/plans/abc", f"/plans/{10**30}/routes", "/couriers?market=0"):
        res = client.get(f"{URL}{path}")
        assert res.status_code in (404, 422), (path, res.status_code)
    assert_untouched(run.home)
