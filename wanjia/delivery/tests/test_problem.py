"""From the database to the planner's problem: stops per unit, hand-off
times with and without a lift, courier start times, positions."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from wanjia.core.models import Building, Compound
from wanjia.core.roles import Role
from wanjia.delivery import services
from wanjia.delivery.models import DeliveryPlan, Mode
from wanjia.delivery.services import problem as geo
from wanjia.delivery.testing import post_courier, sorted_window
from wanjia.estates.testing import grant, make_compound
from wanjia.market.models import Order

pytestmark = pytest.mark.django_db

BASE, PER_FLOOR = 45, 20


def groups_of(kit, max_bags=30):
    orders = list(geo.door_orders(kit.window))
    return geo.stop_groups(orders, base_s=BASE, per_floor_s=PER_FLOOR, max_bags=max_bags)


def test_one_stop_per_unit_with_its_bags_in_floor_order(world):
    kit = sorted_window(world)  # 2 buildings × 1 unit × 3 floors × 2 rooms
    groups = groups_of(kit)
    assert len(groups) == 2 and [g.bags for g in groups] == [6, 6]
    for g in groups:
        assert {o.household.unit_id for o in g.orders} == {g.unit.pk}
        assert {o.building_id for o in g.orders} == {g.building.pk}
        floors = [(o.household.floor, o.household.room) for o in g.orders]
        assert floors == sorted(floors)
    assert sum(g.bags for g in groups) == len(kit.orders)


def test_a_unit_above_the_biggest_courier_is_split_in_floor_order(world):
    kit = sorted_window(world)
    groups = groups_of(kit, max_bags=4)
    assert [g.bags for g in groups] == [4, 2, 4, 2]
    first, rest = groups[0], groups[1]
    assert first.unit == rest.unit
    assert max(o.household.floor for o in first.orders) <= min(
        o.household.floor for o in rest.orders
    )
    seen = [o.pk for g in groups for o in g.orders]
    assert sorted(seen) == sorted(o.pk for o in kit.orders)  # each bag once


def test_hand_off_time_is_per_household_plus_the_climb_without_a_lift(world):
    kit = sorted_window(world)
    whole = groups_of(kit)[0]
    # six households, top door on floor 3: two flights of stairs
    assert whole.service_s == BASE * 6 + PER_FLOOR * (3 - 1)
    low, high = groups_of(kit, max_bags=4)[:2]
    assert low.service_s == BASE * 4 + PER_FLOOR * (2 - 1)  # floors 1-2
    assert high.service_s == BASE * 2 + PER_FLOOR * (3 - 1)  # floor 3


def test_a_lift_means_no_climb(world):
    kit = sorted_window(world)
    Building.objects.filter(compound=world.a).update(has_elevator=True)
    assert [g.service_s for g in groups_of(kit)] == [BASE * 6, BASE * 6]


def test_a_ground_floor_stop_has_no_climb(world):
    kit = sorted_window(world, households=list(world.a.households.filter(floor=1)))
    assert all(g.service_s == BASE * g.bags for g in groups_of(kit))


def test_only_live_door_bags_not_yet_handed_over_are_planned(world):
    kit = sorted_window(world)
    handed, pickup, *_ = kit.orders
    Order.objects.filter(pk=handed.pk).update(handed_at=timezone.now())
    Order.objects.filter(pk=pickup.pk).update(fulfilment="pickup")
    planned = {o.pk for o in geo.door_orders(kit.window)}
    assert planned == {o.pk for o in kit.orders} - {handed.pk, pickup.pk}


def at(day, hh, mm=0):
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


@pytest.mark.parametrize(
    "shift, start, expected",
    [("06:00", (6, 30), 6.5), ("07:00", (6, 30), 7.0), ("06:30", (6, 30), 6.5)],
)
def test_a_courier_leaves_at_the_later_of_shift_start_and_plan_start(world, shift, start, expected):
    kit = sorted_window(world)
    courier = post_courier(world, kit, shift_start=shift, shift_end="09:30")
    origin = geo.day_origin(kit.window)
    c = geo.courier_dataclass(courier, origin, at(kit.window.delivery_date, *start))
    assert c.start_s == expected * 3600
    assert c.end_s == 9.5 * 3600
    assert c.capacity == courier.capacity and c.speed == pytest.approx(9.0 / 3.6)


def test_the_day_origin_is_local_midnight_of_the_delivery_day(world):
    kit = sorted_window(world)
    origin = geo.day_origin(kit.window)
    assert timezone.localtime(origin).time() == time(0, 0)
    assert timezone.localtime(origin).date() == kit.window.delivery_date
    assert geo.at(origin, 7 * 3600 + 0.4) == origin + timedelta(hours=7)


def plan_row(world, kit, couriers, deadline=(8, 0)):
    day = kit.window.delivery_date
    plan = DeliveryPlan.objects.create(
        window=kit.window,
        compound=world.a,
        start_at=at(day, 6),
        deadline_at=at(day, *deadline),
    )
    plan.couriers.set(couriers)
    return plan


def test_the_problem_has_the_market_as_depot_and_the_deadline_on_every_door(world):
    kit = sorted_window(world)
    courier = post_courier(world, kit, mode=Mode.EBIKE)
    plan = plan_row(world, kit, [courier])
    groups = groups_of(kit)
    problem = geo.build(plan, [courier], groups)
    assert (problem.depot.y, problem.depot.x) == (world.a.lat, world.a.lng)
    assert problem.metric == "haversine" and problem.detour == float(plan.detour)
    eight = 8 * 3600
    for stop, g in zip(problem.stops, groups, strict=True):
        assert stop.latest_s == eight - g.service_s  # the last door is done by 08:00
        assert stop.demand == g.bags
        assert (stop.point.y, stop.point.x) == (g.building.lat, g.building.lng)
    assert [c.id for c in problem.couriers] == [str(courier.pk)]


def test_a_building_without_a_position_stands_at_its_compound_gate(world):
    kit = sorted_window(world)
    Building.objects.filter(pk=world.building_a1.pk).update(lat=None, lng=None)
    courier = post_courier(world, kit)
    problem = geo.build(plan_row(world, kit, [courier]), [courier], groups_of(kit))
    gates = [(s.point.y, s.point.x) for s in problem.stops]
    assert (world.a.lat, world.a.lng) in gates


def test_a_served_compound_with_no_position_at_all_is_named(world):
    east = make_compound("东苑", company=world.a.company, community=world.a.community, buildings=1)
    grant(world.manager_a, Role.COMPOUND_MANAGER, east)
    kit = sorted_window(world, compounds=[world.a, east])
    Compound.objects.filter(pk=east.pk).update(lat=None, lng=None)
    Building.objects.filter(compound=east).update(lat=None, lng=None)
    courier = post_courier(world, kit)
    with pytest.raises(ValidationError) as exc:
        geo.build(plan_row(world, kit, [courier]), [courier], groups_of(kit))
    assert "东苑1栋" in exc.value.messages[0]
    assert "幸福里" not in exc.value.messages[0]


def test_the_market_compound_without_a_position_is_a_clear_error(world):
    kit = sorted_window(world)
    Compound.objects.filter(pk=world.a.pk).update(lat=None, lng=None)
    courier = post_courier(world, kit)
    kit.window.market.compound.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        geo.build(plan_row(world, kit, [courier]), [courier], groups_of(kit))
    assert "市场所在小区没有坐标" in exc.value.messages[0]


def test_default_times_follow_sorting_and_ready_by(world):
    kit = sorted_window(world)
    start, deadline = services.default_times(kit.window)
    day = kit.window.delivery_date
    assert (start, deadline) == (at(day, 6), at(day, 8))
    kit.window.packed_at = None
    assert services.default_times(kit.window)[0] == at(day, 6, 30)
