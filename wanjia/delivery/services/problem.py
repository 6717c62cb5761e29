"""From the database to the planner's dataclasses and back to clock times.

Geometry: the market's compound gate is the depot; each building stands at its
own coordinates, or at its compound's gate when it has none. Travel is the
great-circle distance × the plan's detour factor ÷ the courier's speed.

A stop is one unit (单元, one stairwell) of one building: its households'
bags are carried up in one go. Hand-off time = ``base_s`` per household plus,
without a lift, ``per_floor_s`` per floor up to the highest door. A unit with
more bags than the biggest courier carries is split into several stops."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.market.models import Fulfilment, Order, OrderStatus

from .. import engine
from ..models import Courier


@dataclass
class StopGroup:
    """The bags of one stop, in the order the courier finds them (floor, room)."""

    building: object
    unit: object
    orders: list
    service_s: float

    @property
    def bags(self) -> int:
        return len(self.orders)


def day_origin(window) -> datetime:
    """Local midnight of the delivery day: the planner's time zero."""
    return timezone.make_aware(datetime.combine(window.delivery_date, time(0, 0)))


def at(origin: datetime, seconds: float) -> datetime:
    return origin + timedelta(seconds=round(seconds))


def seconds_since(origin: datetime, moment: datetime) -> float:
    return (moment - origin).total_seconds()


def _door_bags(window):
    return Order.objects.filter(
        window=window,
        status=OrderStatus.PLACED,
        fulfilment=Fulfilment.DOOR,
        handed_at__isnull=True,
    )


def waiting_for_packing(window):
    """Door orders whose bag is not packed yet: no route goes to them (a courier
    sent to a bag still on the sorting table waits or leaves without it); the
    plan and window pages name how many wait, to plan again once packed."""
    return _door_bags(window).filter(packed_at__isnull=True)


def door_orders(window):
    """The window's live door orders whose bag is packed and has not left our hands."""
    return (
        _door_bags(window)
        .filter(packed_at__isnull=False)
        .select_related("building", "household", "household__unit", "compound")
        .order_by("building_id", "household__unit_id", "household__floor", "household__room")
    )


def stop_groups(orders, *, base_s: float, per_floor_s: float, max_bags: int) -> list[StopGroup]:
    by_unit: dict[int, list] = defaultdict(list)
    for order in orders:
        by_unit[order.household.unit_id].append(order)
    groups = []
    for members in by_unit.values():
        for k in range(0, len(members), max_bags):
            chunk = members[k : k + max_bags]
            groups.append(_group(chunk, base_s, per_floor_s))
    return groups


def _group(orders, base_s, per_floor_s) -> StopGroup:
    building = orders[0].building
    climb = 0 if building.has_elevator else max(o.household.floor for o in orders) - 1
    service = base_s * len(orders) + per_floor_s * max(climb, 0)
    return StopGroup(building, orders[0].household.unit, orders, float(service))


def where(building) -> tuple[float, float] | None:
    if building.lat is not None and building.lng is not None:
        return building.lat, building.lng
    compound = building.compound
    if compound.lat is not None and compound.lng is not None:
        return compound.lat, compound.lng
    return None


def courier_dataclass(courier: Courier, origin: datetime, start_at: datetime) -> engine.Courier:
    """A courier leaves at the later of their shift start and the plan's start
    (sorting done), and is back at the market by their shift end."""
    shift_start = timezone.make_aware(datetime.combine(origin.date(), courier.shift_start))
    shift_end = timezone.make_aware(datetime.combine(origin.date(), courier.shift_end))
    return engine.Courier(
        id=str(courier.pk),
        capacity=courier.capacity,
        speed=float(courier.speed_kmh) / 3.6,
        start_s=seconds_since(origin, max(shift_start, start_at)),
        end_s=seconds_since(origin, shift_end),
        kind=courier.mode,
    )


def build(plan, couriers, groups) -> engine.Problem:
    """The planner's problem for ``plan``; a building or market without a
    position is a field error naming it (nothing can be planned around it)."""
    window = plan.window
    origin = day_origin(window)
    depot = where_compound(window.market.compound)
    missing = sorted(
        {g.building.compound.name + g.building.name for g in groups if not where(g.building)}
    )
    if depot is None:
        raise ValidationError({"__all__": _("市场所在小区没有坐标，请先在小区资料中填写经纬度。")})
    if missing:
        raise ValidationError(
            {
                "__all__": _("这些楼栋和所在小区都没有坐标：%(names)s")
                % {"names": "、".join(missing[:10])}
            }
        )
    latest = seconds_since(origin, plan.deadline_at)
    stops = tuple(
        engine.Stop(
            id=str(n),
            point=engine.Point.latlng(*where(g.building)),
            demand=g.bags,
            service_s=g.service_s,
            latest_s=latest - g.service_s,  # the last door is handed over by the deadline
        )
        for n, g in enumerate(groups)
    )
    return engine.Problem(
        depot=engine.Point.latlng(*depot),
        stops=stops,
        couriers=tuple(courier_dataclass(c, origin, plan.start_at) for c in couriers),
        metric="haversine",
        geographic=True,
        detour=float(plan.detour),
        load_s=float(plan.load_s),
    )


def where_compound(compound) -> tuple[float, float] | None:
    if compound.lat is None or compound.lng is None:
        return None
    return compound.lat, compound.lng
