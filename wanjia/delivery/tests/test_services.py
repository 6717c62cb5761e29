"""Planning a sorted window through the services, and every stored route
re-checked here from the rows alone (not from the solver's own numbers):
capacity per trip, times along the route, deadline, shift."""

import math
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from wanjia.core.models import Building, Compound, Job
from wanjia.delivery import services
from wanjia.delivery.models import (
    Delivery,
    DeliveryPlan,
    DeliveryStatus,
    Mode,
    PlanStatus,
    Route,
    Stop,
)
from wanjia.delivery.services import problem as geo
from wanjia.delivery.testing import post_courier, sorted_window
from wanjia.market.errors import Conflict
from wanjia.market.models import Order
from wanjia.market.testing import make_market, open_window

pytestmark = pytest.mark.django_db

EARTH_RADIUS_M = 6_371_008.8
TOLERANCE = timedelta(seconds=1.5)  # ETAs are stored to the second


def local(day, hh, mm=0):
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def plan_now(world, kit, couriers, **kw):
    """Request a plan and run its job here (the request enqueues it on commit,
    which a test inside one transaction never reaches)."""
    plan = services.plan_request(
        actor=world.manager_a, window=kit.window, couriers=couriers, seconds=1, **kw
    )
    services.plan_run(plan.pk)
    plan.refresh_from_db()
    return plan


# --- an independent checker ----------------------------------------------------------


