"""A window ready to plan, for tests and benchmarks: door orders from every
household of the given compounds, the window closed through the services,
then moved to "sorted" by direct updates (receiving only opens at 05:00 on the
delivery day, which a test must not depend on), and couriers posted."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from wanjia.estates.models import Duty, Household, StaffDuty, StaffMember
from wanjia.market import services as market_services
from wanjia.market.models import Order, OrderWindow, WindowStatus
from wanjia.market.services import LineIn
from wanjia.market.testing import make_market, open_window

from . import services
from .models import Mode


@dataclass
class DeliveryKit:
    market: object
    window: OrderWindow
    orders: list
    couriers: list = field(default_factory=list)


def sorted_window(world, *, compounds=None, households=None, item="大白菜") -> DeliveryKit:
    """Every household of ``compounds`` (default: compound A) orders one
    ``item`` for delivery tomorrow; sorting ends tomorrow 06:00."""
    compounds = compounds or [world.a]
    kit = make_market(manager=world.manager_a, compound=world.a, served=compounds[1:])
    tomorrow = timezone.localdate() + timedelta(days=1)
    window = open_window(kit, manager=world.manager_a, delivery_date=tomorrow, stock=10_000)
    homes = households or list(Household.objects.filter(compound__in=compounds).order_by("id"))
    offer = kit.offers[item]
    orders = [
        market_services.order_place(
            actor=world.manager_a, window=window, household=h, lines=[LineIn(offer.pk, 1)]
        )
        for h in homes
    ]
    market_services.window_close(actor=world.manager_a, window=window)
    sorted_at = timezone.make_aware(datetime.combine(tomorrow, time(6, 0)))
    OrderWindow.objects.filter(pk=window.pk).update(
        status=WindowStatus.PACKED, received_at=sorted_at, packed_at=sorted_at
    )
    Order.objects.filter(window=window).update(packed_at=sorted_at)
    window.refresh_from_db()
    return DeliveryKit(kit.market, window, orders)


def post_courier(world, kit: DeliveryKit, *, user=None, name="配送员", mode=Mode.TRICYCLE, **data):
    """A staff courier of compound A (with an account when ``user`` is given)."""
    staff = StaffMember.objects.create(
        company=world.a.company, compound=world.a, name=name, user=user, phone="13500000000"
    )
    StaffDuty.objects.create(staff=staff, duty=Duty.COURIER)
    courier = services.courier_add(
        actor=world.manager_a, market=kit.market, staff=staff, mode=mode, **data
    )
    kit.couriers.append(courier)
    return courier
