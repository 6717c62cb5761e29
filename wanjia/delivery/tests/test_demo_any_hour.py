"""The demo at any hour (issue: "the demo only makes sense in the morning"):
loaded after midnight, at dawn, at noon or in the evening, a newcomer finds an
order window open now, a delivery day in progress (bags being packed, couriers
on the road before their deadline, on schedule), the demo courier with stops
still to deliver, and nothing dated in the future."""

from datetime import datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from wanjia.delivery.models import DeliveryPlan, DeliveryStatus, Stop
from wanjia.market.models import Order, OrderStatus, OrderWindow, PurchaseLine, WindowStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("day", "at"),
    [
        ("2026-12-04", time(0, 30)),
        ("2027-01-15", time(6, 30)),
        ("2027-03-01", time(12, 0)),
        ("2027-06-30", time(21, 30)),
    ],
)
def test_the_demo_has_a_delivery_day_in_progress_whatever_the_hour(day, at):
    moment = datetime.combine(datetime.fromisoformat(day).date(), at, SHANGHAI)
    with time_machine.travel(moment, tick=False):
        call_command("load_demo", "--scale", "small", stdout=StringIO(), stderr=StringIO())
        now = timezone.now()
        # residents can order now
        assert OrderWindow.objects.filter(
            status=WindowStatus.OPEN, opens_at__lte=now, closes_at__gt=now
        ).exists()
        # a delivery day in progress: its plan started and its deadline is ahead
        plan = DeliveryPlan.objects.get()
        assert plan.start_at <= now < plan.deadline_at
        window = plan.window
        assert window.closes_at <= window.received_at <= now
        placed = Order.objects.filter(window=window, status=OrderStatus.PLACED)
        assert placed.filter(packed_at__isnull=False).exists()
        assert placed.filter(packed_at__isnull=True).exists()  # packing under way
        assert not placed.filter(packed_at__gt=now).exists()
        assert not PurchaseLine.objects.filter(received_at__gt=now).exists()
        # on schedule: nothing due more than two minutes ago is still waiting
        waiting = Stop.objects.filter(
            route__plan=plan, deliveries__status=DeliveryStatus.PENDING
        ).distinct()
        assert not waiting.filter(eta__lt=now - timedelta(minutes=2)).exists()
        # the demo courier has delivered some stops and has more to go
        mine = Stop.objects.filter(route__plan=plan, route__courier__user__username="courier")
        assert mine.filter(deliveries__status=DeliveryStatus.DELIVERED).exists()
        assert mine.filter(deliveries__status=DeliveryStatus.PENDING).exists()
        assert not plan.deliveries.filter(delivered_at__gt=now).exists()
        # the staffing advice speaks of the same day: its earliest finish is
        # after the round set out (it read 07:25 beside a 14:06 departure)
        earliest = datetime.fromisoformat(plan.suggestion["earliest_deadline"])
        assert plan.start_at < earliest