def haversine(a, b) -> float:
    (lat1, lng1), (lat2, lng2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def position(building: Building):
    if building.lat is not None and building.lng is not None:
        return building.lat, building.lng
    return building.compound.lat, building.compound.lng


def travel(plan, courier, a, b) -> timedelta:
    metres = haversine(a, b) * float(plan.detour)
    return timedelta(seconds=metres / (float(courier.speed_kmh) / 3.6))


def check_route(plan: DeliveryPlan, route: Route) -> None:
    """Every leg of the route timed from coordinates, speed and hand-off
    times: each ETA is the earliest the courier can be at that door (never
    earlier than possible, and no idle wait either), loads fit, the last door
    is done by the deadline and the courier is back by the shift's end."""
    courier, market = route.courier, plan.window.market
    depot = (market.compound.lat, market.compound.lng)
    day = plan.window.delivery_date
    shift_start, shift_end = (
        local(day, 0) + _td(courier.shift_start),
        local(day, 0) + _td(courier.shift_end),
    )
    assert route.start_at >= max(shift_start, plan.start_at) - TOLERANCE
    load = timedelta(seconds=plan.load_s)
    stops = list(route.stops.select_related("building__compound").order_by("seq"))
    assert stops, "a stored route has stops"
    loads = defaultdict(int)
    at, here, trip = route.start_at + load, depot, stops[0].trip
    for stop in stops:
        if stop.trip != trip:  # back to the market, load, go on
            at += travel(plan, courier, here, depot) + load
            here, trip = depot, stop.trip
        at += travel(plan, courier, here, position(stop.building))
        assert abs(stop.eta - at) <= TOLERANCE, (stop.seq, stop.eta, at)
        at = stop.eta + timedelta(seconds=stop.service_s)
        assert at <= plan.deadline_at + TOLERANCE, "the door is done by the deadline"
        here = position(stop.building)
        loads[stop.trip] += stop.bags
    assert at + travel(plan, courier, here, depot) <= shift_end + TOLERANCE
    assert [loads[t] for t in sorted(loads)] == list(route.loads)
    assert all(n <= courier.capacity for n in route.loads)
    etas = [s.eta for s in stops]
    assert etas == sorted(etas) and len(set(etas)) == len(etas), "ETAs increase"
    assert all(s.eta <= plan.deadline_at for s in stops)


def _td(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute)


def check_plan(plan: DeliveryPlan) -> None:
    """Nothing dropped: every door bag of the window has exactly one delivery,
    served ones on a route, the others on an unserved stop with a reason."""
    bags = Order.objects.filter(window=plan.window, fulfilment="door", handed_at__isnull=True)
    per_order = Counter(plan.deliveries.values_list("order_id", flat=True))
    assert set(per_order) == set(bags.values_list("pk", flat=True))
    assert set(per_order.values()) == {1}
    assert plan.bags == len(per_order)
    served = plan.deliveries.filter(stop__route__isnull=False)
    assert not served.filter(status=DeliveryStatus.UNSERVED).exists()
    assert plan.served_bags == served.count()
    for stop in plan.stops.filter(route__isnull=True):
        assert stop.reason and stop.reason_code
        assert set(stop.deliveries.values_list("status", flat=True)) == {DeliveryStatus.UNSERVED}
    for stop in plan.stops.all():
        assert stop.bags == stop.deliveries.count()
    for route in plan.routes.select_related("courier"):
        check_route(plan, route)


# --- planning ------------------------------------------------------------------------


def test_a_sorted_window_is_planned_and_every_route_holds(world):
    kit = sorted_window(world)
    one = post_courier(world, kit, name="赵师傅", mode=Mode.FOOT)
    two = post_courier(world, kit, name="钱师傅", mode=Mode.TRICYCLE, shift_start="06:30")
    plan = plan_now(world, kit, [one, two])
    assert plan.status == PlanStatus.DONE and plan.current and plan.error == ""
    assert plan.bags == len(kit.orders) == 12
    assert plan.served_bags == 12 and plan.unserved_bags == 0
    assert plan.job.status == "done" and plan.finish_at <= plan.deadline_at
    check_plan(plan)
    # A courier leaves at the later of their shift start and the plan's start.
    for route in plan.routes.all():
        expected = max(
            local(kit.window.delivery_date, 0) + _td(route.courier.shift_start), plan.start_at
        )
        assert abs(route.start_at - expected) <= TOLERANCE
    assert plan.suggestion["couriers_today"] == 2


@pytest.mark.parametrize("capacity", [6, 4])
def test_a_small_courier_goes_back_to_reload(world, capacity):
    kit = sorted_window(world)
    walker = post_courier(world, kit, mode=Mode.FOOT, capacity=capacity)
    plan = plan_now(world, kit, [walker])
    assert plan.status == PlanStatus.DONE and plan.served_bags == 12
    route = plan.routes.get()
    assert route.trips >= 12 // capacity and len(route.loads) == route.trips
    assert sum(route.loads) == 12 and max(route.loads) <= capacity
    # Units above the courier's capacity are split into stops it can carry.
    assert plan.stops.count() == (2 if capacity == 6 else 4)
    check_plan(plan)


def test_default_times_are_sorting_end_and_the_markets_ready_by(world):
    kit = sorted_window(world)
    courier = post_courier(world, kit)
    plan = services.plan_request(actor=world.manager_a, window=kit.window, couriers=[courier])
    day = kit.window.delivery_date
    assert plan.start_at == local(day, 6) and plan.deadline_at == local(day, 8)
    assert plan.status == PlanStatus.QUEUED and plan.job.status == "queued"


def test_too_few_couriers_leave_unserved_stops_with_reasons_and_a_suggestion(world):
    kit = sorted_window(world)
    walker = post_courier(world, kit, mode=Mode.FOOT, capacity=6)
    day = kit.window.delivery_date
    # Two units of six bags, one walker carrying six a trip: the second unit
    # needs a walk back to reload, which the tight deadline does not allow.
    plan = plan_now(world, kit, [walker], deadline_at=local(day, 6, 12))
    assert plan.status == PlanStatus.DONE
    check_plan(plan)
    assert 0 < plan.served_bags < plan.bags
    assert plan.deliveries.count() == plan.bags == 12
    unserved = plan.stops.filter(route__isnull=True)
    assert unserved.exists()
    assert plan.deliveries.filter(status=DeliveryStatus.UNSERVED).count() == plan.unserved_bags
    suggestion = plan.suggestion
    assert suggestion["couriers_today"] == 1
    assert suggestion["couriers_needed"] >= 2
    earliest = datetime.fromisoformat(suggestion["earliest_deadline"])
    assert earliest > plan.deadline_at


def test_a_deadline_nobody_can_keep_leaves_every_stop_unserved_with_a_reason(world):
    kit = sorted_window(world)
    courier = post_courier(world, kit)
    day = kit.window.delivery_date
    plan = plan_now(world, kit, [courier], deadline_at=local(day, 6, 3))
    assert plan.status == PlanStatus.DONE and plan.served_bags == 0
    check_plan(plan)
    assert set(plan.stops.values_list("reason_code", flat=True)) == {"too_late"}
    assert "时间窗无法赶上" in plan.stops.first().reason
    # No stop can be reached in time by anybody (0 needed for the rest, all
    # impossible: the page says so); today's couriers can finish later.
    assert plan.suggestion["couriers_needed"] == 0
    assert plan.suggestion["impossible"] == plan.stops.count() == 2
    assert datetime.fromisoformat(plan.suggestion["earliest_deadline"]) > plan.deadline_at


def test_a_building_without_coordinates_is_planned_at_the_compound_gate(world):
    kit = sorted_window(world)
    courier = post_courier(world, kit)
    building = world.building_a1
    Building.objects.filter(pk=building.pk).update(lat=None, lng=None)
    building.refresh_from_db()
    assert geo.where(building) == (world.a.lat, world.a.lng)
    plan = plan_now(world, kit, [courier])
    assert plan.status == PlanStatus.DONE and plan.served_bags == plan.bags
    check_plan(plan)  # its stops are timed from the gate
    assert plan.stops.filter(building=building, route__isnull=False).exists()


def test_a_market_compound_without_coordinates_fails_the_job_clearly(world):
    kit = sorted_window(world)
    courier = post_courier(world, kit)
    Compound.objects.filter(pk=world.a.pk).update(lat=None, lng=None)
    plan = plan_now(world, kit, [courier])
    assert plan.status == PlanStatus.FAILED and not plan.current
    assert "没有坐标" in plan.error
    assert plan.job.status == "failed" and "没有坐标" in plan.job.message
    assert not plan.routes.exists() and not plan.deliveries.exists()


def test_an_open_window_cannot_be_planned(world):
    kit = make_market(manager=world.manager_a, compound=world.a)
    window = open_window(kit, manager=world.manager_a)
    courier = services.courier_add(
        actor=world.manager_a, market=kit.market, volunteer=world.volunteer_a
    )
    with pytest.raises(Conflict):
        services.plan_request(actor=world.manager_a, window=window, couriers=[courier])
    assert not DeliveryPlan.objects.exists() and not Job.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"deadline_at": -1}, "deadline_at"),
        ({"couriers": []}, "couriers"),
        ({"couriers": "other"}, "couriers"),
        ({"couriers": "inactive"}, "couriers"),
        ({"seconds": 0}, "seconds"),
        ({"seconds": 121}, "seconds"),
        ({"deadline_at": 13 * 60}, "deadline_at"),
    ],
)
def test_bad_requests_are_field_errors_and_create_nothing(world, change, field):
    kit = sorted_window(world)
    courier = post_courier(world, kit)
    day = kit.window.delivery_date
    args = {"couriers": [courier], "start_at": local(day, 6), "deadline_at": local(day, 8)}
    if "deadline_at" in change:
        args["deadline_at"] = args["start_at"] + timedelta(minutes=change["deadline_at"])
    if change.get("couriers") == []:
        args["couriers"] = []
    if change.get("couriers") == "other":
        other = make_market(manager=world.outsider_b, compound=world.b, name="和平菜篮子")
        from wanjia.estates.models import Duty, StaffDuty, StaffMember

        staff = StaffMember.objects.create(company=world.b.company, compound=world.b, name="外人")
        StaffDuty.objects.create(staff=staff, duty=Duty.COURIER)
        args["couriers"] = [
            services.courier_add(actor=world.outsider_b, market=other.market, staff=staff)
        ]
    if change.get("couriers") == "inactive":
        services.courier_update(actor=world.manager_a, courier=courier, active=False)
    if "seconds" in change:
        args["seconds"] = change["seconds"]
    with pytest.raises(ValidationError) as exc:
        services.plan_request(actor=world.manager_a, window=kit.window, **args)
    assert field in exc.value.message_dict
    assert not DeliveryPlan.objects.exists() and not Job.objects.exists()


def test_planning_needs_the_planning_role_of_the_markets_compound(world):
    from django.core.exceptions import PermissionDenied

    kit = sorted_window(world)
    courier = post_courier(world, kit)
    for user in (world.staff_a, world.resident_a, world.outsider_b, world.regulator):
        with pytest.raises(PermissionDenied):
            services.plan_request(actor=user, window=kit.window, couriers=[courier])
    assert not DeliveryPlan.objects.exists()


def test_replanning_makes_the_new_plan_current_without_bags_already_handed_over(world):
    from wanjia.delivery.codes import pickup_code

    kit = sorted_window(world)
    courier = post_courier(world, kit, user=world.staff_a)
    first = plan_now(world, kit, [courier])
    delivered = first.deliveries.select_related("order").first()
    services.delivery_confirm(
        actor=world.staff_a,
        delivery=delivered,
        method="code",
        code=pickup_code(delivered.order.code),
    )
    second = plan_now(world, kit, [courier])
    first.refresh_from_db()
    assert second.current and not first.current
    assert DeliveryPlan.objects.filter(window=kit.window, current=True).get() == second
    assert second.bags == first.bags - 1
    assert not second.deliveries.filter(order=delivered.order).exists()
    check_plan(second)
    # The old plan keeps what was delivered under it.
    assert Delivery.objects.get(pk=delivered.pk).status == DeliveryStatus.DELIVERED


def test_a_task_delivered_twice_plans_once(world):
    kit = sorted_window(world)
    courier = post_courier(world, kit)
    plan = plan_now(world, kit, [courier])
    assert services.plan_run(plan.pk) is None
    assert Stop.objects.filter(plan=plan).count() == plan.stops.count()
    assert Delivery.objects.filter(plan=plan).count() == plan.bags


@pytest.mark.django_db(transaction=True)
def test_the_request_enqueues_the_job_on_commit(world):
    kit = sorted_window(world)
    courier = post_courier(world, kit)
    plan = services.plan_request(
        actor=world.manager_a, window=kit.window, couriers=[courier], seconds=1
    )
    plan.refresh_from_db()  # Huey runs inline in tests, once the request commits
    assert plan.status == PlanStatus.DONE and plan.current
    check_plan(plan)


def test_the_checker_catches_a_tampered_route(world):
    """The checker above is not a tautology: an ETA earlier than the courier
    can get there, or a trip over capacity, fails it."""
    kit = sorted_window(world)
    plan = plan_now(world, kit, [post_courier(world, kit)])
    route = plan.routes.get()
    stop = route.stops.order_by("seq").last()
    Stop.objects.filter(pk=stop.pk).update(eta=stop.eta - timedelta(seconds=30))
    with pytest.raises(AssertionError):
        check_route(plan, route)
    Stop.objects.filter(pk=stop.pk).update(eta=stop.eta)
    check_route(plan, route)
    route.courier.capacity = max(route.loads) - 1
    with pytest.raises(AssertionError):
        check_route(plan, route)


@pytest.mark.parametrize("days", [-1, 1, 3000])
def test_a_start_on_another_day_than_the_delivery_is_a_field_error(world, days):
    kit = sorted_window(world)
    courier = post_courier(world, kit)
    start = local(kit.window.delivery_date, 6) + timedelta(days=days)
    with pytest.raises(ValidationError) as exc:
        services.plan_request(
            actor=world.manager_a,
            window=kit.window,
            couriers=[courier],
            start_at=start,
            deadline_at=start + timedelta(hours=2),
        )
    assert list(exc.value.message_dict) == ["start_at"]
    assert not DeliveryPlan.objects.exists()


def test_advice_beside_a_plan_that_serves_everyone_agrees_with_it(world, login):
    """When the plan serves every bag in time, the advice leads with the couriers
    that plan uses and never names a finish later than the plan's own; the
    one-kind sizing (a what-if) is shown as such."""
    import re

    from django.urls import reverse

    kit = sorted_window(world)
    couriers = [post_courier(world, kit, name=f"配送员{n}") for n in range(3)]
    plan = plan_now(world, kit, couriers)
    assert plan.served_bags == plan.bags and plan.finish_at <= plan.deadline_at
    # the sizing's heuristic answers disagree with the plan beside them
    later = plan.finish_at + timedelta(hours=1)
    plan.suggestion = {
        **plan.suggestion,
        "couriers_needed": 5,
        "earliest_deadline": later.isoformat(),
    }
    plan.save(update_fields=["suggestion"])
    html = login(world.manager_a).get(reverse("delivery_plan", args=[plan.pk])).content.decode()
    used = plan.routes.count()
    assert re.search(rf"本方案用 <b>{used}</b> 名配送员即可按时送完，今天共 3 名", html)
    assert "若全部用" in html and "需要 5 名" in html
    assert "按时送完需要" not in html
    shown = re.search(r"最早 <b>(\d\d:\d\d)</b>", html).group(1)
    assert shown == timezone.localtime(plan.finish_at).strftime("%H:%M")
